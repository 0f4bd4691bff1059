"""Provider faults: the loopback server fails 30% of calls (429, 500, hangs past the timeout,
truncated bodies, malformed JSON, empty posts), seeded. Every row ends ok or failed with an
error, none is lost or repeated, attempts per row stay bounded and cost counts only answers."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from fbopt.cli.main import cli
from fbopt.config import load_config
from fbopt.drafts.catalog import load_catalog
from tests.fakes.llm_server import FAULT_KINDS, FakeServer

KEY = "sk-test-faults-0123456789"
MAX_ATTEMPTS = 4


def topics(folder: Path, n: int) -> Path:
    path = folder / "topics.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "topic", "audience"])
        writer.writerows([f"t{i}", f"Weekend baking tip number {i}", "home bakers"]
                         for i in range(n))
    return path


@pytest.fixture
def faulty(monkeypatch: pytest.MonkeyPatch):
    with FakeServer(faults=0.3, seed=11, hang=1.0) as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url + "/v1")
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        monkeypatch.setenv("FBOPT_LLM_RETRY_BASE_DELAY", "0.01")
        monkeypatch.setenv("FBOPT_LLM_RETRY_MAX_DELAY", "0.02")
        monkeypatch.setenv("FBOPT_LLM_MAX_ATTEMPTS", str(MAX_ATTEMPTS))
        monkeypatch.setenv("FBOPT_GENERATE_SCORE", "false")  # not what this is about
        yield fake


def test_thirty_percent_faults_lose_and_repeat_nothing(workdir, faulty):
    n, variants = 90, 2
    result = CliRunner().invoke(cli, [
        "generate", str(topics(workdir, n)), "--variants", str(variants), "--model",
        "gpt-4.1-mini", "--no-cache", "--concurrency", "8", "--timeout", "0.3",
        "-o", "out.parquet", "--batch-size", "64"])
    assert result.exit_code in (0, 3), result.stderr
    out = pq.read_table(workdir / "out.parquet").to_pylist()
    keys = Counter((r["topic_id"], r["variant"]) for r in out)
    assert len(out) == n * variants and set(keys.values()) == {1}
    assert set(keys) == {(f"t{i}", v) for i in range(n) for v in (1, 2)}
    assert {r["status"] for r in out} <= {"ok", "failed"}
    assert all(r["text"] and not r["error"] for r in out if r["status"] == "ok")
    assert all(r["error"] and r["text"] is None for r in out if r["status"] == "failed")
    # Every kind of fault happened, and the server saw no request more often than allowed.
    assert set(faulty.state.faults_sent) == set(FAULT_KINDS)
    assert max(faulty.state.attempts.values()) <= MAX_ATTEMPTS
    assert len(faulty.state.attempts) == n * variants
    report = json.loads((workdir / "out.report.json").read_text())
    llm = report["metrics"]["llm"]
    # Under load an attempt can time out before the server has read it: the server sees at
    # most what was attempted, never more (no hidden SDK retries).
    assert 0 < len(faulty.seen) <= llm["attempts"] and llm["retries"] > 0
    # Cost: only answered calls, at the catalog price, once each.
    ok = [r for r in out if r["status"] == "ok"]
    price = load_catalog(load_config()).prices("openai")["gpt-4.1-mini"].cost(120, 60)
    assert all(r["cost_usd"] == pytest.approx(price) for r in ok)
    assert all(r["cost_usd"] == 0 for r in out if r["status"] == "failed")
    assert llm["cost_usd"] == pytest.approx(price * len(ok), abs=1e-6)
    # An answer that arrived after its attempt had timed out was sent but not received.
    assert sum(faulty.state.answered.values()) >= len(ok)
    failed = len(out) - len(ok)
    assert report["rows_failed"] == failed and result.exit_code == (3 if failed else 0)


def test_a_row_that_always_fails_stops_after_max_attempts(workdir, monkeypatch):
    with FakeServer(faults=1.0, seed=3, hang=0.5) as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url + "/v1")
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        monkeypatch.setenv("FBOPT_LLM_RETRY_BASE_DELAY", "0.01")
        monkeypatch.setenv("FBOPT_LLM_RETRY_MAX_DELAY", "0.02")
        monkeypatch.setenv("FBOPT_LLM_MAX_ATTEMPTS", "3")
        result = CliRunner().invoke(cli, [
            "generate", str(topics(workdir, 6)), "--model", "gpt-4.1-mini", "--no-cache",
            "--timeout", "0.2", "-o", "out.jsonl"])
        assert result.exit_code == 3, result.stderr
        rows = [json.loads(line) for line in (workdir / "out.jsonl").read_text().splitlines()]
        assert [r["status"] for r in rows] == ["failed"] * 6
        assert all(r["error"] and r["cost_usd"] == 0 for r in rows)
        assert set(fake.state.attempts.values()) == {3}
        assert "6 calls failed after retries" in result.stderr
