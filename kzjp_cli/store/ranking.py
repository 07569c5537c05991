"""Ranked search a posting list at a time, for the queries people type: words, AND, OR, NOT, phrases, and
fuzzy, prefix and wildcard words, over any fields.

Two reasons not to use Whoosh's own top-N search for these:

- **It misses better matches.** For an AND of ORs (every query of two words,
  each looked for in the title and the body) its matcher replacement skips
  documents that belong in the top N (whoosh-community/whoosh#413, still in
  2.7.5): on 400 generated articles, its first 3 for "Takaichi Tokayev" left
  out the second best, and at 50,000 articles its first 10 for that query
  held only 3 of the best 10. Searched for every match, Whoosh ranks as this
  module does.
- **It scores one document at a time** through a tree of Python matchers, and
  its block-quality skipping skipped 5 blocks in all over the benchmark's
  queries at 50,000 articles (a block's bound pairs its highest term
  frequency with its shortest document, and stays above the tenth best score).

Here each term's postings are read a block at a time and every match is scored
in one loop with Whoosh's BM25F formula and statistics, operation by operation;
subqueries combine as dictionaries; phrases compare positions as arrays for
the documents holding every word. At 50,000 articles, "Tokayev" (49,000
matches) took 85-138 ms against Whoosh's 165-270 ms, and "rare earth elements"
119-220 ms against 250-487 ms. Hits, scores (to 1e-12), matched words and
totals are those of Whoosh's search for every match (``tests/test_ranking``).

A query with any other node (a NOT alone, a date range alone, a boosted fuzzy
word) returns None, and the store asks Whoosh. A compound query's scores may
differ from Whoosh's in the last bit (Whoosh adds its children's scores in an
order of its own).

Imported only after ``engine.load()``; the Whoosh internals read here (block
data, the length columns) are those of the pinned whoosh-reloaded 2.7.5, as in
``phrases``.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate, chain
from pickle import loads
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.query import And, FuzzyTerm, Not, NullQuery, Or, Phrase, Prefix, Term, Wildcard
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from kzjp_cli.store.phrases import _blocks, _unfiltered
from kzjp_cli.store.schema import TEXT_FIELDS

_LENGTH = [byte_to_length(code) for code in range(256)]
"""Whoosh's field lengths by their one-byte code (as ``doc_field_length`` decodes them)."""
_EXPANDING = (FuzzyTerm, Prefix, Wildcard)
"""Terms that stand for the index's words they match (``Tokaev~``, ``touris*``)."""
NOT_SCORE = 1.0
"""What a NOT inside an AND adds to every match's score (Whoosh's ``InverseMatcher``)."""


class Unsupported(Exception):
    """A query node this module does not evaluate: the caller asks Whoosh instead."""


@dataclass
class Ranked:
    """The best matches, best first: (document number, score, the text-field words it matched on)."""

    top: list[tuple[int, float, frozenset[str]]]
    total: int


class _Node:
    """A query node once evaluated: its documents (global numbers) and their scores, and the words each
    matched on (asked only for the hits shown)."""

    def __init__(self, scores: dict[int, float]) -> None:
        self.scores = scores

    def words(self, docnum: int) -> set[str]:
        return set()


class _Leaf(_Node):
    def __init__(self, scores: dict[int, float], words: list[str]) -> None:
        super().__init__(scores)
        self._words = set(words)

    def words(self, docnum: int) -> set[str]:
        return set(self._words) if docnum in self.scores else set()


class _Branch(_Node):
    def __init__(self, scores: dict[int, float], children: list[_Node]) -> None:
        super().__init__(scores)
        self.children = children

    def words(self, docnum: int) -> set[str]:
        found: set[str] = set()
        if docnum in self.scores:
            for child in self.children:
                found |= child.words(docnum)
        return found


