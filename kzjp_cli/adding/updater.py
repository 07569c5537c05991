"""``kzjp update``: every subscribed feed fetched, conditionally, and its new stories added once.

Feeds are fetched with the validators of their last answer (``If-None-Match``,
``If-Modified-Since``): a ``304 Not Modified`` costs the site nothing. An
item already handled (by its guid, else its normalised link, in the state's
``seen`` list) is never fetched again, nor is a page the corpus already holds.
Different sites are fetched at once, one thread a site (at most ``WORKERS``),
each keeping its site's delay and robots.txt; pages are read and checked in
one at a time in this process, through the same adder as ``kzjp add --feed``.
A feed's state is saved as soon as its items are done, so a killed update
loses at most the feed it was on, which the next update completes. One lock
in the state folder keeps two updates from running at once.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from kzjp_cli.adding.adder import Adder, Outcome
from kzjp_cli.adding.feeds import FeedItem, parse_feed
from kzjp_cli.adding.fetch import Limits, Politeness, Response
from kzjp_cli.adding.follows import Subscription
from kzjp_cli.adding.state import FeedState, FeedStates, now
from kzjp_cli.errors import ConfigError, KzjpError

WORKERS = 4
"""Sites fetched at the same time."""
LOCK_FILE = "update.lock"
J = TypeVar("J")


class UpdateBusy(ConfigError):
    """Another ``kzjp update`` is running."""


@dataclass
class FeedResult:
    """What one subscription's update did."""

    subscription: Subscription
    outcomes: list[Outcome] = field(default_factory=list)
    error: str | None = None
    not_modified: bool = False
    """The server said nothing changed (304)."""
    waiting: str | None = None
    """The feed was not fetched: its server asked to be left alone until then (UTC)."""
    items: int = 0
    """How many items the feed listed."""

    @property
    def added(self) -> int:
        return sum(o.saved or (o.outcome in ("added", "near-duplicate") and not o.skipped) for o in self.outcomes)

    @property
    def failed(self) -> int:
        return sum(not o.ok for o in self.outcomes)

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_record(self) -> dict[str, object]:
        return {
            "name": self.subscription.name,
            "url": self.subscription.url,
            "items": self.items,
            "added": self.added,
            "failed": self.failed,
            "not_modified": self.not_modified,
            "waiting": self.waiting,
            "error": self.error,
            "ids": [o.id for o in self.outcomes if o.id and o.outcome != "exists"],
        }


