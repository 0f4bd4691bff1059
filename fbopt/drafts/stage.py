"""`generate`: topics in, ready-to-post drafts out, one row per topic and variant.

Not for choosing models or talking to providers itself: a Planner assigns each post a provider,
model and prompt, and a Dispatcher runs the calls (fbopt.drafts.routing builds both).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from fbopt.config import Config, load_config
from fbopt.drafts import rowcheck
from fbopt.drafts.records import Assignment, Dispatcher, Outcome, Planner, TopicRow
from fbopt.drafts.routing import build_routing
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

MAX_VARIANTS = 50

TOPICS_SCHEMA = Schema(
    command="generate",
    columns=(
        Column("topic", required=True, aliases=("subject", "title"), help="what the post is about"),
        Column("id", aliases=("topic_id",), unique=True,
               help="your id for the topic (unique); row number if absent"),
        Column("audience", help="who the post is for, e.g. 'small business owners'"),
        Column("tone", help="friendly, professional, playful, inspirational or urgent"),
        Column("content_type", help="technical, educational, entertainment, personal, "
                                    "promotional or general; classified from the topic if absent"),
        Column("language", help="ISO language code, default en"),
        Column("variants", "int", minimum=1, maximum=MAX_VARIANTS, help="posts to write"),
        Column("quality_requirement", "float", minimum=0, maximum=1,
               help="0-1: how much quality matters against cost and speed"),
        Column("budget", "float", minimum=0, help="most USD to spend on one post"),
        Column("urgency", "float", minimum=0, maximum=1, help="0-1: how much speed matters"),
    ),
)

GENERATE_FIELDS = [
    pa.field("topic_id", pa.string()),
    pa.field("variant", pa.int32()),
    pa.field("text", pa.string()),
    pa.field("status", pa.string()),
    pa.field("error", pa.string()),
    pa.field("provider", pa.string()),
    pa.field("model", pa.string()),
    pa.field("content_type", pa.string()),
    pa.field("prompt_variant", pa.string()),
    pa.field("selection_reason", pa.string()),
    pa.field("tokens_in", pa.int64()),
    pa.field("tokens_out", pa.int64()),
    pa.field("cost_usd", pa.float64()),
    pa.field("latency_ms", pa.float64()),
    pa.field("cache", pa.string()),
]


@dataclass
class GenerateStage:
    """The pipeline stage: expands each topic row into its variants and fills them."""

    planner: Planner
    dispatcher: Dispatcher
    default_variants: int = 1
    forced_variants: int | None = None
    name: str = "generate"
    schema: Schema = TOPICS_SCHEMA
    counts: dict[str, int] = field(default_factory=dict)
    extra_fields: list[pa.Field] = field(default_factory=list)
    max_topic_chars: int = 2000
    max_field_chars: int = 200

    def output_schema(self, input_schema: pa.Schema) -> pa.Schema:
        return schema_with(input_schema, GENERATE_FIELDS + self.extra_fields)

    async def process(self, batch: pa.RecordBatch, columns: dict[str, pa.Array],
                      first_row: int) -> pa.RecordBatch:
        # Rows that cannot be written (empty or oversized topic) never reach the planner.
        why = rowcheck.skip_reasons(columns, self.max_topic_chars, self.max_field_chars)
        counts = rowcheck.variant_counts(columns, batch.num_rows, self.default_variants,
                                         self.forced_variants)
        if why.null_count == 0:
            return self._skipped(batch, columns, first_row, why, counts)[0]
        rows = topic_rows(columns, first_row, counts, rowcheck.batch_ids(columns, first_row))
        reasons = why.to_pylist()
        plan: list[Assignment] = []
        index: list[int] = []
        for i, row in enumerate(rows):
            if reasons[i] is None and not row.topic:
                reasons[i] = rowcheck.EMPTY_TOPIC
            for variant in range(1, row.variants + 1) if reasons[i] is None else ():
                plan.append(self.planner.assign(row, variant))
                index.append(i)
        outcomes = await self.dispatcher.run(plan)
        for outcome in outcomes:
            self.counts[outcome.status] = self.counts.get(outcome.status, 0) + 1
        added = generate_columns(plan, outcomes)
        out = append_columns(batch.take(pa.array(index, pa.int64())), added)
        if all(r is None for r in reasons):
            return out
        skipped = self._skipped(batch, columns, first_row, pa.array(reasons, pa.string()), counts)
        variants = np.array([a.variant for a in plan], np.int64)
        return rowcheck.merge_rows([(out, np.array(index, np.int64), variants), skipped])

    def _skipped(self, batch: pa.RecordBatch, columns: dict[str, pa.Array], first_row: int,
                 why: pa.Array, counts: np.ndarray) -> tuple[pa.RecordBatch, Any, Any]:
        out = rowcheck.skipped_rows(batch, columns, first_row, why, counts,
                                    GENERATE_FIELDS + self.extra_fields)
        self.counts["skipped"] = self.counts.get("skipped", 0) + out[0].num_rows
        return out

    def restore(self, batch: pa.RecordBatch) -> None:
        """Count a batch replayed from a checkpoint as if it had just been written; its spend
        counts toward --max-cost."""
        import pyarrow.compute as pc

        for item in pc.value_counts(batch.column("status")).to_pylist():
            status = item["values"]
            self.counts[status] = self.counts.get(status, 0) + item["counts"]
        spent = pc.sum(batch.column("cost_usd")).as_py() or 0.0
        book = getattr(self.dispatcher, "add_prior_spend", None)
        if book is not None:
            book(spent)

    def metrics(self) -> dict[str, Any]:
        return {"posts_by_status": dict(self.counts), **self.dispatcher.metrics()}

    async def aclose(self) -> None:
        await self.dispatcher.aclose()


def topic_rows(columns: dict[str, pa.Array], first_row: int, counts: np.ndarray,
               ids: pa.Array) -> list[TopicRow]:
    """Each row typed with its defaults; `counts` (posts per row) and `ids` (topic ids) come
    from fbopt.drafts.rowcheck, which the skipped rows use too."""
    data = {name: array.to_pylist() for name, array in columns.items()}
    topic_ids = ids.to_pylist()
    n = len(data["topic"])
    rows = []
    for i in range(n):
        def get(name: str, default: Any, i: int = i) -> Any:
            value = data[name][i] if name in data else None
            return default if value is None or value == "" else value

        rows.append(TopicRow(
            row=first_row + i,
            topic_id=topic_ids[i],
            topic=" ".join((data["topic"][i] or "").split()),
            audience=get("audience", "general"),
            tone=get("tone", "friendly"),
            content_type=str(get("content_type", "")).lower(),
            language=get("language", "en"),
            variants=int(counts[i]),
            quality_requirement=float(get("quality_requirement", 0.5)),
            budget=get("budget", None),
            urgency=float(get("urgency", 0.5)),
        ))
    return rows


def generate_columns(plan: Sequence[Assignment],
                     outcomes: Sequence[Outcome]) -> dict[str, pa.Array]:
    def col(values: list[Any], kind: pa.DataType) -> pa.Array:
        return pa.array(values, kind)

    comps = [o.completion for o in outcomes]
    return {
        "topic_id": col([a.row.topic_id for a in plan], pa.string()),
        "variant": col([a.variant for a in plan], pa.int32()),
        "text": col([c.text if c.ok else None for c in comps], pa.string()),
        "status": col([o.status for o in outcomes], pa.string()),
        "error": col([c.error for c in comps], pa.string()),
        "provider": col([a.provider for a in plan], pa.string()),
        "model": col([a.model for a in plan], pa.string()),
        "content_type": col([a.content_type for a in plan], pa.string()),
        "prompt_variant": col([a.prompt_variant for a in plan], pa.string()),
        "selection_reason": col([a.selection_reason for a in plan], pa.string()),
        "tokens_in": col([c.tokens_in for c in comps], pa.int64()),
        "tokens_out": col([c.tokens_out for c in comps], pa.int64()),
        "cost_usd": col([c.cost_usd for c in comps], pa.float64()),
        "latency_ms": col([round(c.latency_ms, 3) for c in comps], pa.float64()),
        "cache": col([o.cache for o in outcomes], pa.string()),
    }


def build_stage(config: Config, variants: int | None) -> GenerateStage:
    """The stage for one run: fbopt.drafts.routing picks provider, model and prompt per post (the
    offline composer when no keys are set) and runs the calls."""
    planner, dispatcher = build_routing(config)
    return GenerateStage(planner, dispatcher,
                         default_variants=int(config.get("generate.variants")),
                         forced_variants=variants,
                         max_topic_chars=int(config.get("generate.max_topic_chars")),
                         max_field_chars=int(config.get("generate.max_field_chars")))


def with_quality(stage: GenerateStage, config: Config, enhance: bool) -> Any:
    """The quality hook: the stage, wrapped so every post it writes is scored and, with
    `enhance`, improved (fbopt.enhance.finish). Unwrapped when generate.score is off."""
    if not (enhance or bool(config.get("generate.score"))):
        return stage
    # The quality engine loads only when posts are scored (--no-score runs never import it).
    from fbopt.drafts.scoring import RememberingScorer, ScoreMemo, analysis_tag, scores_tag
    from fbopt.enhance.enhancer import Enhancer, EnhanceSettings
    from fbopt.enhance.finish import FinishedStage
    from fbopt.quality.score import QualitySettings, Scorer

    settings = QualitySettings.from_config(config)
    scorer = Scorer(settings)
    cache = getattr(stage.dispatcher, "cache", None)
    if cache is not None:  # a post's analysis is kept in its cache entry (fbopt.drafts.scoring)
        analysis = analysis_tag(settings.analyser)
        memo = ScoreMemo(cache, analysis, scores_tag(settings, analysis))
        stage.dispatcher.memo = memo
        scorer = RememberingScorer(settings, memo)
    enhancer = Enhancer(scorer, EnhanceSettings.from_config(config)) if enhance else None
    return FinishedStage(stage, scorer, enhancer)


def stage_notes(stage: GenerateStage) -> list[str]:
    """What the planner and dispatcher want said once at the end of the run."""
    return [*getattr(stage.planner, "notes", ()), *getattr(stage.dispatcher, "notes", ())]


def _load_late_imports() -> None:
    """What the run would import on first use, imported before its clock starts: imports are
    process start-up, and pyarrow imports pandas (~0.5 s) on its first conversion of a list."""
    import pyarrow.compute  # noqa: F401

    pa.array(["warm"], pa.string())


def generate(
    topics: Any,
    output: str | Path | None = None,
    *,
    report: str | Path | None = None,
    variants: int | None = None,
    config: Config | str | Path | None = None,
    batch_size: int | None = None,
    progress: bool = False,
    fresh: bool = False,
    enhance: bool = False,
) -> RunResult:
    """Write posts for every topic in `topics` (a CSV/Parquet/JSONL path or a DataFrame).

    With a path and no `output`, writes `<stem>.generate.parquet` in the current folder; with a
    DataFrame and no `output`, returns a DataFrame in `result.output`. A run from a file that
    was stopped resumes: rows already written are not asked for again (`fresh` starts over).
    Every written post is scored (config generate.score); `enhance` also improves it.
    """
    cfg = config if isinstance(config, Config) else load_config(config)
    size = batch_size or int(cfg.get("run.batch_size"))
    out_path, rep_path = run_paths(topics, output, report, "generate")
    run = RunReport("generate")
    stage = with_quality(build_stage(cfg, variants), cfg, enhance)
    checkpoint = resume_checkpoint("generate", topics, out_path, cfg, stage.dispatcher,
                                   fresh=fresh, options={"variants": variants, "batch": size,
                                                         "enhance": enhance})
    _load_late_imports()
    start, cpu = time.perf_counter(), time.process_time()
    table = run_stage(stage, topics, out_path, run, batch_size=size, progress=progress,
                      checkpoint=checkpoint, validate_first=bool(cfg.get("run.validate_first")))
    run.metrics["run_cpu_seconds"] = round(time.process_time() - cpu, 4)
    run.rows_failed = stage.counts.get("failed", 0)
    for note in stage_notes(stage):
        run.note(note)
    return finish_run(run, start, table, out_path, rep_path)


def quick_post(topic: str, audience: str = "general", *, tone: str = "friendly",
               config: Config | str | Path | None = None) -> dict[str, Any]:
    """One post for one topic, as a dict of the output columns."""
    import pandas as pd

    frame = pd.DataFrame([{"topic": topic, "audience": audience, "tone": tone}])
    result = generate(frame, config=config)
    return result.output.iloc[0].to_dict()
