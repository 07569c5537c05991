"""Text fields' positions held as arrays and turned into posting lists in bulk, for the segment writer.

Adding a document looks each word up once (its id in the builder's
vocabulary) and appends the ids to one array a field: no per-term objects.
Every half million words the buffer becomes a ``Chunk``: the words
expanded to their terms, sorted by term (as Whoosh orders them) and then by
document and position, with numpy. ``finish`` reads the chunks back in term
order, window by window, and ``encode_positions`` makes every posting's
value as ``whoosh.formats.Positions.encode`` does, all at once.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import IO, Any

from kzjp_cli.store.analysis import TABLE_WORDS, Chain, Word

FLUSH_WORDS = 1 << 19
"""Words a builder buffers before it sorts them into a chunk (sorting takes about 100 bytes a word)."""
WINDOW = 1 << 16
"""Postings ``finish`` encodes at a time."""
BATCH = 1000
"""Items pickle writes between MARK and APPENDS (``pickle._Pickler._BATCHSIZE``)."""


class Terms:
    """Every term and spelling word a builder has seen, each with a number."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.texts: list[str] = []

    def id(self, text: str) -> int:
        found = self.ids.get(text)
        if found is None:
            found = self.ids[text] = len(self.texts)
            self.texts.append(text)
        return found


class Vocabulary:
    """The words one chain has met in a build, each with its terms' numbers and its spelling word's."""

    def __init__(self, chain: Chain, terms: Terms) -> None:
        self.chain = chain
        self.terms = terms
        self.ids: dict[Word, int] = {}
        self.sizes = array("i")  # how many terms each word has
        self.first = array("i")  # where its terms start in ``flat``
        self.flat = array("i")
        self.spelled = array("i")  # its spelling word's number, or -1

    def ids_of(self, text: str) -> list[int]:
        """The number of each word of ``text``, in order; words not seen before are added."""
        words = self.chain.index_words(text)
        found = list(map(self.ids.get, words))
        if None in found:
            for i, number in enumerate(found):
                if number is None:
                    found[i] = self._add(words[i])
        return found  # type: ignore[return-value]

    def _add(self, word: Word) -> int:
        number = self.ids.get(word)
        if number is not None:
            return number
        terms, spelling = self.chain.word_terms(word)
        number = self.ids[word] = len(self.sizes)
        self.sizes.append(len(terms))
        self.first.append(len(self.flat))
        self.flat.extend(self.terms.id(term) for term in terms)
        self.spelled.append(-1 if spelling is None else self.terms.id(spelling))
        return number

    def trim(self) -> None:
        """Forget the words (not the terms) once there are more than ``TABLE_WORDS``; call only between chunks."""
        if len(self.sizes) > TABLE_WORDS:
            self.__init__(self.chain, self.terms)  # type: ignore[misc]

    def arrays(self) -> tuple[Any, Any, Any, Any]:
        """``sizes``, ``first``, ``flat`` and ``spelled`` as numpy arrays."""
        import numpy as np

        parts = (self.sizes, self.first, self.flat, self.spelled)
        return tuple(np.frombuffer(part, dtype=np.int32).copy() for part in parts)  # type: ignore[return-value]


