"""What the user follows: subscribed feeds and saved searches, in one TOML file they may edit by hand.

The file is ``$XDG_CONFIG_HOME/kzjp/follow.toml`` (``KZJP_FOLLOW`` names
another), written by ``kzjp feed`` and ``kzjp watch`` and read by ``kzjp
update`` and ``kzjp new``::

    [[feed]]
    name = "Kazinform"
    url = "https://www.inform.kz/rss/eng.xml"
    source = "Kazinform"        # optional: the source name its stories get
    lang = "en"                 # optional: their language, instead of detecting it

    [[watch]]
    name = "uranium"
    query = "uranium OR уран OR ウラン"
    langs = ["ru", "ja"]        # optional
    since = "2025-01"           # optional: only articles dated from then (YYYY[-MM[-DD]], or 7d, 2w, 3m)

A hand edit that breaks it gets one error naming the file and the line.
Every write replaces the file whole (a temporary file renamed into place),
keeping a comment line at its top.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kzjp_cli.errors import ConfigError
from kzjp_cli.index.folder import replacing

HEADER = "# kzjp's subscriptions (kzjp feed …) and saved searches (kzjp watch …); edit by hand if you like.\n"
NAME = re.compile(r"^[^\s\x00-\x1f\x7f]+(?: [^\s\x00-\x1f\x7f]+)*$")
"""A feed's or saved search's name: printable, no leading, trailing or repeated spaces."""


@dataclass(frozen=True)
class Subscription:
    """A subscribed feed: its name, its address, and what its stories are labelled with."""

    name: str
    url: str
    source: str | None = None
    lang: str | None = None

    def to_record(self) -> dict[str, object]:
        return {"name": self.name, "url": self.url, "source": self.source, "lang": self.lang}


@dataclass(frozen=True)
class Watch:
    """A saved search: its name, its query, and the filters it runs with."""

    name: str
    query: str
    langs: tuple[str, ...] = ()
    since: str | None = None
    """Only articles dated from then: ``YYYY[-MM[-DD]]`` or a relative form (``7d``), read each time it runs."""

    def to_record(self) -> dict[str, object]:
        return {"name": self.name, "query": self.query, "langs": list(self.langs), "since": self.since}


@dataclass
class Follows:
    """The subscriptions and saved searches of one follow file."""

    path: Path
    feeds: list[Subscription] = field(default_factory=list)
    watches: list[Watch] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> Follows:
        """The file's subscriptions and saved searches (none if it does not exist yet); ConfigError naming the
        line if it cannot be read."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
        return cls(path, *_parse(text, path))

    def save(self) -> None:
        """Write the file whole: to a temporary file beside it, then renamed into place."""
        lines = [HEADER]
        for feed in self.feeds:
            lines.append("\n[[feed]]\n")
            lines += [f"{key} = {_string(value)}\n" for key, value in feed.to_record().items() if value]
        for watch in self.watches:
            lines.append("\n[[watch]]\n")
            lines.append(f"name = {_string(watch.name)}\nquery = {_string(watch.query)}\n")
            if watch.langs:
                lines.append(f"langs = [{', '.join(_string(code) for code in watch.langs)}]\n")
            if watch.since:
                lines.append(f"since = {_string(watch.since)}\n")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            replace_file(self.path, "".join(lines))
        except OSError as exc:
            raise ConfigError(f"cannot write {self.path}: {exc.strerror or exc}") from None

    def feed(self, wanted: str) -> Subscription:
        """The subscription named ``wanted`` (or with that address); ConfigError if there is none."""
        for feed in self.feeds:
            if wanted in (feed.name, feed.url):
                return feed
        names = ", ".join(feed.name for feed in self.feeds) or "none yet"
        raise ConfigError(f"no subscription {wanted!r} (yours: {names})", hint="'kzjp feed list' shows them")

    def watch(self, wanted: str) -> Watch:
        """The saved search named ``wanted``; ConfigError if there is none."""
        for watch in self.watches:
            if watch.name == wanted:
                return watch
        names = ", ".join(watch.name for watch in self.watches) or "none yet"
        raise ConfigError(f"no saved search {wanted!r} (yours: {names})", hint="'kzjp watch list' shows them")

    def add_feed(self, feed: Subscription) -> None:
        """Subscribe to ``feed``; ConfigError if its name or address is taken."""
        _check_name(feed.name)
        for other in self.feeds:
            if other.url == feed.url:
                raise ConfigError(f"{feed.url} is already subscribed, as {other.name!r}")
            if other.name == feed.name:
                raise ConfigError(f"a subscription is already named {feed.name!r}", hint="give another with --name")
        self.feeds.append(feed)

    def remove_feed(self, wanted: str) -> Subscription:
        """Unsubscribe from the feed named ``wanted`` (or with that address), and return it."""
        found = self.feed(wanted)
        self.feeds.remove(found)
        return found

    def add_watch(self, watch: Watch) -> None:
        """Save ``watch``; ConfigError if its name is taken."""
        _check_name(watch.name)
        if any(other.name == watch.name for other in self.watches):
            raise ConfigError(f"a saved search is already named {watch.name!r}")
        self.watches.append(watch)

    def remove_watch(self, wanted: str) -> Watch:
        """Forget the saved search named ``wanted``, and return it."""
        found = self.watch(wanted)
        self.watches.remove(found)
        return found


