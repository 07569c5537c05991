"""Exact phrase matching straight from the postings, for topic lists: which articles hold a phrase, with no
scores.

Whoosh's ``Phrase`` query, run with ``limit=None`` for a thousand topics,
builds span objects for each position of each candidate document and scores
every match. Here the rarest word's postings are read whole and each other
word's only in the blocks that hold documents still in the running, positions
are compared as arrays, and decoded position lists are shared across documents
(most recur: a word once at position 37). The documents found are exactly
Whoosh's (the tests compare phrases from a corpus). For a ranked search this
is no faster: the matches must be scored anyway, and Whoosh's own ``Phrase``
took 270-360 ms at 50,000 articles against 430-600 ms this way.

Imported only after ``engine.load()``.
"""

from __future__ import annotations

from collections.abc import Container, Iterator
from itertools import chain
from typing import Any

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher


def phrase_docs(
    reader: Any,
    field: str,
    terms: list[bytes],
    decoded: dict[bytes, Any] | None = None,
    among: list[int] | None = None,
) -> Any:
    """The documents (a sorted array) of one segment's ``reader`` (of ``among``, sorted, if given) with
    ``terms`` at consecutive positions of ``field``: what Whoosh's ``Phrase`` query (slop 1) matches.
    ``decoded`` may carry decoded position lists from one call to the next."""
    import numpy as np

    if any((field, term) not in reader for term in terms) or among == []:
        return np.zeros(0, dtype=np.int64)
    decoded = {} if decoded is None else decoded
    order = sorted(range(len(terms)), key=lambda k: reader.doc_frequency(field, terms[k]))
    values: list[dict[int, bytes]] = [{} for _ in terms]
    wanted: list[int] | None = among  # every document (None), for the rarest term
    for k in order:
        values[k] = _values_at(reader.postings(field, terms[k]), wanted)
        wanted = sorted(values[k]) if wanted is None else [d for d in wanted if d in values[k]]
        if not wanted:
            return np.zeros(0, dtype=np.int64)
    decode = reader.schema[field].format.decode_positions
    docs = np.asarray(wanted, dtype=np.int64)
    starts = None  # (document << 32 | position where the phrase would start), for every term so far
    for offset in order:
        found = values[offset]
        lists = [decoded[v] if v in decoded else decoded.setdefault(v, decode(v)) for v in map(found.get, wanted)]
        counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
        positions = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(counts.sum())) - offset
        keys = np.repeat(docs, counts) << 32 | np.maximum(positions, 0)
        keys = np.unique(keys[positions >= 0])
        starts = keys if starts is None else np.intersect1d(starts, keys, assume_unique=True)
    return np.unique(starts >> 32) if starts is not None else np.zeros(0, dtype=np.int64)


def live_docs(matcher: Any) -> list[int]:
    """Every live document of a posting list, in order, a block at a time where Whoosh's own matcher allows."""
    leaf, deleted = _unfiltered(matcher)
    if type(leaf) is not W3LeafMatcher:  # a list short enough to live in the term table
        return list(leaf.all_ids())
    docnums: list[int] = []
    for block in _blocks(leaf):
        docnums.extend(_block_ids(block))
    return [d for d in docnums if d not in deleted] if deleted else docnums


def _values_at(matcher: Any, wanted: list[int] | None) -> dict[int, bytes]:
    """The posting values (encoded positions) of those documents of ``wanted`` (sorted and live; None for
    every live one) that the posting list holds.

    Whoosh's own matcher is read a block at a time, skipping blocks that hold
    none of them; stepping through it with ``skip_to`` cost twice as much.
    """
    leaf, deleted = _unfiltered(matcher)
    found: dict[int, bytes] = {}
    if type(leaf) is not W3LeafMatcher:  # a list short enough to live in the term table
        while leaf.is_active():
            if leaf.id() not in deleted:
                found[leaf.id()] = leaf.value()
            leaf.next()
        return found if wanted is None else {d: found[d] for d in wanted if d in found}
    wanted_set, i = set(wanted or ()), 0
    for block in _blocks(leaf):
        if wanted is None:
            found.update(
                (d, v) for d, v in zip(_block_ids(block), _block_values(block), strict=True) if d not in deleted
            )
        elif block.block_max_id() >= wanted[i]:
            ids = _block_ids(block)
            for docnum, value in zip(ids, _block_values(block), strict=True):
                if docnum in wanted_set and docnum not in deleted:
                    found[docnum] = value
            while i < len(wanted) and wanted[i] <= ids[-1]:
                i += 1
            if i == len(wanted):
                break
    return found


def _unfiltered(matcher: Any) -> tuple[Any, Container[int]]:
    """Whoosh's block matcher from under the filter a segment with deletions wraps it in, and the deleted
    documents to leave out: the filter would step through every posting one call at a time."""
    if type(matcher) is FilterMatcher and matcher._exclude and type(matcher.child) is W3LeafMatcher:
        return matcher.child, matcher._ids
    return matcher, ()


def _blocks(leaf: Any) -> Iterator[Any]:
    """Whoosh's block matcher at each of its blocks in turn, from the current one (a deletion filter may
    have stepped past the first documents; the whole block is read, and deleted ones left out by the caller)."""
    while leaf.is_active():
        yield leaf
        leaf._next_block()


def _block_ids(block: Any) -> Any:
    if block._ids is None:
        block._read_ids()
    return block._ids


def _block_values(block: Any) -> Any:
    if block._values is None:
        block._read_values()
    return block._values
