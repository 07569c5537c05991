"""Topics, similar articles and the timeline, on the bundled corpus and made-up ones."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from kzjp_cli import index, search, topics
from kzjp_cli.languages import stop_words
from kzjp_cli.store import SearchOptions

from .conftest import BUNDLED, MULTILINGUAL, Run, WriteCorpus, generate

PINNED = [
    "Middle Corridor",
    "Port of Aktau",
    "Tokyo Declaration",
    "Trans-Caspian International Transport Route",
    "Kassym-Jomart Tokayev",
    "World Judo Championships",
    "Central Asia",
]
FRAGMENTS = ["Aktau", "Trans-Caspian International", "Transport Route", "Tokayev", "Judo Championships", "Corridor"]
JUNK = ["the", "also", "said", "also said", "held talks", "Japanese", "Kazakh", "Central Asian", "Stable World"]


@pytest.fixture
def bundled(tmp_path: Path) -> index.CorpusIndex:
    return index.open_index(BUNDLED.resolve(), tmp_path / "ix")


def test_bundled_top_15_are_the_subjects(bundled: index.CorpusIndex) -> None:
    # a name's other spellings in the alias table are its variants: Middle Corridor of the Trans-Caspian route
    top = [name for t in topics.corpus_topics(bundled)[:15] for name in (t.phrase, *t.variants)]
    for phrase in PINNED:
        assert phrase in top, f"{phrase!r} missing from {top}"
    stop = stop_words()
    for phrase in top:
        words = phrase.lower().split()
        assert words[0] not in stop and words[-1] not in stop, phrase
    assert not set(top) & set(FRAGMENTS + JUNK)
    # 003's subject, but a single common noun ranks below names and phrases.
    assert "tourism" in [t.phrase for t in topics.corpus_topics(bundled)[:20]]


def test_names_stay_whole_in_natural_case(bundled: index.CorpusIndex) -> None:
    phrases = [t.phrase for t in topics.corpus_topics(bundled)]
    assert "Sanae Takaichi" in phrases and "Yuriko Koike" in phrases
    assert "Takaichi" not in phrases and "Sanae" not in phrases
    assert "tourism" in phrases and "Tourism" not in phrases


def test_topic_records_count_their_articles(bundled: index.CorpusIndex) -> None:
    by_phrase = {t.phrase: t for t in topics.corpus_topics(bundled)}
    assert by_phrase["Port of Aktau"].ids == ["000_26794fffe5e8f9f3"]
    assert by_phrase["Tokyo Declaration"].ids == ["003_34a9f69a9f2f84be"]
    assert by_phrase["Kassym-Jomart Tokayev"].articles == 1  # 003 says only "Tokayev": the count is of the phrase
    assert all(t.score > 0 for t in by_phrase.values())


def test_plurals_and_case_are_one_topic() -> None:
    texts = [
        ("a", "Visa procedures were simplified. The visa procedures now take a week."),
        ("b", "New visa procedure rules apply. Critics of visa procedures were heard."),
        ("c", "The summit discussed trade."),
    ]
    phrases = [t.phrase.lower() for t in topics.extract(texts)]
    assert phrases.count("visa procedures") == 1
    assert "visa procedure" not in phrases


def test_extraction_is_deterministic(bundled: index.CorpusIndex) -> None:
    texts = topics.texts(bundled.documents())
    assert [t.to_record() for t in topics.extract(texts)] == [
        t.to_record() for t in topics.extract(list(reversed(texts)))
    ]


def test_topics_are_cached_and_refreshed_when_the_index_changes(write_corpus: WriteCorpus, tmp_path: Path) -> None:
    corpus = write_corpus({f"a{i}.txt": f"The Caspian Pipeline Consortium met in Aktau. Round {i}." for i in range(3)})
    root = tmp_path / "ix"
    first = topics.corpus_topics(index.open_index(corpus, root))
    cache = next(root.glob("gen-*")) / index.CACHE_DIR / topics.CACHE_FILE
    assert cache.is_file()
    assert [t.phrase for t in topics.corpus_topics(index.open_index(corpus, root))] == [t.phrase for t in first]
    (corpus / "b.txt").write_text("Kazakhstan Railways ordered Hitachi trains. Kazakhstan Railways is state owned.")
    refreshed = [t.phrase for t in topics.corpus_topics(index.open_index(corpus, root))]
    assert "Kazakhstan Railways" in refreshed
    assert "Caspian Pipeline Consortium" in refreshed


def test_planted_phrases_surface_in_a_larger_corpus(write_corpus: WriteCorpus) -> None:
    themes = [
        ("Middle Corridor", "freight volumes on the Middle Corridor grew as rail links improved"),
        ("Port of Kuryk", "the Port of Kuryk added a ferry terminal for container traffic"),
        ("green hydrogen", "green hydrogen projects attracted Japanese investors and green hydrogen exports"),
    ]
    files = {}
    for i in range(30):
        phrase, sentence = themes[i % 3]
        files[f"{i:02d}.txt"] = (
            f"Officials said on Monday that {sentence}. The ministry also said that {sentence} again. "
            f"Analysts noted the trend and said it would continue."
        )
    corpus = write_corpus(files)
    top = [t.phrase for t in topics.extract(sorted((p.stem, p.read_text()) for p in corpus.iterdir()))[:8]]
    for phrase, _ in themes:
        assert phrase in top, top
    assert not {"said", "also said", "Monday", "Officials", "Analysts"} & set(top)


# --- commands -----------------------------------------------------------------------


def test_topics_text_and_json(run: Run) -> None:
    text = run("topics", "-n", "15", "-q").stdout.splitlines()
    assert len(text) == 15 and text[0].lstrip().startswith("1. ")
    records = json.loads(run("topics", "-n", "20", "-f", "json", "-q").stdout)
    assert list(records[0]) == ["topic", "score", "articles", "ids", "variants"]
    assert {"Port of Aktau", "Middle Corridor"} <= {name for r in records for name in (r["topic"], *r["variants"])}
    rows = list(csv.DictReader(io.StringIO(run("topics", "-n", "5", "-f", "csv", "-q").stdout)))
    assert len(rows) == 5 and int(rows[0]["articles"]) >= 1


def test_topics_of_one_article(run: Run) -> None:
    records = json.loads(run("topics", "--article", "003", "-f", "json", "-q").stdout)
    assert all(r["ids"] == ["003_34a9f69a9f2f84be"] for r in records)
    assert "Tokyo Declaration" in [r["topic"] for r in records]
    assert "Port of Aktau" not in [r["topic"] for r in records]


def test_articles_of_a_topic(run: Run) -> None:
    result = run("topics", "Port of Aktau", "-f", "ids", "-q")
    assert (result.exit_code, result.stdout) == (0, "000_26794fffe5e8f9f3\n")
    assert run("topics", "green hydrogen", "-q").exit_code == 1
    bad = run("topics", "x", "--article", "000")
    assert bad.exit_code == 2 and bad.stderr.startswith("Error: give either TOPIC or --article")


def test_similar(write_corpus: WriteCorpus, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = write_corpus(
        {
            "judo1.txt": "Judo coaches from Japan trained judoka in Almaty. The judo federation was pleased.",
            "judo2.txt": "Kazakh judoka won medals at a judo tournament. Judo coaches from Japan helped.",
            "port.txt": "The Port of Aktau handled more containers. Ferries crossed the Caspian Sea.",
        }
    )
    monkeypatch.setenv("KZJP_CORPUS", str(corpus))
    hits = json.loads(run("similar", "judo1", "-f", "json", "-q").stdout)
    assert hits[0]["id"] == "judo2"
    assert "judo1" not in [h["id"] for h in hits]
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert run("similar", "nope").exit_code == 2


def test_similar_on_bundled(run: Run) -> None:
    result = run("similar", "000", "-f", "ids", "-q")
    assert (result.exit_code, result.stdout) == (0, "003_34a9f69a9f2f84be\n")


def test_timeline_fills_gaps_and_counts_undated(run: Run, corpus: Path) -> None:
    by_year = json.loads(run("timeline", "--by", "year", "-f", "json").stdout)
    assert [(r["period"], r["count"]) for r in by_year] == [("2024", 1), ("2025", 1), (None, 2)]
    by_month = json.loads(run("timeline", "-f", "json").stdout)
    assert len(by_month) == 18 + 1 and by_month[0]["period"] == "2024-06" and by_month[-2]["period"] == "2025-11"
    assert sum(r["count"] for r in by_month) == 4
    assert by_month[1] == {"period": "2024-07", "count": 0, "start": "2024-07-01"}


def test_timeline_of_a_query_and_formats(run: Run, corpus: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run("timeline", "Almaty", "-f", "csv").stdout)))
    assert [(r["period"], r["count"]) for r in rows] == [("2024-06", "1"), ("", "1")]
    text = run("timeline", "Almaty").stdout.splitlines()
    assert text[0].startswith("2024-06") and "█" in text[0] and text[-1].split() == ["undated", "1"]
    week = json.loads(run("timeline", "customs", "--by", "week", "-f", "json").stdout)
    assert week == [{"period": "2025-W45", "count": 1, "start": "2025-11-03"}]
    assert run("timeline", "nothingmatches").exit_code == 1
    assert run("timeline", "the").exit_code == 2


def test_a_cache_from_another_version_is_ignored(bundled: index.CorpusIndex) -> None:
    cache = bundled.cache_path(topics.CACHE_FILE)
    fresh = [t.phrase for t in topics.corpus_topics(bundled)]
    data = json.loads(cache.read_text())
    data["version"] = "0/0.0.0"
    data["topics"] = [{"topic": "stale", "score": 1.0, "articles": 1, "ids": ["x"]}]
    cache.write_text(json.dumps(data))
    assert [t.phrase for t in topics.corpus_topics(bundled)] == fresh


def test_large_corpus_is_ranked_from_a_sample_with_exact_article_lists(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(topics, "SAMPLE_DOCS", 2)
    ci = index.open_index(corpus, tmp_path / "ix")
    by_phrase = {t.phrase: t.ids for t in topics.corpus_topics(ci)}
    assert by_phrase, "a sample still gives topics"
    assert by_phrase.get("Almaty") in (None, ["judo", "nodate"]), "ids come from the whole index"
    for phrase, ids in by_phrase.items():
        hits = {h.article.id for h in search.search(ci, f'"{phrase}"', SearchOptions(limit=100), each=True).hits}
        assert set(ids) == hits, phrase


@pytest.mark.slow
def test_topic_counts_are_phrase_search_counts_at_any_size(tmp_path: Path) -> None:
    """Issue 15, point 14: below the sampling size too, a topic's count is what a phrase search finds (issue 29:
    exactly, a surname folded into a name adding no article)."""
    corpus = generate(tmp_path / "corpus", 120, seed=3)
    ci = index.open_index(corpus, tmp_path / "ix")
    listed = topics.corpus_topics(ci)[:30]
    assert len(listed) == 30
    for topic in listed:
        found = {
            hit.article.id for hit in search.search(ci, f'"{topic.phrase}"', SearchOptions(limit=1000), each=True).hits
        }
        assert found == set(topic.ids), topic.phrase


@pytest.mark.slow
def test_only_the_topics_shown_are_looked_up_in_the_whole_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Run
) -> None:
    """Issue 16: ranking reads a sample; exact article lists are found for the topics a command shows, and
    kept in the cache for the next command that shows them."""
    monkeypatch.setattr(topics, "SAMPLE_DOCS", 40)
    corpus = generate(tmp_path / "corpus", 120, seed=3)
    ci = index.open_index(corpus, tmp_path / "ix")
    listed = topics.corpus_topics(ci, exact=5)
    assert [t.exact for t in listed[:6]] == [True] * 5 + [False]
    assert all(t.scale == 3.0 for t in listed if not t.exact), "each sampled article stands for three"
    for topic in listed[:5]:
        found = {
            hit.article.id for hit in search.search(ci, f'"{topic.phrase}"', SearchOptions(limit=None), each=True).hits
        }
        assert found <= set(topic.ids), topic.phrase
    again = topics.corpus_topics(index.open_index(corpus, tmp_path / "ix"), exact=8)
    assert [t.phrase for t in again] == [t.phrase for t in listed], "the ranking came from the cache"
    assert [t.exact for t in again[:9]] == [True] * 8 + [False]
    assert [t.ids for t in again[:5]] == [t.ids for t in listed[:5]]
    result = run("topics", "-n", "3", "-f", "json", "--corpus", str(corpus), "--index", str(tmp_path / "ix"))
    shown = json.loads(result.output)
    for record in shown:
        hits = {
            h.article.id for h in search.search(ci, f'"{record["topic"]}"', SearchOptions(limit=None), each=True).hits
        }
        assert hits <= set(record["ids"]) and record["articles"] == len(record["ids"])


def test_topics_of_one_language_list_only_its_articles(tmp_path: Path) -> None:
    """German and French share one analysis chain; the German topics' exact lists hold German articles only."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(3):
        (corpus / f"de{n}.md").write_text(
            f"---\nlang: de\n---\nDie Handelskammer Zentralasien traf sich in Berlin. Bericht {n} über Handel.\n"
        )
        (corpus / f"fr{n}.md").write_text(
            f"---\nlang: fr\n---\nLa chambre de commerce a tenu sa réunion à Berlin. Rapport {n}.\n"
        )
    ci = index.open_index(corpus, tmp_path / "ix")
    listed = topics.corpus_topics(ci, langs=("de",))
    assert "Berlin" in [t.phrase for t in listed], "a name both languages use"
    assert all(t.exact for t in listed)
    assert {i for t in listed for i in t.ids} <= {"de0", "de1", "de2"}


