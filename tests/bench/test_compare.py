"""The regression gate's arithmetic: stage by stage, a failed stage counts as 100% slower."""

from __future__ import annotations

from typing import Any

from fbopt.bench.compare import compare, comparison_table
from fbopt.bench.suite import BenchmarkResult


def report(**rates: float | None) -> dict[str, Any]:
    stages = {}
    for name, rate in rates.items():
        stages[name] = ({"status": "failed", "error": "boom"} if rate is None else
                        {"status": "ok", "rows_per_second": {"median": rate}})
    return {"kind": "fbopt-benchmark", "stages": stages,
            "machine": {"cpu_model": "x", "cpus_usable": 2}}


def test_each_status() -> None:
    now = report(a=89.0, b=95.0, c=130.0, d=None, e=5.0)
    old = report(a=100.0, b=100.0, c=100.0, d=100.0, gone=10.0)
    result = compare(now, old, 0.10)
    status = {r["stage"]: r["status"] for r in result["stages"]}
    assert status == {"a": "regression", "b": "ok", "c": "faster", "d": "regression",
                      "e": "new", "gone": "not run"}
    assert result["regressions"] == ["a", "d"] and result["passed"] is False
    change = {r["stage"]: r["change"] for r in result["stages"]}
    assert change["a"] == -0.11 and change["d"] == -1.0 and change["gone"] is None


def test_threshold_is_strict() -> None:
    result = compare(report(a=90.0), report(a=100.0), 0.10)
    assert result["passed"] and result["stages"][0]["status"] == "ok"


def test_change_within_the_spread_is_said() -> None:
    now, old = report(a=85.0), report(a=100.0)
    now["stages"]["a"]["rows_per_second"]["spread_pct"] = 30.0
    result = compare(now, old, 0.10)
    assert result["stages"][0]["spread_pct"] == 30.0 and not result["passed"]
    assert "within the runs' spread" in comparison_table(result)


def test_table_and_machine_note() -> None:
    old = report(a=100.0)
    old["machine"]["cpu_model"] = "another cpu"
    result = compare(report(a=50.0), old, 0.25)
    text = comparison_table(result)
    assert "-50.0%" in text and "FAILED: a slower by more than 25%" in text
    assert "another machine" in text


def test_exit_code_prefers_regression_over_failure() -> None:
    failed = {"stages": {"a": {"status": "failed"}}, "comparison": None}
    assert BenchmarkResult(failed, None).exit_code == 3
    failed["comparison"] = {"passed": False}
    assert BenchmarkResult(failed, None).exit_code == 1
    fine = {"stages": {"a": {"status": "ok"}}, "comparison": {"passed": True}}
    assert BenchmarkResult(fine, None).exit_code == 0
