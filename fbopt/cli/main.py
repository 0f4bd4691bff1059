"""The `fbopt` command group. Subcommands load lazily so `fbopt --help` stays fast.

Not for any command's options or logic: those live in one module per command.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

import click

from fbopt import __version__

# name -> "module:attribute"; add a command here when it works, never before.
COMMANDS = {
    "generate": "fbopt.cli.generate:generate_cmd",
    "benchmark": "fbopt.cli.benchmark:benchmark_cmd",
    "enhance": "fbopt.cli.enhance:enhance_cmd",
    "learn": "fbopt.cli.learn:learn_cmd",
    "predict": "fbopt.cli.predict:predict_cmd",
    "history": "fbopt.cli.history:history_cmd",
    "dashboard": "fbopt.cli.dashboard:dashboard_cmd",
}


class LazyGroup(click.Group):
    """Imports a subcommand's module only when that command is listed or run."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attr = target.split(":")
        command: Any = getattr(import_module(module), attr)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="fbopt")
def cli() -> None:
    """fbopt: ready-to-post Facebook drafts from a file of topics, scored, improved and
    predicted.

    \b
    Works offline with no API keys (the built-in `offline` provider); set OPENAI_API_KEY,
    ANTHROPIC_API_KEY, CO_API_KEY or GEMINI_API_KEY to use those models.

    \b
    Example:
      fbopt generate sample_data/topics.csv
    """
