"""Fetching web pages for ``kzjp add``: only what the user asked for, within firm limits.

The standard library's ``urllib`` with: a connect/read timeout, one overall
deadline over connecting, the status line, the headers and the body (a
watchdog shuts the connection when it passes, so a server that trickles bytes
at any stage cannot hold kzjp), a size cap read in chunks (never the whole body at once), at most
``Limits.redirects`` redirects and only to http/https, certificate checks always
on, and a user agent naming kzjp. Feed items go through ``Politeness``: each
host's ``robots.txt`` (read by protego) is obeyed and requests to one host are
spaced out.
"""

from __future__ import annotations

import email.message
import http.client
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from kzjp_cli import __version__
from kzjp_cli.errors import FetchError

USER_AGENT = f"kzjp/{__version__} (news corpus tool; +https://pypi.org/project/kzjp/)"
ROBOTS_AGENT = "kzjp"
FEED_ACCEPT = "application/rss+xml,application/atom+xml,*/*;q=0.5"
MAX_CRAWL_DELAY = 30.0
"""A robots.txt Crawl-delay above this is capped: kzjp fetches a feed's items, not a site."""


@dataclass(frozen=True)
class Limits:
    """How long and how much one fetch may take."""

    timeout: float = 10.0
    """Seconds to connect, and to wait for any bytes once connected."""
    deadline: float = 30.0
    """Seconds for the whole fetch, redirects included."""
    max_bytes: int = 10 * 1024 * 1024
    redirects: int = 5


@dataclass
class Response:
    """A fetched page: where it ended up, its media type and declared charset, and its bytes."""

    url: str
    status: int
    media_type: str
    charset: str | None
    data: bytes
    etag: str | None = None
    last_modified: str | None = None
    """The validators a conditional request sends back (``If-None-Match``, ``If-Modified-Since``)."""

    @property
    def not_modified(self) -> bool:
        """Whether the server answered a conditional request with 304: nothing changed."""
        return self.status == 304


def is_web_address(text: str) -> bool:
    """Whether ``text`` is an http(s) URL with a host."""
    try:
        parts = urlsplit(text.strip())
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and " " not in text.strip()


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow at most ``max_redirections`` redirects, and only to http/https."""

    def __init__(self, limit: int) -> None:
        self.max_redirections = limit
        self.max_repeats = limit

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise FetchError(f"redirected to {newurl}, which is not a web page")
        return super().redirect_request(req, fp, code, msg, headers, newurl)

    def http_error_302(self, req: Any, fp: Any, code: int, msg: str, headers: Any) -> Any:
        visited = getattr(req, "redirect_dict", {})
        if sum(visited.values()) >= self.max_redirections:
            fp.close()
            raise FetchError(f"more than {self.max_redirections} redirects")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _tls() -> ssl.SSLContext:
    """Certificate checks on, against certifi's roots when installed (some Pythons have none of their own)."""
    try:
        import certifi

        return ssl.create_default_context(cafile=certifi.where())
    except ImportError:
        return ssl.create_default_context()