def top(searcher: Any, q: Any, limit: int | None, allowed: set[int] | None = None) -> Ranked | None:
    """The best ``limit`` documents (all for None) for ``q`` among ``allowed`` (None: any), ordered as
    Whoosh orders them (score, then document number); None if ``q`` has a node evaluated only by Whoosh."""
    if type(searcher.weighting) is not BM25F or not _supported(q):
        return None
    evaluation = _Evaluation(searcher)
    try:
        root = evaluation.node(q)
    except Unsupported:
        return None
    scores = root.scores
    if allowed is not None:
        scores = {docnum: score for docnum, score in scores.items() if docnum in allowed}
    if limit is not None and len(scores) > limit:  # only scores up to the limit-th best can be in the top
        least = heapq.nlargest(limit, scores.values())[-1] if limit else math.inf
        candidates = [(docnum, score) for docnum, score in scores.items() if score >= least]
    else:
        candidates = list(scores.items())
    best = sorted(candidates, key=lambda item: (-item[1], item[0]))[:limit]
    return Ranked([(docnum, score, frozenset(root.words(docnum))) for docnum, score in best], len(scores))


def _supported(q: Any) -> bool:
    """Whether every node of ``q`` is one evaluated here (checked before reading anything)."""
    kind = type(q)
    if kind is Term:
        return True
    if kind in _EXPANDING:  # boosted, Whoosh drops the boost in segments where it stands for one word
        return q.boost == 1.0
    if kind is Phrase:
        return q.slop == 1 and bool(q.words)
    if kind is Or:
        return not q.minmatch and not q.scale and bool(q.subqueries) and all(map(_supported, q.subqueries))
    if kind is And:
        positive = [sub for sub in q.subqueries if type(sub) is not Not]
        negative = [sub.query for sub in q.subqueries if type(sub) is Not]
        return bool(positive) and all(map(_supported, positive + negative))
    return False


