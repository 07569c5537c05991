"""What a language object holds: everything kzjp does differently for one language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

COMMON_ABBREVIATIONS = "etc vs e.g i.e a.m p.m"


def abbreviations(words: str) -> frozenset[str]:
    """A language's abbreviations (white-space separated, lower case, no final period) and the common ones."""
    return frozenset((words + " " + COMMON_ABBREVIATIONS).split())


@dataclass(frozen=True)
class TopicWords:
    """What topic extraction needs to know of a language written in words (``topics``)."""

    titles: frozenset[str]
    """Titles split off a name: "Prime Minister Sanae Takaichi" -> "Sanae Takaichi"."""
    generic: frozenset[str]
    """Words frequent in news prose but never a subject on their own (said, year, January…)."""
    conjunction: str
    """The language's "and", which joins two parts of a name only beside a connector."""
    modifier: str
    """A regular expression for the endings of adjectives, adverbs and verb forms: such a word alone is rarely a
    topic."""
    connectors: frozenset[str] = frozenset()
    """Words that may join two capitalised parts of one name ("Port of Aktau")."""
    possessive: bool = False
    """Whether a trailing 's is a possessive to take off (English)."""
    closes_name: Callable[[str], bool] | None = None
    """Whether a lower-case word ends the name it is part of (a Kazakh case ending does)."""
    dictionary_form: Callable[[list[str]], list[str]] | None = None
    """A phrase's words as a dictionary would list the phrase (the nominative: Кубка Райдера -> Кубок Райдера),
    for showing a topic in a language that inflects it."""
    not_topical: Callable[[str], bool] | None = None
    """Whether a lower-case word keeps a phrase from being a topic (a verb form, a pronoun: "тех пор")."""


@dataclass(frozen=True)
class Language:
    """What kzjp does differently for one language; looked up by code with ``languages.language()``."""

    code: str
    """ISO 639-1."""
    name: str
    chain: str
    """The analysis chain's code (``store.analysis``), and so the index fields its articles use."""
    script: str
    """``latin``, ``cyrillic`` or ``cjk``: the script its articles are written in (names are matched across)."""
    analysis: str = "words"
    """How its text becomes index terms: ``english`` (Whoosh's tokenizer, Porter stems, stop words marked),
    ``words`` (Unicode words, each also as its stem if ``stem`` is given) or ``japanese`` (Sudachi)."""
    stem: Callable[[str], str] | None = None
    """The stemmer of one lower-case word, for ``words`` analysis."""
    abbreviations: frozenset[str] = frozenset()
    """Lower-case abbreviations a period does not end a sentence after (without the final period)."""
    spaced: bool = True
    """Whether words are separated by spaces (Japanese: no, so words are counted by the tokenizer)."""
    sumy: str | None = None
    """sumy's name for the language, where sumy has its stemmer or stop words."""
    own_stop_words: frozenset[str] = frozenset()
    """Words a summary or a topic never turns on, where sumy has no list (``registry.stop_words``)."""
    topics: TopicWords | None = None
    """Topic extraction's word lists; None: English's (any Latin-script language), or none needed (Japanese)."""
    compound_query: str = "or"
    """How a query word its chain makes several terms of is matched: ``or`` any of them, ``and`` all."""
