"""The store: one index generation's Whoosh index, read and written only through these methods.

Imported only after ``engine.load()`` (``open_store``/``create_store`` do that).
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import pickle
import shutil
import sys
import traceback
import warnings
import weakref
from array import array
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import index as whoosh_index
from whoosh.columns import NumericColumn
from whoosh.filedb.filestore import FileStorage

from kzjp_cli.articles import Article
from kzjp_cli.errors import IndexStateError, QueryError
from kzjp_cli.languages import language
from kzjp_cli.store import query, ranking
from kzjp_cli.store.analysis import CHAINS, STOP_MARK, chain
from kzjp_cli.store.names import INDEX_NAME, LOCK_FILE, TEMP_FOLDER
from kzjp_cli.store.phrases import live_docs, phrase_docs
from kzjp_cli.store.results import Found, Match, SearchOptions
from kzjp_cli.store.schema import MISSING_DATE, TEXT_FIELDS, date_of, field_name, make_schema, to_article

SIMILAR_TERMS = 80
"""How many of an article's key terms ``similar`` searches for."""
PARALLEL_DOCS = 500
"""From this many documents to write, an update writes two segments at once, the second in a forked process
(at 50,000 articles, 1% changed and 1% added took 5.6 s in one process; most of it is per document)."""

if TYPE_CHECKING:
    from kzjp_cli.store.segments import SegmentBuilder


