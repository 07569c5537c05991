"""Keyword search and similar articles: ranked hits with snippets and, if asked, summaries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kzjp_cli import snippets
from kzjp_cli.articles import Article
from kzjp_cli.errors import QueryError
from kzjp_cli.index import CorpusIndex

if TYPE_CHECKING:
    from kzjp_cli.store import Found

SORTS = ("relevance", "date")


@dataclass
class Hit:
    """One search result: the article (its fields as ``list`` and ``show`` give them) and why it matched."""

    rank: int
    article: Article
    score: float
    snippet: str
    marks: list[tuple[int, int]] = field(default_factory=list, repr=False)
    """Character spans of ``snippet`` that matched the query, for highlighting."""
    summary: list[str] | None = None
    """A query-focused summary, when asked for."""

    def to_record(self) -> dict[str, object]:
        """Rank, the article's record, score and snippet (and the summary, when asked for)."""
        record: dict[str, object] = {"rank": self.rank, **self.article.to_record()}
        record.update(score=round(self.score, 4), snippet=self.snippet)
        return record | ({"summary": self.summary} if self.summary is not None else {})


@dataclass
class SearchResult:
    """The hits shown, how many matched in all, and a spelling suggestion."""

    hits: list[Hit]
    total: int | None = None
    """How many articles match: counted only with ``count_only`` (counting every match is slow)."""
    suggestion: str | None = None


def search(
    index: CorpusIndex,
    text: str,
    *,
    limit: int = 10,
    since: dt.date | None = None,
    until: dt.date | None = None,
    langs: Sequence[str] = (),
    sort: str = "relevance",
    count_only: bool = False,
    summary: int | None = None,
) -> SearchResult:
    """Run a query against the index and return ranked hits with snippets (``langs``: only those languages)."""
    if sort not in SORTS:
        raise QueryError(f"unknown sort {sort!r} (choose from {', '.join(SORTS)})")
    found = index.matches(text, limit=limit, since=since, until=until, langs=langs, sort=sort, count_only=count_only)
    return SearchResult(hits=_hits(found, summary=summary, query=text), total=found.total, suggestion=found.suggestion)


def similar(index: CorpusIndex, article_id: str, *, limit: int = 10) -> list[Hit]:
    """The articles most like one article, best first."""
    return _hits(index.similar_to(article_id, limit=limit))


def _hits(found: Found, *, summary: int | None = None, query: str | None = None) -> list[Hit]:
    """Hits with snippets (matched words marked) and, if asked, query-focused summaries."""
    hits = []
    for rank, match in enumerate(found.matches, start=1):
        article = match.article
        snippet, marks = snippets.snippet(article.body, match.terms, lang=article.lang)
        chosen = None
        if summary:
            from kzjp_cli import summarize

            chosen = [unit.text for unit in summarize.summarize(article, count=summary, query=query).sentences]
        hits.append(Hit(rank=rank, article=article, score=match.score, snippet=snippet, marks=marks, summary=chosen))
    return hits
