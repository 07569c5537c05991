"""What kzjp learns as it follows feeds and saved searches, kept under ``$XDG_STATE_HOME/kzjp/``.

``feeds.json``: for each subscribed feed's address, its validators (ETag,
Last-Modified, for conditional requests), when it was last checked and last
had a new story, how many stories it added, its consecutive failures and last
error, and the items already seen (by guid or normalised link), so that no
story is fetched twice. ``watches.json``: for each saved search, when it was
saved and the articles already shown as new. Both are replaced whole on every
write; a file that cannot be read is started afresh with a warning (nothing
in it is the user's own work: at worst a story is checked again).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kzjp_cli.adding.follows import replace_file
from kzjp_cli.errors import ConfigError

FEEDS_FILE = "feeds.json"
WATCHES_FILE = "watches.json"
MAX_SEEN = 5000
"""Item keys kept a feed (the most recent): far more than any feed lists at once."""


def now() -> str:
    """The current time in UTC, to the second, ISO 8601."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class FeedState:
    """What kzjp knows of one subscribed feed."""

    etag: str | None = None
    last_modified: str | None = None
    checked: str | None = None
    """When it was last fetched (UTC)."""
    last_new: str | None = None
    """When it last had a story kzjp added (UTC)."""
    added: int = 0
    failures: int = 0
    """Consecutive failed updates (0 once one succeeds)."""
    error: str | None = None
    not_before: str | None = None
    """Not fetched again before then (UTC): its server asked with Retry-After."""
    seen: list[str] = field(default_factory=list)
    """Keys of the items already handled (added, found in the corpus, or refused for good), oldest first."""

    def remember(self, keys: list[str]) -> None:
        known = set(self.seen)
        self.seen.extend(key for key in dict.fromkeys(keys) if key not in known)
        del self.seen[:-MAX_SEEN]


def instant() -> str:
    """The current time in UTC to the microsecond: a file written a moment before is older."""
    return dt.datetime.now(dt.timezone.utc).isoformat()


@dataclass
class WatchState:
    """What kzjp knows of one saved search: when it was saved, and the articles already shown as new."""

    created: str = field(default_factory=instant)
    shown: list[str] = field(default_factory=list)


class StateFile:
    """One JSON file of the state folder: a dict of records by key, loaded once and saved whole."""

    def __init__(self, folder: Path, name: str, warn: Any = None) -> None:
        self.path = folder / name
        self.data: dict[str, Any] = {}
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(loaded, dict):
                raise ValueError("not a JSON object")
            self.data = loaded
        except FileNotFoundError:
            pass
        except (OSError, ValueError) as exc:
            if warn is not None:
                warn(f"{self.path} could not be read ({exc}); starting it afresh")

    def save(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            replace_file(self.path, json.dumps(self.data, ensure_ascii=False, indent=1, sort_keys=True))
        except OSError as exc:
            raise ConfigError(f"cannot write {self.path}: {exc.strerror or exc}") from None


class FeedStates(StateFile):
    """``feeds.json``: a ``FeedState`` for each feed address."""

    def __init__(self, folder: Path, warn: Any = None) -> None:
        super().__init__(folder, FEEDS_FILE, warn)

    def get(self, url: str) -> FeedState:
        raw = self.data.get(url)
        if not isinstance(raw, dict):
            return FeedState()
        known = {name: raw[name] for name in FeedState.__dataclass_fields__ if name in raw}
        try:
            return FeedState(**known)
        except TypeError:
            return FeedState()

    def put(self, url: str, state: FeedState) -> None:
        self.data[url] = asdict(state)

    def forget(self, url: str) -> None:
        self.data.pop(url, None)


class WatchStates(StateFile):
    """``watches.json``: a ``WatchState`` for each saved search's name."""

    def __init__(self, folder: Path, warn: Any = None) -> None:
        super().__init__(folder, WATCHES_FILE, warn)

    def get(self, name: str) -> WatchState:
        raw = self.data.get(name)
        if not isinstance(raw, dict):
            state = WatchState()
            self.put(name, state)
            return state
        return WatchState(str(raw.get("created") or instant()), [str(i) for i in raw.get("shown") or []])

    def put(self, name: str, state: WatchState) -> None:
        self.data[name] = asdict(state)

    def forget(self, name: str) -> None:
        self.data.pop(name, None)
