"""Issue 14, tried as a hostile user would: every case ends in a result or one clear line, never a traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from kzjp_cli import search
from kzjp_cli.cli import EXIT_BUG, cli

from .conftest import KZJP, Run


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["summarize", "000", "--ratio", "nan"], "'nan' is not a number"),
        (["summarize", "000", "--ratio", "inf"], "--ratio"),
        (["add", "x", "--timeout", "nan"], "'nan' is not a number"),
        (["search", "path:corpus", "-q"], "'path' is not a field you can search"),
        (["search", "foo:bar", "-q"], "'foo' is not a field you can search; the fields are title, body"),
        (["-q", "search", "x"], "-q goes after the command (kzjp search -q …)"),
        (["--bogus"], "No such option '--bogus'; see 'kzjp --help'"),
        (["--corpus", "x", "list"], "--corpus goes after the command (kzjp list --corpus …)"),
    ],
)
def test_bad_values_get_one_error_line(run: Run, args: list[str], message: str) -> None:
    done = run(*args)
    assert done.exit_code == 2 and done.stdout == ""
    assert done.stderr.startswith("Error: ") and message in done.stderr and done.stderr.count("\n") == 1


def test_quoted_field_names_and_addresses_are_text(run: Run) -> None:
    assert run("search", '"foo:bar"').exit_code == 1
    assert run("search", "https://astanatimes.com").exit_code in (0, 1)
    assert run("search", "title:Asia").exit_code == 0


def test_an_id_list_that_is_not_utf8(run: Run) -> None:
    done = CliRunner().invoke(cli, ["summarize", "--ids-from", "-"], input=b"000\n\xff\xfe\n")
    assert (done.exit_code, done.stderr) == (2, "Error: line 2 of the id list is not UTF-8 text\n")


def test_an_internal_error_has_its_own_exit_status_and_one_line(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something kzjp did not expect")

    monkeypatch.setattr(search, "search", broken)
    monkeypatch.delenv("KZJP_DEBUG")
    done = run("search", "Tokyo", "-q")
    assert done.exit_code == EXIT_BUG == 70 and done.stdout == ""
    assert done.stderr.startswith("Error: internal error (RuntimeError: something kzjp did not expect); this is a bug")
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    with pytest.raises(RuntimeError):
        run("--debug", "search", "Tokyo")
    monkeypatch.setenv("KZJP_DEBUG", "1")
    with pytest.raises(RuntimeError):
        run("search", "Tokyo")


def test_usage_errors_before_the_command_in_a_real_process() -> None:
    done = subprocess.run([KZJP, "-q", "search", "x"], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "Error: -q goes after the command (kzjp search -q …); see 'kzjp search --help'\n"


@pytest.mark.parametrize("marker", [b'{"format": "kzjp-index", "sche', b"", b"[1, 2]", b"\xff\xfe garbage"])
def test_a_damaged_marker_never_blocks_a_rebuild(run: Run, corpus: Path, tmp_path: Path, marker: bytes) -> None:
    assert run("index", "-q").exit_code == 0
    (tmp_path / "index" / "kzjp-index.json").write_bytes(marker)
    done = run("search", "Aktau", "-f", "ids")
    assert (done.exit_code, done.stdout) == (0, "aktau\n")
    assert "the index is damaged (its marker kzjp-index.json is not" in done.stderr
    (tmp_path / "index" / "kzjp-index.json").write_bytes(marker)
    assert run("index", "--rebuild", "-q").exit_code == 0
    assert run("search", "Aktau", "-f", "ids", "-q").stdout == "aktau\n"


def test_file_names_that_are_not_utf8_or_hold_a_line_break(run: Run, corpus: Path) -> None:
    """Every other article stays searchable; the odd names are skipped with a warning showing them escaped."""
    import os

    os.close(os.open(os.fsencode(corpus) + b"/bad\xff.txt", os.O_CREAT | os.O_WRONLY))
    (corpus / "new\nline.txt").write_text("Aktau port news.")
    (corpus / "gone.txt").symlink_to(corpus / "nowhere.txt")
    first = run("search", "Aktau", "-f", "ids")
    assert (first.exit_code, first.stdout) == (0, "aktau\n")
    assert f"Warning: {corpus}/bad\\xff.txt: skipped: its name is not UTF-8" in first.stderr
    assert f"Warning: {corpus}/new\\x0aline.txt: skipped: its name has a control character" in first.stderr
    assert f"Warning: {corpus}/gone.txt: skipped" in first.stderr
    again = run("list", "-f", "ids")  # the index is current: nothing is said again
    assert again.stderr == "" and again.stdout.split() == ["aktau", "judo", "nodate", "sub/visit"]
    assert run("index").stderr.count("Warning: ") == 3  # kzjp index says it every time
    ids = run("list", "-f", "ids").stdout
    assert run("summarize", "--ids-from", "-", "-n", "1", input=ids).exit_code == 0
