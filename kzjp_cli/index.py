"""The index over a corpus: building it, keeping it fresh, opening it.

Layout of an index folder::

    kzjp-index.json   marker: schema version, corpus, current generation, fingerprint
    .lock             flock()ed by the one process allowed to write
    gen-<n>/          a store (the search engine's files), manifest.json (per-file
                      stat and metadata) and cache/ (what commands keep, e.g. topics)

A full build writes a new generation beside the current one and then swaps the
marker with an atomic rename, so an interrupted build leaves the last good index
in place. Incremental updates commit into the current generation; the store writes
its table of contents to a temporary file and renames it, so they are atomic too.
The marker is written last: after a crash it disagrees with the corpus, and the
next command redoes the (idempotent) update.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import fcntl
import gc
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from kzjp_cli import forking, freshness, store
from kzjp_cli.articles import Article, CorpusFile, assign_ids, match_id, read_article, scan_corpus
from kzjp_cli.errors import ArticleError, CorpusError, IndexBusyError, IndexStateError

if TYPE_CHECKING:
    from kzjp_cli.store import Found, Store

T = TypeVar("T")
SCHEMA_VERSION = 5
"""Bump when the store's format or the manifest changes: older indexes are rebuilt (2: store/, 3: languages,
4: fetched, duplicate fingerprints)."""
MARKER = "kzjp-index.json"
MANIFEST = "manifest.json"
CACHE_DIR = "cache"
LOCK = ".lock"
FORMAT = "kzjp-index"
READER_WAIT_SECONDS = 300.0
READ_ATTEMPTS = 3
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
    reasons: dict[str, str] = field(default_factory=dict)
    """Why each skipped file (corpus-relative path) was skipped, this time or before."""
    rebuilt: bool = False
    seconds: float = 0.0

    @property
    def touched(self) -> bool:
        return self.rebuilt or bool(self.added or self.changed or self.removed)


# --- marker and manifest -----------------------------------------------------


@contextmanager
def _replacing(path: Path) -> Iterator[Any]:
    """A text file to write that replaces ``path`` whole, and only once written and synced."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        with suppress(FileNotFoundError):
            os.remove(tmp)


