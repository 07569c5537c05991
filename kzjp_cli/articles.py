"""Articles: their fields, finding them in a corpus folder, reading and writing their format.

``Article`` is the one list of an article's fields: its dataclass fields, in
order, each with a ``FieldSpec`` that the index schema, the manifest and every
output format follow.

An article is a UTF-8 ``.txt`` or ``.md`` file. Metadata comes from an optional
front-matter block (``---`` … ``---`` of ``key: value`` lines) or from the
seeds' own form, a leading ``date YYYY-MM-DD`` before the text. Nothing is
invented: a missing date stays ``None``; a missing title is cut from the first
sentence. ``write_article`` writes the format ``parse_article`` reads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple

from kzjp_cli import dedup, languages
from kzjp_cli.errors import ArticleError, CorpusError, UnknownIdError

SUFFIXES = (".txt", ".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
"""Saved web pages: indexed through ``extract``, as their story without menus and footers."""
MAX_BYTES = 10 * 1024 * 1024
"""Files larger than this are skipped: no news article is 10 MB of text."""

TITLE_CHARS = 90
META_KEYS = ("title", "date", "source", "url", "lang", "fetched")
"""Front-matter keys kzjp reads and writes, in the order it writes them."""


@dataclass(frozen=True, slots=True)
class CorpusFile:
    """A candidate article file found by a scan, before it is read."""

    rel: str
    full: str
    size: int
    mtime_ns: int

    @property
    def path(self) -> Path:
        return Path(self.full)


# --- the article and its fields ------------------------------------------------


class FieldSpec(NamedTuple):
    """How one article field is indexed, stored, listed and shown: the one field list.

    ``kind`` says how the search engine indexes it: ``key`` (an exact, unique
    id), ``text`` (analysed words in the article's language, searched by
    default), ``label`` (analysed, searched only by name), ``tag`` (one exact
    token), ``date``, ``stored`` (kept, not searchable) or ``manifest`` (not in
    the search engine at all). ``record`` puts it in every output format,
    ``manifest`` in the index manifest (the metadata read without the index),
    and ``always`` shows it in text output even when empty.
    """

    kind: str
    record: bool = True
    manifest: bool = True
    always: bool = False
    role: str | None = None
    """The colour role of its value in text output."""
    boost: float = 1.0


def _spec(kind: str, **options: Any) -> dict[str, FieldSpec]:
    return {"kzjp": FieldSpec(kind, **options)}


@dataclass(kw_only=True)
class Article:
    """One parsed article: metadata and plain-text body. Its fields, in order, are the field list."""

    id: str = field(metadata=_spec("key", always=True, role="id"))
    title: str = field(metadata=_spec("text", always=True, role="title", boost=2.0))
    date: dt.date | None = field(default=None, metadata=_spec("date", always=True, role="date"))
    source: str | None = field(default=None, metadata=_spec("label"))
    url: str | None = field(default=None, metadata=_spec("stored"))
    lang: str | None = field(default=None, metadata=_spec("tag"))
    words: int = field(default=0, metadata=_spec("stored", always=True))
    fetched: str | None = field(default=None, metadata=_spec("stored"))
    """When ``kzjp add`` fetched it from the web (UTC, ISO 8601)."""
    path: str = field(default="", metadata=_spec("stored", always=True, manifest=False))
    body: str = field(default="", metadata=_spec("text", record=False, manifest=False))
    hash: str = field(default="", metadata=_spec("tag", record=False))
    text_key: str = field(default="", metadata=_spec("manifest", record=False))
    """Its text's digest, for duplicate checks (``dedup``)."""
    minhash: str = field(default="", metadata=_spec("manifest", record=False))
    """Its text's MinHash signature, for near-duplicate checks (``dedup``)."""
    warnings: list[str] = field(default_factory=list, repr=False, compare=False)

    def to_record(self, *, body: bool = False) -> dict[str, object]:
        """The article as a plain dict for JSON/CSV output (with ``body``, its text last)."""
        record = {name: _plain(getattr(self, name)) for name, spec in FIELDS.items() if spec.record}
        if body:
            record["body"] = self.body
        return record

    def metadata(self) -> dict[str, object]:
        """The fields an index manifest keeps, JSON-ready (not the body; the manifest is keyed by path)."""
        return {name: _plain(getattr(self, name)) for name, spec in FIELDS.items() if spec.manifest}

    @classmethod
    def from_metadata(cls, values: dict[str, Any], **more: Any) -> Article:
        """An article from ``metadata()`` output (and ``more`` fields, such as its path)."""
        known = {name: values[name] for name in FIELDS if name in values}
        if known.get("date"):
            known["date"] = dt.date.fromisoformat(known["date"])
        return cls(**known, **more)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


