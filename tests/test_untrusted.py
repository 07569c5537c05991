"""Issue 30: no bad page, feed, query or server stops kzjp, hangs it, or loses the rest of an ``add``."""

from __future__ import annotations

import json
import os
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from click.testing import CliRunner

from kzjp_cli.adding import fetch
from kzjp_cli.articles import pages
from kzjp_cli.cli import cli
from kzjp_cli.errors import FetchError

from .conftest import Route, Run, Site


@pytest.fixture
def corpus_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "mine"
    monkeypatch.setenv("KZJP_CORPUS", str(folder))
    return folder


def _drip(handler: BaseHTTPRequestHandler, data: bytes, pause: float = 0.2) -> None:
    """Send ``data`` a byte at a time (a server that trickles), until the client hangs up."""
    try:
        for byte in data:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(pause)
    except OSError:
        pass


def trickled_status(handler: BaseHTTPRequestHandler) -> None:
    _drip(handler, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>late</p>")


def trickled_headers(handler: BaseHTTPRequestHandler) -> None:
    handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
    _drip(handler, b"X-Slow: " + b"a" * 200 + b"\r\n\r\n<p>late</p>")


def trickled_body(handler: BaseHTTPRequestHandler) -> None:
    handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n")
    _drip(handler, b"<p>" + b"a" * 200 + b"</p>")


@pytest.mark.parametrize("stage", [trickled_status, trickled_headers, trickled_body])
def test_one_deadline_covers_the_status_line_the_headers_and_the_body(site: Site, stage: object) -> None:
    """A server that sends its status line or headers one byte at a time held `add --max-time 5` for ever: each
    byte reset the per-read timeout, and the deadline was checked only while reading the body."""
    site.routes["/slow"] = Route(handler=stage)  # type: ignore[arg-type]
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"took more than 1 s"):
        fetch.fetch(site.url("/slow"), fetch.Limits(timeout=5, deadline=1))
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("charset", ["punycode", "undefined", "utf-8\x00", "base64", "x-no-such", "utf-7"])
def test_a_page_declaring_a_charset_that_is_no_text_encoding_is_still_read(charset: str) -> None:
    """`<meta charset="punycode">` or "undefined" made `kzjp index` and every command exit 70."""
    page = f'<html><head><meta charset="{charset}"><title>T</title></head><body><p>Astana</p></body></html>'
    warnings: list[str] = []
    assert "Astana" in pages.decode_html(page.encode(), warnings)
    assert "Astana" in pages.decode_html(page.encode(), [], declared=charset)
    assert pages.web_codec(charset) is None


def test_a_saved_page_with_a_bad_charset_does_not_take_the_corpus_down(run: Run, write_corpus: object) -> None:
    corpus = write_corpus(  # type: ignore[operator]
        {
            "bad.html": '<html><head><meta charset="punycode"><title>Odd page</title></head><body><article>'
            + "<p>The port of Aktau handled more containers this year than last, officials said.</p>" * 5
            + "</article></body></html>",
            "good.md": "---\ntitle: Good\nlang: en\n---\nTokyo and Astana signed a uranium deal.\n",
        }
    )
    done = run("search", "Aktau", "--corpus", str(corpus), "-f", "ids")
    assert (done.exit_code, done.stdout) == (0, "bad\n"), done.output
    assert run("search", "uranium", "--corpus", str(corpus), "-f", "ids").stdout == "good\n"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"a":' * 100_000 + "1" + "}" * 100_000, "nested too deeply"),
        ("[" * 50_000 + "]" * 50_000, "nested too deeply"),
        ('{"text": 5}', 'no "text", "html" or "url"'),
    ],
)
def test_one_bad_json_line_fails_alone(run: Run, tmp_path: Path, corpus_dir: Path, line: str, reason: str) -> None:
    """A deeply nested JSON line (RecursionError is no ValueError) ended the whole `add` with exit 70."""
    good = json.dumps({"title": "Good", "text": "Tokyo and Astana signed a uranium deal on Monday. " * 3})
    export = tmp_path / "export.jsonl"
    export.write_text(f"{line}\n{good}\n", encoding="utf-8")
    done = run("add", "--jsonl", str(export))
    assert done.exit_code == 3, done.output
    assert f"Error: {export}:1: " in done.stderr and reason in done.stderr
    assert "Traceback" not in done.output and len(list(corpus_dir.rglob("*.md"))) == 1


def test_a_lone_surrogate_in_json_is_kept_as_a_replacement_character(
    run: Run, tmp_path: Path, corpus_dir: Path
) -> None:
    """JSON's \\ud800 reached the duplicate check as a string no file can hold (exit 70)."""
    export = tmp_path / "export.jsonl"
    export.write_text(
        '{"title": "Bad \\ud800 title", "text": "Tokyo \\ud800 and Astana signed a deal on Monday, officials said."}\n',
        encoding="utf-8",
    )
    done = run("add", "--jsonl", str(export))
    assert done.exit_code == 0, done.output
    saved = next(corpus_dir.rglob("*.md")).read_text(encoding="utf-8")
    assert "Tokyo \ufffd and Astana" in saved


