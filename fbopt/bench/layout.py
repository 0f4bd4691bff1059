"""Which rows of a stage's prepared input each run of a worker reads: the timed runs, the
warm-up and the single-row latency probes.

Not for making the rows (fbopt.bench.synthetic). With `fresh_rows`, the prepared input holds
rows x repeat + warm-up + probe rows, laid out [timed 1]...[timed K][warm-up][probe 1]...: no
run reads a row an earlier run in the same process has seen, so a cache left by the warm-up or
the last repeat cannot flatter it. Cache stages read the same rows every time, on purpose.
The harness splits the file before the worker starts, so the split costs the worker no memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fbopt.bench.stages import BenchStage


def total_rows(stage: BenchStage, rows: int, repeat: int, warmup: int, warmup_rows: int,
               samples: int) -> int:
    """Rows to prepare so that every run can read rows of its own."""
    if not stage.fresh_rows:
        return rows
    warm = min(warmup_rows, rows) if warmup else 0
    return rows * repeat + warm + min(samples, rows)


def plan_inputs(stage: BenchStage, source: Path, folder: Path, rows: int, repeat: int,
                warmup: int, warmup_rows: int, samples: int) -> dict[str, Any]:
    """Split `source` into the worker's inputs: run_inputs (one per timed run), warmup_input
    and probe_inputs (one-row files)."""
    from fbopt.bench.synthetic import split_file

    folder.mkdir(parents=True, exist_ok=True)
    probes = min(samples, rows)
    warm = min(warmup_rows, rows)
    if stage.fresh_rows:
        pieces = [(folder / f"run-{k}.parquet", rows) for k in range(repeat)]
        pieces += [(folder / "warmup.parquet", warm)] if warmup else []
        pieces += [(folder / f"probe-{i}.parquet", 1) for i in range(probes)]
        paths = split_file(source, pieces)
        runs, rest = paths[:repeat], paths[repeat:]
        warm_path = rest.pop(0) if warmup else source
        return {"run_inputs": [str(p) for p in runs], "warmup_input": str(warm_path),
                "probe_inputs": [str(p) for p in rest]}
    pieces = [(folder / f"probe-{i}.parquet", 1) for i in range(probes)]
    if not stage.full_warmup and warm < rows:
        pieces.insert(0, (folder / "warmup.parquet", warm))
    paths = split_file(source, pieces)
    warm_path = paths.pop(0) if len(paths) > probes else source
    return {"run_inputs": [str(source)] * repeat, "warmup_input": str(warm_path),
            "probe_inputs": [str(p) for p in paths]}
