"""Where the corpus and the index live.

The corpus is ``--corpus``/``KZJP_CORPUS``; else the user's own corpus
(``$XDG_DATA_HOME/kzjp/corpus``, made by the first ``kzjp add``) once it exists;
else the bundled articles. The index is
``--index``/``KZJP_INDEX``; else ``index/`` of a checkout whose ``corpus/`` is in
use; else a per-corpus folder in the user's cache directory (never site-packages).
Subscriptions and saved searches are ``$XDG_CONFIG_HOME/kzjp/follow.toml``;
what kzjp learns following them is under ``$XDG_STATE_HOME/kzjp/``.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_DIR = PACKAGE_DIR.parent


def bundled_corpus() -> Path:
    """The articles shipped with kzjp: package data in a wheel, ``corpus/`` in a checkout."""
    packaged = PACKAGE_DIR / "corpus"
    return packaged if packaged.is_dir() else CHECKOUT_DIR / "corpus"


def _in_checkout(corpus: Path) -> bool:
    return (CHECKOUT_DIR / "pyproject.toml").is_file() and corpus == (CHECKOUT_DIR / "corpus").resolve()


def cache_home() -> Path:
    """The XDG cache directory (``$XDG_CACHE_HOME`` or ``~/.cache``)."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    return Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"


def data_home() -> Path:
    """The XDG data directory (``$XDG_DATA_HOME`` or ``~/.local/share``)."""
    xdg = os.environ.get("XDG_DATA_HOME", "")
    return Path(xdg) if os.path.isabs(xdg) else Path.home() / ".local" / "share"


def config_home() -> Path:
    """The XDG config directory (``$XDG_CONFIG_HOME`` or ``~/.config``)."""
    xdg = os.environ.get("XDG_CONFIG_HOME", "")
    return Path(xdg) if os.path.isabs(xdg) else Path.home() / ".config"


def state_home() -> Path:
    """The XDG state directory (``$XDG_STATE_HOME`` or ``~/.local/state``)."""
    xdg = os.environ.get("XDG_STATE_HOME", "")
    return Path(xdg) if os.path.isabs(xdg) else Path.home() / ".local" / "state"


def follow_file() -> Path:
    """The user's subscriptions and saved searches, one TOML file they may edit (``KZJP_FOLLOW`` names another)."""
    given = os.environ.get("KZJP_FOLLOW", "")
    return Path(given).expanduser() if given else config_home() / "kzjp" / "follow.toml"


def state_dir() -> Path:
    """What kzjp learns as it follows feeds and saved searches (validators, items seen, matches read)."""
    return state_home() / "kzjp"


def user_corpus() -> Path:
    """Where ``kzjp add`` keeps the user's articles when no corpus is given."""
    return data_home() / "kzjp" / "corpus"


def default_corpus() -> Path:
    """The user's corpus once it exists, else the bundled one."""
    mine = user_corpus()
    return mine if mine.is_dir() else bundled_corpus()


def is_bundled(corpus: Path) -> bool:
    """Whether ``corpus`` is the corpus shipped with kzjp (never written to)."""
    return corpus.resolve() == bundled_corpus().resolve()


def default_index(corpus: Path) -> Path:
    """The index folder used for ``corpus`` when none is given."""
    corpus = corpus.resolve()
    if _in_checkout(corpus):
        return CHECKOUT_DIR / "index"
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", corpus.name).strip("-.") or "corpus"
    digest = hashlib.sha1(str(corpus).encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return cache_home() / "kzjp" / f"{slug}-{digest}"


def folders(corpus: Path | None, index: Path | None) -> tuple[Path, Path]:
    """The corpus and index folders to use, as absolute paths."""
    # resolved: a corpus reached through a symlink and by its real path is one corpus with one index
    corpus_dir = (corpus or default_corpus()).expanduser().resolve()
    index_dir = index.expanduser().absolute() if index else default_index(corpus_dir)
    return corpus_dir, index_dir