def test_a_host_too_long_for_a_folder_name_is_shortened(run: Run, tmp_path: Path, corpus_dir: Path) -> None:
    """A JSONL address whose host is over 255 bytes gave "File name too long"."""
    export = tmp_path / "export.jsonl"
    record = {"url": "https://" + "a" * 250 + ".kz/1", "text": "Tokyo and Astana signed a deal on Monday. " * 3}
    export.write_text(json.dumps(record) + "\n", encoding="utf-8")
    done = run("add", "--jsonl", str(export))
    assert done.exit_code == 0, done.output
    (saved,) = corpus_dir.rglob("*.md")
    assert len(saved.parent.name) <= 100 and saved.parent.name.startswith("aaaa")


@pytest.mark.parametrize("value", ["1e308", "inf", "nan", "3601"])
def test_waits_are_bounded(run: Run, value: str) -> None:
    """`--timeout 1e308` overflowed a timer (exit 70)."""
    done = run("add", "--timeout", value, "http://127.0.0.1:9/story")
    assert done.exit_code == 2 and "Traceback" not in done.output
    assert "--timeout" in done.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_only_regular_files_are_read_as_sources(run: Run, tmp_path: Path) -> None:
    """`kzjp add` of a FIFO waited for a writer for ever."""
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    done = run("add", str(fifo))
    assert done.exit_code == 2 and "not a regular file" in done.stderr


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("TokaevJapan~9", "a fuzzy word may differ by at most 2 letters"),
        ('id:""', 'id:"" asks for nothing'),
        ('date:"a b"', "'a b' is not a date"),
        ('date:2025w:""', "is not a date"),
        ("date:99999", "'99999' is not a date"),
        (" ".join(f"w{n}" for n in range(1025)), "a query of 1,025 words is over the limit of 1,024"),
    ],
)
def test_a_query_out_of_bounds_is_one_error_line(run: Run, query: str, message: str) -> None:
    """Issue 30: these took 29 s and 1.1 GB (~9), exited 70 (id:"", bad dates) or 1 in silence (date:99999)."""
    done = run("search", query, "-q")
    assert done.exit_code == 2 and done.stderr.startswith("Error: ") and message in done.stderr, done.output
    assert len(done.stderr.splitlines()) == 1


def test_fuzzy_words_within_the_bound_still_work(run: Run) -> None:
    assert run("search", "Tokaev~2", "-f", "ids").exit_code == 0


