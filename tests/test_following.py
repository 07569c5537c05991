"""Following the beat: subscriptions, kzjp update, saved searches and kzjp new, against feeds on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from kzjp_cli import locations
from kzjp_cli.adding.updater import update_lock
from kzjp_cli.articles import parse_day

from .conftest import KZJP, Route, Run, Site

STORY = "Kazakhstan and Japan agreed on {topic} in Astana on {day}, officials of {wire} said after the talks. "


def page(title: str, topic: str, wire: str, day: str = "Monday") -> str:
    body = STORY.format(topic=topic, wire=wire, day=day) * 4
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>{title} | {wire}</title></head><body><nav>Home News</nav>"
        f"<article><h1>{title}</h1><p>{body}</p><p>{body}</p></article><footer>Contact</footer></body></html>"
    )


class Wire:
    """A feed on the test site whose items change between calls, with an ETag for conditional requests."""

    def __init__(self, site: Site, name: str, topics: list[str]) -> None:
        self.site, self.name, self.items = site, name, []
        self.version = 0
        self.not_modified = 0
        self.failing: int | None = None
        self.retry_after: str | None = None
        site.routes[f"/{name}.xml"] = Route(handler=self.serve)
        for topic in topics:
            self.add(topic)

    def add(self, topic: str, day: str = "Monday") -> str:
        number = len(self.items)
        path = f"/{self.name}/{number}.html"
        title = f"{self.name} story {number} on {topic}"
        self.site.page(path, page(title, topic, self.name, day))
        self.items.append((number, title, self.site.url(path)))
        self.version += 1
        return path

    def rss(self) -> str:
        entries = "".join(
            f"<item><title>{title}</title><link>{url}</link><guid>{self.name}-{number}</guid>"
            "<pubDate>Mon, 01 Dec 2025 09:00:00 GMT</pubDate></item>"
            for number, title, url in self.items
        )
        return (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>{self.name} wire</title>{entries}</channel></rss>'
        )

    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        if self.failing is not None:
            handler.send_response(self.failing)
            if self.retry_after:
                handler.send_header("Retry-After", self.retry_after)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        etag = f'"{self.name}-v{self.version}"'
        if handler.headers.get("If-None-Match") == etag:
            self.not_modified += 1
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.end_headers()
            return
        body = self.rss().encode("utf-8")
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("ETag", etag)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


@pytest.fixture
def wires(site: Site) -> list[Wire]:
    site.page("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    return [
        Wire(site, "kazinform", ["uranium supplies", "the Middle Corridor", "visa-free travel"]),
        Wire(site, "kyodo", ["judo coaches", "uranium exports", "hydrogen plants"]),
        Wire(site, "tass", ["grain exports", "the Middle Corridor"]),
    ]


def subscribe(run: Run, site: Site, wires: list[Wire]) -> None:
    for wire in wires:
        done = run("feed", "add", site.url(f"/{wire.name}.xml"), "--name", wire.name)
        assert done.exit_code == 0, done.stderr


def update(run: Run, *args: str) -> tuple[int, str, str]:
    done = run("update", "--delay", "0", *args)
    return done.exit_code, done.stdout, done.stderr


def page_fetches(site: Site) -> list[str]:
    return [path for path in site.paths() if path.endswith(".html")]


def test_every_story_is_added_once_and_nothing_is_fetched_twice(run: Run, site: Site, wires: list[Wire]) -> None:
    subscribe(run, site, wires)
    code, out, _ = update(run)
    assert code == 0
    assert out.splitlines() == ["kazinform: 3 new", "kyodo: 3 new", "tass: 2 new"]
    assert sorted(page_fetches(site)) == sorted(f"/{w.name}/{n}.html" for w in wires for n in range(len(w.items)))
    listed = run("list", "--added-since", "today", "-f", "ids").stdout.split()
    assert len([i for i in listed if i.startswith("127.0.0.1")]) == 8
    for _ in range(2):  # nothing changed: conditional requests, nothing fetched, nothing said on stdout
        before = len(site.paths())
        code, out, err = update(run)
        assert (code, out) == (0, "") and "nothing new (3 unchanged since the last update)" in err
        assert sorted(site.paths()[before:]) == sorted(f"/{w.name}.xml" for w in wires)
    assert [w.not_modified for w in wires] == [2, 2, 2]
    assert all(headers.get("If-None-Match") for _, path, headers in site.log[-3:])
    wires[1].add("uranium mines")
    code, out, _ = update(run)
    assert out == "kyodo: 1 new\n" and page_fetches(site).count("/kyodo/3.html") == 1
    assert len(page_fetches(site)) == 9


def test_an_edited_or_removed_item_is_not_fetched_again(run: Run, site: Site, wires: list[Wire]) -> None:
    subscribe(run, site, wires[:1])
    update(run)
    wire = wires[0]
    number, _, url = wire.items[0]
    wire.items[0] = (number, "An edited headline", url)  # the same guid
    del wire.items[2]
    wire.version += 1
    code, out, err = update(run)
    assert code == 0 and out == "" and "nothing new" in err
    assert len(page_fetches(site)) == 3


def test_the_page_of_a_story_already_in_the_corpus_is_not_fetched(run: Run, site: Site, wires: list[Wire]) -> None:
    """A story added with kzjp add first: update finds it in the corpus by its address."""
    assert run("add", wires[0].items[0][2]).exit_code == 0
    subscribe(run, site, wires[:1])
    update(run)
    assert page_fetches(site).count("/kazinform/0.html") == 1


def test_a_failing_feed_is_reported_counted_and_the_rest_goes_on(run: Run, site: Site, wires: list[Wire]) -> None:
    subscribe(run, site, wires)
    wires[2].failing = 503
    code, out, err = update(run)
    assert code == 3
    assert out.splitlines() == ["kazinform: 3 new", "kyodo: 3 new"]
    assert "Error: tass: HTTP 503" in err
    rows = {row["name"]: row for row in json.loads(run("feed", "list", "-f", "json").stdout)}
    assert rows["tass"]["failures"] == 1 and "503" in rows["tass"]["error"] and rows["kyodo"]["added"] == 3
    wires[2].failing = None
    code, out, _ = update(run)
    assert (code, out) == (0, "tass: 2 new\n")
    assert json.loads(run("feed", "list", "-f", "json").stdout)[2]["failures"] == 0


def test_a_retry_after_is_honoured(run: Run, site: Site, wires: list[Wire]) -> None:
    subscribe(run, site, wires[:1])
    wires[0].failing, wires[0].retry_after = 429, "3600"
    assert update(run)[0] == 3
    asked = site.paths().count("/kazinform.xml")
    wires[0].failing = None
    code, _, err = update(run)
    assert code == 0 and "asked to be left alone" in err
    assert site.paths().count("/kazinform.xml") == asked, "not asked again within the hour"


def test_two_updates_at_once(run: Run, site: Site, wires: list[Wire]) -> None:
    subscribe(run, site, wires[:1])
    with update_lock(locations.state_dir()):
        code, out, err = update(run)
    assert (code, out) == (0, "") and "another kzjp update is running" in err
    assert page_fetches(site) == []
    assert update(run)[1] == "kazinform: 3 new\n"


def test_dry_run_writes_nothing_and_remembers_nothing(run: Run, site: Site, wires: list[Wire]) -> None:
    subscribe(run, site, wires[:1])
    code, out, _ = update(run, "--dry-run")
    assert (code, out) == (0, "kazinform: 3 new (dry run: nothing written)\n")
    assert not (locations.user_corpus()).exists()
    assert update(run)[1] == "kazinform: 3 new\n"


def test_update_by_name_and_unknown_names(run: Run, site: Site, wires: list[Wire]) -> None:
    subscribe(run, site, wires)
    assert update(run, "kyodo")[1] == "kyodo: 3 new\n"
    done = run("update", "nobody")
    assert done.exit_code == 2 and "no subscription 'nobody' (yours: kazinform, kyodo, tass)" in done.stderr
    done = run("feed", "add", site.url("/kyodo.xml"))
    assert done.exit_code == 2 and "already subscribed, as 'kyodo'" in done.stderr
    done = run("feed", "add", site.url("/kyodo/0.html"))
    assert done.exit_code == 2 and "not an RSS or Atom feed; nothing was subscribed" in done.stderr


def test_no_subscriptions_yet(run: Run) -> None:
    done = run("update")
    assert done.exit_code == 2 and "no subscriptions yet; subscribe with 'kzjp feed add URL'" in done.stderr


def test_saved_searches_show_what_is_new_once(run: Run, site: Site, wires: list[Wire], tmp_path: Path) -> None:
    subscribe(run, site, wires)
    assert run("watch", "add", "uranium", "uranium").exit_code == 0
    assert run("watch", "add", "corridor", '"Middle Corridor"').exit_code == 0
    code, out, _ = update(run)
    assert code == 0
    # the update brought 2 of each; corridor's third is a bundled article, copied in when the corpus was made
    assert "uranium: 2 new match(es) (kzjp new uranium)" in out and "corridor: 2 new match(es)" in out
    peeked = run("new", "--peek", "-f", "jsonl").stdout.splitlines()
    assert [json.loads(line)["watch"] for line in peeked] == ["uranium"] * 2 + ["corridor"] * 3
    shown = run("new", "uranium")
    assert shown.exit_code == 0 and shown.stdout.startswith("uranium  2 new  uranium\n1. ")
    assert run("new", "uranium").exit_code == 1
    assert len(run("new", "-f", "ids").stdout.split()) == 3  # corridor's, still unread
    done = run("new")
    assert done.exit_code == 1 and done.stderr == "kzjp: nothing new\n"
    # an article that kzjp add brings, and one copied into the corpus, are new too; a rebuild changes nothing
    wires[0].add("uranium prices")
    assert run("add", site.url("/kazinform/3.html")).exit_code == 0
    (locations.user_corpus() / "mine.md").write_text("---\ntitle: Notes\n---\nUranium notes of my own.\n")
    assert run("index", "--rebuild", "-q").exit_code == 0
    new_ids = run("new", "uranium", "-f", "ids").stdout.split()
    assert len(new_ids) == 2 and "mine" in new_ids
    rows = {r["name"]: r for r in json.loads(run("watch", "list", "-f", "json").stdout)}
    assert rows["uranium"]["matches"] == 4 and rows["corridor"]["new"] == 0


def test_new_as_an_atom_feed(run: Run, site: Site, wires: list[Wire]) -> None:
    import feedparser

    subscribe(run, site, wires[:2])
    run("watch", "add", "uranium", "uranium")
    update(run)
    done = run("new", "-f", "atom", "--peek")
    assert done.exit_code == 0
    parsed = feedparser.parse(done.stdout.encode("utf-8"))
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10" and len(parsed.entries) == 2
    assert {entry.link for entry in parsed.entries} == {site.url("/kazinform/0.html"), site.url("/kyodo/1.html")}
    assert all(entry.tags[0].term == "uranium" and "uranium" in entry.summary.lower() for entry in parsed.entries)


def test_saved_search_commands_and_their_errors(run: Run, corpus: Path) -> None:
    assert run("watch", "add", "visits", "Japan", "--lang", "en", "--since", "2024").exit_code == 0
    rows = json.loads(run("watch", "list", "-f", "json").stdout)  # nodate.txt names Japan, but has no date
    assert rows == [{"name": "visits", "query": "Japan", "langs": ["en"], "since": "2024", "matches": 1, "new": 0}]
    assert run("watch", "add", "visits", "judo").exit_code == 2
    bad = run("watch", "add", "broken", "date:[2025-99 to zzz]")
    assert bad.exit_code == 2 and "is not a date" in bad.stderr
    assert "broken" not in locations.follow_file().read_text()
    assert run("watch", "remove", "visits").stdout == "removed  visits  Japan\n"
    done = run("new")
    assert done.exit_code == 2 and "no saved searches yet" in done.stderr


def test_opml_round_trip_and_a_feed_readers_export(run: Run, site: Site, wires: list[Wire], tmp_path: Path) -> None:
    subscribe(run, site, wires)
    exported = run("feed", "export").stdout
    assert exported.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    (tmp_path / "kzjp.opml").write_text(exported)
    before = locations.follow_file().read_text()
    locations.follow_file().unlink()
    done = run("feed", "import", str(tmp_path / "kzjp.opml"))
    assert done.exit_code == 0 and done.stdout.count("subscribed") == 3
    assert locations.follow_file().read_text() == before
    freshrss = f"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
	<head><title>FreshRSS</title><dateCreated>Sat, 05 Dec 2026 10:00:00 +0000</dateCreated></head>
	<body>
		<outline text="Central Asia">
			<outline text="Kazinform" type="rss" xmlUrl="{site.url("/kazinform.xml")}"
				htmlUrl="https://www.inform.kz/" description="Kazinform"/>
			<outline text="The Astana Times" type="rss" xmlUrl="https://astanatimes.com/feed/" htmlUrl="https://astanatimes.com/"/>
		</outline>
		<outline text="Japan">
			<outline text="NHK World" type="rss" xmlUrl="https://www3.nhk.or.jp/rss/news/cat0.xml"/>
			<outline text="Kazinform" type="rss" xmlUrl="https://www.inform.kz/rss/rus.xml"/>
		</outline>
	</body>
</opml>"""
    (tmp_path / "freshrss.opml").write_text(freshrss)
    done = run("feed", "import", str(tmp_path / "freshrss.opml"))
    assert done.stdout.splitlines() == [
        "subscribed  The Astana Times  https://astanatimes.com/feed/",
        "subscribed  NHK World  https://www3.nhk.or.jp/rss/news/cat0.xml",
        "subscribed  Kazinform  https://www.inform.kz/rss/rus.xml",
    ]
    assert "left out " + site.url("/kazinform.xml") + ": already subscribed, as 'kazinform'" in done.stderr
    assert run("feed", "remove", "NHK World").exit_code == 0
    assert [r["name"] for r in json.loads(run("feed", "list", "-f", "json").stdout)] == [
        "kazinform",
        "kyodo",
        "tass",
        "The Astana Times",
        "Kazinform",
    ]
    bad = tmp_path / "bad.opml"
    bad.write_text("<html><body>not opml</body></html>")
    done = run("feed", "import", str(bad))
    assert done.exit_code == 2 and "is not an OPML file (its root is <html>" in done.stderr


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[[feed]]\nname = "a"\nurl = "http://x.invalid/f.xml"\n\n[[feed]\n', "at line 5"),
        ('[[feed]]\nname = "a"\n', "line 1: a [[feed]] needs a name and a url"),
        ('[[watch]]\nname = "a"\nquery = "x"\nlangz = ["ru"]\n', "line 1: a [[watch]] has no key 'langz'"),
        ('[[feed]]\nname = "a"\nurl = 5\n', "line 1: url must be a text in quotes"),
        ("feeds = []\n", "line 1: unknown key 'feeds'"),
    ],
)
def test_a_broken_follow_file_gets_one_clear_error(run: Run, text: str, says: str) -> None:
    path = locations.follow_file()
    path.parent.mkdir(parents=True)
    path.write_text(text)
    done = run("feed", "list")
    assert done.exit_code == 2 and done.stderr.startswith(f"Error: {path}") and says in done.stderr
    assert done.stderr.count("\n") == 1 and path.read_text() == text


