"""The records the generate path passes between its parts: a typed topic row, the planner's
assignment for one post, the dispatcher's outcome, and the two roles as protocols.

Not for behaviour: this module imports nothing of fbopt.drafts, so every part can import it
and no two parts need to import each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from fbopt.providers.base import Completion, CompletionRequest


@dataclass
class TopicRow:
    """One input row, typed, with defaults filled in."""

    row: int
    topic_id: str
    topic: str
    audience: str = "general"
    tone: str = "friendly"
    content_type: str = ""
    language: str = "en"
    variants: int = 1
    quality_requirement: float = 0.5
    budget: float | None = None
    urgency: float = 0.5


@dataclass
class Assignment:
    """Who writes one post and how: the Planner's answer for (row, variant)."""

    row: TopicRow
    variant: int
    provider: str
    model: str
    content_type: str
    prompt_variant: str
    selection_reason: str
    request: CompletionRequest


@dataclass
class Outcome:
    """The Dispatcher's answer for one assignment."""

    completion: Completion
    status: str = "ok"
    cache: str = "miss"


class Planner(Protocol):
    def assign(self, row: TopicRow, variant: int) -> Assignment: ...


class Dispatcher(Protocol):
    async def run(self, assignments: Sequence[Assignment]) -> list[Outcome]: ...

    def metrics(self) -> dict[str, Any]: ...

    async def aclose(self) -> None: ...
