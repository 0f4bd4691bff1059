"""The benchmark's report schema and its regression gate, on tiny row counts (never timings)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import fbopt
from fbopt.cli.main import cli
from tests.conftest import SAMPLE

TINY = ["--stages", "generate.offline", "--rows", "12", "--repeat", "2", "--warmup", "0"]

STAGE_KEYS = {"stage": str, "what": str, "device": str, "status": str, "rows": int,
              "repeat": int, "seconds": list, "rows_per_second": dict, "peak_rss_mb": float,
              "cache": dict, "metrics": dict}
RATE_KEYS = ("median", "min", "max", "mean", "stdev", "spread_pct", "runs")


def check_schema(report: dict[str, Any]) -> None:
    assert report["kind"] == "fbopt-benchmark" and report["schema_version"] == 1
    assert report["fbopt_version"] == fbopt.__version__
    machine = report["machine"]
    assert machine["cpu_count"] >= 1 and machine["cpus_usable"] >= 1
    assert isinstance(machine["cpu_model"], str) and machine["cpu_model"]
    assert isinstance(machine["gpu"]["available"], bool)
    assert machine["libraries"]["pyarrow"] and machine["python"].count(".") == 2
    for key, entry in report["stages"].items():
        assert entry["status"] == "ok", entry.get("error")
        for name, kind in STAGE_KEYS.items():
            assert isinstance(entry[name], kind), (key, name)
        rate = entry["rows_per_second"]
        assert all(k in rate for k in RATE_KEYS)
        assert rate["min"] <= rate["median"] <= rate["max"] and rate["median"] > 0
        assert len(rate["runs"]) == len(entry["seconds"]) == entry["repeat"]


def run_cli(args: list[str]) -> Any:
    return CliRunner().invoke(cli, ["benchmark", *args], catch_exceptions=False)


def tiny_run(folder: Path, *args: str) -> Path:
    mp = pytest.MonkeyPatch()
    mp.setenv("FBOPT_BENCHMARK_LATENCY_SAMPLES", "3")
    try:
        result = run_cli([*TINY, *args, "--report", str(folder / "b.json")])
    finally:
        mp.undo()
    assert result.exit_code == 0, result.output
    return folder / "b.json"


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One tiny CLI run shared by the schema tests: 12 rows, scaling at 12 and 24 rows."""
    return tiny_run(tmp_path_factory.mktemp("bench"), "--scaling", "12,24")


