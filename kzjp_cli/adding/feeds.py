"""RSS and Atom feeds: each item's link, title, date and summary (read by feedparser).

feedparser reads RSS 0.9x, 1.0 and 2.0 and Atom, with their many date forms and
their common mistakes. It is only ever given bytes kzjp already has, never an
address, so it fetches nothing itself.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from kzjp_cli.errors import ArticleError


@dataclass
class FeedItem:
    """One story a feed lists."""

    link: str
    title: str = ""
    date: dt.date | None = None
    summary: str = ""
    guid: str = ""
    """The item's own id (RSS guid, Atom id), if the feed gives one."""

    @property
    def key(self) -> str:
        """What the item is known by, so that it is handled once: its guid, else its address as compared for
        duplicates."""
        from kzjp_cli.articles.dedup import url_key

        return f"id:{self.guid}" if self.guid else f"url:{url_key(self.link) or self.link}"


@dataclass
class Feed:
    """A feed's name and its items, in the feed's order."""

    title: str = ""
    items: list[FeedItem] = field(default_factory=list)
    listed: int = 0
    """How many items the feed lists (more than ``items`` when it lists over ``MAX_ITEMS``)."""


def parse_feed(data: bytes, url: str = "", media_type: str | None = None) -> Feed:
    """The items of an RSS or Atom document; ArticleError if ``data`` is no feed."""
    import feedparser

    headers = {"content-location": url} if url else {}
    if media_type:
        headers["content-type"] = media_type
    data, listed = first_items(data)
    parsed = feedparser.parse(data, response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        raise ArticleError("not an RSS or Atom feed")
    items = []
    for entry in parsed.entries:
        link = entry.get("link") or next((a.get("href") for a in entry.get("links", []) if a.get("href")), "")
        if not link:
            continue
        # read as a plain dict: feedparser's own get() maps one key to the other with a DeprecationWarning
        when = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
        guid = entry.get("id") or ""
        items.append(
            FeedItem(
                link=urljoin(url, link.strip()),
                title=" ".join((entry.get("title") or "").split()),
                date=_date(when),
                summary=_plain(entry.get("summary") or ""),
                guid=" ".join(guid.split())[:1000] if isinstance(guid, str) else "",
            )
        )
    return Feed(title=" ".join((parsed.feed.get("title") or "").split()), items=items, listed=listed)


MAX_ITEMS = 1000
"""Items read from one feed: feeds list the newest first, and feedparser took 67 s over 50,000 items (about
1.3 s a thousand)."""
_ITEM = re.compile(rb"<(item|entry)[\s>]", re.IGNORECASE)


def first_items(data: bytes, limit: int = MAX_ITEMS) -> tuple[bytes, int]:
    """The feed cut after its first ``limit`` items (closed again so that it still parses), and how many
    items it lists in all."""
    starts = [match for match in _ITEM.finditer(data)]
    if len(starts) <= limit:
        return data, len(starts)
    cut = starts[limit]
    closing = b"</channel></rss>" if cut.group(1).lower() == b"item" else b"</feed>"
    return data[: cut.start()] + closing, len(starts)


def _date(when: object) -> dt.date | None:
    """A feed item's date from feedparser's time tuple; None for none or an impossible one (0000-00-00)."""
    try:
        return dt.date(*when[:3]) if when else None  # type: ignore[index]
    except (TypeError, ValueError):
        return None


def _plain(html: str) -> str:
    """A summary's text without its markup."""
    if "<" not in html:
        return html.strip()
    import lxml.html

    try:
        return " ".join(lxml.html.fromstring(html).text_content().split())
    except (ValueError, lxml.etree.ParserError):
        return ""
