"""Typed settings, resolved flag > FBOPT_* environment variable > config file > packaged default.

Not for state: caches, models and history live under FBOPT_HOME (see fbopt.home).

Every setting has a default in the packaged `configs/default.toml`, and its type comes from that
default; its allowed values, where its type alone is not enough, are in RANGES below. A config
file, FBOPT_* variable or flag with an unknown key, a value of the wrong type or out of range
is a ConfigError that names the key and its source. Keys are dotted (`generate.concurrency`);
the environment variable for a key is FBOPT_ plus the key in capitals with dots as underscores
(FBOPT_GENERATE_CONCURRENCY).
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from fbopt.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

LOCAL_CONFIG = "fbopt.toml"
# FBOPT_* variables that are not settings (README "Configuration"); any other FBOPT_ name that
# names no setting is a typo, and an error.
NOT_SETTINGS = {"FBOPT_HOME": "the folder of fbopt's state"}


@dataclass(frozen=True)
class Allowed:
    """The values a setting may take beyond its type: a closed or open interval, choices, or
    a pattern; for a list setting, each item."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] = ()
    pattern: str = ""
    says: str = ""

    def admits(self, value: Any) -> bool:
        if isinstance(value, list):
            return all(self.admits(item) for item in value)
        if self.choices:
            return value in self.choices
        if self.pattern:
            return isinstance(value, str) and re.fullmatch(self.pattern, value) is not None
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return False
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return not (self.high is not None
                    and (value >= self.high if self.high_open else value > self.high))

    def describe(self) -> str:
        if self.says:
            return self.says
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        low = high = None
        if self.low is not None:
            low = f"{'over' if self.low_open else 'at least'} {_number(self.low)}"
        if self.high is not None:
            high = f"{'under' if self.high_open else 'at most'} {_number(self.high)}"
        return " and ".join(part for part in (low, high) if part)


def _number(value: float) -> str:
    return f"{value:,}" if float(value).is_integer() else f"{value:g}"


def at_least(low: float, high: float | None = None) -> Allowed:
    return Allowed(low, high)


def above(low: float, high: float | None = None, *, high_open: bool = False) -> Allowed:
    return Allowed(low, high, low_open=True, high_open=high_open)


def one_of(*choices: str) -> Allowed:
    return Allowed(choices=choices)


