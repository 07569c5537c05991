"""Whether the corpus changed since its index was built: a fingerprint of every article file's path, size and
modification time, taken before a command answers.

On a large corpus that check is most of a command's time: 50,000 files take 0.13 s of ``stat`` calls alone,
and kzjp's whole scan 0.22 s, against 0.13 s for opening the index and searching it. So, past
``PARALLEL_FROM`` articles and where the system can fork, the check runs in ``PARTS`` child processes (each
stats its share of the files) while the command reads the index; the answer is given only once the check
agrees, and read again from the refreshed index if it does not (``index.CorpusIndex``). git checks its
working tree the same way (``core.preloadIndex``: the ``lstat`` calls spread over threads).

The fingerprint is the same however it is computed: files fall into parts by a CRC of their path, each part
is hashed in path order, and the part digests are hashed together.
"""

from __future__ import annotations

import hashlib
import os
import signal
import threading
import weakref
import zlib
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path

from kzjp_cli.articles import CorpusFile, list_corpus
from kzjp_cli.errors import CorpusError

PARTS = 2
"""How many pieces the files are hashed in, and how many processes check them in parallel."""
PARALLEL_FROM = 5_000
"""Articles from which the check runs beside the read (below it, forking costs more than it saves)."""
_DIGEST = 16


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


def _part_digest(candidates: list[tuple[str, str]], part: int) -> bytes:
    """``fingerprint``'s digest of one part, from the listed files (the same lines as ``stat_files`` and
    ``fingerprint`` would make, without their objects: this is the check's whole cost)."""
    lines = []
    stat, crc32 = os.stat, zlib.crc32
    for rel, full in sorted(c for c in candidates if crc32(c[0].encode("utf-8", "surrogateescape")) % PARTS == part):
        try:
            st = stat(full)
        except OSError:  # skipped by the scan too
            continue
        lines.append(_line(rel, st.st_size, st.st_mtime_ns))
    return _digest(lines)


class _Child:
    """One checking process: its id until reaped, the read end of its pipe until closed (-1 after: a closed
    descriptor's number, or a reaped child's id, may be reused at once and must not be touched again)."""

    __slots__ = ("pid", "pipe")

    def __init__(self, pid: int, pipe: int) -> None:
        self.pid, self.pipe = pid, pipe

    def finish(self) -> bytes:
        """What the child sent, once it has exited (b"" if it failed)."""
        chunks = []
        while chunk := os.read(self.pipe, 4096):
            chunks.append(chunk)
        self.close()
        _, status = os.waitpid(self.pid, 0)
        self.pid = -1
        return b"".join(chunks) if os.waitstatus_to_exitcode(status) == 0 else b""

    def close(self) -> None:
        if self.pipe >= 0:
            pipe, self.pipe = self.pipe, -1
            os.close(pipe)

    def stop(self) -> None:
        """End and reap the child if it was not waited for (a read failed before the check was needed)."""
        self.close()
        if self.pid > 0:
            pid, self.pid = self.pid, -1
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


class Check:
    """A fingerprint being taken by child processes; ``result()`` waits for it."""

    def __init__(self, children: list[_Child]) -> None:
        self._children = children
        self._stopper = weakref.finalize(self, _stop, children)

    def result(self) -> str | None:
        """The corpus's fingerprint, or None if a part could not be taken (the corpus is gone, a child was
        killed): the caller then scans in its own process, which explains what went wrong."""
        try:
            digests = [child.finish() for child in self._children]
        finally:
            self._stopper()
        return _joined(digests) if all(len(d) == _DIGEST for d in digests) else None


def start(corpus: Path) -> Check | None:
    """Begin taking the corpus's fingerprint in child processes; None where that cannot help (no fork, one
    processor, or threads running: a forked copy of a threaded process may deadlock)."""
    if not hasattr(os, "fork") or _processors() < 2 or threading.active_count() > 1:
        return None
    try:
        candidates, _ = list_corpus(corpus, ordered=False)  # here, once: it is cheap, and the children inherit it
    except CorpusError:  # the check in this process will say what is wrong
        return None
    children: list[_Child] = []
    try:
        for part in range(PARTS):
            read_end, write_end = os.pipe()
            try:
                pid = os.fork()
            except OSError:
                os.close(read_end)
                os.close(write_end)
                raise
            if pid == 0:
                _child(candidates, part, write_end)
            os.close(write_end)
            children.append(_Child(pid, read_end))
    except OSError:  # out of processes or pipes: the caller checks in its own process
        _stop(children)
        return None
    return Check(children)


def _child(candidates: list[tuple[str, str]], part: int, pipe: int) -> None:
    """A child's whole life: its part's digest down the pipe, then out, without running the parent's exit
    handlers or flushing its buffered output (os._exit)."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends the child silently; the parent reports it
        os.write(pipe, _part_digest(candidates, part))
        code = 0
    finally:
        os._exit(code)


def _stop(children: list[_Child]) -> None:
    for child in children:
        child.stop()


def _processors() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS
        return os.cpu_count() or 1
