"""What a corpus and its index hold: articles, words, languages, years, sources, index size and age."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from kzjp_cli import store
from kzjp_cli.index import MARKER, CorpusIndex, read_marker


@dataclass
class Stats:
    """Counts over the indexed articles, and the index's own size and age."""

    corpus: str
    index: str
    articles: int
    words: int
    undated: int
    first: dt.date | None
    last: dt.date | None
    languages: dict[str, int] = field(default_factory=dict)
    years: dict[str, int] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    index_bytes: int = 0
    updated: str | None = None

    def to_record(self) -> dict[str, object]:
        return {
            "corpus": self.corpus,
            "index": self.index,
            "articles": self.articles,
            "words": self.words,
            "undated": self.undated,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "languages": self.languages,
            "years": self.years,
            "sources": self.sources,
            "skipped": self.skipped,
            "index_bytes": self.index_bytes,
            "updated": self.updated,
        }


def corpus_stats(index: CorpusIndex) -> Stats:
    """The statistics of an opened index (read from its manifest: no article is read again)."""
    articles = index.articles()
    dates = sorted(a.date for a in articles if a.date)
    marker = read_marker(index.root) or {}
    size = sum(store.files(index.generation).values()) + (index.root / MARKER).stat().st_size
    return Stats(
        corpus=str(index.corpus),
        index=str(index.root),
        articles=len(articles),
        words=sum(a.words for a in articles),
        undated=sum(a.date is None for a in articles),
        first=dates[0] if dates else None,
        last=dates[-1] if dates else None,
        languages=dict(Counter(a.lang or "-" for a in articles).most_common()),
        years=dict(sorted(Counter(f"{d.year:04d}" for d in dates).items())),
        sources=dict(Counter(a.source for a in articles if a.source).most_common(10)),
        skipped=len(index.manifest.skipped),
        index_bytes=size,
        updated=marker.get("updated"),
    )
