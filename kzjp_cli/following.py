"""Following the beat: subscriptions (``kzjp feed``), ``kzjp update``, saved searches (``kzjp watch``) and
``kzjp new``.

Subscriptions and saved searches are the user's, in the follow file
(``adding.follows``); what kzjp learns as it follows them is in the state
folder (``adding.state``). A saved search's new matches are the articles it
matches that were added to the corpus after it was saved and that ``kzjp new``
has not shown yet, so they are the same whether an article came by ``kzjp
update``, ``kzjp add`` or a file copied into the corpus, and an index rebuild
changes nothing.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from kzjp_cli import locations
from kzjp_cli.adding.feeds import parse_feed
from kzjp_cli.adding.fetch import FEED_ACCEPT, Limits, fetch, is_web_address
from kzjp_cli.adding.follows import Follows, Subscription, Watch
from kzjp_cli.adding.state import FeedStates, WatchStates
from kzjp_cli.articles import parse_day, read_bytes
from kzjp_cli.errors import ArticleError, ConfigError, KzjpError
from kzjp_cli.search import Hit, SearchOptions, search

if TYPE_CHECKING:
    from kzjp_cli.adding import Adder
    from kzjp_cli.adding.updater import FeedResult
    from kzjp_cli.aliases import AliasTable
    from kzjp_cli.index import CorpusIndex

MAX_OPML_BYTES = 10 * 1024 * 1024


def follows() -> Follows:
    """The user's subscriptions and saved searches."""
    return Follows.load(locations.follow_file())


# --- subscriptions ---------------------------------------------------------------------


@dataclass
class FeedRow:
    """A subscription as ``kzjp feed list`` shows it: what it is and how following it has gone."""

    name: str
    url: str
    source: str | None
    lang: str | None
    checked: str | None
    last_new: str | None
    added: int
    failures: int
    error: str | None

    @staticmethod
    def fields() -> list[str]:
        return ["name", "url", "source", "lang", "checked", "last_new", "added", "failures", "error"]

    def to_record(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.fields()}


def subscribe(
    url: str, *, name: str | None = None, source: str | None = None, lang: str | None = None, limits: Limits
) -> tuple[Subscription, int]:
    """Subscribe to the feed at ``url`` once it is fetched and parses; named from its title unless ``name``.
    Returns the subscription and how many stories the feed lists now."""
    if not is_web_address(url):
        raise ConfigError(f"{url!r} is not a web address (give the feed's http:// or https:// URL)")
    mine = follows()
    if any(feed.url == url for feed in mine.feeds):
        raise ConfigError(f"{url} is already subscribed, as {mine.feed(url).name!r}")
    response = fetch(url, limits, accept=FEED_ACCEPT)
    try:
        parsed = parse_feed(response.data, response.url, response.media_type)
    except ArticleError as exc:
        raise ConfigError(f"{url}: {exc}; nothing was subscribed") from None
    chosen = name or _free_name(mine, parsed.title or _host(url), url)
    subscription = Subscription(" ".join(chosen.split()), url, source or None, lang or None)
    mine.add_feed(subscription)
    mine.save()
    return subscription, len(parsed.items)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or url).removeprefix("www.")


def _free_name(mine: Follows, name: str, url: str) -> str:
    """``name``, or with the feed's host added when another subscription has it."""
    name = " ".join(name.split())[:80] or _host(url)
    taken = {feed.name for feed in mine.feeds}
    if name not in taken:
        return name
    for candidate in (f"{name} ({_host(url)})", *(f"{name} ({n})" for n in range(2, 1000))):
        if candidate not in taken:
            return candidate
    raise ConfigError(f"too many subscriptions are named {name!r}")


def feed_rows(warn: Callable[[str], None] | None = None) -> list[FeedRow]:
    """Every subscription with how following it has gone, in the follow file's order."""
    states = FeedStates(locations.state_dir(), warn)
    rows = []
    for feed in follows().feeds:
        state = states.get(feed.url)
        rows.append(
            FeedRow(
                feed.name,
                feed.url,
                feed.source,
                feed.lang,
                state.checked,
                state.last_new,
                state.added,
                state.failures,
                state.error,
            )
        )
    return rows