def test_relative_dates() -> None:
    today = dt.date(2026, 3, 31)
    assert parse_day("today", today=today) == today
    assert parse_day("yesterday", today=today) == dt.date(2026, 3, 30)
    assert parse_day("7d", today=today) == dt.date(2026, 3, 24)
    assert parse_day("2w", today=today) == dt.date(2026, 3, 17)
    assert parse_day("1m", today=today) == dt.date(2026, 2, 28)
    assert parse_day("3m", today=today) == dt.date(2025, 12, 31)
    assert parse_day("1y", today=today) == dt.date(2025, 3, 31)
    assert parse_day("2025-02", end=True) == dt.date(2025, 2, 28)
    for bad in ("7x", "d", "-3d", "999999d", "2025-13"):
        with pytest.raises(ValueError):
            parse_day(bad, today=today)


def test_list_topics_and_timeline_by_dates_and_by_when_added(run: Run, corpus: Path) -> None:
    old = time.time() - 40 * 86400
    for path in corpus.rglob("*.*"):
        if path.name != "aktau.md":
            os.utime(path, (old, old))
    assert run("list", "--added-since", "7d", "-f", "ids").stdout == "aktau\n"
    assert run("list", "--added-until", "30d", "-f", "ids").stdout.split() == ["judo", "nodate", "sub/visit"]
    assert run("list", "--sort", "added", "-f", "ids").stdout.split()[0] == "aktau"
    assert run("list", "--since", "2024-06", "-f", "ids").stdout.split() == ["aktau", "judo"]  # undated ones not
    assert run("search", "Japan", "--added-since", "yesterday", "-f", "ids").stdout == "aktau\n"
    topics = run("topics", "--added-since", "7d", "-f", "json")
    assert topics.exit_code == 0 and all(t["ids"] == ["aktau"] for t in json.loads(topics.stdout))
    assert "Port of Aktau" in [t["topic"] for t in json.loads(topics.stdout)]
    timeline = run("timeline", "--added-since", "7d", "-f", "json")
    assert json.loads(timeline.stdout) == [{"period": "2025-11", "count": 1, "start": "2025-11-01"}]
    assert run("topics", "--since", "2030").exit_code == 1


