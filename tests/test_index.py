"""The index: full builds, incremental updates, refresh on read, crash safety, locking."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from kzjp_cli import index, locations
from kzjp_cli.errors import CorpusError, IndexBusyError, IndexStateError

from .conftest import WriteCorpus


class Recorder(index.Reporter):
    def __init__(self) -> None:
        self.notices: list[str] = []
        self.warnings: list[str] = []

    def notice(self, message: str) -> None:
        self.notices.append(message)

    def warning(self, message: str) -> None:
        self.warnings.append(message)


def ids_in_store(ci: index.CorpusIndex) -> list[str]:
    return sorted(a.id for a in ci.store.documents())


def bump(path: Path, text: str) -> None:
    """Rewrite a file with a visibly newer mtime."""
    path.write_text(text, encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "ix"


def test_full_build_indexes_every_article(corpus: Path, root: Path) -> None:
    report = index.update(corpus, root)
    assert (report.rebuilt, report.added, report.total, report.skipped) == (True, 4, 4, 0)
    ci = index.open_index(corpus, root)
    assert ids_in_store(ci) == ci.ids() == ["aktau", "judo", "nodate", "sub/visit"]
    marker = json.loads((root / index.MARKER).read_text())
    assert marker["schema"] == index.SCHEMA_VERSION and marker["corpus"] == str(corpus)
    assert [p.name for p in root.glob("gen-*")] == [marker["generation"]]


def test_a_generation_holds_the_store_and_the_manifest_only(corpus: Path, root: Path) -> None:
    """Not the empty temporary folder Whoosh's writer leaves, after a build or an update."""
    index.update(corpus, root, rebuild=True)
    generation = index.open_index(corpus, root).generation
    (corpus / "new.txt").write_text("Uzbekistan and Japan discuss rare earth metals.")
    assert index.update(corpus, root).added == 1
    names = sorted(p.name for p in generation.iterdir())
    assert [n for n in names if not n.startswith(("MAIN_", "_MAIN_"))] == ["manifest.json"], names


def test_second_update_touches_nothing(corpus: Path, root: Path) -> None:
    index.update(corpus, root)
    report = index.update(corpus, root)
    assert not report.touched and report.total == 4


def test_incremental_add_change_delete(corpus: Path, root: Path) -> None:
    index.update(corpus, root)
    generation = json.loads((root / index.MARKER).read_text())["generation"]
    (corpus / "new.txt").write_text("Uzbekistan and Japan discuss rare earth metals.")
    bump(corpus / "judo.txt", "date 2024-06-15 Kazakhstan will host sambo championships.")
    (corpus / "nodate.txt").unlink()
    report = index.update(corpus, root)
    assert (report.rebuilt, report.added, report.changed, report.removed, report.total) == (False, 1, 1, 1, 4)
    ci = index.open_index(corpus, root)
    assert ci.generation.name == generation, "an update must not rebuild"
    assert ids_in_store(ci) == ["aktau", "judo", "new", "sub/visit"]
    assert "sambo" in ci.article("judo").body


def test_touched_file_with_same_content_is_not_reindexed(corpus: Path, root: Path) -> None:
    index.update(corpus, root)
    bump(corpus / "judo.txt", (corpus / "judo.txt").read_text())
    report = index.update(corpus, root)
    assert not report.touched
    assert not index.update(corpus, root).touched, "the new mtime was recorded"


def test_read_refreshes_a_stale_index_with_one_notice(corpus: Path, root: Path) -> None:
    index.open_index(corpus, root)
    (corpus / "later.md").write_text("---\ntitle: Later\n---\nAstana hosts a forum.")
    recorder = Recorder()
    ci = index.open_index(corpus, root, reporter=recorder)
    assert "later" in ci.ids()
    assert recorder.notices == ["index refreshed: 1 added, 0 changed, 0 removed"]
    quiet = Recorder()
    index.open_index(corpus, root, reporter=quiet)
    assert quiet.notices == []


def test_first_read_builds_with_a_notice(corpus: Path, root: Path) -> None:
    recorder = Recorder()
    index.open_index(corpus, root, reporter=recorder)
    assert recorder.notices == [f"building the index of 4 articles in {root}"]


def test_bad_files_are_skipped_with_a_warning_once(write_corpus: WriteCorpus, root: Path) -> None:
    corpus = write_corpus({"good.txt": "Japan and Kazakhstan.", "empty.txt": "", "bin.md": b"\x00\x01\x02"})
    recorder = Recorder()
    report = index.update(corpus, root, reporter=recorder)
    assert (report.total, report.skipped) == (1, 2)
    assert sorted(recorder.warnings) == [
        f"skipped {corpus / 'bin.md'}: binary file (contains NUL bytes)",
        f"skipped {corpus / 'empty.txt'}: empty file",
    ]
    again = Recorder()
    index.open_index(corpus, root, reporter=again)
    assert again.warnings == [], "unchanged bad files are not re-read"


def test_a_file_that_turns_bad_leaves_the_index(corpus: Path, root: Path) -> None:
    index.update(corpus, root)
    (corpus / "judo.txt").write_bytes(b"\x00binary now")
    report = index.update(corpus, root)
    assert (report.removed, report.skipped) == (1, 1)
    assert "judo" not in ids_in_store(index.open_index(corpus, root))


