"""The store is the one home of Whoosh: nothing else imports it, nothing fires on import, its version is checked."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kzjp_cli import index, locations
from kzjp_cli.articles import FIELDS
from kzjp_cli.errors import EngineError, IndexStateError
from kzjp_cli.store import engine, open_store

from .conftest import KZJP, WriteCorpus

PACKAGE = locations.PACKAGE_DIR


def imported_modules(path: Path) -> set[str]:
    """Every module a Python file imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_only_the_store_imports_whoosh() -> None:
    outside = [p for p in sorted(PACKAGE.rglob("*.py")) if PACKAGE / "store" not in p.parents]
    assert len(outside) >= 15, "every module of the package is looked at"
    offenders = {
        str(p.relative_to(PACKAGE)): sorted(m for m in imported_modules(p) if m.split(".")[0] == "whoosh")
        for p in outside
    }
    assert {name: modules for name, modules in offenders.items() if modules} == {}
    inside = {
        p.name for p in (PACKAGE / "store").glob("*.py") if "whoosh" in {m.split(".")[0] for m in imported_modules(p)}
    }
    assert {"whoosh_store.py", "segments.py", "schema.py"} <= inside, "the check would see an import"


def run_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_importing_kzjp_changes_nothing_in_python_or_whoosh() -> None:
    """Not the package, not the CLI, not the schema a table of contents unpickles: nothing fires on import."""
    out = run_python(
        "import sys\n"
        "finders = list(sys.meta_path)\n"
        "import kzjp_cli, kzjp_cli.cli, kzjp_cli.index, kzjp_cli.search, kzjp_cli.topics, kzjp_cli.store\n"
        "assert sys.meta_path == finders, sys.meta_path\n"
        "assert 'whoosh' not in sys.modules\n"
        "import kzjp_cli.store.schema\n"
        "from whoosh.codec import whoosh3\n"
        "from kzjp_cli.store import engine\n"
        "assert whoosh3.W3PerDocReader._cached_reader is not engine._cached_reader\n"
        "assert sys.meta_path == finders\n"
        "print('ok')\n"
    )
    assert out == "ok\n"


def test_opening_a_store_loads_whoosh_with_its_patch(corpus: Path, tmp_path: Path) -> None:
    built = index.open_index(corpus, tmp_path / "ix")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from kzjp_cli.store import engine, open_store\n"
        f"store = open_store(Path({str(built.generation)!r}))\n"
        "from whoosh.codec import whoosh3\n"
        "assert whoosh3.W3PerDocReader._cached_reader is engine._cached_reader\n"
        "assert 'urllib.request' not in sys.modules and 'asyncio' not in sys.modules\n"
        "print(store.count())\n"
    )
    assert run_python(code) == "4\n"


def test_the_checked_version_is_the_pinned_one() -> None:
    pyproject = (locations.CHECKOUT_DIR / "pyproject.toml").read_text(encoding="utf-8")
    pinned = re.findall(r'"(whoosh[^"]*)"', pyproject, flags=re.I)
    assert pinned == [f"{engine.WHOOSH_DISTRIBUTION}=={'.'.join(map(str, engine.WHOOSH_VERSION))}"]
    engine.check_version(engine.WHOOSH_VERSION)


@pytest.mark.parametrize("found", [(2, 7, 4), (2, 8, 0), (3, 0)])
def test_another_whoosh_version_is_a_clear_error(found: tuple[int, ...]) -> None:
    with pytest.raises(EngineError, match=r"kzjp needs whoosh-reloaded 2\.7\.5, but Whoosh .* is installed") as caught:
        engine.check_version(found)
    assert caught.value.hint and "pip install 'whoosh-reloaded==2.7.5'" in caught.value.hint


def test_the_schema_follows_the_field_list(corpus: Path, tmp_path: Path) -> None:
    store = open_store(index.open_index(corpus, tmp_path / "ix").generation)
    schema = store.ix.schema
    per_language = {f"{name}_{code}" for name in ("title", "body") for code in ("ru", "kk", "ja", "other")}
    assert {name for name in schema.names() if not name.startswith("spell_")} == {
        name for name, spec in FIELDS.items() if spec.kind != "manifest"
    } | per_language
    assert all(schema[name].format.field_boost == 2.0 for name in ("title", "title_ru", "title_ja"))
    assert schema["body_kk"].format.field_boost == FIELDS["body"].boost == 1.0


def test_an_index_of_the_previous_schema_rebuilds_itself_with_a_notice(
    write_corpus: WriteCorpus, tmp_path: Path
) -> None:
    """Version 1 indexes pickled kzjp_cli.schema.DateField, which is gone: they must never be opened."""
    corpus = write_corpus(
        {"a.txt": "Tokayev visited Tokyo.", "b.md": "---\nurl: https://x.kz/1\nlang: en\n---\nAktau."}
    )
    root = tmp_path / "ix"
    index.update(corpus, root)
    marker_path = root / index.MARKER
    marker = json.loads(marker_path.read_text())
    old_generation = marker["generation"]
    marker["schema"] = 1
    marker_path.write_text(json.dumps(marker))
    done = subprocess.run(
        [KZJP, "search", "Tokyo", "-f", "ids", "--corpus", str(corpus), "--index", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (0, "a\n")
    assert done.stderr == (
        f"kzjp: the index was made by another version of kzjp; building the index of 2 articles in {root}\n"
    )
    marker = json.loads(marker_path.read_text())
    assert marker["schema"] == index.SCHEMA_VERSION == 7 and marker["generation"] != old_generation
    assert [p.name for p in root.glob("gen-*")] == [marker["generation"]]


def test_a_table_of_contents_naming_a_missing_class_is_a_clear_error(corpus: Path, tmp_path: Path) -> None:
    generation = index.open_index(corpus, tmp_path / "ix").generation
    toc = next(generation.glob("*.toc"))
    toc.write_bytes(toc.read_bytes().replace(b"kzjp_cli.store.schema", b"kzjp_cli.gone.schema!"))
    with pytest.raises(IndexStateError, match="another version of kzjp") as caught:
        open_store(generation)
    assert caught.value.hint == "run 'kzjp index --rebuild'"


def test_caches_live_in_the_generation(corpus: Path, tmp_path: Path) -> None:
    built = index.open_index(corpus, tmp_path / "ix")
    path = built.cache_path("thing.json")
    assert path == built.generation / index.CACHE_DIR / "thing.json" and path.parent.is_dir()
    path.write_text("{}")
    assert index.damage(tmp_path / "ix", json.loads((tmp_path / "ix" / index.MARKER).read_text())) is None
