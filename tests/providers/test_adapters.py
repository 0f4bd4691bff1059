"""Each SDK adapter against the loopback fake server, through the real SDK: success and usage,
429 with Retry-After, 5xx, timeout and malformed bodies become fbopt errors; keys stay hidden."""

from __future__ import annotations

import asyncio

import pytest

from fbopt.errors import AuthenticationError, ProviderError, ProviderTimeout, RateLimitError
from fbopt.providers.base import CompletionRequest
from fbopt.providers.registry import ProviderSettings, load_adapter
from fbopt.providers.remote import Price
from tests.fakes.llm_server import Action, FakeServer

CANARY = "sk-canary-adapter-0123456789abcdef"
PATHS = {"openai": "/v1/chat/completions", "anthropic": "/v1/messages", "cohere": "/v2/chat",
         "gemini": ":generateContent"}


@pytest.fixture(scope="module")
def server():
    with FakeServer(usage=(120, 60)) as fake:
        yield fake


def adapter(name: str, server: FakeServer, timeout: float = 5.0):
    base = server.url + ("/v1" if name == "openai" else "")
    settings = ProviderSettings(name, CANARY, base, timeout)
    return load_adapter(name)(settings, {"m1": Price(2.0, 8.0)})


def call(name: str, server: FakeServer, timeout: float = 5.0, system: str = "Be brief."):
    async def go():
        provider = adapter(name, server, timeout)
        try:
            return await provider.call(CompletionRequest(
                model="m1", system=system, prompt="Topic: sourdough starters\nWrite a post."))
        finally:
            await provider.aclose()

    return asyncio.run(go())


@pytest.mark.parametrize("name", list(PATHS))
def test_success_reports_text_usage_cost_and_finish(name, server):
    done = call(name, server)
    assert "sourdough starters" in done.text
    assert (done.tokens_in, done.tokens_out) == (120, 60)
    assert done.cost_usd == pytest.approx((120 * 2.0 + 60 * 8.0) / 1e6)
    assert done.latency_ms > 0 and done.finish_reason
    seen = server.seen[-1]
    assert seen.path.endswith(PATHS[name])
    assert "Be brief." in str(seen.body)  # the system prompt reached the wire


@pytest.mark.parametrize("name", list(PATHS))
def test_429_is_a_rate_limit_error_with_retry_after(name, server):
    server.enqueue(Action("status", 429, {"Retry-After": "3"}))
    with pytest.raises(RateLimitError) as info:
        call(name, server)
    assert info.value.retryable and info.value.retry_after == pytest.approx(3.0)
    assert info.value.status == 429


@pytest.mark.parametrize("name", list(PATHS))
def test_500_is_retryable_and_never_shows_the_key(name, server):
    server.enqueue(Action("status", 500, message="boom", echo_key=True))
    with pytest.raises(ProviderError) as info:
        call(name, server)
    assert info.value.retryable and info.value.status == 500
    assert "boom" in info.value.message()
    assert CANARY not in info.value.message() and CANARY[:12] not in info.value.message()


@pytest.mark.parametrize("name", list(PATHS))
def test_401_is_an_authentication_error(name, server):
    server.enqueue(Action("status", 401, message="bad key"))
    with pytest.raises(AuthenticationError) as info:
        call(name, server)
    assert not info.value.retryable


@pytest.mark.parametrize("name", list(PATHS))
def test_timeout_becomes_provider_timeout(name, server):
    server.enqueue(Action("hang", seconds=1.5))
    with pytest.raises(ProviderTimeout) as info:
        call(name, server, timeout=0.3)
    assert info.value.retryable


@pytest.mark.parametrize("name", list(PATHS))
def test_malformed_body_is_a_provider_error(name, server):
    server.enqueue(Action("malformed"))
    with pytest.raises(ProviderError, match="malformed") as info:
        call(name, server)
    assert info.value.retryable  # a body cut short is usually transient: retried, bounded


def test_complete_never_raises(server):
    server.enqueue(Action("status", 500))

    async def go():
        provider = adapter("openai", server)
        try:
            reqs = [CompletionRequest(model="m1", prompt=f"Topic: t{i}") for i in range(3)]
            return await provider.complete(reqs)
        finally:
            await provider.aclose()

    done = asyncio.run(go())
    assert [c.ok for c in done].count(False) == 1
    assert all("t" in c.text for c in done if c.ok)
