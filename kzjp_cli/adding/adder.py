"""Bringing articles into the corpus (``kzjp add``): web pages, feeds, saved pages, text files and exports.

Each source becomes at most one Markdown file in the corpus, written through
``write_article`` and named stably (``HOST/DATE_SLUG_HASH8.md``; the hash is of
the address, so the same page always maps to the same name). A file is written
to a hidden temporary name and renamed into place, so an interrupted ``add``
leaves either the whole article or nothing. Before anything is written, the
source is checked against what the corpus holds (``dedup``): the same address or
text is reported as existing and not written again; a near copy is written with
a warning, or left out with ``skip_near``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from kzjp_cli import locations
from kzjp_cli.adding.fetch import FEED_ACCEPT, Limits, Politeness, Response, fetch, is_web_address
from kzjp_cli.articles import (
    HTML_SUFFIXES,
    SUFFIXES,
    Article,
    decode_bytes,
    dedup,
    from_file,
    from_text,
    pages,
    parse_date,
    read_bytes,
    scan_corpus,
    write_article,
)
from kzjp_cli.errors import ArticleError, CorpusError, FetchError, KzjpError
from kzjp_cli.languages import count_words, has_japanese, normalize

if TYPE_CHECKING:
    from kzjp_cli.index import CorpusIndex

HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")
FEED_SUFFIXES = (".rss", ".atom")
SLUG_CHARS = 40
"""The longest slug of a title in a file name (half that for Japanese, whose characters are double width)."""


@dataclass(frozen=True)
class Overrides:
    """Metadata the user gave on the command line: it wins over a feed's and a page's."""

    title: str | None = None
    date: dt.date | None = None
    source: str | None = None
    lang: str | None = None


@dataclass
class Outcome:
    """What became of one source: added, exists, near-duplicate (added unless skipped) or failed."""

    input: str
    outcome: str
    article: Article | None = None
    saved: bool = False
    similar_to: str | None = None
    similarity: float | None = None
    error: str | None = None
    skipped: bool = False
    """A near-duplicate left out (``skip_near``)."""
    retry: bool = False
    """A failure that may pass (the network, a server error): worth trying again later."""
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome != "failed"

    @property
    def id(self) -> str | None:
        """The article the source now is in the corpus: the new one, or the one it repeats."""
        if self.outcome == "exists":
            return self.similar_to
        if self.outcome == "failed" or self.skipped or self.article is None:
            return None
        return self.article.id

    def notes(self) -> list[tuple[str, str]]:
        """What to tell the user besides the result, as (``warning`` or ``error``, message) pairs."""
        said = [("warning", f"{self.input}: {warning}") for warning in self.warnings]
        if self.error:
            said.append(("error", f"{self.input}: {self.error}"))
        elif self.outcome == "near-duplicate":
            kept = "left out" if self.skipped else "saved all the same"
            said.append(
                ("warning", f"{self.input}: {self.similarity:.0%} like {self.similar_to}, a near-duplicate; {kept}")
            )
        return said

    def to_record(self) -> dict[str, object]:
        """The outcome for JSON output: the source, what happened, and the article's fields."""
        record: dict[str, object] = {"input": self.input, "outcome": self.outcome, "saved": self.saved}
        article = self.article.to_record() if self.article is not None else {}
        record.update(article)
        record["id"] = self.id
        record.update({"similar_to": self.similar_to, "similarity": self.similarity, "error": self.error})
        return record


@dataclass
class Candidate:
    """An article read from a source, before the duplicate checks: and every address it is known by."""

    input: str
    article: Article
    urls: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def known_in(corpus: Path, open_index: Callable[[], CorpusIndex]) -> dedup.Known:
    """What the duplicate checks need to know of ``corpus``: from its index's manifest, opened only if the
    corpus holds any article files yet (a new folder has no index to check against)."""
    if not (corpus.is_dir() and scan_corpus(corpus)[0]):
        return dedup.Known()
    return dedup.Known.from_entries(open_index().manifest.files.values())


def tally(outcomes: list[Outcome], corpus: Path, dry_run: bool) -> str:
    """One line on what an ``add`` did: counts of each outcome and the files written."""
    names = {
        "added": "added",
        "near-duplicate": "near-duplicate",
        "exists": "already in the corpus",
        "failed": "failed",
    }
    counts = {name: sum(o.outcome == outcome for o in outcomes) for outcome, name in names.items()}
    said = ", ".join(f"{n} {name}" for name, n in counts.items() if n) or "nothing to add"
    if dry_run:
        would = sum(o.outcome in ("added", "near-duplicate") and not o.skipped for o in outcomes)
        return f"{said}; would write {would} file(s) in {corpus} (dry run: nothing written)"
    return f"{said}; wrote {sum(o.saved for o in outcomes)} file(s) in {corpus}"