@pytest.fixture(scope="module")
def loopback_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The stages that talk to the loopback server, 12 rows, no scaling."""
    return tiny_run(tmp_path_factory.mktemp("bench"), "--stages", "generate.openai,cache.disk",
                    "--loopback-delay-ms", "2", "--scaling", "none")


def test_report_schema(tiny_report: Path) -> None:
    report = json.loads(tiny_report.read_text())
    check_schema(report)
    entry = report["stages"]["generate.offline"]
    assert entry["rows"] == 12 and entry["device"] == "cpu"
    assert entry["latency_ms"]["samples"] == 3
    assert entry["latency_ms"]["p50"] <= entry["latency_ms"]["p95"] <= entry["latency_ms"]["p99"]
    assert report["settings"]["synthetic"] == {"topics": True, "posts": True}
    assert report["comparison"] is None


def test_loopback_stages(loopback_report: Path) -> None:
    report = json.loads(loopback_report.read_text())
    check_schema(report)
    stages = report["stages"]
    assert set(stages) == {"generate.openai", "cache.disk"}
    loopback = stages["generate.openai"]["loopback"]
    # every call reached the server: 2 timed runs of 12 rows (no warm-up), 3 single-row probes
    assert loopback["server_requests"] == 2 * 12 + 3
    assert 1 <= loopback["server_max_in_flight"] <= loopback["concurrency"]
    assert loopback["concurrency_efficiency"] > 0 and loopback["delay_ms"] == 2
    assert stages["generate.openai"]["metrics"]["llm"]["calls"] == 12
    assert stages["generate.openai"]["cache"]["hit_rate"] == 0
    cached = stages["cache.disk"]
    assert cached["cache"]["hit_rate"] == 1.0 and cached["cache"].get("l2") == 1.0
    # the warm-up filled the cache; no timed or single-row call reached the server after it
    assert cached["loopback"]["warmup_requests"] == 12
    assert cached["loopback"]["requests_after_warmup"] == 0


def test_report_scaling(tiny_report: Path) -> None:
    scaling = json.loads(tiny_report.read_text())["scaling"]["generate.offline"]
    assert [s["rows"] for s in scaling["sizes"]] == [12, 24]
    assert all(s["seconds"] > 0 and s["peak_rss_mb"] > 0 for s in scaling["sizes"])
    verdict = scaling["verdict"]
    assert isinstance(verdict["linear_time"], bool) and isinstance(verdict["flat_memory"], bool)
    assert "rows^" in verdict["text"]


def test_markdown_and_html_beside_the_json(tiny_report: Path) -> None:
    md = tiny_report.with_suffix(".md").read_text()
    html = tiny_report.with_suffix(".html").read_text()
    assert md.startswith("# fbopt benchmark") and "| generate.offline | cpu | 12 |" in md
    assert "## Scaling" in md and "## Machine" in md
    assert html.count("Plotly.newPlot") == 3 and "generate.offline" in html


def write_baseline(report: Path, target: Path, factor: float) -> Path:
    data = json.loads(report.read_text())
    data["stages"]["generate.offline"]["rows_per_second"]["median"] *= factor
    target.write_text(json.dumps(data))
    return target


def test_baseline_gate_exit_status(tiny_report: Path, tmp_path: Path) -> None:
    """A baseline 100x faster than any run here: the gate fails with exit status 1. (The
    passing side of the gate is covered by test_compare, without another run.)"""
    baseline = write_baseline(tiny_report, tmp_path / "old.json", 100.0)
    result = run_cli([*TINY, "--repeat", "1", "--scaling", "none", "--baseline", str(baseline),
                      "--max-regression", "0.10", "--report", str(tmp_path / "new.json")])
    assert result.exit_code == 1, result.output
    assert "baseline rows/s" in result.output and "regression" in result.output
    report = json.loads((tmp_path / "new.json").read_text())
    assert report["comparison"]["passed"] is False
    assert report["comparison"]["regressions"] == ["generate.offline"]
    assert "Against the baseline" in (tmp_path / "new.md").read_text()


def test_bad_baseline_is_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}')
    result = run_cli([*TINY, "--baseline", str(bad), "--report", str(tmp_path / "x.json")])
    assert result.exit_code == 2 and "not an fbopt benchmark report" in result.output
    assert not (tmp_path / "x.json").exists()


def test_unknown_stage_is_exit_2(tmp_path: Path) -> None:
    result = run_cli(["--stages", "nope", "--report", str(tmp_path / "x.json")])
    assert result.exit_code == 2 and "unknown benchmark stage" in result.output
    assert "generate.offline" in result.output


def test_python_api_on_user_posts() -> None:
    """The API returns the report as a dict; a posts stage runs on --data, cut to --rows."""
    report = fbopt.benchmark(stages=["score"], posts=SAMPLE / "posts.csv", rows=8, repeat=1,
                             warmup=0, scaling=[], latency_samples=0)
    check_schema(report)
    assert list(report["stages"]) == ["score"] and report["scaling"] == {}
    entry = report["stages"]["score"]
    assert entry["rows"] == 8 and entry["latency_ms"] is None
    assert entry["metrics"]["texts_analysed"] == 8
    assert report["settings"]["synthetic"]["posts"] is False


def test_stage_timeout_is_a_failed_stage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker past benchmark.stage_timeout_s is stopped; the stage is failed: exit 3."""
    monkeypatch.setenv("FBOPT_BENCHMARK_STAGE_TIMEOUT_S", "0.2")
    result = run_cli([*TINY, "--scaling", "none", "--report", str(tmp_path / "t.json")])
    assert result.exit_code == 3, result.output
    entry = json.loads((tmp_path / "t.json").read_text())["stages"]["generate.offline"]
    assert entry["status"] == "failed" and "timed out" in entry["error"]
    assert "FAILED" in (tmp_path / "t.md").read_text()
