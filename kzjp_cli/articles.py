"""Reading articles: finding them in a corpus folder and parsing their metadata.

An article is a UTF-8 ``.txt`` or ``.md`` file. Metadata comes from an optional
front-matter block (``---`` … ``---`` of ``key: value`` lines) or from the seeds'
own form, a leading ``date YYYY-MM-DD`` before the text. Nothing is invented:
a missing date stays ``None``; a missing title is cut from the first sentence.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kzjp_cli.errors import ArticleError, CorpusError, UnknownIdError

SUFFIXES = (".txt", ".md", ".markdown")
MAX_BYTES = 10 * 1024 * 1024
"""Files larger than this are skipped: no news article is 10 MB of text."""

TITLE_CHARS = 90
META_KEYS = ("title", "date", "source", "url", "lang")


@dataclass(frozen=True)
class CorpusFile:
    """A candidate article file found by a scan, before it is read."""

    rel: str
    full: str
    size: int
    mtime_ns: int

    @property
    def path(self) -> Path:
        return Path(self.full)


@dataclass
class Article:
    """One parsed article: metadata and plain-text body."""

    id: str
    title: str
    body: str
    path: str
    date: dt.date | None = None
    source: str | None = None
    url: str | None = None
    lang: str | None = None
    words: int = 0
    hash: str = ""
    warnings: list[str] = field(default_factory=list, repr=False, compare=False)

    def to_record(self, *, body: bool = False) -> dict[str, object]:
        """The article as a plain dict for JSON/CSV output."""
        record: dict[str, object] = {
            "id": self.id,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "source": self.source,
            "url": self.url,
            "lang": self.lang,
            "words": self.words,
            "path": self.path,
        }
        if body:
            record["body"] = self.body
        return record


# --- dates -----------------------------------------------------------------

_DATE_FORMS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%d %B %Y", "%B %d, %Y", "%d %b %Y", "%b %d, %Y")


def parse_date(text: str) -> dt.date:
    """Parse a calendar date (ISO 8601 and a few common news forms); ValueError if not one."""
    text = text.strip().strip("\"'")
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        pass
    for form in _DATE_FORMS:
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


# --- text hygiene ----------------------------------------------------------

_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """Normalise newlines and drop terminal escapes and control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ANSI.sub("", text)
    return _CONTROL.sub("", text)


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

    matches = list(from_bytes(data))
    if not matches or matches[0].chaos > 0.2:
        raise ArticleError(f"not UTF-8 text (bad byte at offset {offset}) and no other encoding fits")
    top = matches[0]
    # Code pages often tie (cp1250 and cp1252 read "à" differently); prefer the common ones.
    tied = [m for m in matches if m.chaos <= top.chaos + 0.01 and m.coherence >= top.coherence - 0.05]
    best = min(tied, key=lambda m: PREFERRED.index(m.encoding) if m.encoding in PREFERRED else len(PREFERRED))
    if warnings is not None:
        warnings.append(f"not UTF-8; decoded as {best.encoding}")
    return str(best)


# --- metadata ----------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.S)
_LEADING_DATE = re.compile(r"\A\s*date:?[ \t]+(\d{4}-\d{2}-\d{2})\b[ \t]*\n?", re.I)
_MD_HEADING = re.compile(r"\A#[ \t]+(.+?)[ \t#]*(?:\n|\Z)")
_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9])")


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
        meta[key.strip().lower()] = value
    return meta, stripped[match.end() :]


def derive_title(body: str, limit: int = TITLE_CHARS) -> str:
    """A title from the first sentence, cut at a word boundary when too long."""
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
    body = body.strip()
    if not body:
        raise ArticleError("no text" if not meta else "front matter but no text")
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
        lang=meta.get("lang") or None,
        words=len(body.split()),
        warnings=warnings,
    )


def read_bytes(path: Path) -> bytes:
    """A file's bytes, within the size limit; ArticleError says why it cannot be read."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ArticleError("file not found (or vanished before it could be read)") from None
    except IsADirectoryError:
        raise ArticleError("is a directory") from None
    except OSError as exc:
        raise ArticleError(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise ArticleError(f"larger than the {MAX_BYTES // (1024 * 1024)} MB limit")
    if not data.strip():
        raise ArticleError("empty file")
    return data


def read_article(file: CorpusFile, id: str) -> Article:
    """Read and parse one corpus file; ArticleError says why it cannot be used."""
    data = read_bytes(file.path)
    notes: list[str] = []
    article = parse_article(decode(data, notes), id=id, path=str(file.path), suffix=file.path.suffix.lower())
    article.warnings[:0] = notes
    article.hash = content_hash(data)
    return article


def content_hash(data: bytes) -> str:
    """A short, stable fingerprint of a file's bytes."""
    return hashlib.blake2b(data, digest_size=12).hexdigest()


