"""The opened index (``CorpusIndex``): reads as articles, ids, dates and matches, waiting for the corpus check."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Collection, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from kzjp_cli import store
from kzjp_cli.articles import Article, match_id
from kzjp_cli.errors import IndexBusyError, IndexStateError
from kzjp_cli.index import freshness
from kzjp_cli.index.folder import CACHE_DIR, Manifest, is_usable, read_marker, remember_folders
from kzjp_cli.languages import script_of_chain

if TYPE_CHECKING:
    from kzjp_cli.store import Found, SearchOptions, Store

T = TypeVar("T")
READ_ATTEMPTS = 3
ADDED_SLACK = dt.timedelta(seconds=60)
"""An article's file written within this of its fetch was written by that fetch."""


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
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    """What a command module computed from this generation and may reuse while it is open (its stories)."""
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
        if check is None:
            return False
        if check.result() == self._fingerprint:
            if check.folders is not None:
                remember_folders(self.root, check.folders, self._fingerprint)
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
        if not is_usable(marker, self.corpus) or marker["generation"] == self._generation.name:
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
        root = str(self.corpus) + os.sep  # joined as strings: a Path a file cost a third of this at 3,000
        found = [Article.from_metadata(entry, path=root + rel) for rel, entry in self.manifest.files.items()]
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

    def dates(
        self, query: str | None = None, *, langs: Sequence[str] = (), ids: Collection[str] | None = None
    ) -> list[dt.date | None]:
        """The dates of the articles matching ``query`` (of every article for None) in ``langs`` (any language),
        among ``ids`` (all for None); None for undated ones."""
        return self._read(lambda: self.store.dates(query, langs=langs, ids=ids))

    def added(self) -> dict[str, dt.datetime]:
        """When each article was added to the corpus (UTC): its file's modification time, unless ``kzjp add``
        fetched it more than a minute before that (the file was edited or copied since: then when it was fetched).
        ``fetched`` is kept to the second; the file's time is exact, so an article written a moment after a
        saved search was saved is newer than it."""
        found = {}
        for entry in self.manifest.files.values():
            written = dt.datetime.fromtimestamp(entry["mtime_ns"] / 1e9, dt.timezone.utc)
            when = written
            if entry.get("fetched"):
                with suppress(ValueError, TypeError):
                    fetched = dt.datetime.fromisoformat(str(entry["fetched"]).replace("Z", "+00:00"))
                    if fetched.tzinfo is not None and not fetched <= written < fetched + ADDED_SLACK:
                        when = fetched
            found[entry["id"]] = when
        return found

    def added_between(self, since: dt.date | None, until: dt.date | None) -> frozenset[str]:
        """The articles added on or after ``since`` and on or before ``until`` (days in local time; None: open)."""
        return frozenset(
            article_id
            for article_id, when in self.added().items()
            if (since is None or when.astimezone().date() >= since)
            and (until is None or when.astimezone().date() <= until)
        )

    def ids_for_phrases(self, phrases: Iterable[str], within: Collection[str] | None = None) -> list[list[str]]:
        """For each phrase, the sorted ids of the articles (of ``within``, if given) that contain it."""
        wanted = list(phrases)
        return self._read(lambda: self.store.ids_for_phrases(wanted, within))

    def matches(self, query: str, options: SearchOptions) -> Found:
        """What ``query`` finds, with full paths."""
        options = self._by_ids(options)
        found = self._read(lambda: self.store.search(query, options))
        for match in found.matches:
            self._located(match.article)
        return found

    def matching_ids(self, query: str, options: SearchOptions) -> list[str]:
        """The ids of every article ``query`` matches, best first (or newest, by ``options.sort``)."""
        options = self._by_ids(options)
        return self._read(lambda: self.store.matching_ids(query, options))

    def _by_ids(self, options: SearchOptions) -> SearchOptions:
        """The options with when-added bounds turned into the ids of the articles added then."""
        if options.added_since or options.added_until:
            added = self.added_between(options.added_since, options.added_until)
            ids = added if options.ids is None else added & options.ids
            options = dataclasses.replace(options, ids=ids, added_since=None, added_until=None)
        return options

    def similar_to(self, article_id: str, *, limit: int = 10) -> Found:
        """The articles most like one article, best first."""
        found = self._read(lambda: self.store.similar(article_id, limit=limit))
        for match in found.matches:
            self._located(match.article)
        return found

    def languages(self) -> dict[str, str | None]:
        """Each article's language, by id (from the manifest, without making an Article of each)."""
        return {entry["id"]: entry.get("lang") for entry in self.manifest.files.values()}

    def text_keys(self) -> dict[str, str]:
        """Each article's text digest (what its vector is kept under), by id."""
        return {entry["id"]: entry.get("text_key", "") for entry in self.manifest.files.values()}

    def vectors(self, warn: Callable[[str], None] | None = None) -> tuple[list[str], Any]:
        """The ids of the articles that have a vector (sorted), and their vectors (float32 rows)."""
        from kzjp_cli.index.vectors import VectorStore

        keys = self.text_keys()
        ids = sorted(keys)
        positions, matrix = VectorStore(self.root, warn).vectors([keys[i] for i in ids])
        return [ids[p] for p in positions], matrix

    def vectors_state(self) -> str:
        """The vectors' digest (empty for none), without loading them: for keying caches made from them."""
        from kzjp_cli.index.vectors import state

        return state(self.root)

    def compute_vectors(
        self,
        ids: Iterable[str] | None = None,
        *,
        progress: Callable[[list[Any], str], Iterable[Any]] = lambda items, label: items,
        warn: Callable[[str], None] | None = None,
    ) -> int:
        """Compute the vectors of the articles (of ``ids``, or all) that have none; returns how many."""
        from kzjp_cli.index.vectors import compute

        titles = {a.id: a.title for a in self.articles()}
        keys = self.text_keys()
        chosen = sorted(keys) if ids is None else sorted(set(ids) & set(keys))

        def read(batch: list[str]) -> list[tuple[str, str]]:
            found = {a.id: (a.title, a.body) for a in self.documents(batch)}
            return [found.get(article_id, (titles[article_id], "")) for article_id in batch]

        wanted = [(article_id, keys[article_id], titles[article_id]) for article_id in chosen]
        return compute(self.root, wanted, progress=progress, warn=warn, read=read)

    def vectors_for(self, ids: Iterable[str], warn: Callable[[str], None] | None = None) -> int:
        """Compute the vectors of newly added articles, where the model is installed (else nothing); another
        process computing vectors meanwhile leaves them to the next ``kzjp index --vectors``."""
        from kzjp_cli.index import embedding

        if not embedding.available():
            return 0
        try:
            return self.compute_vectors(ids, warn=warn)
        except IndexBusyError:
            return 0

    def scripts_in_use(self) -> set[str]:
        """The scripts (``latin``, ``cyrillic``, ``cjk``) of the languages the index holds articles in."""
        return {script_of_chain(code) for code in self._read(lambda: self.store.chains_in_use())}

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
