"""Summaries: every method offline, lengths, query focus, combining, formats, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kzjp_cli import index, summarize, targets
from kzjp_cli.articles import Article, parse_article
from kzjp_cli.errors import KzjpError
from kzjp_cli.languages import sentences

from .conftest import BUNDLED, KZJP, OFFLINE, Run

SEEDS = sorted(BUNDLED.glob("*.txt"))


def seed_article(path: Path) -> Article:
    return parse_article(path.read_text(encoding="utf-8"), id=path.stem, path=str(path))


def body_only(body: str, id: str = "x", title: str = "") -> Article:
    """An article of just a body, as from stdin."""
    return Article(id=id, title=title, body=body)


def long_text(n: int = 30) -> str:
    filler = [f"Officials from Astana and Tokyo met for round {i} of talks on trade and energy." for i in range(n)]
    filler[7] = "Japan will simplify visa rules for Kazakh students next spring."
    filler[21] = "Visas for tourists from Central Asia will be issued online."
    return " ".join(filler)


@pytest.mark.parametrize("method", list(summarize.METHODS))
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_every_method_gives_whole_verbatim_sentences_in_order(seed: Path, method: str) -> None:
    article = seed_article(seed)
    article_sentences = [s.text for s in sentences.split(article.body)]
    summary = summarize.summarize(article, method=method, count=3)
    positions = [u.position for u in summary.sentences]
    assert len(positions) == 3 and positions == sorted(set(positions))
    for unit in summary.sentences:
        assert unit.text == article_sentences[unit.position]
        assert unit.text[-1] in '.!?”"’)'


def test_fewer_sentences_than_asked_gives_them_all() -> None:
    summary = summarize.summarize(body_only("One here. Two here."), count=5)
    assert [u.text for u in summary.sentences] == ["One here.", "Two here."]


def test_single_sentence_is_its_own_summary() -> None:
    summary = summarize.summarize(body_only("Only one sentence, without a final stop"), count=3)
    assert [u.text for u in summary.sentences] == ["Only one sentence, without a final stop"]


@pytest.mark.parametrize(("ratio", "expected"), [(0.1, 3), (0.01, 1), (1.0, 30), (0.5, 15)])
def test_ratio(ratio: float, expected: int) -> None:
    text = " ".join(f"Sentence number {i} talks about {w} trade." for i, w in enumerate(["rail"] * 15 + ["port"] * 15))
    assert len(summarize.summarize(body_only(text), ratio=ratio).sentences) == expected


def test_duplicate_sentences_come_out_once() -> None:
    text = "Tokyo hosted the summit. Astana sent a delegation. Tokyo hosted the summit. Ministers met."
    summary = summarize.summarize(body_only(text), count=4)
    assert [u.text for u in summary.sentences] == [
        "Tokyo hosted the summit.",
        "Astana sent a delegation.",
        "Ministers met.",
    ]


@pytest.mark.parametrize("method", list(summarize.METHODS))
def test_query_focus_prefers_matching_sentences(method: str) -> None:
    summary = summarize.summarize(body_only(long_text()), method=method, count=2, query="visa")
    assert [u.position for u in summary.sentences] == [7, 21], "both visa sentences, 'visas' matched by stemming"


def test_query_with_operators_and_fields_uses_only_wanted_words() -> None:
    assert summarize.query_terms('title:visa OR "online" NOT energy') == frozenset({"visa", "onlin"})


def test_query_focus_on_the_bundled_article() -> None:
    summary = summarize.summarize(seed_article(BUNDLED / "003_34a9f69a9f2f84be.txt"), count=2, query="judo")
    assert all("judo" in u.text.lower() for u in summary.sentences)


def test_combine_keeps_near_duplicates_once_and_labels_sentences() -> None:
    a = body_only("Japan and Kazakhstan signed 14 documents in Tokyo. The Emperor met the President.", "a", "A")
    b = body_only("Kazakhstan and Japan signed 14 documents in Tokyo! Judo was discussed at length.", "b", "B")
    summary = summarize.summarize_combined([a, b], count=10)
    assert [(u.id, u.position) for u in summary.sentences] == [("a", 0), ("a", 1), ("b", 1)]
    record = summary.to_record()
    assert record["ids"] == ["a", "b"]
    assert record["sentences"][2] == {"id": "b", "index": 1, "text": "Judo was discussed at length."}


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "no text"), ("   \n\t", "no text")],
)
def test_empty_text_is_an_error(text: str, message: str) -> None:
    with pytest.raises(KzjpError, match=message):
        summarize.summarize(targets.from_stdin(text))


# --- the command ------------------------------------------------------------------


def test_summarize_text_format(run: Run) -> None:
    result = run("summarize", "000", "-n", "2", "-q")
    lines = result.stdout.splitlines()
    assert result.exit_code == 0
    assert lines[0].startswith("000_26794fffe5e8f9f3  Central Asia’s transit")
    assert len(lines) == 3


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_summarize_machine_formats(run: Run, fmt: str) -> None:
    out = run("summarize", "000", "003", "-f", fmt, "-m", "luhn", "-q").stdout
    records = json.loads(out) if fmt == "json" else [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in records] == ["000_26794fffe5e8f9f3", "003_34a9f69a9f2f84be"]
    for record in records:
        assert set(record) == {"id", "title", "method", "sentences"} and record["method"] == "luhn"
        assert [set(s) for s in record["sentences"]] == [{"index", "text"}] * 3


def test_single_target_json_is_one_object(run: Run) -> None:
    record = json.loads(run("summarize", "003", "-f", "json", "-q").stdout)
    assert record["id"] == "003_34a9f69a9f2f84be"


def test_stdin_text_with_every_method(run: Run) -> None:
    for method in summarize.METHODS:
        result = run("summarize", "-", "-m", method, "-n", "2", "-f", "json", input=long_text())
        assert result.exit_code == 0, result.stderr
        assert len(json.loads(result.stdout)["sentences"]) == 2


def test_combine_command(run: Run) -> None:
    out = run("summarize", "--combine", "000", "003", "--ratio", "0.1", "-q").stdout.splitlines()
    assert out[0] == "combined  Combined summary of 2 articles"
    assert len(out) == 5 and all(line.startswith(("[000_", "[003_")) for line in out[1:])


def test_ids_from_file(run: Run, tmp_path: Path) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("000\n003\n")
    out = run("summarize", "--ids-from", str(ids), "-f", "jsonl", "-n", "1", "-q").stdout
    assert [json.loads(line)["id"][:3] for line in out.splitlines()] == ["000", "003"]


def test_search_with_summary(run: Run) -> None:
    hits = json.loads(run("search", "visa", "--summary", "2", "-f", "json", "-q").stdout)
    assert len(hits[0]["summary"]) == 2
    assert "He argued that simplifying visa procedures" in hits[0]["snippet"]
    assert not any(sentence[:40] in hits[0]["snippet"] for sentence in hits[0]["summary"]), "no repeat of the snippet"
    text = run("search", "visa", "--summary", "1", "-q").stdout
    assert "   • He argued that simplifying visa procedures" not in text and text.count("   • ") == 1
    assert "summary" not in json.loads(run("search", "visa", "-f", "json", "-q").stdout)[0]


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["-"], "", "Error: -: there is no text to summarise"),
        (["-"], "  \n\t\n", "Error: -: there is no text to summarise"),
        (["nope"], None, "Error: no article with id 'nope'"),
        (["missing.txt"], None, "Error: missing.txt: no such file"),
        (["000", "--ratio", "0"], None, "Error: Invalid value for '--ratio'"),
        (["000", "--ratio", "1.5"], None, "Error: Invalid value for '--ratio'"),
        (["000", "-n", "0"], None, "Error: Invalid value for '-n' / '--sentences'"),
        (["000", "-n", "2", "--ratio", "0.5"], None, "Error: use either --sentences or --ratio"),
        (["000", "-m", "random"], None, "Error: Invalid value for '-m' / '--method'"),
        ([], None, "Error: give an article id, a file"),
    ],
)
def test_bad_input_is_one_line_exit_2(run: Run, args: list[str], stdin: str | None, message: str) -> None:
    run("index", "-q")
    result = run("summarize", *args, input=stdin)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1


def test_binary_file_is_an_error(run: Run, tmp_path: Path) -> None:
    blob = tmp_path / "image.txt"
    blob.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = run("summarize", str(blob))
    assert result.exit_code == 2 and result.stderr == f"Error: {blob}: binary file (contains NUL bytes)\n"


def test_a_file_of_another_kind_is_refused_as_add_refuses_it(run: Run, tmp_path: Path) -> None:
    """Issue 30: summarize read a file of any suffix (an export, an image) where add refuses it."""
    other = tmp_path / "export.jsonl"
    other.write_text('{"text": "Tokyo and Astana signed a deal."}\n', encoding="utf-8")
    result = run("summarize", str(other))
    assert result.exit_code == 2 and "not an article file" in result.stderr


# --- real processes -----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("method", list(summarize.METHODS))
def test_summarize_works_with_no_nltk_data_and_no_network(tmp_path: Path, method: str) -> None:
    empty = tmp_path / "nltk_data"
    empty.mkdir()
    env = {**os.environ, "NLTK_DATA": str(empty), "HOME": str(tmp_path)}
    for args, stdin in ((["summarize", "000", "-m", method], None), (["summarize", "-", "-m", method], long_text())):
        done = subprocess.run(
            [sys.executable, "-c", OFFLINE, str(empty), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert len(done.stdout.splitlines()) == 4, done.stdout
    assert list(empty.iterdir()) == [], "nothing was downloaded"


def shell(command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, shell=True, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_search_ids_piped_into_summarize() -> None:
    done = shell(f"'{KZJP}' search tourism -f ids -q | '{KZJP}' summarize --ids-from - -n 1 -q")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("003_34a9f69a9f2f84be  He argued")


@pytest.mark.slow
def test_search_jsonl_piped_into_summarize() -> None:
    done = shell(f"'{KZJP}' search Tokayev -f jsonl -q | '{KZJP}' summarize --ids-from - -f jsonl -n 1 -q")
    assert [json.loads(line)["id"][:3] for line in done.stdout.splitlines()] == ["000", "003"]


@pytest.mark.slow
def test_list_ids_through_xargs() -> None:
    done = shell(f"'{KZJP}' list -f ids -q | xargs '{KZJP}' summarize -f jsonl -n 2 -q")
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [len(r["sentences"]) for r in records] == [2, 2]


SUMMARIES_OF = """
import hashlib, sys
from pathlib import Path
from kzjp_cli import index, summarize
articles = index.open_index(Path(sys.argv[1]), Path(sys.argv[2])).documents()
for method in summarize.METHODS:
    many = articles if method == "lsa" else articles[:30]
    text = "".join(s.text for a in many for s in summarize.summarize(a, method=method, count=2).sentences)
    print(method, hashlib.sha1(text.encode()).hexdigest())
"""


@pytest.mark.slow
def test_every_method_is_the_same_under_any_string_hashing(tmp_path: Path) -> None:
    """sumy numbered LSA's words by iterating a frozenset, so its summaries followed PYTHONHASHSEED."""
    from .conftest import generate

    corpus = generate(tmp_path / "c", 150, seed=4)
    index.open_index(corpus, tmp_path / "ix")  # built once, then read by the three processes at the same time
    command = [sys.executable, "-c", SUMMARIES_OF, str(corpus), str(tmp_path / "ix")]
    running = [
        subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONHASHSEED": seed})
        for seed in ("0", "17", "99")
    ]
    runs = [process.communicate(timeout=600)[0] for process in running]
    assert [process.returncode for process in running] == [0, 0, 0]
    assert runs[0].count("\n") == 8 and runs[0] == runs[1] == runs[2]
