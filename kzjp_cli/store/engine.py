"""Loading Whoosh the way kzjp uses it: lighter imports, a version check, one patch.

``load()`` runs before the store first touches Whoosh (opening or creating an
index, building an analyzer), never as a side effect of importing a module:

* **Stand-ins for three imports.** ``whoosh.compat`` imports ``urllib.request``
  (http, email and ssl with it) for a download helper, ``whoosh.reading``
  imports the ``cached_property`` package, which imports ``asyncio``, and
  ``whoosh.query.terms`` imports ``whoosh.lang.morph_en`` (English word
  variations, for a query type kzjp never builds; 11 ms to import): about 50 ms
  of every command that opens an index. While just those Whoosh modules run,
  small stand-ins answer the three imports; nothing else sees them, and a later
  import gets the real module.
* **The version check.** The bulk segment writer and the date column reader
  use Whoosh internals, so Whoosh must be the version pyproject pins.
* **A cached lookup.** See ``_cached_reader``.
"""

from __future__ import annotations

import functools
import importlib.machinery
import sys
import types
from typing import Any

from kzjp_cli.errors import EngineError

WHOOSH_DISTRIBUTION = "whoosh-reloaded"
WHOOSH_VERSION = (2, 7, 5)
"""The Whoosh release kzjp's index format and internals are written for (pinned in pyproject.toml)."""


def _urlretrieve(*args: Any, **kwargs: Any) -> Any:
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


def _variations(word: str) -> Any:
    from whoosh.lang.morph_en import variations

    return variations(word)


STAND_INS: dict[str, dict[str, dict[str, Any]]] = {
    "whoosh.compat": {"urllib.request": {"urlretrieve": _urlretrieve}},
    "whoosh.reading": {"cached_property": {"cached_property": functools.cached_property}},
    "whoosh.query.terms": {"whoosh.lang.morph_en": {"variations": _variations}},
}


class _Loader:
    """Runs a module with stand-ins in ``sys.modules``, then takes them away."""

    def __init__(self, real: Any, stand_ins: dict[str, dict[str, Any]]) -> None:
        self.real, self.stand_ins = real, stand_ins

    def create_module(self, spec: Any) -> Any:
        return self.real.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        placed = {}
        for name, attributes in self.stand_ins.items():
            if name not in sys.modules:
                stand_in = types.ModuleType(name)
                stand_in.__dict__.update(attributes)
                sys.modules[name] = placed[name] = stand_in
        try:
            self.real.exec_module(module)
        finally:
            for name, stand_in in placed.items():
                if sys.modules.get(name) is stand_in:
                    del sys.modules[name]


class _Finder:
    """Finds the Whoosh modules named in STAND_INS as usual, and gives them the loader above."""

    @staticmethod
    def find_spec(name: str, path: Any = None, target: Any = None) -> Any:
        if name not in STAND_INS:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader, STAND_INS[name])
        return spec


def _import_with_stand_ins() -> None:
    """Import the Whoosh modules of STAND_INS with their stand-ins, then take the finder away again."""
    finder = _Finder()
    sys.meta_path.insert(0, finder)
    try:
        import whoosh.compat
        import whoosh.query.terms
        import whoosh.reading  # noqa: F401
    finally:
        sys.meta_path.remove(finder)


def check_version(found: tuple[int, ...]) -> None:
    """EngineError unless ``found`` is the Whoosh version kzjp is written for."""
    if tuple(found[:3]) != WHOOSH_VERSION:
        want, have = ".".join(map(str, WHOOSH_VERSION)), ".".join(map(str, found))
        raise EngineError(
            f"kzjp needs {WHOOSH_DISTRIBUTION} {want}, but Whoosh {have} is installed",
            hint=f"reinstall kzjp, or run: pip install '{WHOOSH_DISTRIBUTION}=={want}'",
        )


def _cached_reader(self: Any, fieldname: str, column: Any) -> Any:
    """Whoosh's per-document reader, caching "no such column" too.

    Upstream caches a length column's reader only when the column exists, so
    for fields without one (the spell_* fields) every posting written at commit
    asks the filesystem again (325,000 stat() calls for 1,000 articles; the
    build got ~7% faster without them). Same result, one lookup per field.
    """
    if fieldname not in self._readers:
        self._readers[fieldname] = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
    return self._readers[fieldname]


@functools.lru_cache(maxsize=1)
def load() -> None:
    """Make Whoosh ready for kzjp (once a process): stand-ins, version check, patch."""
    _import_with_stand_ins()
    import whoosh
    from whoosh.codec import whoosh3

    check_version(whoosh.__version__)
    whoosh3.W3PerDocReader._cached_reader = _cached_reader
