"""Whoosh segments written in bulk, for full builds and for the segment each update adds.

Whoosh's own writer runs every field through a chain of token generators, pools
each posting as a tuple, sorts the pool and then hands postings to its codec one
call at a time; that was most of a build's time. Writing a new segment needs
none of its generality (no deletions, no merging), so this module keeps text
fields' words as arrays (``bulk``: sorted into postings and encoded with numpy)
and other fields' postings in compact arrays, and writes each term's posting
list straight through Whoosh's codec, block by block. The files are Whoosh's
own format, read by the stock reader (the tests compare every term's postings,
stored fields and lengths against an index Whoosh's writer built). Deletions
still go through Whoosh's writer. Depends on the internals of whoosh-reloaded
2.7.5, which pyproject pins exactly and ``engine.load()`` checks.

Memory is bounded whatever the corpus size: once what is held passes
``spill_bytes`` it is written, sorted, to anonymous run files beside the
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
from datetime import datetime
from itertools import groupby
from pickle import dumps
from struct import Struct
from typing import IO, Any
from zlib import compress

from whoosh.codec import default_codec
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo, byte_to_length, length_to_byte
from whoosh.formats import Positions

from kzjp_cli.articles import Article
from kzjp_cli.store.bulk import FLUSH_WORDS, Chunk, FieldBuffer, Terms, Vocabulary, encode_positions, merged_windows
from kzjp_cli.store.schema import text_chains, to_document

pack_ushort = Struct("!H").pack  # as whoosh.system.pack_ushort
pack_int = Struct("!i").pack  # as whoosh.system.pack_int
pack_long = Struct("!q").pack  # as whoosh.system.pack_long
_ENTRY_LENGTHS = Struct("!ii")  # as whoosh.filedb.filetables._lengths: a term table entry's key and value sizes
INLINE_LIMIT = 128
"""Posting lists shorter than this live in the term table, not as blocks in the postings file."""
PICKLE_PROTOCOL = 3
"""How the bulk writer pickles blocks and inlined posting lists. Whoosh writes protocol 2 (for Python 2),
which spells each position value (bytes) as a call to ``codecs.encode`` on a str; protocol 3 writes bytes as
bytes, and Whoosh's reader loads either: the index a quarter smaller, faster to write and to read."""
SPILL_BYTES = 128 * 2**20
"""Posting bytes a builder holds before it writes them to a run on disk (about 1.7x that in resident memory)."""
POSTING_BYTES = 12
"""A posting's fixed cost in ``Postings``: its document number, weight and value size."""
TERM_BYTES = 400
"""A new term's cost: its key, dictionary slot, ``Postings`` and four buffers."""
INDEX_CACHE = 10_000
"""Distinct values of a non-text field whose terms a builder remembers; past that it stops remembering them."""
WORD_BYTES = 4
"""A buffered word's cost in a ``bulk.FieldBuffer``."""
_RUN_HEADER = Struct("<HIII")  # field number, term length, postings, value bytes

Row = tuple[str, bytes, "Postings"]