def test_empty_corpus_is_an_error(write_corpus: WriteCorpus, root: Path) -> None:
    corpus = write_corpus({"notes.pdf": "x"})
    with pytest.raises(CorpusError, match="no articles"):
        index.open_index(corpus, root)


class Interrupt(index.Reporter):
    """Raises KeyboardInterrupt after n articles have been read."""

    def __init__(self, after: int) -> None:
        self.after = after

    def progress(self, items: list[Any], label: str) -> Any:
        for i, item in enumerate(items):
            if i == self.after:
                raise KeyboardInterrupt
            yield item


def test_interrupted_rebuild_keeps_the_last_good_index(corpus: Path, root: Path) -> None:
    index.update(corpus, root)
    before = (root / index.MARKER).read_text()
    with pytest.raises(KeyboardInterrupt):
        index.update(corpus, root, rebuild=True, reporter=Interrupt(after=2))
    assert (root / index.MARKER).read_text() == before
    assert len(list(root.glob("gen-*"))) == 1, "the partial generation was removed"
    assert len(ids_in_store(index.open_index(corpus, root))) == 4


def test_interrupted_incremental_update_is_redone_next_time(corpus: Path, root: Path) -> None:
    index.update(corpus, root)
    (corpus / "a1.txt").write_text("Article one about Aktau.")
    (corpus / "a2.txt").write_text("Article two about Aktau.")
    with pytest.raises(KeyboardInterrupt):
        index.update(corpus, root, reporter=Interrupt(after=1))
    ci = index.open_index(corpus, root)
    assert {"a1", "a2"} <= set(ids_in_store(ci))


def test_leftover_generation_from_a_killed_build_is_cleaned(corpus: Path, root: Path) -> None:
    index.update(corpus, root)
    (root / "gen-0-1").mkdir()
    (root / "gen-0-1" / "junk").write_text("partial")
    first = json.loads((root / index.MARKER).read_text())["generation"]
    index.update(corpus, root)  # even an update with nothing to do: the writer's start clears what is dead
    assert [p.name for p in root.glob("gen-*")] == [first]
    index.update(corpus, root, rebuild=True)
    marker = json.loads((root / index.MARKER).read_text())
    assert marker["previous"] == first  # kept for a reader that read the old marker, until the next build
    assert {p.name for p in root.glob("gen-*")} == {marker["generation"], first}
    index.update(corpus, root, rebuild=True)
    assert {p.name for p in root.glob("gen-*")} == {json.loads((root / index.MARKER).read_text())["generation"]} | {
        marker["generation"]
    }


def test_second_writer_gets_a_clear_busy_error(corpus: Path, root: Path) -> None:
    index.update(corpus, root)
    with index.writer_lock(root), pytest.raises(IndexBusyError, match="being updated by another kzjp"):
        index.update(corpus, root)


def test_reader_answers_from_last_index_while_a_writer_holds_the_lock(corpus: Path, root: Path) -> None:
    index.update(corpus, root)
    (corpus / "new.txt").write_text("Fresh news from Astana.")
    recorder = Recorder()
    with index.writer_lock(root):
        ci = index.open_index(corpus, root, reporter=recorder)
    assert "new" not in ci.ids()
    assert any("another kzjp process" in w for w in recorder.warnings)


def test_folder_that_is_not_a_kzjp_index_is_refused(corpus: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "data.bin").write_text("precious")
    with pytest.raises(IndexStateError, match="not a kzjp index"):
        index.open_index(corpus, foreign)
    assert (foreign / "data.bin").read_text() == "precious"


def test_other_corpus_or_schema_triggers_a_rebuild(corpus: Path, root: Path, write_corpus: WriteCorpus) -> None:
    index.update(corpus, root)
    other = write_corpus({"x.txt": "Bishkek and Tokyo."}, folder="other")
    assert index.open_index(other, root).ids() == ["x"]
    marker = json.loads((root / index.MARKER).read_text())
    marker["schema"] = 0
    (root / index.MARKER).write_text(json.dumps(marker))
    assert index.update(other, root).rebuilt


def test_default_index_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert locations.default_index(locations.CHECKOUT_DIR / "corpus") == locations.CHECKOUT_DIR / "index"
    other = locations.default_index(tmp_path / "my articles")
    assert other.parent == tmp_path / "cache" / "kzjp"
    assert other.name.startswith("my-articles-")
    monkeypatch.setenv("KZJP_INDEX", "")
    assert locations.folders(tmp_path, tmp_path / "ix") == (tmp_path, tmp_path / "ix")


class DeleteWhileIndexing(index.Reporter):
    """Deletes one file just before the indexer reads it, as a user might mid-build."""

    def __init__(self, victim: Path) -> None:
        self.victim = victim
        self.warnings: list[str] = []

    def warning(self, message: str) -> None:
        self.warnings.append(message)

    def progress(self, items: list[Any], label: str) -> Any:
        for item in items:
            if item.path == self.victim:
                self.victim.unlink()
            yield item


def test_file_deleted_while_indexing_is_skipped(corpus: Path, root: Path) -> None:
    reporter = DeleteWhileIndexing(corpus / "judo.txt")
    report = index.update(corpus, root, reporter=reporter)
    assert (report.total, report.skipped) == (3, 1)
    assert reporter.warnings == [f"skipped {corpus / 'judo.txt'}: file not found (or vanished before it could be read)"]
    assert "judo" not in index.open_index(corpus, root).ids()
