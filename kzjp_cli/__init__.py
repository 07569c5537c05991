"""kzjp: search and summarise a folder of news articles from the shell.

The package also holds ``exports``: the wings' faces (``articles``, ``index``) import each name they export
from its module on first use (PEP 562), so that ``kzjp --help`` and a command that needs one name of a wing
load no more of it than that."""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib import import_module
from typing import Any


def exports(package: str, where: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that imports each name of ``where`` (name -> module) when it
    is first asked for, and keeps it."""

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__


__version__ = "0.1.0"
