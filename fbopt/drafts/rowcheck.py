"""Which topic rows `generate` cannot write, and why, decided for a whole batch at once; and their
output rows (status=skipped, the reason in `error`), built without a Python loop per row, so a
file of a million empty topics costs about as much as reading it.

Not for rows that can be written (fbopt.drafts.stage plans those) or for whole-file problems
(fbopt.io.check stops the run before any work for those).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fbopt.io.check import effective_ids
from fbopt.io.readers import single_batch
from fbopt.pipeline import append_columns

EMPTY_TOPIC = "the topic is empty: nothing to write about"
# Columns that go into the prompt besides the topic; each is a few words at most.
SHORT_FIELDS = ("audience", "tone", "content_type", "language")
_ZERO = {"tokens_in": 0, "tokens_out": 0, "cost_usd": 0.0, "latency_ms": 0.0}


def skip_reasons(columns: dict[str, pa.Array], max_topic_chars: int,
                 max_field_chars: int) -> pa.Array:
    """Per row, why it cannot be written (null where it can): an empty topic, a topic over
    `max_topic_chars`, or an audience/tone/content_type/language over `max_field_chars`."""
    topic = columns["topic"].cast(pa.string())
    reasons = pc.if_else(pc.fill_null(pc.equal(topic, ""), True),
                         pa.scalar(EMPTY_TOPIC), pa.scalar(None, pa.string()))
    checks = [("topic", max_topic_chars, "generate.max_topic_chars")]
    checks += [(name, max_field_chars, "generate.max_field_chars") for name in SHORT_FIELDS]
    for name, limit, key in checks:
        if name not in columns or limit <= 0:
            continue
        length = pc.fill_null(pc.utf8_length(columns[name].cast(pa.string())), 0)
        message = pc.binary_join_element_wise(
            f"the {name.replace('_', ' ')} is ", length.cast(pa.string()),
            f" characters; the limit is {limit} ({key})", "")
        reasons = pc.if_else(pc.and_(pc.is_null(reasons), pc.greater(length, limit)),
                             message, reasons)
    return reasons


def variant_counts(columns: dict[str, pa.Array], rows: int, default_variants: int,
                   forced_variants: int | None) -> np.ndarray:
    """Posts to write per row: forced, else the `variants` column, else the default."""
    if forced_variants:
        return np.full(rows, forced_variants, np.int64)
    if "variants" not in columns:
        return np.full(rows, default_variants, np.int64)
    filled = pc.fill_null(columns["variants"].cast(pa.int64()), default_variants)
    return np.asarray(filled.to_numpy(zero_copy_only=False), np.int64)


def skipped_rows(batch: pa.RecordBatch, columns: dict[str, pa.Array], first_row: int,
                 reasons: pa.Array, counts: np.ndarray,
                 fields: Sequence[pa.Field]) -> tuple[pa.RecordBatch, np.ndarray, np.ndarray]:
    """The output rows of the rows with a reason (each times its variants), and for each output
    row its row index in `batch` and its variant number."""
    rows = np.flatnonzero(np.asarray(reasons.is_valid().to_numpy(zero_copy_only=False)))
    repeat = counts[rows]
    index = np.repeat(rows, repeat)
    starts = np.repeat(np.cumsum(repeat) - repeat, repeat)
    variant = np.arange(index.size, dtype=np.int64) - starts + 1
    take = pa.array(index, pa.int64())
    ids = batch_ids(columns, first_row)
    known = {"topic_id": ids.take(take), "variant": pa.array(variant, pa.int32()),
             "status": pa.array(["skipped"] * index.size, pa.string()),
             "error": reasons.take(take), "cache": pa.array(["none"] * index.size, pa.string())}
    added = {}
    for f in fields:
        if f.name in known:
            added[f.name] = known[f.name].cast(f.type)
        elif f.name in _ZERO:
            added[f.name] = pa.array(np.zeros(index.size), pa.float64()).cast(f.type)
        else:
            added[f.name] = pa.nulls(index.size, f.type)
    return append_columns(batch.take(take), added), index, variant


def batch_ids(columns: dict[str, pa.Array], first_row: int) -> pa.Array:
    """Each row's topic id: its `id` value, or its row number when empty or absent."""
    rows = len(next(iter(columns.values())))
    return effective_ids(columns.get("id", pa.nulls(rows, pa.string())), first_row)


def merge_rows(parts: Sequence[tuple[pa.RecordBatch, np.ndarray, np.ndarray]]) -> pa.RecordBatch:
    """One batch from parts of it, in input-row order and, within a row, variant order."""
    batches = [p[0] for p in parts if p[0].num_rows]
    if len(batches) <= 1:
        return batches[0] if batches else parts[0][0]
    table = pa.Table.from_batches(batches)
    index = np.concatenate([p[1] for p in parts if p[0].num_rows])
    variant = np.concatenate([p[2] for p in parts if p[0].num_rows])
    order = np.lexsort((variant, index))
    return single_batch(table.take(pa.array(order, pa.int64())))
