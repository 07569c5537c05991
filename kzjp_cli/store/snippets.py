"""Snippets: the best passage of an article for a query, with the matched words marked.

Whoosh's highlighter runs each hit's whole body through its analysis chain again
(a token object per word, about 4 ms a hit). For English the body is scanned
once by a regular expression that only stops at words that could stem to a
matched term, and only those words are analysed, with the index's own
word→term table. Other languages go through their own chain, word by word.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from functools import lru_cache

from kzjp_cli.languages import language
from kzjp_cli.store.analysis import ENGLISH, STOP_MARK, chain

SNIPPET_CHARS = 320
SEPARATOR = " … "
_SENTENCE_GAP = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"'”’)\]»])\s+|(?<=[。！？])(?![」』）])\s*")
_MIN_PIECE = 80
"""The fewest characters worth showing of a second sentence."""

Marks = list[tuple[int, int]]


def prefix(term: str) -> str:
    """What every word that stems to ``term`` starts with.

    Porter stemming only rewrites endings, and the first two letters of a stem
    of three or more letters are always the word's (tested); two-letter stems
    can end in an i that was a y (ays → ai), so only their first letter counts.
    """
    term = term.removeprefix(STOP_MARK)  # a stop word in a phrase: the word itself
    return term[:2] if len(term) > 2 else term[:1]


@lru_cache(maxsize=64)
def _finder(prefixes: frozenset[str]) -> re.Pattern[str]:
    """Finds whole tokens, as the index's tokenizer cuts them, that start with one of ``prefixes``."""
    pattern = ENGLISH.token_pattern()
    if not prefixes:
        return re.compile(pattern)
    alternatives = "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True))
    # A token starts where the tokenizer would start one: not inside a word (its characters include *, kept
    # for wildcards), nor after "word.". Besides the tokens with a wanted prefix, every dotted word is looked
    # at: it is also indexed as its parts (amazon.com for "com").
    return re.compile(rf"(?<![\w*])(?<![\w*]\.)(?=(?:{alternatives})|\w+\.\w)(?:{pattern})")


def matches(text: str, terms: Iterable[str], lang: str | None = None) -> Marks:
    """Character spans of the words in ``text`` (in language ``lang``) that have an index term in ``terms``."""
    wanted = set(terms)
    if not wanted:
        return []
    words = chain(language(lang).chain)
    if words is not ENGLISH:
        return [(start, end) for _pos, start, end, found in words.tokens(text) if wanted.intersection(found)]
    lowered = text.lower()
    if len(lowered) == len(text):
        finder = _finder(frozenset(prefix(t) for t in wanted))
    else:  # lower-casing changed the length (İ → i̇), so offsets would drift: look at every token
        lowered, finder = text, _finder(frozenset())
    terms_of = ENGLISH.terms_of
    return [match.span() for match in finder.finditer(lowered) if wanted.intersection(terms_of(match.group().lower()))]


def snippet(text: str, terms: Iterable[str], limit: int = SNIPPET_CHARS, lang: str | None = None) -> tuple[str, Marks]:
    """Up to ``limit`` characters of ``text`` around its best sentences for ``terms``, and the marks.

    Sentences are ranked by how many different terms they hold, then by how
    many matches; the best one (cut around its first match if it is too long)
    and, if it fits, the next best are shown in the order they come.
    """
    flat = " ".join(text.split())
    marks = matches(flat, terms, lang)
    if not marks:
        return lead(flat, limit), []
    gaps = list(_SENTENCE_GAP.finditer(flat))
    starts = [0] + [gap.end() for gap in gaps]
    ends = [gap.start() for gap in gaps] + [len(flat)]
    found: dict[int, Marks] = {}
    for span in marks:
        found.setdefault(bisect.bisect_right(starts, span[0]) - 1, []).append(span)

    def rank(sentence: int) -> tuple[int, int, int]:
        spans = found[sentence]
        return (-len({flat[a:b].lower() for a, b in spans}), -len(spans), sentence)

    pieces: list[tuple[int, int, int]] = []  # (start, end, end of its sentence)
    room = limit
    for sentence in sorted(found, key=rank)[:2]:
        start, end = starts[sentence], ends[sentence]
        if pieces:
            room -= len(SEPARATOR)
        if end - start > room:
            if pieces and room < _MIN_PIECE:
                break
            room -= 4  # for the "… " and " …" of a cut sentence
            first, first_end = found[sentence][0]
            if first_end - start > room * 3 // 4:  # too far in: start closer to it
                start = _word_start(flat, max(start, first - room // 4), first)
        pieces.append((start, min(end, start + room), end))
        room -= pieces[-1][1] - start
    return _join(flat, sorted(pieces), marks, starts)


def _word_start(text: str, at: int, latest: int) -> int:
    """The start of the first whole word at or after ``at``, but no later than ``latest``."""
    if at == 0 or text[at - 1] == " ":
        return at
    space = text.find(" ", at, latest)
    return latest if space < 0 else space + 1


def _join(flat: str, pieces: list[tuple[int, int, int]], marks: Marks, starts: list[int]) -> tuple[str, Marks]:
    """The chosen pieces of ``flat`` joined by separators, cut at word ends, with their marks moved.

    One ellipsis shows each gap: between pieces the separator says it, so a
    cut piece gets its own "…" only at the very start or end.
    """
    out: list[str] = []
    moved: Marks = []
    for number, (start, end, sentence_end) in enumerate(pieces):
        if number:
            out.append(SEPARATOR)
        elif start not in starts:
            out.append("… ")
        text = flat[start:end]
        cut = end < sentence_end
        if cut and flat[end] != " " and " " in text:
            text = text.rsplit(" ", 1)[0]
        offset = sum(map(len, out)) - start
        moved.extend((a + offset, b + offset) for a, b in marks if start <= a and b <= start + len(text))
        out.append(text)
        if cut and number == len(pieces) - 1:
            out.append(" …")
    return "".join(out), moved


def lead(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The start of ``text`` on one line, cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 2].rsplit(" ", 1)[0] + " …"
