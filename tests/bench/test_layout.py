"""Each timed run reads rows of its own; cache stages reread the same rows on purpose."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from fbopt.bench.layout import plan_inputs, total_rows
from fbopt.bench.stages import STAGES
from fbopt.bench.synthetic import write_synthetic


def ids(path: str) -> list[str]:
    return pq.read_table(path).column("id").to_pylist()


def test_fresh_rows_never_repeat(tmp_path: Path) -> None:
    stage = STAGES["generate.offline"]
    total = total_rows(stage, 5, 3, 1, 2, 4)
    assert total == 5 * 3 + 2 + 4
    source = write_synthetic("topics", tmp_path / "t.parquet", total)
    plan = plan_inputs(stage, source, tmp_path / "in", 5, 3, 1, 2, 4)
    runs = [ids(p) for p in plan["run_inputs"]]
    warm = ids(plan["warmup_input"])
    probes = [ids(p) for p in plan["probe_inputs"]]
    assert [len(r) for r in runs] == [5, 5, 5] and len(warm) == 2
    assert [len(p) for p in probes] == [1, 1, 1, 1]
    seen = [i for r in runs for i in r] + warm + [i for p in probes for i in p]
    assert len(seen) == len(set(seen)) == total


def test_cache_stage_rereads_its_rows(tmp_path: Path) -> None:
    stage = STAGES["cache.disk"]
    assert total_rows(stage, 5, 3, 1, 2, 4) == 5
    source = write_synthetic("topics", tmp_path / "t.parquet", 5)
    plan = plan_inputs(stage, source, tmp_path / "in", 5, 3, 1, 2, 4)
    assert plan["run_inputs"] == [str(source)] * 3 and plan["warmup_input"] == str(source)
    assert [ids(p)[0] for p in plan["probe_inputs"]] == ids(str(source))[:4]