def replace_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole: a temporary file beside it, synced, then renamed over it."""
    with replacing(path) as handle:
        handle.write(text)


def _check_name(name: str) -> None:
    if not NAME.match(name):
        raise ConfigError(f"{name!r} is not a usable name (printable, without leading or doubled spaces)")


def _string(value: object) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(str(value), ensure_ascii=False)


def _parse(text: str, path: Path) -> tuple[list[Subscription], list[Watch]]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}", hint="fix that line, or remove the file") from None
    unknown = sorted(set(data) - {"feed", "watch"})
    if unknown:
        raise ConfigError(
            f"{path} line {_line_of(text, unknown[0])}: unknown key {unknown[0]!r} (kzjp reads [[feed]] and [[watch]])"
        )
    feeds = [
        _subscription(entry, path, _line_of(text, "[[feed]]", n)) for n, entry in enumerate(_tables(data, "feed", path))
    ]
    watches = [
        _watch(entry, path, _line_of(text, "[[watch]]", n)) for n, entry in enumerate(_tables(data, "watch", path))
    ]
    for kind, names in (("subscription", [f.name for f in feeds]), ("saved search", [w.name for w in watches])):
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ConfigError(f"{path}: two of your {kind}s are named {repeated[0]!r}")
    return feeds, watches


def _tables(data: dict[str, Any], key: str, path: Path) -> list[dict[str, Any]]:
    found = data.get(key, [])
    if not isinstance(found, list) or not all(isinstance(entry, dict) for entry in found):
        raise ConfigError(f"{path}: {key} must be tables, written [[{key}]]")
    return found


def _line_of(text: str, needle: str, occurrence: int = 0) -> int:
    """The line number (from 1) of the ``occurrence``-th line that starts with ``needle``."""
    seen = -1
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(needle):
            seen += 1
            if seen == occurrence:
                return number
    return 1


def _strings(entry: dict[str, Any], keys: Iterable[str], where: str) -> dict[str, str]:
    values = {}
    for key in keys:
        value = entry.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ConfigError(f"{where}: {key} must be a text in quotes")
        if value is not None:
            values[key] = value.strip()
    return values


def _subscription(entry: dict[str, Any], path: Path, line: int) -> Subscription:
    where = f"{path} line {line}"
    unknown = sorted(set(entry) - {"name", "url", "source", "lang"})
    if unknown:
        raise ConfigError(f"{where}: a [[feed]] has no key {unknown[0]!r} (it has name, url, source, lang)")
    values = _strings(entry, ("name", "url", "source", "lang"), where)
    if "url" not in values or "name" not in values:
        raise ConfigError(f"{where}: a [[feed]] needs a name and a url")
    return Subscription(values["name"], values["url"], values.get("source"), values.get("lang"))


def _watch(entry: dict[str, Any], path: Path, line: int) -> Watch:
    where = f"{path} line {line}"
    unknown = sorted(set(entry) - {"name", "query", "langs", "since"})
    if unknown:
        raise ConfigError(f"{where}: a [[watch]] has no key {unknown[0]!r} (it has name, query, langs, since)")
    values = _strings(entry, ("name", "query", "since"), where)
    if "query" not in values or "name" not in values:
        raise ConfigError(f"{where}: a [[watch]] needs a name and a query")
    langs = entry.get("langs", [])
    if not isinstance(langs, list) or not all(isinstance(code, str) and code.strip() for code in langs):
        raise ConfigError(f'{where}: langs must be a list of language codes, such as ["ru", "kk"]')
    return Watch(values["name"], values["query"], tuple(code.strip() for code in langs), values.get("since"))
