"""Whoosh segments written in bulk, for full builds and for the segment each update adds.

Whoosh's own writer runs every field through a chain of token generators, pools
each posting as a tuple, sorts the pool and then hands postings to its codec one
call at a time; that was most of a build's time. Writing a new segment needs
none of its generality (no deletions, no merging), so this module keeps
postings in compact arrays and writes each term's posting list straight through
Whoosh's codec, block by block. The files are Whoosh's own format, read by the
stock reader (the tests compare every term's postings, stored fields and
lengths against an index Whoosh's writer built). Deletions still go through
Whoosh's writer. Depends on the internals of whoosh-reloaded 2.7.5, which
pyproject pins exactly and ``engine.load()`` checks.

Memory is bounded whatever the corpus size: once the postings held pass
``spill_bytes`` they are written, sorted, to an anonymous run file beside the
index, and ``finish()`` merges the runs term by term as it writes (an external
sort, as Lucene flushes and merges). One segment comes out either way, so
searches never pay for the bound.
"""

from __future__ import annotations

import heapq
import tempfile
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from functools import partial
from itertools import groupby
from pickle import dumps
from struct import Struct
from typing import IO, Any

from whoosh.codec import default_codec
from whoosh.codec.whoosh3 import W3TermInfo, byte_to_length, length_to_byte
from whoosh.formats import Positions

from kzjp_cli.articles import Article
from kzjp_cli.store.schema import text_chains, to_document

pack_uint = Struct("!I").pack  # as whoosh.system.pack_uint
pack_ushort = Struct("!H").pack  # as whoosh.system.pack_ushort
_ONE = pack_uint(1)
INLINE_LIMIT = 16
"""Posting lists shorter than this live in the term table, not as blocks in the postings file."""
SPILL_BYTES = 128 * 2**20
"""Posting bytes a builder holds before it writes them to a run on disk (about 1.7x that in resident memory)."""
POSTING_BYTES = 12
"""A posting's fixed cost in ``Postings``: its document number, weight and value size."""
TERM_BYTES = 400
"""A new term's cost: its key, dictionary slot, ``Postings`` and four buffers."""
_RUN_HEADER = Struct("<HIII")  # field number, term length, postings, value bytes (positions for PositionPostings)

Row = tuple[str, bytes, "Postings"]


