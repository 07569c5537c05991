"""Reading articles: metadata forms, titles, encodings, ids."""

from __future__ import annotations

import datetime as dt
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kzjp_cli import articles, languages
from kzjp_cli.errors import ArticleError, CorpusError, UnknownIdError

from .conftest import BUNDLED


def read(path: Path, id: str = "x") -> articles.Article:
    st = path.stat()
    return articles.read_article(articles.CorpusFile(path.name, str(path), st.st_size, st.st_mtime_ns), id)


def test_seed_with_leading_date_line() -> None:
    article = read(BUNDLED / "000_26794fffe5e8f9f3.txt")
    assert article.date == dt.date(2025, 12, 20)
    assert article.body.startswith("“Central Asia’s transit")
    assert "date 2025" not in article.body
    # Title: the first sentence, cut at a word boundary, without a dangling opening quote.
    assert article.title == "Central Asia’s transit and logistics potential opens up enormous opportunities for…"


def test_seed_without_date_starts_mid_story() -> None:
    article = read(BUNDLED / "003_34a9f69a9f2f84be.txt")
    assert article.date is None
    assert article.title.startswith("He argued that simplifying visa procedures")
    assert len(article.title) <= articles.text.TITLE_CHARS + 1
    assert article.words > 500


def test_front_matter_fields() -> None:
    article = articles.parse_article(
        "---\ntitle: 'Quoted title'\ndate: 2025-12-18\nsource: Kazinform\n"
        "url: https://x.kz/a\nlang: en\n---\nBody text.\n",
        id="a",
        path="a.md",
    )
    assert (article.title, article.date, article.source, article.url, article.lang) == (
        "Quoted title",
        dt.date(2025, 12, 18),
        "Kazinform",
        "https://x.kz/a",
        "en",
    )
    assert article.body == "Body text."
    assert article.warnings == []


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        ("---\ntitle: T\ndate: 2025-13-45\n---\nBody.", "date '2025-13-45' is not a date"),
        ("---\ntitle: T\nno colon here\n---\nBody.", "line 3 is not 'key: value'"),
        ("---\ntitle: T\nBody without an end.", "no closing '---'"),
    ],
)
def test_malformed_front_matter_keeps_the_article_with_a_warning(text: str, warning: str) -> None:
    article = articles.parse_article(text, id="a", path="a.md")
    assert any(warning in w for w in article.warnings), article.warnings
    assert "Body" in article.body
    assert article.date is None


def test_markdown_heading_becomes_title() -> None:
    article = articles.parse_article(
        "# Tokyo Declaration signed\n\nThe summit ended.", id="a", path="a.md", suffix=".md"
    )
    assert article.title == "Tokyo Declaration signed"
    assert article.body == "The summit ended."


def test_short_first_sentence_is_the_whole_title() -> None:
    assert articles.derive_title("Japan and Kazakhstan signed 14 documents. Then more.") == (
        "Japan and Kazakhstan signed 14 documents."
    )


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("首相「協力を強化したい。」と表明した。両国は合意した。", "首相「協力を強化したい。」と表明した。"),
        ("「協力を強化したい。」首相はこう述べた。", "「協力を強化したい。」"),
        ("会談は成功した。次も会おう。", "会談は成功した。"),
    ],
)
def test_a_japanese_first_sentence_keeps_its_quote(text: str, title: str) -> None:
    """Issue 29: a Japanese title read from stdin was cut inside 「」."""
    assert articles.derive_title(text) == title


def test_a_headline_line_then_a_blank_line_is_the_title() -> None:
    article = articles.parse_article(
        "Japan to fund Kuryk port\n\nThe ministry said on Friday. Work starts soon.", id="a", path="a.txt"
    )
    assert article.title == "Japan to fund Kuryk port"
    assert article.body == "The ministry said on Friday. Work starts soon."  # the headline is not a sentence
    assert articles.derive_title("A first sentence.\n\nMore.") == "A first sentence."


def test_bom_and_crlf_are_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffdate 2025-01-02\r\nHello Astana.\r\nSecond line.".encode())
    article = read(path)
    assert article.date == dt.date(2025, 1, 2)
    assert article.body == "Hello Astana.\nSecond line."


