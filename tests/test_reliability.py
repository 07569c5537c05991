"""Bad articles, interrupted and concurrent indexing, damaged indexes, in real processes and files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kzjp_cli import index as kzjp_index

from .conftest import KZJP, Run, WriteCorpus, generate


def kzjp(*args: str, corpus: Path, index: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [KZJP, *args, "--corpus", str(corpus), "--index", str(index)], capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 generated articles: enough for an index build to take a few seconds."""
    return generate(tmp_path_factory.mktemp("generated") / "corpus", 300, seed=3)


# --- bad articles ---------------------------------------------------------------------


@pytest.mark.slow
def test_messy_corpus_indexes_every_good_article(write_corpus: WriteCorpus, tmp_path: Path) -> None:
    corpus = write_corpus(
        {
            "good.txt": "Tokyo and Astana signed a memorandum on rail freight.",
            "russian.txt": "Президент Токаев прибыл в Токио с официальным визитом. Переговоры прошли успешно.".encode(
                "cp1251"
            ),
            "french.txt": "Le président est arrivé à Tokyo. Les négociations ont été très fructueuses.".encode(
                "latin-1"
            ),
            "utf16.md": "\ufeffJudo coaches from Japan visited Almaty.".encode("utf-16"),
            "empty.txt": b"",
            "blank.txt": b"   \n\t\n",
            "image.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "doc.txt": b"%PDF-1.4\n\x00\x01binary",
            "huge.txt": b"x" * (50 * 1024 * 1024),  # one 50 MB line: skipped by the size limit
            "bad front.md": "---\ntitle: Kept anyway\ndate: 2025-02-30\n---\nBishkek hosts a summit.",
            "with space and ünïcode.md": "# Астана и Токио\nA joint statement was issued.",
        }
    )
    index = tmp_path / "ix"
    done = kzjp("index", corpus=corpus, index=index)
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("Warning:")]
    for name, reason in [
        ("empty.txt", "empty file"),
        ("blank.txt", "empty file"),
        ("image.md", "binary"),
        ("doc.txt", "binary"),
        ("huge.txt", "larger than the 10 MB limit"),
    ]:
        assert any(name in w and reason in w for w in warnings), (name, warnings)
    assert any("russian.txt" in w and "cp1251" in w for w in warnings)
    assert any("french.txt" in w and "cp1252" in w for w in warnings)
    assert any("bad front.md" in w and "2025-02-30" in w for w in warnings)
    assert "7 articles (5 skipped)" in done.stderr or "built the index of 6 articles (5 skipped)" in done.stderr
    listed = json.loads(kzjp("list", "-f", "json", corpus=corpus, index=index).stdout)
    assert {a["id"] for a in listed} == {
        "good",
        "russian",
        "french",
        "utf16",
        "bad front",
        "with space and ünïcode",
    }
    assert kzjp("search", "Переговоры", "-f", "ids", corpus=corpus, index=index).stdout == "russian\n"
    assert kzjp("search", "négociations", "-f", "ids", corpus=corpus, index=index).stdout == "french\n"
    shown = kzjp("show", "with space", "-f", "json", corpus=corpus, index=index)
    assert json.loads(shown.stdout)["title"] == "Астана и Токио"
    strict = kzjp("index", "--strict", "-q", corpus=corpus, index=index)
    assert strict.returncode == 3 and "5 file(s) skipped" in strict.stderr


