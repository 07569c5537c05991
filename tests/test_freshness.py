"""The corpus check taken in child processes while a command reads the index (``freshness``): the same
fingerprint as a scan in one process, no answer from a stale index, no process left behind."""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kzjp_cli import index
from kzjp_cli.articles import scan_corpus
from kzjp_cli.errors import CorpusError, QueryError
from kzjp_cli.index import freshness
from kzjp_cli.index.folder import FOLDERS
from kzjp_cli.store import SearchOptions

from .conftest import Run
from .test_index import Recorder, bump


@pytest.fixture
def parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Check every corpus in parallel, however small (the threshold is for speed only)."""
    monkeypatch.setattr(freshness, "PARALLEL_FROM", 0)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "ix"


def opened_in_parallel(corpus: Path, root: Path, reporter: index.Reporter | None = None) -> index.CorpusIndex:
    ci = index.open_index(corpus, root, reporter=reporter)
    assert ci._check is not None, "the index was not opened with the check running beside it"
    return ci


@pytest.mark.parametrize("processors", [1, 2, 8], ids=["one child", "a child a part", "more processors"])
def test_the_fingerprint_is_the_same_taken_in_parts(
    write_corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, processors: int
) -> None:
    monkeypatch.setattr(freshness, "processors", lambda: processors)
    files = {f"f{n:03d}.md": f"Article {n} on Astana." for n in range(60)}
    files |= {
        "sub/deeper/Тоқаев.md": "Тоқаев Жапонияға барды.",
        "sub/東京.txt": "東京で会談が行われた。",
        "page.HTML": "<html><body><p>A saved page.</p></body></html>",
        ".hidden/skip.md": "not an article",
    }
    corpus = write_corpus(files)
    (corpus / "gone.md").symlink_to(tmp_path / "nowhere.md")  # listed, but its stat fails: left out by both
    scanned, _ = scan_corpus(corpus)
    assert {freshness.part_of(f.rel) for f in scanned} == set(range(freshness.PARTS))
    check = freshness.start(corpus)
    assert check is not None
    assert len(check._parts) == min(processors, freshness.PARTS)
    assert check.result() == freshness.fingerprint(scanned)

    bump(corpus / "f007.md", "Article 7 on Almaty.")
    changed = freshness.fingerprint(scan_corpus(corpus)[0])
    assert changed != freshness.fingerprint(scanned)
    check = freshness.start(corpus)
    assert check is not None and check.result() == changed


@pytest.mark.usefixtures("parallel")
def test_a_read_of_a_changed_corpus_refreshes_first(corpus: Path, root: Path) -> None:
    index.update(corpus, root)
    (corpus / "new.txt").write_text("Uzbekistan and Japan discuss rare earth metals.")
    bump(corpus / "judo.txt", "date 2024-06-15 Kazakhstan will host sambo championships.")
    (corpus / "nodate.txt").unlink()
    recorder = Recorder()
    ci = opened_in_parallel(corpus, root, recorder)
    found = ci.matches("sambo OR uzbekistan", SearchOptions(limit=10))
    assert sorted(m.article.id for m in found.matches) == ["judo", "new"]
    assert recorder.notices == ["index refreshed: 1 added, 1 changed, 1 removed"]
    assert ci.ids() == ["aktau", "judo", "new", "sub/visit"]
    assert not ci.confirm(), "checked once"


@pytest.mark.usefixtures("parallel")
@pytest.mark.parametrize("first", ["generation", "fingerprint"])
def test_the_generation_and_fingerprint_wait_for_the_check(corpus: Path, root: Path, first: str) -> None:
    """Callers that read the generation's folder (stats, topics' cache) never see the stale one."""
    index.update(corpus, root)
    before = json.loads((root / index.MARKER).read_text())["fingerprint"]
    (corpus / "new.txt").write_text("Fresh news from Astana.")
    ci = opened_in_parallel(corpus, root)
    getattr(ci, first)
    assert ci._check is None
    assert before != ci.fingerprint == freshness.fingerprint(scan_corpus(corpus)[0])
    assert "new" in ci.ids()


@pytest.mark.usefixtures("parallel")
def test_a_current_index_is_read_once_and_not_refreshed(corpus: Path, root: Path) -> None:
    index.update(corpus, root)
    recorder = Recorder()
    ci = opened_in_parallel(corpus, root, recorder)
    generation = ci._generation
    assert [m.article.id for m in ci.matches("Tokyo", SearchOptions(limit=10)).matches] == ["sub/visit", "nodate"]
    assert recorder.notices == recorder.warnings == []
    assert ci.generation == generation and not ci.confirm()


@pytest.mark.usefixtures("parallel")
def test_no_checking_process_outlives_its_index(corpus: Path, root: Path) -> None:
    """A read that fails before the check is needed (a bad query) leaves no child running or unreaped."""
    index.update(corpus, root)
    ci = opened_in_parallel(corpus, root)
    assert ci._check is not None
    pids = [part._process.pid for part in ci._check._parts]
    with pytest.raises(QueryError):
        ci.matches("   ", SearchOptions(limit=10))
    del ci
    gc.collect()
    for pid in pids:
        with pytest.raises(ChildProcessError):  # reaped: no longer this process's child
            os.waitpid(pid, os.WNOHANG)


@pytest.mark.usefixtures("parallel")
def test_a_killed_check_falls_back_to_a_scan_here(corpus: Path, root: Path) -> None:
    index.update(corpus, root)
    (corpus / "new.txt").write_text("Fresh news from Astana.")
    ci = opened_in_parallel(corpus, root)
    assert ci._check is not None
    for part in ci._check._parts:
        os.kill(part._process.pid, signal.SIGKILL)
    assert "new" in ci.ids()


@pytest.mark.usefixtures("parallel")
def test_a_vanished_corpus_is_reported_plainly(corpus: Path, root: Path) -> None:
    index.update(corpus, root)
    corpus.rename(corpus.with_name("moved"))
    with pytest.raises(CorpusError, match="does not exist"):
        index.open_index(corpus, root)


def test_no_fork_while_threads_run(corpus: Path) -> None:
    """A forked copy of a threaded process may inherit a lock held by a thread that is not copied."""
    stop = threading.Event()
    waiting = threading.Thread(target=stop.wait)
    waiting.start()
    try:
        assert freshness.start(corpus) is None
    finally:
        stop.set()
        waiting.join()


@pytest.mark.usefixtures("parallel")
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["search", "sambo", "-f", "ids"], "judo\n"),
        (["search", "uzbekistan", "-f", "ids"], "new\n"),
        (["list", "-f", "ids"], "aktau\njudo\nnew\nsub/visit\n"),
        (["show", "new", "-f", "json"], "rare earth metals"),
    ],
)
def test_commands_answer_from_the_refreshed_index(
    run: Run, corpus: Path, root: Path, args: list[str], expected: str
) -> None:
    assert run("index", "--index", str(root)).exit_code == 0
    (corpus / "new.txt").write_text("Uzbekistan and Japan discuss rare earth metals.")
    bump(corpus / "judo.txt", "date 2024-06-15 Kazakhstan will host sambo championships.")
    (corpus / "nodate.txt").unlink()
    result = run(*args, "--index", str(root))
    assert result.exit_code == 0, result.stderr
    assert expected in result.stdout if args[0] == "show" else result.stdout == expected
    assert "index refreshed: 1 added, 1 changed, 1 removed" in result.stderr
    stats = json.loads(run("stats", "-f", "json", "--index", str(root)).stdout)
    assert stats["articles"] == 4


PARALLEL_CLI = """
import sys
from kzjp_cli.index import freshness
freshness.PARALLEL_FROM = 0
from kzjp_cli.cli import cli
cli(sys.argv[1:], prog_name="kzjp")
"""


@pytest.mark.slow
def test_in_a_real_process_the_answer_is_printed_once(corpus: Path, root: Path) -> None:
    """The checking children exit without flushing what the command had buffered for its output."""
    kzjp = [sys.executable, "-c", PARALLEL_CLI]
    env = {**os.environ, "KZJP_CORPUS": str(corpus), "KZJP_INDEX": str(root)}
    assert subprocess.run([*kzjp, "index", "-q"], env=env, timeout=120).returncode == 0
    (corpus / "new.txt").write_text("Fresh news from Astana and Tokyo.")
    search = [*kzjp, "search", "Tokyo", "-f", "ids"]
    done = subprocess.run(search, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "new\nsub/visit\nnodate\n"
    assert done.stderr.splitlines() == ["kzjp: index refreshed: 1 added, 0 changed, 0 removed"]
    again = subprocess.run(
        [*kzjp, "search", "Tokyo", "-f", "ids"], env=env, capture_output=True, text=True, timeout=120
    )
    assert (again.returncode, again.stdout) == (0, done.stdout)
    assert again.stderr == ""


@pytest.mark.usefixtures("parallel")
@pytest.mark.parametrize("stale", [False, True])
def test_a_consistent_read_waits_once_at_its_end(corpus: Path, root: Path, stale: bool) -> None:
    """A search's reads (the scripts in use, the matches) all run beside the check; on a changed corpus the
    whole computation runs again on the refreshed index."""
    index.update(corpus, root)
    if stale:
        (corpus / "new.txt").write_text("Uzbekistan and Japan discuss rare earth metals.")
    ci = opened_in_parallel(corpus, root)
    pending: list[bool] = []

    def compute() -> list[str]:
        pending.append(ci._check is not None)
        ci.scripts_in_use()
        return [m.article.id for m in ci.matches("uzbekistan OR Tokyo", SearchOptions(limit=10)).matches]

    found = ci.consistent(compute)
    assert ("new" in found) is stale
    assert pending == ([True, False] if stale else [True])


def test_no_refresh_answers_from_the_index_as_it_is(
    run: Run, corpus: Path, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """For scripts that run many commands over a corpus they index once: no check of every file."""
    assert run("index", "--index", str(root)).exit_code == 0
    (corpus / "new.txt").write_text("Uzbekistan and Japan discuss rare earth metals.")
    stale = run("search", "uzbekistan", "-f", "ids", "--no-refresh", "--index", str(root))
    assert (stale.exit_code, stale.stdout) == (1, "")
    assert "refreshed" not in stale.stderr
    monkeypatch.setenv("KZJP_NO_REFRESH", "1")
    assert run("list", "-f", "ids", "--index", str(root)).stdout == "aktau\njudo\nnodate\nsub/visit\n"
    monkeypatch.delenv("KZJP_NO_REFRESH")
    fresh = run("search", "uzbekistan", "-f", "ids", "--index", str(root))
    assert (fresh.exit_code, fresh.stdout) == (0, "new\n")
    assert "index refreshed: 1 added" in fresh.stderr


def test_no_refresh_still_builds_a_missing_index(run: Run, corpus: Path, root: Path) -> None:
    done = run("search", "Tokyo", "-f", "ids", "--no-refresh", "--index", str(root))
    assert done.exit_code == 0 and "building the index of 4 articles" in done.stderr
    assert "sub/visit" in done.stdout.split()


@pytest.fixture
def trusting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Trust unchanged folders on any corpus, their times however recent (after a pause: the clock's tick)."""
    monkeypatch.setattr(freshness, "FOLDERS_FROM", 0)
    monkeypatch.setattr(freshness, "RACY_SECONDS", 0.0)