@pytest.mark.slow
def test_phrase_lists_match_phrase_searches_across_segments_deletions_and_languages(tmp_path: Path) -> None:
    """Issue 16: topic lists come from postings read a block at a time and positions compared directly, not
    from Whoosh's phrase query; on an index of several segments, with deleted and replaced articles and four
    languages, each list is exactly what the phrase search finds."""
    import random
    import shutil

    corpus = generate(tmp_path / "corpus", 80, seed=11)
    shutil.copytree(MULTILINGUAL, corpus / "multi")
    root = tmp_path / "ix"
    index.update(corpus, root)
    files = sorted(corpus.rglob("*.md"))
    for path in files[:5]:  # replaced: the old document stays in its segment, deleted
        path.write_text(path.read_text(encoding="utf-8") + "\nThe Port of Aktau signed a new deal.\n")
    files[6].unlink()
    generate(corpus / "more", 10, seed=12)
    ci = index.open_index(corpus, root)
    assert ci.store.segment_count() > 1
    rng = random.Random(4)
    phrases = ["Port of Aktau", "the Middle Corridor", "Kassym-Jomart Tokayev", "no such words here", "Токаев"]
    for article in rng.sample(ci.documents(), 30):
        words = article.body.split()
        for size in (1, 2, 3):
            start = rng.randrange(max(1, len(words) - size))
            phrases.append(" ".join(words[start : start + size]).strip('.,;:"“”«»()'))
    phrases = [p for p in phrases if p]
    listed = ci.ids_for_phrases(phrases)
    matched = 0
    for phrase, ids in zip(phrases, listed, strict=True):
        found = search.search(ci, f'"{phrase}"', SearchOptions(limit=None), each=True).hits
        assert ids == sorted(h.article.id for h in found), phrase
        matched += bool(found)
    assert matched > 0.8 * len(phrases)
    for within in (set(rng.sample(ci.ids(), 12)), set(ci.ids()[5:])):  # a few (blocks skipped), and most
        assert ci.ids_for_phrases(phrases, within) == [[i for i in ids if i in within] for ids in listed]