def test_unreadable_file_is_skipped(write_corpus: WriteCorpus, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    corpus = write_corpus({"ok.txt": "Astana.", "secret.txt": "Tokyo."})
    (corpus / "secret.txt").chmod(0)
    done = kzjp("index", corpus=corpus, index=tmp_path / "ix")
    assert done.returncode == 0 and "secret.txt: cannot read: Permission denied" in done.stderr


# --- interrupted and concurrent indexing ---------------------------------------------


def wait_until_building(process: subprocess.Popen[Any], index: Path) -> None:
    """Return once the build has made its new generation folder (builds now take about a second)."""
    before = set(index.glob("gen-*"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None and not set(index.glob("gen-*")) - before:
        time.sleep(0.005)
    assert process.poll() is None, "the build ended before it could be interrupted"


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 0.2, 0.5])
def test_kill_9_while_indexing_loses_nothing(generated: Path, tmp_path: Path, delay: float) -> None:
    index = tmp_path / "ix"
    assert kzjp("index", "-q", corpus=generated, index=index).returncode == 0
    before = kzjp("search", '"green hydrogen"', "-f", "ids", "-n", "500", corpus=generated, index=index).stdout
    with subprocess.Popen(
        [KZJP, "index", "--rebuild", "-q", "--corpus", str(generated), "--index", str(index)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as process:
        wait_until_building(process, index)
        time.sleep(delay)
        process.kill()
    after = kzjp("search", '"green hydrogen"', "-f", "ids", "-n", "500", corpus=generated, index=index)
    assert after.returncode == 0 and after.stdout == before
    assert len(json.loads(kzjp("list", "-f", "json", corpus=generated, index=index).stdout)) == 300


@pytest.mark.slow
def test_kill_9_during_the_first_build_then_a_search_builds_again(generated: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    with subprocess.Popen(
        [KZJP, "index", "-q", "--corpus", str(generated), "--index", str(index)], stderr=subprocess.DEVNULL
    ) as process:
        wait_until_building(process, index)
        time.sleep(0.2)
        process.kill()
    done = kzjp("search", "hydrogen", "-f", "ids", corpus=generated, index=index)
    assert done.returncode == 0 and done.stdout
    assert len(list(index.glob("gen-*"))) == 1


@pytest.mark.slow
def test_ctrl_c_exits_130_with_one_line(generated: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    with subprocess.Popen(
        [KZJP, "index", "--rebuild", "--corpus", str(generated), "--index", str(index)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        wait_until_building(process, index)
        time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert stderr.strip().splitlines()[-1] == "Interrupted." and "Traceback" not in stderr
    assert kzjp("search", "hydrogen", "-f", "ids", corpus=generated, index=index).returncode == 0


@pytest.mark.slow
def test_two_writers_one_fails_clearly_and_readers_answer(generated: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    assert kzjp("index", "-q", corpus=generated, index=index).returncode == 0
    with kzjp_index.writer_lock(index):  # the first writer, holding the same flock a kzjp build holds
        second = kzjp("index", corpus=generated, index=index)
        (generated / "late.md").write_text("A late article about green hydrogen in Aktau.")
        try:
            reader = kzjp("search", "hydrogen", "-f", "ids", corpus=generated, index=index)
        finally:
            (generated / "late.md").unlink()
    assert kzjp("index", "--rebuild", "-q", corpus=generated, index=index).returncode == 0
    assert second.returncode == 2
    assert second.stderr.startswith("Error: the index at") and "being updated by another kzjp process" in second.stderr
    assert reader.returncode == 0 and reader.stdout
    assert "answering from the last complete index" in reader.stderr


# --- damaged indexes ------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["truncate", "delete", "toc"])
def test_damaged_index_is_rebuilt_with_a_notice(write_corpus: WriteCorpus, tmp_path: Path, damage: str) -> None:
    corpus = write_corpus({"a.txt": "Tokayev visited Tokyo.", "b.txt": "Judo in Almaty."})
    index = tmp_path / "ix"
    kzjp("index", "-q", corpus=corpus, index=index)
    generation = next(index.glob("gen-*"))
    segment = next(generation.glob("*.seg"))
    if damage == "truncate":
        segment.write_bytes(segment.read_bytes()[:500])
    elif damage == "delete":
        segment.unlink()
    else:
        next(generation.glob("*.toc")).unlink()
    done = kzjp("search", "Tokayev", "-f", "ids", corpus=corpus, index=index)
    assert (done.returncode, done.stdout) == (0, "a\n")
    assert "the index is damaged" in done.stderr and "rebuilding it from the corpus" in done.stderr


def test_marker_of_an_older_schema_is_rebuilt(write_corpus: WriteCorpus, tmp_path: Path) -> None:
    corpus = write_corpus({"a.txt": "Tokayev visited Tokyo."})
    index = tmp_path / "ix"
    kzjp("index", "-q", corpus=corpus, index=index)
    marker = json.loads((index / "kzjp-index.json").read_text())
    marker["schema"] = 0
    (index / "kzjp-index.json").write_text(json.dumps(marker))
    done = kzjp("search", "Tokyo", "-f", "ids", corpus=corpus, index=index)
    assert done.stdout == "a\n" and "building the index" in done.stderr


@pytest.mark.parametrize(
    ("chains", "rebuilt"),
    [
        (["en", "ru", "kk", "ja", "uz", "other"], True),  # written when kzjp knew another set of languages
        (None, False),  # written before the marker named its chains: the four languages and other
    ],
)
def test_an_index_of_other_languages_is_rebuilt(
    write_corpus: WriteCorpus, tmp_path: Path, chains: list[str] | None, rebuilt: bool
) -> None:
    corpus = write_corpus({"a.txt": "Tokayev visited Tokyo."})
    index = tmp_path / "ix"
    kzjp("index", "-q", corpus=corpus, index=index)
    marker = json.loads((index / "kzjp-index.json").read_text())
    assert marker["chains"] == ["en", "ru", "kk", "ja", "other"]
    if chains is None:
        del marker["chains"]
    else:
        marker["chains"] = chains
    (index / "kzjp-index.json").write_text(json.dumps(marker))
    done = kzjp("search", "Tokyo", "-f", "ids", corpus=corpus, index=index)
    assert done.stdout == "a\n"
    assert ("made by another version of kzjp" in done.stderr) is rebuilt


def test_never_opens_a_folder_that_is_not_a_kzjp_index(write_corpus: WriteCorpus, tmp_path: Path) -> None:
    corpus = write_corpus({"a.txt": "Tokyo."})
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "_MAIN_1.toc").write_bytes(b"pickled things")
    done = kzjp("search", "Tokyo", corpus=corpus, index=foreign)
    assert done.returncode == 2 and done.stderr.startswith("Error: ") and "not a kzjp index folder" in done.stderr


# --- hostile input --------------------------------------------------------------------

HOSTILE = st.text(alphabet=st.characters(codec="utf-8"), max_size=60) | st.text(
    alphabet='"()[]{}:*~^-+ ORANDNOTdate2025<>=to\x1b\x00', max_size=30
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=HOSTILE)
def test_any_topic_argument_ends_cleanly(run: Run, corpus: Path, text: str) -> None:
    result = run("topics", text, "-q")
    assert result.exit_code in (0, 1, 2)
    assert result.exit_code != 2 or result.stderr.startswith("Error: ")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=HOSTILE)
def test_any_summary_query_ends_cleanly(run: Run, corpus: Path, text: str) -> None:
    result = run("summarize", "aktau", "--query", text, "-q", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["sentences"]


def test_read_only_index_folder(run: Run, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder kzjp cannot write: fresh searches answer, stale ones warn, updates fail clearly."""
    assert run("index", "-q").exit_code == 0
    real_open = os.open

    def read_only(path: object, flags: int, *args: object) -> int:
        if str(path).endswith(kzjp_index.LOCK) or flags & (os.O_WRONLY | os.O_RDWR):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", read_only)
    fresh = run("search", "customs", "-f", "ids")
    assert (fresh.exit_code, fresh.stdout, fresh.stderr) == (0, "aktau\n", "")
    (corpus / "new.txt").write_text("More customs news from Aktau.")
    stale = run("search", "customs", "-f", "ids")
    assert stale.exit_code == 0 and stale.stdout == "aktau\n"
    assert "Warning: the index is out of date (cannot write to the index folder" in stale.stderr
    update = run("index")
    assert update.exit_code == 2
    assert update.stderr.startswith("Error: cannot write to the index folder") and update.stderr.count("\n") == 1
