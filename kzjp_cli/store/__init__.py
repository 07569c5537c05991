"""The search engine behind one small face: the only code that imports Whoosh.

Above this package, code speaks in articles, ids, dates and matches; a store
is one index generation's folder, opened or created here::

    store = open_store(folder)          # or create_store(folder) for a new build
    store.search("Tokayev", SearchOptions(limit=10))  # -> Found: matches (article, score, terms), total, suggestion
    store.document(id), store.documents(), store.dates(query), store.ids_for_phrases(phrases)
    store.similar(id, limit=10)
    store.segment_writer() / store.commit(segments) / store.replace(stale_ids, articles)

Modules: ``engine`` (loading Whoosh: import stand-ins, version check, patch),
``names`` (the names of the engine's files), ``results`` (plain data in and out),
``analysis`` (text → terms, one chain a language), ``schema`` (the schema from
the article field list; articles ↔ stored documents), ``query`` (the query
language), ``segments`` (the bulk segment writer), ``whoosh_store`` (the store),
``snippets`` (the passage shown for a hit, its matched words marked).
Whoosh is imported only after ``engine.load()``, so ``kzjp --help`` loads none of it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from kzjp_cli.store.names import INDEX_NAME, LOCK_FILE
from kzjp_cli.store.results import Found, Match, SearchOptions

if TYPE_CHECKING:
    from kzjp_cli.store.whoosh_store import WhooshStore as Store

__all__ = ["Found", "Match", "SearchOptions", "Store", "create_store", "files", "open_store"]


def create_store(folder: Path) -> Store:
    """A new, empty index in ``folder``."""
    from kzjp_cli.store import engine

    engine.load()
    from kzjp_cli.store.whoosh_store import WhooshStore

    return WhooshStore.create(folder)


def open_store(folder: Path) -> Store:
    """The index in ``folder``; IndexStateError if it is damaged or unreadable."""
    from kzjp_cli.store import engine

    engine.load()
    from kzjp_cli.store.whoosh_store import WhooshStore

    return WhooshStore.open(folder)


def files(folder: Path) -> dict[str, int]:
    """The files that make up the index in ``folder``, with their sizes (its lock left out)."""
    with os.scandir(folder) as listing:
        return {
            entry.name: entry.stat().st_size
            for entry in listing
            if entry.is_file()
            and entry.name.startswith((f"{INDEX_NAME}_", f"_{INDEX_NAME}_"))
            and entry.name != LOCK_FILE
        }
