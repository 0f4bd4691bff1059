"""The options that steer LLM calls (--provider, --model, --concurrency, --max-cost, the cache
flags), bundled as one decorator that hands the command a dict of config overrides.

Not for calling anything: the overrides go to fbopt.config.load_config.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

LLM_HELP = (
    "Providers: with OPENAI_API_KEY, ANTHROPIC_API_KEY, CO_API_KEY or GEMINI_API_KEY (or "
    "GOOGLE_API_KEY) set, each post goes to the catalog model (configs/models.toml) that best "
    "fits its content type, quality_requirement, budget and urgency; the row says which and why "
    "(model, provider, content_type, prompt_variant, selection_reason). With no key, the "
    "built-in offline composer writes every post. OPENAI_BASE_URL (or providers.openai.base_url "
    "in the config) points `openai` at any OpenAI-compatible server. A call that still fails "
    "after retries gives a row with status=failed and an error; the run goes on (exit status 3)."
)

# option name -> config key
_KEYS = {"provider": "llm.provider", "model": "llm.model", "concurrency": "llm.concurrency",
         "max_cost": "llm.max_cost", "timeout": "llm.timeout", "cache_dir": "cache.dir",
         "semantic_cache": "cache.semantic_threshold"}


def llm_options(func: F) -> F:
    """Adds the options; the command receives them as `llm_settings` (config key -> value)."""
    options = [
        click.option("--provider", type=click.Choice(
            ["openai", "anthropic", "cohere", "gemini", "offline"], case_sensitive=False),
            help="Send every post to this provider (its best catalog model per post)."),
        click.option("--model", metavar="NAME",
                     help="Send every post to this catalog model (see configs/models.toml)."),
        click.option("--concurrency", type=click.IntRange(1, 1024),
                     help="Calls in flight at once (default 16)."),
        click.option("--max-cost", type=click.FloatRange(0), metavar="USD",
                     help="Hard cap on spend for the run; posts that could cross it get "
                          "status=skipped_budget."),
        click.option("--timeout", type=click.FloatRange(0.1), metavar="SECONDS",
                     help="Per-call timeout (default 60); timed-out calls are retried."),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the post cache."),
        click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
                     help="Post cache folder (default FBOPT_HOME/cache/posts)."),
        click.option("--semantic-cache", type=click.FloatRange(0, 1), metavar="THRESHOLD",
                     help="Reuse a cached post for a near-duplicate topic (same model and "
                          "audience) at this similarity (0-1, e.g. 0.9); marked cache=semantic."),
    ]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        settings = {key: kwargs.pop(name) for name, key in _KEYS.items()}
        settings = {k: (str(v) if isinstance(v, Path) else v) for k, v in settings.items()
                    if v is not None}
        if kwargs.pop("no_cache"):
            settings["cache.enabled"] = False
        return func(*args, llm_settings=settings, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]
