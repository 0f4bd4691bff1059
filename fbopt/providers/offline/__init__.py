"""The built-in `offline` provider: a deterministic, seeded composer of posts a person could
publish, with no keys and no network. Same seed, same post.

Not an LLM: it reads the topic's form (topic.py), picks a structure for its kind and tone
(compose.py) from phrase banks (phrases.py), and tags it with the topic's noun phrases.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from fbopt.providers.base import Completion, CompletionRequest, Provider
from fbopt.providers.offline.compose import OfflineComposer
from fbopt.providers.offline.hashtags import hashtags_for

__all__ = ["OfflineComposer", "OfflineProvider", "estimate_tokens", "hashtags_for"]


class OfflineProvider(Provider):
    """Provider named `offline`: no credentials, no network, deterministic output, zero cost."""

    name = "offline"
    needs_credentials = False
    supports_system_prompt = False
    supports_seed = True
    deterministic = True

    def __init__(self) -> None:
        self._composer = OfflineComposer()

    async def complete(self, requests: Sequence[CompletionRequest]) -> list[Completion]:
        return [self.complete_one(req) for req in requests]

    def complete_one(self, req: CompletionRequest) -> Completion:
        start = time.perf_counter()
        text = self._composer.compose(req)
        return Completion(
            text=text,
            tokens_in=estimate_tokens(req.system) + estimate_tokens(req.prompt),
            tokens_out=estimate_tokens(text),
            cost_usd=0.0,
            latency_ms=(time.perf_counter() - start) * 1000.0,
        )


def estimate_tokens(text: str) -> int:
    """Roughly four characters per token, the usual rule for English."""
    return (len(text) + 3) // 4 if text else 0
