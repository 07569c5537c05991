"""One call run in a forked child process while this one goes on, its result sent back through a pipe.

kzjp forks for work that is all Python and would only take turns under the
GIL in a thread: the corpus check beside a command's read (``freshness``) and
half of an update's new segment (``store.whoosh_store``). A fork costs about
a millisecond and copies nothing up front; the child inherits its arguments
and sends back only its pickled result. Full builds use worker processes of
their own (``index.building``), with progress and a stop signal.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import weakref
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from kzjp_cli.errors import KzjpError


class ForkedError(KzjpError):
    """A forked call failed, or its process ended without an answer (killed, out of memory)."""


def can_fork() -> bool:
    """Whether forking can help here: the system forks, has two processors or more, and this process runs
    no other thread (a forked copy of a threaded process may inherit a lock held by a thread it lacks)."""
    return hasattr(os, "fork") and processors() >= 2 and threading.active_count() == 1


def processors() -> int:
    """The processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS
        return os.cpu_count() or 1


class Forked:
    """``call(*args)`` running in a child process; ``result()`` waits for it and returns what it returned.

    A call whose result is never asked for is ended (SIGKILL) and reaped when
    this object goes, and at exit. Ctrl-C ends the child silently; the parent
    reports it. With ``tied``, the child also dies with the parent on Linux,
    even by ``kill -9``: for work that writes files or would hold the index lock.
    """

    def __init__(self, call: Callable[..., Any], *args: Any, tied: bool = False) -> None:
        parent = os.getpid()
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            raise
        if pid == 0:
            os.close(read_end)
            _child(parent if tied else 0, write_end, call, args)
        os.close(write_end)
        self._process = _Process(pid, read_end)
        self._ender = weakref.finalize(self, self._process.end)

    def result(self) -> Any:
        """What the call returned; ForkedError if it raised or its process died."""
        try:
            data, code = self._process.wait()
        finally:
            self._ender()
        if code != 0 or not data:
            raise ForkedError(f"a worker process ended without an answer (exit status {code})")
        ok, value = pickle.loads(data)
        if not ok:
            raise ForkedError(f"a worker process failed: {value}")
        return value

    def end(self) -> None:
        """Stop the call if it still runs (its result is not wanted)."""
        self._ender()


def _child(parent: int, pipe: int, call: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """A child's whole life: the call's pickled outcome down the pipe, then out, without running the parent's
    exit handlers or flushing its buffered output (os._exit)."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if parent:
            die_with(parent)
        try:
            outcome = (True, call(*args))
        except Exception as exc:
            outcome = (False, f"{type(exc).__name__}: {exc}")
        with os.fdopen(pipe, "wb") as out:
            out.write(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
        code = 0
    finally:
        os._exit(code)


def die_with(parent: int) -> None:
    """Have Linux kill this process when ``parent`` dies (PR_SET_PDEATHSIG), and end it now if it already has."""
    if sys.platform.startswith("linux"):
        import ctypes

        with suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before that was set up
        os._exit(1)


class _Process:
    """A child: its id until reaped, the read end of its pipe until closed (-1 after: a closed descriptor's
    number, or a reaped child's id, may be reused at once and must not be touched again)."""

    __slots__ = ("pid", "pipe")

    def __init__(self, pid: int, pipe: int) -> None:
        self.pid, self.pipe = pid, pipe

    def wait(self) -> tuple[bytes, int]:
        """What the child sent, and its exit status, once it has exited."""
        chunks = []
        while chunk := os.read(self.pipe, 1 << 16):
            chunks.append(chunk)
        self._close()
        _, status = os.waitpid(self.pid, 0)
        self.pid = -1
        return b"".join(chunks), os.waitstatus_to_exitcode(status)

    def end(self) -> None:
        self._close()
        if self.pid > 0:
            pid, self.pid = self.pid, -1
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)

    def _close(self) -> None:
        if self.pipe >= 0:
            pipe, self.pipe = self.pipe, -1
            os.close(pipe)
