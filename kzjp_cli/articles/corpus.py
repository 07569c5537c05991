"""Finding the article files of a corpus folder, and naming them: the scan, ids and id prefixes."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

from kzjp_cli.articles.pages import HTML_SUFFIXES
from kzjp_cli.articles.text import SUFFIXES
from kzjp_cli.errors import CorpusError, UnknownIdError


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


MAX_DEPTH = 100
"""Folders nested deeper than this are skipped with a warning (no corpus is organised 100 levels deep)."""


def _walk(
    root: str, warnings: list[str], seen: set[tuple[int, int]], folders: dict[str, int] | None = None
) -> list[tuple[str, str]]:
    """The relative and full paths of the article files below ``root``, not yet stat'ed (os.scandir and plain
    strings: this runs before every command, once for each file of a corpus of 100,000). ``folders``, if
    given, gets each folder's status-change time, taken before the folder is listed (``freshness``).

    Iterative, so a folder nested a thousand levels deep cannot exhaust Python's stack.
    """
    found: list[tuple[str, str]] = []
    pending: list[tuple[str, str, int]] = [(root, "", 0)]
    by_name = attrgetter("name")
    while pending:
        folder, prefix, depth = pending.pop()
        try:
            if folders is not None:
                folders[prefix] = os.stat(folder).st_ctime_ns
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


def scan_corpus(root: Path, folders: dict[str, int] | None = None) -> tuple[list[CorpusFile], list[str]]:
    """All article files under ``root`` (recursively, hidden ones skipped), sorted, and warnings about what
    was skipped (``folders`` as for ``list_corpus``)."""
    candidates, warnings = list_corpus(root, folders=folders)
    return stat_files(candidates, warnings), warnings


def list_corpus(
    root: Path, *, ordered: bool = True, folders: dict[str, int] | None = None
) -> tuple[list[tuple[str, str]], list[str]]:
    """The relative and full paths of the article files under ``root``, sorted (if ``ordered``), without the
    ``stat`` call each that ``scan_corpus`` adds (``freshness`` spreads those over processes), and warnings.
    ``folders``, if given, gets every folder listed (relative, "" for ``root``) with its status-change time."""
    if not root.exists():
        raise CorpusError(f"corpus folder {root} does not exist")
    if not root.is_dir():
        raise CorpusError(f"corpus {root} is not a folder")
    if not os.access(root, os.R_OK | os.X_OK):
        raise CorpusError(f"corpus folder {root} is not readable")
    warnings: list[str] = []
    st = root.stat()
    candidates = _walk(str(root), warnings, {(st.st_dev, st.st_ino)}, folders)
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