def _write_json(path: Path, data: Any) -> None:
    """``data`` as compact UTF-8 JSON, replacing ``path`` whole.

    orjson, not json: the manifest of 50,000 articles (26 MB) took json 0.39 s to encode and orjson 0.03 s,
    on every update.
    """
    import orjson

    with _replacing(path) as handle:
        handle.write(orjson.dumps(data).decode("utf-8"))


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
    except ValueError as exc:
        if all(_ours(p.name) or p.name == MARKER for p in root.iterdir()):
            return {"format": FORMAT, "damaged": f"its marker {MARKER} is not JSON ({exc})"}
        raise IndexStateError(f"cannot read {marker}: {exc}") from None
    except OSError as exc:
        raise IndexStateError(f"cannot read {marker}: {exc.strerror or exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        if all(_ours(p.name) or p.name == MARKER for p in root.iterdir()):
            return {"format": FORMAT, "damaged": f"its marker {MARKER} is not kzjp's"}
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
        import orjson  # 50,000 articles' manifest: 0.35 s with json, 0.22 s with orjson

        try:
            with open(gen_dir / MANIFEST, "rb") as handle:
                data = orjson.loads(handle.read())
            return cls(files=data["files"], skipped=data["skipped"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexStateError(
                f"index manifest in {gen_dir} is unreadable ({exc})",
                hint="run 'kzjp index --rebuild'",
            ) from None

    def save(self, gen_dir: Path) -> None:
        _write_json(gen_dir / MANIFEST, {"files": self.files, "skipped": self.skipped})

    def record(self, file: CorpusFile, article: Article) -> None:
        """An indexed file: its stat and its article's metadata (every manifest field of the field list)."""
        self.skipped.pop(file.rel, None)
        self.files[file.rel] = {"size": file.size, "mtime_ns": file.mtime_ns, **article.metadata()}

    def skip(self, file: CorpusFile, reason: str) -> None:
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


@contextmanager
def _writing(root: Path) -> Iterator[None]:
    """Turn a failed write (a full disk, a read-only folder) into IndexStateError naming the index folder.

    What the failed build or update wrote is gone by then (each cleans up after
    itself), so the last complete index still answers."""
    try:
        yield
    except OSError as exc:
        raise IndexStateError(f"cannot write the index in {root}: {exc.strerror or exc}") from None


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


# --- the opened index ----------------------------------------------------------


@dataclass
class CorpusIndex:
    """A complete, current index generation, ready for reading.

    Reads come back as articles with their full paths; the store behind it is
    opened on first use (listing articles needs only the manifest).

    On a large corpus the index may be opened while child processes still
    check the corpus against it (``freshness``): the first read then waits for
    that check, and if the corpus changed, brings the index up to date
    (``_reopen``) and reads again, so no answer comes from a stale index.
    """

    root: Path
    corpus: Path
    _generation: Path
    _fingerprint: str = ""
    _store: Store | None = field(default=None, repr=False)
    _manifest: Manifest | None = field(default=None, repr=False)
    _check: freshness.Check | None = field(default=None, repr=False)
    _reopen: Callable[[], CorpusIndex] | None = field(default=None, repr=False)
    _deferring: int = field(default=0, repr=False)

    @property
    def generation(self) -> Path:
        """The folder of the generation read (after the corpus check)."""
        self.confirm()
        return self._generation

    @property
    def fingerprint(self) -> str:
        """The fingerprint of the corpus this generation was built from (after the corpus check)."""
        self.confirm()
        return self._fingerprint

    def confirm(self) -> bool:
        """Wait for the corpus check begun at opening, if any; if the corpus changed, bring the index up to
        date and read from it from now on. True if it was brought up to date (earlier reads are stale)."""
        check, self._check = self._check, None
        if check is None or check.result() == self._fingerprint:
            return False
        assert self._reopen is not None
        current = self._reopen()
        self._forget_store()
        self._generation, self._fingerprint, self._manifest = current._generation, current._fingerprint, None
        return True

    @property
    def manifest(self) -> Manifest:
        """Per-file metadata, loaded on first use (a search does not need it)."""
        if self._manifest is None:
            self._manifest = self._read(lambda: Manifest.load(self._generation))
        return self._manifest

    @property
    def store(self) -> Store:
        """The search engine's index of this generation, opened on first use."""
        if self._store is None:
            self._store = store.open_store(self._generation)
        return self._store

    def consistent(self, compute: Callable[[], T]) -> T:
        """``compute()``, whose reads of this index wait for the corpus check only once it returns (and run
        again if the check found the corpus changed): a search's several reads all overlap the check."""
        while True:
            self._deferring += 1
            try:
                found = compute()
            finally:
                self._deferring -= 1
            if self._deferring or not self.confirm():
                return found

    def _read(self, read: Callable[[], T]) -> T:
        """``read()``, once the corpus check agrees (read again if the index had to be brought up to date), and
        again from the new generation if a rebuild replaced this one meanwhile.

        A rebuild keeps the generation it replaces until the next one, so this
        is needed only when two rebuilds finish while a reader holds the first.
        """
        attempt = 0
        while True:
            try:
                found = read()
            except IndexStateError:
                attempt += 1
                if attempt == READ_ATTEMPTS or not self._moved_on():
                    raise
                continue
            if self._deferring or not self.confirm():
                return found

    def _moved_on(self) -> bool:
        """Whether the marker now names another generation; if so, read from it from now on."""
        try:
            marker = read_marker(self.root)
        except IndexStateError:
            return False
        if not _usable(marker, self.corpus) or marker["generation"] == self._generation.name:
            return False
        self._forget_store()
        self._generation, self._manifest = self.root / marker["generation"], None
        self._fingerprint = marker.get("fingerprint", "")
        return True

    def _forget_store(self) -> None:
        if self._store is not None:
            with suppress(Exception):  # its files may be gone already; nothing is lost by not closing cleanly
                self._store.close()
        self._store = None

    def ids(self) -> list[str]:
        """Every indexed article's id, sorted."""
        return sorted(entry["id"] for entry in self.manifest.files.values())

    def full_id(self, wanted: str) -> str:
        """The full id for an id or unique id prefix; UnknownIdError otherwise."""
        return match_id(wanted, self.ids())

    def articles(self) -> list[Article]:
        """Every indexed article's metadata (no body), in id order, from the manifest."""
        found = [
            Article.from_metadata(entry, path=str(self.corpus / rel)) for rel, entry in self.manifest.files.items()
        ]
        return sorted(found, key=lambda a: a.id)

    def article(self, article_id: str) -> Article:
        """One full article (with body) by exact id."""
        found = self._read(lambda: self.store.document(article_id))
        if found is None:
            raise IndexStateError(f"article {article_id} is missing from the index", hint="run 'kzjp index --rebuild'")
        return self._located(found)

    def documents(self, ids: Iterable[str] | None = None) -> list[Article]:
        """Every article (or those of ``ids``) with its body, in id order."""
        wanted = None if ids is None else list(ids)
        found = self._read(lambda: self.store.documents(wanted))
        return sorted((self._located(a) for a in found), key=lambda a: a.id)

    def dates(self, query: str | None = None, *, langs: Sequence[str] = ()) -> list[dt.date | None]:
        """The dates of the articles matching ``query`` (of every article for None) in ``langs`` (any language);
        None for undated ones."""
        return self._read(lambda: self.store.dates(query, langs=langs))

    def ids_for_phrases(self, phrases: Iterable[str]) -> list[list[str]]:
        """For each phrase, the sorted ids of the articles that contain it."""
        wanted = list(phrases)
        return self._read(lambda: self.store.ids_for_phrases(wanted))

    def matches(self, query: str, **options: Any) -> Found:
        """What ``query`` finds (options as for the store's ``search``), with full paths."""
        found = self._read(lambda: self.store.search(query, **options))
        for match in found.matches:
            self._located(match.article)
        return found

    def similar_to(self, article_id: str, *, limit: int = 10) -> Found:
        """The articles most like one article, best first."""
        found = self._read(lambda: self.store.similar(article_id, limit=limit))
        for match in found.matches:
            self._located(match.article)
        return found

    def scripts_in_use(self) -> set[str]:
        """The scripts (``latin``, ``cyrillic``, ``cjk``) of the languages the index holds articles in."""
        from kzjp_cli.aliases import SCRIPT_OF_CHAIN

        return {SCRIPT_OF_CHAIN[code] for code in self._read(lambda: self.store.chains_in_use())}

    def cache_path(self, name: str) -> Path:
        """Where a command keeps its cache ``name``: in this generation, so it goes when the generation does."""
        folder = self.generation / CACHE_DIR
        with suppress(OSError):  # a read-only index: commands answer without their cache
            folder.mkdir(exist_ok=True)
        return folder / name

    def _located(self, article: Article) -> Article:
        """The article with its full path (the store keeps it relative to the corpus)."""
        article.path = str(self.corpus / article.path)
        return article


# --- building and updating ---------------------------------------------------


def _scan(corpus: Path) -> tuple[list[CorpusFile], list[str]]:
    """The corpus's article files, and warnings about what was skipped (told only when the index is updated:
    a read of a current index repeats nothing)."""
    files, warnings = scan_corpus(corpus)
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


def _cleanup(root: Path, keep: set[str | None]) -> None:
    """Remove every generation but ``keep``: under the writer lock, the others are dead (replaced twice, or
    left by a killed build)."""
    for path in root.glob("gen-*"):
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def _index_files(gen_dir: Path) -> dict[str, int]:
    """The files that make up a generation, with their sizes: the store's and the manifest."""
    return {**store.files(gen_dir), MANIFEST: (gen_dir / MANIFEST).stat().st_size}


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


def _commit_marker(
    root: Path, corpus: Path, generation: str, files: list[CorpusFile], count: int, previous: str | None
) -> None:
    _write_json(
        root / MARKER,
        {
            "format": FORMAT,
            "schema": SCHEMA_VERSION,
            "corpus": str(corpus),
            "generation": generation,
            "previous": previous,
            "fingerprint": freshness.fingerprint(files),
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
        with _no_gc(), open(fd, "w", encoding="utf-8") as lines:
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
    with _replacing(gen_dir / MANIFEST) as out:
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
            raise


def _build(
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
        _commit_marker(root, corpus, generation, files, count, previous)
    except BaseException:
        shutil.rmtree(gen_dir, ignore_errors=True)
        raise
    _cleanup(root, keep={generation, previous or generation})
    report.rebuilt = True
    report.added = report.total = count


def _incremental(
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
        with _no_gc():
            updated = store.open_store(gen_dir)
            try:
                updated.replace(stale, additions)
            finally:
                updated.close()
    manifest.save(gen_dir)
    marker = read_marker(root) or {}
    _commit_marker(root, corpus, generation, files, len(manifest.files), marker.get("previous"))
    report.skipped = len(manifest.skipped)
    report.reasons = {rel: entry.get("reason", "") for rel, entry in manifest.skipped.items()}
    report.total = len(manifest.files)


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
    usable = _usable(marker, corpus)
    broken = damage(root, marker) if usable else (marker or {}).get("damaged")
    if broken:
        reporter.notice(f"the index is damaged ({broken}); rebuilding it from the corpus in {root}")
    elif marker and marker.get("schema") != SCHEMA_VERSION and not rebuild:
        reporter.notice(
            f"the index was made by another version of kzjp; building the index of {len(files)} articles in {root}"
        )
    elif not usable and announce_build:  # a read command says why it is slow; `kzjp index` reports after
        reporter.notice(f"building the index of {len(files)} articles in {root}")
    current = marker["generation"] if usable and not broken else None
    _cleanup(root, keep={current, (marker or {}).get("previous")} if current else set())  # killed builds' leftovers
    if rebuild or not usable or broken:
        _build(root, corpus, files, jobs or auto_jobs(len(files)), reporter, report, current)
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
    files, warnings = _scan(corpus)
    for warning in warnings:
        reporter.warning(warning)
    with writer_lock(root, wait=wait), _writing(root):
        _refresh(
            root, corpus, files, rebuild=rebuild, jobs=jobs, reporter=reporter, report=report, announce_build=False
        )
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
    if marker and marker.get("articles", 0) >= freshness.PARALLEL_FROM and (pending := freshness.start(corpus)):
        return _opened(root, corpus, marker, _check=pending, _reopen=reopen)
    return reopen()


def _opened(root: Path, corpus: Path, marker: dict[str, Any], **more: Any) -> CorpusIndex:
    """The index of the generation ``marker`` names."""
    return CorpusIndex(root, corpus, root / marker["generation"], marker.get("fingerprint", ""), **more)


def _intact_marker(root: Path, corpus: Path) -> dict[str, Any] | None:
    """The marker if it names an intact generation of this corpus's index, else None."""
    try:
        marker = read_marker(root)
    except IndexStateError:
        return None
    return marker if _usable(marker, corpus) and not damage(root, marker) else None


def _open_current(corpus: Path, root: Path, reporter: Reporter, jobs: int | None) -> CorpusIndex:
    """The index once the corpus is scanned here and the index brought up to date with it."""
    files, warnings = _scan(corpus)
    marker = read_marker(root)
    broken = damage(root, marker) if _usable(marker, corpus) else None
    if broken:  # or a rebuild swapped generations between the two reads: look once more
        marker = read_marker(root)
        broken = damage(root, marker) if _usable(marker, corpus) else None
    usable = _usable(marker, corpus) and not broken
    if not usable or marker.get("fingerprint") != freshness.fingerprint(files):
        for warning in warnings:
            reporter.warning(warning)
        try:
            with writer_lock(root, wait=0.0 if usable else READER_WAIT_SECONDS), _writing(root):
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
    return _opened(root, corpus, marker)