def bench_module(name: str) -> Any:
    """One of the benchmark's scripts, imported (the bench folder is not a package)."""
    folder = Path(__file__).parent.parent / "bench"
    sys.path.insert(0, str(folder))  # quality.py imports its neighbours
    try:
        spec = importlib.util.spec_from_file_location(name, folder / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(folder))
    return module


@pytest.mark.slow
def test_similar_articles_share_the_subject(tmp_path: Path) -> None:
    """Issue 15, point 16: on generated articles, most of the five most similar share the article's subject."""
    quality = bench_module("quality")
    corpus = generate(tmp_path / "corpus", 300, seed=5)
    ci = index.open_index(corpus, tmp_path / "ix")
    subject = {a[0]: a[3] for a in quality.load_articles(corpus)}
    sources = sorted(subject)[::10]
    same = [subject[hit.article.id] == subject[s] for s in sources for hit in search.similar(ci, s, limit=5)]
    assert len(same) == 5 * len(sources)
    assert sum(same) / len(same) >= 0.45  # Whoosh's more-like-this with Bo1 terms: 0.33 on 2,000 articles


@pytest.mark.slow
def test_the_top_topics_cover_the_corpus_subjects(tmp_path: Path) -> None:
    """Issue 15, point 15: names that share their articles give way to subjects the list has not reached.

    Each generated article has a subject (transport, energy, tourism, sport, finance, diplomacy, technology,
    minerals) and names everywhere; before, 3 of the 8 subjects had a topic in the top 20."""
    generator = bench_module("generate")
    corpus = generate(tmp_path / "corpus", 300, seed=2)
    top = topics.corpus_topics(index.open_index(corpus, tmp_path / "ix"))[:20]
    subject = {phrase.lower(): theme for theme, phrases in generator.PHRASES.items() for phrase in phrases}
    subject.update({word: theme for theme, words in generator.THEMES.items() for word in words.split()})
    assert len({subject[t.phrase.lower()] for t in top if t.phrase.lower() in subject}) >= 6
    assert [t.score for t in top] == sorted((t.score for t in top), reverse=True)


