"""One way in for articles: ids, prefixes, files (text, Markdown, HTML), stdin and id lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from kzjp_cli import index, targets
from kzjp_cli.errors import ArticleError, UnknownIdError
from kzjp_cli.languages import sentences


def test_html_file(tmp_path: Path) -> None:
    page = tmp_path / "story.html"
    page.write_text(
        "<html><head><title>Site</title><script>var x = 'no.';</script></head><body><nav>Home. News.</nav>"
        "<h1>Aktau port deal</h1><p>Japan joins the customs upgrade. Work starts in May.</p>"
        "<p>Officials welcomed the decision.</p></body></html>"
    )
    article = targets.from_file(page)
    assert (article.id, article.title) == (str(page), "Aktau port deal")
    assert [s.text for s in sentences.split(article.body)][-3:] == [
        "Japan joins the customs upgrade.",
        "Work starts in May.",
        "Officials welcomed the decision.",
    ]


@pytest.mark.parametrize(
    "title",
    ["Tokyo: a summit\n---\ndate: 1999-01-01", '"Quoted"', "date 2024-01-01 headline"],
)
def test_an_html_title_is_taken_as_written_never_as_metadata(title: str) -> None:
    """The page title used to be pasted into front matter, which stripped the quotes off '"Quoted"'."""
    body = "The ministers met in Tokyo and agreed on new direct flights."
    article = targets.from_stdin(f"<html><head><title>{title}</title></head><body><p>{body}</p></body></html>")
    assert article.title == " ".join(title.split())
    assert article.body == body


def test_text_with_front_matter_and_empty_text() -> None:
    article = targets.from_stdin("---\ntitle: Astana forum\ndate: 2025-05-01\nlang: en\n---\nDelegates met.")
    assert (article.title, article.date.isoformat(), article.lang, article.body) == (
        "Astana forum",
        "2025-05-01",
        "en",
        "Delegates met.",
    )
    empty = targets.from_stdin("   \n")
    assert (empty.id, empty.body) == ("-", "")


def test_ids_from_lines_accepts_ids_and_jsonl() -> None:
    lines = ["000\n", "\n", '{"id": "003_34a9f69a9f2f84be", "score": 1}\n']
    assert targets.ids_from_lines(lines) == ["000", "003_34a9f69a9f2f84be"]
    with pytest.raises(ArticleError, match="line 1"):
        targets.ids_from_lines(['{"title": "x"}'])


def test_load_mixes_ids_prefixes_files_and_stdin(corpus: Path, tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_text("# A note\nRail freight grew.")
    opened: list[index.CorpusIndex] = []

    def open_index() -> index.CorpusIndex:
        opened.append(index.open_index(corpus, tmp_path / "ix"))
        return opened[-1]

    found = targets.load(["aktau", "sub/v", str(note), "-"], lambda: "From stdin.", open_index)
    assert [(a.id, a.title) for a in found] == [
        ("aktau", "Japan joins customs upgrade at the Port of Aktau"),
        ("sub/visit", "Tokayev meets Takaichi in Tokyo"),
        (str(note), "A note"),
        ("-", "From stdin."),
    ]
    assert found[0].url == "https://example.org/aktau" and found[0].path == str(corpus / "aktau.md")
    assert len(opened) == 1, "the index is opened once, for the ids"


def test_load_without_ids_never_opens_the_index(tmp_path: Path) -> None:
    def refuse() -> index.CorpusIndex:
        raise AssertionError("the index was opened")

    assert [a.body for a in targets.load(["-"], lambda: "Only stdin.", refuse)] == ["Only stdin."]


def test_load_names_what_it_cannot_find(corpus: Path, tmp_path: Path) -> None:
    def open_index() -> index.CorpusIndex:
        return index.open_index(corpus, tmp_path / "ix")

    with pytest.raises(ArticleError, match=r"missing\.txt: no such file \(nor an article id\)"):
        targets.load(["missing.txt"], str, open_index)
    with pytest.raises(UnknownIdError, match="no article with id 'zzz'"):
        targets.load(["zzz"], str, open_index)
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(ArticleError, match=r"image\.txt: binary file"):
        targets.load([str(binary)], str, open_index)
    binary.rename(tmp_path / "image.png")
    with pytest.raises(ArticleError, match=r"image\.png: not an article file"):
        targets.load([str(tmp_path / "image.png")], str, open_index)
