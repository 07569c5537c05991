"""Sentence splitting on news text, held to the project's own case file."""

from __future__ import annotations

from pathlib import Path

import pytest

from kzjp_cli import sentences

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
