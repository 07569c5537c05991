"""Japanese words, with SudachiPy and its small dictionary (both pinned: they decide the index terms).

Sudachi is loaded on first use (about 60 ms), so only Japanese text pays for
it. Words come in Sudachi's longest mode (``C``: 首相官邸 stays one word) with
their normalised form (為る for し, ＥＸＰＯ as expo), their part of speech,
their character offsets, and the shorter words a compound is made of.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, NamedTuple

from kzjp_cli.languages.base import Language

CHUNK_BYTES = 30_000
"""Sudachi refuses input over 49,149 bytes, so text is cut into pieces of at most this size."""
PUNCTUATION = frozenset({"補助記号", "記号", "空白"})
"""Parts of speech that are not words: symbols, punctuation, white space."""
FUNCTION = frozenset({"助詞", "助動詞"})
"""Particles and auxiliary verbs: words, but never what a search or a topic is about."""
_CUT = re.compile(r"(?<=[。！？!?\n])")


class Word(NamedTuple):
    """One Japanese word of a text."""

    surface: str
    normalized: str
    pos: str
    start: int
    end: int
    parts: tuple[str, ...] = ()
    """The normalised forms of the shorter words a compound is made of (empty if it is one word)."""
    kind: str = ""
    """The part of speech's second level: 固有名詞 for a proper noun, 数詞 for a numeral…"""


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    from sudachipy import Dictionary

    return Dictionary(dict="small").tokenizer()


def _pieces(text: str) -> Iterator[tuple[int, str]]:
    """``text`` in pieces Sudachi accepts, cut after sentence ends or line breaks, with their offsets."""
    start, size = 0, 0
    offset = 0
    for part in _CUT.split(text):
        length = len(part.encode("utf-8"))
        if size and size + length > CHUNK_BYTES:
            yield start, text[start:offset]
            start, size = offset, 0
        while length > CHUNK_BYTES:  # one very long sentence: cut it anywhere
            cut = CHUNK_BYTES // 4
            yield offset, part[:cut]
            offset, part = offset + cut, part[cut:]
            start, length = offset, len(part.encode("utf-8"))
        size += length
        offset += len(part)
    if start < len(text):
        yield start, text[start:]


COMPOUND_CHARS = 3
"""Shorter words are never split into parts (asking Sudachi costs a call a word)."""


def words(text: str) -> tuple[Word, ...]:
    """Every word of ``text`` (punctuation left out), in order.

    The last few texts' words are remembered: a build counts an article's
    words and then indexes them, and Sudachi is most of a Japanese build's time.
    """
    return _words(text)


@lru_cache(maxsize=8)
def _words(text: str) -> tuple[Word, ...]:
    from sudachipy import SplitMode

    tokenizer = _tokenizer()
    found = []
    for offset, piece in _pieces(text):
        for morpheme in tokenizer.tokenize(piece, SplitMode.C):
            pos, kind = morpheme.part_of_speech()[:2]
            if pos in PUNCTUATION:
                continue
            surface = morpheme.surface()
            split = morpheme.split(SplitMode.A) if len(surface) >= COMPOUND_CHARS else ()
            parts = tuple(m.normalized_form() for m in split) if len(split) > 1 else ()
            found.append(
                Word(
                    surface,
                    morpheme.normalized_form(),
                    pos,
                    offset + morpheme.begin(),
                    offset + morpheme.end(),
                    parts,
                    kind,
                )
            )
    return tuple(found)


JAPANESE = Language(
    "ja", "Japanese", "ja", "cjk", analysis="japanese", spaced=False, sumy="japanese", compound_query="and"
)
"""Every word of a query must match (a compound's parts are its terms too); topics come from parts of speech."""
