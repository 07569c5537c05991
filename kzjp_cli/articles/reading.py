"""The one way from bytes to an ``Article``: corpus files, summarize's targets and ``kzjp add`` all come here.

Bytes are decoded as a page's (a declared charset, else its ``<meta
charset>``) when they are, or may be, an HTML page, else as any article
(UTF-8, else a detected encoding, with a warning). The text is then an HTML
page's story (``pages``) if its suffix says so or it starts like a page,
else kzjp's own format, plain text or Markdown (``text``).
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from kzjp_cli.articles import dedup
from kzjp_cli.articles.corpus import CorpusFile
from kzjp_cli.articles.fields import Article
from kzjp_cli.articles.pages import HTML_SUFFIXES, article_from_page, decode_html, extract, looks_like_html
from kzjp_cli.articles.text import decode, parse_article
from kzjp_cli.errors import ArticleError

MAX_BYTES = 10 * 1024 * 1024
"""Files larger than this are skipped: no news article is 10 MB of text."""
_PAGE_START = (b"<!doctype html", b"<html")


def decode_bytes(
    data: bytes, *, suffix: str = "", declared: str | None = None, warnings: list[str] | None = None
) -> str:
    """Text from bytes: by the charset a server ``declared`` or a page's ``<meta charset>`` for what is or may
    be a page (an HTML suffix, or bytes that start like one), else as any article."""
    if declared or suffix in HTML_SUFFIXES or data.lstrip()[:15].lower().startswith(_PAGE_START):
        return decode_html(data, warnings, declared)
    return decode(data, warnings)


def from_text(text: str, *, id: str, path: str, suffix: str = ".txt") -> Article:
    """An article from text: an HTML page's story (an HTML ``suffix``, or text that starts like a page), else
    kzjp's format, plain text or Markdown. ArticleError if there is no article in it."""
    if looks_like_html(text, suffix):
        return article_from_page(extract(text), id=id, path=path)
    return parse_article(text, id=id, path=path, suffix=suffix)


def from_bytes(
    data: bytes,
    *,
    id: str,
    path: str,
    suffix: str = ".txt",
    declared: str | None = None,
    warnings: list[str] | None = None,
) -> Article:
    """An article from bytes: decoded (notes on the encoding go to ``warnings``), then read as ``from_text``."""
    text = decode_bytes(data, suffix=suffix, declared=declared, warnings=warnings)
    return from_text(text, id=id, path=path, suffix=suffix)


def read_bytes(path: Path) -> bytes:
    """A file's bytes, within the size limit; ArticleError says why it cannot be read."""
    try:
        # opened without waiting, so that a pipe named like an article cannot hold kzjp until a writer comes
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise ArticleError("not a regular file (a pipe or a device is never read: it may never end)")
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
    article = from_bytes(data, id=id, path=str(file.path), suffix=file.path.suffix.lower(), warnings=notes)
    article.warnings[:0] = notes
    article.hash = content_hash(data)
    article.text_key, article.minhash = dedup.fingerprints(article.body)
    return article


def content_hash(data: bytes) -> str:
    """A short, stable fingerprint of a file's bytes."""
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def from_file(path: Path) -> Article:
    """An article from a text, Markdown or HTML file named on the command line, with its path as its id.

    ArticleError names the file when it cannot be read; a file with no article
    in it gives an article with an empty body, for the caller to say what that means.
    """
    suffix = path.suffix.lower()
    try:
        text = decode_bytes(read_bytes(path), suffix=suffix)
    except ArticleError as exc:
        raise ArticleError(f"{path}: {exc}") from None
    try:
        return from_text(text, id=str(path), path=str(path), suffix=suffix)
    except ArticleError:
        return Article(id=str(path), title="", path=str(path))
