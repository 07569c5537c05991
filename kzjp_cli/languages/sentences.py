"""Sentence splitting for news text, with no downloaded data.

NLTK's Punkt algorithm is used untrained (its English model is a download), so
what it knows about abbreviations comes from the list below: titles, company
forms, months, Latin and measurement abbreviations common in news, and each
language's own (г., т.е., ж., т.б.…, in ``languages``). Japanese is split after
。！？ (inside quotes too, not inside parentheses), closing brackets kept with
their sentence, a quote followed by と/って/、 kept with the sentence around it.
Paragraphs are split first: at blank lines, and at line breaks that follow the
end of a sentence (a hard-wrapped line that stops mid-sentence is joined to the next).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kzjp_cli.languages.registry import language

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

# Abbreviations a name or number follows (Mr. Sato, No. 5, e.g. Japan): a capital after them never starts a sentence.
_CONTINUING = frozenset(
    """
    mr mrs ms mx dr prof rev fr hon gov sen rep pres supt amb gen lt col capt cmdr adm sgt cpl maj st
    no nos vol vols art arts sec ch fig figs pp p para op cf vs v viz approx ca e.g i.e
    """.split()
)
_UNITS = frozenset("bn mln mn tn km kg sq ft mt".split())
# Words that nearly always open a sentence when capitalised after an abbreviation: "Warner Bros. But…".
_STARTERS = frozenset(
    """
    a an and but so yet or nor the this that these those there here it its he she his her they their them we
    our i you what when where while why how who which if as at after before during in on for from by with
    however meanwhile now then still also although though because since some many most several all both each
    one two three no not earlier later last next according
    """.split()
)
_ABBREVIATION_BREAK = re.compile(
    r"(?<![\w.])(?P<word>[A-Za-z][A-Za-z.]*)\.(?P<close>[\"'”’»)]*)\s+(?=[\"“‘'«(]?(?P<next>[A-Z][\w’']*))"
)
_NUMBER_BEFORE = re.compile(r"\d[\d.,]*\s*$")
_CUT_BEFORE_LOWER = re.compile(r"(?:[!?]|[.!?][\"'”’»)]|\. ?\. ?\.|…)$")
_BULLET = re.compile(r"^(?:[-*•–—]|\d{1,2}[.)])\s+(?=\S)")
_TERMINAL = re.compile(r"[.!?…。！？][\"'”’)\]»」』）]*\s*$")
_HEADING = re.compile(r"^\s*#{1,6}\s")
# Punkt keeps these together; before a capitalised word they nearly always end a sentence.
# ... and so do a year's "г."/"гг."/"ж." (Russian and Kazakh for "year"): "в 2024 г. Визит…"
_SECOND_PASS = re.compile(r"(?:\betc\.|\.\.\.|…|(?<=\d{4} )(?:гг?|жж?)\.)[\"'”’»]?\s+(?=[\"“‘'«]?[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ])")
_OPENING, _CLOSING = "「『（(【〈《", "」』）)】〉》"
_JAPANESE_END = "。！？!?"
_QUOTING = "とっ、。，,やのなもをがにはで"
"""What follows a closed quote that is part of the sentence around it: 「…。」と述べた, 「…。」って, 「…。」、"""
_MONTHS = frozenset("jan feb mar apr jun jul aug sep sept oct nov dec".split())
_QUOTE_CLOSERS = "»)"
"""Marks that only close: no sentence starts with one (straight and curly quotes may open one: Kazakh news
often opens a quote with ”)."""


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article: its position (from 0), text and paragraph."""

    position: int
    text: str
    paragraph: int


@lru_cache(maxsize=8)
def _known_abbreviations(lang: str | None) -> frozenset[str]:
    return ABBREVIATIONS | frozenset(language(lang).abbreviations)


@lru_cache(maxsize=8)
def _punkt(lang: str | None = None) -> Any:
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    params = PunktParameters()
    params.abbrev_types = set(_known_abbreviations(lang))
    return PunktSentenceTokenizer(params)


def paragraphs(text: str) -> list[str]:
    """Paragraphs of ``text``, each on one line."""
    result: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        current: list[str] = []
        in_list = False
        for raw in block.splitlines():
            line = raw.strip()
            if not line:
                continue
            if in_list and raw[:1] not in " \t":
                in_list = False  # a line not indented under a list item is not part of it
                if current:
                    result.append(" ".join(current))
                    current = []
            if _HEADING.match(line):
                if current:
                    result.append(" ".join(current))
                    current = []
                result.append(line.lstrip("#").strip())
                continue
            bullet = _BULLET.match(line)
            if bullet:
                if current:
                    result.append(" ".join(current))
                current = [line[bullet.end() :]]
                in_list = True
                if _TERMINAL.search(line):
                    result.append(" ".join(current))
                    current = []
                continue
            current.append(line)
            if _TERMINAL.search(line):
                result.append(" ".join(current))
                current = []
        if current:
            result.append(" ".join(current))
    return [" ".join(p.split()) for p in result if p.strip()]