def settled(corpus: Path, root: Path) -> None:
    """The index brought up to date, and the folder times it records older than any change that follows."""
    index.update(corpus, root)
    time.sleep(0.05)  # a change in the same tick of the file system's clock would not move a folder's time


def unchecked(corpus: Path, root: Path) -> index.CorpusIndex:
    ci = index.open_index(corpus, root)
    assert ci._check is None
    return ci


@pytest.mark.usefixtures("trusting")
@pytest.mark.parametrize("change", ["added", "removed", "renamed", "new folder", "moved in"])
def test_a_changed_folder_is_noticed_without_checking_every_file(
    corpus: Path, root: Path, tmp_path: Path, change: str
) -> None:
    settled(corpus, root)
    outside = tmp_path / "outside.md"
    outside.write_text("---\ntitle: Moved in\n---\nA quokkaline story.\n", encoding="utf-8")
    assert freshness.unchanged(corpus, json.loads((root / FOLDERS).read_text()), unchecked(corpus, root).fingerprint)
    before = set(unchecked(corpus, root).ids())
    if change == "added":
        (corpus / "sub" / "new.md").write_text("A quokkaline story.", encoding="utf-8")
        after = before | {"sub/new"}
    elif change == "removed":
        (corpus / "sub" / "visit.md").unlink()
        after = before - {"sub/visit"}
    elif change == "renamed":
        (corpus / "sub" / "visit.md").rename(corpus / "sub" / "renamed.md")
        after = before - {"sub/visit"} | {"sub/renamed"}
    elif change == "new folder":
        (corpus / "sub" / "deeper").mkdir()
        (corpus / "sub" / "deeper" / "new.md").write_text("A quokkaline story.", encoding="utf-8")
        after = before | {"sub/deeper/new"}
    else:
        outside.rename(corpus / "sub" / "moved.md")
        after = before | {"sub/moved"}
    assert set(index.open_index(corpus, root).ids()) == after


