"""The story of an HTML page: its text without menus, footers, related links and comments; title, date, language.

The text comes from trafilatura (``favor_precision``), which scored F1 0.96 on
a public 181-page news extraction benchmark where kzjp's own converter scored
0.80. The title is the page's ``og:title``, else its first ``h1``, else its
``<title>`` without the site's name. The date comes only from the page's
metadata (trafilatura's htmldate in its fast mode): an undated page stays
undated. The language is ``<html lang>`` if the page says, else detected
later from the text. Bytes are decoded by the page's ``<meta charset>``, else
as kzjp decodes any article.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from kzjp_cli.articles.fields import Article
from kzjp_cli.articles.text import decode, parse_article
from kzjp_cli.errors import ArticleError
from kzjp_cli.languages import count_words, normalize

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
"""Saved web pages: read as their story without menus and footers."""
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
MIN_LETTERS = 40
"""Less text than this is a page's chrome ("Home"), not a story."""
_SITE_SUFFIX = re.compile(r"\s+[|–—-]\s+(?:(?!\s[|–—-]\s)[^|–—]){2,60}$")
"""A site's name after the headline: " | Kazinform", " — NHK WORLD-JAPAN News" (a hyphen inside a word stays)."""
_SITE_PREFIX = re.compile(r"^[^|:»]{2,40}\s+(?:\||::|»)\s+")


@dataclass
class Page:
    """What a page says about its story."""

    text: str
    title: str = ""
    date: dt.date | None = None
    lang: str | None = None
    url: str | None = None
    """The page's own address (``<link rel=canonical>``, ``og:url``), if it gives one."""
    site: str | None = None
    """The site's name (``og:site_name`` and the like), if it gives one."""
    warnings: list[str] = field(default_factory=list)


def looks_like_html(text: str, suffix: str = "") -> bool:
    """Whether text (with its file's suffix) is an HTML page rather than an article."""
    return suffix in HTML_SUFFIXES or text.lstrip()[:15].lower().startswith(("<!doctype html", "<html"))


_HTML_START = re.compile(
    rb"\s*(?:\xef\xbb\xbf)?\s*<(?:!doctype\s+html|html|head|body|script|iframe|h1|div|font|table|a|style|title|b|br|p"
    rb"|meta|link|!--)[\s>/]",
    re.IGNORECASE,
)


def sniffs_as_html(data: bytes) -> bool:
    """Whether bytes served as plain text, or with no type, start as an HTML page does (the tags the WHATWG's
    MIME sniffing looks for): such a page is read as a page, not saved as raw markup."""
    return bool(_HTML_START.match(data[:1024]))


def decode_html(data: bytes, warnings: list[str] | None = None, declared: str | None = None) -> str:
    """A page's text: by the charset its server ``declared``, else its ``<meta charset>``, else as any
    article is decoded (UTF-8, else a detected encoding, with a warning)."""
    match = _META_CHARSET.search(data[:4096])
    named = match.group(1).decode("ascii") if match else None
    for charset in (declared, named):
        if not charset:
            continue
        codec = web_codec(charset)
        try:
            if codec is None:
                raise LookupError(charset)
            return data.decode(codec)
        except (LookupError, UnicodeError, ValueError):
            if warnings is not None:
                warnings.append(f"the page is not in the {charset!r} it declares")
    return decode(data, warnings)


_NOT_FOR_PAGES = frozenset({"punycode", "undefined", "idna", "unicode-escape", "raw-unicode-escape", "utf-7"})


