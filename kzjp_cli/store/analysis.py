"""Text analysis: how text becomes index terms, the same at index time and query time.

Each language's analysis is one object, a chain, looked up by its code with
``chain()``. A chain has Whoosh's analyzer (kept in the schema, so the query
parser uses it) and a fast index-time path that gives exactly the same terms
and positions without Whoosh's per-token objects, for the bulk segment writer
and for snippets (tested against the analyzer on any text). The field list
(``articles.FIELDS``) names each text field's chain, so a second language's
chain is added to ``CHAINS`` beside English without touching any caller.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property, lru_cache
from typing import Any

_UNSEEN = object()


class EnglishChain:
    """Lower-cased word tokens, English stop words removed, Porter-stemmed (Whoosh's StemmingAnalyzer)."""

    code = "en"

    def tokens(self, text: str, *, phrase: bool = False) -> list[Token]:
        """Every kept word's position, offsets and term, as the analyzer gives them."""
        return [(t.pos, t.startchar, t.endchar, (t.text,)) for t in self.analyzer(text, positions=True, chars=True)]

    @cached_property
    def analyzer(self) -> Any:
        """Whoosh's analyzer for the chain's fields."""
        from kzjp_cli.store import engine

        engine.load()
        from whoosh.analysis import StemmingAnalyzer

        return StemmingAnalyzer(cachesize=100_000)

    def terms(self, text: str) -> list[str]:
        """The index terms (stems) of ``text``, in order."""
        return [token.text for token in self.analyzer(text)]

    @cached_property
    def _fast(self) -> tuple[re.Pattern[str], Callable[[str], str | None], dict[str, str | None]]:
        tokenizer, _lower, stop, stem = self.analyzer.items
        stops, minsize, maxsize, stemfn = stop.stops, stop.min, stop.max, stem.stemfn
        # The same pattern with its groups made non-capturing, so findall() yields whole matches.
        expression = re.compile(tokenizer.expression.pattern.replace("(", "(?:"), tokenizer.expression.flags)
        assert expression.groups == 0
        table: dict[str, str | None] = {}  # word -> its term, or None for a word the stop filter drops

        def learn(word: str) -> str | None:
            size = len(word)
            dropped = size < minsize or (maxsize is not None and size > maxsize) or word in stops
            term = table[word] = None if dropped else stemfn(word)
            return term

        return expression, learn, table

    def token_pattern(self) -> str:
        """The tokenizer's regular expression, its groups made non-capturing."""
        return self._fast[0].pattern

    def term_of(self, word: str) -> str | None:
        """The index term of one lower-cased word, or None for a word the index drops (a stop word)."""
        _expression, learn, table = self._fast
        term = table.get(word, _UNSEEN)
        return learn(word) if term is _UNSEEN else term  # type: ignore[return-value]

    def index_terms(self, text: str) -> tuple[dict[str, list[int]], list[str]]:
        """Each term of ``text`` with its positions, and the unstemmed words kept.

        Exactly what the analyzer yields at index time (tested against it): the
        first kept word keeps its raw position, later ones are numbered on from
        it, as Whoosh's StopFilter renumbers them.
        """
        expression, learn, table = self._fast
        positions: dict[str, list[int]] = {}
        kept: list[str] = []
        pos = -1
        for raw, word in enumerate([match.lower() for match in expression.findall(text)]):
            term = table.get(word, _UNSEEN)
            if term is _UNSEEN:
                term = learn(word)
            if term is None:
                continue
            pos = raw if pos < 0 else pos + 1
            kept.append(word)
            found = positions.get(term)
            if found is None:
                positions[term] = [pos]
            else:
                found.append(pos)
        return positions, kept

    @staticmethod
    @lru_cache(maxsize=200_000)
    def stem(word: str) -> str:
        """The Porter stem of one lower-cased word (stop words not dropped)."""
        from kzjp_cli.store import engine

        engine.load()
        from whoosh.lang.porter import stem

        return stem(word)


Token = tuple[int, int, int, tuple[str, ...]]
"""One word of a text as a chain indexes it: position, start and end character, its terms."""

_WORD = re.compile(r"\w+(?:\.?\w+)*")  # Whoosh's default tokenizer pattern


class WordChain:
    """A language written with spaces: Unicode words, lower-cased, each indexed as written and, if the
    language has a stemmer, also as its stem at the same position (a query matches either).

    Stems alone over-stem: Russian визит stems to виз but визита to визит, so a
    query for визит finds визита through the word as written. Text with kana or
    kanji goes through the Japanese chain instead.
    """

    def __init__(self, code: str, stemmer: Callable[[str], str] | None = None) -> None:
        self.code = code
        self._stemmer = stemmer

    def stem(self, word: str) -> str:
        return self._stemmer(word) if self._stemmer else word

    def tokens(self, text: str, *, phrase: bool = False) -> list[Token]:
        """Every word's position, offsets and terms (for a phrase query, only the word as written)."""
        if _has_japanese(text):
            return JAPANESE.tokens(text, phrase=phrase)
        found: list[Token] = []
        for position, match in enumerate(_WORD.finditer(text)):
            word = match.group().lower()
            stemmed = self.stem(word)
            terms = (word,) if phrase or stemmed == word else (word, stemmed)
            found.append((position, match.start(), match.end(), terms))
        return found

    def terms(self, text: str) -> list[str]:
        """The index terms of ``text``, in order."""
        return [term for *_, terms in self.tokens(text) for term in terms]

    def index_terms(self, text: str) -> tuple[dict[str, list[int]], list[str]]:
        """Each term of ``text`` with its positions, and the words as written (for spelling)."""
        return _positions(self.tokens(text))


class JapaneseChain:
    """Japanese with SudachiPy: each word by its normalised form (and the parts of a compound at its position),
    particles, auxiliary verbs and punctuation left out. Text with no kana or kanji never loads Sudachi."""

    code = "ja"

    def tokens(self, text: str, *, phrase: bool = False) -> list[Token]:
        if not _has_japanese(text):
            return OTHER.tokens(text, phrase=phrase)
        from kzjp_cli import japanese

        found: list[Token] = []
        for word in japanese.words(text):
            if word.pos in japanese.FUNCTION:
                continue
            terms = dict.fromkeys([word.normalized.lower(), word.surface.lower(), *(p.lower() for p in word.parts)])
            found.append((len(found), word.start, word.end, (word.normalized.lower(),) if phrase else tuple(terms)))
        return found

    def terms(self, text: str) -> list[str]:
        return [term for *_, terms in self.tokens(text) for term in terms]

    def index_terms(self, text: str) -> tuple[dict[str, list[int]], list[str]]:
        return _positions(self.tokens(text))

    def stem(self, word: str) -> str:
        return word


def _positions(tokens: list[Token]) -> tuple[dict[str, list[int]], list[str]]:
    positions: dict[str, list[int]] = {}
    kept: list[str] = []
    for position, _start, _end, terms in tokens:
        kept.append(terms[0])
        for term in terms:
            positions.setdefault(term, []).append(position)
    return positions, kept


def _has_japanese(text: str) -> bool:
    from kzjp_cli.japanese import has_japanese

    return has_japanese(text)


def _russian_stem() -> Callable[[str], str]:
    stemmer = None

    def stem(word: str) -> str:
        nonlocal stemmer
        if stemmer is None:
            import Stemmer

            stemmer = Stemmer.Stemmer("russian").stemWord
        return stemmer(word)

    return lru_cache(maxsize=200_000)(stem)


def _kazakh_stem(word: str) -> str:
    from kzjp_cli.kazakh import stem

    return stem(word)


ENGLISH = EnglishChain()
OTHER = WordChain("other")
JAPANESE = JapaneseChain()
Chain = EnglishChain | WordChain | JapaneseChain
CHAINS: dict[str, Chain] = {
    "en": ENGLISH,
    "ru": WordChain("ru", _russian_stem()),
    "kk": WordChain("kk", _kazakh_stem),
    "ja": JAPANESE,
    "other": OTHER,
}
"""Every analysis chain, by the code ``languages.Language.chain`` names."""


def chain(code: str | None = None) -> Chain:
    """The analysis chain for a chain code; English for None, the ``other`` chain for an unknown code."""
    return CHAINS.get(code or ENGLISH.code, OTHER)
