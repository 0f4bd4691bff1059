"""The `anthropic` provider over the official SDK (Messages API).

Not for retries or rate limits (the SDK's own retries are off; fbopt.drafts.limits retries).
"""

from __future__ import annotations

from typing import Any

from fbopt.errors import ProviderError
from fbopt.providers.base import CompletionRequest
from fbopt.providers.remote import RemoteProvider, Reply, body_message, status_error


class AnthropicProvider(RemoteProvider):
    name = "anthropic"

    def make_client(self) -> Any:
        import anthropic

        return anthropic.AsyncAnthropic(api_key=self.settings.api_key,
                                        base_url=self.settings.base_url,
                                        timeout=self.settings.timeout, max_retries=0)

    def params(self, req: CompletionRequest) -> dict[str, Any]:
        """The Messages request, online and in a Message Batch alike."""
        # This SDK generation takes no sampling parameters: the model's defaults apply.
        params: dict[str, Any] = {"model": req.model, "max_tokens": req.max_tokens,
                                  "messages": [{"role": "user", "content": req.prompt}]}
        if req.system:
            params["system"] = req.system
        return params

    async def request(self, req: CompletionRequest) -> Reply:
        response = await self.client.messages.create(**self.params(req))
        return self.reply(response)

    def reply(self, response: Any) -> Reply:
        """A Message as a Reply (an online answer or one result of a Message Batch)."""
        blocks = getattr(response, "content", None)
        if blocks is None:
            raise ProviderError("malformed response: no content", provider=self.name)
        text = "".join(getattr(b, "text", "") for b in blocks if getattr(b, "type", "") == "text")
        usage = getattr(response, "usage", None)
        return Reply(
            text=text,
            tokens_in=int(getattr(usage, "input_tokens", 0) or 0),
            tokens_out=int(getattr(usage, "output_tokens", 0) or 0),
            finish_reason=str(getattr(response, "stop_reason", None) or "end_turn"),
        )

    def translate(self, exc: Exception) -> ProviderError | None:
        import anthropic

        if isinstance(exc, anthropic.APIStatusError):
            return status_error(self.name, exc.status_code, body_message(exc.body),
                                exc.response.headers)
        return None
