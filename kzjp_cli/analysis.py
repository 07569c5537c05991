"""Text analysis shared by indexing, querying and (later) summaries.

Index-time and query-time analysis must be identical, so every Whoosh field and
every place that matches words "as the index does" takes its analyzer from here.
``index_terms`` is the same analysis without Whoosh's per-token objects, for
bulk builds; it reads its pattern, stop list and stemmer off ``analyzer()``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def analyzer() -> Any:
    """Lower-cased word tokens, English stop words removed, Porter-stemmed."""
    from whoosh.analysis import StemmingAnalyzer

    return StemmingAnalyzer(cachesize=100_000)


def terms(text: str) -> list[str]:
    """The index terms (stems) of ``text``, in order."""
    return [token.text for token in analyzer()(text)]


@lru_cache(maxsize=1)
def _fast_chain() -> tuple[re.Pattern[str], Callable[[str], str | None], dict[str, str | None]]:
    tokenizer, _lower, stop, stem = analyzer().items
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


def token_pattern() -> str:
    """The index tokenizer's regular expression, its groups made non-capturing."""
    return _fast_chain()[0].pattern


def term_of(word: str) -> str | None:
    """The index term of one lower-cased word, or None for a word the index drops (a stop word)."""
    _expression, learn, table = _fast_chain()
    term = table.get(word, _UNSEEN)
    return learn(word) if term is _UNSEEN else term  # type: ignore[return-value]


def index_terms(text: str) -> tuple[dict[str, list[int]], list[str]]:
    """Each term of ``text`` with its positions, and the unstemmed words kept.

    Exactly what ``analyzer()`` yields at index time (tested against it): the
    first kept word keeps its raw position, later ones are numbered on from it,
    as Whoosh's StopFilter renumbers them.
    """
    expression, learn, table = _fast_chain()
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


_UNSEEN = object()