class WhooshStore:
    """A Whoosh index in one folder (see the package docstring for the face it offers)."""

    def __init__(self, folder: Path, ix: Any) -> None:
        self.folder = folder
        self.ix = ix
        self._text_fields: list[str] | None = None
        self._searcher: Any = None
        self._closer: weakref.finalize | None = None
        self._ids: tuple[Any, list[tuple[str, int]]] | None = None

    @classmethod
    def create(cls, folder: Path) -> WhooshStore:
        """A new, empty index with kzjp's schema."""
        return cls(folder, whoosh_index.create_in(str(folder), make_schema(), indexname=INDEX_NAME))

    @classmethod
    def open(cls, folder: Path) -> WhooshStore:
        """The index in ``folder``; IndexStateError if it cannot be read."""
        # Without mmap: a search reads only the blocks it needs, instead of
        # mapping whole segments (a search at 10,000 articles peaked at 192 MB
        # with mmap, 29 MB without, and was no slower).
        storage = _Storage(str(folder), supports_mmap=False)
        try:
            with storage.closing_on_failure():
                ix = storage.open_index(INDEX_NAME)
        except (whoosh_index.EmptyIndexError, OSError, EOFError, ValueError, pickle.UnpicklingError) as exc:
            raise IndexStateError(
                f"the index in {folder} is damaged ({exc})", hint="run 'kzjp index --rebuild'"
            ) from None
        except (ImportError, AttributeError) as exc:  # a table of contents naming classes kzjp no longer has
            raise IndexStateError(
                f"the index in {folder} was written by another version of kzjp ({exc})",
                hint="run 'kzjp index --rebuild'",
            ) from None
        return cls(folder, ix)

    def close(self) -> None:
        self._forget()
        self.ix.close()

    def _searcher_(self) -> Any:
        """Whoosh's searcher, opened on first use and kept for the store's later reads.

        Opening one reads the table of contents and each segment's term table
        header again; a process answering many queries (the benchmark, a
        script) keeps one, as Whoosh's own documentation advises. Its files
        close with the store: on ``close()``, or when the store is collected.
        """
        if self._searcher is None:
            try:
                self._searcher = self.ix.searcher()
            except (whoosh_index.EmptyIndexError, OSError, EOFError) as exc:  # its files went (a rebuild's cleanup)
                raise IndexStateError(
                    f"the index in {self.folder} could not be read ({exc})", hint="run 'kzjp index --rebuild'"
                ) from None
            self._closer = weakref.finalize(self, self._searcher.close)
        return self._searcher

    def _forget(self) -> None:
        """Close the kept searcher and what it knew, after the index changed."""
        if self._closer is not None:
            self._closer()
        self._searcher, self._closer, self._text_fields = None, None, None

    def _remove_temp_folder(self) -> None:
        """Whoosh's per-document writer makes a temporary folder and leaves it behind, empty."""
        with suppress(OSError):  # not there, or not empty: leave it
            os.rmdir(self.folder / TEMP_FOLDER)

    # --- reads ----------------------------------------------------------------

    def count(self) -> int:
        """How many articles the index holds."""
        searcher = self._searcher_()
        return searcher.doc_count()

    def segment_count(self) -> int:
        """How many segments the index is made of (each search reads every one)."""
        searcher = self._searcher_()
        return len(searcher.reader().leaf_readers())

    def document(self, article_id: str) -> Article | None:
        """One article, with its body, by exact id."""
        searcher = self._searcher_()
        stored = searcher.document(id=article_id)
        return None if stored is None else to_article(stored)

    def documents(self, ids: Iterable[str] | None = None) -> list[Article]:
        """Every article (those of ``ids`` found, if given), with its body, in the index's own order."""
        searcher = self._searcher_()
        if ids is None:
            return [to_article(stored) for stored in searcher.all_stored_fields()]
        docnums = sorted(d for article_id in ids if (d := searcher.document_number(id=article_id)) is not None)
        return [to_article(searcher.stored_fields(docnum)) for docnum in docnums]

    def dates(
        self, text: str | None = None, *, langs: Sequence[str] = (), ids: Collection[str] | None = None
    ) -> list[dt.date | None]:
        """The date of every article matching the query ``text`` (of every article for None) in ``langs`` (any),
        among ``ids`` (all for None).

        Read from the date column in one go, as search's date filter reads it.
        """
        searcher = self._searcher_()
        values = _date_values(searcher)
        if text is None:
            docnums: Iterable[int] = _in_languages(searcher, langs) if langs else searcher.reader().all_doc_ids()
            if ids is not None:
                docnums = set(docnums) & _docnums(searcher, ids)
        else:
            q, allowed = self._prepare(searcher, text, values, langs=langs, ids=ids)
            if allowed == set():
                return []
            docnums = searcher.search(q, limit=None, scored=False, filter=allowed).docs()
        return [date_of(values[docnum]) for docnum in sorted(docnums)]

    def ids_for_phrases(self, phrases: Iterable[str], within: Collection[str] | None = None) -> list[list[str]]:
        """For each phrase, the ids of every article (of ``within``, if given) with it in a text field, sorted.

        Exactly what a phrase search finds, computed the way topic lists need it
        (a thousand phrases, many sharing words): each word's documents are read
        once, a block at a time, and positions are read only where every word
        of a phrase occurs (and, with ``within``, only in the blocks holding
        those articles). Queries that are not words or phrases fall back to a
        search.
        """
        import numpy as np

        searcher = self._searcher_()
        parser = query.parser(self.ix.schema, self._used_text_fields())
        leaves = searcher.reader().leaf_readers()
        ids = self._sorted_ids(searcher)
        # docnum -> the rank of its id in sorted order, so a topic's ids come out sorted by sorting numbers
        rank_of = np.full(searcher.doc_count_all() + 1, -1, dtype=np.int64)
        rank_of[[docnum for _, docnum in ids]] = np.arange(len(ids))
        sorted_ids = [article_id for article_id, _ in ids]
        among: list[list[int] | None] = [None] * len(leaves)  # each segment's documents of ``within``
        kept = set(within) if within is not None else set()
        if within is not None and len(kept) * 4 < len(ids):  # many: reading every block costs less than skipping
            chosen = sorted(docnum for article_id, docnum in ids if article_id in kept)
            among = [[d - offset for d in chosen if offset <= d < offset + r.doc_count_all()] for r, offset in leaves]
        docs_of: dict[tuple[int, str, bytes], Any] = {}  # (segment, field, term) -> its documents, an array

        def term_docs(segment: int, field: str, term: bytes) -> Any:
            key = (segment, field, term)
            if key not in docs_of:
                reader = leaves[segment][0]
                docnums = live_docs(reader.postings(field, term)) if (field, term) in reader else []
                docs_of[key] = np.array(docnums, dtype=np.int64)
            return docs_of[key]

        decoded: dict[bytes, Any] = {}
        found: list[list[str]] = []
        for phrase in phrases:
            q = parser.parse('"' + phrase.replace('"', " ") + '"')
            parts = _words_and_phrases(q)
            if parts is None:
                docnums = np.fromiter(searcher.search(q, limit=None, scored=False).docs(), dtype=np.int64)
            else:
                pieces = []
                for segment, (reader, offset) in enumerate(leaves):
                    for field, words in parts:
                        terms = [self.ix.schema[field].to_bytes(word) for word in words]
                        if len(terms) == 1 and among[segment] is None:
                            pieces.append(term_docs(segment, field, terms[0]) + offset)
                        else:
                            pieces.append(phrase_docs(reader, field, terms, decoded, among[segment]) + offset)
                docnums = np.unique(np.concatenate(pieces)) if pieces else np.zeros(0, dtype=np.int64)
            ranks = rank_of[docnums]
            ranks = np.sort(ranks[ranks >= 0])
            listed = [sorted_ids[rank] for rank in ranks.tolist()]
            found.append(listed if within is None else [i for i in listed if i in kept])
        return found

    def _sorted_ids(self, searcher: Any) -> list[tuple[str, int]]:
        """Every article id with its document number, sorted by id; kept while the searcher is."""
        if self._ids is None or self._ids[0] is not searcher:
            leaves = searcher.reader().leaf_readers()
            self._ids = (searcher, sorted((i, offset + d) for reader, offset in leaves for i, d in _ids_of(reader)))
        return self._ids[1]

    def search(self, text: str, options: SearchOptions) -> Found:
        """Run a query: the best ``limit`` matches after the first ``offset`` (all of them for a ``limit`` of
        None), or, with ``count_only``, just how many match.

        ``langs`` keeps only articles in those languages (ISO 639-1 codes).
        Ranked by ``ranking`` where it can (Whoosh's own top N missed better
        matches), which counts every match as it goes; for the shapes left to
        Whoosh, ``with_total`` counts with a second query, and only when the
        matches shown may not be all of them.
        """
        limit, offset, count_only, with_total = options.limit, options.offset, options.count_only, options.with_total
        sort = options.sort
        searcher = self._searcher_()
        q, allowed = self._prepare(searcher, text, None, options.since, options.until, options.langs, options.ids)
        if allowed == set():  # Whoosh would take an empty filter for no filter
            return Found(total=0 if count_only else None)
        wanted = None if limit is None else offset + limit
        ranked = ranking.top(searcher, q, 0 if count_only else wanted, allowed) if sort == "relevance" else None
        if count_only:
            total = ranked.total if ranked else len(searcher.search(q, limit=None, scored=False, filter=allowed))
            return Found(
                total=total,
                suggestion=None
                if total or not options.suggest
                else query.suggest(searcher, q, text, self._used_text_fields()),
            )
        if ranked is not None:
            every = [Match(to_article(searcher.stored_fields(d)), score, terms) for d, score, terms in ranked.top]
            return Found(
                every[offset:],
                total=ranked.total if with_total else None,
                suggestion=None
                if every or not options.suggest
                else query.suggest(searcher, q, text, self._used_text_fields()),
            )
        # terms=True records each hit's matched terms, so fuzzy and prefix terms need not be expanded again
        asked: dict[str, Any] = {"limit": wanted, "filter": allowed, "terms": True}
        if sort == "date":
            asked.update(sortedby=query.newest_first(), reverse=True)
        results = searcher.search(q, **asked)
        relevance = None
        if sort == "date" and len(results):  # a sorted hit's score is its sort key: score those hits again
            shown = {hit.docnum for hit in results}
            relevance = {hit.docnum: hit.score for hit in searcher.search(q, limit=None, filter=shown)}
        every = _matches(results, relevance)
        matches = every[offset:]
        total = None
        if with_total:
            complete = wanted is None or len(every) < wanted
            total = len(every) if complete else len(searcher.search(q, limit=None, scored=False, filter=allowed))
        return Found(
            matches,
            total=total,
            suggestion=None
            if every or not options.suggest
            else query.suggest(searcher, q, text, self._used_text_fields()),
        )

    def matching_ids(self, text: str, options: SearchOptions) -> list[str]:
        """The ids of every article a query matches, in the order ``search`` ranks them (limit and offset
        ignored): only the ids are read, for grouping or counting whole result lists."""
        searcher = self._searcher_()
        q, allowed = self._prepare(searcher, text, None, options.since, options.until, options.langs, options.ids)
        if allowed == set():
            return []
        ranked = ranking.top(searcher, q, None, allowed) if options.sort == "relevance" else None
        if ranked is not None:
            docnums = [docnum for docnum, _, _ in ranked.top]
        elif options.sort == "date":
            found = searcher.search(q, limit=None, filter=allowed, sortedby=query.newest_first(), reverse=True)
            docnums = [hit.docnum for hit in found]
        else:
            docnums = [hit.docnum for hit in searcher.search(q, limit=None, filter=allowed)]
        return [searcher.stored_fields(docnum)["id"] for docnum in docnums]

    def similar(self, article_id: str, *, limit: int = 10) -> Found:
        """The articles most like one article, in its language: its body's 80 key terms (stems or lemmas, as a
        query word looks for them; Whoosh's Bo2 expansion model, stop words left out), each weighted by how
        much it stands out, searched for together.

        On the BBC News set's five categories (the same-category share of the
        top 5, sources from the odd-numbered files; the number of terms was
        chosen on the even ones), 10 key terms of the indexed forms put 0.865,
        80 key stems 0.929, a TF-IDF cosine over every word 0.930. Whoosh's
        own more-like-this (25 Bo1 terms) does worse than either.
        """
        from whoosh import classify
        from whoosh.query import Or, Term

        searcher = self._searcher_()
        docnum = searcher.document_number(id=article_id)
        if docnum is None:
            raise QueryError(f"article {article_id} is not in the index")
        article = to_article(searcher.stored_fields(docnum))
        body = field_name("body", language(article.lang).chain)
        expander = classify.Expander(searcher.reader(), body, model=classify.Bo2Model)
        expander.add(Counter(chain(language(article.lang).chain).terms(article.body)).items())
        weighted = expander.expanded_terms(SIMILAR_TERMS + 40)  # room for the stop words Bo2 also ranks high
        kept = [(term, weight) for term, weight in weighted if not term.startswith(STOP_MARK)][:SIMILAR_TERMS]
        if not kept:
            return Found([])
        q = Or([Term(body, term, boost=weight) for term, weight in kept])
        ranked = ranking.top(searcher, q, limit + 1)  # Whoosh's own top N missed better matches (ranking)
        if ranked is None:
            return Found(_matches(searcher.search(q, limit=limit, mask={docnum})))
        best = [(found, score, terms) for found, score, terms in ranked.top if found != docnum][:limit]
        return Found([Match(to_article(searcher.stored_fields(d)), score, terms) for d, score, terms in best])

    def _prepare(
        self,
        searcher: Any,
        text: str,
        values: array | None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        langs: Sequence[str] = (),
        ids: Collection[str] | None = None,
    ) -> tuple[Any, set[int] | None]:
        """The parsed query without its required date ranges, and the documents those ranges, ``langs`` and
        ``ids`` allow (None: all)."""
        q, bounds = query.pull_dates(query.parse(self.ix.schema, text, self._used_text_fields()))
        bounds += query.period(since, until)
        allowed = _in_languages(searcher, langs) if langs else None
        if ids is not None:
            allowed = _docnums(searcher, ids) if allowed is None else allowed & _docnums(searcher, ids)
        if not bounds:
            return q, allowed
        low, high = query.within(bounds)
        values = _date_values(searcher) if values is None else values
        dated = {docnum for docnum, value in enumerate(values) if low <= value <= high}
        return q, dated if allowed is None else dated & allowed

    def chains_in_use(self) -> set[str]:
        """The analysis chains (``store.analysis.CHAINS``) whose fields hold any article."""
        used = self._used_text_fields()
        return {code for code in CHAINS if field_name("body", code) in used}

    def _used_text_fields(self) -> list[str]:
        """The text fields that hold any article: a query searches only these (an English corpus: title and body).

        Known once a searcher is open; ``replace`` forgets them.
        """
        if self._text_fields is None:
            reader = self._searcher_().reader()
            self._text_fields = [name for name in TEXT_FIELDS if reader.field_length(name)] or ["title", "body"]
        return self._text_fields

    # --- writes ---------------------------------------------------------------

    def segment_writer(self) -> SegmentBuilder:
        """A writer for one new segment: ``add(article)`` each, then ``finish()`` for a segment to commit."""
        from kzjp_cli.store.segments import SegmentBuilder  # reads never need the writer

        return SegmentBuilder(self.ix)

    def commit(self, segments: list[Any]) -> None:
        """Make ``segments`` the whole index (the last step of a full build)."""
        storage = self.ix.storage
        whoosh_index.TOC(self.ix.schema, segments, 1).write(storage, INDEX_NAME)
        whoosh_index.clean_files(storage, INDEX_NAME, 1, segments)
        self._remove_temp_folder()
        self._forget()

    def replace(self, stale_ids: list[str], additions: list[Article]) -> None:
        """Delete the articles ``stale_ids`` and add ``additions``, in one commit.

        Deletions are marked through Whoosh's writer. The additions become new
        bulk-written segments, together with the live documents of the smallest
        segments while each is at most twice what has been gathered (every field is
        stored, so a document can be written again from its stored fields). Segment
        sizes then grow geometrically, as in a binary counter: few segments, and
        each update rewrites little. Whoosh's own merging would send all of it
        through its slow posting pool. From ``PARALLEL_DOCS`` documents, a forked
        process writes the second half as a second segment meanwhile.
        """
        from whoosh.query import Or, Term
        from whoosh.reading import SegmentReader

        from kzjp_cli import forking

        ix = self.ix
        writer = ix.writer()
        helper = None
        try:
            if stale_ids:  # in one query: Whoosh opens every segment anew for each one
                writer.delete_by_query(Or([Term("id", article_id) for article_id in stale_ids]))
            small = [segment for segment in writer.segments if not segment.doc_count()]
            gathered = len(additions)
            for segment in sorted(writer.segments, key=lambda s: s.doc_count()):
                if not gathered or segment in small:
                    continue
                if segment.doc_count() > 2 * gathered:
                    break
                small.append(segment)
                gathered += segment.doc_count()
            stored: list[dict[str, Any]] = []
            for segment in small:
                reader = SegmentReader(ix.storage, ix.schema, segment)
                try:
                    stored.extend(document for _docnum, document in reader.iter_docs())
                finally:
                    reader.close()
            ours: tuple[list[dict[str, Any]], list[Article]] = (stored, additions)
            if len(stored) + len(additions) >= PARALLEL_DOCS and forking.can_fork():
                half = (len(stored) + len(additions)) // 2  # the child takes the documents from here on
                split = max(0, half - len(stored))
                helper = forking.Forked(self._new_segment, stored[half:], additions[split:], tied=True)
                ours = (stored[:half], additions[:split])
            new = [self._new_segment(*ours), helper.result() if helper else None]
            writer.segments = [segment for segment in writer.segments if segment not in small]
            writer.segments += [segment for segment in new if segment is not None]
            writer.commit(merge=False)
            self._forget()
            self._remove_temp_folder()
        except BaseException as exc:
            with suppress(Exception):  # cleaning up after a failure (a full disk) must not hide that failure
                if helper is not None:
                    helper.end()  # before its files are removed below
                writer.cancel()
            # The failure's traceback holds the writers, and so their files open (and on a full disk, deleted
            # files still take their space): let them go now, not when the exception is forgotten.
            with _quietly():
                traceback.clear_frames(exc.__traceback__)
                helper = writer = None
                gc.collect()
            self._discard_uncommitted()
            raise

    def _new_segment(self, stored: list[dict[str, Any]], articles: list[Article]) -> Any:
        """One new segment of these documents (stored fields of documents written before, and articles), or None
        for none."""
        if not stored and not articles:
            return None
        builder = self.segment_writer()
        try:
            for document in stored:
                builder.add_document(**document)
            for article in articles:
                builder.add(article)
            return builder.finish()
        except BaseException:
            with suppress(Exception):  # a cancel failing too (a full disk) must not hide the failure
                builder.cancel()
            raise

    def _discard_uncommitted(self) -> None:
        """Remove every file of this index that its committed table of contents does not name: what a failed
        update (a full disk, Ctrl-C) left half-written."""
        from whoosh.index import TOC, clean_files

        with suppress(Exception):
            storage = self.ix.storage
            generation = TOC._latest_generation(storage, INDEX_NAME)
            segments = TOC.read(storage, INDEX_NAME, generation, schema=self.ix.schema).segments
            clean_files(storage, INDEX_NAME, generation, segments)
        with suppress(OSError):
            shutil.rmtree(self.folder / TEMP_FOLDER)
        with suppress(OSError):
            os.remove(self.folder / LOCK_FILE)