class _Watchdog:
    """Shuts every connection of one fetch when its deadline passes, whatever stage it is waiting in."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if not self.expired:
                return
        self._shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    def handlers(self, limits: Limits) -> list[Any]:
        """urllib handlers whose connections this watchdog watches."""
        watchdog = self

        class Watched(http.client.HTTPConnection):
            def connect(self) -> None:
                super().connect()
                watchdog.watch(self.sock)

        class WatchedTLS(http.client.HTTPSConnection):
            def connect(self) -> None:
                super().connect()
                watchdog.watch(self.sock)

        class HTTP(urllib.request.HTTPHandler):
            def http_open(self, req: Any) -> Any:
                return self.do_open(Watched, req)

        class HTTPS(urllib.request.HTTPSHandler):
            def https_open(self, req: Any) -> Any:
                return self.do_open(WatchedTLS, req, context=self._context)

        return [_Redirects(limits.redirects), HTTP(), HTTPS(context=_tls())]


def fetch(
    url: str,
    limits: Limits | None = None,
    accept: str = "text/html,application/xhtml+xml,*/*;q=0.5",
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Response:
    """GET ``url`` within ``limits``; FetchError says, in a few words, why not.

    With validators from an earlier answer (``etag``, ``last_modified``) the
    request is conditional, and a ``304 Not Modified`` comes back as a
    Response without data (``not_modified``).
    """
    limits = limits or Limits()
    if not is_web_address(url):
        raise FetchError("not a web address (give an http:// or https:// URL)")
    headers = {"User-Agent": USER_AGENT, "Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url.strip(), headers=headers)
    started = time.monotonic()
    with _Watchdog(limits.deadline) as watchdog:
        try:
            return _open(request, limits, started, watchdog, etag, last_modified)
        except Exception:
            if watchdog.expired:  # whatever the shut connection made urllib say
                raise FetchError(f"the page took more than {limits.deadline:g} s to arrive") from None
            raise


def _open(
    request: urllib.request.Request,
    limits: Limits,
    started: float,
    watchdog: _Watchdog,
    etag: str | None,
    last_modified: str | None,
) -> Response:
    """One fetch through ``watchdog``'s connections; FetchError says why not."""
    url = request.full_url
    opener = urllib.request.build_opener(*watchdog.handlers(limits))
    try:
        with opener.open(request, timeout=min(limits.timeout, limits.deadline)) as answer:
            headers: email.message.Message = answer.headers
            length = headers.get("Content-Length", "")
            if length.isdigit() and int(length) > limits.max_bytes:
                raise FetchError(f"the page is larger than the {_megabytes(limits.max_bytes)} limit")
            data = _read(answer, limits, started)
            if watchdog.expired:  # the shut connection ended the body early: not the page
                raise FetchError(f"the page took more than {limits.deadline:g} s to arrive")
            return Response(
                url=answer.geturl(),
                status=answer.status,
                media_type=headers.get_content_type().lower(),
                charset=headers.get_content_charset(),
                data=data,
                etag=_header(headers, "ETag"),
                last_modified=_header(headers, "Last-Modified"),
            )
    except FetchError:
        raise
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 304 and (etag or last_modified):
            return Response(
                url.strip(),
                304,
                "",
                None,
                b"",
                _header(exc.headers, "ETag") or etag,
                _header(exc.headers, "Last-Modified") or last_modified,
            )
        if 300 <= exc.code < 400:
            raise FetchError(f"more than {limits.redirects} redirects, or a redirect loop") from None
        failed = FetchError(f"HTTP {exc.code} {exc.reason}".rstrip())
        failed.status = exc.code
        failed.retry_after = _retry_after(_header(exc.headers, "Retry-After"))
        raise failed from None
    except urllib.error.URLError as exc:
        raise FetchError(_reason(exc.reason, limits)) from None
    except TimeoutError:
        raise FetchError(f"no answer within {limits.timeout:g} s") from None
    except (http.client.HTTPException, ConnectionError) as exc:
        raise FetchError(f"the server broke off the connection ({type(exc).__name__})") from None
    except OSError as exc:
        raise FetchError(_reason(exc, limits)) from None
    except ValueError as exc:  # urllib's own checks of a malformed address
        raise FetchError(f"not a usable address ({exc})") from None


def _header(headers: Any, name: str) -> str | None:
    """A header's value, if the server sent a usable one (printable, of a sane length)."""
    value = headers.get(name) if headers is not None else None
    if not value or len(value) > 1000 or not value.isprintable():
        return None
    return str(value).strip() or None


