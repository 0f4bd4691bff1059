"""Typed settings, resolved flag > FBOPT_* environment variable > config file > packaged default.

Not for state: caches, models and history live under FBOPT_HOME (see fbopt.home).

Every setting has a default in the packaged `configs/default.toml`, and its type comes from that
default: a config file or environment variable with an unknown key or a value of the wrong type
is a ConfigError that names the key. Keys are dotted (`generate.concurrency`); the environment
variable for a key is FBOPT_ plus the key in capitals with dots as underscores
(FBOPT_GENERATE_CONCURRENCY).
"""

from __future__ import annotations

import os
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
    """Convert `value` to the type of `default`, or raise a ConfigError naming key and source."""
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
    for key in list(values):
        name = env_name(key)
        if name in env:
            values[key] = _coerce(key, env[name], values[key], f"${name}")
            sources[key] = f"${name}"
    config = Config(values, sources, file)
    return config.with_overrides(overrides or {})