@contextmanager
def _quietly() -> Iterator[None]:
    """While the files a failed write left open are closed: unflushed, on a full disk, they fail again, which
    is expected and not worth a word."""
    hook = sys.unraisablehook

    def quiet(unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, (OSError, ResourceWarning)):
            hook(unraisable)

    sys.unraisablehook = quiet
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            yield
    finally:
        sys.unraisablehook = hook


class _Storage(FileStorage):
    """Whoosh's file storage, able to close what a failed open left open.

    Whoosh leaves the table of contents open when it cannot read it (damaged,
    or naming a class that is gone); the file would stay open until the
    garbage collector found it.
    """

    _opened: list[Any] | None = None

    def open_file(self, name: str, **kwargs: Any) -> Any:
        opened = super().open_file(name, **kwargs)
        if self._opened is not None:
            self._opened.append(opened)
        return opened

    @contextmanager
    def closing_on_failure(self) -> Iterator[None]:
        """Close every file opened inside the block if it raises."""
        self._opened = []
        try:
            yield
        except BaseException:
            for opened in self._opened:
                opened.close()
            raise
        finally:
            self._opened = None


def _matches(results: Any, relevance: dict[int, float] | None = None) -> list[Match]:
    """Whoosh's results as matches, each with the text-field terms it matched on (and its ``relevance``
    score, when the results are sorted by something else)."""
    shared = None if results.has_matched_terms() else _words(results.q.iter_all_terms())
    return [
        Match(
            to_article(hit.fields()),
            float((relevance.get(hit.docnum) if relevance is not None else hit.score) or 0.0),
            shared if shared is not None else _words(hit.matched_terms()),
        )
        for hit in results
    ]


