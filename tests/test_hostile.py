"""Issue 14, tried as a hostile user would: every case ends in a result or one clear line, never a traceback."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kzjp_cli import search
from kzjp_cli.cli import cli
from kzjp_cli.errors import Exit
from kzjp_cli.store import SearchOptions

from .conftest import KZJP, Run, WriteCorpus


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["summarize", "000", "--ratio", "nan"], "'nan' is not a number"),
        (["summarize", "000", "--ratio", "inf"], "--ratio"),
        (["add", "x", "--timeout", "nan"], "'nan' is not a number"),
        (["search", "path:corpus", "-q"], "'path' is not a field you can search"),
        (["search", "foo:bar", "-q"], "'foo' is not a field you can search; the fields are title, body"),
        (["-q", "search", "x"], "-q goes after the command (kzjp search -q …)"),
        (["--bogus"], "No such option '--bogus'; see 'kzjp --help'"),
        (["--corpus", "x", "list"], "--corpus goes after the command (kzjp list --corpus …)"),
    ],
)
def test_bad_values_get_one_error_line(run: Run, args: list[str], message: str) -> None:
    done = run(*args)
    assert done.exit_code == 2 and done.stdout == ""
    assert done.stderr.startswith("Error: ") and message in done.stderr and done.stderr.count("\n") == 1


def test_quoted_field_names_and_addresses_are_text(run: Run) -> None:
    assert run("search", '"foo:bar"').exit_code == 1
    assert run("search", "https://astanatimes.com").exit_code in (0, 1)
    assert run("search", "title:Asia").exit_code == 0


def test_an_id_list_that_is_not_utf8(run: Run) -> None:
    done = CliRunner().invoke(cli, ["summarize", "--ids-from", "-"], input=b"000\n\xff\xfe\n")
    assert (done.exit_code, done.stderr) == (2, "Error: line 2 of the id list is not UTF-8 text\n")


def test_an_internal_error_has_its_own_exit_status_and_one_line(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something kzjp did not expect")

    monkeypatch.setattr(search, "search", broken)
    monkeypatch.delenv("KZJP_DEBUG")
    done = run("search", "Tokyo", "-q")
    assert done.exit_code == Exit.BUG == 70 and done.stdout == ""
    assert done.stderr.startswith("Error: internal error (RuntimeError: something kzjp did not expect); this is a bug")
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    with pytest.raises(RuntimeError):
        run("--debug", "search", "Tokyo")
    monkeypatch.setenv("KZJP_DEBUG", "1")
    with pytest.raises(RuntimeError):
        run("search", "Tokyo")


def test_usage_errors_before_the_command_in_a_real_process() -> None:
    done = subprocess.run([KZJP, "-q", "search", "x"], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "Error: -q goes after the command (kzjp search -q …); see 'kzjp search --help'\n"


@pytest.mark.parametrize("marker", [b'{"format": "kzjp-index", "sche', b"", b"[1, 2]", b"\xff\xfe garbage"])
def test_a_damaged_marker_never_blocks_a_rebuild(run: Run, corpus: Path, tmp_path: Path, marker: bytes) -> None:
    assert run("index", "-q").exit_code == 0
    (tmp_path / "index" / "kzjp-index.json").write_bytes(marker)
    done = run("search", "Aktau", "-f", "ids")
    assert (done.exit_code, done.stdout) == (0, "aktau\n")
    assert "the index is damaged (its marker kzjp-index.json is not" in done.stderr
    (tmp_path / "index" / "kzjp-index.json").write_bytes(marker)
    assert run("index", "--rebuild", "-q").exit_code == 0
    assert run("search", "Aktau", "-f", "ids", "-q").stdout == "aktau\n"


def test_file_names_that_are_not_utf8_or_hold_a_line_break(run: Run, corpus: Path) -> None:
    """Every other article stays searchable; the odd names are skipped with a warning showing them escaped."""
    import os

    os.close(os.open(os.fsencode(corpus) + b"/bad\xff.txt", os.O_CREAT | os.O_WRONLY))
    (corpus / "new\nline.txt").write_text("Aktau port news.")
    (corpus / "gone.txt").symlink_to(corpus / "nowhere.txt")
    first = run("search", "Aktau", "-f", "ids")
    assert (first.exit_code, first.stdout) == (0, "aktau\n")
    assert f"Warning: {corpus}/bad\\xff.txt: skipped: its name is not UTF-8" in first.stderr
    assert f"Warning: {corpus}/new\\x0aline.txt: skipped: its name has a control character" in first.stderr
    assert f"Warning: {corpus}/gone.txt: skipped" in first.stderr
    again = run("list", "-f", "ids")  # the index is current: nothing is said again
    assert again.stderr == "" and again.stdout.split() == ["aktau", "judo", "nodate", "sub/visit"]
    assert run("index").stderr.count("Warning: ") == 3  # kzjp index says it every time
    ids = run("list", "-f", "ids").stdout
    assert run("summarize", "--ids-from", "-", "-n", "1", input=ids).exit_code == 0


@pytest.mark.slow
def test_searches_during_rebuilds_always_get_a_complete_index(tmp_path: Path) -> None:
    """A real process rebuilds the index in a loop while this one searches it: no search may fail."""
    import threading

    from kzjp_cli import index, search

    from .conftest import generate

    corpus, root = generate(tmp_path / "c", 40, seed=3), tmp_path / "ix"
    command = [KZJP, "index", "--rebuild", "--corpus", str(corpus), "--index", str(root), "-q", "-j", "1"]
    subprocess.run(command[:2] + command[3:], check=True, timeout=120)
    stop = threading.Event()
    rebuilds: list[int] = []

    def rebuild() -> None:
        while not stop.is_set():
            rebuilds.append(subprocess.run(command, capture_output=True, timeout=120).returncode)

    thread = threading.Thread(target=rebuild)
    thread.start()
    failures = []
    try:
        for _ in range(1500):
            try:
                assert search.search(index.open_index(corpus, root), "Tokyo railway", SearchOptions(limit=5)).hits
            except Exception as exc:  # counted, not raised: every failure is reported at the end
                failures.append(f"{type(exc).__name__}: {exc}")
    finally:
        stop.set()
        thread.join()
    assert len(rebuilds) >= 3 and set(rebuilds) == {0}
    assert failures == []
    assert len(list(root.glob("gen-*"))) <= 2  # the current generation and the one it replaced


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc to find the worker processes")
@pytest.mark.parametrize("late", [0.0, 0.5, 0.9])
def test_workers_die_with_a_killed_rebuild_and_free_the_lock(tmp_path: Path, late: float) -> None:
    import signal
    import time

    from .conftest import generate

    corpus, root = generate(tmp_path / "c", 300, seed=5), tmp_path / "ix"
    options = ["--corpus", str(corpus), "--index", str(root), "-q"]
    subprocess.run([KZJP, "index", *options], check=True, timeout=120)
    started = time.monotonic()
    process = subprocess.Popen([KZJP, "index", "--rebuild", "-j", "2", *options])
    workers: set[int] = set()
    while time.monotonic() - started < 60 and process.poll() is None and len(workers) < 2:
        workers |= _children(process.pid)
        time.sleep(0.01)
    assert workers, "the rebuild ended before its workers could be seen"
    deadline = time.monotonic() + late * 2  # a moment into the build: before, during or after the reading
    while time.monotonic() < deadline and process.poll() is None:
        workers |= _children(process.pid)
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    time.sleep(1.5)
    assert [pid for pid in workers if _alive(pid)] == []
    done = subprocess.run([KZJP, "index", *options[:-1]], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "being updated by another" not in done.stderr
    assert len(list(root.glob("gen-*"))) <= 2


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 12 MB tmpfs, mounted for the test (needs root, as CI has)."""
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.mark.slow
def test_a_full_disk_keeps_the_last_good_index_and_frees_what_it_wrote(
    run: Run, tmp_path: Path, small_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc
    import shutil

    from .conftest import generate

    every = sorted(generate(tmp_path / "all", 500, seed=9).rglob("*.md"))
    corpus = tmp_path / "c"
    corpus.mkdir()
    for path in every[:100]:
        shutil.copy(path, corpus / f"{path.parent.name}_{path.name}")
    monkeypatch.setenv("KZJP_CORPUS", str(corpus))
    monkeypatch.setenv("KZJP_INDEX", str(small_disk / "ix"))
    assert run("index", "-q").exit_code == 0
    before = run("search", "Tokyo", "-f", "ids", "-n", "1000", "-q").stdout
    used = shutil.disk_usage(small_disk).used
    for path in every[100:]:
        shutil.copy(path, corpus / f"{path.parent.name}_{path.name}")
    monkeypatch.delenv("KZJP_DEBUG")
    done = run("index")
    assert done.exit_code == 2
    assert done.stderr == f"Error: cannot write the index in {small_disk / 'ix'}: No space left on device\n"
    gc.collect()  # a process that goes on after a failed update: the files it had open are closed
    assert shutil.disk_usage(small_disk).used <= used + 64 * 1024  # what the failed update wrote is gone
    found = run("search", "Tokyo", "-f", "ids", "-n", "1000")
    assert (found.exit_code, found.stdout) == (0, before)
    assert "No space left on device); answering from the last complete index" in found.stderr
    rebuilt = run("index", "--rebuild")
    gc.collect()
    assert rebuilt.exit_code == 2 and shutil.disk_usage(small_disk).used <= used + 64 * 1024
    assert run("search", "Tokyo", "-f", "ids", "-n", "1000", "-q").stdout == before


def test_a_thousand_folders_deep(run: Run, corpus: Path) -> None:
    import os

    deep = corpus / "deep"
    deep.mkdir()
    folder = os.open(deep, os.O_RDONLY)
    for _ in range(1000):  # one level at a time, as a path this long cannot be named in one call everywhere
        os.mkdir("d", dir_fd=folder)
        inner = os.open("d", os.O_RDONLY, dir_fd=folder)
        os.close(folder)
        folder = inner
    bottom = os.open("bottom.txt", os.O_WRONLY | os.O_CREAT, dir_fd=folder)
    os.write(bottom, b"Aktau bottom article.")
    os.close(bottom)
    os.close(folder)
    (deep / "d" / "d" / "near.txt").write_text("Aktau near the top.")
    try:
        done = run("search", "Aktau", "-f", "ids")
        assert done.exit_code == 0 and sorted(done.stdout.split()) == ["aktau", "deep/d/d/near"]
        assert "skipped: more than 100 folders deep" in done.stderr and "Traceback" not in done.stderr
    finally:
        _remove_deep(deep)


def _remove_deep(folder: Path) -> None:
    """Remove a tree too deep for shutil.rmtree (recursive on Python 3.11), so pytest can clean up later."""
    chain = [folder]
    while inner := [p for p in chain[-1].iterdir() if p.is_dir()]:
        chain.append(inner[0])
    for path in reversed(chain):
        for item in path.iterdir():
            if not item.is_dir():
                item.unlink()
        path.rmdir()


def test_dates_at_the_ends_of_the_calendar(
    run: Run, write_corpus: WriteCorpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = write_corpus(
        {
            "far.md": "---\ndate: 9999-12-31\n---\nFar future Tokyo.\n",
            "old.md": "---\ndate: 0001-01-01\n---\nAncient Tokyo.\n",
            "now.md": "---\ndate: 2025-01-01\n---\nNormal Tokyo.\n",
        }
    )
    monkeypatch.setenv("KZJP_CORPUS", str(corpus))
    by_year = run("timeline", "--by", "year", "-q")
    assert by_year.exit_code == 0
    assert [line.split()[0] for line in by_year.stdout.splitlines()] == ["0001", "2025", "9999"]
    by_day = run("timeline", "--by", "day", "-f", "csv")
    assert by_day.stdout.splitlines()[1:] == [
        "0001-01-01,1,0001-01-01",
        "2025-01-01,1,2025-01-01",
        "9999-12-31,1,9999-12-31",
    ]
    assert "only the days with articles are listed" in by_day.stderr
    found = run("search", "Tokyo", "--until", "9999-12", "--since", "0001", "-f", "ids", "-q").stdout.split()
    assert sorted(found) == ["far", "now", "old"]
    assert run("search", "Tokyo", "--sort", "date", "-f", "ids", "-q").stdout.split() == ["far", "now", "old"]
    near = write_corpus({"a.md": "---\ndate: 2025-01-01\n---\nA.\n", "b.md": "---\ndate: 2025-03-01\n---\nB.\n"}, "n")
    months = run("timeline", "--corpus", str(near), "-f", "csv", "-q").stdout.splitlines()[1:]
    assert [line.split(",")[:2] for line in months] == [["2025-01", "1"], ["2025-02", "0"], ["2025-03", "1"]]


def test_a_very_long_word_is_refused_at_once(run: Run) -> None:
    done = run("search", "x" * 100_000, "-q")
    assert done.exit_code == 2
    assert done.stderr.startswith("Error: a word of 100,000 characters is too long to search for (at most 256)")
    assert run("search", "x" * 256, "-q").exit_code == 1  # long, but searched (and no spelling suggestion tried)


@pytest.mark.slow
def test_a_combined_summary_of_many_articles_narrows_the_field_first(tmp_path: Path) -> None:
    from kzjp_cli import index, summarize

    from .conftest import generate

    corpus = generate(tmp_path / "c", 60, seed=4)
    opened = index.open_index(corpus, tmp_path / "ix")
    articles = opened.documents()
    units = [u for a in articles for u in summarize.units_of(a)]
    assert len(units) > summarize.MAX_CANDIDATES
    kept = summarize.central(units, summarize.MAX_CANDIDATES)
    assert len(kept) == summarize.MAX_CANDIDATES and kept == [u for u in units if u in kept]
    combined = summarize.summarize_combined(articles, count=4)
    assert len(combined.sentences) == 4 and all(s in kept for s in combined.sentences)


def test_bidirectional_overrides_never_reach_the_terminal(run: Run, write_corpus: WriteCorpus) -> None:
    corpus = write_corpus({"a.md": "---\ntitle: Invoice \u202egnp.exe\n---\nAktau \u2066port\u2069 news.\n"})
    shown = run("show", "a", "--corpus", str(corpus), "-q").stdout
    assert "\u202e" not in shown and "\u2066" not in shown and "Invoice gnp.exe" in shown
    listed = run("list", "--corpus", str(corpus), "-q").stdout
    assert "\u202e" not in listed


def test_one_corpus_through_a_symlink_and_its_real_path(run: Run, corpus: Path, tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(corpus)
    assert run("index", "-q", "--corpus", str(corpus)).exit_code == 0
    through = run("search", "Aktau", "-f", "ids", "--corpus", str(link))
    assert (through.stdout, through.stderr) == ("aktau\n", "")  # no rebuild, no notice


def test_front_matter_giving_a_key_twice(run: Run, write_corpus: WriteCorpus) -> None:
    corpus = write_corpus({"a.md": "---\ndate: 2024-01-01\ndate: 2025-02-03\n---\nAktau.\n"})
    done = run("list", "-f", "csv", "--corpus", str(corpus))
    assert "2025-02-03" in done.stdout
    assert f"Warning: {corpus / 'a.md'}: front matter line 3 gives date again; the last one is used" in done.stderr


def test_prune_removes_the_indexes_of_corpora_that_are_gone(
    run: Run, write_corpus: WriteCorpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KZJP_INDEX")  # indexes go to the (test's) user cache
    kept, gone = write_corpus({"a.txt": "Aktau."}, "kept"), write_corpus({"b.txt": "Tokyo."}, "gone")
    for folder in (kept, gone):
        assert run("index", "-q", "--corpus", str(folder)).exit_code == 0
    cache = tmp_path / "cache" / "kzjp"
    (cache / "not-ours").mkdir()
    assert len(list(cache.iterdir())) == 3
    import shutil

    shutil.rmtree(gone)
    done = run("index", "--prune")
    assert done.exit_code == 0 and done.stderr.startswith("kzjp: removed 1 index folder(s) of corpora that are gone")
    [line] = done.stdout.splitlines()
    assert line.split("\t")[0].startswith(str(cache / "gone-"))
    assert sorted(p.name.split("-")[0] for p in cache.iterdir()) == ["kept", "not"]
    assert run("search", "Aktau", "-q", "-f", "ids", "--corpus", str(kept)).stdout == "a\n"


def test_strict_on_an_unchanged_corpus_names_the_skipped_files(run: Run, corpus: Path) -> None:
    (corpus / "empty.txt").write_text("")
    first = run("index", "--strict")
    second = run("index", "--strict")
    for done in (first, second):
        assert done.exit_code == 3
        assert done.stderr.count(f"Warning: skipped {corpus / 'empty.txt'}: empty file") == 1


def test_topics_of_an_article_with_none(run: Run, write_corpus: WriteCorpus) -> None:
    corpus = write_corpus({"a.txt": "Yes."})
    done = run("topics", "--article", "a", "--corpus", str(corpus))
    assert (done.exit_code, done.stdout) == (1, "") and "no topics found in a" in done.stderr