class _Evaluation:
    """One query's evaluation over every segment of a searcher, reading each term's postings once."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.schema = searcher.schema
        self.leaves = searcher.reader().leaf_readers()
        self.weighting = searcher.weighting
        self._postings: dict[tuple[int, str, bytes], tuple[Any, Any, list[bytes]]] = {}
        self._lengths: dict[tuple[int, str], bytes] = {}
        self._decoded: dict[bytes, list[int]] = {}

    def node(self, q: Any) -> _Node:
        kind = type(q)
        if q is NullQuery:
            return _Node({})
        if kind is Term:
            return self._term(q)
        if kind is Phrase:
            return self._phrase(q)
        if kind is Or:
            children = [self.node(sub) for sub in q.subqueries]
            scores: dict[int, float] = {}
            for child in children:
                for docnum, score in child.scores.items():
                    scores[docnum] = scores[docnum] + score if docnum in scores else score
            return _Branch(_boosted(scores, q.boost), children)
        if kind is And:
            positive = [self.node(sub) for sub in q.subqueries if type(sub) is not Not]
            negative = [self.node(sub.query) for sub in q.subqueries if type(sub) is Not]
            common = set(positive[0].scores).intersection(*(child.scores for child in positive[1:]))
            common.difference_update(*(child.scores for child in negative))
            scores = {docnum: 0.0 for docnum in sorted(common)}
            for child in positive:
                child_scores = child.scores
                for docnum in scores:
                    scores[docnum] += child_scores[docnum]
            if negative:
                for docnum in scores:
                    scores[docnum] += len(negative) * NOT_SCORE
            return _Branch(_boosted(scores, q.boost), positive)
        if kind in _EXPANDING:
            # Whoosh's MultiTerm.matcher: the words it stands for in each segment (looked up in the segment's
            # own term table: the whole index's took ten times as long), OR-ed
            words = sorted({word for reader, _ in self.leaves for word in q._btexts(reader) if word})
            return self.node(Or([Term(q.fieldname, word) for word in words])) if words else _Node({})
        raise Unsupported(kind.__name__)

    # --- leaves -----------------------------------------------------------------

    def _term(self, q: Any) -> _Node:
        field, term = self._term_bytes(q.fieldname, q.text)
        if term is None:
            return _Node({})
        scores: dict[int, float] = {}
        for segment, (reader, offset) in enumerate(self.leaves):
            if (field, term) not in reader:
                continue
            leaf, deleted = _unfiltered(reader.postings(field, term))
            if not self.schema[field].scorable:
                for ids, weights, _ in _block_data(leaf):
                    scores.update(zip([docnum + offset for docnum in ids], weights, strict=True))
            else:
                # Whoosh's bm25() written out, its operations in its order, so that each score is the same float
                idf, avgfl, b, k1 = self._statistics(field, term)
                lengths, table, fixed, k1_plus = self._length_codes(segment, field), _LENGTH, 1 - b, k1 + 1
                for ids, weights, _ in _block_data(leaf):
                    scores.update(
                        (
                            docnum + offset,
                            idf * ((weight * k1_plus) / (weight + k1 * (fixed + b * table[lengths[docnum]] / avgfl))),
                        )
                        for docnum, weight in zip(ids, weights, strict=True)
                    )
            for docnum in deleted:
                scores.pop(docnum + offset, None)
        return _Leaf(_boosted(scores, q.boost), [_text(term)] if field in TEXT_FIELDS else [])

    def _phrase(self, q: Any) -> _Node:
        """Documents with the words at consecutive positions (Whoosh's ``Phrase``, slop 1), scored as the sum
        of the words' scores (Whoosh scores a phrase as the intersection of its words' term matchers).

        Positions are compared as arrays, for every document holding all the words at once: a phrase of
        common words has thousands of them (numpy loads only for phrases)."""
        import numpy as np

        field = q.fieldname
        if field in self.schema and not self.schema[field].format.supports("positions"):
            raise Unsupported("a phrase in a field without positions")  # Whoosh says so to the user
        terms = [self._term_bytes(field, word)[1] for word in q.words]
        if any(term is None for term in terms):
            return _Node({})
        scores: dict[int, float] = {}
        for segment, (_reader, offset) in enumerate(self.leaves):
            postings = [self._posting(segment, field, term) for term in terms]  # type: ignore[arg-type]
            if not all(len(ids) for ids, _, _ in postings):
                continue
            candidates = postings[0][0]
            for ids, _, _ in postings[1:]:
                candidates = np.intersect1d(candidates, ids, assume_unique=True)
            starts = None  # (candidate's index << 32 | where the phrase would start), for the words so far
            rows = []
            for at, (ids, _, values) in enumerate(postings):
                row = np.searchsorted(ids, candidates)
                rows.append(row)
                lists = [self._positions(values[i]) for i in row.tolist()]
                counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
                positions = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(counts.sum())) - at
                keys = (np.repeat(np.arange(len(candidates), dtype=np.int64), counts) << 32) | np.maximum(positions, 0)
                keys = keys[positions >= 0]  # sorted: candidates in order, each one's positions in order
                starts = keys if starts is None else np.intersect1d(starts, keys, assume_unique=True)
                if not len(starts):
                    break
            if starts is None or not len(starts):
                continue
            matched = np.unique(starts >> 32)
            parts = []
            for term, (_, weights, _), row in zip(terms, postings, rows, strict=True):
                docnums = candidates[matched]
                parts.append(self._scores(segment, field, term, docnums, weights[row[matched]]))  # type: ignore[arg-type]
            scores.update(zip((candidates[matched] + offset).tolist(), _tree_sum(parts).tolist(), strict=True))
        words = [_text(term) for term in terms] if field in TEXT_FIELDS else []  # type: ignore[arg-type]
        return _Leaf(_boosted(scores, q.boost), words)

    def _term_bytes(self, field: str, text: Any) -> tuple[str, bytes | None]:
        """The term as indexed, or None where Whoosh's matcher would match nothing."""
        if field not in self.schema:
            return field, None
        try:
            term = self.schema[field].to_bytes(text)
        except ValueError:
            return field, None
        return field, term if (field, term) in self.searcher.reader() else None

    def _statistics(self, field: str, term: bytes) -> tuple[float, float, float, float]:
        """What Whoosh's ``BM25FScorer`` takes from the whole index: idf, average field length, B and K1."""
        weighting = self.weighting
        idf = self.searcher.idf(field, term)
        avgfl = self.searcher.avg_field_length(field) or 1
        return idf, avgfl, weighting._field_B.get(field, weighting.B), weighting.K1

    def _scores(self, segment: int, field: str, term: bytes, docnums: Any, weights: Any) -> Any:
        """The scores of one term in some documents of a segment (arrays), as ``_term`` computes them."""
        import numpy as np

        if not self.schema[field].scorable:
            return weights
        idf, avgfl, b, k1 = self._statistics(field, term)
        lengths = np.asarray(_LENGTH, dtype=np.float64)[np.frombuffer(self._length_codes(segment, field), np.uint8)]
        return idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * lengths[docnums] / avgfl)))

    def _length_codes(self, segment: int, field: str) -> bytes:
        """The one-byte length codes of ``field`` for every document of a segment, read in one go."""
        key = (segment, field)
        if key not in self._lengths:
            reader = self.leaves[segment][0]
            column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
            codes = b"" if column is None else column._dbfile.get(column._basepos, column._count)
            self._lengths[key] = codes + bytes(reader.doc_count_all() - len(codes))  # the rest: no such field
        return self._lengths[key]

    def _posting(self, segment: int, field: str, term: bytes) -> tuple[Any, Any, list[bytes]]:
        """A term's live postings in a segment, read a block at a time (each block is one pickle): document
        numbers and weights (arrays) and encoded values."""
        import numpy as np

        key = (segment, field, term)
        if key not in self._postings:
            reader = self.leaves[segment][0]
            ids: list[int] = []
            weights: list[float] = []
            values: list[bytes] = []
            if (field, term) in reader:
                leaf, deleted = _unfiltered(reader.postings(field, term))
                for block_ids, block_weights, block_values in _block_data(leaf):
                    ids.extend(block_ids)
                    weights.extend(block_weights)
                    values.extend(block_values)
                if deleted:
                    kept = [k for k, docnum in enumerate(ids) if docnum not in deleted]
                    ids, weights, values = [ids[k] for k in kept], [weights[k] for k in kept], [values[k] for k in kept]
            self._postings[key] = (np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64), values)
        return self._postings[key]

    def _positions(self, value: bytes) -> list[int]:
        """The positions in a posting value of Whoosh's ``Positions`` format (a count, then the pickled
        gaps), decoded once per distinct value: most recur (a word once, at position 37)."""
        found = self._decoded.get(value)
        if found is None:
            found = self._decoded[value] = list(accumulate(loads(value[4:] + b".")))
        return found


def _block_data(leaf: Any) -> Iterator[tuple[Any, Any, Any]]:
    """(ids, weights, values) of each block of a posting list, from the current one."""
    if type(leaf) is not W3LeafMatcher:  # a list short enough to live in the term table
        ids, weights, values = [], [], []
        while leaf.is_active():
            ids.append(leaf.id())
            weights.append(leaf.weight())
            values.append(leaf.value() if leaf.supports("positions") else None)
            leaf.next()
        yield ids, weights, values
        return
    for block in _blocks(leaf):
        if block._ids is None:
            block._read_ids()
        if block._weights is None:
            block._read_weights()
        if block._values is None:
            block._read_values()
        yield block._ids, block._weights, block._values


def _boosted(scores: dict[int, float], boost: float) -> dict[int, float]:
    return scores if boost == 1.0 else {docnum: score * boost for docnum, score in scores.items()}


def _tree_sum(parts: list[Any]) -> Any:
    """A sum in the order of Whoosh's ``make_binary_tree`` (a phrase's words: a + (b + c))."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return _tree_sum(parts[:half]) + _tree_sum(parts[half:])


def _text(term: bytes) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term
