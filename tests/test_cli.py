"""The command line through CliRunner: formats, exit codes, errors, stdin, colour."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from kzjp_cli import __version__
from kzjp_cli.cli import cli

from .conftest import Run, WriteCorpus, generate

ARTICLE_FIELDS = ["id", "title", "date", "source", "url", "lang", "words", "fetched", "path"]
HIT_FIELDS = ["rank", *ARTICLE_FIELDS, "score", "snippet", "story", "also"]


def test_version(run: Run) -> None:
    result = run("--version")
    assert result.exit_code == 0 and result.stdout == f"kzjp {__version__}\n"


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_examples(run: Run, command: str) -> None:
    result = run(command, "-h")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and f"kzjp {command}" in result.stdout


def test_search_text(run: Run, corpus: Path) -> None:
    result = run("search", "customs")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("1. aktau  2025-11-03  en  score ")
    assert lines[1] == "   Japan joins customs upgrade at the Port of Aktau"
    assert "customs procedures" in lines[2]
    assert "\x1b[" not in result.stdout, "no colour when stdout is not a terminal"
    assert result.stderr == f"kzjp: building the index of 4 articles in {corpus.parent / 'index'}\n"


def test_search_json_and_jsonl(run: Run, corpus: Path) -> None:
    hits = json.loads(run("search", "Almaty", "-f", "json").stdout)
    assert [h["id"] for h in hits] and sorted(h["id"] for h in hits) == ["judo", "nodate"]
    assert list(hits[0]) == HIT_FIELDS
    assert {h["date"] for h in hits} == {"2024-06-15", None}
    lines = run("search", "Almaty", "-f", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == hits


@pytest.mark.parametrize(("fmt", "delimiter"), [("csv", ","), ("tsv", "\t")])
def test_search_csv_tsv(run: Run, corpus: Path, fmt: str, delimiter: str) -> None:
    result = run("search", "Kazakhstan OR Tokyo", "-f", fmt)
    rows = list(csv.DictReader(io.StringIO(result.stdout), delimiter=delimiter))
    assert list(rows[0]) == HIT_FIELDS
    assert sorted(r["id"] for r in rows) == ["judo", "nodate", "sub/visit"]
    assert all(float(r["score"]) > 0 for r in rows)


def test_search_ids_limit_count(run: Run, corpus: Path) -> None:
    assert run("search", "Kazakhstan OR Japan OR Tokyo", "-f", "ids", "-n", "2").stdout.count("\n") == 2
    result = run("search", "Almaty", "--count")
    assert (result.exit_code, result.stdout) == (0, "2\n")


def test_search_since_until_sort(run: Run, corpus: Path) -> None:
    assert run("search", "Kazakhstan OR Japan", "--since", "2025", "-f", "ids").stdout == "aktau\n"
    assert run("search", "Kazakhstan OR Japan", "--until", "2024-06", "-f", "ids").stdout == "judo\n"
    by_date = run("search", "Kazakhstan OR Japan OR Tokyo", "--sort", "date", "-f", "json").stdout
    assert [h["id"] for h in json.loads(by_date)][:2] == ["aktau", "judo"]


def test_query_from_stdin(run: Run, corpus: Path) -> None:
    result = run("search", "-", "-f", "ids", input='"Port of Aktau"\n')
    assert (result.exit_code, result.stdout) == (0, "aktau\n")


def test_no_hits_exit_1_with_suggestion(run: Run) -> None:
    result = run("search", "Tokaev")  # bundled corpus
    assert (result.exit_code, result.stdout) == (1, "")
    assert "Did you mean: tokayev" in result.stderr
    counted = run("search", "Tokaev", "--count")
    assert (counted.exit_code, counted.stdout) == (1, "0\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "the"], "Error: nothing to search for in 'the'"),
        (["search", "date:2025-13-45"], "Error: bad query 'date:2025-13-45': '2025-13-45' is not a date"),
        (["search", "x", "--since", "2025-13-45"], "Error: Invalid value for '--since': '2025-13-45' is not a date"),
        (["search", "x", "-n", "-3"], "Error: Invalid value for '-n' / '--limit'"),
        (["search", "x", "-f", "xml"], "Error: Invalid value for '-f' / '--format'"),
        (["search", "-"], "Error: the query is empty"),
        (["show", "zzz"], "Error: no article with id 'zzz'"),
        (["show", "00"], "Error: id prefix '00' is ambiguous: it matches 000_26794fffe5e8f9f3, 003_34a9f69a9f2f84be"),
        (["list", "--corpus", "/nonexistent/kzjp"], "Error: corpus folder /nonexistent/kzjp does not exist"),
        (["search"], "Error: Missing argument 'QUERY...'"),
        (["frobnicate"], "Error: No such command 'frobnicate'"),
    ],
)
def test_user_errors_are_one_line_exit_2(run: Run, args: list[str], message: str) -> None:
    run("index", "-q")
    result = run(*args, input="")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_list_show_and_search_print_the_same_fields_and_values(run: Run, corpus: Path) -> None:
    """aktau.md's front matter has url: and lang:, which list used to print as null."""
    listed = next(r for r in json.loads(run("list", "-f", "json").stdout) if r["id"] == "aktau")
    shown = json.loads(run("show", "aktau", "-f", "json").stdout)
    hit = json.loads(run("search", "customs", "-f", "json").stdout)[0]
    assert listed == {k: v for k, v in shown.items() if k != "body"} == {k: hit[k] for k in ARTICLE_FIELDS}
    assert (listed["url"], listed["lang"], listed["source"]) == ("https://example.org/aktau", "en", "Astana Times")
    assert listed["words"] == len(shown["body"].split()) == 37
    row = next(csv.DictReader(io.StringIO(run("list", "-f", "csv").stdout)))
    assert (row["url"], row["lang"]) == ("https://example.org/aktau", "en")
    text = run("show", "aktau").stdout.splitlines()
    assert text[3:8] == [
        "source: Astana Times",
        "url:    https://example.org/aktau",
        "lang:   en",
        "words:  37",
        f"path:   {corpus / 'aktau.md'}",
    ]


