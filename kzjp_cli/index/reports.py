"""What the index machinery tells its caller: notices, warnings and progress, and what an update did."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class Reporter:
    """Where the library sends notices, warnings and progress; silent by default."""

    def notice(self, message: str) -> None:
        """One line of status (index built, refreshed…)."""

    def warning(self, message: str) -> None:
        """A problem that was worked around (a skipped file…)."""

    def progress(self, items: list[Any], label: str) -> Iterable[Any]:
        """Wrap a long loop to show progress."""
        return items


@dataclass
class UpdateReport:
    """What an index update did."""

    index: Path
    total: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    skipped: int = 0
    reasons: dict[str, str] = field(default_factory=dict)
    """Why each skipped file (corpus-relative path) was skipped, this time or before."""
    unlisted: list[str] = field(default_factory=list)
    """What the corpus scan skipped before reading (a broken link, a name that is not UTF-8, a folder too
    deep), as warned."""
    rebuilt: bool = False
    seconds: float = 0.0

    @property
    def touched(self) -> bool:
        return self.rebuilt or bool(self.added or self.changed or self.removed)
