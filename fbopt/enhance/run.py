"""`enhance`: posts in, improved posts out, with every score before and after.

Not for the strategies or the keep-or-drop rule (fbopt.enhance.enhancer): this module streams a
file (or a DataFrame) through the enhancer with fbopt.pipeline and writes the report.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from fbopt.config import Config, load_config
from fbopt.enhance.enhancer import Enhanced, Enhancer, EnhanceSettings, PostContext
from fbopt.io.report import RunReport
from fbopt.io.schema import Column, Schema
from fbopt.pipeline import (
    RunResult,
    append_columns,
    finish_run,
    resume_checkpoint,
    run_paths,
    run_stage,
    schema_with,
)
from fbopt.quality.api import TEXT_COLUMNS
from fbopt.quality.columns import GRAMMAR_ISSUE, issue_column
from fbopt.quality.score import SCORE_NAMES, QualitySettings, Scorer

ENHANCE_FIELDS = (
    [pa.field("text_enhanced", pa.string()), pa.field("enhancements", pa.list_(pa.string()))]
    + [pa.field(f"{name}_{when}", pa.float64()) for name in SCORE_NAMES
       for when in ("before", "after")]
    + [pa.field("quality_gain", pa.float64()), pa.field("grammar_issues", pa.list_(GRAMMAR_ISSUE))]
)


def enhance_schema(text_column: str | None = None) -> Schema:
    """The text column (auto-detected among TEXT_COLUMNS unless named), plus optional topic and
    content_type columns that the engagement and sentiment strategies use."""
    text = (Column(text_column, required=True, help="the post's text") if text_column else
            Column("text", required=True, aliases=TEXT_COLUMNS[1:], help="the post's text"))
    return Schema(command="enhance", columns=(
        text,
        Column("topic", help="what the post is about: used for hashtags"),
        Column("content_type", aliases=("category",), help="news posts keep their tone"),
    ))


@dataclass
class EnhanceStage:
    """The pipeline stage: enhances each batch's posts and adds the enhance columns."""

    enhancer: Enhancer
    schema: Schema
    name: str = "enhance"
    # Running sums of every score before and after, for the report's means: constant memory.
    totals: dict[str, float] = field(default_factory=lambda: {
        f"{n}_{w}": 0.0 for n in SCORE_NAMES for w in ("before", "after")})
    posts: int = 0
    changed: int = 0

    @property
    def text_name(self) -> str:
        return self.schema.columns[0].name

    def output_schema(self, input_schema: pa.Schema) -> pa.Schema:
        return schema_with(input_schema, ENHANCE_FIELDS)

    async def process(self, batch: pa.RecordBatch, columns: dict[str, pa.Array],
                      first_row: int) -> pa.RecordBatch:
        texts = columns[self.text_name].to_pylist()
        topics = columns["topic"].to_pylist() if "topic" in columns else [None] * len(texts)
        kinds = (columns["content_type"].to_pylist() if "content_type" in columns
                 else [None] * len(texts))
        contexts = [PostContext(t, k) for t, k in zip(topics, kinds, strict=True)]
        done = self.enhancer.enhance(texts, contexts)
        self._tally(done, texts)
        return append_columns(batch, enhance_columns(done))

    def restore(self, batch: pa.RecordBatch) -> None:
        """Count a batch replayed from a checkpoint (a resumed run) as if just enhanced."""
        for row in batch.select(list(self.totals)).to_pylist():
            self._add(row)
        before = batch.column(batch.schema.get_field_index(self.text_name)).to_pylist()
        after = batch.column(batch.schema.get_field_index("text_enhanced")).to_pylist()
        self.changed += sum(a != (b or "") for a, b in zip(after, before, strict=True))

    def _tally(self, done: list[Enhanced], texts: list[Any]) -> None:
        for result, original in zip(done, texts, strict=True):
            self.changed += result.text != (original or "")
            self._add({**{f"{k}_before": v for k, v in result.before.scores().items()},
                       **{f"{k}_after": v for k, v in result.after.scores().items()}})

    def _add(self, scores: dict[str, float]) -> None:
        self.posts += 1
        for key in self.totals:
            self.totals[key] += scores[key]

    def metrics(self) -> dict[str, Any]:
        n = max(self.posts, 1)
        means = {name: {when: round(self.totals[f"{name}_{when}"] / n, 4)
                        for when in ("before", "after")} for name in SCORE_NAMES}
        return {"mean_scores": means, "posts_changed": self.changed,
                "share_changed": round(self.changed / n, 4), **self.enhancer.metrics(),
                "scorer": self.enhancer.scorer.metrics()}

    async def aclose(self) -> None:
        self.enhancer.scorer.close()


def enhance_columns(done: list[Enhanced]) -> dict[str, pa.Array]:
    columns: dict[str, pa.Array] = {
        "text_enhanced": pa.array([r.text for r in done], pa.string()),
        "enhancements": pa.array([r.enhancements for r in done], pa.list_(pa.string())),
    }
    for name in SCORE_NAMES:
        columns[f"{name}_before"] = pa.array([getattr(r.before, name) for r in done], pa.float64())
        columns[f"{name}_after"] = pa.array([getattr(r.after, name) for r in done], pa.float64())
    columns["quality_gain"] = pa.array([r.quality_gain for r in done], pa.float64())
    columns["grammar_issues"] = issue_column([r.after for r in done])
    return columns


def enhance(
    posts: Any,
    output: str | Path | None = None,
    *,
    report: str | Path | None = None,
    text_column: str | None = None,
    strategies: list[str] | str | None = None,
    config: Config | str | Path | None = None,
    batch_size: int | None = None,
    progress: bool = False,
    fresh: bool = False,
) -> RunResult:
    """Improve every post in `posts` (a CSV/Parquet/JSONL path or a DataFrame).

    With a path and no `output`, writes `<stem>.enhance.parquet` in the current folder; with a
    DataFrame and no `output`, returns a DataFrame in `result.output`. A run from a file that
    was stopped resumes where it was (`fresh` starts over).
    """
    cfg = config if isinstance(config, Config) else load_config(config)
    size = batch_size or int(cfg.get("run.batch_size"))
    out_path, rep_path = run_paths(posts, output, report, "enhance")
    run = RunReport("enhance")
    settings = EnhanceSettings.from_config(cfg, strategies)
    stage = EnhanceStage(Enhancer(Scorer(QualitySettings.from_config(cfg)), settings),
                         enhance_schema(text_column))
    checkpoint = resume_checkpoint("enhance", posts, out_path, cfg, fresh=fresh, options={
        "strategies": list(settings.strategies), "text_column": text_column, "batch": size})
    start = time.perf_counter()
    table = run_stage(stage, posts, out_path, run, batch_size=size, progress=progress,
                      checkpoint=checkpoint, validate_first=bool(cfg.get("run.validate_first")))
    return finish_run(run, start, table, out_path, rep_path)