class SegmentBuilder:
    """Collects documents for one new segment of ``ix`` and writes it on ``finish()``."""

    def __init__(self, ix: Any, *, spill_bytes: int = SPILL_BYTES, flush_words: int = FLUSH_WORDS) -> None:
        self.storage = ix.storage
        self.schema = ix.schema
        self.codec = default_codec()
        self.segment = self.codec.new_segment(self.storage, ix.indexname)
        self.perdoc = self.codec.per_document_writer(self.storage, self.segment)
        self.docnum = 0
        # field -> term (str, or bytes for non-text fields) -> its postings since the last spill
        self.postings: dict[str, dict[Any, Postings]] = defaultdict(dict)
        self.held = 0  # about how many bytes self.postings, the word buffers and the chunks in memory hold
        self.spill_bytes = spill_bytes
        self.flush_words = flush_words
        self.runs: list[IO[bytes]] = []  # sorted runs already written out, oldest first
        self.terms_writer: Any = None  # Whoosh's term table and postings writer, while finish() runs
        self.fields: list[str] = []  # the run files' field numbers
        # field -> per-document length, for the block statistics Whoosh keeps
        self.lengths: dict[str, array] = {}
        # spelling field -> word -> documents containing it
        self.spelling: dict[str, dict[str, int]] = defaultdict(dict)
        # Text fields whose chain (named by the field list) gives their words without Whoosh's token objects
        self.fast = {
            name: chain
            for name, chain in text_chains().items()
            if name in self.schema and type(self.schema[name].format) is Positions
        }
        self.terms = Terms()
        self.vocabularies: dict[str, Vocabulary] = {}  # chain code -> its words
        self.buffers: dict[str, FieldBuffer] = {}  # text field -> its words since the last chunk
        self.chunks: dict[str, list[Chunk]] = defaultdict(list)  # text field -> its sorted chunks
        self.buffered = 0  # words in self.buffers
        self.chunk_file: IO[bytes] | None = None  # where spilled chunks keep their postings
        # field -> value -> its terms, while the field's values repeat (``_index``)
        self.indexed: dict[str, dict[Any, list[tuple[bytes, int, float, bytes]]] | None] = defaultdict(dict)

    def add(self, article: Article) -> None:
        """Add one article."""
        self.add_document(**to_document(article))

    def add_document(self, **fields: Any) -> None:
        """Add one document, fields as for Whoosh's ``IndexWriter.add_document``.

        Text fields with a fast chain skip Whoosh's token chain: their words
        are buffered as numbers and become postings in bulk (``bulk``).
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
                chain = self.fast.get(name)
                if chain is not None:
                    buffer = self.buffers.get(name) or self._buffer(name, chain)
                    words = len(buffer)
                    length = buffer.add(docnum, value)
                    words = len(buffer) - words
                    self.buffered += words
                    held += WORD_BYTES * words
                else:
                    terms = self.postings[name]
                    for tbytes, freq, weight, vbytes in self._index(name, fld, value):
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
        elif self.buffered > self.flush_words:
            self._flush()

    def _index(self, name: str, fld: Any, value: Any) -> list[tuple[bytes, int, float, bytes]]:
        """``fld.index(value)``, remembered for a field whose values repeat (a date's eight numeric terms, a
        language, a source); a field whose values keep changing (ids, hashes) stops being remembered."""
        seen = self.indexed.get(name)
        if seen is None or not isinstance(value, str | datetime):
            return list(fld.index(value))
        found = seen.get(value)
        if found is None:
            found = seen[value] = list(fld.index(value))
            if len(seen) > INDEX_CACHE:
                self.indexed[name] = None
        return found

    def _buffer(self, name: str, chain: Any) -> FieldBuffer:
        vocabulary = self.vocabularies.get(chain.code)
        if vocabulary is None:
            vocabulary = self.vocabularies[chain.code] = Vocabulary(chain, self.terms)
        buffer = self.buffers[name] = FieldBuffer(vocabulary)
        return buffer

    def _flush(self) -> None:
        """Sort every field's buffered words into a chunk."""
        for name, buffer in self.buffers.items():
            fld = self.schema[name]
            spelling = self.spelling[fld.spelling_fieldname(name)] if fld.separate_spelling() else None
            chunk = buffer.chunk(spelling)
            if chunk is not None:
                self.chunks[name].append(chunk)
                self.held += chunk.nbytes
        self.held -= WORD_BYTES * self.buffered
        self.buffered = 0
        for vocabulary in self.vocabularies.values():
            vocabulary.trim()

    def finish(self) -> Any:
        """Write the postings and close the segment's files; returns the Whoosh segment."""
        self._flush()
        self.perdoc.close()
        writer = self.terms_writer = self.codec.field_writer(self.storage, self.segment)
        # text fields (from chunks) and spelling fields, written in their turn among the others
        pending = sorted([*((name, "text") for name in self.chunks), *((name, "spelling") for name in self.spelling)])

        def write_pending(before: str | None) -> None:
            while pending and (before is None or pending[0][0] < before):
                name, kind = pending.pop(0)
                writer.start_field(name, self.schema[name])
                if kind == "text":
                    self._write_text(writer, name)
                else:
                    rows = sorted((word.encode("utf-8"), Postings.one(0, n)) for word, n in self.spelling[name].items())
                    self._write_field(writer, rows, None, alike=True)
                writer.finish_field()

        for name, rows in groupby(self._merged(), key=lambda row: row[0]):
            write_pending(name)
            writer.start_field(name, self.schema[name])
            self._write_field(writer, ((btext, found) for _, btext, found in rows), self.lengths.get(name))
            writer.finish_field()
        write_pending(None)
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
        """Write what is held to new sorted runs and start afresh.

        Other fields' postings go to a run file, text fields' chunks to one
        file they are then read back from a window at a time. Both are anonymous files
        in the index's own folder: gone with the process however it ends, and
        on the disk that holds the index rather than in a ``/tmp`` that may be
        memory.
        """
        self._flush()
        if self.chunk_file is None:
            self.chunk_file = self._anonymous_file()
        for chunks in self.chunks.values():
            chunks[:] = [chunk if chunk.on_disk else chunk.save(self.chunk_file) for chunk in chunks]
        run = self._anonymous_file()
        self.runs.append(run)
        numbers = {name: number for number, name in enumerate(self.fields)}
        write = run.write
        for name, btext, found in self._held_rows():
            number = numbers.get(name)
            if number is None:
                number = numbers[name] = len(self.fields)
                self.fields.append(name)
            write(_RUN_HEADER.pack(number, len(btext), len(found.docnums), len(found.values)))
            write(btext)
            for part in found.parts():
                write(part)
        run.flush()
        self.postings = defaultdict(dict)
        self.held = 0

    def _anonymous_file(self) -> IO[bytes]:
        return tempfile.TemporaryFile(dir=getattr(self.storage, "folder", None))  # closed by finish/cancel

    def _read_run(self, run: IO[bytes]) -> Iterator[Row]:
        run.seek(0)
        read, size = run.read, _RUN_HEADER.size
        while header := read(size):
            number, term_length, count, extra = _RUN_HEADER.unpack(header)
            btext = read(term_length)
            yield self.fields[number], btext, Postings.read(read, count, extra)

    def _write_text(self, writer: Any, name: str) -> None:
        """A text field's postings, from its chunks."""
        import numpy as np

        boost = self.schema[name].format.field_boost
        lengths = np.array(self.lengths[name], dtype=np.uint8)  # each document's length, as Whoosh stores it
        for terms, first, docs, counts, positions in merged_windows(self.chunks.pop(name), self.terms.texts):
            _write_window(writer, terms, first, docs, counts, positions, boost, lengths)

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
        self.chunks.clear()
        for run in [*self.runs, *([self.chunk_file] if self.chunk_file else [])]:
            run.close()
        self.runs = []
        self.chunk_file = None

    @staticmethod
    def _write_field(writer: Any, rows: Iterable[tuple[bytes, Postings]], lengths: Any, *, alike: bool = False) -> None:
        """Each term's postings, filled into the codec's blocks directly.

        ``alike``: many terms have the same postings (spelling words: one dummy posting each), so their
        entries are the same bytes, made once."""
        table = [byte_to_length(b) if b else 0 for b in range(256)]
        key = pack_ushort(writer._fieldid)

        def sizes_of(docnums: Any) -> list[int]:
            """The documents' field lengths as Whoosh reads them back (quantised), zeros left out."""
            if lengths is None:
                return []
            return [table[lengths[d]] for d in docnums if d < len(lengths) and lengths[d]]

        same: dict[tuple[Any, ...], bytes] | None = {} if alike else None
        entries: list[tuple[bytes, bytes]] = []  # the inlined terms' table entries not yet written
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
                entries.append((key + btext, entry))
                continue
            _add_entries(writer._tindex, entries)  # in key order, before this term's entry
            entries.clear()
            values = postings.value_list()
            mixed = 0 < len(values) < len(docnums)  # some values empty: keep their places for the block cuts
            if mixed:
                values = postings.value_list(keep_empty=True)
            _write_blocks(writer, btext, docnums, weights, values, sizes_of, mixed=mixed)
        _add_entries(writer._tindex, entries)


