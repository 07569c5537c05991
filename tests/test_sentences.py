"""Sentence splitting on news text, held to the project's own case file."""

from __future__ import annotations

from pathlib import Path

import pytest

from kzjp_cli.languages import sentences

CASES = Path(__file__).with_name("data") / "sentences.txt"


def load_cases() -> list[tuple[str, list[str]]]:
    cases: list[tuple[str, list[str]]] = []
    for line in CASES.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        if line.startswith("> "):
            cases.append((line[2:], []))
        elif line:
            cases[-1][1].append(line)
    return cases


def test_case_file_has_at_least_40_cases() -> None:
    assert len(load_cases()) >= 40


def test_splitter_gets_at_least_95_percent_exactly_right() -> None:
    cases = load_cases()
    failures = [(text, got) for text, want in cases if (got := [s.text for s in sentences.split(text)]) != want]
    assert len(failures) <= len(cases) * 0.05, "\n".join(f"{t!r}\n  -> {g!r}" for t, g in failures)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One line\nwrapped here.\nNext paragraph.", ["One line wrapped here.", "Next paragraph."]),
        ("A.\n\nB!", ["A.", "B!"]),
        ("# Heading\nBody text.", ["Heading", "Body text."]),
        ("  \n\n  ", []),
    ],
)
def test_paragraphs(text: str, expected: list[str]) -> None:
    assert sentences.paragraphs(text) == expected


def test_sentences_are_numbered_with_their_paragraph() -> None:
    result = sentences.split("First. Second.\n\nThird.")
    assert [(s.position, s.paragraph, s.text) for s in result] == [
        (0, 0, "First."),
        (1, 0, "Second."),
        (2, 1, "Third."),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("…under review by the SEC. The company said.", ["…under review by the SEC.", "The company said."]),
        ("Warner Bros. But it fell.", ["Warner Bros.", "But it fell."]),
        ('He told The Sun. "That is all."', ["He told The Sun.", '"That is all."']),
        ("Exports reached $4.3 bn. Imports fell.", ["Exports reached $4.3 bn.", "Imports fell."]),
        ("Kazakhstan (pop. 20 million) is vast.", ["Kazakhstan (pop. 20 million) is vast."]),
        ("Unbelievable!! Next.", ["Unbelievable!!", "Next."]),
        ("Who knew?? Nobody.", ["Who knew??", "Nobody."]),
        ('"Goal!" he shouted.', ['"Goal!" he shouted.']),
        ("Mr. Smith met Gen. Sato. No. 5 won.", ["Mr. Smith met Gen. Sato.", "No. 5 won."]),
        ("Apple Inc. Chief Executive Tim Cook spoke.", ["Apple Inc. Chief Executive Tim Cook spoke."]),
        ("Samsung Electronics Co. Ltd. said so.", ["Samsung Electronics Co. Ltd. said so."]),
    ],
)
def test_sentence_ends_issue_15(text: str, expected: list[str]) -> None:
    """Issue 15, point 11: abbreviations before a capital, parentheses, "!!", and a quoted cry."""
    assert [s.text for s in sentences.split(text)] == expected


def test_list_items_are_sentences_of_their_own() -> None:
    text = "Key points:\n- Japan funds the port\n- Work starts in 2026\n  and ends in 2028\nThe rest follows."
    assert [s.text for s in sentences.split(text)] == [
        "Key points:",
        "Japan funds the port",
        "Work starts in 2026 and ends in 2028",
        "The rest follows.",
    ]


def test_every_sentence_is_verbatim() -> None:
    text = 'What a win!! He told The Sun. "Goal!" he shouted.\n- an item\n(pop. 20 million) is vast.'
    flat = " ".join(text.split())
    assert all(s.text in flat for s in sentences.split(text))


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "「協力を強化したい。」首相はこう述べた。",
            "ja",
            ["「協力を強化したい。」", "首相はこう述べた。"],
        ),
        ("「協力を強化したい。」と首相は述べた。", "ja", ["「協力を強化したい。」と首相は述べた。"]),
        ("「本当ですか？」「はい。」会談は続いた。", "ja", ["「本当ですか？」", "「はい。」", "会談は続いた。"]),
        ("Собор Св. Николая открыт. Вход свободный.", "ru", ["Собор Св. Николая открыт.", "Вход свободный."]),
        (
            "«Когда откроют рейс?», — спросила она. Ей не ответили.",
            "ru",
            ["«Когда откроют рейс?», — спросила она.", "Ей не ответили."],
        ),
        ("«Куда?» — спросил он. Никто не знал.", "ru", ["«Куда?» — спросил он.", "Никто не знал."]),
        ("Визит состоялся 18 дек. 2025 г. в Токио.", "ru", ["Визит состоялся 18 дек. 2025 г. в Токио."]),
        (
            "The show starred Ant and Dec. Viewers loved it.",
            "en",
            ["The show starred Ant and Dec.", "Viewers loved it."],
        ),
        ("It opens on Dec. 5 in Astana.", "en", ["It opens on Dec. 5 in Astana."]),
    ],
)
def test_sentence_ends_issue_29(text: str, lang: str, expected: list[str]) -> None:
    """Issue 29: a Japanese quote that is a sentence of its own, Russian "Св.", a question in «» before the
    speaker, a month's abbreviation before a year, and "Dec." at the end of an English sentence."""
    assert [s.text for s in sentences.split(text, lang)] == expected
