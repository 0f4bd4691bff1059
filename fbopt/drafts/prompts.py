"""The prompt book: the system prompt and the prompt variants per content type from
`configs/prompts.toml`, filled for one post, with the variant picked by Thompson sampling.

Not for choosing a model (fbopt.drafts.selector) or recording how variants did (fbopt.feedback).
"""

from __future__ import annotations

import random
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fbopt.config import Config, load_data_file
from fbopt.drafts.catalog import CONTENT_TYPES
from fbopt.errors import ConfigError
from fbopt.feedback import Posterior

PLACEHOLDERS = frozenset({"topic", "audience", "tone", "language", "content_type", "min_chars",
                          "max_chars", "target_chars"})
LANGUAGES = {"en": "English", "es": "Spanish", "fr": "French", "de": "German", "it": "Italian",
             "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "tr": "Turkish", "id": "Indonesian",
             "th": "Thai", "vi": "Vietnamese", "ja": "Japanese", "ko": "Korean", "zh": "Chinese",
             "hi": "Hindi", "ar": "Arabic", "ru": "Russian", "sv": "Swedish", "da": "Danish"}


@dataclass(frozen=True)
class PromptVariant:
    name: str
    content_type: str
    template: str


@dataclass(frozen=True)
class PromptBook:
    system: str
    target_chars: dict[str, int]
    variants: dict[str, list[PromptVariant]]

    def choose(self, content_type: str, rng: random.Random,
               history: Mapping[str, Posterior], key: int | None = None) -> PromptVariant:
        """Thompson sampling: one draw per variant from Beta(1, 1) plus its recorded outcomes;
        the highest draw wins, so variants that did well are picked more, others still tried.
        With nothing recorded every variant is equally likely: `key` (a per-post hash), when
        given, makes that uniform pick without touching `rng`."""
        options = self.variants[content_type]
        if not any(v.name in history for v in options):
            index = key % len(options) if key is not None else rng.randrange(len(options))
            return options[index]
        draws = [history.get(v.name, Posterior()).sample(rng) for v in options]
        return options[max(range(len(options)), key=draws.__getitem__)]

    def render(self, variant: PromptVariant, fields: Mapping[str, Any]) -> tuple[str, str]:
        """(system prompt, user prompt) for one post."""
        values = dict(fields)
        values.setdefault("target_chars", self.target_chars.get(variant.content_type, 300))
        code = str(values.get("language", "en"))
        values["language"] = LANGUAGES.get(code.lower().split("-")[0], code)
        return self.system.format_map(values), variant.template.format_map(values)


def _check_template(source: str, where: str, text: Any) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"{source}: {where} must be non-empty text")
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise ConfigError(f"{source}: {where} has a broken placeholder: {exc}",
                          hint="write a literal brace as {{ or }}") from exc
    unknown = names - PLACEHOLDERS
    if unknown:
        raise ConfigError(f"{source}: {where} uses unknown placeholders {sorted(unknown)}",
                          hint=f"known: {', '.join(sorted(PLACEHOLDERS))}")
    return text


def parse_prompts(data: dict[str, Any], source: str) -> PromptBook:
    system = _check_template(source, "system", data.get("system"))
    tables = data.get("variants", {})
    variants: dict[str, list[PromptVariant]] = {}
    for content_type in CONTENT_TYPES:
        table = tables.get(content_type, {})
        if not isinstance(table, dict) or len(table) < 2:
            raise ConfigError(f"{source}: [variants.{content_type}] needs at least 2 variants")
        variants[content_type] = [
            PromptVariant(name, content_type,
                          _check_template(source, f"variants.{content_type}.{name}", text))
            for name, text in table.items()
        ]
    extra = set(tables) - set(CONTENT_TYPES)
    if extra:
        raise ConfigError(f"{source}: unknown content types {sorted(extra)} under [variants]",
                          hint=f"use {', '.join(CONTENT_TYPES)}")
    targets = {k: int(v) for k, v in data.get("target_chars", {}).items()}
    return PromptBook(system, targets, variants)


def load_prompts(config: Config) -> PromptBook:
    """The prompt book named by `llm.prompts_file`, else the packaged configs/prompts.toml."""
    return parse_prompts(*load_data_file(config, "llm.prompts_file", "prompts.toml"))