def now() -> str:
    """The current time in UTC, to the second, as a ``fetched`` value."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --- file names ----------------------------------------------------------------


def slug(title: str, limit: int = SLUG_CHARS) -> str:
    """The title's words in lower case joined by hyphens, cut at a word boundary (letters of any script kept)."""
    words = re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", title).lower())
    text = "-".join(words)
    if has_japanese(text):
        limit //= 2
    if len(text) > limit:
        cut = text[:limit]
        text = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return text or "article"


MAX_RECORD_CHARS = 50_000_000
"""The longest JSON line read (an article of 9 MB escaped, with room to spare)."""
MAX_FOLDER_CHARS = 100


def whole_characters(text: str) -> str:
    """``text`` with any lone surrogate (JSON's \\ud800, which no file can hold) made U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def folder(url: str | None) -> str:
    """The corpus folder for an article from ``url``: its host without ``www.``; ``local`` for no address."""
    if not url:
        return "local"
    try:
        parts = urlsplit(url)
        port = f"_{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    except ValueError:
        return "local"
    host = (parts.hostname or "").removeprefix("www.")
    name = re.sub(r"[^a-z0-9.-]+", "-", host + port).strip(".-")
    if len(name) > MAX_FOLDER_CHARS:  # a file name has at most 255 bytes; a host may have 253 and a port
        name = (
            name[: MAX_FOLDER_CHARS - 9].rstrip(".-") + "-" + hashlib.blake2b(name.encode(), digest_size=4).hexdigest()
        )
    return name or "local"


def file_name(article: Article) -> str:
    """The article's path in the corpus: ``HOST/DATE_SLUG_HASH8.md``, stable for one address (or one text)."""
    key = dedup.url_key(article.url or "") or article.text_key or dedup.text_key(article.body)
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=4).hexdigest()
    date = article.date.isoformat() if article.date else "undated"
    return f"{folder(article.url)}/{date}_{slug(article.title)}_{digest}.md"


_TEMPORARY = re.compile(r"^\..+\.(\d+)\.tmp$")
_SWEPT: set[Path] = set()
STALE_SECONDS = 24 * 3600.0


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove what a killed ``kzjp add`` left in ``folder``: its hidden ``.NAME.PID.tmp`` files whose process is
    gone, or that are over a day old (a PID may have been reused since)."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if not match or not entry.is_file(follow_symlinks=False):
            continue
        pid = int(match.group(1))
        try:
            old = time.time() - entry.stat(follow_symlinks=False).st_mtime > STALE_SECONDS
        except OSError:
            continue
        if pid != os.getpid() and (old or not _alive(pid)):
            with suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True  # another user's process, or a number the system will not look up: leave its file
    return True


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a hidden temporary file beside ``path`` and rename it into place; never half a file.

    FileExistsError if ``path`` is already there (nothing is overwritten).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.parent not in _SWEPT:
        _SWEPT.add(path.parent)
        remove_stale_temporaries(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, path)  # unlike rename, refuses to replace a file that is there
    finally:
        temporary.unlink(missing_ok=True)


def _is_feed(path: Path) -> bool:
    """Whether a file's first bytes are those of an RSS or Atom feed."""
    try:
        with open(path, "rb") as handle:
            return _looks_like_feed(handle.read(2048))
    except OSError:
        return False


def _looks_like_feed(head: bytes) -> bool:
    head = head[:2048].lower()
    return b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head


# --- the adder -------------------------------------------------------------------


