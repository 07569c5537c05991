"""README stays true: every command documented, CI runs its test command, code is lint-clean."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kzjp_cli import locations
from kzjp_cli.cli import cli

ROOT = locations.CHECKOUT_DIR
README = (ROOT / "README.md").read_text(encoding="utf-8")
TEST_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/pytest"


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_documented(command: str) -> None:
    assert f"### `kzjp {command}" in README
    assert cli.commands[command].help


def test_ci_runs_the_readme_test_command() -> None:
    assert f"\n{TEST_COMMAND}\n" in README
    assert f"\n{TEST_COMMAND}\n" in (ROOT / ".ci" / "run").read_text()


def test_readme_quick_start_installs_and_searches() -> None:
    assert "\npython3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/kzjp search " in README


@pytest.mark.parametrize("args", [["check"], ["format", "--check"]])
def test_ruff_is_clean(args: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", "ruff", *args, str(ROOT)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
