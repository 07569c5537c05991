"""One way in for articles named on the command line: ids, prefixes, files, stdin, id lists.

``load()`` turns what a user typed (an article id or unique prefix, a
``.txt``/``.md``/``.html`` file, ``-`` for stdin) into articles, in order;
``ids_from_lines()`` reads ``--ids-from`` lists (``kzjp search -f ids`` or
``-f jsonl`` output). The index is opened only if an id needs it, so a file
or stdin never touches it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kzjp_cli import extract
from kzjp_cli.articles import HTML_SUFFIXES, SUFFIXES, Article, decode, parse_article, read_bytes
from kzjp_cli.errors import ArticleError, UnknownIdError

if TYPE_CHECKING:
    from kzjp_cli.index import CorpusIndex


def from_text(text: str, id: str = "-", suffix: str = ".txt") -> Article:
    """An article from raw text: kzjp's format, plain text or Markdown, or an HTML page's story.

    Text with nothing in it gives an article with an empty body; what to do
    with that is the caller's to say.
    """
    try:
        if extract.looks_like_html(text, suffix):
            return extract.article_from_html(text, id=id, path=id)
        return parse_article(text, id=id, path=id, suffix=suffix)
    except ArticleError:
        return Article(id=id, title="", path=id)


def from_file(path: Path) -> Article:
    """An article from a text, Markdown or HTML file; ArticleError names the file and the reason."""
    suffix = path.suffix.lower()
    try:
        data = read_bytes(path)
        text = extract.decode_html(data) if suffix in HTML_SUFFIXES else decode(data)
    except ArticleError as exc:
        raise ArticleError(f"{path}: {exc}") from None
    return from_text(text, id=str(path), suffix=suffix)


def ids_from_lines(lines: Iterable[str | bytes]) -> list[str]:
    """Article ids from lines of ids or of JSON objects with an "id" (``search -f jsonl``); bytes must be UTF-8."""
    ids = []
    for number, raw in enumerate(lines, start=1):
        try:
            line = (raw.decode("utf-8-sig" if number == 1 else "utf-8") if isinstance(raw, bytes) else raw).strip()
        except UnicodeDecodeError:
            raise ArticleError(f"line {number} of the id list is not UTF-8 text") from None
        if not line:
            continue
        if line.startswith("{"):
            try:
                value = json.loads(line).get("id")
            except (ValueError, AttributeError):
                value = None
            if not isinstance(value, str):
                raise ArticleError(f'line {number} of the id list is JSON without an "id"')
            line = value
        ids.append(line)
    return ids


def load(targets: Sequence[str], read_stdin: Callable[[], str], open_index: Callable[[], CorpusIndex]) -> list[Article]:
    """Turn targets (ids or id prefixes, file paths, or ``-``) into articles, in order.

    ``open_index`` is called only if an id needs looking up.
    """
    found: list[Article] = []
    index = None
    for target in targets:
        if target == "-":
            found.append(from_text(read_stdin(), id="-"))
        elif Path(target).is_file():
            found.append(from_file(Path(target)))
        else:
            index = index or open_index()
            try:
                found.append(index.article(index.full_id(target)))
            except UnknownIdError:
                if Path(target).suffix.lower() in (*SUFFIXES, *HTML_SUFFIXES):
                    raise ArticleError(f"{target}: no such file (nor an article id)") from None
                raise
    return found
