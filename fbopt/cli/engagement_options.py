"""Options `learn` and `predict` share: which columns hold the text, time and page, where the
model file is, and the device.

Not for either command's own options.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def engagement_options(func: F) -> F:
    """--text-column, --time-column, --page-column, --model-path, --device."""
    options = [
        click.option("--text-column", default=None, metavar="NAME",
                     help="Column holding the post's text (default: detected; text is "
                          "optional, the other features still work without it)."),
        click.option("--time-column", default=None, metavar="NAME",
                     help="Column holding when it was posted (default: detected)."),
        click.option("--page-column", default=None, metavar="NAME",
                     help="Column naming the page (default: detected)."),
        click.option("--model-path", type=click.Path(dir_okay=False, path_type=Path),
                     default=None,
                     help="Model file (config engagement.model_path; default "
                          "FBOPT_HOME/models/engagement.pt)."),
        click.option("--device", default=None, metavar="DEVICE",
                     help="auto, cpu, cuda or cuda:N (config engagement.device; default "
                          "auto: CUDA when present)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func