def test_control_characters_and_escapes_are_removed() -> None:
    article = articles.parse_article("Evil \x1b[2J\x1b]0;title\x07text\x00 here.", id="a", path="a.txt")
    assert article.body == "Evil text here."


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"   \n\t ", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        (bytes(range(128, 256)) * 3, "not UTF-8 text .* no other encoding fits"),
        (b"---\ntitle: Only meta\n---\n", "front matter but no text"),
    ],
)
def test_unusable_files_raise_article_error(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(ArticleError, match=reason):
        read(path)


def test_scan_is_recursive_sorted_and_skips_hidden(tmp_path: Path) -> None:
    for rel in ["b.txt", "a.md", "sub/c.TXT", ".hidden.txt", ".git/d.txt", "notes.pdf"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    files, warnings = articles.scan_corpus(tmp_path)
    assert [f.rel for f in files] == ["a.md", "b.txt", "sub/c.TXT"]
    assert warnings == []


def test_scan_of_missing_folder_is_a_corpus_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        articles.scan_corpus(tmp_path / "nope")


def test_ids_are_paths_without_suffix_and_collisions_keep_the_suffix(tmp_path: Path) -> None:
    files = [articles.CorpusFile(rel, str(tmp_path / rel), 1, 1) for rel in ["a.md", "a.txt", "sub/b.txt"]]
    assert articles.assign_ids(files) == {"a.md": "a", "a.txt": "a.txt", "sub/b.txt": "sub/b"}


NAMES = st.text(alphabet="ab.-_ é", min_size=1, max_size=6).filter(lambda name: not name.startswith("."))


@given(st.lists(NAMES, min_size=1, max_size=3))
def test_ids_drop_the_suffix_as_pathlib_does(parts: list[str]) -> None:
    """Relative paths as the corpus scan makes them: no hidden names, no empty parts."""
    rel = "/".join(parts)
    expected = str(PurePosixPath(rel).with_suffix("")) if PurePosixPath(rel).suffix else rel
    assert articles.assign_ids([articles.CorpusFile(rel, rel, 1, 1)]) == {rel: expected}


IDS = ["000_26794fffe5e8f9f3", "003_34a9f69a9f2f84be", "100_x"]


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [("000", IDS[0]), ("003_3", IDS[1]), ("100_x", IDS[2]), ("1", IDS[2]), (" 003 ", IDS[1])],
)
def test_resolve_unique_prefix(wanted: str, expected: str) -> None:
    assert articles.match_id(wanted, IDS) == expected


@pytest.mark.parametrize(
    ("wanted", "message"), [("00", "ambiguous.*000_.*003_"), ("9", "no article"), ("", "no article")]
)
def test_resolve_rejects_unknown_and_ambiguous(wanted: str, message: str) -> None:
    with pytest.raises(UnknownIdError, match=message):
        articles.match_id(wanted, IDS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-12-20", dt.date(2025, 12, 20)),
        ("2025-12-20T10:00:00+06:00", dt.date(2025, 12, 20)),
        ("20 December 2025", dt.date(2025, 12, 20)),
        ("December 20, 2025", dt.date(2025, 12, 20)),
    ],
)
def test_parse_date_forms(text: str, expected: dt.date) -> None:
    assert articles.parse_date(text) == expected


def test_scan_survives_symlink_loops_and_follows_linked_folders(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("x")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "y.md").write_text("y")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a").symlink_to(tmp_path / "a")
    (corpus / "b").symlink_to(tmp_path / "elsewhere")
    files, _ = articles.scan_corpus(corpus)
    assert [f.rel for f in files] == ["a/x.txt", "b/y.md"]


@pytest.mark.parametrize(
    ("text", "encoding", "named"),
    [
        ("Президент Токаев прибыл в Токио с официальным визитом. Переговоры прошли успешно.", "cp1251", "cp1251"),
        ("Le président est arrivé à Tokyo. Les négociations ont été très fructueuses.", "latin-1", "cp1252"),
        ("Judo in Almaty and Tokyo.", "utf-16", None),
    ],
)
def test_other_encodings_are_detected_and_named(text: str, encoding: str, named: str | None) -> None:
    warnings: list[str] = []
    assert articles.decode(text.encode(encoding), warnings) == text
    assert warnings == ([f"not UTF-8; decoded as {named}"] if named else [])


# --- kzjp's own format, written and read back ------------------------------------------

_NO_CONTROLS = st.characters(blacklist_categories=("Cs", "Cc"))
ONE_LINE = st.text(_NO_CONTROLS, min_size=1, max_size=80).map(lambda t: " ".join(t.split())).filter(bool)
TOKEN = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=40).filter(
    lambda t: not any(c.isspace() for c in t)
)
BODY = (
    st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t"), min_size=1, max_size=400)
    .map(str.strip)
    .filter(bool)
)
TRICKY_BODIES = [
    "date 2025-12-20 Tokayev arrived in Tokyo.",
    "---\ntitle: not front matter\n---\nStill the body.",
    "# A heading that is not the title\n\nText.",
    '"Quoted," he said.',
]


@settings(deadline=None)  # the first non-English text loads the language identifier
@given(
    title=ONE_LINE,
    date=st.none() | st.dates(),
    source=st.none() | ONE_LINE,
    url=st.none() | TOKEN,
    lang=st.none() | TOKEN,
    body=BODY | st.sampled_from(TRICKY_BODIES),
    suffix=st.sampled_from([".md", ".txt"]),
)
def test_any_article_survives_write_then_parse(
    title: str, date: dt.date | None, source: str | None, url: str | None, lang: str | None, body: str, suffix: str
) -> None:
    article = articles.Article(id="a", title=title, date=date, source=source, url=url, lang=lang, body=body, path="a")
    back = articles.parse_article(articles.write_article(article), id="a", path="a", suffix=suffix)
    assert (back.title, back.date, back.source, back.url, back.body) == (title, date, source, url, body)
    assert back.lang == (languages.normalize(lang) or languages.detect(f"{title}\n{body}"))
    assert back.warnings == []


