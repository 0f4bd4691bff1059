"""`generate --dry-run`: what a run would cost and take, per model, with no call made. Every row
is planned as the real run would plan it (model, prompt variant), and each post's cache key is
looked up in the cache's actual contents.

Not for running anything. Input tokens are characters / 4 (no tokenizer that ships offline is
installed: tiktoken fetches its encodings at run time); output tokens are the planner's target
post length / 4; expected time assumes the catalog's latency at the run's concurrency, capped by
each model's rpm and tpm.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from fbopt.cache import cache_key
from fbopt.config import Config
from fbopt.drafts import rowcheck
from fbopt.drafts.catalog import Catalog
from fbopt.drafts.records import Assignment
from fbopt.drafts.stage import build_stage, topic_rows
from fbopt.pipeline import open_input
from fbopt.providers.registry import OFFLINE

CHARS_PER_TOKEN = 4
TOKENIZER_NOTE = ("input tokens estimated as characters / 4: no offline tokenizer is installed "
                  "(tiktoken downloads its encodings at run time)")


@dataclass
class ModelEstimate:
    model: str
    provider: str
    rows: int = 0
    cached: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_online_usd: float = 0.0
    cost_batch_usd: float = 0.0
    seconds: float = 0.0


def estimate(topics: Any, config: Config, variants: int | None = None) -> dict[str, Any]:
    """Plan every row of `topics` and add up, per model, rows, cache hits, tokens, cost online and
    through the batch API, and expected time. Returns {"models": [...], "total": {...}, ...}."""
    stage = build_stage(config, variants)
    dispatcher = stage.dispatcher
    catalog: Catalog = dispatcher.catalog
    cache = dispatcher.cache
    out_tokens = (int(config.get("generate.min_chars")) + int(config.get("generate.max_chars"))) \
        // 2 // CHARS_PER_TOKEN
    by_model: dict[str, ModelEstimate] = {}
    for assignment in _plan(stage, topics, int(config.get("run.batch_size"))):
        row = by_model.setdefault(assignment.model, ModelEstimate(assignment.model,
                                                                  assignment.provider))
        row.rows += 1
        if assignment.provider == OFFLINE:
            continue
        key = cache_key(assignment.provider, assignment.request)
        if cache is not None and cache.entry(key) is not None:
            row.cached += 1
            continue
        req = assignment.request
        tin = (len(req.system) + len(req.prompt)) // CHARS_PER_TOKEN
        tout = min(out_tokens, req.max_tokens)
        spec = catalog.get(assignment.model)
        row.tokens_in += tin
        row.tokens_out += tout
        row.cost_online_usd += spec.price.cost(tin, tout)
        row.cost_batch_usd += spec.batch_price.cost(tin, tout)
    concurrency = max(1, int(config.get("llm.concurrency")))
    for row in by_model.values():
        row.seconds = _seconds(row, catalog, concurrency)
    if cache is not None:
        cache.close()
    models = [asdict(m) for m in sorted(by_model.values(), key=lambda m: -m.rows)]
    total = {k: sum(m[k] for m in models) for k in ("rows", "cached", "tokens_in", "tokens_out",
                                                    "cost_online_usd", "cost_batch_usd")}
    # Models run side by side, sharing --concurrency: the slowest bounds the run.
    total["seconds"] = max((m["seconds"] for m in models), default=0.0)
    return {"models": models, "total": total, "notes": [TOKENIZER_NOTE]}


def _plan(stage: Any, topics: Any, batch_size: int) -> list[Assignment]:
    """Every post the run would write, assigned exactly as GenerateStage.process assigns them."""
    reader = open_input(topics, batch_size)
    mapping = stage.schema.resolve(reader.columns, str(reader.path))
    plan: list[Assignment] = []
    for first_row, batch in reader:
        columns = stage.schema.typed(batch, mapping, str(reader.path), first_row)
        why = rowcheck.skip_reasons(columns, stage.max_topic_chars, stage.max_field_chars)
        counts = rowcheck.variant_counts(columns, batch.num_rows, stage.default_variants,
                                         stage.forced_variants)
        reasons = why.to_pylist()
        ids = rowcheck.batch_ids(columns, first_row)
        for i, row in enumerate(topic_rows(columns, first_row, counts, ids)):
            if reasons[i] is None and row.topic:
                plan += [stage.planner.assign(row, v) for v in range(1, row.variants + 1)]
    return plan


def _seconds(row: ModelEstimate, catalog: Catalog, concurrency: int) -> float:
    calls = row.rows - row.cached
    if row.provider == OFFLINE or calls <= 0:
        return 0.0
    spec = catalog.get(row.model)
    seconds = calls * spec.latency_ms / 1000.0 / concurrency
    if spec.rpm:
        seconds = max(seconds, calls / (spec.rpm / 60.0))
    if spec.tpm:
        seconds = max(seconds, (row.tokens_in + row.tokens_out) / (spec.tpm / 60.0))
    return seconds


def format_table(result: dict[str, Any]) -> str:
    """The estimate as a plain-text table, one line per model and a total."""
    head = (f"{'model':24s} {'rows':>7s} {'cached':>7s} {'tokens in':>11s} {'tokens out':>11s} "
            f"{'cost online':>12s} {'cost batch':>11s} {'time':>9s}")
    lines = [head]
    for m in [*result["models"], {"model": "total", "provider": "", **result["total"]}]:
        lines.append(f"{m['model']:24s} {m['rows']:7d} {m['cached']:7d} {m['tokens_in']:11,d} "
                     f"{m['tokens_out']:11,d} {m['cost_online_usd']:12.4f} "
                     f"{m['cost_batch_usd']:11.4f} {m['seconds']:8.1f}s")
    lines += [f"note: {n}" for n in result["notes"]]
    return "\n".join(lines)
