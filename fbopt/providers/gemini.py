"""The `gemini` provider over the official google-genai SDK (google-generativeai is deprecated).

Not for retries or rate limits: google-genai does not retry unless asked; fbopt.drafts.limits does.
The `genai.Client` stays referenced on the provider while its `.aio` client is in use, because
closing the parent closes the connection pool under it.
"""

from __future__ import annotations

from typing import Any

from fbopt.errors import ProviderError
from fbopt.providers.base import CompletionRequest
from fbopt.providers.remote import RemoteProvider, Reply, body_message, status_error


class GeminiProvider(RemoteProvider):
    name = "gemini"
    supports_seed = True

    def make_client(self) -> Any:
        from google import genai
        from google.genai import types

        options = types.HttpOptions(timeout=int(self.settings.timeout * 1000),
                                    base_url=self.settings.base_url)
        return genai.Client(api_key=self.settings.api_key, http_options=options)

    async def request(self, req: CompletionRequest) -> Reply:
        from google.genai import types

        config = types.GenerateContentConfig(
            system_instruction=req.system or None, max_output_tokens=req.max_tokens,
            temperature=req.temperature, seed=req.seed)
        response = await self.client.aio.models.generate_content(
            model=req.model, contents=req.prompt, config=config)
        candidates = getattr(response, "candidates", None)
        if not candidates:
            raise ProviderError("malformed response: no candidates", provider=self.name,
                                hint="the prompt may have been blocked")
        parts = getattr(getattr(candidates[0], "content", None), "parts", None) or []
        usage = getattr(response, "usage_metadata", None)
        finish = getattr(candidates[0], "finish_reason", None)
        return Reply(
            text="".join(getattr(p, "text", "") or "" for p in parts),
            tokens_in=int(getattr(usage, "prompt_token_count", 0) or 0),
            tokens_out=int(getattr(usage, "candidates_token_count", 0) or 0),
            finish_reason=str(getattr(finish, "value", finish) or "STOP"),
        )

    def translate(self, exc: Exception) -> ProviderError | None:
        from google.genai import errors

        if not isinstance(exc, errors.APIError):
            return None
        headers = getattr(getattr(exc, "response", None), "headers", None)
        return status_error(self.name, int(exc.code or 0), body_message(exc.details), headers)

    async def close_client(self, client: Any) -> None:
        await client.aio.aclose()
