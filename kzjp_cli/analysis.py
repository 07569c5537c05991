"""Text analysis shared by indexing, querying and (later) summaries.

Index-time and query-time analysis must be identical, so every Whoosh field and
every place that matches words "as the index does" takes its analyzer from here.
"""

from __future__ import annotations

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
