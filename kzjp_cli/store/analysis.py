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


ENGLISH = EnglishChain()
CHAINS: dict[str, EnglishChain] = {ENGLISH.code: ENGLISH}
"""Every analysis chain, by language code."""


def chain(code: str | None = None) -> EnglishChain:
    """The analysis chain for a language code; English for None or a language without its own chain."""
    return CHAINS.get(code or ENGLISH.code, ENGLISH)
