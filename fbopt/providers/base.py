"""The provider interface: capabilities as class attributes and one async batch method.

Not for retries, rate limits or caching policy: those wrap providers, they do not live in them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class CompletionRequest:
    """One post to write. LLM providers read `system` and `prompt`; the offline composer reads
    the structured fields (topic, audience, tone, content_type), which every request carries."""

    model: str
    prompt: str
    system: str = ""
    topic: str = ""
    audience: str = "general"
    tone: str = "friendly"
    content_type: str = "general"
    language: str = "en"
    variant: int = 0
    max_tokens: int = 400
    temperature: float = 0.8
    seed: int = 0
    min_chars: int = 40
    max_chars: int = 500
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Completion:
    """What a provider gave back for one request. `error` is set instead of raising, so one
    failed request never sinks the batch around it."""

    text: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    latency_ms: float = 0.0
    finish_reason: str = "stop"
    error: str | None = None
    attempts: int = 1

    @property
    def ok(self) -> bool:
        return self.error is None


class Provider(ABC):
    """A source of posts. Subclasses set the capabilities and implement `complete`."""

    name: ClassVar[str] = ""
    needs_credentials: ClassVar[bool] = True
    supports_system_prompt: ClassVar[bool] = True
    supports_seed: ClassVar[bool] = False
    deterministic: ClassVar[bool] = False

    @abstractmethod
    async def complete(self, requests: Sequence[CompletionRequest]) -> list[Completion]:
        """Complete every request; the result list matches `requests` in order and length."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook, most providers hold nothing
        """Release connections. Providers holding clients override this."""
