"""Alerts: thresholds against the run and its trailing runs, in the report and the history, one
stderr line each, the Slack-compatible webhook on loopback, --fail-on-alert exit 4, and never a
key or a post's text in what is sent."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from click.testing import CliRunner

from fbopt.analytics.alerts import Thresholds, check
from fbopt.analytics.api import runs
from fbopt.cli.main import cli
from tests.conftest import SAMPLE
from tests.fakes.llm_server import FakeServer
from tests.fakes.webhook_receiver import WebhookReceiver

CANARY = "sk-canary-alerts-0a1b2c3d4e5f"


def test_trailing_window_alerts_fire_only_past_their_limits() -> None:
    limits = Thresholds(trailing_runs=5, min_trailing_runs=3)
    past = [{"rows_per_second": r, "mean_predicted_engagement": e}
            for r, e in ((1000, 100.0), (1100, 102.0), (900, 98.0), (1000, 101.0))]
    fine = {"rows_per_second": 800, "mean_predicted_engagement": 97.0, "failure_rate": 0.0}
    assert check(fine, past, limits) == []
    slow = {"rows_per_second": 300, "mean_predicted_engagement": 80.0, "failure_rate": 0.2}
    kinds = {a.kind: a for a in check(slow, past, limits)}
    assert set(kinds) == {"throughput", "predicted_engagement", "failure_rate"}
    assert "30% of the median 1,000" in kinds["throughput"].message
    assert check(slow, past[:2], limits)[0].kind == "failure_rate"  # too few trailing runs


def test_absolute_limits_and_off_switches() -> None:
    row = {"cost_per_post": 0.002, "cache_hit_rate": 0.1, "mean_overall_quality": 0.5,
           "failure_rate": 0.5}
    assert check(row, [], Thresholds(max_failure_rate=-1)) == []
    on = Thresholds(max_cost_per_post=0.001, min_cache_hit_rate=0.5, min_overall_quality=0.8)
    assert {a.kind for a in check(row, [], on)} == {"cost_per_post", "cache_hit_rate",
                                                    "overall_quality", "failure_rate"}


def _config(folder: Path, hook: str) -> Path:
    path = folder / "fbopt.toml"
    path.write_text(f'[alerts]\nwebhook_url = "{hook}"\nmin_overall_quality = 0.99\n'
                    'max_failure_rate = 0.0\n[llm]\nmax_attempts = 1\nprovider = "openai"\n',
                    encoding="utf-8")
    return path


def test_alerts_reach_stderr_report_history_and_webhook(workdir: Path, monkeypatch) -> None:
    with FakeServer(faults=0.4, seed=3, hang=0.2) as fake, WebhookReceiver() as hook:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url + "/v1")
        monkeypatch.setenv("OPENAI_API_KEY", CANARY)
        monkeypatch.setenv("FBOPT_LLM_TIMEOUT", "0.1")
        config = _config(workdir, hook.url)
        result = CliRunner().invoke(cli, ["generate", str(SAMPLE / "topics.csv"), "-q",
                                          "--config", str(config), "-o", "g.parquet"])
    assert result.exit_code == 3  # failed rows keep their own status
    lines = [x for x in result.stderr.splitlines() if x.startswith("alert:")]
    assert {x.split()[3] for x in lines} == {"overall_quality:", "failure_rate:"}
    report = json.loads((workdir / "g.report.json").read_text())
    assert {a["kind"] for a in report["metrics"]["alerts"]} == {"overall_quality", "failure_rate"}
    (run,) = runs()
    assert run["alert_count"] == 2 and run["status"] == "rows_failed"
    (post,) = hook.posts
    assert post["content_type"] == "application/json"
    body = post["body"]
    assert body["text"].startswith("fbopt generate: 2 alerts") and body["blocks"]
    assert {a["kind"] for a in body["fbopt"]["alerts"]} == {"overall_quality", "failure_rate"}
    out = pq.read_table(workdir / "g.parquet").to_pandas()
    assert CANARY not in post["raw"]
    texts = [t for t in out["text"].dropna() if t] + list(out["topic"])
    assert not any(t in post["raw"] for t in texts)


def test_fail_on_alert_exits_4(workdir: Path) -> None:
    config = workdir / "fbopt.toml"
    config.write_text("[alerts]\nmin_overall_quality = 0.99\n", encoding="utf-8")
    args = ["generate", str(SAMPLE / "topics.csv"), "-q", "--config", str(config)]
    plain = CliRunner().invoke(cli, args)
    assert plain.exit_code == 0 and "alert: fbopt generate overall_quality" in plain.stderr
    failing = CliRunner().invoke(cli, [*args, "--fail-on-alert", "--fresh"])
    assert failing.exit_code == 4


def test_unreachable_webhook_is_a_note_not_a_lost_run(workdir: Path) -> None:
    config = workdir / "fbopt.toml"
    config.write_text('[alerts]\nmin_overall_quality = 0.99\n'
                      'webhook_url = "http://127.0.0.1:9/nothing"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["generate", str(SAMPLE / "topics.csv"), "--config",
                                      str(config), "-o", "g.csv"])
    assert result.exit_code == 0 and (workdir / "g.csv").exists()
    assert "note: alerts were not posted to the webhook" in result.stderr
    report = json.loads((workdir / "g.report.json").read_text())
    assert any("not posted to the webhook" in n for n in report["notes"])
    assert runs()[0]["alert_count"] == 1