def _words_and_phrases(q: Any) -> list[tuple[str, list[str]]] | None:
    """A parsed phrase query as (field, words) parts, any of which matches: a word or an exact phrase in each
    field. None for any other query."""
    from whoosh.query import NullQuery, Or, Phrase, Term

    parts = []
    for leaf in q.subqueries if type(q) is Or else [q]:
        if type(leaf) is Term:
            parts.append((leaf.fieldname, [leaf.text]))
        elif type(leaf) is Phrase and leaf.slop == 1 and leaf.words:
            parts.append((leaf.fieldname, list(leaf.words)))
        elif leaf is not NullQuery:
            return None
    return parts


def _ids_of(reader: Any) -> Iterator[tuple[str, int]]:
    """Each article id in one segment with its document number there, from the term table alone."""
    for term, info in reader.iter_field("id"):
        yield term if isinstance(term, str) else term.decode("utf-8"), info.min_id()


def _docnums(searcher: Any, ids: Collection[str]) -> set[int]:
    """The documents of the articles ``ids`` (those the index holds)."""
    return {d for article_id in ids if (d := searcher.document_number(id=article_id)) is not None}


def _in_languages(searcher: Any, langs: Sequence[str]) -> set[int]:
    """The documents in any of the languages ``langs``."""
    from whoosh.query import Or, Term

    return set(searcher.docs_for_query(Or([Term("lang", code) for code in langs])))