class SegmentBuilder:
    """Collects documents for one new segment of ``ix`` and writes it on ``finish()``."""

    def __init__(self, ix: Any, *, spill_bytes: int = SPILL_BYTES) -> None:
        self.storage = ix.storage
        self.schema = ix.schema
        self.codec = default_codec()
        self.segment = self.codec.new_segment(self.storage, ix.indexname)
        self.perdoc = self.codec.per_document_writer(self.storage, self.segment)
        self.docnum = 0
        # field -> term (str, or bytes for non-text fields) -> its postings since the last spill
        self.postings: dict[str, dict[Any, Postings]] = defaultdict(dict)
        self.held = 0  # about how many bytes self.postings holds
        self.spill_bytes = spill_bytes
        self.runs: list[IO[bytes]] = []  # sorted runs already written out, oldest first
        self.terms_writer: Any = None  # Whoosh's term table and postings writer, while finish() runs
        self.fields: list[str] = []  # the run files' field numbers
        self.kinds: list[Any] = []  # and how to read each field's postings back
        # field -> per-document length, for the block statistics Whoosh keeps
        self.lengths: dict[str, array] = {}
        # spelling field -> word -> documents containing it
        self.spelling: dict[str, dict[str, int]] = defaultdict(dict)
        # Text fields whose chain (named by the field list) gives their terms without Whoosh's token objects
        self.fast = {
            name: chain
            for name, chain in text_chains().items()
            if name in self.schema and type(self.schema[name].format) is Positions
        }

    def add(self, article: Article) -> None:
        """Add one article."""
        self.add_document(**to_document(article))

    def add_document(self, **fields: Any) -> None:
        """Add one document, fields as for Whoosh's ``IndexWriter.add_document``.

        Text fields with a fast chain skip Whoosh's token chain; their posting
        values are ``whoosh.formats.Positions.encode`` written out inline.
        """
        schema, docnum, perdoc = self.schema, self.docnum, self.perdoc
        held = 0
        perdoc.start_doc(docnum)
        for name in sorted(fields):
            value = fields[name]
            if value is None:
                continue
            fld = schema[name]
            length = 0
            if fld.indexed:
                terms = self.postings[name]
                chain = self.fast.get(name)
                if chain is not None:
                    positions, words = chain.index_terms(value)
                    boost = fld.format.field_boost
                    for term, where in positions.items():
                        found = terms.get(term)
                        if found is None:
                            found = terms[term] = PositionPostings(boost)
                            held += TERM_BYTES
                        found.docnums.append(docnum)
                        found.counts.append(len(where))
                        found.positions.extend(where)
                        length += len(where)
                    held += 8 * len(positions) + 4 * length
                    if fld.separate_spelling():
                        counts = self.spelling[fld.spelling_fieldname(name)]
                        for word in set(words):
                            counts[word] = counts.get(word, 0) + 1
                else:
                    for tbytes, freq, weight, vbytes in fld.index(value):
                        if fld.scorable:
                            length += freq
                        found = terms.get(tbytes)
                        if found is None:
                            found = terms[tbytes] = Postings()
                            held += TERM_BYTES
                        found.add(docnum, weight, vbytes)
                        held += POSTING_BYTES + len(vbytes)
                if fld.scorable:
                    lengths = self.lengths.setdefault(name, array("B"))
                    lengths.extend(b"\0" * (docnum + 1 - len(lengths)))
                    lengths[docnum] = length_to_byte(length) if length else 0
            perdoc.add_field(name, fld, value if fld.stored else None, length)
            if fld.column_type:
                perdoc.add_column_value(name, fld.column_type, fld.to_column_value(value))
        perdoc.finish_doc()
        self.docnum += 1
        self.held += held
        if self.held > self.spill_bytes:
            self._spill()

    def finish(self) -> Any:
        """Write the postings and close the segment's files; returns the Whoosh segment."""
        self.perdoc.close()
        writer = self.terms_writer = self.codec.field_writer(self.storage, self.segment)
        spelling = sorted(self.spelling)

        def write_spelling(name: str) -> None:
            rows = sorted((word.encode("utf-8"), Postings.one(0, n)) for word, n in self.spelling[name].items())
            writer.start_field(name, self.schema[name])
            self._write_field(writer, rows, None, alike=True)
            writer.finish_field()

        for name, rows in groupby(self._merged(), key=lambda row: row[0]):
            while spelling and spelling[0] < name:
                write_spelling(spelling.pop(0))
            writer.start_field(name, self.schema[name])
            self._write_field(writer, ((btext, found) for _, btext, found in rows), self.lengths.get(name))
            writer.finish_field()
        for name in spelling:
            write_spelling(name)
        writer.close()
        self.terms_writer = None
        self._close_runs()
        self.segment.set_doc_count(self.docnum)
        if self.segment.should_assemble():
            self.segment.create_compound_file(self.storage)
            self.segment.compound = True
        return self.segment

    def cancel(self) -> None:
        """Close what is still open after a failure; the caller removes the folder.

        Files are closed here, not left to the garbage collector: on a full
        disk their space is freed only once they are closed.
        """
        self._close_runs()
        if not self.perdoc.is_closed:
            with suppress(Exception):  # an interrupted close can leave Whoosh's files half-closed
                self.perdoc.close()
        if self.terms_writer is not None:
            for file in (self.terms_writer._tindex.dbfile, self.terms_writer._postfile):
                with suppress(Exception):  # its unwritten buffer fails again on a full disk; the file closes anyway
                    file.close()
            self.terms_writer = None

    def _held_rows(self) -> Iterator[Row]:
        """The postings in memory, by field and then by term as Whoosh orders them (its bytes)."""
        for name in sorted(self.postings):
            rows = [
                (term.encode("utf-8") if isinstance(term, str) else term, found)
                for term, found in self.postings[name].items()
            ]
            rows.sort(key=lambda row: row[0])
            for btext, found in rows:
                yield name, btext, found

    def _spill(self) -> None:
        """Write the postings held to a new sorted run and start afresh.

        The run is an anonymous file in the index's own folder: gone with the
        process however it ends, and on the disk that holds the index rather
        than in a ``/tmp`` that may be memory.
        """
        run = tempfile.TemporaryFile(dir=getattr(self.storage, "folder", None))  # noqa: SIM115 closed by finish/cancel
        self.runs.append(run)
        numbers = {name: number for number, name in enumerate(self.fields)}
        write = run.write
        for name, btext, found in self._held_rows():
            number = numbers.get(name)
            if number is None:
                number = numbers[name] = len(self.fields)
                self.fields.append(name)
                kind = type(found).read
                self.kinds.append(partial(kind, boost=found.boost) if isinstance(found, PositionPostings) else kind)
            write(_RUN_HEADER.pack(number, len(btext), len(found.docnums), found.extra()))
            write(btext)
            for part in found.parts():
                write(part)
        run.flush()
        self.postings = defaultdict(dict)
        self.held = 0

    def _read_run(self, run: IO[bytes]) -> Iterator[Row]:
        run.seek(0)
        read, size = run.read, _RUN_HEADER.size
        while header := read(size):
            number, term_length, count, extra = _RUN_HEADER.unpack(header)
            btext = read(term_length)
            found = self.kinds[number](read, count, extra)
            yield self.fields[number], btext, found

    def _merged(self) -> Iterator[Row]:
        """Every term's whole posting list, runs and memory merged, in Whoosh's order.

        Runs hold consecutive documents, oldest first, and the merge is stable,
        so joining a term's pieces in merge order keeps its documents ascending.
        """
        sources = [self._read_run(run) for run in self.runs]
        sources.append(self._held_rows())
        if len(sources) == 1:
            yield from sources[0]
            return
        merged = heapq.merge(*sources, key=lambda row: (row[0], row[1]))
        for (name, btext), pieces in groupby(merged, key=lambda row: (row[0], row[1])):
            found, *more = [row[2] for row in pieces]
            for piece in more:
                found.extend(piece)
            yield name, btext, found

    def _close_runs(self) -> None:
        for run in self.runs:
            run.close()
        self.runs = []

    @staticmethod
    def _write_field(writer: Any, rows: Iterable[tuple[bytes, Postings]], lengths: Any, *, alike: bool = False) -> None:
        """Each term's postings, filled into the codec's blocks directly.

        ``alike``: many terms have the same postings (spelling words: one dummy posting each), so their
        entries are the same bytes, made once."""
        table = [byte_to_length(b) if b else 0 for b in range(256)]
        post = writer._postwriter
        fmt = writer._fieldobj.format
        limit = post._blocklimit
        key = pack_ushort(writer._fieldid)

        def sizes_of(docnums: Any) -> list[int]:
            """The documents' field lengths as Whoosh reads them back (quantised), zeros left out."""
            if lengths is None:
                return []
            return [table[lengths[d]] for d in docnums if d < len(lengths) and lengths[d]]

        same: dict[tuple[Any, ...], bytes] | None = {} if alike else None
        for btext, postings in rows:
            docnums, weights = postings.docnums, postings.weights
            if len(docnums) < INLINE_LIMIT:
                # What start_postings/add_posting/finish_postings would store, without the calls
                floats = weights.tolist()
                inlined = (tuple(docnums), tuple(floats), tuple(postings.value_list()))
                entry = None if same is None else same.get(inlined)
                if entry is None:
                    sizes = sizes_of(docnums)
                    info = W3TermInfo()
                    info._weight, info._df, info._maxweight = sum(floats), len(floats), max(floats)
                    info._minlength, info._maxlength = (min(sizes), max(sizes)) if sizes else (None, 0)
                    info._minid, info._maxid = docnums[0], docnums[-1]
                    info._inlined = inlined
                    entry = info.to_bytes()
                    if same is not None:
                        same[inlined] = entry
                writer._tindex.add(key + btext, entry)
                continue
            values = postings.value_list()
            mixed = 0 < len(values) < len(docnums)  # some values empty: keep their places for the block cuts
            if mixed:
                values = postings.value_list(keep_empty=True)
            writer._btext = btext
            post.start_postings(fmt, W3TermInfo())
            for start in range(0, len(docnums), limit):
                if start:
                    post._write_block()
                end = start + limit
                post._ids.extend(docnums[start:end])
                post._weights.extend(weights[start:end])
                block = values[start:end]  # none at all for a format without values
                post._values.extend([v for v in block if v] if mixed else block)
                post._maxweight = max(post._weights)
                sizes = sizes_of(docnums[start:end])
                if sizes:
                    post._minlength, post._maxlength = min(sizes), max(sizes)
            writer.finish_term()