@pytest.mark.slow
def test_a_killed_update_is_completed_by_the_next(site: Site, wires: list[Wire], tmp_path: Path) -> None:
    """kill -9 in the middle of an update: no half-written article, and the next update adds the rest once."""
    env = {**os.environ, "KZJP_DEBUG": "0"}
    for wire in wires:
        subprocess.run([KZJP, "feed", "add", site.url(f"/{wire.name}.xml"), "--name", wire.name], env=env, check=True)
    process = subprocess.Popen(
        [KZJP, "update", "--delay", "0.4"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while len(page_fetches(site)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    corpus = locations.user_corpus()
    for path in corpus.rglob("*.md"):  # a hidden .NAME.PID.tmp may be left by the kill; never a half article
        assert path.read_text(encoding="utf-8").startswith("---\n"), f"a half-written article: {path}"
    done = subprocess.run([KZJP, "update", "--delay", "0"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    leftovers = [path for path in corpus.rglob("*") if path.name.startswith(".") and path.name.endswith(".tmp")]
    assert leftovers == [], "the next writer sweeps what the killed one left"
    saved = [p for p in corpus.rglob("*.md") if p.parent.name.startswith("127.0.0.1")]
    assert len(saved) == 8
    again = subprocess.run([KZJP, "update", "--delay", "0"], env=env, capture_output=True, text=True, timeout=120)
    assert again.stdout == "" and len([p for p in corpus.rglob("*.md") if p.parent.name.startswith("127")]) == 8
    assert all(page_fetches(site).count(path) <= 2 for path in set(page_fetches(site)))


def test_update_is_silent_when_nothing_happened(run: Run, site: Site, wires: list[Wire]) -> None:
    """From cron: -q prints nothing at all when no feed had news, even while saved searches have unread matches."""
    subscribe(run, site, wires[:1])
    run("watch", "add", "uranium", "uranium")
    assert update(run, "-q")[1] == "kazinform: 3 new\nuranium: 1 new match(es) (kzjp new uranium)\n"
    assert update(run, "-q") == (0, "", "")


def test_a_hostile_opml_file_is_refused_quickly(run: Run, tmp_path: Path) -> None:
    """Billion laughs and an external entity: refused, nothing read from the disk or the network."""
    entities = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    hostile = tmp_path / "laughs.opml"
    hostile.write_text(
        f'<?xml version="1.0"?><!DOCTYPE o [<!ENTITY l0 "lol">{entities}<!ENTITY ext SYSTEM "file:///etc/passwd">]>'
        '<opml version="2.0"><body><outline text="&l9;" xmlUrl="http://x.invalid/a.xml"/>'
        '<outline text="&ext;" xmlUrl="http://x.invalid/b.xml"/></body></opml>'
    )
    started = time.monotonic()
    done = run("feed", "import", str(hostile))
    assert done.exit_code == 2 and "is not an OPML file" in done.stderr
    assert time.monotonic() - started < 10 and not locations.follow_file().exists()