def unsubscribe(wanted: str) -> Subscription:
    """Unsubscribe from a feed by name or address (what kzjp knew of it goes too; its articles stay)."""
    mine = follows()
    gone = mine.remove_feed(wanted)
    mine.save()
    states = FeedStates(locations.state_dir())
    states.forget(gone.url)
    states.save()
    return gone


def import_opml(path: Path | None, data: bytes | None = None) -> tuple[list[Subscription], list[tuple[str, str]]]:
    """Subscribe to every feed an OPML file lists (at any depth of its outlines, as feed readers export them):
    the subscriptions made, and each feed left out with why (already subscribed, no address)."""
    if data is None:
        assert path is not None
        try:
            data = read_bytes(path)
        except ArticleError as exc:
            raise ConfigError(f"{path}: {exc}") from None
    if len(data) > MAX_OPML_BYTES:
        raise ConfigError(f"{path or 'stdin'} is larger than {MAX_OPML_BYTES // (1024 * 1024)} MB")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ConfigError(f"{path or 'stdin'} is not an OPML file ({exc})") from None
    if root.tag != "opml":
        raise ConfigError(f"{path or 'stdin'} is not an OPML file (its root is <{root.tag}>, not <opml>)")
    mine = follows()
    made: list[Subscription] = []
    skipped: list[tuple[str, str]] = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not url:
            continue
        if not is_web_address(url):
            skipped.append((url, "not a web address"))
            continue
        if any(feed.url == url for feed in mine.feeds):
            skipped.append((url, f"already subscribed, as {mine.feed(url).name!r}"))
            continue
        title = outline.get("title") or outline.get("text") or ""
        subscription = Subscription(_free_name(mine, title or _host(url), url), url)
        mine.add_feed(subscription)
        made.append(subscription)
    if made:
        mine.save()
    return made, skipped


def export_opml(title: str = "kzjp subscriptions") -> str:
    """Every subscription as an OPML 2.0 document, which feed readers import."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = dt.datetime.now(dt.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")
    body = ET.SubElement(root, "body")
    for feed in follows().feeds:
        ET.SubElement(body, "outline", type="rss", text=feed.name, title=feed.name, xmlUrl=feed.url)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# --- update ----------------------------------------------------------------------------


@dataclass
class UpdateReport:
    """What ``kzjp update`` did: each feed's result, and how many new matches each saved search got from it."""

    feeds: list[FeedResult] = field(default_factory=list)
    watches: list[tuple[str, int]] = field(default_factory=list)

    @property
    def failed(self) -> list[FeedResult]:
        return [result for result in self.feeds if not result.ok]


def update(
    wanted: Sequence[str],
    adder_for: Callable[[Subscription], Adder],
    open_index: Callable[[], CorpusIndex],
    *,
    limits: Limits,
    delay: float,
    dry_run: bool = False,
    progress: Callable[[list[Any], str], Iterable[Any]] = lambda items, label: items,
    warn: Callable[[str], None] | None = None,
    names: Callable[[CorpusIndex], AliasTable | None] = lambda index: None,
) -> UpdateReport:
    """Fetch the subscriptions ``wanted`` (every one for none) and add their new stories, then count each saved
    search's new matches among the stories it added (``open_index`` opens the refreshed index).
    ConfigError if there is nothing to update; UpdateBusy if another update runs."""
    from kzjp_cli.adding.updater import update as update_feeds
    from kzjp_cli.adding.updater import update_lock

    mine = follows()
    if not mine.feeds:
        raise ConfigError("no subscriptions yet", hint="subscribe with 'kzjp feed add URL' or 'kzjp feed import FILE'")
    chosen = [mine.feed(name) for name in dict.fromkeys(wanted)] if wanted else mine.feeds
    report = UpdateReport()
    folder = locations.state_dir()
    with update_lock(folder):
        states = FeedStates(folder, warn)
        report.feeds = update_feeds(
            chosen, adder_for, states, limits=limits, delay=delay, dry_run=dry_run, progress=progress
        )
    brought = {o.article.id for result in report.feeds for o in result.outcomes if o.saved and o.article}
    index = open_index() if brought else None  # refreshed now: the next command answers at once
    if index is not None:
        index.vectors_for(brought, warn=warn)
    if index is not None and mine.watches:  # the saved searches that this update brought new matches to
        news = new_matches(index, [], peek=True, names=names(index))
        report.watches = [(n.watch.name, sum(h.article.id in brought for h in n.hits)) for n in news]
    return report


