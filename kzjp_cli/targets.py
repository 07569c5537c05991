"""What ``summarize`` reads: its TARGETs (ids, prefixes, files, stdin) and ``--ids-from`` lists.

``load()`` turns what a user typed (an article id or unique prefix, a
``.txt``/``.md``/``.html`` file, ``-`` for stdin) into articles, in order, each
file through the one reader (``articles.reading``); ``ids_from_lines()`` reads
``--ids-from`` lists (``kzjp search -f ids`` or ``-f jsonl`` output). The index
is opened only if an id needs it, so a file or stdin never touches it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kzjp_cli.articles import HTML_SUFFIXES, SUFFIXES, Article, from_file, from_text
from kzjp_cli.errors import ArticleError, UnknownIdError

if TYPE_CHECKING:
    from kzjp_cli.index import CorpusIndex


def from_stdin(text: str) -> Article:
    """An article from text on stdin (id ``-``); one with an empty body if there is no article in it."""
    try:
        return from_text(text, id="-", path="-")
    except ArticleError:
        return Article(id="-", title="", path="-")


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
            found.append(from_stdin(read_stdin()))
        elif Path(target).is_file():
            if Path(target).suffix.lower() not in (*SUFFIXES, *HTML_SUFFIXES):
                raise ArticleError(f"{target}: not an article file (kzjp reads .txt, .md and saved .html pages)")
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