_SHARE = at_least(0, 1)
# Beside configs/default.toml, in its order: what each setting allows. Every numeric setting
# whose type admits nonsense (a negative batch, a share over 1) is listed; a setting left out
# (seeds, names, paths, llm.max_cost where negative means "no cap") takes any value of its type.
RANGES: dict[str, Allowed] = {
    "run.batch_size": at_least(1, 1_000_000),
    "generate.variants": at_least(1, 50),
    "generate.min_chars": at_least(1),
    "generate.max_chars": at_least(1),
    "generate.max_topic_chars": at_least(1),
    "generate.max_field_chars": at_least(1),
    "llm.concurrency": at_least(1, 1024),
    "llm.provider": one_of("", "openai", "anthropic", "cohere", "gemini", "offline"),
    "llm.timeout": at_least(0.1),
    "llm.max_attempts": at_least(1),
    "llm.retry_base_delay": at_least(0),
    "llm.retry_max_delay": at_least(0),
    "llm.retry_after_max": at_least(0),
    "llm.max_tokens": at_least(1),
    "llm.temperature": at_least(0, 2),
    "resume.keep_days": at_least(0),
    "selector.quality_weight": at_least(0),
    "selector.cost_weight": at_least(0),
    "selector.latency_weight": at_least(0),
    "cache.memory_items": at_least(0),
    "cache.ttl_days": above(0),
    "cache.semantic_threshold": _SHARE,
    "benchmark.rows": at_least(0),
    "benchmark.repeat": at_least(1),
    "benchmark.warmup": at_least(0),
    "benchmark.device": one_of("auto", "cpu", "cuda"),
    "benchmark.scaling_budget_s": at_least(0),
    "benchmark.time_budget_s": at_least(0),
    "benchmark.latency_samples": at_least(0),
    "benchmark.loopback_delay_ms": at_least(0),
    "benchmark.concurrency": at_least(1),
    "benchmark.max_regression": above(0, 1, high_open=True),
    "benchmark.stage_timeout_s": above(0),
    "engagement.model_path": Allowed(pattern=r"|.*\.[pP][tT]",
                                     says="empty or a path ending in .pt"),
    "engagement.device": Allowed(pattern=r"auto|cpu|cuda(:\d+)?",
                                 says="auto, cpu, cuda or cuda:N"),
    "engagement.cpu_threads": at_least(0),
    "engagement.train_batch_size": at_least(0, 65536),
    "engagement.predict_batch_size": at_least(0),
    "engagement.workers": at_least(0),
    "engagement.epochs": at_least(1),
    "engagement.patience": at_least(1),
    "engagement.learning_rate": above(0),
    "engagement.weight_decay": at_least(0),
    "engagement.members": at_least(3),
    "engagement.validation_fraction": above(0, 1, high_open=True),
    # 2**24 buckets of embedding_dim floats per member is already gigabytes.
    "engagement.hash_bits": at_least(4, 24),
    "engagement.char_orders": at_least(1, 10),
    "engagement.max_chars": at_least(1),
    "engagement.embedding_dim": at_least(1),
    "engagement.hidden": at_least(1),
    "engagement.dropout": Allowed(0, 1, high_open=True),
    "engagement.unknown_share": Allowed(0, 1, high_open=True),
    "engagement.interval": above(0, 1, high_open=True),
    "engagement.prior_weight": at_least(0),
    "engagement.trend_halflife": above(0),
    "engagement.halflife_hours": above(0),
    "engagement.recommendations": at_least(0, 10),
    "engagement.min_gain": at_least(0),
    "quality.grammar_backend": one_of("harper", "languagetool"),
    "quality.harper_rules": one_of("fast", "posts", "default"),
    "quality.dialect": one_of("american", "british", "australian", "canadian", "indian"),
    "quality.workers": at_least(0),
    "quality.pool_min_texts": at_least(0),
    "quality.weights.grammar": at_least(0),
    "quality.weights.readability": at_least(0),
    "quality.weights.sentiment": at_least(0),
    "quality.weights.engagement": at_least(0),
    "quality.weights.creativity": at_least(0),
    "enhance.strategies": one_of("grammar", "readability", "sentiment", "engagement"),
    "enhance.grammar_threshold": _SHARE,
    "enhance.readability_threshold": _SHARE,
    "enhance.sentiment_threshold": _SHARE,
    "enhance.engagement_threshold": _SHARE,
    "enhance.min_gain": _SHARE,
}
# Pairs (low, high) whose values must not cross, whatever the source of each.
ORDERED = (("generate.min_chars", "generate.max_chars"),
           ("llm.retry_base_delay", "llm.retry_max_delay"))


def packaged_config_text(name: str) -> str:
    """The text of a config file shipped inside the package (default.toml, models.toml, ...)."""
    return resources.files("fbopt").joinpath("configs", name).read_text(encoding="utf-8")


def load_data_file(config: Config, key: str, packaged: str) -> tuple[dict[str, Any], str]:
    """A data file users edit (models.toml, prompts.toml): the path in setting `key`, else the
    packaged copy; with the name to quote in errors."""
    path = str(config.get(key) or "").strip()
    if path:
        return read_toml(Path(path)), path
    return tomllib.loads(packaged_config_text(packaged)), f"configs/{packaged}"


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {path} not found", hint="check the --config path") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}", hint="fix the syntax") from exc


def flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def env_name(key: str) -> str:
    return "FBOPT_" + key.upper().replace(".", "_").replace("-", "_")


def _coerce(key: str, value: Any, default: Any, source: str) -> Any:
    """Convert `value` to the type of `default` and check its range (RANGES), or raise a
    ConfigError naming key and source."""
    value = _typed(key, value, default, source)
    allowed = RANGES.get(key)
    if allowed is not None and not allowed.admits(value):
        each = "each item " if isinstance(value, list) else ""
        raise ConfigError(f"setting '{key}' from {source}: {each}must be "
                          f"{allowed.describe()}, got {value!r}",
                          hint=f"the default is {default!r}")
    return value


def _typed(key: str, value: Any, default: Any, source: str) -> Any:
    want = type(default)
    if isinstance(value, str) and want is not str:
        value = _parse_string(key, value, want, source)
    if want is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if want is list and isinstance(value, list):
        return value
    if not isinstance(value, want) or (want is int and isinstance(value, bool)):
        raise ConfigError(
            f"setting '{key}' from {source} must be {want.__name__}, got {value!r}",
            hint=f"the default is {default!r}",
        )
    return value