# --- saved searches --------------------------------------------------------------------


@dataclass
class WatchRow:
    """A saved search as ``kzjp watch list`` shows it."""

    name: str
    query: str
    langs: tuple[str, ...]
    since: str | None
    matches: int
    new: int

    @staticmethod
    def fields() -> list[str]:
        return ["name", "query", "langs", "since", "matches", "new"]

    def to_record(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.fields()} | {"langs": list(self.langs)}


@dataclass
class News:
    """A saved search's new matches: the articles added since it was saved that ``kzjp new`` has not shown."""

    watch: Watch
    hits: list[Hit]
    added: dict[str, dt.datetime] = field(default_factory=dict)


def _options(watch: Watch, **more: Any) -> SearchOptions:
    since = parse_day(watch.since) if watch.since else None
    return SearchOptions(langs=watch.langs, since=since, **more)


def save_watch(
    index: CorpusIndex, name: str, query: str, *, langs: Sequence[str] = (), since: str | None = None, names: Any = None
) -> tuple[Watch, int]:
    """Save a search, once its query runs (QueryError if it cannot); returns it and how many articles it
    matches now. Only articles added from now on will be new."""
    if since:
        try:
            parse_day(since)
        except ValueError:
            raise ConfigError(f"--since {since!r} is not a date") from None
    watch = Watch(" ".join(name.split()), " ".join(query.split()), tuple(langs), since)
    mine = follows()
    if any(other.name == watch.name for other in mine.watches):
        raise ConfigError(f"a saved search is already named {watch.name!r}")
    found = search(index, watch.query, _options(watch, count_only=True), names=names)
    mine.add_watch(watch)
    mine.save()
    states = WatchStates(locations.state_dir())
    states.forget(watch.name)
    states.get(watch.name)  # saved now: what is added from now on is new
    states.save()
    return watch, found.total or 0


def forget_watch(name: str) -> Watch:
    """Forget a saved search (what it matches stays in the corpus)."""
    mine = follows()
    gone = mine.remove_watch(name)
    mine.save()
    states = WatchStates(locations.state_dir())
    states.forget(gone.name)
    states.save()
    return gone


def watch_rows(index: CorpusIndex, names: Any = None) -> list[WatchRow]:
    """Every saved search with how many articles it matches, and how many of them are new."""
    news = {n.watch.name: len(n.hits) for n in new_matches(index, [], peek=True, names=names)}
    rows = []
    for watch in follows().watches:
        total = search(index, watch.query, _options(watch, count_only=True), names=names).total or 0
        rows.append(WatchRow(watch.name, watch.query, watch.langs, watch.since, total, news.get(watch.name, 0)))
    return rows


def new_matches(index: CorpusIndex, wanted: Sequence[str], *, peek: bool = False, names: Any = None) -> list[News]:
    """Each saved search (those ``wanted``, or all) with its new matches, last added first; they are marked
    read unless ``peek``."""
    mine = follows()
    chosen = [mine.watch(name) for name in dict.fromkeys(wanted)] if wanted else mine.watches
    states = WatchStates(locations.state_dir())
    added = index.added()
    news = []
    for watch in chosen:
        state = states.get(watch.name)
        created = _instant(state.created)
        shown = set(state.shown)
        fresh = frozenset(i for i, when in added.items() if when >= created and i not in shown)
        hits: list[Hit] = []
        if fresh:
            try:
                hits = search(index, watch.query, _options(watch, limit=None, ids=fresh), names=names, each=True).hits
            except KzjpError as exc:
                raise ConfigError(f"saved search {watch.name!r}: {exc}") from None
        hits.sort(key=lambda hit: (added[hit.article.id], hit.article.id), reverse=True)
        for rank, hit in enumerate(hits, start=1):
            hit.rank = rank
        news.append(News(watch, hits, {hit.article.id: added[hit.article.id] for hit in hits}))
        if not peek and hits:
            state.shown.extend(hit.article.id for hit in hits)
            states.put(watch.name, state)
    if not peek:
        states.save()
    return news


def _instant(text: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime.now(dt.timezone.utc)
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)