def _split_japanese(paragraph: str) -> list[str]:
    """Sentences end after 。！？ (inside a quote too: a long quote is several sentences) unless a note in
    parentheses goes on; closing brackets stay with their sentence, and a closed quote followed by と, って,
    、… goes on to the end of the sentence around it: 「…。」と述べた。"""
    result: list[str] = []
    parens, start, i = 0, 0, 0
    while i < len(paragraph):
        char = paragraph[i]
        if char in "（(":
            parens += 1
        elif char in "）)":
            parens = max(0, parens - 1)
        elif char in _JAPANESE_END and parens == 0:
            while i + 1 < len(paragraph) and paragraph[i + 1] in _JAPANESE_END:
                i += 1
            closers = ""
            while i + 1 < len(paragraph) and paragraph[i + 1] in _CLOSING:
                i += 1
                closers += paragraph[i]
            following = paragraph[i + 1 : i + 2]
            if not closers or not following or following not in _QUOTING:
                result.append(paragraph[start : i + 1])
                start = i + 1
        i += 1
    result.append(paragraph[start:])
    return [s.strip() for s in result if s.strip()]


def _ends_at_abbreviation(match: re.Match[str], before: str, known: frozenset[str]) -> bool:
    """Whether the period after an abbreviation Punkt kept inside a sentence ends the sentence after all."""
    word = match["word"]
    lower = word.lower()
    if lower not in known:
        return False
    if word.isupper() and len(word) > 1 and "." not in word:
        return True  # "the SEC. The company": an acronym, not the abbreviation "sec."
    if lower in _CONTINUING:
        return False
    if lower in _UNITS and _NUMBER_BEFORE.search(before):
        return True  # "$4.3 bn. Imports fell"
    if lower in _MONTHS:
        return True  # a month's abbreviation comes before a day ("Dec. 5"), not before a word: "Ant and Dec. Viewers"
    return match["next"].lower() in _STARTERS


def _cuts(paragraph: str, lang: str | None) -> list[int]:
    """Where Punkt, the second pass and the abbreviation rules end sentences: offsets into ``paragraph``."""
    known = _known_abbreviations(lang)
    cuts: set[int] = set()
    for begin, end in _punkt(lang).span_tokenize(paragraph):
        sentence = paragraph[begin:end]
        cuts.update(begin + match.end() for match in _SECOND_PASS.finditer(sentence))
        cuts.update(
            begin + match.end()
            for match in _ABBREVIATION_BREAK.finditer(sentence)
            if _ends_at_abbreviation(match, sentence[: match.start()], known)
        )
        cuts.add(end)
    return sorted(cuts)


def _joins(before: str, after: str) -> bool:
    """Whether a cut Punkt made is wrong: a lone "!" after "!!", a cut inside parentheses
    ("(pop. 20 million)"), or a lowercase word after a quote or a cry ('"Goal!" he shouted', "Yahoo! in")."""
    if not any(char.isalnum() for char in after):
        return True
    if after[0] in _QUOTE_CLOSERS or after[0] in ",;:" or re.match(r"[\"'”’]\s*[,;:]", after):
        return True  # no sentence starts with a closing quote or a comma: «…?», — спросила она
    if after[0] in "—–-" and re.match(r"[—–-]\s*[a-zа-яёәғқңөұүһі]", after) and before.rstrip()[-1:] in '?!»"”':
        return True  # «Куда?» — спросил он: the speaker after a quoted question
    if before.count("(") > before.count(")") and ")" in after and not after[:1].isupper():
        return True
    first = after.split(" ", 1)[0]
    return first.isalpha() and first.islower() and bool(_CUT_BEFORE_LOWER.search(before))


def split_paragraph(paragraph: str, lang: str | None = None) -> list[str]:
    """The sentences of one paragraph (in language ``lang``), verbatim."""
    if not language(lang).spaced:
        return _split_japanese(paragraph)
    spans: list[list[int]] = []
    start = 0
    for cut in _cuts(paragraph, lang):
        piece = paragraph[start:cut].strip()
        if piece:
            begin = paragraph.index(piece[0], start)
            if spans and _joins(paragraph[spans[-1][0] : spans[-1][1]], piece):
                spans[-1][1] = begin + len(piece)
            else:
                spans.append([begin, begin + len(piece)])
        start = cut
    return [paragraph[begin:end] for begin, end in spans]


def split(text: str, lang: str | None = None) -> list[Sentence]:
    """Every sentence of ``text`` (in language ``lang``, English by default) in order, numbered from 0."""
    result: list[Sentence] = []
    for number, paragraph in enumerate(paragraphs(text)):
        for sentence in split_paragraph(paragraph, lang):
            result.append(Sentence(position=len(result), text=sentence, paragraph=number))
    return result
