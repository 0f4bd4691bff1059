"""`fbopt generate` against loopback fakes of the four providers, through the real SDKs: the
selector's columns, failed rows and exit status 3, the budget cap, the cache on a second run,
and a canary key that must appear in no file the run writes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from fbopt.cli.main import cli
from tests.fakes.llm_server import Action, FakeServer

CANARY = "sk-canary-cli-9f8e7d6c5b4a3210"
TOPICS = ["Kubernetes autoscaling for small engineering teams", "Friday movie night trivia quiz",
          "Black Friday sale: 30% off all running shoes", "Grateful for ten years of our bakery",
          "How to brew better coffee at home", "Our thoughts on the weather this spring"]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    with FakeServer() as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url + "/v1")
        for var in ("ANTHROPIC_BASE_URL", "CO_API_URL", "GOOGLE_GEMINI_BASE_URL"):
            monkeypatch.setenv(var, fake.url)
        monkeypatch.setenv("FBOPT_LLM_RETRY_BASE_DELAY", "0.01")
        monkeypatch.setenv("FBOPT_LLM_RETRY_MAX_DELAY", "0.05")
        yield fake


def topics_file(folder: Path, n: int = 6) -> Path:
    path = folder / "topics.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "topic", "audience"])
        for i in range(n):
            writer.writerow([f"t{i}", f"{TOPICS[i % len(TOPICS)]} #{i}", "small businesses"])
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["generate", *args])
    return result.exit_code, result.stderr


def rows(workdir: Path, name: str = "topics.generate.parquet") -> list[dict]:
    return pq.read_table(workdir / name).to_pylist()


def report(workdir: Path) -> dict:
    return json.loads((workdir / "topics.generate.report.json").read_text())


def test_all_four_providers_fill_the_selector_columns(workdir, server, monkeypatch):
    for var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "CO_API_KEY", "GEMINI_API_KEY"):
        monkeypatch.setenv(var, CANARY)
    code, err = run(str(topics_file(workdir, 24)), "--variants", "2")
    assert code == 0, err
    out = rows(workdir)
    assert len(out) == 48 and {r["status"] for r in out} == {"ok"}
    assert {r["provider"] for r in out} >= {"openai", "anthropic", "cohere"}
    assert all(r["selection_reason"] and r["prompt_variant"] and r["content_type"] for r in out)
    assert {r["content_type"] for r in out} >= {"technical", "entertainment", "promotional"}
    assert all(r["tokens_in"] == 120 and r["tokens_out"] == 60 and r["cost_usd"] > 0 for r in out)
    assert all(r["text"].startswith("Here is what ") for r in out)
    metrics = report(workdir)["metrics"]
    assert metrics["llm"]["calls"] == 48
    assert metrics["llm"]["cost_usd"] == pytest.approx(sum(r["cost_usd"] for r in out), abs=1e-6)


def test_second_run_is_served_from_the_cache(workdir, server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    path = topics_file(workdir, 10)
    assert run(str(path), "--provider", "openai")[0] == 0
    first = rows(workdir)
    calls = len(server.seen)
    assert calls == 10 and {r["cache"] for r in first} == {"miss"}
    assert run(str(path), "--provider", "openai")[0] == 0
    second = rows(workdir)
    assert len(server.seen) == calls  # nothing new reached the provider
    assert {r["cache"] for r in second} <= {"l1", "l2"}
    assert [r["text"] for r in second] == [r["text"] for r in first]
    assert report(workdir)["metrics"]["cache"]["hit_rate"] == 1.0
    assert run(str(path), "--provider", "openai", "--no-cache")[0] == 0
    assert len(server.seen) == calls + 10


SCORES = ("grammar_score", "readability_score", "sentiment_score", "engagement_score",
          "creativity_score", "overall_quality", "grammar_issues")


def test_a_cached_rerun_takes_its_scores_from_the_cache_and_writes_the_same(workdir, server,
                                                                             monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    path = topics_file(workdir, 8)
    assert run(str(path), "--provider", "openai", "--score")[0] == 0
    first, quality = rows(workdir), report(workdir)["metrics"]["quality"]
    assert quality["analyses_stored"] == 8 and quality["scores_from_cache"] == 0
    assert run(str(path), "--provider", "openai", "--score")[0] == 0
    second, quality = rows(workdir), report(workdir)["metrics"]["quality"]
    assert quality["scores_from_cache"] == 8 and quality["texts_analysed"] == 0
    assert [{k: r[k] for k in SCORES} for r in second] == [{k: r[k] for k in SCORES}
                                                            for r in first]
    # Another run context (fewer rows before them): creativity is scored again, from the
    # stored analyses, never taken from a run that saw other posts.
    assert run(str(topics_file(workdir, 5)), "--provider", "openai", "--score")[0] == 0
    quality = report(workdir)["metrics"]["quality"]
    assert quality["texts_analysed"] == 0 and quality["analyses_from_cache"] == 5


def test_failed_rows_keep_the_run_going_and_exit_3(workdir, server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    monkeypatch.setenv("FBOPT_LLM_MAX_ATTEMPTS", "1")
    server.enqueue(Action("status", 500))
    code, err = run(str(topics_file(workdir, 6)), "--provider", "openai", "--concurrency", "1")
    assert code == 3
    out = rows(workdir)
    failed = [r for r in out if r["status"] == "failed"]
    assert len(failed) == 1 and "HTTP 500" in failed[0]["error"] and failed[0]["text"] is None
    assert sum(r["status"] == "ok" for r in out) == 5
    assert "1 calls failed" in err


def test_max_cost_is_a_hard_cap(workdir, server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    cap = 0.01
    code, err = run(str(topics_file(workdir, 20)), "--model", "gpt-4.1", "--max-cost", str(cap),
                    "--concurrency", "8")
    assert code == 0, err
    out = rows(workdir)
    statuses = {r["status"] for r in out}
    assert statuses == {"ok", "skipped_budget"}
    assert sum(r["cost_usd"] or 0 for r in out) <= cap
    assert len(server.seen) == sum(r["status"] == "ok" for r in out)
    assert report(workdir)["metrics"]["llm"]["budget_exhausted"] is True
    assert "skipped_budget" in err


def test_canary_key_is_in_no_written_file(workdir, server, monkeypatch, isolated_home):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    monkeypatch.setenv("FBOPT_LLM_MAX_ATTEMPTS", "1")
    server.enqueue(Action("status", 500, message="server saw", echo_key=True),
                   Action("status", 401, message="Incorrect API key provided", echo_key=True))
    code, err = run(str(topics_file(workdir, 5)), "--provider", "openai", "--concurrency", "1",
                    "-o", "drafts.jsonl", "-vv", "--semantic-cache", "0.9")
    assert code == 3
    assert "server saw" in (workdir / "drafts.jsonl").read_text()
    written = [p for root in (workdir, isolated_home) for p in root.rglob("*") if p.is_file()]
    assert any(p.suffix == ".jsonl" for p in written) and any("cache" in str(p) for p in written)
    for path in written:
        data = path.read_bytes()
        assert CANARY.encode() not in data, path
        assert CANARY[:16].encode() not in data, path
    assert CANARY[:16] not in err


def test_forcing_a_provider_without_its_key_is_a_usage_error(workdir, server):
    code, err = run(str(topics_file(workdir, 2)), "--provider", "anthropic")
    assert code == 2 and "ANTHROPIC_API_KEY" in err
    assert not (workdir / "topics.generate.parquet").exists()
    code, err = run(str(topics_file(workdir, 2)), "--model", "no-such-model")
    assert code == 2 and "not in the catalog" in err


def test_no_keys_goes_offline_and_says_so_once(workdir, server):
    code, err = run(str(topics_file(workdir, 4)))
    assert code == 0 and err.count("no API keys found") == 1
    assert {r["provider"] for r in rows(workdir)} == {"offline"}
    assert not server.seen


def test_dry_run_calls_nothing_and_counts_cache_hits_and_batch_prices(workdir, server,
                                                                      monkeypatch):
    from fbopt.config import load_config
    from fbopt.drafts.estimate import estimate

    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    path = topics_file(workdir, 6)
    config = load_config(None, {"llm.provider": "openai"})
    before = estimate(path, config)
    assert len(server.seen) == 0 and before["total"]["rows"] == 6
    assert before["total"]["cached"] == 0 and before["total"]["cost_online_usd"] > 0
    assert before["total"]["cost_batch_usd"] == pytest.approx(
        before["total"]["cost_online_usd"] / 2)
    code = CliRunner().invoke(cli, ["generate", str(path), "--provider", "openai",
                                    "--dry-run"])
    assert code.exit_code == 0 and "cost batch" in code.stdout and len(server.seen) == 0
    assert run(str(path), "--provider", "openai", "--no-score")[0] == 0
    after = estimate(path, config)
    assert after["total"]["cached"] == 6 and after["total"]["cost_online_usd"] == 0
