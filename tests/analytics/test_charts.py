"""The dashboard's charts read right: mixes count only generated posts, score means are per
command, empty charts say "no data yet", a lone run gets a sensible time range, cost from 0."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fbopt.analytics.charts import figures, points

T0 = "2026-12-02T18:00:00.000+00:00"


def _run(i: int, command: str, **extra: Any) -> dict[str, Any]:
    return {"id": i, "command": command, "status": "ok", "started_at": T0,
            "input": "/data/x.csv", **extra}


def _charts(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {cid: fig for cid, _, fig in figures(rows)}


def test_mixes_count_only_generate_runs_posts() -> None:
    charts = _charts([_run(1, "generate", model_mix={"gpt": 5}, prompt_mix={"a": 5}),
                      _run(2, "predict", model_mix={"gpt": 5}, prompt_mix={"a": 5})])
    for cid in ("models", "prompts"):
        assert sum(sum(t.y) for t in charts[cid].data) == 5, cid


def test_score_means_are_split_by_command() -> None:
    charts = _charts([_run(1, "generate", scores={"overall_quality": 0.7}),
                      _run(2, "predict", scores={"overall_quality": 0.2}),
                      _run(3, "enhance", scores={"overall_quality": 0.8})])
    assert [y for t in charts["scores"].data for y in t.y] == [0.7]
    assert [y for t in charts["enhance"].data for y in t.y] == [0.8]


def test_empty_charts_say_no_data_yet() -> None:
    charts = _charts([_run(1, "generate", cost_per_post=0.0, rows_per_second=10.0)])
    for cid in ("cache", "alerts", "learn", "engagement"):
        fig = charts[cid]
        assert points(fig) == 0
        assert [a.text for a in fig.layout.annotations] == ["no data yet"], cid
        assert fig.layout.yaxis.visible is False
    assert not charts["throughput"].layout.annotations


def test_one_learn_run_gets_a_range_of_hours_not_milliseconds() -> None:
    fig = _charts([_run(1, "learn", learn_metrics={"spearman": 0.4})])["learn"]
    low, high = (datetime.fromisoformat(x) for x in fig.layout.xaxis.range)
    assert (high - low).total_seconds() >= 3600


def test_cost_axis_never_goes_below_zero() -> None:
    fig = _charts([_run(1, "generate", cost_per_post=0.0)])["cost"]
    assert fig.layout.yaxis.rangemode == "nonnegative"
