"""Which LLM providers exist, where their keys and base URLs come from, and keeping keys out of
every message fbopt writes.

Not for calling providers (one adapter module each) or choosing among them (fbopt.drafts.selector).
Importing this module imports no SDK.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from fbopt.config import Config

OFFLINE = "offline"


@dataclass(frozen=True)
class ProviderInfo:
    """Where a provider's adapter lives and which environment variables configure it."""

    name: str
    adapter: str
    key_envs: tuple[str, ...]
    base_url_envs: tuple[str, ...]


PROVIDERS: dict[str, ProviderInfo] = {
    info.name: info
    for info in (
        ProviderInfo("openai", "fbopt.providers.openai:OpenAIProvider",
                     ("OPENAI_API_KEY",), ("OPENAI_BASE_URL",)),
        ProviderInfo("anthropic", "fbopt.providers.anthropic:AnthropicProvider",
                     ("ANTHROPIC_API_KEY",), ("ANTHROPIC_BASE_URL",)),
        ProviderInfo("cohere", "fbopt.providers.cohere:CohereProvider",
                     ("CO_API_KEY", "COHERE_API_KEY"), ("CO_API_URL",)),
        ProviderInfo("gemini", "fbopt.providers.gemini:GeminiProvider",
                     ("GEMINI_API_KEY", "GOOGLE_API_KEY"), ("GOOGLE_GEMINI_BASE_URL",)),
    )
}


@dataclass(frozen=True)
class ProviderSettings:
    """What an adapter needs to build its client. `api_key` never leaves the adapter."""

    name: str
    api_key: str = field(repr=False)
    base_url: str | None = None
    timeout: float = 60.0


def provider_settings(name: str, config: Config,
                      environ: Mapping[str, str] | None = None) -> ProviderSettings | None:
    """Settings for `name` if a key is set, else None. Base URL: config
    `providers.<name>.base_url`, else the SDK's own variable."""
    env = os.environ if environ is None else environ
    info = PROVIDERS[name]
    key = next((env[v].strip() for v in info.key_envs if env.get(v, "").strip()), "")
    if not key:
        return None
    remember_secret(key)
    base_url = str(config.get(f"providers.{name}.base_url") or "").strip()
    if not base_url:
        base_url = next((env[v].strip() for v in info.base_url_envs if env.get(v, "").strip()), "")
    return ProviderSettings(name, key, base_url or None, float(config.get("llm.timeout")))


def key_hint(name: str) -> str:
    info = PROVIDERS.get(name)
    return f"set {' or '.join(info.key_envs)}" if info else "choose a known provider"


def load_adapter(name: str) -> type[Any]:
    """The adapter class for a provider; this is where its SDK gets imported."""
    module, attr = PROVIDERS[name].adapter.split(":")
    cls: type[Any] = getattr(import_module(module), attr)
    return cls


# Keys seen in this process, so any message can be scrubbed before it is written anywhere.
_SECRETS: set[str] = set()
_KEYLIKE = re.compile(r"(sk-[A-Za-z0-9_\-*]{6,}|AIza[0-9A-Za-z_\-]{10,})")
_TOKEN = re.compile(r"[A-Za-z0-9_\-.*]{8,}")


def remember_secret(secret: str) -> None:
    if len(secret) >= 6:
        _SECRETS.add(secret)


def _looks_secret(token: str) -> bool:
    pieces = [p for p in token.split("*") if len(p) >= 6]
    return any(piece in secret for piece in pieces for secret in _SECRETS)


def redact(text: str) -> str:
    """`text` with every known key, any fragment of one, and key-shaped strings masked."""
    if not text:
        return text
    for secret in _SECRETS:
        text = text.replace(secret, "[redacted]")
    text = _TOKEN.sub(lambda m: "[redacted]" if _looks_secret(m.group(0)) else m.group(0), text)
    return _KEYLIKE.sub("[redacted]", text)


class RedactingFilter(logging.Filter):
    """Scrubs keys from log records before any handler formats them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        # A logged exception's text (an SDK error may quote the key) is formatted once here,
        # scrubbed, and cached where every formatter looks for it.
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_log_redaction() -> None:
    """Add the redacting filter to the root handlers (once), so SDK debug logs stay clean."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