FIELDS: dict[str, FieldSpec] = {f.name: f.metadata["kzjp"] for f in fields(Article) if "kzjp" in f.metadata}
"""Every article field with its spec, in output order: the list the schema, manifest and outputs follow."""


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
_HEADLINE = re.compile(r"([^\n]*[^\s.!?…。！？:;,][^\S\n]*)\n[^\S\n]*\n")
_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]»]*(?=\s+[\"“‘'(\[«]?[A-Z0-9А-ЯЁӘҒҚҢӨҰҮҺІ])|[。！？][」』）]*")


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
    """Read and parse one corpus file (an article, or a saved page); ArticleError says why it cannot be used."""
    data = read_bytes(file.path)
    notes: list[str] = []
    suffix = file.path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        from kzjp_cli.extract import article_from_html, decode_html

        article = article_from_html(decode_html(data, notes), id=id, path=str(file.path))
    else:
        article = parse_article(decode(data, notes), id=id, path=str(file.path), suffix=suffix)
    article.warnings[:0] = notes
    article.hash = content_hash(data)
    article.text_key, article.minhash = dedup.fingerprints(article.body)
    return article


def content_hash(data: bytes) -> str:
    """A short, stable fingerprint of a file's bytes."""
    return hashlib.blake2b(data, digest_size=12).hexdigest()


# --- corpus ------------------------------------------------------------------


MAX_DEPTH = 100
"""Folders nested deeper than this are skipped with a warning (no corpus is organised 100 levels deep)."""


def _walk(root: str, warnings: list[str], seen: set[tuple[int, int]]) -> list[tuple[str, str]]:
    """The relative and full paths of the article files below ``root``, not yet stat'ed (os.scandir and plain
    strings: this runs before every command, once for each file of a corpus of 100,000).

    Iterative, so a folder nested a thousand levels deep cannot exhaust Python's stack.
    """
    found: list[tuple[str, str]] = []
    pending: list[tuple[str, str, int]] = [(root, "", 0)]
    by_name = attrgetter("name")
    while pending:
        folder, prefix, depth = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=by_name)
        except OSError as exc:
            warnings.append(f"{shown_path(folder)}: cannot list folder ({exc.strerror})")
            continue
        for entry in entries:
            name = entry.name
            if name[0] == ".":
                continue
            if not (name.isascii() and name.isprintable()) and _UNUSABLE_NAME.search(name):
                warnings.append(f"{shown_path(entry.path)}: skipped: {_name_problem(name)}; rename it to use it")
                continue
            try:
                if entry.is_dir():
                    st = entry.stat()
                    if (st.st_dev, st.st_ino) in seen:  # a symlink loop, or a folder linked twice
                        continue
                    seen.add((st.st_dev, st.st_ino))
                    if depth + 1 > MAX_DEPTH:
                        warnings.append(f"{shown_path(entry.path)}: skipped: more than {MAX_DEPTH} folders deep")
                        continue
                    pending.append((entry.path, f"{prefix}{name}/", depth + 1))
                elif name.lower().endswith(_ARTICLE_SUFFIXES):
                    found.append((prefix + name, entry.path))
            except OSError as exc:
                warnings.append(f"{shown_path(entry.path)}: skipped: {exc.strerror}")
    return found


def stat_files(candidates: Iterable[tuple[str, str]], warnings: list[str]) -> list[CorpusFile]:
    """The files of ``list_corpus`` with their sizes and modification times (a file gone or unreadable is
    skipped with a warning)."""
    found: list[CorpusFile] = []
    stat = os.stat
    for rel, full in candidates:
        try:
            st = stat(full)
        except OSError as exc:
            warnings.append(f"{shown_path(full)}: skipped: {exc.strerror}")
            continue
        found.append(CorpusFile(rel, full, st.st_size, st.st_mtime_ns))
    return found


_ARTICLE_SUFFIXES = SUFFIXES + HTML_SUFFIXES
_UNUSABLE_NAME = re.compile(r"[\x00-\x1f\x7f\udc80-\udcff]")
"""Control characters (a line break in an id breaks every id list) and bytes that are not UTF-8."""


def _name_problem(name: str) -> str:
    return "its name is not UTF-8" if re.search(r"[\udc80-\udcff]", name) else "its name has a control character"


def shown_path(path: str) -> str:
    """A path as it can be printed: bytes that are not UTF-8 and control characters escaped (``\\xff``)."""
    raw = os.fsencode(path).decode("utf-8", "backslashreplace")
    return re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", raw)


def scan_corpus(root: Path) -> tuple[list[CorpusFile], list[str]]:
    """All article files under ``root`` (recursively, hidden ones skipped), sorted, and warnings about what
    was skipped."""
    candidates, warnings = list_corpus(root)
    return stat_files(candidates, warnings), warnings


def list_corpus(root: Path, *, ordered: bool = True) -> tuple[list[tuple[str, str]], list[str]]:
    """The relative and full paths of the article files under ``root``, sorted (if ``ordered``), without the
    ``stat`` call each that ``scan_corpus`` adds (``freshness`` spreads those over processes), and warnings."""
    if not root.exists():
        raise CorpusError(f"corpus folder {root} does not exist")
    if not root.is_dir():
        raise CorpusError(f"corpus {root} is not a folder")
    if not os.access(root, os.R_OK | os.X_OK):
        raise CorpusError(f"corpus folder {root} is not readable")
    warnings: list[str] = []
    st = root.stat()
    candidates = _walk(str(root), warnings, {(st.st_dev, st.st_ino)})
    if ordered:
        candidates.sort()
    return candidates, warnings


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


def match_id(wanted: str, ids: list[str]) -> str:
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
