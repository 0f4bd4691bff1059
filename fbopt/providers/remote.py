"""What the four SDK adapters share: a lazily built client, timing and cost per call, and the
translation of HTTP failures into fbopt's ProviderError family.

Not for retries, rate limits or budgets (fbopt.drafts.limits wraps `call`), nor for any one SDK's
request shape (one module per provider).
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fbopt.errors import AuthenticationError, ProviderError, ProviderTimeout, RateLimitError
from fbopt.providers.base import Completion, CompletionRequest, Provider
from fbopt.providers.registry import ProviderSettings, redact

MAX_ERROR_CHARS = 240


@dataclass(frozen=True)
class Price:
    """USD per million input and output tokens."""

    input: float
    output: float

    def cost(self, tokens_in: int, tokens_out: int) -> float:
        return (tokens_in * self.input + tokens_out * self.output) / 1_000_000


@dataclass
class Reply:
    """One parsed answer, before timing and cost are added."""

    text: str
    tokens_in: int
    tokens_out: int
    finish_reason: str


class RemoteProvider(Provider):
    """Base of the SDK adapters. Subclasses build the client and make one request; `call`
    times it, prices it and raises ProviderError; `complete` never raises."""

    def __init__(self, settings: ProviderSettings, prices: Mapping[str, Price]) -> None:
        self.settings = settings
        self.prices = dict(prices)
        self._client: Any = None

    @property
    def client(self) -> Any:
        # Built on first use, so a fully cached run never imports the SDK.
        if self._client is None:
            self._client = self.make_client()
        return self._client

    @abstractmethod
    def make_client(self) -> Any:
        """The SDK's async client, with the SDK's own retries off."""

    @abstractmethod
    async def request(self, req: CompletionRequest) -> Reply:
        """One call; SDK exceptions propagate to `translate`."""

    @abstractmethod
    def translate(self, exc: Exception) -> ProviderError | None:
        """This SDK's exception as a ProviderError, or None when it is not the SDK's."""

    async def call(self, req: CompletionRequest) -> Completion:
        start = time.perf_counter()
        try:
            reply = await self.request(req)
        except ProviderError:
            raise
        except Exception as exc:  # noqa: BLE001 - every SDK failure becomes a ProviderError here
            raise self._translated(exc) from exc
        if not reply.text.strip():
            # Often transient (a filtered or cut-off sample): worth another attempt.
            raise ProviderError("the model returned an empty post", provider=self.name,
                                retryable=True, hint=f"finish reason was '{reply.finish_reason}'")
        price = self.prices.get(req.model, Price(0.0, 0.0))
        return Completion(
            text=reply.text.strip(), tokens_in=reply.tokens_in, tokens_out=reply.tokens_out,
            cost_usd=price.cost(reply.tokens_in, reply.tokens_out),
            latency_ms=(time.perf_counter() - start) * 1000.0, finish_reason=reply.finish_reason,
        )

    async def complete(self, requests: Sequence[CompletionRequest]) -> list[Completion]:
        async def one(req: CompletionRequest) -> Completion:
            try:
                return await self.call(req)
            except ProviderError as exc:
                return Completion(error=exc.message())

        return list(await asyncio.gather(*(one(r) for r in requests)))

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await self.close_client(client)

    async def close_client(self, client: Any) -> None:
        close = getattr(client, "close", None) or getattr(client, "aclose", None)
        if close is not None:
            result = close()
            if asyncio.iscoroutine(result):
                await result

    def _translated(self, exc: Exception) -> ProviderError:
        err = self.translate(exc)
        if err is not None:
            return err
        if _is_timeout(exc):
            return timeout_error(self.name, self.settings.timeout)
        if isinstance(exc, ValueError):  # JSONDecodeError and friends: a body we cannot read
            # Retryable: a proxy or a dropped connection cuts bodies short now and then.
            return ProviderError(f"malformed response body ({type(exc).__name__})",
                                 provider=self.name, retryable=True,
                                 hint="check the base_url points at an API")
        if _is_connection(exc):
            return ProviderError(f"connection failed: {clean_message(str(exc))}",
                                 provider=self.name, retryable=True,
                                 hint="check the network and the base_url")
        return ProviderError(f"{type(exc).__name__}: {clean_message(str(exc))}",
                             provider=self.name)


def _is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, TimeoutError) or any(
        "Timeout" in cls.__name__ for cls in type(exc).__mro__)


def _is_connection(exc: BaseException) -> bool:
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"APIConnectionError", "ConnectError", "TransportError", "NetworkError",
                         "RemoteProtocolError", "ClientConnectionError"})


def clean_message(text: str) -> str:
    """One line, no keys, not too long: safe to write into an output row."""
    line = " ".join(redact(str(text)).split())
    return line if len(line) <= MAX_ERROR_CHARS else line[: MAX_ERROR_CHARS - 1] + "…"


def retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait from `retry-after-ms` or `retry-after` (seconds or an HTTP date)."""
    if not headers:
        return None
    lowered = {str(k).lower(): str(v) for k, v in dict(headers).items()}
    try:
        if "retry-after-ms" in lowered:
            return max(float(lowered["retry-after-ms"]) / 1000.0, 0.0)
        if "retry-after" in lowered:
            value = lowered["retry-after"].strip()
            try:
                return max(float(value), 0.0)
            except ValueError:
                when = email.utils.parsedate_to_datetime(value)
                return max(when.timestamp() - time.time(), 0.0)
    except (TypeError, ValueError, OverflowError):
        return None
    return None


def status_error(provider: str, status: int, message: str,
                 headers: Mapping[str, str] | None = None) -> ProviderError:
    """The fbopt error for an HTTP status: 429 rate limit, 401/403 auth, 408/409/5xx retryable."""
    text = f"HTTP {status}: {clean_message(message) or 'no message'}"
    if status == 429:
        return RateLimitError(text, provider=provider, status=status,
                              retry_after=retry_after(headers),
                              hint="lower --concurrency or the model's rpm/tpm in models.toml")
    if status in (401, 403):
        return AuthenticationError(text, provider=provider, status=status,
                                   hint="check the API key for this provider")
    retryable = status in (408, 409) or status >= 500
    return ProviderError(text, provider=provider, status=status, retryable=retryable,
                         retry_after=retry_after(headers) if retryable else None)


def body_message(body: Any) -> str:
    """The human message inside an error body of any of the providers' shapes."""
    if isinstance(body, Mapping):
        inner = body.get("error", body)
        if isinstance(inner, Mapping):
            return str(inner.get("message") or inner.get("status") or inner)
        if "message" in body:
            return str(body["message"])
        return str(inner)
    return str(body or "")


def timeout_error(provider: str, seconds: float) -> ProviderTimeout:
    """The error for a call with no answer within its timeout (retryable)."""
    return ProviderTimeout(f"no answer within {seconds:g}s", provider=provider,
                           hint="raise llm.timeout or retry later")