def test_list_formats(run: Run, corpus: Path) -> None:
    text = run("list").stdout.splitlines()
    assert text[0].split() == ["ID", "DATE", "LANG", "WORDS", "TITLE"]
    assert text[1].split()[:4] == ["aktau", "2025-11-03", "en", "37"]
    rows = json.loads(run("list", "-f", "json").stdout)
    assert [r["id"] for r in rows] == ["aktau", "judo", "nodate", "sub/visit"]
    assert rows[3]["title"] == "Tokayev meets Takaichi in Tokyo"
    assert list(rows[0]) == ARTICLE_FIELDS
    assert run("list", "--sort", "date", "-n", "3", "-f", "ids").stdout == "aktau\njudo\nnodate\n"
    rows = list(csv.DictReader(io.StringIO(run("list", "-f", "csv").stdout)))
    assert rows[1]["date"] == "2024-06-15" and rows[2]["date"] == ""


def test_show_text_and_json(run: Run) -> None:
    text = run("show", "000").stdout
    assert text.startswith("id:     000_26794fffe5e8f9f3\n")
    assert "date:   2025-12-20" in text and "Emperor Naruhito" in text
    record = json.loads(run("show", "003", "-f", "json").stdout)
    assert record["id"] == "003_34a9f69a9f2f84be" and record["date"] is None
    assert record["body"].startswith("He argued") and record["words"] == 554
    several = json.loads(run("show", "000", "003", "-f", "json").stdout)
    assert [r["id"] for r in several] == ["000_26794fffe5e8f9f3", "003_34a9f69a9f2f84be"]


def test_ids_pipe_into_show(run: Run, corpus: Path) -> None:
    ids = run("search", "Almaty", "-f", "ids").stdout.split()
    shown = run("show", *ids, "-f", "jsonl").stdout.splitlines()
    assert [json.loads(line)["id"] for line in shown] == ids


def test_index_command_reports_counts(run: Run, corpus: Path) -> None:
    first = run("index")
    assert first.exit_code == 0 and first.stdout == ""
    assert first.stderr.startswith("kzjp: built the index of 4 articles (0 skipped)")
    (corpus / "new.txt").write_text("Astana and Osaka sign a memorandum.")
    (corpus / "judo.txt").unlink()
    second = run("index")
    assert "updated the index: 1 added, 0 changed, 1 removed, 0 skipped; 4 articles" in second.stderr
    assert "the index is up to date: 4 articles" in run("index").stderr
    assert run("index", "--rebuild", "--jobs", "2", "-q").stderr == ""
    assert run("search", "memorandum", "-f", "ids").stdout == "new\n"


def test_refresh_notice_on_read(run: Run, corpus: Path) -> None:
    run("index", "-q")
    (corpus / "new.txt").write_text("Astana and Osaka sign a memorandum.")
    result = run("search", "memorandum", "-f", "ids")
    assert result.stdout == "new\n"
    assert result.stderr == "kzjp: index refreshed: 1 added, 0 changed, 0 removed\n"
    assert run("search", "memorandum", "-q").stderr == ""


