"""The store's plain data: the options a search takes, and what its reads return. No Whoosh objects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kzjp_cli.articles import Article
from kzjp_cli.errors import QueryError

SORTS = ("relevance", "date")
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
"""The query language's operators: words that join others, never words searched for."""


@dataclass(frozen=True)
class SearchOptions:
    """How a search runs, passed down whole from the command line to the store."""

    limit: int | None = 10
    """How many hits to return (every hit for None)."""
    offset: int = 0
    """Hits to skip first (the next page)."""
    since: dt.date | None = None
    until: dt.date | None = None
    langs: tuple[str, ...] = ()
    """Only articles in these languages (ISO 639-1 codes); any for none."""
    sort: str = "relevance"
    """``relevance`` or ``date`` (newest first)."""
    count_only: bool = False
    """Count the matches only: no hits."""
    with_total: bool = False
    """Count every match as well as returning the hits."""
    ids: frozenset[str] | None = None
    """Only these articles (any for None)."""
    suggest: bool = True
    """Offer a spelling suggestion when nothing matches (it costs an edit-distance search of the index's words)."""
    added_since: dt.date | None = None
    added_until: dt.date | None = None
    """Only articles added to the corpus on or after, on or before these days (the index turns them into ``ids``:
    when an article was added is the corpus's business, not the search engine's)."""

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise QueryError(f"unknown sort {self.sort!r} (choose from {', '.join(SORTS)})")


@dataclass
class Match:
    """One article a query matched, with its score and the analysed terms it matched on."""

    article: Article
    score: float
    terms: frozenset[str] = field(default_factory=frozenset)


@dataclass
class Found:
    """What a query found: the matches asked for, the total when counted, a suggestion when none."""

    matches: list[Match] = field(default_factory=list)
    total: int | None = None
    suggestion: str | None = None
