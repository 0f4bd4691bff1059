"""The score stage measures steady-state scoring: one Scorer per worker process, its start-up
timed apart and left out of rows/s (issue #17 item 12)."""

from __future__ import annotations

import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from fbopt.bench import stages, worker
from fbopt.bench.stages import STAGES, BenchStage, Spec, StageRun
from fbopt.bench.synthetic import write_synthetic
from fbopt.config import load_config


def test_timed_leaves_start_up_out(tmp_path: Path) -> None:
    def run(spec: Spec, output: Path) -> StageRun:
        time.sleep(0.3)
        return StageRun(rows=10, startup_seconds=0.25)

    stage = BenchStage("fake", "sleeps", lambda rows, ctx: {}, run)
    seconds, _ = worker.timed(stage, {}, tmp_path / "o.parquet")
    assert 0.04 <= seconds < 0.25


def test_measure_reports_start_up_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[bool] = []

    def run(spec: Spec, output: Path) -> StageRun:
        first = not started
        started.append(True)
        time.sleep(0.2 if first else 0.01)
        return StageRun(rows=10, startup_seconds=0.19 if first else 0.0)

    monkeypatch.setitem(STAGES, "fake", BenchStage("fake", "sleeps", lambda r, c: {}, run))
    answer = worker.measure({"stage": "fake", "workdir": str(tmp_path), "warmup": 0,
                             "warmup_input": "", "run_inputs": ["a", "b", "c"]})
    assert answer["startup_seconds"] == pytest.approx(0.19)
    assert max(answer["seconds"]) < 0.1  # the first run's start-up is not in its time


def test_score_stage_keeps_one_scorer_per_process(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stages, "_SCORERS", {})
    config = tmp_path / "c.toml"
    config.write_text("[quality]\nworkers = 1\n", encoding="utf-8")
    posts = write_synthetic("posts", tmp_path / "p.parquet", 12)
    spec = {"input": str(posts), "config": str(config), "batch_size": None}
    first = stages.run_score(spec, tmp_path / "o1.parquet")
    scorer = stages._SCORERS[str(config)]
    second = stages.run_score(spec, tmp_path / "o2.parquet")
    assert first.startup_seconds > 0 and second.startup_seconds == 0.0
    assert stages._SCORERS[str(config)] is scorer
    # Counters are the run's own: the second run found every post in the run cache.
    assert first.metrics["cache_hits"] == 0 and second.metrics["cache_hits"] == 12
    assert pq.read_table(tmp_path / "o2.parquet").num_rows == 12


def test_score_warm_up_reaches_the_pool() -> None:
    """A warm-up under quality.pool_min_texts rows is scored in the harness's own process, so
    the pool's workers met their first posts inside a timed run."""
    assert STAGES["score"].warmup_rows > int(load_config().get("quality.pool_min_texts"))