def test_colour_always_and_never(run: Run, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    coloured = run("--color", "always", "search", "customs").stdout
    assert "\x1b[31m\x1b[1mcustoms\x1b[0m" in coloured
    assert "\x1b[" not in run("--color", "never", "search", "customs").stdout


def test_terminal_escapes_in_articles_never_reach_stdout(run: Run, write_corpus, monkeypatch) -> None:
    root = write_corpus({"evil.md": "---\ntitle: Bad \x1b]0;pwned\x07title\n---\nText \x1b[2J with Aktau."})
    monkeypatch.setenv("KZJP_CORPUS", str(root))
    for args in (["search", "Aktau"], ["list"], ["show", "evil"]):
        assert "\x1b" not in run(*args).stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("term", "no_color", "coloured"), [("xterm", None, True), ("dumb", None, False), ("xterm", "1", False)]
)
def test_colour_only_on_a_terminal_that_has_it(term: str, no_color: str | None, coloured: bool) -> None:
    import os
    import pty
    import subprocess

    from .conftest import KZJP

    env = {**os.environ, "TERM": term}
    env.pop("NO_COLOR", None)
    if no_color:
        env["NO_COLOR"] = no_color
    main, secondary = pty.openpty()
    done = subprocess.run([KZJP, "list"], stdout=secondary, stderr=subprocess.DEVNULL, env=env, timeout=120)
    os.close(secondary)
    shown = os.read(main, 65536)
    os.close(main)
    assert done.returncode == 0 and b"000_" in shown
    assert (b"\x1b[" in shown) is coloured


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["search", "-"],
        ["timeline", "-"],
        ["stories", "-"],
        ["brief", "-"],
        ["summarize", "-"],
        ["add", "-"],
        ["summarize", "--ids-from", "-"],
    ],
)
def test_stdin_that_is_a_terminal_is_refused(args: list[str]) -> None:
    import os
    import pty
    import subprocess

    from .conftest import KZJP

    main, secondary = pty.openpty()
    done = subprocess.run([KZJP, *args], stdin=secondary, capture_output=True, text=True, timeout=60)
    os.close(secondary)
    os.close(main)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("Error: - reads ") and "which is a terminal here; pipe it in" in done.stderr


@pytest.mark.parametrize(("fmt", "expected"), [("json", "[]\n"), ("jsonl", ""), ("ids", ""), ("text", "")])
def test_no_hits_in_every_format(run: Run, fmt: str, expected: str) -> None:
    done = run("search", "zzzqqq", "-f", fmt, "-q", "--no-aliases")
    assert (done.exit_code, done.stdout) == (1, expected)


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_no_hits_in_csv_and_tsv_is_the_header(run: Run, fmt: str) -> None:
    done = run("search", "zzzqqq", "-f", fmt, "-q", "--no-aliases")
    separator = "," if fmt == "csv" else "\t"
    assert done.exit_code == 1 and done.stdout == separator.join(HIT_FIELDS) + "\n"


def test_stats(run: Run, corpus: Path) -> None:
    (corpus / "empty.txt").write_text("")
    done = run("stats", "-f", "json", "-q")
    stats = json.loads(done.stdout)
    assert done.exit_code == 0
    assert (stats["articles"], stats["undated"], stats["first"], stats["last"]) == (4, 2, "2024-06-15", "2025-11-03")
    assert stats["languages"] == {"en": 4} and stats["years"] == {"2024": 1, "2025": 1}
    assert stats["sources"] == {"Astana Times": 1} and stats["skipped"] == 1 and stats["index_bytes"] > 0
    assert stats["words"] == sum(a["words"] for a in json.loads(run("list", "-f", "json", "-q").stdout))
    text = run("stats", "-q").stdout.splitlines()
    assert text[1] == "articles:  4 (1 file(s) skipped)" and text[4] == "languages: en 4"


@pytest.fixture
def many(tmp_path: Path) -> list[str]:
    """Options that point the CLI at 120 generated articles."""
    corpus = generate(tmp_path / "many", 120, seed=4)
    return ["--corpus", str(corpus), "--index", str(tmp_path / "many-ix")]


