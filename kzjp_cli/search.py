"""Keyword search and similar articles: ranked hits with snippets and, if asked, summaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kzjp_cli import snippets
from kzjp_cli.articles import FIELDS, Article
from kzjp_cli.index import CorpusIndex
from kzjp_cli.store import SearchOptions
from kzjp_cli.store.results import SORTS

if TYPE_CHECKING:
    from kzjp_cli.aliases import AliasTable
    from kzjp_cli.store import Found

__all__ = ["SORTS", "Hit", "SearchOptions", "SearchResult", "search", "similar", "with_aliases"]


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
    aliases: dict[str, list[str]] = field(default_factory=dict)
    """The other spellings the query's names were searched as (the same for every hit of a query)."""

    @staticmethod
    def fields() -> list[str]:
        """The keys of every hit's record (its header in CSV and TSV, with no hits too)."""
        return ["rank", *(name for name, spec in FIELDS.items() if spec.record), "score", "snippet"]

    def to_record(self) -> dict[str, object]:
        """Rank, the article's record, score and snippet (and the summary and aliases, when there are any)."""
        record: dict[str, object] = {"rank": self.rank, **self.article.to_record()}
        record.update(score=round(self.score, 4), snippet=self.snippet)
        if self.summary is not None:
            record["summary"] = self.summary
        if self.aliases:
            record["aliases"] = self.aliases
        return record


@dataclass
class SearchResult:
    """The hits shown, how many matched in all, and a spelling suggestion."""

    hits: list[Hit]
    total: int | None = None
    """How many articles match: given only with ``count_only`` or ``with_total`` (for the few queries Whoosh
    ranks itself, counting costs a second query)."""
    suggestion: str | None = None
    aliases: dict[str, list[str]] = field(default_factory=dict)
    """Each name in the query and the other spellings it was searched as."""


def with_aliases(index: CorpusIndex, text: str, names: AliasTable | None) -> tuple[str, dict[str, list[str]]]:
    """The query with its names' other spellings in the index's other scripts OR-ed in, and what was added."""
    if names is None:
        return text, {}
    from kzjp_cli import aliases

    return aliases.expand(text, names, index.scripts_in_use())


def search(
    index: CorpusIndex,
    text: str,
    options: SearchOptions | None = None,
    *,
    summary: int | None = None,
    names: AliasTable | None = None,
) -> SearchResult:
    """Run a query against the index and return ranked hits with snippets.

    ``options`` say which hits (see ``SearchOptions``); with ``names`` (an
    alias table), a name in the query also finds its other spellings; with
    ``summary``, each hit gets a query-focused summary of that many sentences.
    """
    options = options or SearchOptions()

    def answer() -> SearchResult:
        expanded, added = with_aliases(index, text, names)
        found = index.matches(expanded, options)
        hits = _hits(found, summary=summary, query=expanded, first=options.offset + 1)
        for hit in hits:
            hit.aliases = added
        return SearchResult(hits=hits, total=found.total, suggestion=found.suggestion, aliases=added)

    return index.consistent(answer)


def similar(index: CorpusIndex, article_id: str, *, limit: int = 10) -> list[Hit]:
    """The articles most like one article, best first."""
    return _hits(index.similar_to(article_id, limit=limit))


def _hits(found: Found, *, summary: int | None = None, query: str | None = None, first: int = 1) -> list[Hit]:
    """Hits with snippets (matched words marked) and, if asked, query-focused summaries; ranked from ``first``."""
    hits = []
    for rank, match in enumerate(found.matches, start=first):
        article = match.article
        snippet, marks = snippets.snippet(article.body, match.terms, lang=article.lang)
        chosen = None
        if summary:
            from kzjp_cli import summarize

            chosen = [unit.text for unit in summarize.summarize(article, count=summary, query=query).sentences]
        hits.append(Hit(rank=rank, article=article, score=match.score, snippet=snippet, marks=marks, summary=chosen))
    return hits