def _parse_string(key: str, raw: str, want: type, source: str) -> Any:
    text = raw.strip()
    try:
        if want is bool:
            lowered = text.lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if want is int:
            return int(text)
        if want is float:
            return float(text)
        if want is list:
            return [part.strip() for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise ConfigError(
            f"setting '{key}' from {source} must be {want.__name__}, got {raw!r}"
        ) from exc
    return raw


@dataclass
class Config:
    """Resolved settings. `get("section.key")`; `sources` says where each value came from."""

    values: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)
    file: Path | None = None

    def get(self, key: str) -> Any:
        try:
            return self.values[key]
        except KeyError:
            raise KeyError(f"unknown setting {key!r}") from None

    def section(self, name: str) -> dict[str, Any]:
        """Settings under `name.` as a nested-free dict keyed by the rest of the key."""
        prefix = name + "."
        return {k[len(prefix):]: v for k, v in self.values.items() if k.startswith(prefix)}

    def with_overrides(self, overrides: Mapping[str, Any]) -> Config:
        values, sources = dict(self.values), dict(self.sources)
        for key, value in overrides.items():
            if value is None:
                continue
            if key not in values:
                raise KeyError(f"unknown setting {key!r}")
            values[key] = _coerce(key, value, values[key], "a command-line flag")
            sources[key] = "flag"
        _check_order(values, sources)
        return Config(values, sources, self.file)


def default_values() -> dict[str, Any]:
    return flatten(tomllib.loads(packaged_config_text("default.toml")))


def _merge_file(values: dict[str, Any], sources: dict[str, str], path: Path) -> None:
    for key, value in flatten(read_toml(path)).items():
        if key not in values:
            section = key.rsplit(".", 1)[0] if "." in key else ""
            known = sorted(k for k in values if k.startswith(section + ".")) if section else []
            hint = f"known keys here: {', '.join(known)}" if known else "see configs/default.toml"
            raise ConfigError(f"{path}: unknown setting '{key}'", hint=hint)
        values[key] = _coerce(key, value, values[key], str(path))
        sources[key] = str(path)


def load_config(
    path: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Resolve settings: packaged default, then the config file, then FBOPT_*, then overrides."""
    values = default_values()
    sources = {key: "default" for key in values}
    file = Path(path) if path else (Path(LOCAL_CONFIG) if Path(LOCAL_CONFIG).is_file() else None)
    if file is not None:
        _merge_file(values, sources, file)
    env = os.environ if environ is None else environ
    _check_env_names(env, values)
    for key in list(values):
        name = env_name(key)
        if name in env:
            values[key] = _coerce(key, env[name], values[key], f"${name}")
            sources[key] = f"${name}"
    config = Config(values, sources, file)
    return config.with_overrides(overrides or {})


def _check_env_names(env: Mapping[str, str], values: Mapping[str, Any]) -> None:
    """An FBOPT_ variable that names no setting (and is not in NOT_SETTINGS) is a typo: say so,
    with the closest name, rather than run without it. Names come from the resolved defaults,
    so a setting added to configs/default.toml is known here at once."""
    known = {env_name(key): key for key in values} | NOT_SETTINGS
    for name in sorted(env):
        if not name.startswith("FBOPT_") or name in known:
            continue
        # Compared without the FBOPT_ every name shares, which would make all names look close.
        close = difflib.get_close_matches(name[6:], [k[6:] for k in known], n=1, cutoff=0.6)
        if close:
            best = "FBOPT_" + close[0]
            hint = f"did you mean ${best} ({known[best]})? else unset ${name}"
        else:
            hint = (f"unset ${name}; a setting's variable is FBOPT_<SECTION>_<KEY>, see "
                    "configs/default.toml")
        raise ConfigError(f"${name} names no fbopt setting", hint=hint)


def _check_order(values: Mapping[str, Any], sources: Mapping[str, str]) -> None:
    for low, high in ORDERED:
        if low in values and high in values and values[low] > values[high]:
            raise ConfigError(
                f"setting '{low}' ({values[low]!r}, from {sources.get(low, 'default')}) is over "
                f"'{high}' ({values[high]!r}, from {sources.get(high, 'default')})",
                hint=f"make {low} at most {high}")
