"""The benchmark worker: one fresh process times one stage at one size and writes JSON.

Not started by users: the harness (fbopt.bench.suite) runs `python -m fbopt.bench.worker SPEC`
so that every stage's peak RSS is its own and no stage warms another's caches.

The spec (JSON) names the stage, its inputs (`run_inputs`, one per timed run, `warmup_input`,
`probe_inputs`: see fbopt.bench.layout), `warmup` and `result` (where to write the answer).
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from fbopt.bench.stages import STAGES, BenchStage, Spec, StageRun
from fbopt.bench.stats import latency_summary, rate_summary
from fbopt.io.report import peak_rss_mb


def cpu_seconds() -> float:
    """CPU time of this process, all threads (not of pool workers it does not wait for)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(stage: BenchStage, spec: Spec, output: Path,
          collect: bool = True) -> tuple[float, StageRun]:
    """Seconds of one run, less what it spent starting what a long run starts once (its
    StageRun says how much: the score stage's worker pool, when no warm-up started it)."""
    if collect:  # a collection left over from the last run must not land in this one
        gc.collect()
    start = time.perf_counter()
    run = stage.run(spec, output)
    return time.perf_counter() - start - run.startup_seconds, run


def warm_up(stage: BenchStage, spec: Spec, work: Path) -> tuple[float, float]:
    """Run the untimed warm-up(s) on `warmup_input` (a cache stage: every row, and at least
    once); the seconds they took, so the harness can budget stages whose warm-up is costly,
    and the start-up seconds among them."""
    count = int(spec.get("warmup", 1))
    warm = {**spec, "input": spec["warmup_input"]}
    start, startup = time.perf_counter(), 0.0
    for _ in range(stage.warmups(count)):
        startup += stage.run(warm, work / "warmup.out.parquet").startup_seconds
    return time.perf_counter() - start, startup


def latency_probe(stage: BenchStage, spec: Spec, work: Path) -> list[float]:
    """End-to-end time of single-row calls, one one-row input each, in ms: what one row costs
    when it is the only row. No forced collection between them: a full collection of a large
    heap can cost more than the call, and a pause that lands in one is part of its latency."""
    times = []
    for path in spec.get("probe_inputs", []):
        seconds, _ = timed(stage, {**spec, "input": path}, work / "probe.out.parquet",
                           collect=False)
        times.append(seconds * 1000.0)
    return times


def measure(spec: Spec) -> dict[str, Any]:
    stage = STAGES[spec["stage"]]
    work = Path(spec["workdir"])
    work.mkdir(parents=True, exist_ok=True)
    warmup_seconds, startup = warm_up(stage, spec, work)
    seconds, cpu, rates, row_latency = [], [], [], []
    run = StageRun(rows=0)
    for path in spec["run_inputs"]:
        cpu_before = cpu_seconds()
        elapsed, run = timed(stage, {**spec, "input": path}, work / "out.parquet")
        cpu.append(cpu_seconds() - cpu_before)
        startup += run.startup_seconds
        seconds.append(elapsed)
        rates.append(run.rows / elapsed)
        row_latency.extend(run.row_latency_ms)
    probe_start = time.perf_counter()
    probe = latency_probe(stage, spec, work)
    probe_seconds = time.perf_counter() - probe_start
    return {
        "rows": run.rows,
        "seconds": [round(s, 4) for s in seconds],
        "cpu_seconds": [round(c, 4) for c in cpu],
        "warmup": stage.warmups(int(spec.get("warmup", 1))),
        "warmup_seconds": round(warmup_seconds, 4),
        # Once per worker process, outside every timed run (see StageRun.startup_seconds).
        "startup_seconds": round(startup, 4),
        "probe_seconds": round(probe_seconds, 4),
        "rows_per_second": rate_summary(rates),
        "latency_ms": latency_summary(probe, "single-row calls, end to end") if probe else None,
        "row_latency_ms": latency_summary(row_latency, "measured per row by the library")
        if row_latency else None,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "cache": run.cache,
        "metrics": run.metrics,
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    spec = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    try:
        answer: dict[str, Any] = {"status": "ok", **measure(spec)}
    except Exception as exc:  # noqa: BLE001 - any failure becomes the stage's reported error
        answer = {"status": "failed", "error": f"{type(exc).__name__}: {exc}",
                  "traceback": traceback.format_exc(limit=8)}
    Path(spec["result"]).write_text(json.dumps(answer, default=str), encoding="utf-8")
    return 0 if answer["status"] == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