def _words(terms: Iterable[tuple[str, Any]]) -> frozenset[str]:
    """The text-field terms among Whoosh's (field, term) pairs, as text."""
    return frozenset(t.decode() if isinstance(t, bytes) else t for f, t in terms if f in TEXT_FIELDS)


def _date_values(searcher: Any) -> array:
    """The date column of every document (deleted ones too), by document number, in one array."""
    values = array("Q")
    for reader, offset in searcher.reader().leaf_readers():
        values.extend(repeat(MISSING_DATE, offset - len(values)))
        if reader.has_column("date"):  # a segment without one holds no dated article
            values.extend(_column_values(reader.column_reader("date", translate=False)))
    values.extend(repeat(MISSING_DATE, searcher.reader().doc_count_all() - len(values)))
    return values


def _column_values(column: Any) -> Iterable[int]:
    """Every value of a Whoosh numeric column, read in one go instead of one call a document."""
    if not isinstance(column, NumericColumn.Reader) or column._typecode != "Q":
        return [MISSING_DATE if value is None else value for value in column]
    values = array("Q", column._dbfile.get(column._basepos, column._count * column._fixedlen))
    if sys.byteorder == "little":
        values.byteswap()  # Whoosh writes columns big-endian
    values.extend(repeat(column._default, column._doccount - len(values)))
    return values
