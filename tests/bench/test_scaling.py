"""Scaling plans: smallest sizes first across stages, budgets per size and for the whole run."""

from __future__ import annotations

import time
from typing import Any

from fbopt.bench.scaling import cost_of, run_scaling
from fbopt.bench.stages import STAGES


def measured(rows: int, rate: float, worker: float = 2.0) -> dict[str, Any]:
    seconds = rows / rate
    return {"status": "ok", "rows": rows, "seconds": [seconds], "cpu_seconds": [seconds],
            "rows_per_second": {"median": rate}, "warmup_seconds": 0.5, "warmup": 1,
            "probe_seconds": 0.0, "worker_seconds": worker + seconds, "peak_rss_mb": 100.0}


class FakeHarness:
    """Answers as if each stage ran at a fixed rate; records what was asked, in order."""

    def __init__(self, rates: dict[str, float], started: float | None = None) -> None:
        self.rates = rates
        self.started = time.perf_counter() if started is None else started
        self.calls: list[tuple[str, int]] = []
        self.lines: list[str] = []

    def measure(self, stage: Any, device: str, rows: int, **_: Any) -> dict[str, Any]:
        self.calls.append((stage.name, rows))
        return measured(rows, self.rates[stage.name])

    def events(self, line: str) -> None:
        self.lines.append(line)


STAGE_A, STAGE_B = STAGES["generate.offline"], STAGES["generate.openai"]


def test_cost_counts_start_up_once() -> None:
    cost = cost_of(STAGE_A, measured(1000, 500.0, worker=3.0))
    assert cost.per_row == 1 / 500 and cost.fixed == 3.0
    assert cost.of(10_000) == 23.0


def test_smallest_sizes_first_and_budget_per_size() -> None:
    h = FakeHarness({"generate.offline": 10_000.0, "generate.openai": 400.0})
    results = {"generate.offline": measured(2000, 10_000.0),
               "generate.openai": measured(500, 400.0)}
    scaling = run_scaling(h, [STAGE_A, STAGE_B], results, [1000, 10_000, 100_000], 40.0,
                          1e9)
    # openai: 100k rows at 400/s is 250 s: over the 40 s per size; 10k (27 s) still fits
    assert h.calls == [("generate.offline", 1000), ("generate.openai", 1000),
                       ("generate.offline", 10_000), ("generate.openai", 10_000),
                       ("generate.offline", 100_000)]
    last = scaling["generate.openai"]["sizes"][-1]
    assert last["rows"] == 100_000 and "budget per size" in last["skipped"]
    assert scaling["generate.offline"]["verdict"]["linear_time"] is True


def test_stage_with_one_fitting_size_is_not_scaled() -> None:
    h = FakeHarness({"generate.openai": 100.0})
    scaling = run_scaling(h, [STAGE_B], {"generate.openai": measured(500, 100.0)},
                          [1000, 10_000, 100_000], 40.0, 1e9)
    assert h.calls == []
    assert all("a verdict needs two" in s["skipped"] for s in scaling["generate.openai"]["sizes"])


def test_time_budget_of_the_whole_run() -> None:
    h = FakeHarness({"generate.offline": 10_000.0}, started=time.perf_counter() - 100.0)
    scaling = run_scaling(h, [STAGE_A], {"generate.offline": measured(2000, 10_000.0)},
                          [1000, 10_000, 100_000], 40.0, 110.0)
    # 100 s gone of 110: 1k (2.1 s) and 10k (3 s) fit, 100k (12 s) would pass the budget
    assert h.calls == [("generate.offline", 1000), ("generate.offline", 10_000)]
    assert "time budget" in scaling["generate.offline"]["sizes"][-1]["skipped"]