# --- corpus ------------------------------------------------------------------


def _walk(root: str, prefix: str, warnings: list[str], seen: set[tuple[int, int]]) -> Iterator[CorpusFile]:
    """Article files below ``root`` (os.scandir and plain strings: this runs before every command)."""
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as exc:
        warnings.append(f"{root}: cannot list folder ({exc.strerror})")
        return
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        try:
            if entry.is_dir():
                st = entry.stat()
                if (st.st_dev, st.st_ino) in seen:  # a symlink loop, or a folder linked twice
                    continue
                seen.add((st.st_dev, st.st_ino))
                yield from _walk(entry.path, f"{prefix}{name}/", warnings, seen)
            elif name.lower().endswith(SUFFIXES):
                st = entry.stat()
                yield CorpusFile(rel=prefix + name, full=entry.path, size=st.st_size, mtime_ns=st.st_mtime_ns)
        except OSError as exc:
            warnings.append(f"{entry.path}: skipped: {exc.strerror}")


def scan_corpus(root: Path) -> tuple[list[CorpusFile], list[str]]:
    """All article files under ``root`` (recursively, hidden ones skipped), sorted."""
    if not root.exists():
        raise CorpusError(f"corpus folder {root} does not exist")
    if not root.is_dir():
        raise CorpusError(f"corpus {root} is not a folder")
    if not os.access(root, os.R_OK | os.X_OK):
        raise CorpusError(f"corpus folder {root} is not readable")
    warnings: list[str] = []
    st = root.stat()
    files = sorted(_walk(str(root), "", warnings, {(st.st_dev, st.st_ino)}), key=lambda f: f.rel)
    return files, warnings


def assign_ids(files: list[CorpusFile]) -> dict[str, str]:
    """Map each file's relative path to its article id: the path without suffix.

    Top-level files get their stem (``000_26794fffe5e8f9f3``). When two files
    share a stem in one folder (``a.txt`` and ``a.md``), the later keeps its suffix.
    """
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for file in files:
        # PurePosixPath(rel).with_suffix("") in string operations: 10,000 paths took 0.15 s
        name = file.rel.rsplit("/", 1)[-1]
        dot = name.rfind(".")
        stem = file.rel[: len(file.rel) - len(name) + dot] if 0 < dot < len(name) - 1 else file.rel
        article_id = stem if stem not in taken else file.rel
        taken.add(article_id)
        ids[file.rel] = article_id
    return ids


def resolve_id(wanted: str, ids: list[str]) -> str:
    """The one id equal to ``wanted`` or starting with it; UnknownIdError otherwise."""
    wanted = wanted.strip()
    if wanted in ids:
        return wanted
    matches = sorted(i for i in ids if i.startswith(wanted)) if wanted else []
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UnknownIdError(
            f"no article with id {wanted!r}",
            hint="'kzjp list' shows every id; a unique prefix of one is enough",
        )
    shown = ", ".join(matches[:8]) + (f" and {len(matches) - 8} more" if len(matches) > 8 else "")
    raise UnknownIdError(f"id prefix {wanted!r} is ambiguous: it matches {shown}")


# --- HTML ----------------------------------------------------------------------

HTML_SUFFIXES = (".html", ".htm", ".xhtml")


def html_to_text(html: str) -> tuple[str, str]:
    """The title and readable text of an HTML page: paragraphs and headings, no scripts or menus."""
    from html.parser import HTMLParser

    blocks = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "div", "br", "tr", "article", "section"}
    skipped = {"script", "style", "nav", "header", "footer", "aside", "form", "noscript", "template", "svg", "head"}

    class Extractor(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.title: list[str] = []
            self.h1: list[str] = []
            self.stack: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: Any) -> None:
            if tag in skipped:
                self.skip += 1
            if tag in blocks:
                self.parts.append("\n\n")
            self.stack.append(tag)

        def handle_endtag(self, tag: str) -> None:
            if tag in skipped and self.skip:
                self.skip -= 1
            if tag in blocks:
                self.parts.append("\n\n")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass

        def handle_data(self, data: str) -> None:
            if "title" in self.stack:
                self.title.append(data)
            elif not self.skip:
                self.parts.append(data)
                if "h1" in self.stack:
                    self.h1.append(data)

    parser = Extractor()
    parser.feed(html)
    parser.close()
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", "".join(parser.parts))]
    text = "\n\n".join(p for p in paragraphs if p)
    title = " ".join("".join(parser.h1).split()) or " ".join("".join(parser.title).split())
    return title, text