def test_written_articles_read_as_people_write_them() -> None:
    article = articles.Article(
        id="x",
        title="Tokayev meets Takaichi",
        date=dt.date(2025, 12, 19),
        url="https://example.org/x",
        lang="en",
        body="Text.",
    )
    assert articles.write_article(article) == (
        "---\ntitle: Tokayev meets Takaichi\ndate: 2025-12-19\nurl: https://example.org/x\nlang: en\n---\nText.\n"
    )
    quoted = articles.write_article(articles.Article(id="q", title='"Open doors"', body="Text."))
    assert quoted.startswith('---\ntitle: ""Open doors""\n---\n')


def test_the_field_list_is_the_articles_fields_in_output_order() -> None:
    assert list(articles.FIELDS) == [
        "id",
        "title",
        "date",
        "source",
        "url",
        "lang",
        "words",
        "fetched",
        "path",
        "body",
        "hash",
        "text_key",
        "minhash",
    ]
    record = articles.Article(id="a", title="T", body="B", path="/p").to_record(body=True)
    assert list(record) == ["id", "title", "date", "source", "url", "lang", "words", "fetched", "path", "body"]
    metadata = articles.Article(id="a", title="T", date=dt.date(2024, 1, 2), url="u", body="B", hash="h").metadata()
    assert metadata == {
        "id": "a",
        "title": "T",
        "date": "2024-01-02",
        "source": None,
        "url": "u",
        "lang": None,
        "words": 0,
        "fetched": None,
        "hash": "h",
        "text_key": "",
        "minhash": "",
    }
    assert articles.Article.from_metadata(metadata, path="/p") == articles.Article(
        id="a", title="T", date=dt.date(2024, 1, 2), url="u", hash="h", path="/p"
    )


ENCODED = [
    ("The deal is worth £15.8m, officials said.", "cp1252"),
    ("“Kazakhstan and Japan” agreed – said the €5bn fund manager.", "cp1252"),
    ("Казахстан и Япония подписали соглашение о сотрудничестве в Астане.", "cp1251"),
    ("Казахстан и Япония подписали соглашение о сотрудничестве в Астане.", "koi8_r"),
    ("Правительство Японии выделит грант на поставку оборудования для больниц.", "koi8_r"),
    ("日本とカザフスタンはウラン供給で新たな合意に署名した。", "shift_jis"),
    ("東京で開かれた会合には中央アジア５か国の外相が出席した。", "euc_jp"),
    ("Tokyo and Astana signed it.", "utf-16"),
]


@pytest.mark.parametrize(("text", "encoding"), ENCODED)
def test_undeclared_encodings_of_short_news_texts(text: str, encoding: str) -> None:
    """charset-normalizer alone read a short KOI8-R text as Shift_JIS (half-width katakana)."""
    warnings: list[str] = []
    assert articles.decode(text.encode(encoding), warnings) == text
    assert encoding == "utf-16" or warnings[0].startswith("not UTF-8; decoded as ")


@pytest.mark.parametrize("name", ["page.html", "page.txt", "page.md"])
def test_every_route_reads_a_page_as_its_story(tmp_path: Path, name: str) -> None:
    """The one reader: a saved page is read as its story whatever its name, in the corpus, as a summarize
    target, from stdin and as kzjp add's file."""
    body = "The ferry terminal at Kuryk will be built with Japanese help, officials said on Monday. " * 3
    html = (
        "<!DOCTYPE html><html lang='en'><head><title>Kuryk ferry</title></head><body><nav>Home</nav>"
        f"<article><h1>Kuryk ferry terminal</h1><p>{body}</p></article></body></html>"
    )
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    from kzjp_cli import targets

    found = [
        read(path),
        articles.from_file(path),
        targets.from_stdin(html),
        articles.from_bytes(html.encode(), id="x", path="x", suffix=""),
    ]
    for article in found:
        assert article.title == "Kuryk ferry terminal"
        assert (
            article.body.startswith("The ferry terminal at Kuryk")
            and "<" not in article.body
            and "Home" not in article.body
        )


def test_a_lone_high_byte_in_english_text_is_windows_1252_not_japanese() -> None:
    """Issue 29: a long English article with one £ in Windows-1252 was read as Shift_JIS (£ -> ｣)."""
    import random

    pick = random.Random(1)
    words = "the company said profits rose in the year to march while sales of its products in europe fell".split()
    paragraphs = [" ".join(pick.choice(words) for _ in range(60)).capitalize() + "." for _ in range(12)]
    paragraphs[3] += " It earned £15.8m in the period."
    text = "Profits up at UK retailer\n\n" + "\n\n".join(paragraphs)
    warnings: list[str] = []
    assert articles.decode(text.encode("cp1252"), warnings) == text
    assert warnings == ["not UTF-8; decoded as cp1252"]
    japanese = "日本とカザフスタンはウラン供給で合意した。Tokyo and Astana signed the deal on Monday, officials said."
    assert articles.decode(japanese.encode("shift_jis"), []) == japanese, "Japanese with English in it stays Japanese"
