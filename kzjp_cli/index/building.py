"""Builds and updates: reading the corpus's files into new segments, in worker processes for a large corpus."""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from kzjp_cli import forking, store
from kzjp_cli.articles import Article, CorpusFile, assign_ids, read_article, scan_corpus
from kzjp_cli.errors import ArticleError, CorpusError
from kzjp_cli.index.folder import MANIFEST, Manifest, cleanup, commit_marker, read_marker, replacing
from kzjp_cli.index.reports import Reporter, UpdateReport

PARALLEL_MIN_ARTICLES = 500
"""Below this, worker processes cost more than they save."""


def auto_jobs(articles: int) -> int:
    """Worker processes for a full build: every core (at most 4) for a large corpus, else one."""
    return min(os.cpu_count() or 1, 4) if articles >= PARALLEL_MIN_ARTICLES else 1


def scan(corpus: Path, folders: dict[str, int] | None = None) -> tuple[list[CorpusFile], list[str]]:
    """The corpus's article files, and warnings about what was skipped (told only when the index is updated:
    a read of a current index repeats nothing); ``folders`` as for ``articles.list_corpus``."""
    files, warnings = scan_corpus(corpus, folders)
    if not files:
        raise CorpusError(
            f"no articles in {corpus} (kzjp reads .txt, .md and saved .html pages)",
            hint="add articles there or point --corpus/KZJP_CORPUS at a folder that has some",
        )
    return files, warnings


