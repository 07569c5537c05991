"""Opening the index for reading and bringing it up to date: ``open_index``, ``update`` and ``prune``."""

from __future__ import annotations

import shutil
import time
from functools import partial
from pathlib import Path
from typing import Any

from kzjp_cli.articles import CorpusFile
from kzjp_cli.errors import IndexBusyError, IndexStateError
from kzjp_cli.index import freshness
from kzjp_cli.index.building import auto_jobs, build, incremental, scan
from kzjp_cli.index.folder import (
    cleanup,
    damage,
    folders_unchanged,
    is_usable,
    read_marker,
    remember_folders,
    same_version,
)
from kzjp_cli.index.handle import CorpusIndex
from kzjp_cli.index.locking import writer_lock, writing
from kzjp_cli.index.reports import Reporter, UpdateReport

READER_WAIT_SECONDS = 300.0


def prune(folder: Path) -> list[tuple[Path, int]]:
    """Remove the index folders in ``folder`` (the user cache's kzjp folder) whose corpus no longer exists.

    Only folders with a kzjp marker are touched, and only when no kzjp process
    holds their lock. Returns each removed folder with the bytes it held.
    """
    removed: list[tuple[Path, int]] = []
    if not folder.is_dir():
        return removed
    for root in sorted(p for p in folder.iterdir() if p.is_dir()):
        try:
            marker = read_marker(root)
        except IndexStateError:
            continue
        corpus = (marker or {}).get("corpus")
        if not isinstance(corpus, str) or Path(corpus).exists():
            continue
        try:
            with writer_lock(root):
                size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
                shutil.rmtree(root)
        except (IndexBusyError, IndexStateError, OSError):
            continue
        removed.append((root, size))
    return removed


def _refresh(
    root: Path,
    corpus: Path,
    files: list[CorpusFile],
    *,
    rebuild: bool,
    jobs: int | None,
    reporter: Reporter,
    report: UpdateReport,
    announce_build: bool,
) -> None:
    """Under the writer lock: build (missing, damaged, foreign or ``rebuild``) or update incrementally."""
    marker = read_marker(root)
    usable = is_usable(marker, corpus)
    broken = damage(root, marker) if usable else (marker or {}).get("damaged")
    if broken:
        reporter.notice(f"the index is damaged ({broken}); rebuilding it from the corpus in {root}")
    elif marker and not same_version(marker) and not rebuild:
        reporter.notice(
            f"the index was made by another version of kzjp; building the index of {len(files)} articles in {root}"
        )
    elif not usable and announce_build:  # a read command says why it is slow; `kzjp index` reports after
        reporter.notice(f"building the index of {len(files)} articles in {root}")
    current = marker["generation"] if usable and not broken else None
    cleanup(root, keep={current, (marker or {}).get("previous")} if current else set())  # killed builds' leftovers
    if rebuild or not usable or broken:
        build(root, corpus, files, jobs or auto_jobs(len(files)), reporter, report, current)
    else:
        incremental(root, corpus, marker["generation"], files, reporter, report)


def update(
    corpus: Path,
    root: Path,
    *,
    rebuild: bool = False,
    jobs: int | None = None,
    reporter: Reporter | None = None,
    wait: float = 0.0,
) -> UpdateReport:
    """Bring the index at ``root`` up to date with ``corpus`` (``kzjp index``)."""
    reporter = reporter or Reporter()
    started = time.perf_counter()
    folders = freshness.Folders()
    files, warnings = scan(corpus, folders.times)
    report = UpdateReport(index=root, unlisted=warnings)
    for warning in warnings:
        reporter.warning(warning)
    with writer_lock(root, wait=wait), writing(root):
        _refresh(
            root, corpus, files, rebuild=rebuild, jobs=jobs, reporter=reporter, report=report, announce_build=False
        )
        _remember(root, folders, read_marker(root))  # committed from ``files`` just now, under the lock
    report.seconds = time.perf_counter() - started
    return report


