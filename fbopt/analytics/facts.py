"""What one history row says about a run: the report's numbers, plus the score means, the
model and prompt mix and the mean predicted engagement of what the run wrote.

Not for storing rows (fbopt.analytics.store) or judging them (fbopt.analytics.alerts).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

SCORE_COLUMNS = ("grammar_score", "readability_score", "sentiment_score", "engagement_score",
                 "creativity_score", "overall_quality")
MIX_COLUMNS = {"model": "model_mix", "prompt_variant": "prompt_mix"}
ENGAGEMENT_COLUMN = "predicted_engagement"


def report_facts(report: dict[str, Any]) -> dict[str, Any]:
    """The history columns a report (RunReport.as_dict()) gives."""
    metrics = report.get("metrics") or {}
    llm = metrics.get("llm") or {}
    cache = metrics.get("cache") or {}
    rows_in, rows_out = int(report.get("rows_in") or 0), int(report.get("rows_out") or 0)
    failed = int(report.get("rows_failed") or 0)
    cost = float(llm.get("cost_usd") or 0.0)
    cached = bool(cache.get("lookups"))
    return {
        "started_at": report.get("started_at"), "finished_at": report.get("finished_at"),
        "command": report.get("command"), "input": _absolute(report.get("input")),
        "output": _absolute(report.get("output")), "fbopt_version": report.get("fbopt_version"),
        "rows_in": rows_in, "rows_out": rows_out, "rows_failed": failed,
        "failure_rate": round(failed / max(rows_out, rows_in, 1), 6),
        "wall_seconds": report.get("wall_seconds"),
        "rows_per_second": report.get("rows_per_second"),
        "peak_rss_mb": report.get("peak_rss_mb"),
        "cost_usd": round(cost, 6),
        "cost_per_post": round(cost / rows_out, 8) if rows_out else None,
        "tokens_in": llm.get("tokens_in"), "tokens_out": llm.get("tokens_out"),
        "calls": llm.get("calls"), "retries": llm.get("retries"),
        "errors": dict(llm.get("errors") or {}),
        "cache_hit_rate": cache.get("hit_rate") if cached else None,
        "cache_l1_hit_rate": cache.get("l1_hit_rate") if cached else None,
        "cache_l2_hit_rate": cache.get("l2_hit_rate") if cached else None,
        "cache_semantic_hit_rate": cache.get("semantic_hit_rate") if cached else None,
        "model_mix": dict(metrics.get("posts_by_model") or {}),
        "learn_metrics": _learn_metrics(report.get("command"), metrics),
        "host": socket.gethostname(), "pid": os.getpid(),
    }


def enhance_facts(report: dict[str, Any]) -> dict[str, Any]:
    """enhance's score means after enhancing, from its report (its output has the scores as
    `<name>_after` columns, which output_facts does not read)."""
    means = (report.get("metrics") or {}).get("mean_scores") or {}
    if report.get("command") != "enhance" or not means:
        return {}
    scores = {name: pair["after"] for name, pair in means.items()
              if isinstance(pair, dict) and pair.get("after") is not None}
    return {"scores": scores, "mean_overall_quality": scores.get("overall_quality")}


def _absolute(path: Any) -> Any:
    """A file path made absolute, so runs from different folders group by the same input."""
    if not path or str(path).startswith("<"):
        return path
    return str(Path(path).resolve())


def _learn_metrics(command: Any, metrics: dict[str, Any]) -> dict[str, Any]:
    if command != "learn":
        return {}
    found = metrics.get("validation") if isinstance(metrics.get("validation"), dict) else metrics
    # Every number of the validation summary (Spearman, MAE, coverage, the baselines'...).
    return {k: v for k, v in found.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)}


def output_facts(table: Any = None, path: str | Path | None = None) -> dict[str, Any]:
    """Score means, mixes and mean predicted engagement from the run's output: an Arrow table,
    or the written file (only those columns are read)."""
    if table is None and path is not None:
        table = _read_columns(Path(path))
    if table is None or table.num_rows == 0:
        return {}
    import pyarrow.compute as pc

    names = set(table.schema.names)
    scores = {c: _mean(pc, table.column(c)) for c in SCORE_COLUMNS if c in names}
    out: dict[str, Any] = {"scores": {k: v for k, v in scores.items() if v is not None}}
    out["mean_overall_quality"] = out["scores"].get("overall_quality")
    if ENGAGEMENT_COLUMN in names:
        out["mean_predicted_engagement"] = _mean(pc, table.column(ENGAGEMENT_COLUMN))
    for column, key in MIX_COLUMNS.items():
        if column in names:
            counts = pc.value_counts(table.column(column).drop_null()).to_pylist()
            out[key] = {str(c["values"]): int(c["counts"]) for c in counts}
    return out


def _mean(pc: Any, column: Any) -> float | None:
    try:
        value = pc.mean(column.cast("double")).as_py()
    except Exception:  # a column of another type under a score's name: not a score
        return None
    return None if value is None else round(float(value), 6)


def _read_columns(path: Path) -> Any:
    """Only the analytics columns of a written output (Parquet: those columns alone)."""
    wanted = [*SCORE_COLUMNS, ENGAGEMENT_COLUMN, *MIX_COLUMNS]
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            have = set(pq.read_schema(path).names)
            return pq.read_table(path, columns=[c for c in wanted if c in have])
        if suffix == ".csv":
            from pyarrow import csv

            options = csv.ConvertOptions(include_columns=wanted, include_missing_columns=True)
            return csv.read_csv(path, convert_options=options)
        if suffix in (".jsonl", ".json", ".ndjson"):
            from pyarrow import json

            table = json.read_json(path)
            return table.select([c for c in wanted if c in table.schema.names])
    except (OSError, ValueError):
        return None
    return None
