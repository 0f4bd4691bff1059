"""`generate --batch` against the loopback server's OpenAI Batch API (tests.fakes.batch_api),
through the real openai SDK: one submission per record batch, every answer on its own row once,
batch prices, per-request errors, the budget checked before submission, and resume."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from fbopt.cli.main import cli
from fbopt.config import load_config
from fbopt.drafts.catalog import load_catalog
from tests.conftest import REPO
from tests.fakes.llm_server import FakeServer

KEY = "sk-test-batch-0123456789"
MODEL = "gpt-4.1-mini"
BASE = ["--model", MODEL, "--no-cache", "--batch", "-q"]


@pytest.fixture(autouse=True)
def batch_env(monkeypatch: pytest.MonkeyPatch, isolated_home: Path, workdir: Path) -> None:
    monkeypatch.setenv("FBOPT_GENERATE_SCORE", "false")
    monkeypatch.setenv("FBOPT_LLM_BATCH_POLL", "0.01")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)


def write_topics(n: int) -> Path:
    path = Path("topics.csv")
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "topic", "audience"])
        writer.writerows([f"t{i}", f"Bike commuting tip {i}", "city riders"] for i in range(n))
    return path


def run(server: FakeServer, monkeypatch: pytest.MonkeyPatch, *extra: str) -> tuple[int, str]:
    monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
    result = CliRunner().invoke(cli, ["generate", "topics.csv", "-o", "out.parquet", *BASE,
                                      *extra])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def rows() -> list[dict]:
    return pq.read_table("out.parquet").to_pylist()


def batch_price():
    return load_catalog(load_config()).get(MODEL).batch_price


def test_a_batch_that_completes_answers_every_row_once_at_batch_prices(monkeypatch):
    write_topics(12)
    with FakeServer(usage=(100, 50)) as server:
        server.batches.polls_before_done = 2
        code, _ = run(server, monkeypatch)
        state = server.batches
    assert code == 0
    out = rows()
    assert [r["topic_id"] for r in out] == [f"t{i}" for i in range(12)]
    assert all(r["status"] == "ok" for r in out)
    # The fake writes answers in reverse order: each must still land on its own row.
    for r in out:
        assert f"Bike commuting tip {r['topic_id'][1:]}." in r["text"]
    assert len(state.batches) == 1 and list(state.submissions.values()) == [1]
    assert not [s for s in server.seen if s.path.endswith("/chat/completions")]  # no online call
    expected = batch_price().cost(100, 50)
    assert all(r["cost_usd"] == pytest.approx(expected) for r in out)
    report = json.loads(Path("out.report.json").read_text())
    assert report["metrics"]["batch"]["submitted"] == 1
    assert report["metrics"]["batch"]["requests"] == 12


def test_partial_errors_fail_those_rows_with_the_providers_error(monkeypatch):
    write_topics(6)
    with FakeServer() as server:
        first = _custom_ids_after_submit(server, monkeypatch)
        failing = set(first[:2])
        server.batches.fail_ids = failing
        code, _ = run(server, monkeypatch, "--fresh")
    assert code == 3
    out = rows()
    failed = [r for r in out if r["status"] == "failed"]
    assert len(failed) == 2 and len(out) == 6
    assert all("fake batch error" in r["error"] and r["text"] is None for r in failed)


def _custom_ids_after_submit(server: FakeServer, monkeypatch) -> list[str]:
    """The call keys a run sends: one plain run first, read off the fake's input file."""
    code, _ = run(server, monkeypatch)
    assert code == 0
    batch = next(iter(server.batches.batches.values()))
    server.batches.batches.clear()
    return [line["custom_id"] for line in batch.lines]


def test_budget_is_checked_against_the_upper_bound_before_submission(monkeypatch):
    write_topics(10)
    with FakeServer(usage=(100, 50)) as server:
        code, _ = run(server, monkeypatch, "--max-cost", "0.0000001")
        state = server.batches
    assert code == 0
    assert {r["status"] for r in rows()} == {"skipped_budget"}
    assert not state.batches and not state.files  # nothing was uploaded or submitted


def test_budget_admits_what_the_upper_bound_allows_and_spend_stays_under(monkeypatch):
    write_topics(10)
    cap = 0.0012
    with FakeServer(usage=(100, 50)) as server:
        code, _ = run(server, monkeypatch, "--max-cost", str(cap))
        lines = next(iter(server.batches.batches.values())).lines
    out = rows()
    ok = [r for r in out if r["status"] == "ok"]
    assert 0 < len(ok) < 10 and len(lines) == len(ok)
    assert sum(r["cost_usd"] for r in out) <= cap


def test_no_wait_exits_75_then_the_same_command_collects_without_resubmitting(monkeypatch):
    write_topics(8)
    with FakeServer() as server:
        server.batches.polls_before_done = 1
        code, output = run(server, monkeypatch, "--no-wait")
        assert code == 75
        assert "openai batch batch_1 (8 requests, in_progress)" in output
        assert not Path("out.parquet").exists()
        code, output = run(server, monkeypatch, "--no-wait")
        state = server.batches
    assert code == 0, output
    assert len(state.batches) == 1 and list(state.submissions.values()) == [1]
    assert [r["status"] for r in rows()] == ["ok"] * 8
    notes = json.loads(Path("out.report.json").read_text())["notes"]
    assert any("8 requests in 1 provider batches (1 submitted by an earlier run)" in n
               for n in notes)


