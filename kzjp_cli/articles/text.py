"""kzjp's article format: text and Markdown files with front matter, and how bytes become text.

An article is a UTF-8 ``.txt`` or ``.md`` file. Metadata comes from an optional
front-matter block (``---`` … ``---`` of ``key: value`` lines) or from the
seeds' own form, a leading ``date YYYY-MM-DD`` before the text. Nothing is
invented: a missing date stays ``None``; a missing title is cut from the first
sentence. ``write_article`` writes the format ``parse_article`` reads.
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import suppress

from kzjp_cli import languages
from kzjp_cli.articles.fields import Article, parse_date
from kzjp_cli.errors import ArticleError

SUFFIXES = (".txt", ".md", ".markdown")
TITLE_CHARS = 90
META_KEYS = ("title", "date", "source", "url", "lang", "fetched")
"""Front-matter keys kzjp reads and writes, in the order it writes them."""


# --- text hygiene ----------------------------------------------------------

_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """Normalise newlines and drop terminal escapes and control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ANSI.sub("", text)
    return _CONTROL.sub("", text)


_HALFWIDTH = re.compile(r"[\uff61-\uff9f]")
_HALFWIDTH_PENALTY = 5.0


def _halfwidth(text: str) -> float:
    """The share of a text's characters that are half-width katakana."""
    return len(_HALFWIDTH.findall(text)) / max(len(text), 1)


ASIAN = ("shift_jis", "cp932", "euc_jp")
PREFERRED = ("cp1252", "latin_1", "iso8859_15", "cp1251", "koi8_r", "cp1250", "iso8859_2", "cp1254", "mac_cyrillic")
"""Encodings of news text, most likely first, for breaking ties between detected candidates."""


