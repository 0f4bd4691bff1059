"""OpenAI's Batch API over the official SDK: upload a JSONL of chat-completions requests, create
the batch, poll it, and read its output and error files back into one answer per custom_id.

Not for when to poll, budgets or where answers go (fbopt.drafts.batch), nor the request body
(OpenAIProvider.body, shared with the online path so a batch asks exactly what a call would).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from fbopt.errors import ProviderError
from fbopt.providers.base import CompletionRequest
from fbopt.providers.batches import BatchState
from fbopt.providers.openai import OpenAIProvider
from fbopt.providers.remote import Reply, clean_message

ENDPOINT = "/v1/chat/completions"


class OpenAIBatches:
    """The batch half of the `openai` adapter; the adapter's client, auth and errors."""

    def __init__(self, adapter: OpenAIProvider) -> None:
        self.adapter = adapter

    async def submit(self, requests: Sequence[tuple[str, CompletionRequest]]) -> str:
        """One batch for (custom_id, request) pairs; its id."""
        lines = [json.dumps({"custom_id": key, "method": "POST", "url": ENDPOINT,
                             "body": self.adapter.body(req)}, ensure_ascii=False)
                 for key, req in requests]
        data = ("\n".join(lines) + "\n").encode("utf-8")
        client = self.adapter.client
        try:
            file = await client.files.create(file=("fbopt-batch.jsonl", data), purpose="batch")
            batch = await client.batches.create(input_file_id=file.id, endpoint=ENDPOINT,
                                                completion_window="24h")
        except Exception as exc:  # noqa: BLE001 - SDK failures become ProviderError here
            raise self._error(exc) from exc
        return str(batch.id)

    async def poll(self, batch_id: str) -> BatchState:
        try:
            batch = await self.adapter.client.batches.retrieve(batch_id)
        except Exception as exc:  # noqa: BLE001
            raise self._error(exc) from exc
        errors = getattr(getattr(batch, "errors", None), "data", None) or []
        error = "; ".join(str(getattr(e, "message", e)) for e in errors) or None
        return BatchState(str(batch.id), str(batch.status), batch.output_file_id,
                          batch.error_file_id, error)

    async def results(self, state: BatchState) -> dict[str, Reply | str]:
        """custom_id -> the answer, or the provider's error for that request. Lines come in
        any order; a custom_id seen twice keeps its first answer."""
        found: dict[str, Reply | str] = {}
        for file_id in (state.output_file_id, state.error_file_id):
            if not file_id:
                continue
            try:
                content = await self.adapter.client.files.content(file_id)
            except Exception as exc:  # noqa: BLE001
                raise self._error(exc) from exc
            for line in content.text.splitlines():
                if line.strip():
                    key, answer = self._line(json.loads(line))
                    found.setdefault(key, answer)
        return found

    def _line(self, record: dict[str, Any]) -> tuple[str, Reply | str]:
        from openai.types.chat import ChatCompletion

        key = str(record.get("custom_id"))
        response = record.get("response") or {}
        if record.get("error"):
            err = record["error"]
            return key, clean_message(f"{err.get('code')}: {err.get('message')}")
        body = response.get("body") or {}
        if response.get("status_code") != 200:
            message = (body.get("error") or {}).get("message") or "no message"
            return key, clean_message(f"HTTP {response.get('status_code')}: {message}")
        try:
            reply = self.adapter.reply(ChatCompletion.model_validate(body))
        except (ProviderError, ValueError) as exc:
            return key, f"malformed batch answer ({type(exc).__name__})"
        if not reply.text.strip():
            return key, "the model returned an empty post"
        return key, reply

    def _error(self, exc: Exception) -> ProviderError:
        return self.adapter._translated(exc)  # noqa: SLF001 - the adapter's one translation
