"""Shared fixtures and helpers: every test gets its own cache, home and index folders under tmp_path."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from kzjp_cli import locations
from kzjp_cli.cli import cli

if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    # Started in the background (nohup, "cmd &" in a script), the suite would hand every kzjp it runs an
    # ignored SIGINT, and the tests of what Ctrl-C does could not send one. A handled signal is reset to its
    # default in a child, an ignored one is not.
    signal.signal(signal.SIGINT, signal.default_int_handler)

BUNDLED = locations.CHECKOUT_DIR / "corpus"
"""The corpus shipped with kzjp (two articles)."""
KZJP = str(Path(sys.executable).with_name("kzjp"))
"""The installed entry point, for tests in real processes."""
GENERATE = locations.CHECKOUT_DIR / "bench" / "generate.py"
MULTILINGUAL = Path(__file__).resolve().parent / "data" / "multilingual"
"""Six short articles in Russian, Kazakh and Japanese (some with ``lang:``, some without)."""
Run = Callable[..., Result]
"""The ``run`` fixture: the CLI in-process."""


OFFLINE = """
import socket, sys
def refuse(*args, **kwargs):
    raise OSError("network access attempted")
socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
import nltk
nltk.data.path[:] = [sys.argv[1]]
from kzjp_cli.cli import cli
cli(sys.argv[2:], prog_name="kzjp")
"""
"""Runs the CLI (``python -c OFFLINE NLTK_DATA ARGS…``) with the network refused and NLTK's data path set."""


def generate(out: Path, articles: int, seed: int = 1) -> Path:
    """Write ``articles`` generated news articles (the benchmark's generator) into ``out``."""
    command = [sys.executable, str(GENERATE), "--articles", str(articles), "--seed", str(seed), "--out", str(out)]
    subprocess.run(command, check=True, capture_output=True)
    return out


ARTICLES = {
    "aktau.md": """\
        ---
        title: Japan joins customs upgrade at the Port of Aktau
        date: 2025-11-03
        source: Astana Times
        url: https://example.org/aktau
        lang: en
        ---
        Japan will help modernise customs procedures at the Port of Aktau on the Caspian Sea.
        The project supports the Trans-Caspian International Transport Route, known as the Middle Corridor.
        Officials said transported cargo volumes grew by a third.
        """,
    "judo.txt": """\
        date 2024-06-15 Kazakhstan will host the World Judo Championships in 2027.
        Japanese coaches have trained young judoka in Almaty for a decade.
        """,
    "nodate.txt": """\
        Tourism between Kazakhstan and Japan is growing. Visa procedures were simplified last year,
        and direct flights between Almaty and Tokyo are planned.
        """,
    "sub/visit.md": """\
        # Tokayev meets Takaichi in Tokyo
        President Kassym-Jomart Tokayev held talks with Prime Minister Sanae Takaichi in Tokyo.
        The leaders signed documents on transportation and energy.
        """,
}


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the user's home, cache, config, state or configured corpus/index."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("KZJP_INDEX", str(tmp_path / "index"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("NLTK_DATA", str(tmp_path / "no-nltk-data"))
    monkeypatch.setenv("KZJP_DEBUG", "1")  # a bug shows its traceback in a test (test_reliability checks without)
    for name in (
        "KZJP_CORPUS",
        "KZJP_FOLLOW",
        "KZJP_NO_REFRESH",
        "NO_COLOR",
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "no_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


LOOPBACK = ("127.0.0.1", "::1", "localhost")


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any test that looks up a name or opens a connection beyond this machine.

    Names under ``.invalid`` (RFC 6761: they never resolve) fail at once, as a
    DNS failure, without asking any server.
    """
    attempts: list[str] = []
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name in LOOPBACK:
            return real_getaddrinfo(host, *args, **kwargs)
        if not name.endswith(".invalid"):
            attempts.append(f"lookup of {name}")
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    def connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in LOOPBACK:
            attempts.append(f"connection to {address[0]}")
            raise ConnectionRefusedError("tests stay on this machine")
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    yield
    assert not attempts, f"the test tried to reach beyond 127.0.0.1: {attempts}"


@dataclass
class Route:
    """What the test server answers at one path: a status, headers and a body (or a handler of its own)."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None


@dataclass
class Site:
    """A web server on 127.0.0.1 that serves the routes a test sets, and logs every request."""

    base: str
    routes: dict[str, Route] = field(default_factory=dict)
    log: list[tuple[float, str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def page(self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8", **more: Any) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(data, headers={"Content-Type": content_type}, **more)
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 301) -> str:
        self.routes[path] = Route(status=status, headers={"Location": to})
        return self.url(path)

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.log]


@pytest.fixture
def site() -> Iterator[Site]:
    """A local web server for tests that fetch pages."""
    server: ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served.log.append((time.monotonic(), self.path, dict(self.headers)))
            route = served.routes.get(self.path)
            if route is None:
                self.send_error(404, "Not Found")
                return
            if route.handler is not None:
                route.handler(self)
                return
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            self.wfile.write(route.body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    served = Site(base=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield served
    server.shutdown()
    server.server_close()


WriteCorpus = Callable[..., Path]


@pytest.fixture
def write_corpus(tmp_path: Path) -> WriteCorpus:
    """Write {relative path: text} into a corpus folder (dedented) and return the folder."""

    def write(files: dict[str, str | bytes], folder: str = "corpus") -> Path:
        root = tmp_path / folder
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content), encoding="utf-8")
        root.mkdir(parents=True, exist_ok=True)
        return root

    return write


@pytest.fixture
def corpus(write_corpus: WriteCorpus, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small corpus of four articles, made the default for the CLI."""
    root = write_corpus(ARTICLES)
    monkeypatch.setenv("KZJP_CORPUS", str(root))
    return root


@pytest.fixture
def run() -> Run:
    """Invoke the CLI in-process; stdout and stderr are kept apart."""

    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


def every_hit(opened: Any, query: str) -> set[str]:
    """The ids of every article ``query`` finds in an opened index, each copy of a story too."""
    from kzjp_cli import search
    from kzjp_cli.store import SearchOptions

    return {hit.article.id for hit in search.search(opened, query, SearchOptions(limit=None), each=True).hits}
