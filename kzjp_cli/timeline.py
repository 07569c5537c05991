"""How coverage moves over time: articles (or stories) per day, week, month or year."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kzjp_cli.store import SearchOptions
from kzjp_cli.stories import Stories

if TYPE_CHECKING:
    from kzjp_cli.index import CorpusIndex

PERIODS = ("day", "week", "month", "year")
MAX_PERIODS = 1000
"""Gaps are filled with zeros only while the dates span at most this many periods (0001 to 9999 by day
would be 3.6 million rows)."""


@dataclass
class Bucket:
    """The number of articles in one period; ``period`` None counts the undated ones."""

    period: str | None
    count: int
    start: dt.date | None = None

    def to_record(self) -> dict[str, object]:
        return {"period": self.period, "count": self.count, "start": self.start.isoformat() if self.start else None}


def start_of(day: dt.date, by: str) -> dt.date:
    """The first day of the period (``PERIODS``) holding ``day``."""
    if by == "year":
        return day.replace(month=1, day=1)
    if by == "month":
        return day.replace(day=1)
    if by == "week":
        return day - dt.timedelta(days=day.weekday())
    return day


def next_start(start: dt.date, by: str) -> dt.date | None:
    """The start of the next period; None after the last representable one (9999-12-31)."""
    try:
        if by == "year":
            return start.replace(year=start.year + 1)
        if by == "month":
            return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
        return start + dt.timedelta(days=7 if by == "week" else 1)
    except (ValueError, OverflowError):
        return None


def fills_gaps(first: dt.date, last: dt.date, by: str) -> bool:
    """Whether a timeline from ``first`` to ``last`` lists its empty periods too (at most ``MAX_PERIODS``)."""
    return periods_between(first, last, by) <= MAX_PERIODS


def periods_between(first: dt.date, last: dt.date, by: str) -> int:
    """How many periods run from the one holding ``first`` to the one holding ``last``."""
    if by == "year":
        return last.year - first.year + 1
    if by == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    return (last - first).days // (7 if by == "week" else 1) + 1


def label(start: dt.date, by: str) -> str:
    """A period's name: 2025, 2025-12, 2025-W51 (ISO week) or 2025-12-20."""
    if by == "year":
        return f"{start.year:04d}"
    if by == "month":
        return f"{start.year:04d}-{start.month:02d}"
    if by == "week":
        year, week, _ = start.isocalendar()
        return f"{year:04d}-W{week:02d}"
    return start.isoformat()


def timeline(
    index: CorpusIndex,
    query: str | None = None,
    *,
    by: str = "month",
    since: dt.date | None = None,
    until: dt.date | None = None,
    langs: Sequence[str] = (),
    ids: Collection[str] | None = None,
    stories: Stories | None = None,
) -> list[Bucket]:
    """Articles per period (all, or those matching ``query``; in ``langs``; among ``ids``), undated last;
    with ``stories``, stories instead, each counted once, on the day of its first such article.

    Periods with no articles are shown as zeros while the dates span at most
    ``MAX_PERIODS`` periods; beyond that only periods with articles are listed.
    """
    if by not in PERIODS:
        raise ValueError(f"unknown period {by!r}")
    if stories is None:
        dates = index.dates(query or None, langs=langs, ids=ids)
    else:
        dates = _story_dates(index, query, langs, ids, stories, since, until)
    dated = [d for d in dates if d is not None and (not since or d >= since) and (not until or d <= until)]
    undated = sum(d is None for d in dates) if not (since or until) else 0
    counts = Counter(start_of(d, by) for d in dated)
    buckets: list[Bucket] = []
    if counts and not fills_gaps(min(counts), max(counts), by):
        buckets = [Bucket(label(start, by), counts[start], start) for start in sorted(counts)]
    elif counts:
        current: dt.date | None = min(counts)
        last = max(counts)
        while current is not None and current <= last:
            buckets.append(Bucket(label(current, by), counts[current], current))
            current = next_start(current, by)
    if undated:
        buckets.append(Bucket(None, undated))
    return buckets


def _story_dates(
    index: CorpusIndex,
    query: str | None,
    langs: Sequence[str],
    ids: Collection[str] | None,
    stories: Stories,
    since: dt.date | None,
    until: dt.date | None,
) -> list[dt.date | None]:
    """The first date of each story among the articles chosen, in the period if one is given (None for a
    story of undated articles only)."""
    articles = list(stories.articles.values())
    if since or until:
        articles = [a for a in articles if a.date and (not since or a.date >= since) and (not until or a.date <= until)]
    if query:
        options = SearchOptions(limit=None, langs=tuple(langs), ids=None if ids is None else frozenset(ids))
        chosen = set(index.matching_ids(query, options))
    else:
        chosen = {a.id for a in articles if (not langs or a.lang in langs) and (ids is None or a.id in ids)}
    first: dict[str, dt.date | None] = {}
    for article in articles:
        if article.id not in chosen:
            continue
        story = stories.key(article.id)
        known = first.get(story)
        if story not in first or (article.date is not None and (known is None or article.date < known)):
            first[story] = article.date
    return list(first.values())