@contextmanager
def update_lock(folder: Path) -> Iterator[None]:
    """Hold the update lock in ``folder``; UpdateBusy at once if another update holds it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise ConfigError(f"cannot write to {folder}: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise UpdateBusy("another kzjp update is running; this one did nothing") from None
            raise
        yield
    finally:
        os.close(fd)


def site(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def at_once(
    jobs: Iterable[J], site_of: Callable[[J], str], work: Callable[[J], Any], workers: int
) -> Iterator[tuple[J, Any]]:
    """``work(job)`` for every job, a thread a site (at most ``workers``), each site's jobs in order; yields
    (job, result or the KzjpError it raised) as they finish."""
    by_site: dict[str, list[J]] = {}
    for job in jobs:
        by_site.setdefault(site_of(job), []).append(job)
    if not by_site:
        return
    done: queue.Queue[tuple[J, Any]] = queue.Queue()
    stop = threading.Event()
    pending = list(by_site.values())
    lock = threading.Lock()

    def worker() -> None:
        while not stop.is_set():
            with lock:
                if not pending:
                    return
                mine = pending.pop(0)
            for job in mine:
                if stop.is_set():
                    return
                try:
                    result = work(job)
                except KzjpError as exc:
                    result = exc
                except Exception as exc:  # a bug: carried to this process's main thread, raised there
                    result = exc
                done.put((job, result))

    threads = [
        threading.Thread(target=worker, daemon=True, name=f"kzjp-site-{n}") for n in range(min(workers, len(pending)))
    ]
    for thread in threads:
        thread.start()
    total = sum(len(jobs) for jobs in by_site.values())
    try:
        for _ in range(total):
            job, result = done.get()
            if isinstance(result, Exception) and not isinstance(result, KzjpError):
                raise result
            yield job, result
    except BaseException:
        stop.set()  # Ctrl-C, or a bug: the threads stop after the fetch they are in (daemons, not waited for)
        raise
    for thread in threads:
        thread.join()


def update(
    subscriptions: list[Subscription],
    adder_for: Callable[[Subscription], Adder],
    states: FeedStates,
    *,
    limits: Limits,
    delay: float = 1.0,
    dry_run: bool = False,
    workers: int = WORKERS,
    progress: Callable[[list[Any], str], Iterable[Any]] = lambda items, label: items,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
) -> list[FeedResult]:
    """Fetch ``subscriptions`` and add their new stories; one result each, in their order."""
    polite: dict[str, Politeness] = {}

    def polite_for(url: str) -> Politeness:
        return polite.setdefault(site(url), Politeness(delay=delay, limits=limits))

    results = {sub.url: FeedResult(sub) for sub in subscriptions}
    feed_states = {sub.url: states.get(sub.url) for sub in subscriptions}
    due = []
    for sub in subscriptions:
        state = feed_states[sub.url]
        if state.not_before and state.not_before > clock().isoformat():
            results[sub.url].waiting = state.not_before
        else:
            due.append(sub)

    def fetch_feed(sub: Subscription) -> Response:
        state = feed_states[sub.url]
        return polite_for(sub.url).fetch_feed(sub.url, state.etag, state.last_modified)

    jobs: list[tuple[Subscription, FeedItem, str]] = []
    left: dict[str, int] = {}
    for sub, answer in at_once(due, lambda s: site(s.url), fetch_feed, workers):
        result, state = results[sub.url], feed_states[sub.url]
        state.checked = now()
        if isinstance(answer, KzjpError):
            _failed(result, state, answer, clock)
        elif answer.not_modified:
            result.not_modified = True
            state.failures, state.error, state.not_before = 0, None, None
        else:
            try:
                parsed = parse_feed(answer.data, answer.url, answer.media_type)
            except KzjpError as exc:
                _failed(result, state, exc, clock)
            else:
                state.etag, state.last_modified = answer.etag, answer.last_modified
                state.failures, state.error, state.not_before = 0, None, None
                result.items = max(parsed.listed, len(parsed.items))  # all it lists; the first MAX_ITEMS are read
                seen = set(state.seen)
                fresh = [item for item in _unique(parsed.items) if item.key not in seen]
                jobs += [(sub, item, parsed.title) for item in fresh]
                left[sub.url] = len(fresh)
        if not left.get(sub.url):
            _save(states, sub.url, state, dry_run)
    adders = {sub.url: adder_for(sub) for sub in subscriptions}
    to_fetch = []
    for job in jobs:
        sub, item, _title = job
        known = adders[sub.url].known_page(item.link)
        if known is None:
            to_fetch.append(job)
        else:
            _done(job, known, results, feed_states, left, states, dry_run)

    def fetch_page(job: tuple[Subscription, FeedItem, str]) -> Response:
        return polite_for(job[1].link).fetch(job[1].link)

    answers = at_once(to_fetch, lambda job: site(job[1].link), fetch_page, workers)
    for _ in progress(to_fetch, "Updating"):
        job, answer = next(answers)
        sub, item, title = job
        outcome = adders[sub.url].add_page(item, answer, title)
        _done(job, outcome, results, feed_states, left, states, dry_run)
    for _ in answers:  # none left: this ends the threads
        pass
    return [results[sub.url] for sub in subscriptions]


def _unique(items: list[FeedItem]) -> list[FeedItem]:
    return list({item.key: item for item in reversed(items)}.values())[::-1]


def _failed(result: FeedResult, state: FeedState, error: KzjpError, clock: Callable[[], dt.datetime]) -> None:
    result.error = str(error)
    state.failures += 1
    state.error = str(error)
    wait = getattr(error, "retry_after", None)
    state.not_before = (clock() + dt.timedelta(seconds=wait)).isoformat() if wait else None


def _done(
    job: tuple[Subscription, FeedItem, str],
    outcome: Outcome,
    results: dict[str, FeedResult],
    feed_states: dict[str, FeedState],
    left: dict[str, int],
    states: FeedStates,
    dry_run: bool,
) -> None:
    """One item handled: its outcome kept, its key remembered unless it may work next time, and its feed's
    state saved once all of the feed's new items are done."""
    sub, item, _ = job
    outcome.input = item.link
    result, state = results[sub.url], feed_states[sub.url]
    result.outcomes.append(outcome)
    if not (outcome.outcome == "failed" and outcome.retry):
        state.remember([item.key])
    if outcome.saved:
        state.added += 1
        state.last_new = now()
    left[sub.url] -= 1
    if not left[sub.url]:
        _save(states, sub.url, state, dry_run)


def _save(states: FeedStates, url: str, state: FeedState, dry_run: bool) -> None:
    if dry_run:
        return
    states.put(url, state)
    states.save()
