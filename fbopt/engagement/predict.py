"""`predict`: score posts with a trained engagement model, streaming in batches, and suggest
the edits the model expects to help most.

Not for training (fbopt.engagement.learn). Adds predicted_engagement (the typical number of
interactions the model expects), predicted_low and predicted_high (the calibrated interval),
engagement_percentile (where that lands in the page's own history) and recommendations.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import torch

from fbopt.config import Config, load_config
from fbopt.engagement import artifact
from fbopt.engagement.formats import (
    ColumnMap,
    Posts,
    apply_overrides,
    detect_columns,
    posts_schema,
    to_posts,
)
from fbopt.engagement.recommend import RECOMMENDATION_TYPE, recommend
from fbopt.engagement.scoring import EngagementModel, as_interactions
from fbopt.engagement.train import cpu_threads, resolve_device
from fbopt.errors import UsageError
from fbopt.io.report import RunReport
from fbopt.io.schema import Schema
from fbopt.pipeline import (
    RunResult,
    append_columns,
    as_arrow,
    finish_run,
    open_input,
    run_paths,
    run_stage,
    schema_with,
)

PREDICT_FIELDS = [
    pa.field("predicted_engagement", pa.float64()),
    pa.field("predicted_low", pa.float64()),
    pa.field("predicted_high", pa.float64()),
    pa.field("engagement_percentile", pa.float64()),
    pa.field("recommendations", RECOMMENDATION_TYPE),
]


@dataclass
class PredictStage:
    """The pipeline stage: one batch of posts in, the same posts with predictions out."""

    model: EngagementModel
    schema: Schema
    path: str
    recommendations: int = 3
    min_gain: float = 0.02
    name: str = "predict"
    counts: dict[str, float] = field(default_factory=lambda: {"unseen_page_posts": 0,
                                                              "recommended_posts": 0})
    extra_age_shift: float = 0.0
    workers: int = 1
    executor: ThreadPoolExecutor | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def output_schema(self, input_schema: pa.Schema) -> pa.Schema:
        return schema_with(input_schema, PREDICT_FIELDS)

    async def process(self, batch: pa.RecordBatch, columns: dict[str, pa.Array],
                      first_row: int) -> pa.RecordBatch:
        posts = self.shift_ages(to_posts(columns, batch.num_rows, self.path, first_row))
        chunks = _chunks(len(posts), self.workers)
        if len(chunks) == 1:
            parts = [self.predict_columns(posts)]
        else:
            # numpy, pyarrow and torch let go of the GIL in their loops: slices of one batch
            # score side by side on as many cores.
            parts = list(self._pool().map(lambda c: self.predict_columns(posts.slice(*c)),
                                          chunks))
        added = {name: pa.concat_arrays([p[name] for p in parts]) for name in parts[0]}
        return append_columns(batch, added)

    def _pool(self) -> ThreadPoolExecutor:
        if self.executor is None:
            self.executor = ThreadPoolExecutor(self.workers, thread_name_prefix="predict")
        return self.executor

    def predict_columns(self, posts: Posts) -> dict[str, pa.Array]:
        scored = self.model.score(posts)
        prepared, scores = scored.prepared, scored.observed
        # Where the post will land in its page's history, and what would help it, are
        # questions about its final count; the interval is for the count when measured.
        percentile = self.model.history.percentile(prepared.page_index, scored.mature.mean)
        advice = recommend(self.model, scored, self.recommendations, self.min_gain)
        with self.lock:
            self.counts["unseen_page_posts"] += int((prepared.page_index < 0).sum())
            self.counts["recommended_posts"] += int((advice.value_lengths().to_numpy(
                zero_copy_only=False) > 0).sum())
        return {
            "predicted_engagement": pa.array(np.round(as_interactions(scores.mean), 1)),
            "predicted_low": pa.array(np.round(as_interactions(scores.low), 1)),
            "predicted_high": pa.array(np.round(as_interactions(scores.high), 1)),
            "engagement_percentile": pa.array(np.round(percentile, 1)),
            "recommendations": advice,
        }

    def shift_ages(self, posts: Posts) -> Posts:
        """Measurement times without a timezone make some posts look measured before they
        were published; the whole hours that undo that (learned at training, or seen in this
        run) are added, so young posts keep their order and a plausible age."""
        if posts.age_hours is None or np.isnan(posts.age_hours).all():
            return posts
        youngest = float(np.nanmin(posts.age_hours)) + self.model.features.age_shift_hours
        self.extra_age_shift = max(self.extra_age_shift, float(np.ceil(max(-youngest, 0.0))))
        if self.extra_age_shift:
            posts.age_hours = posts.age_hours + self.extra_age_shift
        return posts

    def metrics(self) -> dict[str, Any]:
        shift = self.model.features.age_shift_hours + self.extra_age_shift
        return {**{k: int(v) for k, v in self.counts.items()},
                "measured_age_shift_hours": shift,
                "model_trained_at": self.model.meta.get("trained_at"),
                "model_pages": len(self.model.history.keys)}

    async def aclose(self) -> None:
        if self.executor is not None:
            self.executor.shutdown()
            self.executor = None


def _chunks(n: int, workers: int, smallest: int = 1024) -> list[tuple[int, int]]:
    """(start, stop) of up to `workers` near-equal slices, none under `smallest` posts."""
    count = max(1, min(workers, n // smallest))
    edges = np.linspace(0, n, count + 1).astype(int)
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True)]


def _workers(configured: int, device: str) -> int:
    """Threads that score slices of a batch: the setting, or (0) one per core up to 4; one
    on a GPU, which is busy enough with a whole batch."""
    if device.startswith("cuda"):
        return 1
    return configured if configured > 0 else max(1, min(os.cpu_count() or 1, 4))


def predict_columns(source: Any, *, text: str | None = None, time: str | None = None,
                    page: str | None = None) -> ColumnMap:
    """The columns predict reads from `source` (outcome columns are not needed)."""
    names = open_input(source, 1).columns
    columns = apply_overrides(detect_columns(names), names, text=text, time=time, page=page)
    return replace(columns, target=(), feedback={})


def check_text(columns: ColumnMap, model: EngagementModel, names: list[str],
               no_text: bool) -> None:
    """No silent guess: a model that learned from text is not fed posts without any."""
    if no_text:
        return
    trained_with = (model.meta.get("report", {}).get("columns", {}) or {}).get("text")
    if columns.text is None and trained_with:
        raise UsageError(
            f"no text column found (the model learned from a {trained_with!r} column); "
            f"columns found: {', '.join(map(str, names[:20]))}",
            hint="name it with --text-column NAME, or pass --no-text to predict without text")


def load_model(cfg: Config, model_path: str | Path | None, device: str | None
               ) -> EngagementModel:
    target = str(resolve_device(device or str(cfg.get("engagement.device"))))
    size = int(cfg.get("engagement.predict_batch_size")) or (
        32768 if target.startswith("cuda") else 8192)
    path = artifact.resolve_model_path(model_path, str(cfg.get("engagement.model_path")))
    return artifact.load(path, target, size)


def predict(posts: Any, output: str | Path | None = None, *, model_path: str | Path | None = None,
            report: str | Path | None = None, text_column: str | None = None,
            time_column: str | None = None, page_column: str | None = None,
            device: str | None = None, config: Config | str | Path | None = None,
            batch_size: int | None = None, recommendations: int | None = None,
            progress: bool = False, no_text: bool = False) -> RunResult:
    """Score every post in `posts` (a CSV/Parquet/JSONL path or a DataFrame) with the model at
    `model_path` (default FBOPT_HOME/models/engagement.pt). A model trained with text needs
    a text column: detected, named with `text_column`, or waived with `no_text`.

    With a path and no `output`, writes `<stem>.predict.parquet` in the current folder; with a
    DataFrame and no `output`, returns a DataFrame in `result.output`.
    """
    cfg = config if isinstance(config, Config) else load_config(config)
    model = load_model(cfg, model_path, device)
    is_path = isinstance(posts, (str, Path))
    out_path, rep_path = run_paths(posts, output, report, "predict")
    posts = as_arrow(posts)  # read for its columns, then for its rows: converted once
    columns = predict_columns(posts, text=text_column, time=time_column, page=page_column)
    check_text(columns, model, open_input(posts, 1).columns, no_text)
    limit = int(cfg.get("engagement.recommendations")) if recommendations is None \
        else recommendations
    stage = PredictStage(model, posts_schema(columns, "predict", need_target=False),
                         str(posts) if is_path else "<DataFrame>", limit,
                         float(cfg.get("engagement.min_gain")),
                         workers=_workers(int(cfg.get("engagement.workers")), model.device))
    size = batch_size or (int(cfg.get("run.batch_size"))
                          if cfg.sources.get("run.batch_size", "default") != "default"
                          else model.batch_size)
    run = RunReport("predict")
    start = time.perf_counter()
    with cpu_threads(torch.device(model.device), int(cfg.get("engagement.cpu_threads"))):
        # No first pass over the whole input: predict spends nothing, a bad row still stops
        # the run with nothing written, and reading the file twice would halve its speed.
        table = run_stage(stage, posts, out_path, run, batch_size=size, progress=progress,
                          validate_first=False)
    run.metrics.update(columns=columns.describe(), device=model.device, batch_size=size)
    unseen = run.metrics.get("unseen_page_posts", 0)
    if unseen:
        run.note(f"{unseen} posts are from pages the model has not seen: they get the prior "
                 "of all pages")
    return finish_run(run, start, table, out_path, rep_path)
