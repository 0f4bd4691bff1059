"""The dispatcher through `fbopt.generate` and the real OpenAI SDK against the loopback fake:
retries honour Retry-After, timeouts retry, malformed bodies fail one row, the concurrency bound
holds, and semantic reuse is marked."""

from __future__ import annotations

import asyncio

import pandas as pd
import pytest

from fbopt import generate
from fbopt.cache import cache_key
from fbopt.checkpoint import CallJournal
from fbopt.config import load_config
from fbopt.drafts.catalog import load_catalog
from fbopt.drafts.dispatch import LLMDispatcher, ProviderPool
from fbopt.drafts.records import Assignment, TopicRow
from fbopt.providers.base import Completion, CompletionRequest
from tests.fakes.llm_server import Action, FakeServer

KEY = "sk-test-dispatch-00000000"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    with FakeServer() as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url + "/v1")
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        yield fake


def run(topics: list[str], ids: list[str] | None = None, **settings):
    overrides = {"llm.model": "gpt-4.1-mini", "llm.retry_base_delay": 0.01,
                 "llm.retry_max_delay": 0.05} | settings
    frame = pd.DataFrame({"topic": topics, "audience": "runners"})
    if ids:
        frame["id"] = ids
    result = generate(frame, config=load_config(overrides=overrides))
    return result.output, result.report.metrics, result


def test_429_then_success_honours_retry_after(server):
    server.enqueue(Action("status", 429, {"retry-after-ms": "300"}))
    out, metrics, result = run(["Marathon taper week tips"], **{"cache.enabled": False})
    assert list(out["status"]) == ["ok"] and result.exit_code == 0
    assert metrics["llm"]["retries"] == 1 and metrics["llm"]["attempts"] == 2
    assert metrics["llm"]["retry_wait_seconds"] >= 0.3  # waited what the server asked
    assert len(server.seen) == 2


def test_timeout_is_retried_and_malformed_fails_one_row(server):
    server.enqueue(Action("hang", seconds=1.5))
    out, metrics, _ = run(["Trail shoes for wet weather"],
                          **{"llm.timeout": 0.3, "cache.enabled": False})
    assert list(out["status"]) == ["ok"] and metrics["llm"]["retries"] == 1
    server.enqueue(Action("malformed"))  # retryable: with one attempt, the row fails
    out, metrics, result = run(["Hill repeats", "Recovery runs", "Strength for runners"],
                               **{"llm.concurrency": 1, "cache.enabled": False,
                                  "llm.max_attempts": 1})
    assert sorted(out["status"]) == ["failed", "ok", "ok"] and result.exit_code == 3
    assert "malformed" in out.loc[out["status"] == "failed", "error"].iloc[0]
    assert metrics["llm"]["errors"] == {"ProviderError": 1}


def test_concurrency_bound_holds(monkeypatch):
    with FakeServer(delay=0.05) as slow:
        monkeypatch.setenv("OPENAI_BASE_URL", slow.url + "/v1")
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        topics = [f"Interval session number {i}" for i in range(30)]
        out, metrics, _ = run(topics, **{"llm.concurrency": 4, "cache.enabled": False})
        assert (out["status"] == "ok").all()
        assert slow.state.max_in_flight == 4  # reached, never passed
        assert metrics["llm"]["max_in_flight"] == 4


def test_identical_requests_share_one_call_and_semantic_reuse_is_marked(server):
    # the same id and topic twice is the same request: one call serves both rows (repeated ids
    # are refused by the whole-input check, which is off here)
    out, _, _ = run(["Benefits of running in the morning"] * 3, ["a", "a", "a"],
                    **{"cache.semantic_threshold": 0.8, "run.validate_first": False})
    assert len(server.seen) == 1 and (out["status"] == "ok").all()
    # the one call's cost is on the first row only: per-row costs add up to what was spent
    costs = list(out["cost_usd"])
    assert costs[0] > 0 and costs[1:] == [0.0, 0.0]
    assert out["text"].nunique() == 1
    out, metrics, _ = run(["The benefits of morning running", "Knitting for beginners"],
                          **{"cache.semantic_threshold": 0.8})
    assert list(out["cache"]) == ["semantic", "miss"]
    assert out["text"].iloc[0].endswith("#fake") and "morning" in out["text"].iloc[0]
    assert metrics["cache"]["semantic_hits"] == 1 and len(server.seen) == 2


def test_a_resumed_answer_shared_by_identical_rows_is_booked_once(tmp_path):
    journal = CallJournal(tmp_path / "calls.jsonl")
    request = CompletionRequest(model="gpt-4.1-mini", prompt="Write about hill repeats.")
    journal.put(cache_key("openai", request), Completion(text="Hills!", cost_usd=0.002))
    config = load_config()
    catalog = load_catalog(config)
    dispatcher = LLMDispatcher(ProviderPool({}, catalog), catalog, max_cost=1.0)
    dispatcher.journal = journal
    row = TopicRow(row=1, topic_id="a", topic="hill repeats")
    assignment = Assignment(row, 1, "openai", "gpt-4.1-mini", "general", "default", "test",
                            request)
    outcomes = asyncio.run(dispatcher.run([assignment, assignment]))
    assert [o.completion.text for o in outcomes] == ["Hills!", "Hills!"]
    assert [o.completion.cost_usd for o in outcomes] == [0.002, 0.0]
    assert dispatcher.prior_spent == pytest.approx(0.002)  # not 0.004