def test_output_a_stream_cannot_encode_is_escaped(tmp_path: Path) -> None:
    """PYTHONIOENCODING=ascii made printing a hit's curly quote exit 70."""
    import subprocess

    from .conftest import KZJP

    env = {**os.environ, "PYTHONIOENCODING": "ascii", "HOME": str(tmp_path)}
    done = subprocess.run([KZJP, "search", "Токаев"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "\\u2019" in done.stdout or "\\u201d" in done.stdout


def test_stdin_that_is_not_utf8_is_summarised_with_replacement_characters(run: Run) -> None:
    """`summarize -` with bytes that are not UTF-8 passed surrogates to the Japanese analysis (exit 70)."""
    text = "東京とアスタナは合意した。\udcff\udcfe 両国は協力を深める。ウラン供給も話し合った。"
    done = CliRunner().invoke(cli, ["summarize", "-", "-n", "1"], input=text.encode("utf-8", "surrogateescape"))
    assert done.exit_code == 0, done.output
    assert "\ufffd" in done.stdout or "合意" in done.stdout or "協力" in done.stdout


def test_ids_alone_build_no_snippets(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """`search --all -f ids` built a snippet for every hit (19,962 hits: 68 s against 1.0 s for --count)."""
    from kzjp_cli.store import snippets

    made: list[str] = []
    real = snippets.snippet
    monkeypatch.setattr(snippets, "snippet", lambda body, *a, **k: made.append(body) or real(body, *a, **k))
    assert run("search", "Tokyo", "--all", "-f", "ids").exit_code == 0 and made == []
    assert run("search", "Tokyo", "--all", "-f", "csv", "--fields", "id,title").exit_code == 0 and made == []
    assert run("search", "Tokyo", "-f", "csv", "--fields", "id,snippet").exit_code == 0 and made


def _rss(items: list[str]) -> bytes:
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>' + "".join(items)).encode() + (
        b"</channel></rss>"
    )


def test_a_feed_is_read_up_to_its_first_thousand_items() -> None:
    """A 50,000-item feed took over 120 s before its first item (feedparser alone 67 s)."""
    from kzjp_cli.adding.feeds import MAX_ITEMS, parse_feed

    items = [f"<item><title>Story {n}</title><link>https://wire.kz/{n}</link></item>" for n in range(5000)]
    started = time.process_time()
    feed = parse_feed(_rss(items))
    assert (len(feed.items), feed.listed) == (MAX_ITEMS, 5000)
    assert feed.items[0].link == "https://wire.kz/0" and feed.items[-1].link == "https://wire.kz/999"
    assert time.process_time() - started < 30  # a bound that cannot fail by load alone; 5,000 items took 7 s
    atom = b'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>' + b"".join(
        f'<entry><title>E{n}</title><link href="https://wire.kz/e{n}"/></entry>'.encode() for n in range(1200)
    )
    feed = parse_feed(atom + b"</feed>")
    assert (len(feed.items), feed.listed) == (MAX_ITEMS, 1200)


def test_a_feed_item_dated_zero_is_kept_undated() -> None:
    """MySQL's zero date (0000-00-00), common in real feeds, ended the whole `add` with exit 70."""
    from kzjp_cli.adding.feeds import parse_feed

    feed = parse_feed(
        _rss(
            [
                "<item><title>Zero</title><link>https://wire.kz/0</link><pubDate>0000-00-00 00:00:00</pubDate></item>",
                "<item><title>Bad</title><link>https://wire.kz/1</link><pubDate>Mon, 00 Jan 0000</pubDate></item>",
                "<item><title>Fine</title><link>https://wire.kz/2</link>"
                "<pubDate>Tue, 02 Dec 2025 08:00:00 +0500</pubDate></item>",
            ]
        )
    )
    assert [(i.title, i.date and i.date.isoformat()) for i in feed.items] == [
        ("Zero", None),
        ("Bad", None),
        ("Fine", "2025-12-02"),
    ]


@pytest.mark.parametrize("content_type", ["text/plain", None])
def test_html_served_as_plain_text_is_read_as_a_page(
    run: Run, site: Site, corpus_dir: Path, content_type: str | None
) -> None:
    """HTML served as text/plain, or with no Content-Type, was saved as raw markup."""
    story = "The port of Aktau handled a record number of containers this year, officials said on Monday. " * 3
    page = f"<head><title>Record at Aktau</title></head><body><article><p>{story}</p></article></body>"
    site.routes["/story"] = Route(page.encode(), headers={"Content-Type": content_type} if content_type else {})
    done = run("add", site.url("/story"))
    assert done.exit_code == 0, done.output
    saved = next(corpus_dir.rglob("*.md")).read_text(encoding="utf-8")
    assert "<p>" not in saved and "<title>" not in saved and "record number of containers" in saved


def test_index_strict_counts_broken_links(run: Run, write_corpus: object, tmp_path: Path) -> None:
    """`index --strict` exited 0 with 3 broken links warned about."""
    corpus = write_corpus({"good.md": "---\ntitle: Good\nlang: en\n---\nTokyo and Astana signed a deal.\n"})  # type: ignore[operator]
    for n in range(3):
        (corpus / f"gone{n}.md").symlink_to(tmp_path / f"nowhere{n}.md")
    done = run("index", "--strict", "--corpus", str(corpus))
    assert done.exit_code == 3, done.output
    assert done.stderr.count("skipped") >= 3 and "Error: 3 file(s) skipped" in done.stderr


def test_a_topic_is_bounded(run: Run) -> None:
    """`topics` with a 100,000-character topic took 43.6 s."""
    started = time.monotonic()
    done = run("topics", "Tokyo " * 20_000, "-q")
    assert done.exit_code == 2 and done.stderr.startswith("Error: ")
    assert time.monotonic() - started < 30


def test_a_killed_add_leaves_no_temporary_file_for_long(run: Run, corpus_dir: Path, tmp_path: Path) -> None:
    """1 in 10 kill -9 during `add` left a hidden .tmp file that nothing removed."""
    import subprocess
    import sys

    folder = corpus_dir / "local"
    folder.mkdir(parents=True)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = folder / f".2025-12-01_story_abcd1234.md.{int(gone.stdout)}.tmp"
    dead.write_text("half a stor", encoding="utf-8")
    alive = folder / f".2025-12-01_other_abcd1234.md.{os.getppid()}.tmp"
    alive.write_text("being written", encoding="utf-8")
    old = folder / ".2025-12-01_old_abcd1234.md.1.tmp"
    old.write_text("long ago", encoding="utf-8")
    os.utime(old, (time.time() - 3 * 24 * 3600,) * 2)
    story = tmp_path / "story.md"
    story.write_text("---\ntitle: Deal\nlang: en\n---\nTokyo and Astana signed a uranium deal on Monday.\n")
    assert run("add", str(story)).exit_code == 0
    assert not dead.exists() and not old.exists() and alive.exists()
