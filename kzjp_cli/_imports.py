"""Whoosh without the imports it makes for code kzjp never runs.

``whoosh.compat`` imports ``urllib.request`` (http, email and ssl with it) for a
download helper, and ``whoosh.reading`` imports the ``cached_property`` package,
which imports ``asyncio``: about 40 ms of every command that opens an index.
While just those two Whoosh modules run, small stand-ins answer the two
imports; nothing else sees them, and a later import gets the real module.
"""

from __future__ import annotations

import functools
import importlib.machinery
import sys
import types
from typing import Any


def _urlretrieve(*args: Any, **kwargs: Any) -> Any:
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


STAND_INS: dict[str, dict[str, dict[str, Any]]] = {
    "whoosh.compat": {"urllib.request": {"urlretrieve": _urlretrieve}},
    "whoosh.reading": {"cached_property": {"cached_property": functools.cached_property}},
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


def install() -> None:
    """Put the finder first in line (once)."""
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
