"""What the provider batch adapters share: one poll's answer, in the same shape for every
provider, so fbopt.drafts.batch waits on and collects any of them the same way.

Not for any wire protocol (fbopt.providers.openai_batch, fbopt.providers.anthropic_batch).
"""

from __future__ import annotations

from dataclasses import dataclass

# A batch in one of these will not change again (OpenAI's four, Anthropic's `ended`).
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled", "ended"})


@dataclass
class BatchState:
    """What one poll said."""

    id: str
    status: str
    output_file_id: str | None = None
    error_file_id: str | None = None
    error: str | None = None

    @property
    def done(self) -> bool:
        return self.status in TERMINAL
