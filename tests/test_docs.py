"""The docs stay true: every command in README and in the reference, CI runs README's test command, the
links lead somewhere, the code is lint-clean."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from kzjp_cli import locations
from kzjp_cli.cli import cli

ROOT = locations.CHECKOUT_DIR
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
TEST_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/pytest"


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_documented(command: str) -> None:
    assert f"## `kzjp {command}" in COMMANDS, "the reference has a section for it"
    assert re.search(rf"\n\$ kzjp {command}\b", README), "README has an example of it"
    assert cli.commands[command].help and "Examples:" in cli.commands[command].help


def test_every_option_is_in_the_reference() -> None:
    for name, command in sorted(cli.commands.items()):
        section = COMMANDS.split(f"## `kzjp {name}", 1)[1].split("\n## ", 1)[0]
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt not in ("--help",):
                    assert opt in section or opt in COMMANDS.split("## `kzjp", 1)[0], f"kzjp {name} {opt}"


def test_readme_is_short_and_its_links_lead_somewhere() -> None:
    assert README.count("\n") <= 200
    for document in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench" / "README.md"]:
        text = document.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", text):
            assert (document.parent / target).is_file(), f"{document.name} links to {target}"


def test_ci_runs_the_readme_test_command() -> None:
    assert f"\n{TEST_COMMAND}\n" in README
    assert f"\n{TEST_COMMAND}\n" in (ROOT / ".ci" / "run").read_text()


def test_readme_quick_start_installs_and_searches() -> None:
    assert "\npython3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/kzjp search " in README


@pytest.mark.parametrize("args", [["check"], ["format", "--check"]])
def test_ruff_is_clean(args: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", "ruff", *args, str(ROOT)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
