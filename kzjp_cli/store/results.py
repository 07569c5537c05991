"""What the store's reads return: plain data, no Whoosh objects."""

from __future__ import annotations

from dataclasses import dataclass, field

from kzjp_cli.articles import Article


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