@dataclass
class Adder:
    """Turns sources into articles in ``corpus``, checking each against what is ``known``."""

    corpus: Path
    known: dedup.Known
    overrides: Overrides = field(default_factory=Overrides)
    skip_near: bool = False
    dry_run: bool = False
    limits: Limits = field(default_factory=Limits)
    delay: float = 1.0
    progress: Callable[[list[Any], str], Iterable[Any]] = lambda items, label: items
    notice: Callable[[str], None] = lambda message: None
    _polite: Politeness | None = None

    @property
    def polite(self) -> Politeness:
        if self._polite is None:
            self._polite = Politeness(delay=self.delay, limits=self.limits)
        return self._polite

    def add(
        self,
        targets: Iterable[str],
        feeds: Iterable[str] = (),
        exports: Iterable[str] = (),
        stdin: Callable[[], bytes] = bytes,
    ) -> Iterator[Outcome]:
        """Every source's outcome, in order: targets (URLs, files, ``-``), then feeds, then JSONL exports."""
        for target in targets:
            if not target.strip():
                yield Outcome(target, "failed", error="an empty SOURCE")
            elif target == "-":
                yield from self._stdin(stdin())
            elif is_web_address(target):
                yield self._guarded(target, lambda t=target: self._from_url(t))
            else:
                yield self._guarded(target, lambda t=target: self._from_file(Path(t)))
        for feed in feeds:
            yield from self._feed(feed)
        for export in exports:
            yield from self._jsonl(export, stdin)

    # --- one source ------------------------------------------------------------

    def _guarded(self, input: str, read: Callable[[], Candidate | Outcome]) -> Outcome:
        """Read a source and check it in; anything the user can cause becomes a failed outcome."""
        try:
            found = read()
            return found if isinstance(found, Outcome) else self._check_in(found)
        except KzjpError as exc:
            return Outcome(input, "failed", error=str(exc), retry=_passing(exc))
        except Exception as exc:  # a bulkhead: one source kzjp fails on must not stop the rest
            reason = f"kzjp could not read it ({type(exc).__name__}: {exc}); this is a bug in kzjp: please report it"
            return Outcome(input, "failed", error=reason)

    def _from_url(self, url: str, item: Any = None, feed_title: str = "") -> Candidate | Outcome:
        seen = self.known.by_url(url)
        if seen:
            return Outcome(url, "exists", similar_to=seen.id)
        response = self.polite.fetch(url) if item is not None else fetch(url, self.limits)
        return self._from_page(url, response, item, feed_title)

    def _from_page(self, url: str, response: Response, item: Any = None, feed_title: str = "") -> Candidate:
        """The article of a fetched page (a feed's ``item``, if it is one), with every address it is known by."""
        warnings: list[str] = []
        article = self._from_response(response, warnings, item)
        canonical, article.url = article.url, response.url
        article.fetched = now()
        if item is not None:
            article.title = item.title or article.title
            article.date = item.date or article.date
            article.source = feed_title or article.source
        urls = [url, response.url, *([canonical] if canonical else [])]
        return Candidate(url, article, urls=urls, warnings=warnings)

    def known_page(self, url: str) -> Outcome | None:
        """An ``exists`` outcome if the corpus already holds the page at ``url`` (nothing is fetched)."""
        seen = self.known.by_url(url)
        return Outcome(url, "exists", similar_to=seen.id) if seen else None

    def add_page(self, item: Any, fetched: Response | KzjpError, feed_title: str = "") -> Outcome:
        """Check in a feed item whose page was fetched elsewhere (``kzjp update`` fetches sites at once)."""
        if isinstance(fetched, KzjpError):
            return Outcome(item.link, "failed", error=str(fetched), retry=_passing(fetched))
        return self._guarded(
            item.link, lambda: self.known_page(item.link) or self._from_page(item.link, fetched, item, feed_title)
        )

    def _from_response(self, response: Response, warnings: list[str], item: Any) -> Article:
        kind = response.media_type
        if kind in FEED_TYPES or (kind.endswith("xml") and _looks_like_feed(response.data)):
            raise ArticleError("this is a feed, not an article; add its stories with --feed")
        if kind not in (*HTML_TYPES, "text/plain", "application/octet-stream", ""):
            raise ArticleError(f"not a web page ({kind})")
        suffix = ".html" if kind in HTML_TYPES or pages.sniffs_as_html(response.data) else ".txt"
        text = decode_bytes(response.data, suffix=suffix, declared=response.charset, warnings=warnings)
        if not pages.looks_like_html(text, suffix):
            return from_text(text, id="-", path=response.url, suffix=suffix)
        try:
            page = pages.extract(text)
        except ArticleError:
            if item is None or len(item.summary) < pages.MIN_LETTERS:
                raise
            warnings.append("the page has no article text; saved the feed's summary instead")
            page = pages.Page(text=item.summary)
        canonical = page.url
        article = pages.article_from_page(replace(page, url=None), id="-", path=response.url)
        article.url = canonical  # kept for the duplicate check; the fetched address replaces it
        return article

    def _from_file(self, path: Path) -> Candidate:
        if path.is_dir():
            raise ArticleError("is a folder; give its files (kzjp add DIR/*.html), or use it with --corpus")
        if not path.exists():
            raise ArticleError("no such file, and not a web address (give an http:// or https:// URL)")
        if not path.is_file():
            raise ArticleError("not a regular file (a pipe or a device is never read: it may never end)")
        suffix = path.suffix.lower()
        if suffix in FEED_SUFFIXES or (suffix not in (*SUFFIXES, *HTML_SUFFIXES) and _is_feed(path)):
            raise ArticleError("this is a feed, not an article; add its stories with --feed")
        if suffix == ".jsonl":
            raise ArticleError("this is an export; add its articles with --jsonl")
        if suffix not in (*SUFFIXES, *HTML_SUFFIXES):
            raise ArticleError("not an article file (kzjp reads .txt, .md and saved .html pages)")
        article = from_file(path)
        if not article.body.strip():
            raise ArticleError("no article text in it")
        return Candidate(str(path), article, urls=[article.url] if article.url else [])

    def _stdin(self, data: bytes) -> Iterator[Outcome]:
        notes: list[str] = []
        try:
            text = decode_bytes(data, warnings=notes) if data.strip() else ""
        except ArticleError as exc:
            yield Outcome("-", "failed", error=str(exc))
            return
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        # a list of addresses: one word a line, some of them web addresses (the others fail, one line each)
        if any(is_web_address(line) for line in lines) and not any(" " in line or "<" in line for line in lines):
            for url in self.progress(lines, "Adding"):
                yield self._guarded(url, lambda u=url: self._from_url(u))
            return

        def read() -> Candidate:
            if not text.strip():
                raise ArticleError("nothing on standard input")
            if _looks_like_feed(text[:2048].encode("utf-8", "replace")):
                raise ArticleError("this is a feed, not an article; save it and add its stories with --feed FILE")
            try:
                article = from_text(text, id="-", path="-")
            except ArticleError:
                raise ArticleError("no article text on standard input") from None
            return Candidate("-", article, urls=[article.url] if article.url else [], warnings=notes)

        yield self._guarded("-", read)

    def _feed(self, feed: str) -> Iterator[Outcome]:
        from kzjp_cli.adding.feeds import parse_feed

        try:
            if is_web_address(feed):
                response = fetch(feed, self.limits, accept=FEED_ACCEPT)
                self.polite.note(response.url)
                parsed = parse_feed(response.data, response.url, response.media_type)
            else:
                try:
                    data = read_bytes(Path(feed))
                except ArticleError as exc:
                    raise ArticleError(f"no feed there: {exc}") from None
                parsed = parse_feed(data)
        except KzjpError as exc:
            yield Outcome(feed, "failed", error=str(exc))
            return
        if not parsed.items:
            yield Outcome(feed, "failed", error="the feed lists no stories")
            return
        for number, item in enumerate(self.progress(parsed.items, "Adding")):
            outcome = self._guarded(item.link, lambda i=item: self._from_url(i.link, i, parsed.title))
            if number == 0 and parsed.listed > len(parsed.items):
                outcome.warnings.append(
                    f"the feed {feed} lists {parsed.listed:,} stories; read its first {len(parsed.items):,} "
                    "(feeds list the newest first)"
                )
            yield outcome

    def _jsonl(self, export: str, stdin: Callable[[], bytes]) -> Iterator[Outcome]:
        try:
            lines = (stdin() if export == "-" else read_bytes(Path(export))).decode("utf-8-sig").splitlines()
        except (ArticleError, UnicodeDecodeError) as exc:
            reason = str(exc) if isinstance(exc, ArticleError) else "not UTF-8 text"
            yield Outcome(export, "failed", error=reason)
            return
        numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
        for number, line in self.progress(numbered, "Adding"):
            where = f"{export}:{number}"
            yield self._guarded(where, lambda w=where, text=line: self._from_record(w, text))

    def _from_record(self, where: str, line: str) -> Candidate | Outcome:
        if len(line) > MAX_RECORD_CHARS:
            raise ArticleError(f"a line of {len(line):,} characters is over the limit of {MAX_RECORD_CHARS:,}")
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise ArticleError(f"not JSON ({exc.msg})") from None
        except RecursionError:
            raise ArticleError("JSON nested too deeply") from None
        if not isinstance(record, dict):
            raise ArticleError("not a JSON object")
        values = {k: whole_characters(v) for k, v in record.items() if isinstance(v, str) and v.strip()}
        url = values.get("url")
        warnings: list[str] = []
        if "html" in values:
            article = from_text(values["html"], id="-", path=where, suffix=".html")
        elif "text" in values:
            article = from_text(values["text"], id="-", path=where)
        elif url and is_web_address(url):
            found = self._from_url(url)
            if isinstance(found, Outcome):
                return replace(found, input=where)
            article, warnings = found.article, found.warnings
        else:
            raise ArticleError('the object has no "text", "html" or "url" to read')
        if url:
            article.url = url
        if values.get("title"):
            article.title = " ".join(values["title"].split())
        if values.get("source"):
            article.source = values["source"]
        if values.get("date"):
            try:
                article.date = parse_date(values["date"])
            except ValueError:
                warnings.append(f"date {values['date']!r} is not a date; left empty")
        if values.get("lang") and normalize(values["lang"]):
            article.lang = normalize(values["lang"])
            article.words = count_words(article.body, article.lang)
        return Candidate(where, article, urls=[url] if url else [], warnings=warnings)

    # --- checking in and saving ----------------------------------------------------

    def _check_in(self, candidate: Candidate) -> Outcome:
        article = self._with_overrides(candidate.article)
        warnings = article.warnings + candidate.warnings
        seen = self.known.by_url(*candidate.urls)
        if seen:
            return Outcome(candidate.input, "exists", article, similar_to=seen.id, warnings=warnings)
        article.text_key, article.minhash = dedup.fingerprints(article.body)
        seen = self.known.by_text(article.text_key, article.minhash)
        if seen and seen.kind == "text":
            return Outcome(candidate.input, "exists", article, similar_to=seen.id, warnings=warnings)
        rel = file_name(article)
        article.id, article.path = rel.removesuffix(".md"), str(self.corpus / rel)
        outcome = Outcome(candidate.input, "added", article, warnings=warnings)
        if seen:
            outcome.outcome, outcome.similar_to, outcome.similarity = "near-duplicate", seen.id, seen.similarity
            if self.skip_near:
                outcome.skipped = True
                return outcome
        if not self.dry_run:
            made = make_corpus(self.corpus)
            if made:
                self.notice(made)
            try:
                write_atomically(self.corpus / rel, write_article(article))
            except FileExistsError:
                return Outcome(candidate.input, "exists", article, similar_to=article.id, warnings=warnings)
            except OSError as exc:
                raise CorpusError(f"cannot write {self.corpus / rel}: {exc.strerror or exc}") from None
            outcome.saved = True
        for url in candidate.urls:
            self.known.remember(article.id, url, "", "")
        self.known.remember(article.id, article.url, article.text_key, article.minhash)
        return outcome

    def _with_overrides(self, article: Article) -> Article:
        given = self.overrides
        article.title = given.title or article.title
        article.date = given.date or article.date
        article.source = given.source or article.source
        if given.lang and given.lang != article.lang:
            article.lang = given.lang
            article.words = count_words(article.body, given.lang)
        return article


