"""Whether the corpus changed since its index was built: a fingerprint of every article file's path, size and
modification time, taken before a command answers.

On a large corpus that check is most of a command's time: 50,000 files take 0.14 s of ``stat`` calls alone,
and kzjp's whole scan 0.22 s, against 0.13 s for opening the index and searching it. So, past
``PARALLEL_FROM`` articles and where the system can fork, the check runs in child processes, one for each
processor and at most ``PARTS``, each listing the corpus and statting its share of the files, while the
command reads the index; the answer is given only once the check agrees, and read again from the refreshed
index if it does not (``index.CorpusIndex``). git checks its working tree the same way
(``core.preloadIndex``: the ``lstat`` calls spread over threads). The command's own read is the shorter
path, so it gets no processor of its own: on two processors, `kzjp search` at 50,000 articles took a median
of 0.31 s with two children against 0.35 s with one (0.48 against 0.59 s at 100,000; 0.41 against 0.44 s
with a third process keeping one processor busy), alternating; two children with the parent listing the
names first had done worse than one.

The fingerprint is the same however it is computed: files fall into parts by a CRC of their path, each part
is hashed in path order, and the part digests are hashed together.

From ``FOLDERS_FROM`` articles even that check is skipped while no folder of the corpus has changed: a file
added, removed or renamed (a page ``kzjp add`` saves, an editor's save by rename, ``mv``, ``rm``) changes its
folder's status-change time, which nothing can set back (unlike the modification time, which ``rsync -t``
and ``tar`` restore). Every full check records every folder's time, taken before that folder is listed,
beside the fingerprint it agreed with (``Folders``), and a command then answers after one ``stat`` a
folder. A time within ``RACY_SECONDS`` of its recording is not trusted (a file added in the same clock tick
would not move it), so the next command checks in full and records again: git's racy-clean rule. What it
does not see is a file rewritten in place under the same name: ``kzjp index`` notices that, as does any
command after the next change to its folder, and corpora below ``FOLDERS_FROM`` articles check every file
every time.
"""

from __future__ import annotations

import hashlib
import os
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kzjp_cli.articles import CorpusFile, list_corpus
from kzjp_cli.forking import Forked, ForkedError, can_fork, processors

PARTS = 2
"""How many pieces the files are hashed in, and so at most how many processes check them in parallel."""
PARALLEL_FROM = 5_000
"""Articles from which the check runs beside the read (below it, forking costs more than it saves)."""
_DIGEST = 16
FOLDERS_FROM = 5_000
"""Articles from which a command trusts unchanged folders instead of checking every file."""
RACY_SECONDS = 2.0
"""A folder time this close to when it was recorded may hide a change made in the same clock tick."""


@dataclass
class Folders:
    """Every folder of the corpus with its status-change time, and when they were taken (before listing)."""

    times: dict[str, int] = field(default_factory=dict)
    taken_ns: int = field(default_factory=time.time_ns)

    def as_json(self, fingerprint: str) -> dict[str, Any]:
        return {"fingerprint": fingerprint, "taken_ns": self.taken_ns, "folders": self.times}


def unchanged(corpus: Path, recorded: Any, fingerprint: str) -> bool:
    """True if ``recorded`` (``Folders.as_json``) belongs to ``fingerprint`` and no folder of the corpus has
    changed since, none of its times racy: the corpus is then as the fingerprint says, edits in place aside."""
    if not isinstance(recorded, dict) or recorded.get("fingerprint") != fingerprint or not fingerprint:
        return False
    times, taken = recorded.get("folders"), recorded.get("taken_ns")
    if not isinstance(times, dict) or not times or not isinstance(taken, int):
        return False
    trusted_before = taken - int(RACY_SECONDS * 1e9)
    base = str(corpus)
    for rel, when in times.items():
        if not isinstance(when, int) or when > trusted_before:
            return False
        try:
            if os.stat(os.path.join(base, rel) if rel else base).st_ctime_ns != when:
                return False
        except (OSError, TypeError, ValueError):
            return False
    return True


def part_of(rel: str) -> int:
    """The part a file (by corpus-relative path) is hashed in."""
    return zlib.crc32(rel.encode("utf-8", "surrogateescape")) % PARTS


def fingerprint(files: Iterable[CorpusFile]) -> str:
    """A digest of every file's path, size and mtime (``files`` in path order): equal means nothing changed."""
    lines: list[list[str]] = [[] for _ in range(PARTS)]
    for file in files:
        lines[part_of(file.rel)].append(_line(file.rel, file.size, file.mtime_ns))
    return _joined(_digest(part) for part in lines)


def _line(rel: str, size: int, mtime_ns: int) -> str:
    return f"{rel}\0{size}\0{mtime_ns}\n"


def _digest(lines: list[str]) -> bytes:
    return hashlib.blake2b("".join(lines).encode("utf-8", "surrogateescape"), digest_size=_DIGEST).digest()


def _joined(digests: Iterable[bytes]) -> str:
    return hashlib.blake2b(b"".join(digests), digest_size=_DIGEST).hexdigest()


def _part_digests(corpus: Path, parts: list[int]) -> tuple[list[bytes], Folders]:
    """``fingerprint``'s digests of some of its parts, from a listing of the corpus (the same lines as
    ``stat_files`` and ``fingerprint`` would make, without their objects: this is the check's whole cost),
    and the corpus's folders as that listing found them."""
    folders = Folders()
    candidates, _ = list_corpus(corpus, ordered=False, folders=folders.times)
    lines: dict[int, list[tuple[str, str]]] = {part: [] for part in parts}
    for candidate in candidates:
        found = lines.get(part_of(candidate[0]))
        if found is not None:
            found.append(candidate)
    return [_digest(_stat_lines(sorted(lines[part]))) for part in parts], folders


def _stat_lines(candidates: list[tuple[str, str]]) -> list[str]:
    lines = []
    stat = os.stat
    for rel, full in candidates:
        try:
            st = stat(full)
        except OSError:  # skipped by the scan too
            continue
        lines.append(_line(rel, st.st_size, st.st_mtime_ns))
    return lines


class Check:
    """A fingerprint being taken by child processes; ``result()`` waits for it."""

    def __init__(self, parts: list[Forked]) -> None:
        self._parts = parts
        self.folders: Folders | None = None
        """The folders as the first part's listing found them, once ``result()`` has the fingerprint."""

    def result(self) -> str | None:
        """The corpus's fingerprint, or None if a part could not be taken (a child was killed): the caller
        then scans in its own process."""
        try:
            answers = [part.result() for part in self._parts]
        except ForkedError:
            return None
        finally:
            for part in self._parts:
                part.end()
        self.folders = answers[0][1]
        return _joined(digest for digests, _ in answers for digest in digests)


def start(corpus: Path) -> Check | None:
    """Begin taking the corpus's fingerprint in child processes; None where that cannot help (see
    ``forking.can_fork``) or the corpus cannot be listed (the scan in this process will say why)."""
    if not can_fork() or not corpus.is_dir():
        return None
    children = min(PARTS, processors())
    parts: list[Forked] = []
    try:
        for child in range(children):
            parts.append(Forked(_part_digests, corpus, list(range(PARTS))[child::children]))
    except OSError:  # out of processes or pipes: the caller checks in its own process
        for started in parts:
            started.end()
        return None
    return Check(parts)
