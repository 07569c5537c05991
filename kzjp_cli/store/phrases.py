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

from itertools import chain
from typing import Any

from whoosh.codec.whoosh3 import W3LeafMatcher


def phrase_docs(reader: Any, field: str, terms: list[bytes], decoded: dict[bytes, Any] | None = None) -> Any:
    """The documents (a sorted array) of one segment's ``reader`` with ``terms`` at consecutive positions of
    ``field``: what Whoosh's ``Phrase`` query (slop 1) matches. ``decoded`` may carry decoded position lists
    from one call to the next."""
    import numpy as np

    if any((field, term) not in reader for term in terms):
        return np.zeros(0, dtype=np.int64)
    decoded = {} if decoded is None else decoded
    order = sorted(range(len(terms)), key=lambda k: reader.doc_frequency(field, terms[k]))
    values: list[dict[int, bytes]] = [{} for _ in terms]
    wanted: list[int] | None = None  # every document, for the rarest term
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


def _values_at(matcher: Any, wanted: list[int] | None) -> dict[int, bytes]:
    """The posting values (encoded positions) of those documents of ``wanted`` (sorted; None for all) that
    the posting list holds.

    Whoosh's own matcher is read a block at a time, skipping blocks that hold
    none of them; stepping through it with ``skip_to`` cost twice as much.
    """
    found: dict[int, bytes] = {}
    if type(matcher) is not W3LeafMatcher:  # inlined lists, or postings filtered by deletions
        for docnum in wanted if wanted is not None else ():
            matcher.skip_to(docnum)
            if not matcher.is_active():
                break
            if matcher.id() == docnum:
                found[docnum] = matcher.value()
        while wanted is None and matcher.is_active():
            found[matcher.id()] = matcher.value()
            matcher.next()
        return found
    wanted_set, i = set(wanted or ()), 0
    while matcher.is_active() and (wanted is None or i < len(wanted)):
        if wanted is None or matcher.block_max_id() >= wanted[i]:
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._values is None:
                matcher._read_values()
            if wanted is None:
                found.update(zip(matcher._ids, matcher._values, strict=True))
            else:
                for docnum, value in zip(matcher._ids, matcher._values, strict=True):
                    if docnum in wanted_set:
                        found[docnum] = value
                last = matcher._ids[-1]
                while i < len(wanted) and wanted[i] <= last:
                    i += 1
        matcher._next_block()
    return found
