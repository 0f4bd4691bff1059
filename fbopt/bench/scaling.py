"""The scaling section: every stage timed at growing row counts, each size in a fresh worker,
within a budget per size and the suite's time budget, with a verdict on time and memory.

Not for the main measurements (fbopt.bench.suite). Sizes run smallest first across all stages,
so a tight time budget still gives every stage its cheap sizes before any stage's largest.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from fbopt.bench.stages import BenchStage
from fbopt.bench.stats import scaling_verdict


class Measurer(Protocol):
    """The harness, as scaling sees it."""

    started: float

    def measure(self, stage: BenchStage, device: str, rows: int, *, repeat: int, warmup: int,
                latency_samples: int) -> dict[str, Any]: ...

    def events(self, line: str) -> None: ...


@dataclass
class Cost:
    """Projected seconds of one scaling worker: `fixed` (process start-up, imports, the
    200-row warm-up) plus `per_row` seconds a row (the timed run's, and the warm-up's too
    when the warm-up must cover every row)."""

    per_row: float
    fixed: float

    def of(self, rows: int) -> float:
        return self.fixed + rows * self.per_row


def cost_of(stage: BenchStage, measured: dict[str, Any]) -> Cost:
    rows = measured["rows"]
    per_row = 1.0 / measured["rows_per_second"]["median"]
    warm = float(measured.get("warmup_seconds") or 0.0)
    if stage.full_warmup:
        per_row += warm / max(1, int(measured.get("warmup") or 1)) / rows
        warm = 0.0
    timed = sum(measured.get("seconds", []))
    fixed = float(measured.get("worker_seconds") or 0.0) - timed - float(
        measured.get("probe_seconds") or 0.0)
    if stage.full_warmup:
        fixed -= float(measured.get("warmup_seconds") or 0.0)
    return Cost(per_row, max(fixed, warm, 0.0))


@dataclass
class Plan:
    stage: BenchStage
    cost: Cost
    entries: list[dict[str, Any]] = field(default_factory=list)
    done: bool = False


def skipped(rows: int, why: str, projected: float | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"rows": rows, "skipped": why}
    if projected is not None:
        entry["projected_seconds"] = round(projected, 1)
    return entry


def plan_stage(stage: BenchStage, measured: dict[str, Any], sizes: list[int],
               per_size: float) -> Plan:
    """A stage's scaling plan; when fewer than two sizes fit the budget per size, no verdict
    is possible and the stage is not scaled at all."""
    plan = Plan(stage, cost_of(stage, measured))
    fits = [s for s in sizes if plan.cost.of(s) <= per_size]
    if len(fits) < 2:
        plan.done = True
        why = (f"only {len(fits)} of the sizes fit the {per_size:,.0f}s budget per size, "
               "and a verdict needs two")
        plan.entries = [skipped(s, why, plan.cost.of(s)) for s in sizes]
    return plan


def scale_one(h: Measurer, plan: Plan, size: int, per_size: float,
              time_budget: float) -> None:
    projected = plan.cost.of(size)
    if projected > per_size:
        plan.entries.append(skipped(size, f"over the {per_size:,.0f}s budget per size",
                                    projected))
        return
    elapsed = time.perf_counter() - h.started
    if elapsed + projected > time_budget:
        plan.entries.append(skipped(size, f"would pass the run's {time_budget:,.0f}s time "
                                          "budget", projected))
        return
    answer = h.measure(plan.stage, "cpu", size, repeat=1, warmup=1, latency_samples=0)
    if answer.get("status") != "ok":
        plan.entries.append(skipped(size, f"failed: {answer.get('error')}"))
        return
    plan.entries.append({"rows": size, "seconds": answer["seconds"][0],
                         "cpu_seconds": answer["cpu_seconds"][0],
                         "rows_per_second": answer["rows_per_second"]["median"],
                         "peak_rss_mb": answer["peak_rss_mb"],
                         "worker_seconds": answer.get("worker_seconds")})
    # The largest size so far predicts the next best: fixed per-call costs are amortised
    # further than in the main run, and any super-linear growth shows up here first.
    measured = cost_of(plan.stage, answer)
    plan.cost = Cost(measured.per_row, max(plan.cost.fixed, measured.fixed))


def run_scaling(h: Measurer, stages: list[BenchStage], results: dict[str, dict[str, Any]],
                sizes: list[int], per_size: float,
                time_budget: float) -> dict[str, dict[str, Any]]:
    plans = [plan_stage(s, results[s.name], sizes, per_size) for s in stages
             if sizes and results.get(s.name, {}).get("status") == "ok"]
    for size in sizes:
        for plan in plans:
            if not plan.done:
                scale_one(h, plan, size, per_size, time_budget)
    scaling = {}
    for plan in plans:
        verdict = scaling_verdict(plan.entries)
        scaling[plan.stage.name] = {"sizes": plan.entries, "verdict": verdict}
        h.events(f"{plan.stage.name} scaling: {verdict['text']}")
    return scaling
