"""Sentence splitting for news text, with no downloaded data.

NLTK's Punkt algorithm is used untrained (its English model is a download), so
what it knows about abbreviations comes from the list below: titles, company
forms, months, Latin and measurement abbreviations common in news, and each
language's own (г., т.е., ж., т.б.…, in ``languages``). Japanese is split after
。！？ that are not inside 「」『』（）, closing brackets kept with their sentence.
Paragraphs are split first: at blank lines, and at line breaks that follow the
end of a sentence (a hard-wrapped line that stops mid-sentence is joined to the next).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kzjp_cli.languages import language

# Lower-case, without the final period; Punkt matches them case-insensitively.
ABBREVIATIONS = frozenset(
    """
    mr mrs ms mx dr prof rev fr sr jr st hon gov sen rep pres supt amb gen lt col capt cmdr adm sgt cpl maj
    co corp inc ltd llc plc bros dept univ assn est
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    no nos vol vols art arts sec ch fig figs pp p para ed eds op cit ibid cf al
    etc vs v approx ca e.g i.e viz a.m p.m u.s u.k u.n e.u u.s.a u.s.s.r ph.d m.a b.a m.sc b.sc
    bn mln mn tn km kg sq ft mt
    """.split()
)

_TERMINAL = re.compile(r"[.!?…。！？][\"'”’)\]»」』）]*\s*$")
_HEADING = re.compile(r"^\s*#{1,6}\s")
# Punkt keeps these together; before a capitalised word they nearly always end a sentence.
# ... and so do a year's "г."/"гг."/"ж." (Russian and Kazakh for "year"): "в 2024 г. Визит…"
_SECOND_PASS = re.compile(r"(?:\betc\.|\.\.\.|…|(?<=\d{4} )(?:гг?|жж?)\.)[\"'”’»]?\s+(?=[\"“‘'«]?[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ])")
_OPENING, _CLOSING = "「『（(【〈《", "」』）)】〉》"
_JAPANESE_END = "。！？!?"


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article: its position (from 0), text and paragraph."""

    position: int
    text: str
    paragraph: int


@lru_cache(maxsize=8)
def _punkt(lang: str | None = None) -> Any:
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS) | set(language(lang).abbreviations)
    return PunktSentenceTokenizer(params)


def paragraphs(text: str) -> list[str]:
    """Paragraphs of ``text``, each on one line."""
    result: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        current: list[str] = []
        for line in block.splitlines():
            line = line.strip()
            if not line:
                continue
            if _HEADING.match(line):
                if current:
                    result.append(" ".join(current))
                    current = []
                result.append(line.lstrip("#").strip())
                continue
            current.append(line)
            if _TERMINAL.search(line):
                result.append(" ".join(current))
                current = []
        if current:
            result.append(" ".join(current))
    return [" ".join(p.split()) for p in result if p.strip()]


def _split_japanese(paragraph: str) -> list[str]:
    """Sentences end after 。！？ outside brackets; closing brackets and marks that follow stay with them."""
    result: list[str] = []
    depth, start, i = 0, 0, 0
    while i < len(paragraph):
        char = paragraph[i]
        if char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth = max(0, depth - 1)
        elif char in _JAPANESE_END and depth == 0:
            while i + 1 < len(paragraph) and (paragraph[i + 1] in _JAPANESE_END or paragraph[i + 1] in _CLOSING):
                i += 1
            result.append(paragraph[start : i + 1])
            start = i + 1
        i += 1
    result.append(paragraph[start:])
    return [s.strip() for s in result if s.strip()]


def split_paragraph(paragraph: str, lang: str | None = None) -> list[str]:
    """The sentences of one paragraph (in language ``lang``), verbatim."""
    if not language(lang).spaced:
        return _split_japanese(paragraph)
    result: list[str] = []
    for sentence in _punkt(lang).tokenize(paragraph):
        start = 0
        for match in _SECOND_PASS.finditer(sentence):
            result.append(sentence[start : match.end()])
            start = match.end()
        result.append(sentence[start:])
    return [s.strip() for s in result if s.strip()]


def split(text: str, lang: str | None = None) -> list[Sentence]:
    """Every sentence of ``text`` (in language ``lang``, English by default) in order, numbered from 0."""
    result: list[Sentence] = []
    for number, paragraph in enumerate(paragraphs(text)):
        for sentence in split_paragraph(paragraph, lang):
            result.append(Sentence(position=len(result), text=sentence, paragraph=number))
    return result