def _read_all(
    files: list[CorpusFile], ids: dict[str, str], manifest: Manifest, reporter: Reporter, label: str
) -> Iterator[tuple[CorpusFile, Article | None]]:
    """Read files, yielding (file, article) or (file, None) for a skipped one, in order.

    From ``PARALLEL_MIN_ARTICLES`` files, a forked process reads the second half meanwhile (reading is
    decoding, parsing and hashing: an update of 1,000 articles spent 0.6 s on it).
    """
    helper, here = None, files
    if len(files) >= PARALLEL_MIN_ARTICLES and forking.can_fork():
        here = files[: len(files) // 2]
        helper = forking.Forked(_read_quietly, files[len(here) :], ids)

    def outcomes() -> Iterator[tuple[Article | None, str]]:
        for file in here:
            yield _read_one(file, ids[file.rel])
        if helper is not None:
            yield from helper.result()

    try:
        for file, (article, reason) in zip(reporter.progress(files, label), outcomes(), strict=True):
            _report(file, article, reason, manifest, reporter)
            yield file, article
    finally:
        if helper is not None:
            helper.end()


def _read_one(file: CorpusFile, article_id: str) -> tuple[Article | None, str]:
    """The file's article, or None and why it cannot be indexed."""
    try:
        return read_article(file, article_id), ""
    except ArticleError as exc:
        return None, str(exc)


def _read_quietly(files: list[CorpusFile], ids: dict[str, str]) -> list[tuple[Article | None, str]]:
    return [_read_one(file, ids[file.rel]) for file in files]


def _report(file: CorpusFile, article: Article | None, reason: str, manifest: Manifest, reporter: Reporter) -> None:
    """Warn about a file read for the index: why it was skipped (and record that), or what was odd about it."""
    if article is None:
        reporter.warning(f"skipped {file.path}: {reason}")
        manifest.skip(file, reason)
        return
    for warning in article.warnings:
        reporter.warning(f"{file.path}: {warning}")


@contextmanager
def no_gc() -> Iterator[None]:
    """Python's cycle collector off while postings pile up: its passes found nothing and cost a third of a build."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _partition(files: list[CorpusFile], parts: int) -> list[list[CorpusFile]]:
    """Contiguous runs of files with about equal bytes each, one per worker."""
    total = sum(f.size for f in files) or 1
    result: list[list[CorpusFile]] = [[] for _ in range(parts)]
    done = 0
    for file in files:
        result[min(parts - 1, done * parts // total)].append(file)
        done += file.size
    return [part for part in result if part]


Part = tuple[Any, str]
"""What one build process made: its segment and the file holding its part of the manifest."""


def _build_part(gen_dir: str, files: list[CorpusFile], ids: dict[str, str], tick: Any, stop: Any = None) -> Part:
    """Read ``files`` and write them as one new segment of the index in ``gen_dir``.

    Each file's manifest entry (or why it was skipped, and any warnings) goes
    to a part file as it is read, one JSON line each, so that no process holds
    a corpus-sized list; ``_write_manifest`` joins the parts. Runs in a worker
    process for parallel builds; ``tick()`` is called before each file is read,
    and ``stop`` (an Event) asks it to give up early.
    """
    builder = store.open_store(Path(gen_dir)).segment_writer()
    fd, part = tempfile.mkstemp(prefix=".manifest-part-", suffix=".jsonl", dir=gen_dir)
    try:
        with no_gc(), open(fd, "w", encoding="utf-8") as lines:
            for file in files:
                if stop is not None and stop.is_set():
                    raise KeyboardInterrupt
                tick()
                try:
                    article = read_article(file, ids[file.rel])
                except ArticleError as exc:
                    line = [file.rel, file.size, file.mtime_ns, None, str(exc), []]
                else:
                    builder.add(dataclasses.replace(article, path=file.rel))
                    line = [file.rel, file.size, file.mtime_ns, article.metadata(), "", article.warnings]
                lines.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
            return builder.finish(), part
    except BaseException:
        builder.cancel()
        raise


def _write_manifest(gen_dir: Path, corpus: Path, parts: list[str], reporter: Reporter, report: UpdateReport) -> int:
    """The manifest of a new build, streamed from the builders' parts in corpus order, with their warnings
    reported; returns how many articles it lists."""
    skipped: dict[str, dict[str, Any]] = {}
    count = 0
    with replacing(gen_dir / MANIFEST) as out:
        out.write('{"files":{')
        for part in parts:
            with open(part, encoding="utf-8") as lines:
                for line in lines:
                    rel, size, mtime_ns, metadata, reason, warnings = json.loads(line)
                    shown = corpus / rel
                    if metadata is None:
                        reporter.warning(f"skipped {shown}: {reason}")
                        skipped[rel] = {"size": size, "mtime_ns": mtime_ns, "reason": reason}
                        continue
                    for warning in warnings:
                        reporter.warning(f"{shown}: {warning}")
                    entry = {"size": size, "mtime_ns": mtime_ns, **metadata}
                    out.write(("," if count else "") + json.dumps(rel, ensure_ascii=False) + ":")
                    out.write(json.dumps(entry, ensure_ascii=False, separators=(",", ":")))
                    count += 1
        out.write('},"skipped":' + json.dumps(skipped, ensure_ascii=False, separators=(",", ":")) + "}")
    for part in parts:
        with suppress(FileNotFoundError):
            os.remove(part)
    report.skipped = len(skipped)
    report.reasons = {rel: entry["reason"] for rel, entry in skipped.items()}
    return count


PROGRESS_STEP = 25


def _worker_init(queue: Any, stop: Any, parent: int) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    # a worker exiting must never wait to flush progress the parent no longer reads (Ctrl-C once in 13 hung so)
    queue.cancel_join_thread()
    _die_with(parent)
    global _WORKER
    _WORKER = (queue, stop, parent)


def _die_with(parent: int) -> None:
    """End this worker the moment ``parent`` dies, even by ``kill -9``: a worker left behind would hold the
    index lock (shared across fork) and 100 MB for nothing.

    Linux kills it at once (``PR_SET_PDEATHSIG``); elsewhere a thread notices within half a second.
    """
    import threading

    from kzjp_cli.forking import die_with

    die_with(parent)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="kzjp-parent-watch").start()


_WORKER: tuple[Any, Any, int] | None = None


def _worker_part(gen_dir: str, files: list[CorpusFile], ids: dict[str, str]) -> Part:
    assert _WORKER is not None
    queue, stop, parent = _WORKER
    count = 0

    def tick() -> None:
        nonlocal count
        if os.getppid() != parent:  # the parent was killed: nobody will use this segment
            os._exit(1)
        count += 1
        if count == PROGRESS_STEP:
            queue.put(count)
            count = 0

    result = _build_part(gen_dir, files, ids, tick, stop)
    queue.put(count)
    return result


def _build_parallel(gen_dir: str, files: list[CorpusFile], ids: dict[str, str], jobs: int, advance: Any) -> list[Part]:
    """Segments from ``jobs`` worker processes, each reading and indexing its share of the files."""
    import multiprocessing
    import queue as queues
    from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait

    context = multiprocessing.get_context("fork")
    progress, stop = context.Queue(), context.Event()
    parts = _partition(files, jobs)
    pool = ProcessPoolExecutor(
        len(parts), mp_context=context, initializer=_worker_init, initargs=(progress, stop, os.getpid())
    )
    with pool:
        futures = [pool.submit(_worker_part, gen_dir, part, ids) for part in parts]
        try:
            while True:
                done, pending = wait(futures, timeout=0.1, return_when=FIRST_EXCEPTION)
                try:
                    while True:
                        advance(progress.get_nowait())
                except queues.Empty:
                    pass
                if not pending or any(f.exception() for f in done):
                    break
            return [f.result() for f in futures]
        except BaseException:
            stop.set()
            for future in futures:
                future.cancel()
            # the parts are not wanted: end the workers rather than wait on them when the pool shuts down
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                with suppress(OSError, AttributeError):
                    process.kill()
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def build(
    root: Path,
    corpus: Path,
    files: list[CorpusFile],
    jobs: int,
    reporter: Reporter,
    report: UpdateReport,
    previous: str | None = None,
) -> None:
    """A whole new generation beside the current one (``previous``), then the marker swapped to it.

    The previous generation stays until the next build, so that a reader that read the marker just before
    the swap still finds the generation it names."""
    generation = f"gen-{time.time_ns()}-{os.getpid()}"
    gen_dir = root / generation
    gen_dir.mkdir(parents=True)
    ids = assign_ids(files)
    bar = iter(reporter.progress(files, "Indexing"))

    def advance(count: int = 1) -> None:
        for _ in range(count):
            next(bar, None)

    try:
        created = store.create_store(gen_dir)
        if jobs > 1 and len(files) > 1:
            results = _build_parallel(str(gen_dir), files, ids, jobs, advance)
        else:
            results = [_build_part(str(gen_dir), files, ids, advance)]
        advance(len(files))  # to the end, so the bar closes
        count = _write_manifest(gen_dir, corpus, [part for _, part in results], reporter, report)
        created.commit([segment for segment, _ in results])
        created.close()
        commit_marker(root, corpus, generation, files, count, previous)
    except BaseException:
        shutil.rmtree(gen_dir, ignore_errors=True)
        raise
    cleanup(root, keep={generation, previous or generation})
    report.rebuilt = True
    report.added = report.total = count


def incremental(
    root: Path, corpus: Path, generation: str, files: list[CorpusFile], reporter: Reporter, report: UpdateReport
) -> None:

    gen_dir = root / generation
    manifest = Manifest.load(gen_dir)
    ids = assign_ids(files)
    present = {f.rel for f in files}
    stale: list[str] = []  # ids to delete
    for rel in [r for r in manifest.files if r not in present]:
        stale.append(manifest.files.pop(rel)["id"])
        report.removed += 1
    for rel in [r for r in manifest.skipped if r not in present]:
        del manifest.skipped[rel]

    def unchanged(f: CorpusFile) -> bool:
        entry = manifest.files.get(f.rel) or manifest.skipped.get(f.rel)
        same_stat = bool(entry) and entry["size"] == f.size and entry["mtime_ns"] == f.mtime_ns
        return same_stat and (f.rel in manifest.skipped or manifest.files[f.rel]["id"] == ids[f.rel])

    to_read = [f for f in files if not unchanged(f)]
    before = dict(manifest.files)
    additions: list[Article] = []
    for file, article in _read_all(to_read, ids, manifest, reporter, "Updating"):
        old = before.get(file.rel)
        if article is None:
            if old:  # readable before, not now: take it out of the index
                stale.append(old["id"])
                report.removed += 1
            continue
        if old and old["hash"] == article.hash and old["id"] == article.id:
            manifest.record(file, article)  # touched, not changed
            continue
        if old:
            stale.append(old["id"])
            report.changed += 1
        else:
            report.added += 1
        manifest.record(file, article)
        additions.append(dataclasses.replace(article, path=file.rel))
    if stale or additions:
        with no_gc():
            updated = store.open_store(gen_dir)
            try:
                updated.replace(stale, additions)
            finally:
                updated.close()
    manifest.save(gen_dir)
    marker = read_marker(root) or {}
    commit_marker(root, corpus, generation, files, len(manifest.files), marker.get("previous"))
    report.skipped = len(manifest.skipped)
    report.reasons = {rel: entry.get("reason", "") for rel, entry in manifest.skipped.items()}
    report.total = len(manifest.files)
