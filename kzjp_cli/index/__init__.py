"""The index folder's life: its layout (marker, manifest, lock, generations), builds, the ``CorpusIndex``
handle, opening and refreshing it, and checking the corpus for changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kzjp_cli import exports

if TYPE_CHECKING:
    from kzjp_cli.index.building import PARALLEL_MIN_ARTICLES, auto_jobs
    from kzjp_cli.index.folder import CACHE_DIR, LOCK, MANIFEST, MARKER, SCHEMA_VERSION, Manifest, damage, read_marker
    from kzjp_cli.index.handle import CorpusIndex
    from kzjp_cli.index.locking import writer_lock
    from kzjp_cli.index.opening import open_index, prune, update
    from kzjp_cli.index.reports import Reporter, UpdateReport

_WHERE = {
    "PARALLEL_MIN_ARTICLES": "kzjp_cli.index.building",
    "auto_jobs": "kzjp_cli.index.building",
    "CACHE_DIR": "kzjp_cli.index.folder",
    "LOCK": "kzjp_cli.index.folder",
    "MANIFEST": "kzjp_cli.index.folder",
    "MARKER": "kzjp_cli.index.folder",
    "SCHEMA_VERSION": "kzjp_cli.index.folder",
    "Manifest": "kzjp_cli.index.folder",
    "damage": "kzjp_cli.index.folder",
    "read_marker": "kzjp_cli.index.folder",
    "CorpusIndex": "kzjp_cli.index.handle",
    "writer_lock": "kzjp_cli.index.locking",
    "open_index": "kzjp_cli.index.opening",
    "prune": "kzjp_cli.index.opening",
    "update": "kzjp_cli.index.opening",
    "Reporter": "kzjp_cli.index.reports",
    "UpdateReport": "kzjp_cli.index.reports",
}
"""Each name's module: imported on first use (PEP 562), so that ``kzjp --help`` loads none of them."""


__getattr__ = exports(__name__, _WHERE)

__all__ = [
    "CACHE_DIR",
    "LOCK",
    "MANIFEST",
    "MARKER",
    "PARALLEL_MIN_ARTICLES",
    "SCHEMA_VERSION",
    "CorpusIndex",
    "Manifest",
    "Reporter",
    "UpdateReport",
    "auto_jobs",
    "damage",
    "open_index",
    "prune",
    "read_marker",
    "update",
    "writer_lock",
]
