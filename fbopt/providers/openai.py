"""The `openai` provider over the official SDK: OpenAI itself, or any OpenAI-compatible server
(vLLM, Ollama, llama.cpp) through `base_url`.

Not for retries or rate limits (the SDK's own retries are off; fbopt.drafts.limits retries).
"""

from __future__ import annotations

from typing import Any

from fbopt.errors import ProviderError
from fbopt.providers.base import CompletionRequest
from fbopt.providers.remote import RemoteProvider, Reply, body_message, status_error


class OpenAIProvider(RemoteProvider):
    name = "openai"
    supports_seed = True
    _response_type: Any = None

    def make_client(self) -> Any:
        import openai
        from openai.types.chat import ChatCompletion

        self._response_type = ChatCompletion
        return openai.AsyncOpenAI(api_key=self.settings.api_key, base_url=self.settings.base_url,
                                  timeout=self.settings.timeout, max_retries=0)

    def body(self, req: CompletionRequest) -> dict[str, Any]:
        """The chat-completions request body, online and in a batch file alike."""
        messages = ([{"role": "system", "content": req.system}] if req.system else [])
        messages.append({"role": "user", "content": req.prompt})
        # OpenAI's own API wants max_completion_tokens; compatible servers know max_tokens.
        limit = "max_tokens" if self.settings.base_url else "max_completion_tokens"
        return {"model": req.model, "messages": messages, limit: req.max_tokens,
                "temperature": req.temperature, "seed": req.seed}

    async def request(self, req: CompletionRequest) -> Reply:
        body = self.body(req)
        # The SDK's documented raw-endpoint call: same client, auth, errors and response model as
        # chat.completions.create, without its per-call walk over ~50 optional parameters,
        # which costs more CPU than the rest of the request at hundreds of calls a second.
        client = self.client  # built on first use, with the response type
        response = await client.post("/chat/completions", body=body, cast_to=self._response_type)
        return self.reply(response)

    def reply(self, response: Any) -> Reply:
        """A ChatCompletion as a Reply (an online answer or one line of a batch's output)."""
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