@pytest.mark.parametrize(
    ("weights", "rises", "falls"),
    [
        # names outweigh common words by their shape: give one word its due and "tourism" passes a name
        ({"single_word": 3.0}, "tourism", "Yuriko Koike"),
        # a name of several words outweighs one-word names by its shape: lower it and "Kazakhstan" comes first
        ({"name": 1.0}, "Kazakhstan", "Kassym-Jomart Tokayev"),
    ],
)
def test_each_weight_moves_the_topics_it_names(
    bundled: index.CorpusIndex, weights: dict[str, float], rises: str, falls: str
) -> None:
    texts = topics.texts(bundled.documents())

    def rank(made: list[topics.Topic], phrase: str) -> int:
        return [t.phrase for t in made].index(phrase)

    default = topics.extract(texts)
    changed = topics.extract(texts, weights=topics.Weights(**weights))
    assert rank(default, rises) > rank(default, falls)
    assert rank(changed, rises) < rank(changed, falls)


SUBJECTS = {
    "football": [
        "The striker scored twice as the club won the league match, and the manager praised his players.",
        "Goals from two strikers gave the club a win; the manager said the players deserved the league title.",
        "The goalkeeper saved a penalty in the cup match and the club's manager thanked the fans.",
        "Zubarev, Okonkwo, Fitzwilliam, Larrazabal, Nakagawa, Vukovic, Oyelaran, Kristiansen, Szczesny, "
        "Abramovich, Quaresma, Tchouameni, Ilunga, Bergkamp, Dzeko, Hamsik, Gvardiol, Modric, Pjanic, Rakitic, "
        "Vlasic and Zielinski watched the strikers score as the club's players won the match.",
    ],
    "markets": [
        "Shares fell as investors sold stocks after the central bank raised interest rates again.",
        "The bank's rate rise sent share prices lower and investors moved into bonds.",
        "Stock markets rallied when the central bank held interest rates and investors bought shares.",
    ],
    "phones": [
        "The company unveiled a phone with a faster chip, a bigger battery and a sharper camera.",
        "Its new phones have cameras with better sensors and chips that save battery life.",
        "Mobile phone makers compete on cameras, battery life and the speed of their chips.",
    ],
}