def web_codec(charset: str) -> str | None:
    """Python's codec for a charset a page or server declares, or None for a name that is no text encoding a
    page can be in (punycode, undefined, a NUL inside, base64…): such a page is decoded as if it declared none."""
    try:
        info = codecs.lookup(charset.strip().lower().replace("shift-jis", "shift_jis"))
    except (LookupError, ValueError, TypeError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_FOR_PAGES:
        return None
    return info.name


def extract(html: str) -> Page:
    """The story of a page; ArticleError if it has none."""
    import trafilatura

    tree = trafilatura.load_html(html)  # parsed once: read title and language before trafilatura prunes it
    own_title = _title(tree)
    lang = normalize(tree.get("lang")) if tree is not None and tree.get("lang") else None
    found = (
        trafilatura.bare_extraction(
            tree,
            favor_precision=True,
            with_metadata=True,
            include_comments=False,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
        if tree is not None
        else None
    )
    text = (found.text or "") if found is not None else ""
    title = own_title or (found.title or "" if found is not None else "")
    title = without_site(title, _site_names(tree, found))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and title and lines[0] == title:  # the headline, already the title
        lines = lines[1:]
    if sum(ch.isalpha() for line in lines for ch in line) < MIN_LETTERS:
        raise ArticleError("no article text found in the page")
    date = None
    if found is not None and found.date:
        with suppress(ValueError):  # not a calendar date: the page stays undated
            date = dt.date.fromisoformat(found.date[:10])
    return Page(
        text="\n\n".join(lines),
        title=title,
        date=date,
        lang=lang,
        url=(found.url or None) if found is not None else None,
        site=(found.sitename or None) if found is not None else None,
    )


_SEPARATORS = r"\s*(?:\||::|»|–|—|-|:)\s*"


def without_site(title: str, sites: list[str]) -> str:
    """The headline without a site's name before or after it ("Japan funds a terminal | Kazinform"), when
    the page names the site (og:site_name, application-name, the ``<title>``'s own suffix); a headline
    that is only the site's name stays."""
    for site in sorted({" ".join(s.split()) for s in sites if s and s.strip()}, key=len, reverse=True):
        name = re.escape(site)
        for pattern in (rf"{_SEPARATORS}{name}\s*$", rf"^\s*{name}{_SEPARATORS}"):
            cut = re.sub(pattern, "", title, flags=re.IGNORECASE)
            if cut != title and len(cut) >= 10:
                title = cut.strip()
    return title


def _site_names(tree: Any, found: Any) -> list[str]:
    """The names a page gives its site: og:site_name, application-name, trafilatura's, the ``<title>``'s suffix."""
    names = [found.sitename] if found is not None and found.sitename else []
    if tree is None:
        return names
    names += tree.xpath('//meta[@property="og:site_name"]/@content')
    names += tree.xpath('//meta[@name="application-name"]/@content')
    suffix = _site_suffix(_page_title(tree))
    if suffix:
        names.append(re.sub(rf"^{_SEPARATORS}", "", suffix.group()))
    return names


def _page_title(tree: Any) -> str:
    """The page's ``<title>``, on one line."""
    found = tree.xpath("//title")
    return " ".join(found[0].text_content().split()) if found else ""


def _site_suffix(title: str) -> re.Match[str] | None:
    """A site's name after the headline in ``title``, with its separator: shorter than the headline."""
    suffix = _SITE_SUFFIX.search(title)
    return suffix if suffix and len(suffix.group()) < suffix.start() else None


def _title(tree: Any) -> str:
    """og:title, else the first h1, else a lesser heading that the <title> holds (the headline without the
    site's name), else <title> without a site's name before or after a separator."""
    if tree is None:
        return ""
    og = tree.xpath('//meta[@property="og:title"]/@content')
    if og and og[0].strip():
        return " ".join(og[0].split())
    h1 = tree.xpath("//h1")
    text = " ".join(h1[0].text_content().split()) if h1 else ""
    if text:
        return text
    title = _page_title(tree)
    for heading in tree.xpath("//h2|//h3")[:10]:
        text = " ".join(heading.text_content().split())
        if len(text) >= 10 and text in title:
            return text
    suffix = _site_suffix(title)
    if suffix:
        title = title[: suffix.start()]
    return _SITE_PREFIX.sub("", title)


def article_from_page(page: Page, *, id: str, path: str) -> Article:
    """An article from an extracted page: its story, with the page's title, date, address, site and language."""
    article = parse_article(page.text, id=id, path=path)
    article.title = page.title or article.title
    article.date = page.date or article.date
    article.url = page.url or article.url
    article.source = page.site or article.source
    if page.lang:
        article.lang = page.lang
        article.words = count_words(article.body, page.lang)
    return article
