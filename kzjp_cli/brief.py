"""A digest of a period: its numbers against the period before, articles a day, the top stories each summed up
in a few cited sentences, the topics that rose and the names most mentioned.

Everything comes from the index (the manifest, the cached stories and topics,
phrase look-ups) and the bodies of the few stories shown: the corpus is never
read again.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kzjp_cli import timeline
from kzjp_cli.articles import Article
from kzjp_cli.errors import SummaryError
from kzjp_cli.store import SearchOptions
from kzjp_cli.stories import Stories, Story, stories_of, story_of

if TYPE_CHECKING:
    from kzjp_cli.index import CorpusIndex

DAYS = 7
"""The default period: the last seven days, today included."""
STORIES = 5
SENTENCES = 2
TOPICS = 8
NAMES = 8
BASES = ("added", "dated")
"""What a period is taken by: when articles were added to the corpus, or the dates they carry."""


@dataclass(frozen=True)
class Window:
    """A period of whole days, taken by when articles were added or by their own dates."""

    since: dt.date
    until: dt.date
    by: str = "added"

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def previous(self) -> Window:
        """The period of as many days just before this one."""
        return Window(self.since - dt.timedelta(days=self.days), self.since - dt.timedelta(days=1), self.by)

    def to_record(self) -> dict[str, object]:
        return {"since": self.since.isoformat(), "until": self.until.isoformat(), "days": self.days, "by": self.by}


def window(since: dt.date | None, until: dt.date | None, by: str = "added", today: dt.date | None = None) -> Window:
    """The period asked for: ``until`` defaults to today, ``since`` to ``DAYS`` days before it (ValueError
    when ``since`` comes after ``until``)."""
    if by not in BASES:
        raise ValueError(f"unknown basis {by!r}")
    until = until or today or dt.date.today()
    since = since or until - dt.timedelta(days=DAYS - 1)
    if since > until:
        raise ValueError(f"the period starts ({since}) after it ends ({until})")
    return Window(since, until, by)


@dataclass
class Counts:
    articles: int = 0
    stories: int = 0
    sources: int = 0
    languages: int = 0

    def to_record(self) -> dict[str, int]:
        return {
            "articles": self.articles,
            "stories": self.stories,
            "sources": self.sources,
            "languages": self.languages,
        }


@dataclass
class Cited:
    """A sentence of a summary and the article it comes from."""

    text: str
    article: str

    def to_record(self) -> dict[str, str]:
        return {"text": self.text, "article": self.article}


@dataclass
class Link:
    id: str
    title: str
    source: str | None
    lang: str | None
    url: str | None
    date: dt.date | None

    def to_record(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "lang": self.lang,
            "url": self.url,
            "date": self.date.isoformat() if self.date else None,
        }


@dataclass
class TopStory(Story):
    """One story of the period: its members in the period (``lead``, the article that tells it: its title is
    the story's, its sentences the summary), why it ranks, and its summary."""

    score: float = 0.0
    summary: list[Cited] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    """Its articles, the lead first: a summary cites one by its place here, from 1."""

    def to_record(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "lead": self.lead,
            "size": len(self.articles),
            "articles": self.articles,
            "sources": self.sources,
            "languages": self.languages,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "score": round(self.score, 3),
            "summary": [c.to_record() for c in self.summary],
            "links": [link.to_record() for link in self.links],
        }


@dataclass
class Trend:
    """A topic or a name: how many articles of the period mention it, and of the period before."""

    name: str
    articles: int
    previous: int

    def to_record(self, key: str) -> dict[str, object]:
        return {key: self.name, "articles": self.articles, "previous": self.previous}


@dataclass
class Brief:
    window: Window
    query: str | None
    langs: tuple[str, ...]
    counts: Counts
    previous: Counts
    days: list[tuple[str, int]]
    """Articles a day (a week or a month, for long periods): label and count."""
    unit: str
    stories: list[TopStory]
    topics: list[Trend]
    names: list[Trend]

    @property
    def empty(self) -> bool:
        return not self.counts.articles

    def to_record(self) -> dict[str, object]:
        return {
            "period": {**self.window.to_record(), "query": self.query, "languages": list(self.langs)},
            "counts": {**self.counts.to_record(), "previous": self.previous.to_record()},
            "chart": {"unit": self.unit, "counts": [{"period": label, "articles": n} for label, n in self.days]},
            "stories": [s.to_record() for s in self.stories],
            "topics": [t.to_record("topic") for t in self.topics],
            "names": [n.to_record("name") for n in self.names],
        }


def make_brief(
    index: CorpusIndex,
    period: Window,
    query: str | None = None,
    *,
    langs: Sequence[str] = (),
    stories: int = STORIES,
    sentences: int = SENTENCES,
    names: Any = None,
    warn: Callable[[str], None] | None = None,
) -> Brief:
    """The brief of ``period``: its articles (those matching ``query``, in ``langs``) and the period before's."""
    told = stories_of(index, langs, warn)
    articles = told.articles
    now, before = (
        _chosen(index, articles, period, query, langs),
        _chosen(index, articles, period.previous(), query, langs),
    )
    relevance = {i: 1.0 - n / len(now) for n, i in enumerate(now)} if query and now else None  # now: best first
    ranked = _rank(articles, now, told, period, relevance)
    top = ranked[:stories]
    if top:
        _summarize(index, top, query, sentences)
    unit, days = _chart(now, period)
    return Brief(
        window=period,
        query=query,
        langs=tuple(langs),
        counts=_counts(articles, now, told),
        previous=_counts(articles, before, told),
        days=days,
        unit=unit,
        stories=top,
        topics=_rising(index, now, before, told, langs, names) if now else [],
        names=_names(index, now, before, names) if now and names is not None else [],
    )


def _chosen(
    index: CorpusIndex, articles: dict[str, Article], period: Window, query: str | None, langs: Sequence[str]
) -> dict[str, dt.date]:
    """The articles of the period (matching ``query``, in ``langs``), each with the day it counts on; with a
    query, best match first."""
    if period.by == "added":
        added = index.added()
        days = {i: when.astimezone().date() for i, when in added.items() if i in articles}
    else:
        days = {i: a.date for i, a in articles.items() if a.date is not None}
    chosen = {
        i: day
        for i, day in days.items()
        if period.since <= day <= period.until and (not langs or articles[i].lang in langs)
    }
    if query and chosen:
        matched = index.matching_ids(query, SearchOptions(limit=None, ids=frozenset(chosen), suggest=False))
        chosen = {i: chosen[i] for i in matched}
    return chosen


def _rank(
    articles: dict[str, Article],
    chosen: dict[str, dt.date],
    told: Stories,
    period: Window,
    relevance: dict[str, float] | None,
) -> list[TopStory]:
    """The period's stories, most worth reading first: more copies, more sources and languages, nearer the
    period's end and (with a query) better matches rank higher."""
    members: dict[str, list[str]] = {}
    for article_id in chosen:
        members.setdefault(told.key(article_id), []).append(article_id)
    found = []
    for story_id, ids in members.items():
        ids.sort(key=lambda i: (chosen[i], i))
        told_here = story_of([articles[i] for i in ids])  # its sources, languages and days in the period
        latest = max(chosen[i] for i in ids)
        score = (
            math.log2(1 + len(ids))
            + 0.5 * max(len(told_here.sources) - 1, 0)
            + 0.5 * max(len(told_here.languages) - 1, 0)
            + (latest - period.since).days / max(period.days - 1, 1)
            + (2.0 * max(relevance.get(i, 0.0) for i in ids) if relevance else 0.0)
        )
        whole = told.by_id[story_id].lead
        lead = whole if whole in ids else ids[0]
        if relevance:  # the best match in the lead's language tells the story, and is summed up
            same = [i for i in ids if articles[i].lang == articles[lead].lang]
            lead = max(same, key=lambda i: (relevance.get(i, 0.0), i == lead))
        found.append(
            TopStory(
                **{**vars(told_here), "id": story_id, "title": articles[lead].title, "lead": lead, "articles": ids},
                score=score,
                links=[_link(articles[i]) for i in [lead, *(i for i in ids if i != lead)]],
            )
        )
    found.sort(key=lambda s: (-s.score, s.title, s.id))
    return found


def _link(article: Article) -> Link:
    return Link(article.id, article.title, article.source, article.lang, article.url, article.date)


def _summarize(index: CorpusIndex, top: list[TopStory], query: str | None, sentences: int) -> None:
    """Give each story the summary of the article that tells it (query-focused with a query): its copies
    say the same in other words, and a summary across them repeats itself. Only these bodies are read."""
    from kzjp_cli import summarize

    bodies = {a.id: a for a in index.documents(sorted({s.lead for s in top}))}
    for story in top:
        if story.lead not in bodies:
            continue
        try:
            chosen = summarize.summarize(bodies[story.lead], count=sentences, query=query).sentences
        except SummaryError:  # no sentences to take (a title alone): the story goes without a summary
            continue
        story.summary = [Cited(unit.text, story.lead) for unit in chosen]


def _counts(articles: dict[str, Article], chosen: dict[str, dt.date], told: Stories) -> Counts:
    return Counts(
        articles=len(chosen),
        stories=len({told.key(i) for i in chosen}),
        sources=len({s for i in chosen if (s := articles[i].source)}),
        languages=len({code for i in chosen if (code := articles[i].lang)}),
    )


def _chart(chosen: dict[str, dt.date], period: Window) -> tuple[str, list[tuple[str, int]]]:
    """Articles a day over the period (a week, or a month, when days would be too many to read)."""
    unit = (
        "day" if period.days <= 31 else "week" if period.days <= 7 * 26 else "month" if period.days <= 3660 else "year"
    )
    counts = Counter(timeline.start_of(day, unit) for day in chosen.values())
    rows = []
    current: dt.date | None = timeline.start_of(period.since, unit)
    while current is not None and current <= period.until:
        rows.append((timeline.label(current, unit), counts.get(current, 0)))
        current = timeline.next_start(current, unit)
    return unit, rows


def _rising(
    index: CorpusIndex,
    now: dict[str, dt.date],
    before: dict[str, dt.date],
    told: Stories,
    langs: Sequence[str],
    names: Any,
) -> list[Trend]:
    """The period's topics that more of its articles mention than of the period before's, most risen first
    (the alias table's names have their own list)."""
    from kzjp_cli import topics

    everything = len(now) == len(index.manifest.files)  # the corpus's own topics, cached for 'kzjp topics' too
    ids = None if everything and not langs else frozenset(now)
    found = topics.corpus_topics(index, langs=langs, exact=TOPICS * 3, ids=ids)[: TOPICS * 3]
    if names is not None:
        found = [t for t in found if names.find(t.phrase) is None]
    if not found:
        return []
    counts = index.ids_for_phrases([t.phrase for t in found], within=now.keys() | before.keys())
    stories_now = len({told.key(i) for i in now})
    trends = []
    for topic, ids in zip(found, counts, strict=True):
        current = set(ids) & now.keys()
        previous = len(set(ids) & before.keys())
        # copies of one story say the same words: a topic rises when two stories or more bring it up
        told_by = len({told.key(i) for i in current})
        if len(current) > previous and told_by >= min(2, stories_now):
            trends.append(Trend(topic.phrase, len(current), previous))
    trends.sort(key=lambda t: (-(t.articles - t.previous), -t.articles, t.name))
    return trends[:TOPICS]


def _names(index: CorpusIndex, now: dict[str, dt.date], before: dict[str, dt.date], table: Any) -> list[Trend]:
    """The names of the alias table (each under its first spelling) mentioned by most of the period's articles,
    in any spelling and script."""
    groups = list(table.groups)
    phrases = [spelling for group in groups for spelling in group]
    found = index.ids_for_phrases(phrases, within=now.keys() | before.keys())
    trends, at = [], 0
    for group in groups:
        ids = {i for lists in found[at : at + len(group)] for i in lists}
        at += len(group)
        current = len(ids & now.keys())
        if current:
            trends.append(Trend(group[0], current, len(ids & before.keys())))
    trends.sort(key=lambda t: (-t.articles, t.name))
    return trends[:NAMES]