@pytest.mark.usefixtures("trusting")
def test_an_edit_in_place_waits_for_kzjp_index_and_a_folder_time_set_back_fools_nothing(
    corpus: Path, root: Path
) -> None:
    """The one change the folders cannot show, as documented; and restoring a folder's modification time
    (rsync -t, tar) does not hide an added file: the status-change time moves all the same."""
    settled(corpus, root)
    with open(corpus / "judo.txt", "a", encoding="utf-8") as handle:
        handle.write(" Sambo too.\n")
    assert unchecked(corpus, root).matches("sambo", SearchOptions(limit=10)).matches == []
    index.update(corpus, root)
    assert [m.article.id for m in index.open_index(corpus, root).matches("sambo", SearchOptions()).matches] == ["judo"]

    time.sleep(0.05)
    before = (corpus / "sub").stat()
    (corpus / "sub" / "new.md").write_text("A quokkaline story.", encoding="utf-8")
    os.utime(corpus / "sub", ns=(before.st_atime_ns, before.st_mtime_ns))
    assert [m.article.id for m in index.open_index(corpus, root).matches("quokkaline", SearchOptions()).matches] == [
        "sub/new"
    ]


def test_recent_folder_times_and_other_fingerprints_are_not_trusted(
    corpus: Path, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(freshness, "FOLDERS_FROM", 0)
    index.update(corpus, root)
    recorded = json.loads((root / FOLDERS).read_text())
    fingerprint = recorded["fingerprint"]
    assert set(recorded["folders"]) == {"", "sub/"}
    assert not freshness.unchanged(corpus, recorded, fingerprint), "just written: a change may share its tick"
    monkeypatch.setattr(freshness, "RACY_SECONDS", 0.0)
    time.sleep(0.05)
    assert freshness.unchanged(corpus, recorded, fingerprint)
    assert not freshness.unchanged(corpus, recorded, "another fingerprint")
    assert not freshness.unchanged(corpus, {**recorded, "folders": {**recorded["folders"], "gone/": 1}}, fingerprint)
    assert not freshness.unchanged(corpus, {"fingerprint": fingerprint, "folders": "junk"}, fingerprint)
    (root / FOLDERS).write_text("not json")
    ci = index.open_index(corpus, root)  # checks in full, and records again
    assert "judo" in ci.ids() and json.loads((root / FOLDERS).read_text())["fingerprint"] == fingerprint


@pytest.mark.usefixtures("parallel", "trusting")
def test_a_check_in_parallel_records_the_folders_it_found(corpus: Path, root: Path) -> None:
    index.update(corpus, root)
    (root / FOLDERS).unlink()
    time.sleep(0.05)
    ci = opened_in_parallel(corpus, root)
    assert ci.ids() and not ci.confirm()
    assert json.loads((root / FOLDERS).read_text())["fingerprint"] == ci.fingerprint
    assert index.open_index(corpus, root)._check is None
