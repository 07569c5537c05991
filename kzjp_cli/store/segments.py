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
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from contextlib import suppress
from pickle import dumps
from struct import Struct
from typing import Any

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


class SegmentBuilder:
    """Collects documents for one new segment of ``ix`` and writes it on ``finish()``."""

    def __init__(self, ix: Any) -> None:
        self.storage = ix.storage
        self.schema = ix.schema
        self.codec = default_codec()
        self.segment = self.codec.new_segment(self.storage, ix.indexname)
        self.perdoc = self.codec.per_document_writer(self.storage, self.segment)
        self.docnum = 0
        # field -> term (str, or bytes for non-text fields) -> its postings
        self.postings: dict[str, dict[Any, Postings]] = defaultdict(dict)
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
                        count = len(where)
                        length += count
                        if count == 1:
                            value_bytes = _ONE + dumps(where, 2)
                        else:
                            deltas = [b - a for a, b in zip([0, *where], where, strict=False)]
                            value_bytes = pack_uint(count) + dumps(deltas, 2)
                        found = terms.get(term)
                        if found is None:
                            found = terms[term] = Postings()
                        found.add(docnum, count * boost, value_bytes)
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
                        found.add(docnum, weight, vbytes)
                if fld.scorable:
                    lengths = self.lengths.setdefault(name, array("B"))
                    lengths.extend(b"\0" * (docnum + 1 - len(lengths)))
                    lengths[docnum] = length_to_byte(length) if length else 0
            perdoc.add_field(name, fld, value if fld.stored else None, length)
            if fld.column_type:
                perdoc.add_column_value(name, fld.column_type, fld.to_column_value(value))
        perdoc.finish_doc()
        self.docnum += 1

    def finish(self) -> Any:
        """Write the postings and close the segment's files; returns the Whoosh segment."""
        self.perdoc.close()
        writer = self.codec.field_writer(self.storage, self.segment)
        names = sorted(set(self.postings) | set(self.spelling))
        for name in names:
            writer.start_field(name, self.schema[name])
            if name in self.spelling:
                rows = [(word.encode("utf-8"), Postings.one(0, n)) for word, n in self.spelling[name].items()]
            else:
                rows = [
                    (term.encode("utf-8") if isinstance(term, str) else term, plist)
                    for term, plist in self.postings[name].items()
                ]
            rows.sort(key=lambda row: row[0])
            self._write_field(writer, rows, self.lengths.get(name))
            writer.finish_field()
        writer.close()
        self.segment.set_doc_count(self.docnum)
        if self.segment.should_assemble():
            self.segment.create_compound_file(self.storage)
            self.segment.compound = True
        return self.segment

    def cancel(self) -> None:
        """Close what is still open after a failure; the caller removes the folder."""
        if not self.perdoc.is_closed:
            with suppress(Exception):  # an interrupted close can leave Whoosh's files half-closed
                self.perdoc.close()

    @staticmethod
    def _write_field(writer: Any, rows: list[tuple[bytes, Postings]], lengths: Any) -> None:
        """Each term's postings, filled into the codec's blocks directly."""
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

        for btext, postings in rows:
            docnums, weights, values = postings.docnums, postings.weights, postings.values
            if len(docnums) < INLINE_LIMIT:
                # What start_postings/add_posting/finish_postings would store, without the calls
                sizes = sizes_of(docnums)
                info = W3TermInfo()
                floats = weights.tolist()
                info._weight, info._df, info._maxweight = sum(floats), len(floats), max(floats)
                info._minlength, info._maxlength = (min(sizes), max(sizes)) if sizes else (None, 0)
                info._minid, info._maxid = docnums[0], docnums[-1]
                info._inlined = (tuple(docnums), tuple(floats), tuple(v for v in values if v))
                writer._tindex.add(key + btext, info.to_bytes())
                continue
            writer._btext = btext
            post.start_postings(fmt, W3TermInfo())
            for start in range(0, len(docnums), limit):
                if start:
                    post._write_block()
                end = start + limit
                post._ids.extend(docnums[start:end])
                post._weights.extend(weights[start:end])
                post._values.extend([v for v in values[start:end] if v])
                post._maxweight = max(post._weights)
                sizes = sizes_of(docnums[start:end])
                if sizes:
                    post._minlength, post._maxlength = min(sizes), max(sizes)
            writer.finish_term()


class Postings:
    """One term's postings in a segment being built, in compact arrays (a 10,000-article build holds millions)."""

    __slots__ = ("docnums", "values", "weights")

    def __init__(self) -> None:
        self.docnums = array("I")
        self.weights = array("f")
        self.values: list[bytes] = []

    def add(self, docnum: int, weight: float, value: bytes) -> None:
        self.docnums.append(docnum)
        self.weights.append(weight)
        self.values.append(value)

    @classmethod
    def one(cls, docnum: int, weight: float) -> Postings:
        postings = cls()
        postings.add(docnum, weight, b"")
        return postings
