"""Saved pages: the story without its menus, footers and comments, with the page's title, date and language."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from kzjp_cli import targets
from kzjp_cli.articles.pages import decode_html, extract
from kzjp_cli.errors import ArticleError

from .conftest import Run

PAGES = Path(__file__).resolve().parent / "data" / "pages"
BOILERPLATE = {
    "en": ["cookies", "Read also", "Weather in Astana", "Great news for our region", "All rights reserved", "Contacts"],
    "ru": ["cookie", "Читайте также", "Курс тенге", "Наконец-то", "Все права защищены", "Контакты"],
    "kk": ["cookie", "Сондай-ақ оқыңыз", "Теңге бағамы", "Керемет жаңалық", "құқықтар қорғалған", "Байланыс"],
    "ja": ["クッキー", "関連記事", "おすすめカフェ", "良いニュース", "無断転載", "お問い合わせ"],
}


def expected(page: Path) -> tuple[str, str, str, list[str]]:
    title, date, lang, _, *story = page.with_suffix(".expected.txt").read_text(encoding="utf-8").split("\n")
    return title, date, lang, [line for line in story if line]


def token_f1(got: str, want: str, lang: str) -> float:
    def tokens(text: str) -> Counter[str]:
        return Counter(re.sub(r"\s+", "", text) if lang == "ja" else re.findall(r"\w+", text.lower()))

    g, w = tokens(got), tokens(want)
    overlap = sum((g & w).values())
    return 2 * overlap / (sum(g.values()) + sum(w.values()))


@pytest.mark.parametrize("page", sorted(PAGES.glob("*.html")), ids=lambda p: p.stem)
def test_the_story_and_nothing_else(page: Path) -> None:
    title, date, lang, story = expected(page)
    article = targets.from_file(page)
    assert token_f1(article.body, "\n".join(story), lang) >= 0.95
    for text in BOILERPLATE[lang]:
        assert text not in article.body, text
    assert (article.title, article.date.isoformat(), article.lang) == (title, date, lang)
    assert article.body.split("\n\n") == story, "one paragraph a paragraph"


@pytest.mark.parametrize(("name", "charset"), [("ru_grain", "windows-1251"), ("ja_uranium", "shift_jis")])
def test_the_page_charset_is_honoured(name: str, charset: str) -> None:
    data = (PAGES / f"{name}.html").read_bytes()
    assert decode_html(data) == data.decode(charset)


def test_a_page_without_a_story_is_an_error() -> None:
    with pytest.raises(ArticleError, match="no article text"):
        extract("<html><body><nav><a href='/'>Home</a></nav><footer>© 2025</footer></body></html>")


def test_an_undated_page_stays_undated() -> None:
    body = "<p>" + "The ferry terminal at Kuryk will be built with Japanese help, officials said. " * 3 + "</p>"
    article = targets.from_stdin(
        f"<html><head><title>Kuryk</title></head><body><article>{body}</article></body></html>"
    )
    assert article.date is None and article.title == "Kuryk"


def test_saved_pages_in_a_corpus_are_indexed_as_their_stories(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(PAGES, corpus, ignore=shutil.ignore_patterns("*.txt"))
    (corpus / "empty.html").write_text("<html><body><nav>Home</nav></body></html>")
    monkeypatch.setenv("KZJP_CORPUS", str(corpus))
    built = run("index")
    assert built.exit_code == 0
    assert f"Warning: skipped {corpus / 'empty.html'}: no article text found in the page" in built.stderr
    listed = run("list", "-f", "tsv", "-q").stdout.splitlines()
    assert [line.split("\t")[:3] for line in listed[1:]] == [
        ["en_port", "Japan to fund new ferry terminal at Kuryk", "2025-11-21"],
        ["ja_uranium", "日本とカザフスタン、ウラン供給で新たな合意", "2025-09-15"],
        ["kk_judo", "Жапон дзюдошылары Алматыда шеберлік сыныбын өткізді", "2025-08-30"],
        ["ru_grain", "Казахстан начал поставки зерна в Японию через Каспий", "2025-10-02"],
    ]
    assert run("search", "ferry", "-f", "ids", "-q").stdout == "en_port\n"
    assert run("search", "cookies", "-q").exit_code == 1, "the banner was not indexed"
    assert run("search", "зерна", "-f", "ids", "-q").stdout == "ru_grain\n"
    assert run("search", "ウラン", "-f", "ids", "-q").stdout == "ja_uranium\n"
    summary = run("summarize", str(PAGES / "en_port.html"), "-n", "1", "-q").stdout.splitlines()
    assert summary[0].endswith("Japan to fund new ferry terminal at Kuryk") and "Kuryk" in summary[1]


STORY_P = "<p>" + "The ferry terminal at Kuryk will be built with Japanese help, officials said. " * 3 + "</p>"


@pytest.mark.parametrize(
    ("head", "heading", "title"),
    [
        ("<title>Новости :: Грант для больниц</title>", "<h2>Грант для больниц</h2>", "Грант для больниц"),
        ("<title>News :: Japan funds a ferry terminal</title>", "", "Japan funds a ferry terminal"),
        (
            "<title>Japan funds a ferry terminal | Steppe Wire</title>",
            "<h2>Most read</h2>",
            "Japan funds a ferry terminal",
        ),
        ("<title>Tokayev - Takaichi talks</title>", "", "Tokayev - Takaichi talks"),
        (  # og:title carries the site's name too: og:site_name says which it is
            '<meta property="og:title" content="Japan funds a ferry terminal - The Astana Times">'
            '<meta property="og:site_name" content="The Astana Times">',
            "",
            "Japan funds a ferry terminal",
        ),
        (
            '<meta property="og:title" content="Kazinform | Грант для больниц">'
            "<title>Грант для больниц | Kazinform</title>",
            "",
            "Грант для больниц",
        ),
        (  # the <title>'s suffix names the site the h1 repeats
            "<title>Japan funds a ferry terminal — NHK WORLD-JAPAN News</title>",
            "<h1>Japan funds a ferry terminal — NHK WORLD-JAPAN News</h1>",
            "Japan funds a ferry terminal",
        ),
        (  # a dash inside the headline is not a site's name
            '<meta property="og:site_name" content="Kyodo News"><h1>Tokayev - Takaichi talks</h1>',
            "",
            "Tokayev - Takaichi talks",
        ),
    ],
)
def test_the_headline_without_the_sites_name(head: str, heading: str, title: str) -> None:
    page = extract(f"<html><head>{head}</head><body>{heading}<article>{STORY_P}</article></body></html>")
    assert page.title == title