class Postings:
    """One term's postings in a segment being built, in compact arrays, for fields with any Whoosh format.

    The values sit end to end in one buffer with their sizes beside them: a
    bytes object per posting cost four times the memory.
    """

    __slots__ = ("docnums", "sizes", "values", "weights")

    def __init__(self) -> None:
        self.docnums = array("I")
        self.weights = array("f")
        self.sizes = array("I")
        self.values = bytearray()

    def add(self, docnum: int, weight: float, value: bytes) -> None:
        self.docnums.append(docnum)
        self.weights.append(weight)
        self.sizes.append(len(value))
        self.values += value

    def extend(self, other: Postings) -> None:
        """Append ``other``'s postings, which come after these."""
        self.docnums.extend(other.docnums)
        self.weights.extend(other.weights)
        self.sizes.extend(other.sizes)
        self.values += other.values

    def value_list(self, *, keep_empty: bool = False) -> list[bytes]:
        """Each posting's value as bytes; empty ones left out unless ``keep_empty``."""
        blob, values, start = bytes(self.values), [], 0
        for size in self.sizes:
            if size or keep_empty:
                values.append(blob[start : start + size])
            start += size
        return values

    def extra(self) -> int:
        return len(self.values)

    def parts(self) -> tuple[bytes | bytearray, ...]:
        """The arrays as a run file holds them, after the header."""
        return self.docnums.tobytes(), self.weights.tobytes(), self.sizes.tobytes(), self.values

    @classmethod
    def read(cls, read: Callable[[int], bytes], count: int, extra: int) -> Postings:
        """The postings ``parts()`` wrote, read back with ``read``."""
        found = cls()
        found.docnums.frombytes(read(4 * count))
        found.weights.frombytes(read(4 * count))
        found.sizes.frombytes(read(4 * count))
        found.values = bytearray(read(extra))
        return found

    @classmethod
    def one(cls, docnum: int, weight: float) -> Postings:
        postings = cls()
        postings.add(docnum, weight, b"")
        return postings


