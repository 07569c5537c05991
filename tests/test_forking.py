"""A call run in a forked process (``forking.Forked``): its result or its failure comes back, and no process
is left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kzjp_cli.forking import Forked, ForkedError


def double_all(values: list[int]) -> dict[str, list[int]]:
    return {"doubled": [2 * v for v in values]}


def fail(message: str) -> None:
    raise ValueError(message)


def test_the_result_comes_back() -> None:
    assert Forked(double_all, list(range(100_000))).result() == {"doubled": [2 * v for v in range(100_000)]}


def test_a_failure_comes_back_as_an_error_naming_it() -> None:
    with pytest.raises(ForkedError, match="ValueError: no disk"):
        Forked(fail, "no disk").result()


def test_a_killed_process_is_an_error() -> None:
    forked = Forked(time.sleep, 30)
    os.kill(forked._process.pid, signal.SIGKILL)
    with pytest.raises(ForkedError, match="without an answer"):
        forked.result()


def test_an_unwanted_call_is_ended_and_reaped() -> None:
    forked = Forked(time.sleep, 30)
    pid = forked._process.pid
    started = time.monotonic()
    forked.end()
    assert time.monotonic() - started < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    forked.end()  # twice is harmless: the reaped id is not touched again


def test_a_tied_call_dies_with_its_parent() -> None:
    """A parent killed mid-update must not leave a child writing index files (Linux)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_PDEATHSIG is Linux's")
    code = (
        "import os, sys, time\n"
        "from kzjp_cli.forking import Forked\n"
        "forked = Forked(time.sleep, 60, tied=True)\n"
        "print(forked._process.pid, flush=True)\n"
        "time.sleep(0.5)\n"  # time for the child to set up its death signal
        "os._exit(0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    pid = int(done.stdout)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return  # gone, and reaped
        if state in ("Z", "X"):  # dead; whoever adopted it has not reaped it yet
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    pytest.fail("the child outlived its parent")
