"""Docs stay honest: every command has help with an example and is in the README."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from fbopt.cli.main import COMMANDS, cli
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_documented(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output
    assert f"fbopt {name}" in README


def test_readme_commands() -> None:
    assert "make demo" in README and "make test" in README