def _write_blocks(
    writer: Any, btext: bytes, docnums: Any, weights: Any, values: Any, sizes_of: Any, *, mixed: bool = False
) -> None:
    """One term's postings as blocks in the postings file (``mixed``: leave empty values out)."""
    post = writer._postwriter
    limit = post._blocklimit
    writer._btext = btext
    post.start_postings(writer._fieldobj.format, W3TermInfo())
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


def _write_window(
    writer: Any, terms: list[str], first: Any, docs: Any, counts: Any, positions: Any, boost: float, lengths: Any
) -> None:
    """Text terms with their postings (``first``: where each term's postings start), as ``_write_field`` writes
    them, each term's statistics computed for all terms at once; ``lengths``: each document's length byte."""
    import numpy as np

    blob, end = encode_positions(counts, positions)
    ends = end.tolist()
    values = [blob[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]
    weights32 = counts.astype(np.float32) * np.float32(boost)
    weights, docnums = weights32.tolist(), docs.tolist()
    bounds = [*first.tolist(), len(docnums)]
    totals = np.add.reduceat(weights32.astype(np.float64), first).tolist()
    tops = np.maximum.reduceat(weights32, first).tolist()
    found = lengths[docs].astype(np.int16)
    least = np.minimum.reduceat(found, first).tolist()  # never 0: a document holding a term has a length
    most = np.maximum.reduceat(found, first).tolist()

    key = pack_ushort(writer._fieldid)
    pack = W3TermInfo._struct.pack
    post = writer._postwriter
    entries: list[tuple[bytes, bytes]] = []  # the term table's keys and values
    gaps: list[int] | None = None  # each document number less the one before it in its block
    start = 0  # where the next term's blocks go in the postings file
    for i, term in enumerate(terms):
        a, b = bounds[i], bounds[i + 1]
        btext = term.encode("utf-8")
        ids = docnums[a:b]
        if b - a < INLINE_LIMIT:
            # what W3TermInfo.to_bytes makes of an inlined posting list
            inlined = (tuple(ids), tuple(weights[a:b]), tuple(values[a:b]))
            head = pack(True, totals[i], b - a, least[i], most[i], tops[i], ids[0], ids[-1])
            entries.append((key + btext, head + dumps(inlined, PICKLE_PROTOCOL)))
            continue
        if gaps is None:
            gaps = np.diff(docs, prepend=0).tolist()
            start = writer._postfile.tell()
        size = _write_term_blocks(post, a, b, docnums, gaps, weights, values, lengths)
        head = pack(False, totals[i], b - a, least[i], most[i], tops[i], ids[0], ids[-1])
        entries.append((key + btext, head + pack_long(start) + pack_int(size)))
        start += size
    _add_entries(writer._tindex, entries)


def _add_entries(table: Any, entries: list[tuple[bytes, bytes]]) -> None:
    """What ``OrderedHashWriter.add`` does for each (key, value), keys ascending, in one write: the file's
    position is asked once, not twice an entry."""
    if not entries:
        return
    if entries[0][0] <= table.lastkey:
        raise ValueError(f"Keys must increase: {table.lastkey!r}..{entries[0][0]!r}")
    position = table.dbfile.tell()
    hashed, buckets, places, lengths = table.hashfn, table.buckets, table.index, _ENTRY_LENGTHS
    parts = []
    for key, value in entries:
        places.append(position)
        code = hashed(key)
        buckets[code & 255].append((code, position))
        parts += (lengths.pack(len(key), len(value)), key, value)
        position += lengths.size + len(key) + len(value)
    table.dbfile.write(b"".join(parts))
    table.lastkey = entries[-1][0]


def _write_term_blocks(
    post: Any,
    a: int,
    b: int,
    docnums: list[int],
    gaps: list[int],
    weights: list[float],
    values: list[bytes],
    lengths: Any,
) -> int:
    """Postings ``a`` to ``b`` as the codec's postings writer ``post`` (its file, block size and compression)
    would write them in ``W3PostingsWriter._write_block``; returns the bytes written."""
    write, limit, level = post._postfile.write, post._blocklimit, post._compression
    write(WHOOSH3_HEADER_MAGIC)
    written = len(WHOOSH3_HEADER_MAGIC)
    for start in range(a, b, limit):
        end = min(start + limit, b)
        block = weights[start:end]
        low, high = min(block), max(block)
        mini = (None if high == 1.0 else block[0]) if low == high else tuple(block)
        data = dumps(((docnums[start], *gaps[start + 1 : end]), mini, tuple(values[start:end])), PICKLE_PROTOCOL)
        if level:
            data = compress(data, level)
        sizes = lengths[docnums[start:end]]
        info = dumps((end - start, docnums[end - 1], high, level, int(sizes.min()), int(sizes.max())), 2)
        size = len(info) + len(data)
        write(pack_int(-size if end == b else size))
        write(info)
        write(data)
        written += 4 + size
    return written


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
