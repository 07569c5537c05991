"""``kzjp add``: pages, feeds, saved pages, files and exports into the corpus, served from 127.0.0.1 only."""

from __future__ import annotations

import base64
import itertools
import json
import os
import random
import signal
import subprocess
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from click.testing import CliRunner

from kzjp_cli import articles
from kzjp_cli.adding import adder as adding
from kzjp_cli.adding import fetch
from kzjp_cli.articles import dedup
from kzjp_cli.cli import cli
from kzjp_cli.errors import FetchError

from .conftest import KZJP, MULTILINGUAL, Route, Run, Site

PAGES = Path(__file__).resolve().parent / "data" / "pages"
STORY = (
    "Kazakhstan and Japan agreed on Tuesday to expand cooperation on rare earth metals, officials in Astana said. "
    "The agreement covers exploration in the Karaganda region and processing plants near Ust-Kamenogorsk. "
    "Japanese trading houses will finance feasibility studies over the next two years. "
    "Deputy Prime Minister Serik Zhumangarin called the deal a milestone for the critical minerals dialogue."
)
BOILERPLATE = "Subscribe to our newsletter for the latest headlines"
WORDS = (
    "Astana Tokyo Almaty Osaka railway port grain uranium copper wheat minister embassy delegation forum "
    "investment loan treaty visa students university festival exhibition judo culture pipeline solar wind "
    "hydrogen customs corridor shipping airline flights tourism bank agreement memorandum summit talks"
).split()


def story(n: int, sentences: int = 6) -> str:
    """A story of its own for each ``n``: sentences of words drawn at random, seeded by ``n``."""
    import random

    pick = random.Random(n)
    made = [" ".join(pick.choices(WORDS, k=12)).capitalize() for _ in range(sentences)]
    return ". ".join(made) + ". Deputy Prime Minister Zhumangarin welcomed it."


def news_page(title: str, story: str = STORY, date: str = "2025-12-02", lang: str = "en", extra: str = "") -> str:
    """A news page as sites make them: menus, a cookie banner, related links and comments around the story."""
    paragraphs = "".join(f"<p>{s.strip()}.</p>" for s in story.split(". ") if s.strip())
    return f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">