MAX_RETRY_AFTER = 24 * 3600.0
"""A server's Retry-After beyond a day is taken as a day."""


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds, or an HTTP date), or None."""
    if not value:
        return None
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    import datetime as dt

    return max(0.0, min((when - dt.datetime.now(dt.timezone.utc)).total_seconds(), MAX_RETRY_AFTER))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def _read(answer: Any, limits: Limits, started: float) -> bytes:
    """The body, read a chunk at a time: stop at the size cap or the deadline, whichever comes first."""
    sock = getattr(getattr(answer.fp, "raw", None), "_sock", None)  # to shorten the last wait to the deadline
    chunks: list[bytes] = []
    size = 0
    while True:
        left = limits.deadline - (time.monotonic() - started)
        if left <= 0:
            raise FetchError(f"the page took more than {limits.deadline:g} s to arrive")
        if sock is not None:
            sock.settimeout(min(limits.timeout, left))
        try:
            chunk = answer.read1(65536)
        except TimeoutError:
            if limits.deadline - (time.monotonic() - started) <= 0.05:
                raise FetchError(f"the page took more than {limits.deadline:g} s to arrive") from None
            raise
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limits.max_bytes:
            raise FetchError(f"the page is larger than the {_megabytes(limits.max_bytes)} limit")
        chunks.append(chunk)


def _reason(reason: Any, limits: Limits) -> str:
    """A short reason for a failed connection."""
    if isinstance(reason, socket.gaierror):
        return "the host name could not be found (DNS)"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"no answer within {limits.timeout:g} s"
    if isinstance(reason, ssl.SSLCertVerificationError):
        return f"the site's certificate failed its check ({reason.verify_message})"
    if isinstance(reason, ssl.SSLError):
        return f"secure connection failed ({reason.reason or reason})"
    if isinstance(reason, OSError):
        return reason.strerror or str(reason)
    return str(reason)


@dataclass
class Politeness:
    """For fetching many pages (a feed's items): obey robots.txt, and wait ``delay`` s between one host's pages."""

    delay: float = 1.0
    limits: Limits = field(default_factory=Limits)
    _robots: dict[str, Any] = field(default_factory=dict)
    _last: dict[str, float] = field(default_factory=dict)

    def fetch(self, url: str, accept: str = "text/html,application/xhtml+xml,*/*;q=0.5") -> Response:
        """Fetch ``url`` if robots.txt allows it, after waiting for its host's turn."""
        if not is_web_address(url):
            raise FetchError("not a web address (give an http:// or https:// URL)")
        parts = urlsplit(url)
        site = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        rules = self._rules(site)
        if rules is False or (rules is not None and not rules.can_fetch(url, ROBOTS_AGENT)):
            raise FetchError("the site's robots.txt does not allow kzjp to fetch this page")
        return self._get(site, url, accept)

    def fetch_feed(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Response:
        """Fetch a feed (conditionally, with an earlier answer's validators) after waiting for its host's turn.

        Feeds are what the user subscribed to, so robots.txt, which is about crawling pages, is not asked."""
        if not is_web_address(url):
            raise FetchError("not a web address (give an http:// or https:// URL)")
        parts = urlsplit(url)
        site = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        return self._get(site, url, FEED_ACCEPT, etag=etag, last_modified=last_modified)

    def note(self, url: str) -> None:
        """Record a request made to ``url``'s host outside this object (a feed fetched first)."""
        parts = urlsplit(url)
        self._last[f"{parts.scheme.lower()}://{parts.netloc.lower()}"] = time.monotonic()

    def _get(self, site: str, url: str, accept: str, **validators: str | None) -> Response:
        rules = self._robots.get(site)
        delay = self.delay
        if rules:
            delay = max(delay, min(rules.crawl_delay(ROBOTS_AGENT) or 0.0, MAX_CRAWL_DELAY))
        last = self._last.get(site)
        if last is not None:
            time.sleep(max(0.0, last + delay - time.monotonic()))
        try:
            return fetch(url, self.limits, accept, **validators)
        finally:
            self._last[site] = time.monotonic()

    def _rules(self, site: str) -> Any:
        """The site's robots.txt rules; None to allow all (none there), False to allow nothing (RFC 9309)."""
        if site not in self._robots:
            try:
                response = self._get(site, f"{site}/robots.txt", "text/plain")
            except FetchError as exc:
                # 4xx: no rules; 5xx or unreachable: assume the whole site is off limits (RFC 9309, 2.3.1)
                self._robots[site] = None if exc.status is not None and 400 <= exc.status < 500 else False
            else:
                from protego import Protego

                self._robots[site] = Protego.parse(response.data.decode("utf-8", "replace"))
        return self._robots[site]
