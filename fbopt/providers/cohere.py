"""The `cohere` provider over the official SDK's v2 client (ClientV2 chat).

Not for retries or rate limits (the SDK's own retries are off; fbopt.drafts.limits retries).
"""

from __future__ import annotations

from typing import Any

from fbopt.errors import ProviderError
from fbopt.providers.base import CompletionRequest
from fbopt.providers.remote import RemoteProvider, Reply, body_message, status_error


class CohereProvider(RemoteProvider):
    name = "cohere"
    supports_seed = True

    def make_client(self) -> Any:
        import cohere

        kwargs: dict[str, Any] = {"base_url": self.settings.base_url} if self.settings.base_url \
            else {}
        return cohere.AsyncClientV2(api_key=self.settings.api_key, timeout=self.settings.timeout,
                                    max_retries=0, **kwargs)

    async def request(self, req: CompletionRequest) -> Reply:
        messages = ([{"role": "system", "content": req.system}] if req.system else [])
        messages.append({"role": "user", "content": req.prompt})
        response = await self.client.chat(
            model=req.model, messages=messages, max_tokens=req.max_tokens,
            temperature=req.temperature, seed=req.seed,
            request_options={"max_retries": 0, "timeout_in_seconds": self.settings.timeout})
        message = getattr(response, "message", None)
        content = getattr(message, "content", None) or []
        text = "".join(getattr(c, "text", "") or "" for c in content)
        tokens = getattr(getattr(response, "usage", None), "tokens", None)
        return Reply(
            text=text,
            tokens_in=int(getattr(tokens, "input_tokens", 0) or 0),
            tokens_out=int(getattr(tokens, "output_tokens", 0) or 0),
            finish_reason=str(getattr(response, "finish_reason", None) or "COMPLETE"),
        )

    def translate(self, exc: Exception) -> ProviderError | None:
        from cohere.core.api_error import ApiError

        if not isinstance(exc, ApiError):
            return None
        status = int(exc.status_code or 0)
        if status == 200:  # the SDK raises ApiError with status 200 for a body it cannot parse
            return ProviderError("malformed response body", provider=self.name, retryable=True,
                                 hint="check the base_url points at the Cohere API")
        return status_error(self.name, status, body_message(exc.body), exc.headers)
