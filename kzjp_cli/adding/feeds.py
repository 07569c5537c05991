"""RSS and Atom feeds: each item's link, title, date and summary (read by feedparser).

feedparser reads RSS 0.9x, 1.0 and 2.0 and Atom, with their many date forms and
their common mistakes. It is only ever given bytes kzjp already has, never an
address, so it fetches nothing itself.
"""

from __future__ import annotations

import datetime as dt
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


@dataclass
class Feed:
    """A feed's name and its items, in the feed's order."""

    title: str = ""
    items: list[FeedItem] = field(default_factory=list)


def parse_feed(data: bytes, url: str = "", media_type: str | None = None) -> Feed:
    """The items of an RSS or Atom document; ArticleError if ``data`` is no feed."""
    import feedparser

    headers = {"content-location": url} if url else {}
    if media_type:
        headers["content-type"] = media_type
    parsed = feedparser.parse(data, response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        raise ArticleError("not an RSS or Atom feed")
    items = []
    for entry in parsed.entries:
        link = entry.get("link") or next((a.get("href") for a in entry.get("links", []) if a.get("href")), "")
        if not link:
            continue
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        items.append(
            FeedItem(
                link=urljoin(url, link.strip()),
                title=" ".join((entry.get("title") or "").split()),
                date=dt.date(*when[:3]) if when else None,
                summary=_plain(entry.get("summary") or ""),
            )
        )
    return Feed(title=" ".join((parsed.feed.get("title") or "").split()), items=items)


def _plain(html: str) -> str:
    """A summary's text without its markup."""
    if "<" not in html:
        return html.strip()
    import lxml.html

    try:
        return " ".join(lxml.html.fromstring(html).text_content().split())
    except (ValueError, lxml.etree.ParserError):
        return ""
