"""The model catalog: the models fbopt may call, read from `configs/models.toml` (data users edit),
with prices, latency, context window, rate limits and quality priors per content type.

Not for choosing among them (fbopt.drafts.selector) and never a place for a model name: every model
fbopt knows comes from the TOML file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fbopt.config import Config, load_data_file
from fbopt.errors import ConfigError
from fbopt.providers.registry import PROVIDERS
from fbopt.providers.remote import Price

CONTENT_TYPES = ("technical", "educational", "entertainment", "personal", "promotional",
                 "general")
_REQUIRED = {"provider": str, "price_in": float, "price_out": float, "latency_ms": float,
             "context_window": int, "rpm": int, "tpm": int}
_OPTIONAL = {"role": str, "max_output_tokens": int, "quality": dict,
             "batch_input_per_mtok": float, "batch_output_per_mtok": float}
# The three batch APIs (OpenAI, Anthropic, Gemini) sell the same calls at half price; a model
# without its own batch prices is taken to follow that rule.
BATCH_DISCOUNT = 0.5


@dataclass(frozen=True)
class ModelSpec:
    """One catalog entry. Prices are USD per million tokens; rpm/tpm 0 means no limit."""

    name: str
    provider: str
    price_in: float
    price_out: float
    latency_ms: float
    context_window: int
    rpm: int
    tpm: int
    role: str = ""
    max_output_tokens: int = 4096
    quality: dict[str, float] = field(default_factory=dict)
    batch_input_per_mtok: float | None = None
    batch_output_per_mtok: float | None = None

    @property
    def price(self) -> Price:
        return Price(self.price_in, self.price_out)

    @property
    def batch_price(self) -> Price:
        """USD per million tokens through the provider's batch API."""
        return Price(self.price_in * BATCH_DISCOUNT if self.batch_input_per_mtok is None
                     else self.batch_input_per_mtok,
                     self.price_out * BATCH_DISCOUNT if self.batch_output_per_mtok is None
                     else self.batch_output_per_mtok)

    def prior(self, content_type: str) -> float:
        """Expected quality (0-1) for a content type before any history."""
        return self.quality.get(content_type, self.quality.get("general", 0.5))

    def max_cost(self, tokens_in: int, max_tokens: int) -> float:
        """The most one call can cost: every input token plus the full output allowance."""
        return self.price.cost(tokens_in, min(max_tokens, self.max_output_tokens))


@dataclass(frozen=True)
class Catalog:
    models: dict[str, ModelSpec]
    prior_strength: float = 30.0
    source: str = "models.toml"

    def for_provider(self, provider: str) -> list[ModelSpec]:
        return [m for m in self.models.values() if m.provider == provider]

    def prices(self, provider: str) -> dict[str, Price]:
        return {m.name: m.price for m in self.for_provider(provider)}

    def get(self, name: str) -> ModelSpec:
        try:
            return self.models[name]
        except KeyError:
            raise ConfigError(f"model '{name}' is not in the catalog ({self.source})",
                              hint=f"add it there, or choose one of: "
                                   f"{', '.join(sorted(self.models))}") from None


def _typed(source: str, where: str, key: str, value: Any, want: type) -> Any:
    if want is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, want) or isinstance(value, bool):
        raise ConfigError(f"{source}: {where}.{key} must be {want.__name__}, got {value!r}")
    return value


def _quality(source: str, name: str, table: dict[str, Any]) -> dict[str, float]:
    out = {}
    for kind, value in table.items():
        where = f"models.{name}.quality"
        if kind not in CONTENT_TYPES:
            raise ConfigError(f"{source}: {where} has unknown content type '{kind}'",
                              hint=f"use one of {', '.join(CONTENT_TYPES)}")
        score = _typed(source, where, kind, value, float)
        if not 0.0 <= score <= 1.0:
            raise ConfigError(f"{source}: {where}.{kind} must be between 0 and 1")
        out[kind] = score
    return out


def _spec(source: str, name: str, table: dict[str, Any]) -> ModelSpec:
    where = f"models.{name}"
    unknown = set(table) - set(_REQUIRED) - set(_OPTIONAL)
    if unknown:
        raise ConfigError(f"{source}: {where} has unknown keys {sorted(unknown)}",
                          hint=f"known keys: {', '.join(sorted({*_REQUIRED, *_OPTIONAL}))}")
    missing = set(_REQUIRED) - set(table)
    if missing:
        raise ConfigError(f"{source}: {where} is missing {sorted(missing)}")
    values = {k: _typed(source, where, k, table[k], t) for k, t in _REQUIRED.items()}
    for key in ("role", "max_output_tokens", "batch_input_per_mtok", "batch_output_per_mtok"):
        if key in table:
            values[key] = _typed(source, where, key, table[key], _OPTIONAL[key])
    if values["provider"] not in PROVIDERS:
        raise ConfigError(f"{source}: {where}.provider '{values['provider']}' is unknown",
                          hint=f"use one of {', '.join(PROVIDERS)}")
    quality = _quality(source, name, table.get("quality", {}))
    return ModelSpec(name=name, quality=quality, **values)


def parse_catalog(data: dict[str, Any], source: str) -> Catalog:
    models = data.get("models")
    if not isinstance(models, dict) or not models:
        raise ConfigError(f"{source}: no [models.<name>] tables", hint="see configs/models.toml")
    specs = {name: _spec(source, name, table) for name, table in models.items()}
    strength = _typed(source, "catalog", "prior_strength", data.get("prior_strength", 30.0), float)
    return Catalog(specs, strength, source)


def load_catalog(config: Config) -> Catalog:
    """The catalog named by `llm.models_file`, else the packaged configs/models.toml."""
    return parse_catalog(*load_data_file(config, "llm.models_file", "models.toml"))
