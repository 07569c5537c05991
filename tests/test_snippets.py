"""Snippets: the same words marked as the index's analysis would match, in the best sentences."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kzjp_cli.store import snippets
from kzjp_cli.store.analysis import chain
from kzjp_cli.store.schema import make_schema

ENGLISH = chain("en")
ANALYZER = make_schema()["body"].analyzer  # what Whoosh itself runs on English text

WORDS = ["Tokayev", "tokyo", "TOURISM", "tourist", "U.S.", "e.g.", "ays", "eyed", "İstanbul", "straße", "x_y", "3.14"]
SUFFIXES = ["", "s", "ies", "ing", "ed", "ational", "ization", "ness", "ly", "y", "e", "able", "iviti", "ful"]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="abcdeilmnorstuvyz", min_size=1, max_size=8), st.sampled_from(SUFFIXES))
def test_every_word_starts_with_its_terms_prefix(stem: str, suffix: str) -> None:
    word = stem + suffix
    term = ENGLISH.term_of(word)
    assert term is None or word.startswith(snippets.prefix(term))


def reference(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """What Whoosh's own analysis says matches, with character offsets (a word once, whatever its terms)."""
    spans = [(t.startchar, t.endchar) for t in ANALYZER(text, chars=True, mode="index") if t.text in terms]
    return sorted(set(spans))


pieces = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from([" ", ". ", ".", "-", "  \n", "_", "…", "’s "]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=6),
)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(st.lists(pieces, max_size=30), st.data())
@example(["İstanbul", " ", "Tokayev"], None)
@example(["end", ".", "tokyo", " ", "tokyo"], None)
@example(["¹*", "Tokayev", " ", "Tokayev"], None)
def test_matches_are_exactly_the_analysed_words(parts: list[str], data: st.DataObject | None) -> None:
    text = "".join(parts)
    present = sorted({t.text for t in ANALYZER(text)})
    if data is None:
        terms = set(present)
    else:
        terms = set(data.draw(st.lists(st.sampled_from(present), unique=True))) if present else set()
    assert snippets.matches(text, terms) == reference(text, terms)


ARTICLE = (
    "The ministers met in Astana on Monday.\n\n"
    "Talks covered transport.  Tokayev praised the Middle Corridor as a route for cargo. "
    + "Filler words about nothing in particular keep going. "
    * 12
    + "Officials said the Middle Corridor would carry more transported cargo than ever, "
    "and that Tokayev would visit Tokyo. Closing words."
)


def test_best_sentences_in_order_with_marks_on_the_words() -> None:
    text, marks = snippets.snippet(ARTICLE, {"tokayev", "corridor", "transport"})
    assert len(text) <= snippets.SNIPPET_CHARS and "\n" not in text and "  " not in text
    assert text == (
        "Tokayev praised the Middle Corridor as a route for cargo. … Officials said the Middle Corridor "
        "would carry more transported cargo than ever, and that Tokayev would visit Tokyo."
    )
    assert [text[a:b] for a, b in marks] == ["Tokayev", "Corridor", "Corridor", "transported", "Tokayev"]
    assert all(not text[b : b + 1].isalnum() for _, b in marks)


def test_a_long_sentence_is_cut_around_its_first_match() -> None:
    long = "Words " * 100 + "then Tokayev spoke " + "and more words " * 40 + "."
    text, marks = snippets.snippet(long, {"tokayev"})
    assert text.startswith("… ") and text.endswith(" …")
    assert len(text) <= snippets.SNIPPET_CHARS
    assert [text[a:b] for a, b in marks] == ["Tokayev"]


def test_no_match_gives_the_lead_unmarked() -> None:
    text, marks = snippets.snippet(ARTICLE, {"uranium"})
    assert text.startswith("The ministers met in Astana on Monday. Talks covered transport.") and marks == []
    assert snippets.snippet("", {"x"}) == ("", [])
    assert snippets.snippet("Short text.", set()) == ("Short text.", [])


@pytest.mark.parametrize("limit", [40, 80, 200, 320])
def test_snippets_respect_the_limit(limit: int) -> None:
    text, marks = snippets.snippet(ARTICLE, {"tokayev", "corridor", "filler"}, limit=limit)
    assert len(text) <= limit and marks
    assert all(0 <= a < b <= len(text) for a, b in marks)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from([*WORDS, "Tokayev.", "(Tokayev", "x" * 90]), pieces), max_size=120),
    st.integers(min_value=40, max_value=400),
)
def test_any_snippet_fits_and_marks_only_matching_words(parts: list[str], limit: int) -> None:
    text = "".join(parts)
    terms = {"tokayev", "tourism", "tokyo"}
    shown, marks = snippets.snippet(text, terms, limit=limit)
    assert len(shown) <= limit and "\n" not in shown
    assert marks == sorted(marks) and all(b <= c for (_, b), (c, _) in itertools.pairwise(marks))
    assert all(terms.intersection(ENGLISH.terms_of(shown[a:b].lower())) for a, b in marks)