def decode(data: bytes, warnings: list[str] | None = None) -> str:
    """Decode article bytes: UTF-8 (BOM tolerated), UTF-16 with a BOM, else a detected encoding.

    A detected encoding (cp1251 Russian, latin-1…) is reported in ``warnings``,
    so text is never re-encoded silently; undetectable bytes raise ArticleError.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ArticleError(f"invalid UTF-16 text ({exc.reason})") from None
    if b"\x00" in data[:8192]:
        raise ArticleError("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        offset = exc.start
    from charset_normalizer import from_bytes

    # Half-width katakana is what Cyrillic code pages look like read as Shift_JIS; real Japanese hardly uses it.
    # charset-normalizer stops at its first clean reading (a short KOI8-R text read as Shift_JIS): weigh the
    # usual news code pages too.
    found = {m.encoding: m for m in from_bytes(data)}
    for m in from_bytes(data, cp_isolation=[*PREFERRED, *ASIAN]):
        found.setdefault(m.encoding, m)
    matches = sorted(found.values(), key=lambda m: m.chaos + _HALFWIDTH_PENALTY * _halfwidth(str(m)))
    if not matches or matches[0].chaos > 0.2:
        raise ArticleError(f"not UTF-8 text (bad byte at offset {offset}) and no other encoding fits")
    top = matches[0]
    if top.encoding in ASIAN and _latin_with_few_high_bytes(data):
        # a lone £ or é in English text reads as one Japanese character too; Japanese text has its high bytes
        # everywhere, not one in a thousand letters
        with suppress(UnicodeDecodeError):
            text = data.decode("cp1252")
            if warnings is not None:
                warnings.append("not UTF-8; decoded as cp1252")
            return text
    # Code pages often tie (cp1250 and cp1252 read "à" differently); prefer the common ones.
    tied = [m for m in matches if m.chaos <= top.chaos + 0.01 and m.coherence >= top.coherence - 0.05]
    best = min(tied, key=lambda m: PREFERRED.index(m.encoding) if m.encoding in PREFERRED else len(PREFERRED))
    if warnings is not None:
        warnings.append(f"not UTF-8; decoded as {best.encoding}")
    return str(best)


def _latin_with_few_high_bytes(data: bytes) -> bool:
    """Whether bytes are Latin-letter text with a few bytes above ASCII: at most one for 50 ASCII letters."""
    letters = sum(1 for b in data if 65 <= b <= 90 or 97 <= b <= 122)
    high = sum(1 for b in data if b >= 0x80)
    return 0 < high * 50 <= letters


# --- metadata ----------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.S)
_LEADING_DATE = re.compile(r"\A\s*date:?[ \t]+(\d{4}-\d{2}-\d{2})\b[ \t]*\n?", re.I)
_MD_HEADING = re.compile(r"\A#[ \t]+(.+?)[ \t#]*(?:\n|\Z)")
_HEADLINE = re.compile(r"([^\n]*[^\s.!?…。！？:;,][^\S\n]*)\n[^\S\n]*\n")
_SENTENCE_END = re.compile(
    r"[.!?…][\"”’')\]»]*(?=\s+[\"“‘'(\[«]?[A-Z0-9А-ЯЁӘҒҚҢӨҰҮҺІ])|[。！？][」』）]*(?![」』）]|[とっ、，])"
)
"""Where a first sentence ends: a Japanese quote followed by と, って or 、 goes on (「…。」と表明した。)."""


def _split_front_matter(text: str, warnings: list[str]) -> tuple[dict[str, str], str]:
    stripped = text.lstrip()
    if not stripped.startswith("---"):
        return {}, text
    match = _FRONT_MATTER.match(stripped)
    if not match:
        warnings.append("front matter has no closing '---'; read as text")
        return {}, text
    meta: dict[str, str] = {}
    for number, line in enumerate(match.group(1).splitlines(), start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            warnings.append(f"front matter line {number} is not 'key: value'; ignored")
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        name = key.strip().lower()
        if name in meta and meta[name] != value:
            warnings.append(f"front matter line {number} gives {name} again; the last one is used")
        meta[name] = value
    return meta, stripped[match.end() :]


def derive_title(body: str, limit: int = TITLE_CHARS) -> str:
    """A title from a headline line (one short line, then a blank line), else from the first sentence,
    cut at a word boundary when too long."""
    headline = _HEADLINE.match(body.lstrip())
    if headline and len(headline.group(1).strip()) <= limit:
        return " ".join(headline.group(1).split())
    text = " ".join(body.split())
    match = _SENTENCE_END.search(text)
    sentence = text[: match.end()] if match else text
    if len(sentence) <= limit:
        return sentence
    cut = sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:—–-")
    opening = cut[:1]
    if opening in "“\"‘'" and {"“": "”", '"': '"', "‘": "’", "'": "'"}[opening] not in cut[1:]:
        cut = cut[1:]
    return cut + "…"


def parse_article(text: str, *, id: str, path: str, suffix: str = ".txt") -> Article:
    """Parse decoded article text into an Article (metadata, title, body)."""
    warnings: list[str] = []
    text = clean_text(text)
    meta, body = _split_front_matter(text, warnings)
    if "date" not in meta:
        match = _LEADING_DATE.match(body)
        if match:
            meta["date"] = match.group(1)
            body = body[match.end() :]
    title = meta.get("title", "").strip()
    if not title and suffix != ".txt":
        heading = _MD_HEADING.match(body.lstrip())
        if heading:
            title = heading.group(1).strip()
            body = body.lstrip()[heading.end() :]
    if not title:
        headline = _HEADLINE.match(body.lstrip())
        if headline and len(headline.group(1).strip()) <= TITLE_CHARS and body.lstrip()[headline.end() :].strip():
            title = headline.group(1).strip()  # a headline line, then a blank line: the title, not a sentence
            body = body.lstrip()[headline.end() :]
    body = body.strip()
    if not body:
        raise ArticleError("no text" if not meta else "front matter but no text")
    lang = languages.normalize(meta.get("lang")) or languages.detect(f"{title}\n{body}")
    date = None
    if meta.get("date"):
        try:
            date = parse_date(meta["date"])
        except ValueError:
            warnings.append(f"date {meta['date']!r} is not a date; left empty")
    return Article(
        id=id,
        title=" ".join(title.split()) or derive_title(body),
        body=body,
        path=path,
        date=date,
        source=meta.get("source") or None,
        url=meta.get("url") or None,
        lang=lang,
        fetched=meta.get("fetched") or None,
        words=languages.count_words(body, lang),
        warnings=warnings,
    )


def write_article(article: Article) -> str:
    """The article in kzjp's own format, which ``parse_article`` reads back with the same fields.

    Front matter holds the title, date, source, url and lang (one line each,
    white space folded, quoted where a bare value would lose its quotes), then
    the body. An undated article whose body opens like a seed's date line gets
    an empty ``date:``, so that line stays text.
    """
    lines = ["---"]
    for key in META_KEYS:
        value = getattr(article, key)
        text = value.isoformat() if isinstance(value, dt.date) else " ".join(clean_text(value or "").split())
        if text or key == "title":
            quoted = len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'"
            lines.append(f'{key}: "{text}"' if quoted else f"{key}: {text}".rstrip())
    body = clean_text(article.body).strip()
    if article.date is None and _LEADING_DATE.match(body):
        lines.append("date:")
    lines.append("---")
    return "\n".join(lines) + "\n" + body + "\n"
