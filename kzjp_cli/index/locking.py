"""One writer at a time: the index folder's lock, and failed writes turned into clear errors."""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kzjp_cli.errors import IndexBusyError, IndexStateError
from kzjp_cli.index.folder import LOCK


@contextmanager
def writer_lock(root: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the index's single-writer lock; IndexBusyError if another process has it."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise IndexStateError(f"cannot write to the index folder {root}: {exc.strerror}") from None
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() >= deadline:
                    raise IndexBusyError(
                        f"the index at {root} is being updated by another kzjp process",
                        hint="try again when it has finished",
                    ) from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)


@contextmanager
def writing(root: Path) -> Iterator[None]:
    """Turn a failed write (a full disk, a read-only folder) into IndexStateError naming the index folder.

    What the failed build or update wrote is gone by then (each cleans up after
    itself), so the last complete index still answers."""
    try:
        yield
    except OSError as exc:
        raise IndexStateError(f"cannot write the index in {root}: {exc.strerror or exc}") from None
