"""Anthropic's Message Batches over the official SDK: `messages.batches.create` with one
request per call key, `retrieve` to poll, `results` to stream the answers back by custom_id.

Not for when to poll, budgets or where answers go (fbopt.drafts.batch), nor the request
(AnthropicProvider.params, shared with the online path).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fbopt.errors import ProviderError
from fbopt.providers.anthropic import AnthropicProvider
from fbopt.providers.base import CompletionRequest
from fbopt.providers.batches import BatchState
from fbopt.providers.remote import Reply, clean_message


class AnthropicBatches:
    """The batch half of the `anthropic` adapter; the adapter's client, auth and errors."""

    def __init__(self, adapter: AnthropicProvider) -> None:
        self.adapter = adapter

    async def submit(self, requests: Sequence[tuple[str, CompletionRequest]]) -> str:
        items = [{"custom_id": key, "params": self.adapter.params(req)} for key, req in requests]
        try:
            batch = await self.adapter.client.messages.batches.create(requests=items)
        except Exception as exc:  # noqa: BLE001 - SDK failures become ProviderError here
            raise self._error(exc) from exc
        return str(batch.id)

    async def poll(self, batch_id: str) -> BatchState:
        try:
            batch = await self.adapter.client.messages.batches.retrieve(batch_id)
        except Exception as exc:  # noqa: BLE001
            raise self._error(exc) from exc
        return BatchState(str(batch.id), str(batch.processing_status))

    async def results(self, state: BatchState) -> dict[str, Reply | str]:
        """custom_id -> the answer, or why there is none (errored, canceled, expired)."""
        found: dict[str, Reply | str] = {}
        try:
            stream = await self.adapter.client.messages.batches.results(state.id)
            async for item in stream:
                found.setdefault(str(item.custom_id), self._result(item.result))
        except Exception as exc:  # noqa: BLE001
            raise self._error(exc) from exc
        return found

    def _result(self, result: Any) -> Reply | str:
        kind = str(getattr(result, "type", ""))
        if kind == "succeeded":
            try:
                reply = self.adapter.reply(result.message)
            except ProviderError as exc:
                return exc.message()
            return reply if reply.text.strip() else "the model returned an empty post"
        if kind == "errored":
            inner = getattr(getattr(result, "error", None), "error", None)
            message = getattr(inner, "message", None) or "no message"
            return clean_message(f"errored: {getattr(inner, 'type', 'error')}: {message}")
        return f"batch_{kind}: the request was not processed ({kind})"

    def _error(self, exc: Exception) -> ProviderError:
        if isinstance(exc, ProviderError):
            return exc
        return self.adapter._translated(exc)  # noqa: SLF001 - the adapter's one translation
