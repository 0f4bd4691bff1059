"""Scores (and, asked to, enhances) the posts another stage writes: `generate`'s finishing step.

Not for generating posts: `FinishedStage` wraps a stage whose output has a `text` column, runs
the inner stage unchanged, then adds the quality columns to each finished batch. With enhance on,
`text` becomes the enhanced post and `text_draft` keeps the draft as written.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from fbopt.config import Config
from fbopt.enhance.enhancer import Enhancer, EnhanceSettings, PostContext
from fbopt.pipeline import append_columns, schema_with
from fbopt.quality.columns import SCORE_FIELDS, score_columns
from fbopt.quality.score import PostScores, QualitySettings, Scorer

ENHANCE_EXTRA = [pa.field("text_draft", pa.string()),
                 pa.field("enhancements", pa.list_(pa.string())),
                 pa.field("quality_gain", pa.float64())]


class FinishedStage:
    """`inner`'s stage with the quality columns added. Other attributes pass through to it."""

    def __init__(self, inner: Any, scorer: Scorer, enhancer: Enhancer | None = None) -> None:
        self.inner = inner
        self.scorer = scorer
        self.enhancer = enhancer
        self.scored = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    @property
    def fields(self) -> list[pa.Field]:
        return SCORE_FIELDS + (ENHANCE_EXTRA if self.enhancer else [])

    def output_schema(self, input_schema: pa.Schema) -> pa.Schema:
        return schema_with(self.inner.output_schema(input_schema), self.fields)

    async def process(self, batch: pa.RecordBatch, columns: dict[str, pa.Array],
                      first_row: int) -> pa.RecordBatch:
        out = await self.inner.process(batch, columns, first_row)
        texts = out.column(out.schema.get_field_index("text")).to_pylist()
        written = [i for i, t in enumerate(texts) if t]
        if self.enhancer is None:
            scores = self.scorer.score([texts[i] for i in written])
            return append_columns(out, self._columns(len(texts), written, scores))
        topics = _column(out, "topic", len(texts))
        kinds = _column(out, "content_type", len(texts))
        done = self.enhancer.enhance([texts[i] for i in written],
                                     [PostContext(topics[i], kinds[i]) for i in written])
        added = self._columns(len(texts), written, [d.after for d in done])
        final = list(texts)
        enhancements: list[list[str] | None] = [None] * len(texts)
        gains: list[float | None] = [None] * len(texts)
        for i, d in zip(written, done, strict=True):
            final[i], enhancements[i], gains[i] = d.text, d.enhancements, d.quality_gain
        added.update({"text_draft": pa.array(texts, pa.string()),
                      "enhancements": pa.array(enhancements, pa.list_(pa.string())),
                      "quality_gain": pa.array(gains, pa.float64())})
        out = out.set_column(out.schema.get_field_index("text"), "text",
                             pa.array(final, pa.string()))
        return append_columns(out, added)

    def _columns(self, rows: int, written: list[int], scores: list[PostScores]
                 ) -> dict[str, pa.Array]:
        self.scored += len(scores)
        full: list[PostScores | None] = [None] * rows
        for i, s in zip(written, scores, strict=True):
            full[i] = s
        return score_columns(full)

    def metrics(self) -> dict[str, Any]:
        quality: dict[str, Any] = {"posts_scored": self.scored, **self.scorer.metrics()}
        if self.enhancer is not None:
            quality.update(self.enhancer.metrics())
        return {**self.inner.metrics(), "quality": quality}

    async def aclose(self) -> None:
        try:
            await self.inner.aclose()
        finally:
            self.scorer.close()


def finished_stage(inner: Any, config: Config, enhance: bool) -> FinishedStage:
    scorer = Scorer(QualitySettings.from_config(config))
    enhancer = Enhancer(scorer, EnhanceSettings.from_config(config)) if enhance else None
    return FinishedStage(inner, scorer, enhancer)


def _column(batch: pa.RecordBatch, name: str, rows: int) -> list[Any]:
    index = batch.schema.get_field_index(name)
    return batch.column(index).to_pylist() if index >= 0 else [None] * rows