class PositionPostings:
    """One term's postings in a text field with positions: the positions themselves, in one flat array.

    Whoosh's encoding of them (a count and a pickle of the gaps) and the
    weights are made only when the segment is written, so adding a posting is
    three appends and holds about 12 bytes.
    """

    __slots__ = ("boost", "counts", "docnums", "positions")

    def __init__(self, boost: float = 1.0) -> None:
        self.boost = boost
        self.docnums = array("I")
        self.counts = array("I")
        self.positions = array("I")

    @property
    def weights(self) -> array:
        """Each posting's weight as Whoosh's ``Positions`` format gives it: occurrences times the field boost."""
        boost = self.boost
        return array("f", [count * boost for count in self.counts])

    def extend(self, other: PositionPostings) -> None:
        """Append ``other``'s postings, which come after these."""
        self.docnums.extend(other.docnums)
        self.counts.extend(other.counts)
        self.positions.extend(other.positions)

    def value_list(self, *, keep_empty: bool = False) -> list[bytes]:
        """Each posting's value as ``whoosh.formats.Positions.encode`` makes it (none is empty)."""
        positions, values, start = self.positions.tolist(), [], 0
        for count in self.counts:
            end = start + count
            where = positions[start:end]
            if count == 1:
                values.append(_ONE + dumps(where, 2))
            else:
                deltas = [b - a for a, b in zip([0, *where], where, strict=False)]
                values.append(pack_uint(count) + dumps(deltas, 2))
            start = end
        return values

    def extra(self) -> int:
        return len(self.positions)

    def parts(self) -> tuple[bytes, ...]:
        """The arrays as a run file holds them, after the header (the boost comes from the field)."""
        return self.docnums.tobytes(), self.counts.tobytes(), self.positions.tobytes()

    @classmethod
    def read(cls, read: Callable[[int], bytes], count: int, extra: int, boost: float = 1.0) -> PositionPostings:
        """The postings ``parts()`` wrote, read back with ``read``."""
        found = cls(boost)
        found.docnums.frombytes(read(4 * count))
        found.counts.frombytes(read(4 * count))
        found.positions.frombytes(read(4 * extra))
        return found