def test_similar_articles_share_the_subject_across_word_forms(write_corpus: WriteCorpus, tmp_path: Path) -> None:
    """Issue 29: similar searches for an article's key stems (shares/share, strikers/striker count as one word),
    and enough of them that twenty names found nowhere else do not crowd its subject out; its top two share its
    subject (on the BBC set, 0.929 of the top five, against
    0.865 before and a TF-IDF cosine's 0.930)."""
    files = {
        f"{subject}{n}.md": f"---\ntitle: {subject} {n}\nlang: en\n---\n{text}\n"
        for subject, texts in SUBJECTS.items()
        for n, text in enumerate(texts)
    }
    ci = index.open_index(write_corpus(files), tmp_path / "ix")
    for source in (name.removesuffix(".md") for name in files):
        top = [hit.article.id for hit in search.similar(ci, source, limit=2)]
        assert [re.sub(r"\d", "", found) for found in top] == [re.sub(r"\d", "", source)] * 2, (source, top)


def test_topic_counts_hold_the_phrase_and_short_forms_fold_into_names(
    write_corpus: WriteCorpus, tmp_path: Path
) -> None:
    """Issue 29: "Northern Ireland" counted 66 BBC articles that only say Ireland, "Harry Potter" counted Prince
    Harry, and "Lib Dems" and "Liberal Democrats" were two topics."""
    politics = [
        "The Liberal Democrats said the Lib Dems would fight every seat. Northern Ireland voters were polled.",
        "Liberal Democrats leader spoke; the Lib Dems gained. Talks in Northern Ireland resumed on Monday.",
        "The Lib Dems and the Liberal Democrats' allies met. Northern Ireland ministers joined the talks.",
        "Ireland beat Wales at rugby. Prince Harry watched the match with friends in the stands.",
        "Ireland's economy grew. Prince Harry visited a school, the Liberal Democrats said nothing new.",
    ]
    films = [
        "Harry Potter fans queued for the new Harry Potter film at the cinema on Friday.",
        "The Harry Potter author said Harry Potter would return, as Harry Potter books sold again.",
    ]
    files = {f"p{n}.md": f"---\ntitle: P{n}\nlang: en\n---\n{text}\n" for n, text in enumerate(politics)}
    files |= {f"f{n}.md": f"---\ntitle: F{n}\nlang: en\n---\n{text}\n" for n, text in enumerate(films)}
    ci = index.open_index(write_corpus(files), tmp_path / "ix")
    found = {t.phrase: t for t in topics.corpus_topics(ci)}
    assert found["Northern Ireland"].ids == ["p0", "p1", "p2"]
    assert found["Harry Potter"].ids == ["f0", "f1"]
    democrats = found["Liberal Democrats"]
    assert (democrats.variants, democrats.ids) == (["Lib Dems"], ["p0", "p1", "p2", "p4"])
    assert democrats.shown == "Liberal Democrats (Lib Dems)" and "Lib Dems" not in found


@pytest.mark.parametrize(
    ("short", "long", "expected"),
    [
        ("Lib Dems", "Liberal Democrats", True),
        ("EU", "European Union", True),
        ("UAE", "United Arab Emirates", True),
        ("BoE", "Bank of England", False),
        ("Harry", "Harry Potter", False),
        ("Lib Dems", "Liberal Party", False),
        ("UN", "European Union", False),
        ("Central Asia", "Central Asia-Japan", False),
        ("Central Asia", "Central Asian", False),
    ],
)
def test_short_forms_of_names(short: str, long: str, expected: bool) -> None:
    assert topics._abbreviates(short, long, frozenset({"of", "the"})) is expected
