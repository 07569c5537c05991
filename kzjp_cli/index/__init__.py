"""The index folder's life: its layout (marker, manifest, lock, generations), builds, the ``CorpusIndex``
handle, opening and refreshing it, and checking the corpus for changes."""

from kzjp_cli.index.building import PARALLEL_MIN_ARTICLES, auto_jobs
from kzjp_cli.index.folder import CACHE_DIR, LOCK, MANIFEST, MARKER, SCHEMA_VERSION, Manifest, damage, read_marker
from kzjp_cli.index.handle import CorpusIndex
from kzjp_cli.index.locking import writer_lock
from kzjp_cli.index.opening import open_index, prune, update
from kzjp_cli.index.reports import Reporter, UpdateReport

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