@pytest.mark.slow
def test_search_pages_and_says_how_many_match(run: Run, many: list[str]) -> None:
    """Issue 15, point 8: the total beside the hits, --offset and --all."""
    every = run("search", "hydrogen", "--all", "-f", "ids", *many).stdout.split()
    total = int(run("search", "hydrogen", "--count", *many).stdout)
    assert len(every) == total > 12
    first = run("search", "hydrogen", "-n", "5", "-f", "ids", *many)
    assert first.stdout.split() == every[:5]
    assert first.stderr == f"kzjp: hits 1–5 of {total}; --offset 5 shows the next 5, --all every one\n"
    page = run("search", "hydrogen", "-n", "5", "--offset", "5", "-f", "json", *many)
    assert [(h["rank"], h["id"]) for h in json.loads(page.stdout)] == list(enumerate(every[5:10], start=6))
    last = run("search", "hydrogen", "--offset", str(total - 2), "-f", "ids", *many)
    assert last.stdout.split() == every[-2:]
    assert last.stderr == f"kzjp: hits {total - 1}–{total} of {total}\n"
    past = run("search", "hydrogen", "--offset", str(total), *many)
    assert (past.exit_code, past.stdout) == (1, "")
    assert past.stderr == f"kzjp: {total} match(es) in all; --offset {total} is past them\n"
    assert run("search", "hydrogen", "--all", "-q", *many).stderr == ""
    assert run("search", "hydrogen", "-n", "3", "-q", *many).stderr == ""


def test_fields_choose_the_columns(run: Run, many: list[str]) -> None:
    rows = list(
        csv.reader(io.StringIO(run("search", "hydrogen", "-n", "2", "-f", "csv", "--fields", "id,rank", *many).stdout))
    )
    assert rows[0] == ["id", "rank"] and [r[1] for r in rows[1:]] == ["1", "2"]
    assert run("search", "zzzqqq", "-f", "tsv", "--fields", "id,title", *many).stdout == "id\ttitle\n"
    assert list(json.loads(run("list", "-n", "1", "-f", "json", "--fields", "title,id", *many).stdout)[0]) == [
        "title",
        "id",
    ]
    record = json.loads(run("similar", "000/a000001", "-n", "1", "-f", "jsonl", "--fields", "id,score", *many).stdout)
    assert list(record) == ["id", "score"]
    for args, message in [
        (["search", "hydrogen", "--fields", "id"], "--fields goes with -f json, jsonl, csv or tsv"),
        (["search", "hydrogen", "-f", "json", "--fields", "id,bogus"], "no field 'bogus'; the fields are rank, id"),
        (["search", "hydrogen", "--all", "-n", "3"], "--all shows every hit; leave out --limit"),
    ]:
        done = run(*args, *many)
        assert done.exit_code == 2 and done.stderr.startswith(f"Error: {message}"), done.stderr


def test_show_and_summarize_in_flat_formats(run: Run) -> None:
    rows = list(csv.DictReader(io.StringIO(run("show", "000", "003", "-f", "csv", "--fields", "id,title,body").stdout)))
    assert [r["id"] for r in rows] == ["000_26794fffe5e8f9f3", "003_34a9f69a9f2f84be"] and "Naruhito" in rows[0]["body"]
    assert run("show", "003", "000", "-f", "ids").stdout == "003_34a9f69a9f2f84be\n000_26794fffe5e8f9f3\n"
    table = run("summarize", "000", "003", "-n", "2", "-f", "tsv").stdout.splitlines()
    assert table[0] == "summary\tid\tindex\ttext\tmethod\ttitle" and len(table) == 5
    assert all(line.split("\t")[4] == "reduction" for line in table[1:])
    assert (
        run("summarize", "000", "003", "-n", "2", "-f", "ids").stdout == "000_26794fffe5e8f9f3\n003_34a9f69a9f2f84be\n"
    )
    combined = list(csv.DictReader(io.StringIO(run("summarize", "--combine", "000", "003", "-f", "csv").stdout)))
    assert {r["summary"] for r in combined} == {"combined"} and len(combined) == 3


def test_tables_line_up_after_japanese_text(write_corpus: WriteCorpus, tmp_path: Path, run: Run) -> None:
    """East Asian wide characters take two columns: the columns after a Japanese id or topic still line up."""
    from kzjp_cli.output import columns, pad

    assert columns("カザフスタン") == 12 and columns("Astana") == 6 and pad("日本", 5) == "日本 "
    corpus = write_corpus(
        {
            "カザフスタン.md": "---\ntitle: 日本とカザフスタン\ndate: 2025-12-01\nlang: ja\n---\n"
            "日本とカザフスタンは協力する。\n",
            "astana.md": "---\ntitle: Astana\ndate: 2025-12-02\n---\nAstana hosts the talks.\n",
        }
    )
    lines = run("list", "--corpus", str(corpus), "--index", str(tmp_path / "ix"), "-q").stdout.splitlines()
    dates = {columns(line[: line.index("2025-")]) for line in lines[1:]}
    assert len(dates) == 1, lines
