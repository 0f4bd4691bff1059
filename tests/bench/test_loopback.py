"""The benchmark's loopback server speaks the OpenAI chat wire format to the real SDK."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import openai
import pytest

from fbopt.bench.loopback import LoopbackProcess


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackProcess]:
    with LoopbackProcess(delay_ms=5) as srv:
        yield srv


def test_chat_completion_through_the_sdk(server: LoopbackProcess) -> None:
    client = openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=0)
    reply = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "system", "content": "You write Facebook posts."},
                  {"role": "user", "content": "Write a post about balcony gardens."}])
    text = reply.choices[0].message.content or ""
    assert "balcony gardens" in text.lower() and 40 <= len(text) <= 500
    assert reply.model == "gpt-4o-mini" and reply.choices[0].finish_reason == "stop"
    assert reply.usage is not None and reply.usage.completion_tokens > 0
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens
    client.close()


def test_errors_in_openai_shape(server: LoopbackProcess) -> None:
    client = openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=0)
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="m", messages="not a list")  # type: ignore[arg-type]
    client.close()
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(server.base_url + "/nothing", timeout=5)
    assert info.value.code == 404 and "error" in json.loads(info.value.read())


def test_stats_count_requests(server: LoopbackProcess) -> None:
    before = server.stats()["requests"]
    client = openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=0)
    for _ in range(3):
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    client.close()
    stats = server.stats()
    assert stats["requests"] == before + 3 and stats["max_in_flight"] >= 1
