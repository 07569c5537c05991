"""``list`` and ``show``: the corpus's articles by id or date, from the index's manifest, and whole articles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from kzjp_cli.articles import Article
from kzjp_cli.index import CorpusIndex

SORTS = ("id", "date")


def list_articles(
    index: CorpusIndex, *, sort: str = "id", langs: Sequence[str] = (), limit: int | None = None
) -> list[Article]:
    """The indexed articles (metadata, no body) in ``langs`` (any for none), by id or newest first (undated
    last), at most ``limit`` of them."""
    articles = [a for a in index.articles() if not langs or a.lang in langs]
    if sort == "date":
        articles.sort(key=lambda a: (a.date is not None, a.date or dt.date.min), reverse=True)
    return articles[:limit] if limit else articles


def show_articles(index: CorpusIndex, wanted: Sequence[str]) -> list[Article]:
    """Whole articles (with their text) by id or unique id prefix, in the order asked for."""
    return [index.article(index.full_id(article_id)) for article_id in wanted]
