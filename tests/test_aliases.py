"""Names across languages: the alias table, query expansion, a corpus's own aliases.toml, --no-aliases."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from kzjp_cli import aliases

from .conftest import MULTILINGUAL, Run

ALL_SCRIPTS = ("latin", "cyrillic", "cjk")


@pytest.fixture
def multilingual(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    corpus = tmp_path / "multilingual"
    shutil.copytree(MULTILINGUAL, corpus)
    monkeypatch.setenv("KZJP_CORPUS", str(corpus))
    return corpus


def test_the_built_in_table_is_valid_and_unambiguous() -> None:
    table = aliases.load()
    assert len(table.groups) >= 40
    spellings = Counter(s.casefold() for group in table.groups for s in set(group))
    assert [s for s, n in spellings.items() if n > 1] == [], "a spelling names one thing only"
    for name in ("Tokayev", "Kazakhstan", "Japan", "Aktau", "Astana", "Almaty", "Tokyo", "Takaichi", "Central Asia"):
        group = table.find(name)
        assert group is not None and {"latin", "cyrillic", "cjk"} <= {aliases.script(s) for s in group}, name


@pytest.mark.parametrize(
    ("word", "name"),
    [
        ("Tokayev", "Tokayev"),
        ("TOKAYEV", "Tokayev"),
        ("Токаева", "Tokayev"),  # Russian genitive
        ("Тоқаевтың", "Tokayev"),  # Kazakh genitive
        ("トカーエフ", "Tokayev"),
        ("Жапонияға", "Japan"),
        ("Центральной Азии", "Central Asia"),
        ("Kassym-Jomart Tokayev", "Tokayev"),
        ("Tokyo Declaration", None),
        ("toka", None),
    ],
)
def test_any_spelling_or_form_finds_its_name(word: str, name: str | None) -> None:
    group = aliases.load().find(word)
    assert (group[0] if group else None) == name


@pytest.mark.parametrize(
    ("query", "expanded"),
    [
        (
            "Tokayev",
            '(Tokayev OR Токаев OR Тоқаев OR トカエフ OR トカーエフ OR "Касым-Жомарт Токаев" OR "Қасым-Жомарт Тоқаев")',
        ),
        ("Tokyo visit", "(Tokyo OR Токио OR 東京) visit"),
        ('"Central Asia" summit', '("Central Asia" OR "Центральная Азия" OR "Орталық Азия" OR 中央アジア) summit'),
        ("Central Asia", '("Central Asia" OR "Центральная Азия" OR "Орталық Азия" OR 中央アジア)'),
        ("title:Tokyo", "title:Tokyo"),
        ("Toky*", "Toky*"),
        ("Tokyo~", "Tokyo~"),
        ('"Tokyo Declaration"', '"Tokyo Declaration"'),
        ("judo OR sumo", "judo OR sumo"),
    ],
)
def test_expansion_leaves_the_query_language_alone(query: str, expanded: str) -> None:
    assert aliases.expand(query, aliases.load(), ALL_SCRIPTS)[0] == expanded


def test_an_english_only_index_gets_nothing_added() -> None:
    text, added = aliases.expand("Tokayev Tokaev Alma-Ata", aliases.load(), ["latin"])
    assert (text, added) == ("Tokayev Tokaev Alma-Ata", {})


def test_every_spelling_finds_every_article(run: Run, multilingual: Path) -> None:
    run("index", "-q")
    for query in ("Tokayev", "Токаев", "Токаева", "Тоқаев", "Тоқаевтың", "トカエフ"):
        result = run("search", query, "-f", "ids", "-n", "50")
        assert sorted(result.stdout.split()) == ["ja_visit", "kk_visit", "ru_visit"], query
        assert result.stderr.startswith(f"kzjp: also searched {query} as ")
    assert sorted(run("search", "Aktau", "-f", "ids", "-q").stdout.split()) == ["ja_visit", "kk_visit", "ru_visit"]
    assert run("search", "Takaichi", "-f", "ids", "-q", "--lang", "ja").stdout == "ja_visit\n"


def test_json_says_what_a_query_expanded_to_and_no_aliases_turns_it_off(run: Run, multilingual: Path) -> None:
    hits = json.loads(run("search", "Aktau", "-f", "json", "-q").stdout)
    assert all(hit["aliases"] == {"Aktau": ["Актау", "Ақтау", "アクタウ"]} for hit in hits)
    off = run("search", "Aktau", "--no-aliases", "-f", "json")
    assert (off.exit_code, off.stdout, off.stderr) == (1, "[]\n", "")  # no hits: an empty JSON array
    plain = json.loads(run("search", "визит", "-f", "json", "-q").stdout)
    assert "aliases" not in plain[0]


def test_english_results_are_unchanged(run: Run) -> None:
    """The bundled corpus is English: a name searches exactly as before."""
    with_names = run("search", "Tokayev", "-f", "json")
    without = run("search", "Tokayev", "-f", "json", "--no-aliases", "-q")
    assert with_names.stdout == without.stdout and "aliases" not in with_names.stdout
    assert "also searched" not in with_names.stderr


def test_a_corpus_adds_its_own_names(run: Run, multilingual: Path) -> None:
    (multilingual / "aliases.toml").write_text('"Judo Championships" = ["чемпионат мира по дзюдо", "世界柔道選手権"]\n')
    result = run("search", '"Judo Championships"', "-f", "ids")
    assert sorted(result.stdout.split()) == ["ja_summit", "ru_tourism"]
    assert "also searched Judo Championships as чемпионат мира по дзюдо, 世界柔道選手権" in result.stderr
    assert "aliases.toml" not in run("list", "-f", "ids", "-q").stdout, "not an article"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Tokayev = [", "is not valid TOML"),
        ('Tokayev = "Токаев"', "'Tokayev' must be a list of spellings"),
    ],
)
def test_a_bad_aliases_file_is_one_clear_error(run: Run, multilingual: Path, content: str, message: str) -> None:
    run("index", "-q")
    (multilingual / "aliases.toml").write_text(content)
    result = run("search", "Tokayev")
    assert result.exit_code == 2 and result.stderr.startswith("Error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1
    assert run("search", "Tokayev", "--no-aliases", "-f", "ids", "-q").stdout == "", "still searchable without"