<title>{title} | Steppe Wire</title><meta property="og:title" content="{title}">
<meta property="article:published_time" content="{date}T08:00:00+05:00">{extra}</head><body>
<header><nav><a href="/">Home</a> <a href="/politics">Politics</a> <a href="/business">Business</a></nav></header>
<div class="cookie">We use cookies to improve your experience. Accept all cookies?</div>
<main><article><h1>{title}</h1>{paragraphs}</article>
<aside><h3>Related</h3><ul><li><a href="/a">Oil output rises in Atyrau</a></li>
<li><a href="/b">Tokyo stocks close higher</a></li></ul></aside>
<section class="comments"><h3>Comments</h3><p>Great news for both countries!!! - reader123</p></section></main>
<footer><p>{BOILERPLATE}.</p><p>© 2025 Steppe Wire. All rights reserved.</p></footer></body></html>"""


def add(run: Run, *args: str, input: str | None = None) -> tuple[int, str, str]:
    done = run("add", *args, input=input)
    return done.exit_code, done.stdout, done.stderr


@pytest.fixture
def corpus_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "mine"
    monkeypatch.setenv("KZJP_CORPUS", str(folder))
    return folder


def saved(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


# --- one page ----------------------------------------------------------------------


def test_a_page_is_saved_with_its_metadata_and_found_by_search(run: Run, site: Site, corpus_dir: Path) -> None:
    url = site.page("/news/rare-earths?utm_source=tg", news_page("Kazakhstan and Japan expand rare earths deal"))
    code, out, err = add(run, url)
    assert code == 0, err
    host = f"127.0.0.1-{site.base.rsplit(':', 1)[1]}"
    [name] = saved(corpus_dir)
    assert name.startswith(f"{host}/2025-12-02_kazakhstan-and-japan-expand-rare-earths_") and name.endswith(".md")
    assert out.split()[:3] == ["added", name.removesuffix(".md"), "2025-12-02"]
    article = articles.parse_article((corpus_dir / name).read_text(), id="x", path=name, suffix=".md")
    assert (article.title, article.date.isoformat(), article.lang, article.url) == (
        "Kazakhstan and Japan expand rare earths deal",
        "2025-12-02",
        "en",
        url,
    )
    assert article.fetched and article.fetched.endswith("Z")
    assert "Karaganda region" in article.body and "Zhumangarin" in article.body
    for chrome in ("cookies", BOILERPLATE, "reader123", "Oil output rises", "Home"):
        assert chrome not in article.body
    found = run("search", "Zhumangarin", "-f", "json")
    assert found.exit_code == 0
    [hit] = json.loads(found.stdout)
    assert (hit["title"], hit["date"], hit["fetched"]) == (article.title, "2025-12-02", article.fetched)
    assert site.log[0][2]["User-Agent"].startswith("kzjp/")


def test_adding_the_same_page_again_adds_nothing_and_asks_no_server(run: Run, site: Site, corpus_dir: Path) -> None:
    url = site.page("/news/story/", news_page("Rare earths deal"))
    assert add(run, url)[0] == 0
    before = saved(corpus_dir)
    requests = len(site.log)
    for again in (url, url.rstrip("/") + "?utm_medium=x#top"):
        code, out, _ = add(run, again)
        assert code == 0 and out.startswith("exists ")
    assert saved(corpus_dir) == before and len(site.log) == requests


def test_the_same_text_at_another_address_exists(run: Run, site: Site, corpus_dir: Path) -> None:
    first = site.page("/a", news_page("Rare earths deal"))
    second = site.page("/mirror/a", news_page("Rare earths deal", extra='<meta name="x" content="mirror">'))
    assert add(run, first)[0] == 0
    code, out, _ = add(run, second, "-f", "json")
    [record] = json.loads(out)
    assert code == 0 and record["outcome"] == "exists" and record["saved"] is False
    assert record["id"] == saved(corpus_dir)[0].removesuffix(".md")


def test_a_near_copy_is_saved_with_a_warning_or_skipped(run: Run, site: Site, corpus_dir: Path) -> None:
    original = site.page("/a", news_page("Rare earths deal"))
    edited = STORY.replace("on Tuesday", "on Tuesday evening").replace("two years", "three years")
    copy = site.page("/b", news_page("Kazakhstan, Japan sign rare earths pact", edited + " Reporting by Kazinform."))
    assert add(run, original)[0] == 0
    code, out, err = add(run, copy, "--skip-near-duplicates", "-f", "jsonl")
    record = json.loads(out)
    assert code == 0 and record["outcome"] == "near-duplicate" and record["saved"] is False and record["id"] is None
    assert record["similarity"] >= dedup.NEAR_THRESHOLD and "near-duplicate; left out" in err
    assert len(saved(corpus_dir)) == 1
    code, out, err = add(run, copy)
    assert code == 0 and out.startswith("near-duplicate ") and "saved all the same" in err
    assert len(saved(corpus_dir)) == 2


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "header", "strip_meta"),
    [
        ("ru_grain", "text/html; charset=windows-1251", True),  # the header alone names the charset
        ("ru_grain", "text/html", False),  # the page's <meta charset> does
        ("ja_uranium", "text/html", False),  # Shift_JIS by <meta>
        ("kk_judo", "text/html", False),
    ],
)
def test_charsets_and_languages(
    run: Run, site: Site, corpus_dir: Path, name: str, header: str, strip_meta: bool
) -> None:
    data = (PAGES / f"{name}.html").read_bytes()
    if strip_meta:
        data = data.replace(b'<meta charset="windows-1251">', b"")
    url = site.page(f"/{name}", data, content_type=header)
    code, _, err = add(run, url)
    assert code == 0 and "Warning" not in err
    expected = (PAGES / f"{name}.expected.txt").read_text(encoding="utf-8").split("\n")
    title, date, lang = expected[:3]
    [file] = saved(corpus_dir)
    article = articles.parse_article((corpus_dir / file).read_text(), id="x", path=file, suffix=".md")
    assert (article.title, str(article.date), article.lang) == (title, date, lang)
    assert all(line in article.body for line in expected[3:] if line.strip())


def test_an_undeclared_charset_is_guessed_with_a_warning(run: Run, site: Site, corpus_dir: Path) -> None:
    data = (PAGES / "ru_grain.html").read_bytes().replace(b'<meta charset="windows-1251">', b"")
    code, _, err = add(run, site.page("/grain", data, content_type="text/html"))
    assert code == 0 and "not UTF-8; decoded as cp1251" in err
    assert "Казахстан" in (corpus_dir / saved(corpus_dir)[0]).read_text(encoding="utf-8")


# --- failures ------------------------------------------------------------------------


def trickle(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    try:
        for _ in range(100):
            handler.wfile.write(b"<p>x</p>")
            handler.wfile.flush()
            time.sleep(0.2)
    except OSError:
        pass


def oversized(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()  # no Content-Length: the cap must hold while streaming
    try:
        for _ in range(11 * 16):
            handler.wfile.write(b"<p>" + b"a" * 65536 + b"</p>")
    except OSError:
        pass


@pytest.mark.slow
def test_every_bad_source_gets_one_line_and_the_rest_is_added(run: Run, site: Site, corpus_dir: Path) -> None:
    good = site.page("/good", news_page("Rare earths deal"))
    site.routes["/slow"] = Route(handler=trickle)
    site.routes["/huge"] = Route(handler=oversized)
    bad = {
        site.url("/missing"): "HTTP 404",
        site.page("/broken", "oops", status=500): "HTTP 500",
        site.page("/report.pdf", b"%PDF-1.7 ...", content_type="application/pdf"): "not a web page (application/pdf)",
        site.page("/logo.png", b"\x89PNG....", content_type="image/png"): "not a web page (image/png)",
        site.page("/empty", "<html><body><nav>Home</nav></body></html>"): "no article text found",
        site.url("/slow"): "took more than 1 s",
        site.url("/huge"): "larger than the 10 MB limit",
        "http://kzjp-test.invalid/story": "host name could not be found",
        "http://127.0.0.1:9/story": "connection refused",
        "ftp://example.org/story": "no such file, and not a web address",
        "missing-file.html": "no such file",
    }
    code, out, err = add(run, good, *bad, "--max-time", "1")
    assert code == adding_partial() and out.startswith("added ")
    errors = [line for line in err.splitlines() if line.startswith("Error: ")]
    assert len(errors) == len(bad)
    for line, (source, reason) in zip(errors, bad.items(), strict=True):
        assert line.startswith(f"Error: {source}: ") and reason in line, line
    assert "Traceback" not in err and len(saved(corpus_dir)) == 1
    code, out, err = add(run, site.url("/missing"))
    assert (code, out) == (2, "") and err.startswith("Error: ")


def adding_partial() -> int:
    from kzjp_cli.errors import Exit

    return Exit.PARTIAL


def test_redirects_are_followed_up_to_five(site: Site) -> None:
    site.page("/final", news_page("Rare earths deal"))
    target = "/final"
    for hop in range(5, 0, -1):
        site.redirect(f"/hop{hop}", target)
        target = f"/hop{hop}"
    assert fetch.fetch(site.url("/hop1")).url == site.url("/final")
    site.redirect("/hop0", "/hop1")
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch.fetch(site.url("/hop0"))
    site.redirect("/loop", "/loop")
    with pytest.raises(FetchError, match="redirect"):
        fetch.fetch(site.url("/loop"))


def test_the_deadline_holds_against_a_trickling_server(site: Site) -> None:
    site.routes["/slow"] = Route(handler=trickle)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"took more than 0\.5 s"):
        fetch.fetch(site.url("/slow"), fetch.Limits(timeout=5, deadline=0.5))
    assert time.monotonic() - started < 5  # each read waits at most until the deadline, not the timeout


def test_the_size_cap_is_read_in_chunks(site: Site) -> None:
    site.routes["/huge"] = Route(handler=oversized)
    with pytest.raises(FetchError, match="larger than the 1 MB limit"):
        fetch.fetch(site.url("/huge"), fetch.Limits(max_bytes=1024 * 1024))
    site.page("/declared", b"x" * 2048)
    with pytest.raises(FetchError, match="larger than"):
        fetch.fetch(site.url("/declared"), fetch.Limits(max_bytes=1024))


# --- feeds ---------------------------------------------------------------------------


def rss(site: Site, items: list[tuple[str, str, str]], title: str = "Steppe Wire") -> str:
    entries = "".join(
        f"<item><title>{t}</title><link>{site.url(path)}</link>{f'<pubDate>{d}</pubDate>' if d else ''}"
        f"<description>{t} summary</description></item>"
        for t, path, d in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{entries}</channel></rss>'


@pytest.mark.slow
def test_a_feed_adds_its_stories_politely(run: Run, site: Site, corpus_dir: Path) -> None:
    site.page("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    site.page("/one", news_page("Page title one", date="2025-12-01"))
    site.page("/two", news_page("Page title two", story(2), date="2025-12-03"))
    site.page("/private/three", news_page("Private", story(3)))
    feed = rss(
        site,
        [
            ("Feed title one", "/one", "Fri, 05 Dec 2025 10:00:00 GMT"),
            ("", "/two", ""),
            ("Three", "/private/three", ""),
            ("Gone", "/gone", ""),
        ],
    )
    feed_url = site.page("/feed.xml", feed, content_type="application/rss+xml")
    code, out, err = add(run, "--feed", feed_url, "--delay", "0.3", "-f", "json")
    records = json.loads(out)
    assert code == adding_partial()
    assert [r["outcome"] for r in records] == ["added", "added", "failed", "failed"]
    assert "robots.txt does not allow" in records[2]["error"] and "HTTP 404" in records[3]["error"]
    # the feed's title and date win over the page's; the page's fill what the feed lacks
    assert (records[0]["title"], records[0]["date"], records[0]["source"]) == (
        "Feed title one",
        "2025-12-05",
        "Steppe Wire",
    )
    assert (records[1]["title"], records[1]["date"]) == ("Page title two", "2025-12-03")
    assert "/private/three" not in site.paths()
    pages = [when for when, path, _ in site.log if path in ("/robots.txt", "/one", "/two", "/gone")]
    assert all(later - earlier >= 0.29 for earlier, later in itertools.pairwise(pages))
    assert err.count("Error: ") == 2
    code, out, _ = add(run, "--feed", feed_url, "--delay", "0", "-f", "ids")
    assert out.split() == [r["id"] for r in records[:2]]  # already there: the same ids, nothing new
    assert len(saved(corpus_dir)) == 2


@pytest.mark.slow
def test_options_win_over_the_feed_and_an_atom_feed_from_a_file(
    run: Run, site: Site, corpus_dir: Path, tmp_path: Path
) -> None:
    site.page("/one", news_page("Page title", date="2025-12-01"))
    atom = tmp_path / "feed.atom"
    atom.write_text(
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Wire</title>'
        f'<entry><title>Entry title</title><link href="{site.url("/one")}"/>'
        "<updated>2025-12-07T09:00:00Z</updated></entry></feed>"
    )
    code, out, _ = add(
        run, "--feed", str(atom), "--title", "My title", "--source", "Kyodo", "--date", "2025-12-09", "-f", "json"
    )
    [record] = json.loads(out)
    assert code == 0 and (record["title"], record["source"], record["date"]) == ("My title", "Kyodo", "2025-12-09")


@pytest.mark.slow
def test_a_page_without_text_falls_back_to_the_feed_summary(run: Run, site: Site, corpus_dir: Path) -> None:
    site.page("/video", "<html><body><nav>Home</nav><video src='x.mp4'></video></body></html>")
    summary = "Tokayev and Takaichi discussed the Middle Corridor and critical minerals at length in Tokyo."
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>W</title><item><title>Video report</title>'
        f"<link>{site.url('/video')}</link><description>&lt;p&gt;{summary}&lt;/p&gt;</description></item></channel></rss>"
    )
    code, out, err = add(run, "--feed", site.page("/f.xml", feed, content_type="application/rss+xml"), "-f", "json")
    [record] = json.loads(out)
    assert code == 0 and record["title"] == "Video report" and "feed's summary" in err
    assert summary in (corpus_dir / f"{record['id']}.md").read_text()


def test_not_a_feed(run: Run, site: Site, corpus_dir: Path) -> None:
    code, _, err = add(run, "--feed", site.page("/page", news_page("A page")))
    assert code == 2 and "not an RSS or Atom feed" in err
    code, _, err = add(run, site.page("/feed.xml", rss(site, []), content_type="application/rss+xml"))
    assert code == 2 and "add its stories with --feed" in err


# --- files, stdin and exports --------------------------------------------------------------


def test_saved_pages_and_text_files(run: Run, corpus_dir: Path, tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_text("---\ntitle: Notes from Astana\ndate: 2025-12-11\nlang: en\n---\nThe forum opened in Astana.\n")
    code, out, _ = add(run, str(PAGES / "en_port.html"), str(note), "-f", "jsonl")
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["title"] for r in records] == [
        "Japan to fund new ferry terminal at Kuryk",
        "Notes from Astana",
    ]
    assert [r["id"].split("/")[0] for r in records] == ["local", "local"]
    assert records[0]["fetched"] is None and records[1]["date"] == "2025-12-11"
    code, out, _ = add(run, str(PAGES / "en_port.html"))
    assert code == 0 and out.startswith("exists ")
    assert run("search", "Kuryk", "-f", "ids").stdout.strip() == records[0]["id"]


def test_stdin_a_page_or_a_list_of_addresses(run: Run, site: Site, corpus_dir: Path) -> None:
    code, out, _ = add(run, "-", input=news_page("From a pipe"))
    assert code == 0 and "From a pipe" in out
    urls = [
        site.page(f"/p{i}", news_page(f"Story {i}", STORY.replace("rare earth", w)))
        for i, w in enumerate(["oil", "gas"])
    ]
    code, out, _ = add(run, "-", "-f", "ids", input="\n".join(urls) + "\n")
    assert code == 0 and len(out.split()) == 2
    assert add(run, "-", input="")[0] == 2


def test_jsonl_exports(run: Run, site: Site, corpus_dir: Path, tmp_path: Path) -> None:
    site.page("/fetched", news_page("Fetched for the export", story(1)))
    lines = [
        {"title": "Plain text", "date": "2025-12-12", "text": story(2), "source": "TASS"},
        {"html": news_page("From html", story(3)), "lang": "en", "url": "https://x.kz/zinc"},
        {"url": site.url("/fetched"), "date": "not a date"},
        {"title": "nothing to read"},
        "not an object",
    ]
    export = tmp_path / "export.jsonl"
    export.write_text("\n".join(json.dumps(line) for line in lines) + "\n{broken\n")
    code, out, err = add(run, "--jsonl", str(export), "-f", "json")
    records = json.loads(out)
    assert code == adding_partial()
    assert [r["outcome"] for r in records] == ["added", "added", "added", "failed", "failed", "failed"]
    assert (records[0]["source"], records[0]["date"]) == ("TASS", "2025-12-12")
    assert records[1]["url"] == "https://x.kz/zinc" and records[1]["id"].startswith("x.kz/")
    assert "is not a date" in err and f"Error: {export}:6: not JSON" in err


# --- where files go, and how they are written -----------------------------------------------


def test_the_users_own_corpus_is_made_with_the_bundled_articles(run: Run, site: Site, tmp_path: Path) -> None:
    url = site.page("/a", news_page("Rare earths deal"))
    code, out, err = add(run, url)
    mine = tmp_path / "data" / "kzjp" / "corpus"
    assert code == 0 and f"made your corpus at {mine}" in err
    assert {p.name for p in mine.iterdir() if p.is_file()} == {"000_26794fffe5e8f9f3.txt", "003_34a9f69a9f2f84be.txt"}
    listed = run("list", "-f", "ids").stdout.split()
    assert len(listed) == 3 and out.split()[1] in listed  # every command now reads the user's corpus
    assert not (tmp_path / "home").exists()


def test_the_bundled_corpus_is_never_written_to(run: Run, site: Site) -> None:
    from .conftest import BUNDLED

    code, _, err = add(run, site.page("/a", news_page("x")), "--corpus", str(BUNDLED))
    assert code == 2 and "never written to" in err


def test_dry_run_writes_nothing(run: Run, site: Site, corpus_dir: Path) -> None:
    code, out, err = add(run, site.page("/a", news_page("Rare earths deal")), "--dry-run")
    assert code == 0 and out.startswith("would add ") and "nothing written" in err
    assert not corpus_dir.exists()


def test_file_names_are_stable_and_writes_atomic(tmp_path: Path) -> None:
    article = articles.Article(id="-", title="Токаев: визит в Токио!", body="Text.", url="https://www.Inform.kz/ru/a/")
    assert adding.file_name(article) == adding.file_name(articles.Article(**{**article.__dict__, "body": "Other."}))
    assert adding.file_name(article).startswith("inform.kz/undated_токаев-визит-в-токио_")
    path = tmp_path / "a" / "b.md"
    adding.write_atomically(path, "one")
    with pytest.raises(FileExistsError):
        adding.write_atomically(path, "two")
    assert path.read_text() == "one" and [p.name for p in path.parent.iterdir()] == ["b.md"]


@pytest.mark.slow
def test_no_half_written_article_after_kill_or_ctrl_c(site: Site, tmp_path: Path) -> None:
    """Kill ``kzjp add`` while a feed is being added: every file in the corpus is a whole article."""

    def slow_page(n: int) -> Route:
        def serve(handler: BaseHTTPRequestHandler) -> None:
            time.sleep(0.15)
            body = news_page(f"Story {n}", story(n)).encode()
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

        return Route(handler=serve)

    items = []
    for n in range(40):
        site.routes[f"/s{n}"] = slow_page(n)
        items.append((f"Story {n}", f"/s{n}", ""))
    feed = site.page("/feed.xml", rss(site, items), content_type="application/rss+xml")
    for number, how in enumerate((signal.SIGKILL, signal.SIGINT)):
        corpus = tmp_path / f"c{number}"
        env = {**os.environ, "KZJP_CORPUS": str(corpus)}
        process = subprocess.Popen(
            [KZJP, "add", "--feed", feed, "--delay", "0", "-q"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 60
        while len(list(corpus.rglob("*.md"))) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(how)
        _, stderr = process.communicate(timeout=60)
        if how == signal.SIGINT:
            assert process.returncode == 130 and b"Traceback" not in stderr
        written = list(corpus.rglob("*.md"))
        assert 3 <= len(written) < 40
        for path in written:
            article = articles.parse_article(path.read_text(), id="x", path=str(path), suffix=".md")
            assert article.title.startswith("Story ") and "Zhumangarin" in article.body
        assert not [p for p in corpus.rglob("*") if p.is_file() and p.suffix != ".md"] or how == signal.SIGKILL


def test_the_installed_command_adds_and_search_finds(site: Site, tmp_path: Path) -> None:
    url = site.page("/a", news_page("Rare earths deal"))
    env = {**os.environ, "KZJP_CORPUS": str(tmp_path / "c")}
    done = subprocess.run([KZJP, "add", url, "-f", "ids"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found = subprocess.run([KZJP, "search", "Zhumangarin", "-f", "ids"], env=env, capture_output=True, text=True)
    assert found.stdout == done.stdout and "refreshed" not in found.stderr and "building" not in found.stderr


def test_usage_errors(run: Run) -> None:
    done = run("add")
    assert done.exit_code == 2 and done.stderr.startswith("Error: give a web address")


# --- the duplicate checks themselves -----------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.Inform.kz/en/story/?utm_source=tg&utm_medium=x", "http://inform.kz/en/story"),
        ("https://tass.com/world/1?fbclid=abc#comments", "https://tass.com/world/1/"),
        ("https://mofa.go.jp/a/?b=2&a=1", "https://mofa.go.jp/a?a=1&b=2"),
        ("http://example.org:80/x", "https://example.org/x"),
    ],
)
def test_url_keys(a: str, b: str) -> None:
    assert dedup.url_key(a) == dedup.url_key(b) != ""


def test_url_keys_keep_what_tells_pages_apart() -> None:
    assert dedup.url_key("https://x.kz/news?id=1") != dedup.url_key("https://x.kz/news?id=2")
    assert dedup.url_key("https://x.kz/a") != dedup.url_key("https://y.kz/a")
    assert dedup.url_key("file:///etc/passwd") == dedup.url_key("not a url") == ""


def test_signatures_tell_copies_from_other_articles() -> None:
    edited = STORY.replace("Tuesday", "Wednesday") + " This article was first published by Kazinform."
    reordered = ". ".join(reversed(STORY.split(". ")))  # the same sentences in another order: a copy still
    sig = dedup.signature(STORY)
    assert dedup.similarity(sig, dedup.signature(STORY.upper())) == 1.0
    assert dedup.similarity(sig, dedup.signature(edited)) >= dedup.NEAR_THRESHOLD
    assert dedup.similarity(sig, dedup.signature(reordered)) >= dedup.NEAR_THRESHOLD
    assert dedup.similarity(sig, dedup.signature(story(1))) < dedup.NEAR_THRESHOLD
    assert dedup.similarity(dedup.signature(story(1)), dedup.signature(story(2))) < dedup.NEAR_THRESHOLD
    assert dedup.signature("short") == "" and dedup.text_key("A  b\nc") == dedup.text_key("a b c")
    japanese = "日本とカザフスタンはウラン供給で新たな合意に署名した。両国は協力を拡大する。" * 3
    assert dedup.similarity(dedup.signature(japanese), dedup.signature(japanese + "共同通信。")) >= 0.5


def test_the_manifest_keeps_what_the_checks_need(run: Run, site: Site, corpus_dir: Path) -> None:
    from kzjp_cli import index, locations

    add(run, site.page("/a", news_page("Rare earths deal")))
    opened = index.open_index(*locations.folders(corpus_dir, None))
    [entry] = opened.manifest.files.values()
    assert entry["url"] == site.url("/a") and len(entry["text_key"]) == 20 and entry["minhash"]
    known = adding.known_in(corpus_dir, lambda: opened)
    assert known.by_url(site.url("/a/")).id == entry["id"]


@pytest.mark.parametrize(
    "document",
    [
        '<?xml version="1.0"?><rss version="0.91"><channel><title>Wire</title><item><title>One</title>'
        "<link>https://x.kz/1</link></item></channel></rss>",
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Wire</title>'
        '</channel><item rdf:about="https://x.kz/1"><title>One</title><link>https://x.kz/1</link>'
        "<dc:date>2025-12-05T10:00:00Z</dc:date></item></rdf:RDF>",
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title><entry><title>One</title>'
        '<link rel="alternate" href="/1"/><published>2025-12-05T10:00:00+05:00</published></entry></feed>',
    ],
)
def test_feed_versions(document: str) -> None:
    from kzjp_cli.adding.feeds import parse_feed

    feed = parse_feed(document.encode(), "https://x.kz/feed")
    assert feed.title == "Wire" and [(i.link, i.title) for i in feed.items] == [("https://x.kz/1", "One")]


def test_certificates_are_always_checked(tmp_path: Path) -> None:
    """An https server with a self-signed certificate is refused, with the reason."""
    import shutil
    import ssl
    import threading
    from http.server import HTTPServer, SimpleHTTPRequestHandler

    if not shutil.which("openssl"):
        pytest.skip("needs the openssl command to make a certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-days", "1",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    server = HTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(FetchError, match="certificate failed its check"):
            fetch.fetch(f"https://127.0.0.1:{server.server_address[1]}/", fetch.Limits(timeout=5, deadline=5))
    finally:
        server.shutdown()
        server.server_close()


def test_a_feed_or_an_export_given_as_an_article_says_which_option_reads_it(run: Run, tmp_path: Path) -> None:
    feed = tmp_path / "news.xml"
    feed.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>W</title></channel></rss>')
    export = tmp_path / "scraped.jsonl"
    export.write_text('{"text": "x"}\n')
    other = tmp_path / "report.pdf"
    other.write_bytes(b"%PDF-1.7")
    code, out, err = add(run, str(feed), str(export), str(other), "--corpus", str(tmp_path / "c"))
    assert (code, out) == (2, "")
    assert err.splitlines()[:3] == [
        f"Error: {feed}: this is a feed, not an article; add its stories with --feed",
        f"Error: {export}: this is an export; add its articles with --jsonl",
        f"Error: {other}: not an article file (kzjp reads .txt, .md and saved .html pages)",
    ]
    code, _, err = add(run, "-", "--corpus", str(tmp_path / "c"), input=feed.read_text())
    assert code == 2 and "add its stories with --feed FILE" in err


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("http://127.0.0.1:99999/x", "not a web address"),
        ("http://[::1/x", "not a web address"),
        ("https://", "not a web address"),
        ("", "an empty SOURCE"),
    ],
)
def test_malformed_addresses_fail_alone(run: Run, tmp_path: Path, source: str, reason: str) -> None:
    code, out, err = add(run, source, "--corpus", str(tmp_path / "c"))
    assert (code, out) == (2, "") and err.startswith(f"Error: {source}: ") and reason in err
    export = tmp_path / "e.jsonl"
    export.write_text(json.dumps({"url": source}) + "\n")
    code, _, err = add(run, "--jsonl", str(export), "--corpus", str(tmp_path / "c"))
    assert code == 2 and err.startswith(f"Error: {export}:1: ")


def test_a_list_on_stdin_with_a_line_that_is_no_address(run: Run, site: Site, corpus_dir: Path) -> None:
    url = site.page("/a", news_page("Rare earths deal"))
    code, out, err = add(run, "-", input=f"{url}\nnot-an-address\n")
    assert code == adding_partial() and out.startswith("added ")
    assert "Error: not-an-address: not a web address" in err


def test_stdin_in_another_encoding_or_binary(run: Run, corpus_dir: Path) -> None:
    text = (MULTILINGUAL / "ru_tourism.txt").read_text(encoding="utf-8")
    done = CliRunner().invoke(cli, ["add", "-", "-f", "json"], input=text.encode("cp1251"))
    [record] = json.loads(done.stdout)
    assert done.exit_code == 0 and record["lang"] == "ru" and "decoded as cp1251" in done.stderr
    assert text.split()[3] in (corpus_dir / f"{record['id']}.md").read_text(encoding="utf-8")
    done = CliRunner().invoke(cli, ["add", "-"], input=b"\x00\x01binary\xff")
    assert done.exit_code == 2 and done.stderr.startswith("Error: -: binary file")


def test_a_run_that_adds_nothing_makes_no_corpus(run: Run, tmp_path: Path) -> None:
    code, _, err = add(run, "--feed", "/dev/null")
    assert code == 2 and "no feed there" in err
    assert not (tmp_path / "data" / "kzjp").exists()


@pytest.mark.slow
@pytest.mark.parametrize(("robots_status", "allowed"), [(404, True), (503, False)])
def test_a_robots_txt_that_is_missing_or_failing(site: Site, robots_status: int, allowed: bool) -> None:
    """RFC 9309: no robots.txt (4xx) allows everything; a server error allows nothing."""
    site.page("/robots.txt", "oops", status=robots_status, content_type="text/plain")
    url = site.page("/a", news_page("Rare earths deal"))
    polite = fetch.Politeness(delay=0)
    if allowed:
        assert polite.fetch(url).status == 200
    else:
        with pytest.raises(FetchError, match=r"robots\.txt does not allow"):
            polite.fetch(url)


@pytest.mark.parametrize("chunk", [dedup._CHUNK, 5])
def test_a_signature_is_its_definition_however_long_the_text(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The MinHash is stored in manifests, so its value is fixed: each 12-character window's polynomial hash
    (plain Python here), the lowest in each of 64 bins, kept as 16 bits. Texts longer than a chunk too (and
    with chunks of 5 windows, every window at a chunk's edge)."""
    monkeypatch.setattr(dedup, "_CHUNK", chunk)
    dedup._powers.cache_clear()
    monkeypatch.setattr(dedup, "_powers", dedup._powers.__wrapped__)
    mask = (1 << 64) - 1

    def reference(text: str) -> str:
        normal = dedup.normal_text(text)
        lowest: dict[int, int] = {}
        for i in range(len(normal) - dedup.SHINGLE + 1):
            rolled = 0
            for char in normal[i : i + dedup.SHINGLE]:
                rolled = (rolled * dedup._ROLL + ord(char)) & mask
            hashed = (rolled * dedup._MIX) & mask
            key = hashed >> (64 - dedup.BIN_BITS)
            lowest[key] = min(lowest.get(key, mask), hashed)
        kept = [
            ((((lowest[b] * dedup._STORE) & mask) >> 48) % dedup.EMPTY) if b in lowest else dedup.EMPTY
            for b in range(dedup.HASHES)
        ]
        return base64.b64encode(b"".join(k.to_bytes(2, "little") for k in kept)).decode("ascii") if normal[11:] else ""

    rng = random.Random(5)
    words = ["Tokayev", "Токаев", "東京", "visit", "😀", "rail", "Astana"]
    for size in (0, 3, 12, 40, 900, chunk + 100):
        text = ""
        while len(text) < size:
            text += rng.choice(words) + rng.choice(" \n")
        text = text[:size]
        assert dedup.signature(text) == reference(text), size
