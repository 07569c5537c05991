"""``list`` and ``show``: the corpus's articles by id, date or when they were added, from the index's manifest,
and whole articles; which articles a period holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kzjp_cli.articles import Article

if TYPE_CHECKING:
    from kzjp_cli.index import CorpusIndex

SORTS = ("id", "date", "added")


@dataclass(frozen=True)
class Period:
    """Which articles, by their own date and by when they were added to the corpus (days; None: open)."""

    since: dt.date | None = None
    until: dt.date | None = None
    added_since: dt.date | None = None
    added_until: dt.date | None = None

    def __bool__(self) -> bool:
        return any((self.since, self.until, self.added_since, self.added_until))


def ids_in(index: CorpusIndex, period: Period) -> frozenset[str] | None:
    """The articles of ``period`` (None: every article, no period asked for). An undated article is outside any
    period of dates."""
    if not period:
        return None
    dated = period.since or period.until
    found = {
        a.id
        for a in index.articles()
        if not dated
        or (a.date and (not period.since or a.date >= period.since) and (not period.until or a.date <= period.until))
    }
    if period.added_since or period.added_until:
        found &= index.added_between(period.added_since, period.added_until)
    return frozenset(found)


def list_articles(
    index: CorpusIndex,
    *,
    sort: str = "id",
    langs: Sequence[str] = (),
    limit: int | None = None,
    period: Period = Period(),
) -> list[Article]:
    """The indexed articles (metadata, no body) in ``langs`` (any for none) and ``period``, by id, newest first
    (undated last) or last added first, at most ``limit`` of them."""
    wanted = ids_in(index, period)
    articles = [a for a in index.articles() if (not langs or a.lang in langs) and (wanted is None or a.id in wanted)]
    if sort == "date":
        articles.sort(key=lambda a: (a.date is not None, a.date or dt.date.min), reverse=True)
    elif sort == "added":
        added = index.added()
        articles.sort(key=lambda a: (added.get(a.id) or _EPOCH, a.id), reverse=True)
    return articles[:limit] if limit else articles


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def show_articles(index: CorpusIndex, wanted: Sequence[str]) -> list[Article]:
    """Whole articles (with their text) by id or unique id prefix, in the order asked for."""
    return [index.article(index.full_id(article_id)) for article_id in wanted]