class FieldBuffer:
    """One text field's words since the last chunk: their numbers, and where each document starts."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.words = array("i")
        self.docs = array("I")
        self.starts = array("I")

    def add(self, docnum: int, text: str) -> int:
        """Buffer ``text`` as document ``docnum``'s; returns the field's length (its terms' occurrences)."""
        numbers = self.vocabulary.ids_of(text)
        self.docs.append(docnum)
        self.starts.append(len(self.words))
        self.words.extend(numbers)
        return sum(map(self.vocabulary.sizes.__getitem__, numbers))

    def __len__(self) -> int:
        return len(self.words)

    def chunk(self, spelling: dict[str, int] | None) -> Chunk | None:
        """The buffered words as a sorted chunk (None if there are none), emptying the buffer; each spelling
        word's count of documents goes into ``spelling`` when the field keeps them."""
        import numpy as np

        if not self.words:
            self.docs, self.starts = array("I"), array("I")
            return None
        sizes, first, flat, spelled = self.vocabulary.arrays()
        words = np.frombuffer(self.words, dtype=np.int32).copy()
        docs = np.frombuffer(self.docs, dtype=np.uint32).astype(np.int32)
        starts = np.frombuffer(self.starts, dtype=np.uint32).astype(np.int32)
        self.words, self.docs, self.starts = array("i"), array("I"), array("I")
        count = len(words)
        lengths = np.diff(np.append(starts, count))
        doc_of = np.repeat(docs, lengths)
        position = np.arange(count, dtype=np.int32) - np.repeat(starts, lengths)
        if spelling is not None:
            _count_spellings(doc_of, spelled[words], spelling, self.vocabulary.terms.texts)
        # every word's terms (its index among the words beside each)
        per_word = sizes[words]
        total = int(per_word.sum())
        word_of = np.repeat(np.arange(count, dtype=np.int32), per_word)
        base = first[words] - np.cumsum(per_word, dtype=np.int32) + per_word  # where a word's terms start, less it
        term = flat[base[word_of] + np.arange(total, dtype=np.int32)]
        del base, per_word, words
        # sort by term text, keeping document and position order within a term (a stable sort)
        _, rank = _text_order([term], self.vocabulary.terms.texts)
        order = _stable_order(rank[term])
        term, word_of = term[order], word_of[order]
        del order
        doc_of, position = doc_of[word_of], position[word_of]
        del word_of
        new = np.empty(total, dtype=bool)
        new[0] = True
        np.not_equal(term[1:], term[:-1], out=new[1:])
        new[1:] |= doc_of[1:] != doc_of[:-1]
        starts_at = np.flatnonzero(new)
        counts = np.diff(np.append(starts_at, total)).astype(np.uint32)
        return Chunk.of(term[starts_at], doc_of[starts_at].astype(np.uint32), counts, position.astype(np.uint32))


def _stable_order(keys: Any) -> Any:
    """``np.argsort(keys, kind="stable")`` for keys from 0 to 2**32 - 1, as one or two passes of numpy's radix
    sort on 16-bit keys (four times faster than its merge sort on 32-bit ones)."""
    import numpy as np

    if not len(keys) or int(keys.max()) < 1 << 16:
        return np.argsort(keys.astype(np.uint16), kind="stable")
    low = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    return low[np.argsort((keys[low] >> 16).astype(np.uint16), kind="stable")]


def _text_order(numbers: list[Any], texts: list[str]) -> tuple[Any, Any]:
    """The term numbers found in ``numbers`` (arrays), in the order of their texts (Whoosh's: UTF-8 bytes
    sort as code points do), and each term number's place in that order (0 for terms not found)."""
    import numpy as np

    present = np.zeros(len(texts), dtype=bool)
    for found in numbers:
        present[found] = True
    in_order = np.array(sorted(np.flatnonzero(present).tolist(), key=texts.__getitem__), dtype=np.int64)
    rank = np.zeros(len(texts), dtype=np.int32)
    rank[in_order] = np.arange(len(in_order), dtype=np.int32)
    return in_order, rank


def _count_spellings(doc_of: Any, spelled: Any, spelling: dict[str, int], texts: list[str]) -> None:
    """Add one to each spelling word's count for each document holding it."""
    import numpy as np

    kept = spelled >= 0
    pairs = np.sort((doc_of[kept].astype(np.int64) << 32) | spelled[kept])
    pairs = pairs[np.append(True, pairs[1:] != pairs[:-1])] if len(pairs) else pairs
    counts = np.bincount(pairs & 0xFFFFFFFF, minlength=len(texts))
    words = np.flatnonzero(counts)
    for word, count in zip(words.tolist(), counts[words].tolist(), strict=True):
        text = texts[word]
        spelling[text] = spelling.get(text, 0) + count


@dataclass
class Chunk:
    """Consecutive documents' postings of one field, sorted by term text then document.

    ``terms`` are its distinct term numbers in text order, with where each
    one's postings and positions start (and one past the end). Each posting
    has a document and a count of positions, and the positions lie end to
    end. Once saved, those three arrays are read back a window at a time:
    a build's memory then holds only the chunk's terms.
    """

    terms: Any
    posting_starts: Any
    position_starts: Any
    docs: Any = None
    counts: Any = None
    positions: Any = None
    file: IO[bytes] | None = None
    offsets: tuple[int, int, int] = (0, 0, 0)  # where docs, counts and positions start in ``file``

    @classmethod
    def of(cls, term: Any, docs: Any, counts: Any, positions: Any) -> Chunk:
        """The chunk of postings sorted by term (``term``: each posting's term number)."""
        import numpy as np

        first = np.flatnonzero(np.append(True, term[1:] != term[:-1]))
        posting_starts = np.append(first, len(term)).astype(np.int64)
        position_starts = np.append(0, np.cumsum(counts, dtype=np.int64))[posting_starts]
        return cls(term[first], posting_starts, position_starts, docs, counts, positions)

    @property
    def nbytes(self) -> int:
        parts = (self.terms, self.posting_starts, self.position_starts, self.docs, self.counts, self.positions)
        return sum(a.nbytes for a in parts if a is not None)

    @property
    def on_disk(self) -> bool:
        return self.file is not None

    def save(self, file: IO[bytes]) -> Chunk:
        """Write the postings to the end of ``file``; returns the chunk that reads them from there."""
        offsets = []
        file.seek(0, 2)
        for part in (self.docs, self.counts, self.positions):
            offsets.append(file.tell())
            part.tofile(file)
        file.flush()
        return Chunk(self.terms, self.posting_starts, self.position_starts, file=file, offsets=tuple(offsets))  # type: ignore[arg-type]

    def postings(self, first: int, last: int) -> tuple[Any, Any, Any]:
        """The documents, counts and positions of terms ``first`` to ``last`` (by place in ``terms``)."""
        a, b = int(self.posting_starts[first]), int(self.posting_starts[last])
        c, d = int(self.position_starts[first]), int(self.position_starts[last])
        if self.file is None:
            return self.docs[a:b], self.counts[a:b], self.positions[c:d]
        return self._read(0, a, b), self._read(1, a, b), self._read(2, c, d)

    def _read(self, part: int, a: int, b: int) -> Any:
        import os

        import numpy as np

        assert self.file is not None
        data = os.pread(self.file.fileno(), 4 * (b - a), self.offsets[part] + 4 * a)
        return np.frombuffer(data, dtype=np.uint32)


def merged_windows(chunks: list[Chunk], texts: list[str]) -> Iterator[tuple[list[str], Any, Any, Any, Any]]:
    """A field's postings from all its chunks in Whoosh's order, ``WINDOW`` postings or so at a time: the terms
    in order, where each one's postings start, and the postings' documents, counts and positions.

    Chunks hold consecutive documents, oldest first, so a stable sort by term keeps each term's documents
    ascending."""
    import numpy as np

    in_order, rank = _text_order([chunk.terms for chunk in chunks], texts)
    ranked = [rank[chunk.terms] for chunk in chunks]  # each chunk's terms' ranks, ascending
    postings_per_rank = np.zeros(len(in_order), dtype=np.int64)
    for chunk, r in zip(chunks, ranked, strict=True):
        postings_per_rank[r] += np.diff(chunk.posting_starts)
    cumulative = np.cumsum(postings_per_rank)
    cuts = np.searchsorted(cumulative, np.arange(WINDOW, int(cumulative[-1]), WINDOW), side="right")
    bounds = [0, *sorted(set(cuts.tolist()) - {0, len(in_order)}), len(in_order)]
    for low, high in pairwise(bounds):
        pieces = []
        for chunk, r in zip(chunks, ranked, strict=True):
            a, b = int(np.searchsorted(r, low)), int(np.searchsorted(r, high))
            if a < b:
                spans = np.diff(chunk.posting_starts[a : b + 1])
                pieces.append((np.repeat(r[a:b], spans), *chunk.postings(a, b)))
        if not pieces:
            continue
        term_rank = np.concatenate([p[0] for p in pieces])
        docs = np.concatenate([p[1] for p in pieces]).astype(np.int64)
        counts = np.concatenate([p[2] for p in pieces]).astype(np.int64)
        positions = np.concatenate([p[3] for p in pieces])
        if len(pieces) > 1:
            order = np.argsort(term_rank, kind="stable")
            begin = np.cumsum(counts) - counts
            term_rank, docs, counts = term_rank[order], docs[order], counts[order]
            total = int(counts.sum())
            take = np.repeat(begin[order] - (np.cumsum(counts) - counts), counts) + np.arange(total)
            positions = positions[take]
        first = np.flatnonzero(np.append(True, term_rank[1:] != term_rank[:-1]))
        names = [texts[t] for t in in_order[term_rank[first]].tolist()]
        yield names, first, docs, counts, positions


def encode_positions(counts: Any, positions: Any) -> tuple[bytes, Any]:
    """Every posting's value as ``whoosh.formats.Positions.encode`` makes it, end to end, and where each ends.

    That value is the count (a big-endian uint) and a protocol-2 pickle of
    the list of gaps between positions. The pickle of a list of small
    integers is simple enough to write for all postings at once: a header,
    each item as ``K`` (one byte), ``M`` (two) or ``J`` (four), a single item
    followed by APPEND, several wrapped in MARK … APPENDS every ``BATCH``, and
    a STOP. Tested byte for byte against pickle.
    """
    import numpy as np

    counts = np.asarray(counts, dtype=np.int64)
    positions = np.asarray(positions, dtype=np.int64)
    postings, items = len(counts), len(positions)
    if not postings:
        return b"", np.zeros(0, dtype=np.int64)
    first = np.cumsum(counts) - counts  # each posting's first item
    gaps = np.empty(items, dtype=np.int64)
    gaps[0] = positions[0]
    np.subtract(positions[1:], positions[:-1], out=gaps[1:])
    gaps[first] = positions[first]
    if int(gaps.max()) >= 2**31:
        raise ValueError("a position past 2**31")
    width = np.full(items, 2, dtype=np.int8)
    width[gaps >= 256] = 3
    width[gaps >= 65536] = 5
    owner = np.repeat(np.arange(postings, dtype=np.int32), counts)
    k = np.arange(items, dtype=np.int64) - first[owner]  # each item's place in its list
    size = counts[owner]
    several = size >= 2
    place = k % BATCH if int(counts.max()) > BATCH else k
    mark = several & (place == 0)
    close = ~several | (place == BATCH - 1) | (k == size - 1)
    del k, size, place
    item_bytes = width + mark + close
    value_size = np.add.reduceat(item_bytes, first, dtype=np.int64) + 10  # count, PROTO 2 EMPTY_LIST BINPUT 0, STOP
    end = np.cumsum(value_size)
    begin = end - value_size
    out = np.zeros(int(end[-1]), dtype=np.uint8)
    for shift, at in ((24, 0), (16, 1), (8, 2), (0, 3)):
        out[begin + at] = (counts >> shift) & 0xFF
    for at, byte in enumerate(b"\x80\x02]q\x00"):
        out[begin + 4 + at] = byte
    out[end - 1] = ord(".")
    before = np.cumsum(item_bytes, dtype=np.int64) - item_bytes
    code = (begin + 9 - before[first])[owner] + before + mark  # where each item's opcode goes
    del before, owner
    out[code[mark] - 1] = ord("(")
    out[code] = ord("K")
    out[code[width == 3]] = ord("M")
    out[code[width == 5]] = ord("J")
    out[code + 1] = gaps & 0xFF
    wide = width >= 3
    out[code[wide] + 2] = (gaps[wide] >> 8) & 0xFF
    widest = width == 5
    out[code[widest] + 3] = (gaps[widest] >> 16) & 0xFF
    out[code[widest] + 4] = (gaps[widest] >> 24) & 0xFF
    out[(code + width)[close]] = np.where(several[close], ord("e"), ord("a"))
    return out.tobytes(), end
