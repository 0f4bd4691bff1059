"""Options shared by the commands that score posts (enhance, generate): the grammar backend.

Not for the commands' own options.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def grammar_options(func: F) -> F:
    """--grammar-backend and --languagetool-url, passed on as config overrides."""
    options = [
        click.option("--grammar-backend", type=click.Choice(["harper", "languagetool"]),
                     default=None,
                     help="Grammar checker (config quality.grammar_backend; default harper, "
                          "offline). languagetool needs --languagetool-url or a local install."),
        click.option("--languagetool-url", default=None, metavar="URL",
                     help="A LanguageTool server, e.g. http://localhost:8010 "
                          "(config quality.languagetool_url)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def grammar_overrides(grammar_backend: str | None, languagetool_url: str | None
                      ) -> dict[str, Any]:
    url_alone = languagetool_url and grammar_backend is None
    return {"quality.grammar_backend": "languagetool" if url_alone else grammar_backend,
            "quality.languagetool_url": languagetool_url}
