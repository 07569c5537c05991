"""Shared fixtures and helpers: every test gets its own cache, home and index folders under tmp_path."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kzjp_cli import locations
from kzjp_cli.cli import cli

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
    """No test reads or writes the user's home, cache or configured corpus/index."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("KZJP_INDEX", str(tmp_path / "index"))
    monkeypatch.setenv("NLTK_DATA", str(tmp_path / "no-nltk-data"))
    for name in ("KZJP_CORPUS", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)


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
