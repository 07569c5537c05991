"""Article vectors, kept beside the index: computed once per article text, never in a rebuild.

A vector is keyed by the digest of its article's text (``Article.text_key``),
so a rebuild, a moved file or an edited front matter finds it again. The
vectors live in the index folder's ``vectors/``, outside the generations, as a
float16 matrix (768 bytes a vector) and its keys, named by a serial number,
with ``vectors.json`` naming the current pair, their sizes and digests, and the
model that made them. A write makes a new pair and then replaces
``vectors.json``, so a reader sees the old set or the new one, never half.
Files that do not match their record (truncated, damaged, another model's)
are set aside with a warning and the vectors computed again.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from kzjp_cli.errors import IndexBusyError, IndexStateError
from kzjp_cli.index import embedding
from kzjp_cli.index.folder import replacing

FOLDER = "vectors"
RECORD = "vectors.json"
LOCK = ".lock"
SAVE_SECONDS = 5.0  # a kill loses at most this much work; each save rewrites the whole array


def state(root: Path) -> str:
    """What the vectors kept beside the index at ``root`` are now, in a word (their digest; empty for none),
    read without loading them: what a cache made from them is keyed by."""
    try:
        return str(json.loads((root / FOLDER / RECORD).read_text(encoding="utf-8")).get("digest", ""))
    except (OSError, ValueError, AttributeError):
        return ""


class VectorStore:
    """The vectors of one index folder: a key (text digest) to row map over a float16 matrix."""

    def __init__(self, root: Path, warn: Callable[[str], None] | None = None) -> None:
        import numpy as np

        self.folder = root / FOLDER
        self.keys: list[str] = []
        self.matrix = np.zeros((0, embedding.DIM), dtype=np.float16)
        self._row: dict[str, int] = {}
        self._serial = 0
        self._load(warn)

    def __len__(self) -> int:
        return len(self.keys)

    def _load(self, warn: Callable[[str], None] | None) -> None:
        import numpy as np

        try:
            record = json.loads((self.folder / RECORD).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            self._damaged(warn, f"{RECORD} cannot be read ({exc})")
            return
        try:
            self._serial = int(record["serial"])
            if record["model"] != embedding.MODEL or int(record["dim"]) != embedding.DIM:
                self._damaged(warn, f"they were made by another model ({record['model']})")
                return
            data = (self.folder / record["matrix"]).read_bytes()
            keys = (self.folder / record["keys"]).read_bytes()
            if len(data) != record["count"] * embedding.DIM * 2 or _digest(data + keys) != record["digest"]:
                self._damaged(warn, "the vector file does not match its record (cut short, or damaged)")
                return
            self.keys = json.loads(keys)
            self.matrix = np.frombuffer(data, dtype="<f2").reshape(record["count"], embedding.DIM)
            if len(self.keys) != len(self.matrix):
                raise ValueError("as many keys as vectors")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self.keys, self.matrix = [], np.zeros((0, embedding.DIM), dtype=np.float16)
            self._damaged(warn, f"the vector files cannot be read ({exc})")
            return
        self._row = {key: row for row, key in enumerate(self.keys)}

    def _damaged(self, warn: Callable[[str], None] | None, why: str) -> None:
        if warn is not None:
            warn(
                f"the article vectors in {self.folder} are set aside: {why}; 'kzjp index --vectors' computes them again"
            )

    def has(self, key: str) -> bool:
        return key in self._row

    def vectors(self, keys: list[str]) -> tuple[list[int], Any]:
        """The positions in ``keys`` that have a vector, and those vectors (float32 rows)."""
        import numpy as np

        found = [(position, self._row[key]) for position, key in enumerate(keys) if key in self._row]
        rows = [row for _, row in found]
        return [position for position, _ in found], self.matrix[rows].astype(np.float32) if rows else np.zeros(
            (0, embedding.DIM), dtype=np.float32
        )

    def add(self, keys: list[str], vectors: Any) -> None:
        """Keep these vectors (unit float32 rows) under these keys; saved by ``save``."""
        import numpy as np

        new = [(key, vector) for key, vector in zip(keys, vectors, strict=True) if key and key not in self._row]
        if not new:
            return
        for key, _ in new:
            self._row[key] = len(self.keys)
            self.keys.append(key)
        added = np.asarray([vector for _, vector in new], dtype=np.float16)
        self.matrix = np.concatenate([self.matrix, added]) if len(self.matrix) else added

    def save(self) -> None:
        """Write the vectors as a new pair of files, then point the record at them; the old pair goes."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._serial += 1
        matrix, keys = f"vectors-{self._serial}.f16", f"vectors-{self._serial}.keys"
        data = self.matrix.astype("<f2").tobytes()
        listed = json.dumps(self.keys).encode("utf-8")
        for name, content in ((matrix, data), (keys, listed)):
            with open(self.folder / name, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
        record = {
            "model": embedding.MODEL,
            "dim": embedding.DIM,
            "count": len(self.keys),
            "serial": self._serial,
            "matrix": matrix,
            "keys": keys,
            "digest": _digest(data + listed),
        }
        with replacing(self.folder / RECORD) as handle:
            handle.write(json.dumps(record))
        for path in self.folder.glob("vectors-*"):
            if path.name not in (matrix, keys):
                with suppress(OSError):
                    path.unlink()

    def bytes_on_disk(self) -> int:
        return sum(p.stat().st_size for p in self.folder.glob("*") if p.is_file()) if self.folder.is_dir() else 0


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@contextmanager
def writing(root: Path) -> Iterator[None]:
    """Hold the vectors' own lock (not the index's: computing vectors takes long, and searches go on meanwhile)."""
    folder = root / FOLDER
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise IndexStateError(f"cannot write the article vectors in {folder}: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise IndexBusyError("another kzjp process is computing the article vectors") from None
            raise
        yield
    finally:
        os.close(fd)


def compute(
    root: Path,
    wanted: list[tuple[str, str, str]],
    *,
    progress: Callable[[list[Any], str], Iterable[Any]] = lambda items, label: items,
    warn: Callable[[str], None] | None = None,
    read: Callable[[list[str]], list[tuple[str, str]]] | None = None,
    save_seconds: float = SAVE_SECONDS,
) -> int:
    """Compute and keep the vectors of ``wanted`` articles that have none: (id, text key, title) each, their
    texts read a batch at a time with ``read(ids)`` -> [(title, body)]. Saved after a batch once
    ``save_seconds`` have passed since the last save, and when interrupted, so that Ctrl-C keeps everything
    done and a kill loses at most those seconds of work. Returns how many were computed."""
    embedding.require()
    with writing(root):
        store = VectorStore(root, warn)
        todo = [entry for entry in dict.fromkeys(wanted) if entry[1] and not store.has(entry[1])]
        todo = list({key: (article_id, key, title) for article_id, key, title in todo}.values())
        batches = [todo[i : i + embedding.BATCH] for i in range(0, len(todo), embedding.BATCH)]
        done = 0
        saved = time.monotonic()
        try:
            bar = iter(progress(todo, "Vectors"))
            for batch in batches:
                texts = read([article_id for article_id, _, _ in batch]) if read else [(t, "") for _, _, t in batch]
                vectors = embedding.passages([embedding.article_text(title, body) for title, body in texts])
                store.add([key for _, key, _ in batch], vectors)
                done += len(batch)
                for _ in batch:
                    next(bar, None)
                if time.monotonic() - saved >= save_seconds:
                    store.save()
                    saved = time.monotonic()
            next(bar, None)
        finally:
            if done:
                store.save()
        return done