def _passing(error: KzjpError) -> bool:
    """Whether a failure may pass by itself: no answer, or a server error (5xx, 429)."""
    status = getattr(error, "status", "no status")
    return isinstance(error, FetchError) and (status is None or status >= 500 or status == 429)


def target_corpus(corpus: Path | None) -> Path:
    """The folder ``add`` writes to: ``corpus``, else the user's own corpus. Nothing is made yet (a run
    that adds nothing leaves no trace); the bundled corpus is refused."""
    if corpus is None:
        return locations.user_corpus()
    corpus = corpus.expanduser().absolute()
    if locations.is_bundled(corpus):
        raise CorpusError(
            f"{corpus} is the corpus bundled with kzjp, which is never written to",
            hint="leave out --corpus/KZJP_CORPUS to add to your own corpus, or give another folder",
        )
    if corpus.exists() and not corpus.is_dir():
        raise CorpusError(f"corpus {corpus} is not a folder")
    return corpus


def make_corpus(folder: Path) -> str | None:
    """Make ``folder`` before the first article goes in; a notice if it is the user's own corpus, made now
    with the bundled articles copied in (so the examples in kzjp's help keep working there)."""
    if folder.is_dir():
        return None
    _make(folder)
    if folder != locations.user_corpus():
        return None
    bundled = sorted(p for p in locations.bundled_corpus().iterdir() if p.is_file() and not p.name.startswith("."))
    for path in bundled:
        write_atomically(folder / path.name, path.read_text(encoding="utf-8"))
    return (
        f"made your corpus at {folder}, with the {len(bundled)} bundled articles; "
        "kzjp now uses it by default (--corpus or KZJP_CORPUS choose another)"
    )


def _make(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CorpusError(f"cannot make the corpus folder {folder}: {exc.strerror or exc}") from None
