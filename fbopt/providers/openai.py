"""The `openai` provider over the official SDK: OpenAI itself, or any OpenAI-compatible server
(vLLM, Ollama, llama.cpp) through `base_url`.

Not for retries or rate limits (the SDK's own retries are off; fbopt.limits retries).
"""

from __future__ import annotations

from typing import Any

from fbopt.errors import ProviderError
from fbopt.providers.base import CompletionRequest
from fbopt.providers.remote import RemoteProvider, Reply, body_message, status_error


class OpenAIProvider(RemoteProvider):
    name = "openai"
    supports_seed = True

    def make_client(self) -> Any:
        import openai

        return openai.AsyncOpenAI(api_key=self.settings.api_key, base_url=self.settings.base_url,
                                  timeout=self.settings.timeout, max_retries=0)

    async def request(self, req: CompletionRequest) -> Reply:
        messages = ([{"role": "system", "content": req.system}] if req.system else [])
        messages.append({"role": "user", "content": req.prompt})
        # OpenAI's own API wants max_completion_tokens; compatible servers know max_tokens.
        limit = "max_tokens" if self.settings.base_url else "max_completion_tokens"
        kwargs: dict[str, Any] = {limit: req.max_tokens}
        response = await self.client.chat.completions.create(
            model=req.model, messages=messages, temperature=req.temperature, seed=req.seed,
            **kwargs)
        choices = getattr(response, "choices", None)
        if not choices:
            raise ProviderError("malformed response: no choices", provider=self.name)
        usage = getattr(response, "usage", None)
        return Reply(
            text=choices[0].message.content or "",
            tokens_in=int(getattr(usage, "prompt_tokens", 0) or 0),
            tokens_out=int(getattr(usage, "completion_tokens", 0) or 0),
            finish_reason=str(choices[0].finish_reason or "stop"),
        )

    def translate(self, exc: Exception) -> ProviderError | None:
        import openai

        if isinstance(exc, openai.APIStatusError):
            return status_error(self.name, exc.status_code, body_message(exc.body),
                                exc.response.headers)
        return None
