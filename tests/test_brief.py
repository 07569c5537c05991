"""kzjp brief: a period's numbers against the one before, the top stories summed up with cited sentences, the
topics that rose and the names mentioned, in text, Markdown, one HTML page and JSON."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from .conftest import Run, Site, WriteCorpus
from .test_stories import OTHER, REPRINT, STORY

WEEK = ("--since", "2026-11-18", "--until", "2026-11-24", "--by-date")
OLD = """\
President Tokayev met Japanese investors in Astana to discuss the Middle Corridor and new rail links to the port.
Kazakhstan wants to raise container transit to one million units by the end of the decade, officials said.
"""


def article(title: str, day: str, source: str, body: str, url: str = "") -> str:
    link = f"url: {url}\n" if url else ""
    return f"---\ntitle: {title}\ndate: {day}\nsource: {source}\n{link}lang: en\n---\n{body}"


@pytest.fixture
def week(write_corpus: WriteCorpus, tmp_path: Path) -> tuple[str, ...]:
    corpus = write_corpus(
        {
            "hub.md": article(
                "Kazakhstan and Japan to build Aktau hub", "2026-11-20", "Kazinform", STORY, "https://kazinform.kz/hub"
            ),
            "hub-reprint.md": article(
                "Aktau logistics hub deal signed", "2026-11-21", "Astana Times", REPRINT, "https://astanatimes.com/hub"
            ),
            "training.md": article(
                "Japan to train <Kazakh> port engineers", "2026-11-19", "Kyodo", OTHER, "javascript:alert(1)"
            ),
            "old.md": article("Tokayev meets investors", "2026-11-12", "Archive", OLD),
        }
    )
    return ("--corpus", str(corpus), "--index", str(tmp_path / "ix"))


def test_a_week_in_json(week: tuple[str, ...], run: Run, tmp_path: Path) -> None:
    done = run("brief", *week, *WEEK, "-f", "json")
    assert done.exit_code == 0, done.output
    made = json.loads(done.stdout)
    assert made["period"] == {
        "since": "2026-11-18",
        "until": "2026-11-24",
        "days": 7,
        "by": "dated",
        "query": None,
        "languages": [],
    }
    assert made["counts"] == {
        "articles": 3,
        "stories": 2,
        "sources": 3,
        "languages": 1,
        "previous": {"articles": 1, "stories": 1, "sources": 1, "languages": 1},
    }
    chart = made["chart"]["counts"]
    assert chart[0]["period"] == "2026-11-18" and len(chart) == 7
    assert {row["period"]: row["articles"] for row in chart if row["articles"]} == {
        "2026-11-19": 1,
        "2026-11-20": 1,
        "2026-11-21": 1,
    }
    top = made["stories"][0]
    assert top["articles"] == ["hub", "hub-reprint"] and top["sources"] == ["Astana Times", "Kazinform"]
    assert top["title"] == "Kazakhstan and Japan to build Aktau hub" and top["languages"] == ["en"]
    assert [s["articles"] for s in made["stories"]] == [["hub", "hub-reprint"], ["training"]]
    assert top["lead"] == "hub" and {c["article"] for c in top["summary"]} == {"hub"}, "its first telling sums it up"
    bodies = {"hub": STORY, "hub-reprint": REPRINT, "training": OTHER}
    for story in made["stories"]:
        assert len(story["summary"]) == 2
        for sentence in story["summary"]:
            assert sentence["article"] in story["articles"], "every sentence cites one of its story's articles"
            assert sentence["text"] in " ".join(bodies[sentence["article"]].split())
    names = {n["name"]: (n["articles"], n["previous"]) for n in made["names"]}
    assert names["Kazakhstan"] == (3, 1) and names["Aktau"] == (3, 0) and "Tokayev" not in names
    assert all(t["articles"] > t["previous"] for t in made["topics"])


def test_a_week_in_text_markdown_and_html(week: tuple[str, ...], run: Run, tmp_path: Path) -> None:
    text = run("brief", *week, *WEEK)
    assert text.exit_code == 0
    assert text.stdout.startswith("Brief: 2026-11-18 to 2026-11-24, 7 days, articles by their own dates\n")
    assert "articles         3       1  +2" in text.stdout and "Top stories" in text.stdout
    assert "1. Kazakhstan and Japan to build Aktau hub" in text.stdout
    assert (
        "[1] Kazinform (en) https://kazinform.kz/hub\n   [2] Astana Times (en) https://astanatimes.com/hub"
        in text.stdout
    )
    assert re.search(r"• [^\n]+ \[1\]\n", text.stdout), "each sentence cites its article by number"
    assert "2 articles · en · Astana Times, Kazinform · 2026-11-20 to 2026-11-21" in text.stdout
    assert "\x1b[" not in text.stdout, "no colour off a terminal"

    markdown = run("brief", *week, *WEEK, "-f", "markdown").stdout
    assert markdown.startswith("# Brief: 2026-11-18 to 2026-11-24\n")
    assert "| Articles | 3 | 1 | +2 |" in markdown and "## Top stories" in markdown
    assert "### 2. Japan to train \\<Kazakh\\> port engineers" in markdown
    assert (
        "[1] [Kazinform (en)](https://kazinform.kz/hub)" in markdown
        and " [[1]](https://kazinform.kz/hub)\n" in markdown
    )
    assert "javascript:" not in markdown, "only web addresses become links"
    assert "```text\n2026-11-18" in markdown

    done = run("brief", *week, *WEEK, "-o", str(tmp_path / "brief.html"))
    assert done.exit_code == 0 and done.stdout == "" and "wrote the brief to" in done.stderr
    page = (tmp_path / "brief.html").read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and page.count('class="bar"') == 7
    assert "Japan to train &lt;Kazakh&gt; port engineers" in page
    assert '<a href="https://kazinform.kz/hub">' in page and "javascript:" not in page
    assert "default-src 'none'" in page, "the page may fetch nothing"
    for outside in ("<script", " src=", "url(", "@import", "<link", "<iframe", "<object"):
        assert outside not in page.lower()

    run("brief", *week, *WEEK, "-o", str(tmp_path / "brief.json"))
    assert json.loads((tmp_path / "brief.json").read_text("utf-8"))["counts"]["articles"] == 3


def test_an_empty_period_in_every_format(week: tuple[str, ...], run: Run) -> None:
    empty = ("--since", "2030-01-01", "--until", "2030-01-07", "--by-date")
    text = run("brief", *week, *empty)
    assert text.exit_code == 1 and "No articles in this period." in text.stdout
    made = json.loads(run("brief", *week, *empty, "-f", "json").stdout)
    assert made["counts"]["articles"] == 0 and made["stories"] == [] and made["names"] == []
    assert made["counts"]["previous"]["articles"] == 0 and sum(r["articles"] for r in made["chart"]["counts"]) == 0
    page = run("brief", *week, *empty, "-f", "html")
    assert page.exit_code == 1 and "No articles in this period." in page.stdout and "</html>" in page.stdout
    assert "No articles in this period." in run("brief", *week, *empty, "-f", "markdown").stdout


def test_one_article_and_a_query(week: tuple[str, ...], run: Run) -> None:
    one = json.loads(
        run("brief", *week, "--since", "2026-11-11", "--until", "2026-11-17", "--by-date", "-f", "json").stdout
    )
    assert one["counts"]["articles"] == 1 and [s["articles"] for s in one["stories"]] == [["old"]]
    assert one["counts"]["previous"]["articles"] == 0
    assert {s["article"] for s in one["stories"][0]["summary"]} == {"old"}
    asked = json.loads(run("brief", "engineers", *week, *WEEK, "-f", "json").stdout)
    assert asked["period"]["query"] == "engineers" and asked["counts"]["articles"] == 1
    assert [s["articles"] for s in asked["stories"]] == [["training"]]
    assert "engineers" in " ".join(s["text"] for s in asked["stories"][0]["summary"]), "focused on the query"
    assert (
        len(json.loads(run("brief", *week, *WEEK, "-n", "1", "--sentences", "1", "-f", "json").stdout)["stories"]) == 1
    )


def test_the_default_period_is_the_last_week_by_when_added(week: tuple[str, ...], run: Run) -> None:
    added = json.loads(run("brief", *week, "-f", "json").stdout)
    assert added["period"]["by"] == "added" and added["period"]["days"] == 7
    assert added["counts"]["articles"] == 4, "every article was added just now"
    assert run("brief", *week, "--by-date").exit_code == 1, "none is dated in the last seven days"


def test_bad_periods_and_files_are_one_line(week: tuple[str, ...], run: Run, tmp_path: Path) -> None:
    backwards = run("brief", *week, "--since", "2026-11-24", "--until", "2026-11-18")
    assert backwards.exit_code == 2 and "starts (2026-11-24) after it ends (2026-11-18)" in backwards.stderr
    nowhere = run("brief", *week, *WEEK, "-q", "-o", str(tmp_path / "missing" / "brief.html"))
    assert nowhere.exit_code == 2 and nowhere.stderr.startswith("Error: cannot write ")
    assert len(nowhere.stderr.strip().splitlines()) == 1


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows (RGB or RGBA bytes) of a non-interlaced 8-bit PNG such as Chromium writes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, chunks, header = 8, b"", b""
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks += body
        at += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6)
    size = 4 if colour == 6 else 3
    raw, rows, previous = zlib.decompress(chunks), [], bytearray(width * size)
    stride = width * size + 1
    for y in range(height):
        kind, line = raw[y * stride], bytearray(raw[y * stride + 1 : (y + 1) * stride])
        for x in range(len(line)):
            left = line[x - size] if x >= size else 0
            up, corner = previous[x], previous[x - size] if x >= size else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                guess = left + up - corner
                near = min((abs(guess - left), 0, left), (abs(guess - up), 1, up), (abs(guess - corner), 2, corner))
                line[x] = (line[x] + near[2]) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, [bytes(r[i] for i in range(len(r)) if size == 3 or i % 4 != 3) for r in rows]


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Chromium is not installed (Debian: apt-get install chromium)"
)
def test_the_html_page_in_a_browser(week: tuple[str, ...], run: Run, tmp_path: Path, site: Site) -> None:
    """Headless Chromium draws the page from a local server: the chart's bars and the stories' text are on
    the screenshot, and the browser asked the server for nothing but the page (and its icon)."""
    assert run("brief", *week, *WEEK, "-o", str(tmp_path / "brief.html")).exit_code == 0
    site.page("/brief.html", (tmp_path / "brief.html").read_text("utf-8"))
    shot = tmp_path / "brief.png"
    command = [
        "chromium",
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=900,1400",
        f"--screenshot={shot}",
        site.url("/brief.html"),
    ]
    subprocess.run(command, capture_output=True, timeout=120, check=True)
    assert set(site.paths()) <= {"/brief.html", "/favicon.ico"} and "/brief.html" in site.paths()
    width, height, rows = png_pixels(shot.read_bytes())
    assert (width, height) == (900, 1400)
    pixels = [rows[y][x : x + 3] for y in range(height) for x in range(0, width * 3, 3)]
    blue = sum(1 for p in pixels if abs(p[0] - 9) < 40 and abs(p[1] - 105) < 40 and abs(p[2] - 218) < 40)
    ink = sum(1 for p in pixels if max(p) < 90)
    assert blue > 1500, f"the chart's bars: {blue} blue pixels"
    assert ink > 5000, f"the stories' text: {ink} dark pixels"
    ys = [y for y in range(height) for x in range(0, width * 3, 3) if max(rows[y][x : x + 3]) < 90]
    assert max(ys) > 600, "text runs below the chart (the stories)"
    assert re.search(r"<li><h3", (tmp_path / "brief.html").read_text("utf-8"))


def test_copies_do_not_repeat_in_a_summary_and_a_bare_article_breaks_nothing(
    write_corpus: WriteCorpus, tmp_path: Path, run: Run
) -> None:
    reworded = STORY.replace("Officials expect the first terminal", "The first terminal is expected by officials")
    corpus = write_corpus(
        {
            "a.md": article("Aktau hub", "2026-11-20", "Kazinform", STORY),
            "b.md": article("Aktau hub agreed", "2026-11-20", "TASS", reworded),
            "bare.md": article("Headline only", "2026-11-20", "Kyodo", "Aktau\n"),
        }
    )
    where = ("--corpus", str(corpus), "--index", str(tmp_path / "ix"), "-q", *WEEK)
    done = run("brief", *where, "--sentences", "4", "-f", "json")
    assert done.exit_code == 0, done.output
    made = json.loads(done.stdout)
    hub = next(s for s in made["stories"] if "a" in s["articles"])
    assert hub["articles"] == ["a", "b"]
    texts = [c["text"] for c in hub["summary"]]
    assert len(texts) == 4 and len({t.split()[0] + t.split()[-1] for t in texts}) == 4, texts
    assert not any("expected by officials" in t for t in texts) or not any("Officials expect" in t for t in texts)