def open_index(
    corpus: Path, root: Path, *, reporter: Reporter | None = None, jobs: int | None = None, check: bool = True
) -> CorpusIndex:
    """Open the index for reading, building or refreshing it first if it is missing, stale or damaged.

    A large, intact index opens at once, with the corpus checked against it in
    parallel (``freshness``); the first read waits for that check. Without
    ``check``, an intact index is read as it is (a missing or damaged one is
    still built).
    """
    reporter = reporter or Reporter()
    reopen = partial(_open_current, corpus, root, reporter, jobs)
    marker = _intact_marker(root, corpus)
    if marker and not check:
        return _opened(root, corpus, marker)
    if marker and marker.get("articles", 0) >= freshness.FOLDERS_FROM and folders_unchanged(root, corpus, marker):
        return _opened(root, corpus, marker)
    if marker and marker.get("articles", 0) >= freshness.PARALLEL_FROM and (pending := freshness.start(corpus)):
        return _opened(root, corpus, marker, _check=pending, _reopen=reopen)
    return reopen()


def _remember(root: Path, folders: freshness.Folders, marker: dict[str, Any] | None) -> None:
    """Record the folders a full scan found beside the fingerprint of the index that agrees with that scan
    (``marker``'s), where commands trust unchanged folders (``freshness.FOLDERS_FROM`` articles or more)."""
    if marker and marker.get("articles", 0) >= freshness.FOLDERS_FROM:
        remember_folders(root, folders, str(marker.get("fingerprint", "")))


def _opened(root: Path, corpus: Path, marker: dict[str, Any], **more: Any) -> CorpusIndex:
    """The index of the generation ``marker`` names."""
    return CorpusIndex(root, corpus, root / marker["generation"], marker.get("fingerprint", ""), **more)


def _intact_marker(root: Path, corpus: Path) -> dict[str, Any] | None:
    """The marker if it names an intact generation of this corpus's index, else None."""
    try:
        marker = read_marker(root)
    except IndexStateError:
        return None
    return marker if is_usable(marker, corpus) and not damage(root, marker) else None


def _open_current(corpus: Path, root: Path, reporter: Reporter, jobs: int | None) -> CorpusIndex:
    """The index once the corpus is scanned here and the index brought up to date with it."""
    folders = freshness.Folders()
    files, warnings = scan(corpus, folders.times)
    marker = read_marker(root)
    broken = damage(root, marker) if is_usable(marker, corpus) else None
    if broken:  # or a rebuild swapped generations between the two reads: look once more
        marker = read_marker(root)
        broken = damage(root, marker) if is_usable(marker, corpus) else None
    usable = is_usable(marker, corpus) and not broken
    fingerprint = freshness.fingerprint(files)
    if not usable or marker.get("fingerprint") != fingerprint:
        for warning in warnings:
            reporter.warning(warning)
        try:
            with writer_lock(root, wait=0.0 if usable else READER_WAIT_SECONDS), writing(root):
                report = UpdateReport(index=root)
                _refresh(
                    root, corpus, files, rebuild=False, jobs=jobs, reporter=reporter, report=report, announce_build=True
                )
                if report.touched and not report.rebuilt:
                    reporter.notice(
                        f"index refreshed: {report.added} added, {report.changed} changed, {report.removed} removed"
                    )
        except (IndexBusyError, IndexStateError) as exc:
            if not usable:
                if broken:
                    raise IndexStateError(
                        f"the index at {root} is damaged ({broken}) and cannot be rebuilt now: {exc}",
                        hint="run 'kzjp index --rebuild'",
                    ) from None
                raise
            reason = "another kzjp process is updating it" if isinstance(exc, IndexBusyError) else str(exc)
            reporter.warning(f"the index is out of date ({reason}); answering from the last complete index")
        marker = read_marker(root)
    assert marker is not None
    if marker.get("fingerprint") == fingerprint:  # not when the refresh could not be made
        _remember(root, folders, marker)
    return _opened(root, corpus, marker)