@pytest.mark.parametrize("status", ["expired", "cancelled"])
def test_an_unfinished_batch_fails_its_rows_or_retries_them_online(monkeypatch, status):
    write_topics(8)
    with FakeServer() as server:
        server.batches.final_status = status
        code, _ = run(server, monkeypatch)
        assert code == 3
        failed = [r for r in rows() if r["status"] == "failed"]
        assert len(failed) == 4 and all(f"batch_{status}" in r["error"] for r in failed)
        code, _ = run(server, monkeypatch, "--fresh", "--batch-fallback", "online")
        online = [s for s in server.seen if s.path.endswith("/chat/completions")]
    assert code == 0
    assert [r["status"] for r in rows()] == ["ok"] * 8
    assert len(online) == 4  # only the unanswered rows, once each


def test_cohere_runs_online_and_the_report_says_so(monkeypatch):
    write_topics(3)
    monkeypatch.setenv("CO_API_KEY", "co-test-key-0123456789")
    with FakeServer() as server:
        monkeypatch.setenv("CO_API_URL", server.url)
        monkeypatch.setenv("FBOPT_PROVIDERS_COHERE_BASE_URL", server.url)
        result = CliRunner().invoke(cli, ["generate", "topics.csv", "-o", "out.parquet",
                                          "--provider", "cohere", "--no-cache", "--batch"])
    report = json.loads(Path("out.report.json").read_text())
    assert result.exit_code == 0, result.output
    assert report["metrics"]["batch"]["online_no_batch_api"] == {"cohere": 3}
    assert any("cohere has no batch API" in n for n in report["notes"])


def test_a_run_killed_after_submitting_polls_its_batch_and_never_submits_twice(monkeypatch):
    write_topics(8)
    with FakeServer() as server:
        server.batches.polls_before_done = 10**6  # in progress until the kill
        env = dict(os.environ, OPENAI_BASE_URL=server.url + "/v1", PYTHONPATH=str(REPO))
        proc = subprocess.Popen([sys.executable, "-m", "fbopt", "generate", "topics.csv", "-o",
                                 "out.parquet", *BASE], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        # The first poll comes after the batch id is in the checkpoint.
        while server.batches.polls < 1 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.kill()
        proc.communicate()
        assert server.batches.polls >= 1 and not Path("out.parquet").exists()
        server.batches.polls_before_done = 0
        code, output = run(server, monkeypatch)
        state = server.batches
    assert code == 0, output
    assert len(state.batches) == 1 and list(state.submissions.values()) == [1]
    assert [r["status"] for r in rows()] == ["ok"] * 8


def run_anthropic(server: FakeServer, monkeypatch, *extra: str) -> tuple[int, str]:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-0123456789")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
    result = CliRunner().invoke(cli, ["generate", "topics.csv", "-o", "out.parquet", "--model",
                                      "claude-haiku-4-5", "--no-cache", "--batch", "-q",
                                      *extra])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_anthropic_message_batch_completes_out_of_order_at_batch_prices(monkeypatch):
    write_topics(9)
    with FakeServer(usage=(100, 50)) as server:
        server.batches.polls_before_done = 2
        code, output = run_anthropic(server, monkeypatch)
        state = server.batches
    assert code == 0, output
    out = rows()
    assert [r["topic_id"] for r in out] == [f"t{i}" for i in range(9)]
    for r in out:  # the results stream comes in reverse order
        assert r["status"] == "ok" and f"Bike commuting tip {r['topic_id'][1:]}." in r["text"]
    assert list(state.submissions.values()) == [1]
    assert not [s for s in server.seen if s.path.endswith("/v1/messages")]  # no online call
    price = load_catalog(load_config()).get("claude-haiku-4-5").batch_price
    assert all(r["cost_usd"] == pytest.approx(price.cost(100, 50)) for r in out)


def test_anthropic_errored_and_expired_requests_fail_with_the_providers_error(monkeypatch):
    write_topics(8)
    with FakeServer() as server:
        server.batches.final_status = "expired"
        code, _ = run_anthropic(server, monkeypatch)
        errors = sorted(r["error"] for r in rows() if r["status"] == "failed")
        assert code == 3 and len(errors) == 4 and all("batch_expired" in e for e in errors)
        first = next(iter(server.batches.batches.values())).lines
        server.batches.final_status = "completed"
        server.batches.fail_ids = {first[0]["custom_id"]}
        code, _ = run_anthropic(server, monkeypatch, "--fresh")
    failed = [r for r in rows() if r["status"] == "failed"]
    assert code == 3 and len(failed) == 1 and "fake batch error" in failed[0]["error"]


def test_anthropic_no_wait_then_collect_submits_once(monkeypatch):
    write_topics(5)
    with FakeServer() as server:
        code, output = run_anthropic(server, monkeypatch, "--no-wait")
        assert code == 75 and "anthropic batch msgbatch_1 (5 requests, in_progress)" in output
        code, output = run_anthropic(server, monkeypatch, "--no-wait")
        state = server.batches
    assert code == 0, output
    assert list(state.submissions.values()) == [1]
    assert [r["status"] for r in rows()] == ["ok"] * 5
