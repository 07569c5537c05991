"""The Whoosh index over a corpus: building it, keeping it fresh, opening it.

Layout of an index folder::

    kzjp-index.json   marker: schema version, corpus, current generation, fingerprint
    .lock             flock()ed by the one process allowed to write
    gen-<n>/          a Whoosh index plus manifest.json (per-file stat, hash, metadata)

A full build writes a new generation beside the current one and then swaps the
marker with an atomic rename, so an interrupted build leaves the last good index
in place. Incremental updates commit into the current generation; Whoosh writes
its table of contents to a temporary file and renames it, so they are atomic too.
The marker is written last: after a crash it disagrees with the corpus, and the
next command redoes the (idempotent) update.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import gc
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kzjp_cli import articles as art
from kzjp_cli.errors import ArticleError, CorpusError, IndexBusyError, IndexStateError

if TYPE_CHECKING:
    from whoosh.index import Index

SCHEMA_VERSION = 1
MARKER = "kzjp-index.json"
MANIFEST = "manifest.json"
LOCK = ".lock"
FORMAT = "kzjp-index"
READER_WAIT_SECONDS = 300.0
PARALLEL_MIN_ARTICLES = 500
"""Below this, worker processes cost more than they save."""


def auto_jobs(articles: int) -> int:
    """Worker processes for a full build: every core (at most 4) for a large corpus, else one."""
    return min(os.cpu_count() or 1, 4) if articles >= PARALLEL_MIN_ARTICLES else 1


class Reporter:
    """Where the library sends notices, warnings and progress; silent by default."""

    def notice(self, message: str) -> None:
        """One line of status (index built, refreshed…)."""

    def warning(self, message: str) -> None:
        """A problem that was worked around (a skipped file…)."""

    def progress(self, items: list[Any], label: str) -> Iterable[Any]:
        """Wrap a long loop to show progress."""
        return items


@dataclass
class UpdateReport:
    """What an index update did."""

    index: Path
    total: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    skipped: int = 0
    rebuilt: bool = False
    seconds: float = 0.0

    @property
    def touched(self) -> bool:
        return self.rebuilt or bool(self.added or self.changed or self.removed)


# --- schema ----------------------------------------------------------------


def _fields(article: art.Article, rel: str) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "path": rel,
        "hash": article.hash,
    }
    if article.date:
        doc["date"] = dt.datetime.combine(article.date, dt.time())
    for name in ("source", "lang", "url"):
        if getattr(article, name):
            doc[name] = getattr(article, name)
    return doc


# --- marker and manifest -----------------------------------------------------


def fingerprint(files: list[art.CorpusFile]) -> str:
    """A digest of every file's path, size and mtime: equal means nothing changed."""
    digest = hashlib.blake2b(digest_size=16)
    for f in files:
        digest.update(f"{f.rel}\0{f.size}\0{f.mtime_ns}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        # dumps, not dump: json.dump streams through the pure-Python encoder (10x slower on a 10k manifest)
        handle.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _ours(name: str) -> bool:
    """Names kzjp leaves in an index folder before its first marker: a killed first build's leftovers."""
    return name in (LOCK, ".gitignore") or name.startswith(("gen-", f".{MARKER}."))


def read_marker(root: Path) -> dict[str, Any] | None:
    """The index folder's marker, None for an empty or missing folder."""
    marker = root / MARKER
    try:
        with open(marker, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        if root.is_dir() and not all(_ours(p.name) for p in root.iterdir()):
            raise IndexStateError(
                f"{root} is not a kzjp index folder (it has no {MARKER})",
                hint="point --index/KZJP_INDEX at an empty folder or one kzjp created",
            ) from None
        return None
    except (OSError, ValueError) as exc:
        raise IndexStateError(f"cannot read {marker}: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise IndexStateError(f"{marker} is not a kzjp index marker")
    return data


def _usable(marker: dict[str, Any] | None, corpus: Path) -> bool:
    return bool(
        marker
        and marker.get("schema") == SCHEMA_VERSION
        and marker.get("corpus") == str(corpus)
        and isinstance(marker.get("generation"), str)
    )


@dataclass
class Manifest:
    """Per-file state of an index generation, keyed by corpus-relative path."""

    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, gen_dir: Path) -> Manifest:
        try:
            with open(gen_dir / MANIFEST, encoding="utf-8") as handle:
                data = json.load(handle)
            return cls(files=data["files"], skipped=data["skipped"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexStateError(
                f"index manifest in {gen_dir} is unreadable ({exc})",
                hint="run 'kzjp index --rebuild'",
            ) from None

    def save(self, gen_dir: Path) -> None:
        _write_json(gen_dir / MANIFEST, {"files": self.files, "skipped": self.skipped})

    def record(self, file: art.CorpusFile, article: art.Article) -> None:
        self.skipped.pop(file.rel, None)
        self.files[file.rel] = {
            "id": article.id,
            "size": file.size,
            "mtime_ns": file.mtime_ns,
            "hash": article.hash,
            "title": article.title,
            "date": article.date.isoformat() if article.date else None,
            "source": article.source,
            "words": article.words,
        }

    def skip(self, file: art.CorpusFile, reason: str) -> None:
        self.files.pop(file.rel, None)
        self.skipped[file.rel] = {"size": file.size, "mtime_ns": file.mtime_ns, "reason": reason}


# --- locking -----------------------------------------------------------------


@contextmanager
def writer_lock(root: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the index's single-writer lock; IndexBusyError if another process has it."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise IndexStateError(f"cannot write to the index folder {root}: {exc.strerror}") from None
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() >= deadline:
                    raise IndexBusyError(
                        f"the index at {root} is being updated by another kzjp process",
                        hint="try again when it has finished",
                    ) from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)


# --- the opened index ----------------------------------------------------------


@dataclass
class CorpusIndex:
    """A complete, current index generation, ready for reading."""

    root: Path
    corpus: Path
    generation: Path
    fingerprint: str = ""
    _ix: Index | None = field(default=None, repr=False)
    _manifest: Manifest | None = field(default=None, repr=False)

    @property
    def manifest(self) -> Manifest:
        """Per-file metadata, loaded on first use (a search does not need it)."""
        if self._manifest is None:
            self._manifest = Manifest.load(self.generation)
        return self._manifest

    @property
    def ix(self) -> Index:
        """The Whoosh index, opened on first use."""
        if self._ix is None:
            from whoosh import index as windex
            from whoosh.filedb.filestore import FileStorage

            try:
                # Without mmap: a search reads only the blocks it needs, instead of
                # mapping whole segments (a search at 10,000 articles peaked at 192 MB
                # with mmap, 29 MB without, and was no slower).
                self._ix = FileStorage(str(self.generation), supports_mmap=False).open_index()
            except (windex.EmptyIndexError, OSError, EOFError, ValueError) as exc:
                raise IndexStateError(
                    f"the index in {self.generation} is damaged ({exc})",
                    hint="run 'kzjp index --rebuild'",
                ) from None
        return self._ix

    def ids(self) -> list[str]:
        return sorted(entry["id"] for entry in self.manifest.files.values())

    def resolve(self, wanted: str) -> str:
        """The full id for an id or unique id prefix."""
        return art.resolve_id(wanted, self.ids())

    def articles(self) -> list[art.Article]:
        """Every indexed article's metadata (no body), in id order."""
        result = []
        for rel, entry in self.manifest.files.items():
            result.append(
                art.Article(
                    id=entry["id"],
                    title=entry["title"],
                    body="",
                    path=str(self.corpus / rel),
                    date=dt.date.fromisoformat(entry["date"]) if entry["date"] else None,
                    source=entry.get("source"),
                    words=entry["words"],
                    hash=entry["hash"],
                )
            )
        return sorted(result, key=lambda a: a.id)

    def article(self, article_id: str) -> art.Article:
        """One full article (with body) by exact id, from the index's stored fields."""
        with self.ix.searcher() as searcher:
            doc = searcher.document(id=article_id)
        if doc is None:
            raise IndexStateError(f"article {article_id} is missing from the index", hint="run 'kzjp index --rebuild'")
        return self.article_from_stored(doc)

    def article_from_stored(self, doc: dict[str, Any]) -> art.Article:
        """Turn a Whoosh stored-fields dict back into an Article."""
        date = doc.get("date")
        body = doc.get("body", "")
        return art.Article(
            id=doc["id"],
            title=doc.get("title", ""),
            body=body,
            path=str(self.corpus / doc["path"]),
            date=date.date() if date else None,
            source=doc.get("source"),
            url=doc.get("url"),
            lang=doc.get("lang"),
            words=len(body.split()),
            hash=doc.get("hash", ""),
        )


# --- building and updating ---------------------------------------------------


def _scan(corpus: Path, reporter: Reporter) -> list[art.CorpusFile]:
    files, warnings = art.scan_corpus(corpus)
    for warning in warnings:
        reporter.warning(warning)
    if not files:
        raise CorpusError(
            f"no articles in {corpus} (kzjp reads .txt and .md files)",
            hint="add articles there or point --corpus/KZJP_CORPUS at a folder that has some",
        )
    return files


def _read_all(
    files: list[art.CorpusFile], ids: dict[str, str], manifest: Manifest, reporter: Reporter, label: str
) -> Iterator[tuple[art.CorpusFile, art.Article | None]]:
    """Read files, yielding (file, article) or (file, None) for a skipped one."""
    for file in reporter.progress(files, label):
        try:
            article = art.read_article(file, ids[file.rel])
        except ArticleError as exc:
            _report(file, None, str(exc), manifest, reporter)
            yield file, None
            continue
        _report(file, article, "", manifest, reporter)
        yield file, article


def _report(
    file: art.CorpusFile, article: art.Article | None, reason: str, manifest: Manifest, reporter: Reporter
) -> None:
    """Warn about a file read for the index: why it was skipped (and record that), or what was odd about it."""
    if article is None:
        reporter.warning(f"skipped {file.path}: {reason}")
        manifest.skip(file, reason)
        return
    for warning in article.warnings:
        reporter.warning(f"{file.path}: {warning}")


def _cleanup(root: Path, keep: str) -> None:
    for path in root.glob("gen-*"):
        if path.name != keep:
            shutil.rmtree(path, ignore_errors=True)


def _index_files(gen_dir: Path) -> dict[str, int]:
    """The files that make up a generation, with their sizes (lock, caches and temporaries left out)."""
    return {
        entry.name: entry.stat().st_size
        for entry in os.scandir(gen_dir)
        if entry.is_file() and not entry.name.startswith(".") and entry.name not in ("MAIN_WRITELOCK", "topics.json")
    }


def damage(root: Path, marker: dict[str, Any]) -> str | None:
    """Why the current generation is not intact (a file missing or of another size), or None."""
    gen_dir = root / marker["generation"]
    expected = marker.get("files")
    if not gen_dir.is_dir():
        return f"{gen_dir.name} is missing"
    if not isinstance(expected, dict):
        return None  # written before kzjp recorded file sizes
    for name, size in expected.items():
        try:
            actual = (gen_dir / name).stat().st_size
        except OSError:
            return f"{name} is missing"
        if actual != size:
            return f"{name} is {actual} bytes, not {size}"
    return None


def _commit_marker(root: Path, corpus: Path, generation: str, files: list[art.CorpusFile], count: int) -> None:
    _write_json(
        root / MARKER,
        {
            "format": FORMAT,
            "schema": SCHEMA_VERSION,
            "corpus": str(corpus),
            "generation": generation,
            "fingerprint": fingerprint(files),
            "articles": count,
            "files": _index_files(root / generation),
            "updated": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        },
    )


@contextmanager
def _no_gc() -> Iterator[None]:
    """Python's cycle collector off while postings pile up: its passes found nothing and cost a third of a build."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _partition(files: list[art.CorpusFile], parts: int) -> list[list[art.CorpusFile]]:
    """Contiguous runs of files with about equal bytes each, one per worker."""
    total = sum(f.size for f in files) or 1
    result: list[list[art.CorpusFile]] = [[] for _ in range(parts)]
    done = 0
    for file in files:
        result[min(parts - 1, done * parts // total)].append(file)
        done += file.size
    return [part for part in result if part]


Outcome = tuple[art.CorpusFile, "art.Article | None", str]
"""A file read by a build: the article (its body dropped) or None and why it was skipped."""


def _build_part(
    gen_dir: str, files: list[art.CorpusFile], ids: dict[str, str], tick: Any, stop: Any = None
) -> tuple[Any, list[Outcome]]:
    """Read ``files`` and write them as one new segment of the index in ``gen_dir``.

    Runs in a worker process for parallel builds; ``tick()`` is called before
    each file is read, and ``stop`` (an Event) asks it to give up early.
    """
    from whoosh import index as windex

    from kzjp_cli.bulk import SegmentBuilder

    builder = SegmentBuilder(windex.open_dir(gen_dir))
    outcomes: list[Outcome] = []
    try:
        with _no_gc():
            for file in files:
                if stop is not None and stop.is_set():
                    raise KeyboardInterrupt
                tick()
                try:
                    article = art.read_article(file, ids[file.rel])
                except ArticleError as exc:
                    outcomes.append((file, None, str(exc)))
                else:
                    builder.add_document(**_fields(article, file.rel))
                    article.body = ""
                    outcomes.append((file, article, ""))
            return builder.finish(), outcomes
    except BaseException:
        builder.cancel()
        raise


PROGRESS_STEP = 25


def _worker_init(queue: Any, stop: Any) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    global _WORKER
    _WORKER = (queue, stop, os.getppid())


_WORKER: tuple[Any, Any, int] | None = None


def _worker_part(gen_dir: str, files: list[art.CorpusFile], ids: dict[str, str]) -> tuple[Any, list[Outcome]]:
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


def _build_parallel(
    gen_dir: str, files: list[art.CorpusFile], ids: dict[str, str], jobs: int, advance: Any
) -> list[tuple[Any, list[Outcome]]]:
    """Segments from ``jobs`` worker processes, each reading and indexing its share of the files."""
    import multiprocessing
    import queue as queues
    from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait

    context = multiprocessing.get_context("fork")
    progress, stop = context.Queue(), context.Event()
    parts = _partition(files, jobs)
    pool = ProcessPoolExecutor(len(parts), mp_context=context, initializer=_worker_init, initargs=(progress, stop))
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
            raise


def _build(
    root: Path, corpus: Path, files: list[art.CorpusFile], jobs: int, reporter: Reporter, report: UpdateReport
) -> None:
    from whoosh import index as windex
    from whoosh.index import TOC, clean_files

    generation = f"gen-{time.time_ns()}-{os.getpid()}"
    gen_dir = root / generation
    gen_dir.mkdir(parents=True)
    manifest = Manifest()
    ids = art.assign_ids(files)
    bar = iter(reporter.progress(files, "Indexing"))

    def advance(count: int = 1) -> None:
        for _ in range(count):
            next(bar, None)

    try:
        from kzjp_cli.schema import make_schema

        ix = windex.create_in(str(gen_dir), make_schema())
        if jobs > 1 and len(files) > 1:
            results = _build_parallel(str(gen_dir), files, ids, jobs, advance)
        else:
            results = [_build_part(str(gen_dir), files, ids, advance)]
        advance(len(files))  # to the end, so the bar closes
        for _segment, outcomes in results:
            for file, article, reason in outcomes:
                _report(file, article, reason, manifest, reporter)
                if article is not None:
                    manifest.record(file, article)
        segments = [segment for segment, _ in results]
        TOC(ix.schema, segments, 1).write(ix.storage, ix.indexname)
        clean_files(ix.storage, ix.indexname, 1, segments)
        ix.close()
        manifest.save(gen_dir)
        _commit_marker(root, corpus, generation, files, len(manifest.files))
    except BaseException:
        shutil.rmtree(gen_dir, ignore_errors=True)
        raise
    _cleanup(root, keep=generation)
    report.rebuilt = True
    report.added = len(manifest.files)
    report.skipped = len(manifest.skipped)
    report.total = len(manifest.files)


def _incremental(
    root: Path, corpus: Path, generation: str, files: list[art.CorpusFile], reporter: Reporter, report: UpdateReport
) -> None:

    gen_dir = root / generation
    manifest = Manifest.load(gen_dir)
    ids = art.assign_ids(files)
    present = {f.rel for f in files}
    stale: list[str] = []  # ids to delete
    for rel in [r for r in manifest.files if r not in present]:
        stale.append(manifest.files.pop(rel)["id"])
        report.removed += 1
    for rel in [r for r in manifest.skipped if r not in present]:
        del manifest.skipped[rel]

    def unchanged(f: art.CorpusFile) -> bool:
        entry = manifest.files.get(f.rel) or manifest.skipped.get(f.rel)
        same_stat = bool(entry) and entry["size"] == f.size and entry["mtime_ns"] == f.mtime_ns
        return same_stat and (f.rel in manifest.skipped or manifest.files[f.rel]["id"] == ids[f.rel])

    to_read = [f for f in files if not unchanged(f)]
    before = dict(manifest.files)
    additions: list[dict[str, Any]] = []
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
        additions.append(_fields(article, file.rel))
    if stale or additions:
        with _no_gc():
            _apply(gen_dir, stale, additions)
    manifest.save(gen_dir)
    _commit_marker(root, corpus, generation, files, len(manifest.files))
    report.skipped = len(manifest.skipped)
    report.total = len(manifest.files)


def _apply(gen_dir: Path, stale: list[str], additions: list[dict[str, Any]]) -> None:
    """Delete ``stale`` ids and add ``additions`` in one commit.

    Deletions are marked through Whoosh's writer. The additions become one new
    bulk-written segment, together with the live documents of the smallest
    segments while each is at most twice what has been gathered (every field is
    stored, so a document can be written again from its stored fields). Segment
    sizes then grow geometrically, as in a binary counter: few segments, and
    each update rewrites little. Whoosh's own merging would send all of it
    through its slow posting pool.
    """
    from whoosh import index as windex
    from whoosh.reading import SegmentReader

    from kzjp_cli.bulk import SegmentBuilder

    ix = windex.open_dir(str(gen_dir))
    writer = ix.writer()
    builder = None
    try:
        for article_id in stale:
            writer.delete_by_term("id", article_id)
        small = [segment for segment in writer.segments if not segment.doc_count()]
        gathered = len(additions)
        for segment in sorted(writer.segments, key=lambda s: s.doc_count()):
            if not gathered or segment in small:
                continue
            if segment.doc_count() > 2 * gathered:
                break
            small.append(segment)
            gathered += segment.doc_count()
        builder = SegmentBuilder(ix)
        for segment in small:
            reader = SegmentReader(ix.storage, ix.schema, segment)
            try:
                for _docnum, stored in reader.iter_docs():
                    builder.add_document(**stored)
            finally:
                reader.close()
        for doc in additions:
            builder.add_document(**doc)
        kept = [segment for segment in writer.segments if segment not in small]
        if builder.docnum:
            kept.append(builder.finish())
        else:
            builder.cancel()
        builder = None
        writer.segments = kept
        writer.commit(merge=False)
    except BaseException:
        if builder is not None:
            builder.cancel()
        writer.cancel()
        raise
    finally:
        ix.close()


def _refresh(
    root: Path,
    corpus: Path,
    files: list[art.CorpusFile],
    *,
    rebuild: bool,
    jobs: int | None,
    reporter: Reporter,
    report: UpdateReport,
    announce_build: bool,
) -> None:
    """Under the writer lock: build (missing, damaged, foreign or ``rebuild``) or update incrementally."""
    marker = read_marker(root)
    usable = _usable(marker, corpus)
    broken = damage(root, marker) if usable else None
    if broken:
        reporter.notice(f"the index is damaged ({broken}); rebuilding it from the corpus in {root}")
    elif not usable and announce_build:  # a read command says why it is slow; `kzjp index` reports after
        reporter.notice(f"building the index of {len(files)} articles in {root}")
    if rebuild or not usable or broken:
        _build(root, corpus, files, jobs or auto_jobs(len(files)), reporter, report)
    else:
        _incremental(root, corpus, marker["generation"], files, reporter, report)


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
    report = UpdateReport(index=root)
    files = _scan(corpus, reporter)
    with writer_lock(root, wait=wait):
        _refresh(
            root, corpus, files, rebuild=rebuild, jobs=jobs, reporter=reporter, report=report, announce_build=False
        )
    report.seconds = time.perf_counter() - started
    return report


def open_index(corpus: Path, root: Path, *, reporter: Reporter | None = None, jobs: int | None = None) -> CorpusIndex:
    """Open the index for reading, building or refreshing it first if it is missing, stale or damaged."""
    reporter = reporter or Reporter()
    files = _scan(corpus, reporter)
    marker = read_marker(root)
    broken = damage(root, marker) if _usable(marker, corpus) else None
    usable = _usable(marker, corpus) and not broken
    if not usable or marker.get("fingerprint") != fingerprint(files):
        try:
            with writer_lock(root, wait=0.0 if usable else READER_WAIT_SECONDS):
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
    generation = root / marker["generation"]
    return CorpusIndex(root=root, corpus=corpus, generation=generation, fingerprint=marker.get("fingerprint", ""))
