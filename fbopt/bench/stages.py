"""The benchmark's stage registry: one entry per stage, each a `prepare` and a `run` function.

Not for timing or reporting (fbopt.bench.worker and fbopt.bench.suite do that). `prepare`
writes the input for N rows into the benchmark's work folder and returns a JSON-able spec; it
runs in the harness process, untimed. `run` calls the public library function on that input,
writing to a temporary output, in a worker process that times it. A stage is registered only
when the part of fbopt it measures exists.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fbopt.io.atomic import atomic_path

Spec = dict[str, Any]


@dataclass
class PrepareContext:
    """What `prepare` needs: where to write, the seed, and the user's data, if any."""

    workdir: Path
    seed: int = 7
    topics: Path | None = None
    posts: Path | None = None
    config_path: Path | None = None
    batch_size: int | None = None
    concurrency: int = 32
    loopback_delay_ms: float = 50.0


@dataclass
class StageRun:
    """What one `run` did: input rows handled, the library's own metrics, cache hit rates per
    level, and per-row latencies (ms) that the library measured itself, if it does.
    `startup_seconds`: time inside this run spent starting what a long run starts once (a
    worker pool); the worker reports it apart and leaves it out of rows/s."""

    rows: int
    metrics: dict[str, Any] = field(default_factory=dict)
    cache: dict[str, float] = field(default_factory=dict)
    row_latency_ms: list[float] = field(default_factory=list)
    startup_seconds: float = 0.0


@dataclass(frozen=True)
class BenchStage:
    """One registry entry. `group` lets `--stages generate` select every generate variant.
    `loopback`: the harness starts a loopback OpenAI-compatible server for it. `torch`: it runs
    once per device. `rows`: its default row count, for stages much slower than the rest.
    `full_warmup`: its warm-up must cover all rows (a cache stage fills its cache there).
    `reads`: topics or posts, the input whose user file (--topics, --data) it runs on.
    `fresh_rows`: each timed run reads rows that no earlier run in its process has seen, so
    no cache left by the warm-up or the last repeat flatters it (off for cache stages).
    `warmup_rows`: rows of its warm-up, where the harness's default would warm too little
    (the score stage's pool gets only batches over quality.pool_min_texts)."""

    name: str
    what: str
    prepare: Callable[[int, PrepareContext], Spec]
    run: Callable[[Spec, Path], StageRun]
    reads: str = "topics"
    fresh_rows: bool = True
    loopback: bool = False
    torch: bool = False
    rows: int | None = None
    full_warmup: bool = False
    warmup_rows: int | None = None

    def warmups(self, asked: int) -> int:
        """Warm-up runs this stage makes: at least one where the warm-up fills a cache."""
        return max(asked, 1) if self.full_warmup else asked

    @property
    def group(self) -> str:
        return self.name.split(".", 1)[0]


# --- inputs -------------------------------------------------------------------------------


def input_file(kind: str, rows: int, ctx: PrepareContext) -> Path:
    """Topics or posts for `rows` rows as Parquet in the work folder, from the user's file
    (cut or repeated to size) or synthetic; written once per kind and size."""
    from fbopt.bench.synthetic import write_from_file, write_synthetic

    path = ctx.workdir / f"{kind}-{rows}.parquet"
    if not path.exists():
        user = ctx.topics if kind == "topics" else ctx.posts
        # Not durable: the work folder is thrown away with the run.
        with atomic_path(path, durable=False) as tmp:
            if user is not None:
                write_from_file(user, tmp, rows)
            else:
                write_synthetic(kind, tmp, rows, ctx.seed)
    return path


def base_spec(ctx: PrepareContext, kind: str, rows: int) -> Spec:
    return {"input": str(input_file(kind, rows, ctx)),
            "config": str(ctx.config_path) if ctx.config_path else None,
            "batch_size": ctx.batch_size}


def _load_config(spec: Spec, overrides: dict[str, Any] | None = None) -> Any:
    from fbopt.config import load_config

    return load_config(spec.get("config"), overrides or {})


def _report_path(output: Path) -> Path:
    return output.with_name(output.stem + ".report.json")


def output_column(output: Path, name: str) -> list[Any]:
    """One column of a run's Parquet output (empty when the output lacks it)."""
    import pyarrow.parquet as pq

    if name not in pq.read_schema(output).names:
        return []
    return pq.read_table(output, columns=[name]).column(name).to_pylist()


def cache_rates(values: list[Any]) -> dict[str, float]:
    """Share of rows per value of a `cache` column (memory, disk, semantic, miss, none)."""
    if not values:
        return {}
    counts: dict[str, int] = {}
    for value in values:
        key = str(value or "none")
        counts[key] = counts.get(key, 0) + 1
    rates = {k: round(v / len(values), 4) for k, v in sorted(counts.items())}
    hits = sum(v for k, v in counts.items() if k not in ("miss", "none", "off"))
    rates["hit_rate"] = round(hits / len(values), 4)
    return rates


# --- generate -----------------------------------------------------------------------------


def prepare_topics(rows: int, ctx: PrepareContext) -> Spec:
    return base_spec(ctx, "topics", rows)


def run_generate(spec: Spec, output: Path, overrides: dict[str, Any]) -> StageRun:
    """fbopt.generate over the input, starting fresh (no checkpoint from the last repeat) and
    without scoring the posts it writes (the score stage times that on its own). A run where
    any post failed is an error, since timing failures would flatter the stage."""
    from fbopt.drafts.stage import generate

    config = _load_config(spec, {"generate.score": False, **overrides})
    result = generate(spec["input"], output, report=_report_path(output), config=config,
                      batch_size=spec.get("batch_size"), fresh=True)
    if result.report.rows_failed:
        errors = [e for e in output_column(output, "error") if e]
        raise RuntimeError(f"{result.report.rows_failed} of {result.report.rows_out} posts "
                           f"failed, e.g. {errors[0] if errors else 'no error given'}")
    return StageRun(rows=result.report.rows_in, metrics=dict(result.report.metrics),
                    cache=cache_rates(output_column(output, "cache")),
                    row_latency_ms=[v for v in output_column(output, "latency_ms") if v])


def run_generate_offline(spec: Spec, output: Path) -> StageRun:
    return run_generate(spec, output, {"llm.provider": "offline", "cache.enabled": False})


LOOPBACK_MODEL = "loopback"


def prepare_loopback(rows: int, ctx: PrepareContext) -> Spec:
    """Topics plus a one-model catalog for the loopback server: the `openai` provider, no
    price and no rate limit, so only the client, the server's delay and the bound count."""
    catalog = ctx.workdir / "loopback-models.toml"
    catalog.write_text(
        f'[models.{LOOPBACK_MODEL}]\nprovider = "openai"\nrole = "loopback benchmark server"\n'
        f"price_in = 0.0\nprice_out = 0.0\nlatency_ms = {ctx.loopback_delay_ms:.1f}\n"
        "context_window = 128000\nmax_output_tokens = 4096\nrpm = 0\ntpm = 0\n",
        encoding="utf-8")
    return {**prepare_topics(rows, ctx), "models_file": str(catalog)}


def loopback_overrides(spec: Spec, **more: Any) -> dict[str, Any]:
    return {"llm.provider": "openai", "llm.model": LOOPBACK_MODEL,
            "llm.models_file": spec["models_file"], "llm.concurrency": spec["concurrency"],
            **more}


def run_generate_openai(spec: Spec, output: Path) -> StageRun:
    return run_generate(spec, output, loopback_overrides(spec, **{"cache.enabled": False}))


def run_cached_in_memory(spec: Spec, output: Path) -> StageRun:
    """A rerun in the same process, every post in the in-process LRU (the warm-up filled it):
    the Python API calling generate again."""
    return run_generate(spec, output, loopback_overrides(spec, **{"cache.enabled": True}))


def run_cached_on_disk(spec: Spec, output: Path) -> StageRun:
    """A rerun served from the disk cache alone (no in-process LRU): what a second
    `fbopt generate` process sees."""
    return run_generate(spec, output, loopback_overrides(
        spec, **{"cache.enabled": True, "cache.memory_items": 0}))


# --- score --------------------------------------------------------------------------------


def prepare_posts(rows: int, ctx: PrepareContext) -> Spec:
    return base_spec(ctx, "posts", rows)


def text_column(names: list[str], path: str) -> str:
    from fbopt.errors import InputError
    from fbopt.quality.api import TEXT_COLUMNS

    found = next((c for c in TEXT_COLUMNS if c in names), None)
    if found is None:
        raise InputError("no text column to score", path=path,
                         hint=f"name it one of {', '.join(TEXT_COLUMNS)}")
    return found


# One Scorer per worker process, from the warm-up to the last probe, as one long `generate` or
# `enhance` run keeps one over all its batches: its worker pool starts once. A Scorer per timed
# run put the pool's start (seconds: a process per core, each loading the grammar backend)
# inside every repeat, so rows/s measured start-up more than scoring.
_SCORERS: dict[str | None, Any] = {}
# Texts that bring the pool up: more than the Scorer scores in its own process
# (quality.pool_min_texts), each a few words, so that starting costs little scoring.
_STARTUP_TEXTS = 4096


def process_scorer(spec: Spec) -> tuple[Any, float]:
    """This process's Scorer for the spec's config, and the seconds spent starting it now
    (0.0 when it was already running)."""
    import atexit

    from fbopt.quality.score import scorer_from_config

    key = spec.get("config")
    if key in _SCORERS:
        return _SCORERS[key], 0.0
    start = time.perf_counter()
    config = _load_config(spec)
    scorer = scorer_from_config(config)
    atexit.register(scorer.close)
    wanted = int(config.values.get("quality.pool_min_texts", 256)) + 1
    texts = [f"Start-up post {i}." for i in range(8 + min(wanted, _STARTUP_TEXTS))]
    # A small batch first, scored in this process (as single-row calls are), then a big one
    # that brings the pool up.
    for batch in (texts[:8], texts[8:]):
        scorer.score(batch, owners=[None] * len(batch), register=False)
    _SCORERS[key] = scorer
    return scorer, time.perf_counter() - start


def run_score(spec: Spec, output: Path) -> StageRun:
    """The quality engine's Scorer over the posts, batch by batch, scores written beside them:
    steady-state scoring by this process's one Scorer (its start-up is reported apart)."""
    import pyarrow as pa

    from fbopt.io.readers import BatchReader
    from fbopt.io.writers import AtomicWriter
    from fbopt.pipeline import append_columns
    from fbopt.quality.score import SCORE_NAMES

    scorer, startup = process_scorer(spec)
    size = spec.get("batch_size") or int(_load_config(spec).get("run.batch_size"))
    reader = BatchReader(Path(spec["input"]), batch_size=size)
    column = text_column(reader.columns, spec["input"])
    rows, before = 0, scorer.metrics()
    with AtomicWriter(output) as writer:
        for _, batch in reader:
            scores = scorer.score(batch.column(column).to_pylist())
            writer.write(append_columns(batch, {
                name: pa.array([getattr(s, name) for s in scores], pa.float64())
                for name in SCORE_NAMES}))
            rows += batch.num_rows
        writer.commit()
    metrics = _run_delta(before, scorer.metrics())
    hits = metrics.get("cache_hits", 0)
    return StageRun(rows=rows, metrics=metrics, startup_seconds=startup,
                    cache={"run": round(hits / rows, 4), "hit_rate": round(hits / rows, 4)})


def _run_delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The Scorer's counters for this run alone (it lives across runs); other values as is."""
    return {k: v - before.get(k, 0) if isinstance(v, int) and not isinstance(v, bool)
            and isinstance(before.get(k), int) else v for k, v in after.items()}


# --- enhance ------------------------------------------------------------------------------


def run_enhance(spec: Spec, output: Path) -> StageRun:
    """fbopt.enhance over the posts with every strategy (each change kept only when
    overall_quality rises), starting fresh, Parquet in and out."""
    from fbopt.enhance.run import enhance

    result = enhance(spec["input"], output, report=_report_path(output),
                     config=_load_config(spec), batch_size=spec.get("batch_size"), fresh=True)
    return StageRun(rows=result.report.rows_in, metrics=dict(result.report.metrics))


# --- predict ------------------------------------------------------------------------------

TRAIN_ROWS = 2000


def trained_model(ctx: PrepareContext) -> Path:
    """One engagement model per benchmark run, trained once for two epochs on 2,000 posts (the
    user's, or synthetic): predict's speed depends on the model's shape, which the config
    sets, not on how well it learned, and a full training would cost minutes."""
    from fbopt.config import load_config
    from fbopt.engagement.learn import learn

    path = ctx.workdir / "engagement-model.pt"
    if not path.exists():
        config = load_config(ctx.config_path, {"engagement.epochs": 2,
                                               "engagement.refit": False})
        learn(str(input_file("posts", TRAIN_ROWS, ctx)), model_path=path,
              report=ctx.workdir / "learn.report.json", device="cpu", config=config)
    return path


def prepare_predict(rows: int, ctx: PrepareContext) -> Spec:
    return {**prepare_posts(rows, ctx), "model": str(trained_model(ctx))}


def run_predict(spec: Spec, output: Path) -> StageRun:
    """fbopt.predict over the posts on the spec's device, Parquet in and out."""
    from fbopt.engagement.predict import predict

    result = predict(spec["input"], output, model_path=spec["model"],
                     report=_report_path(output), device=spec.get("device", "cpu"),
                     config=_load_config(spec), batch_size=spec.get("batch_size"))
    return StageRun(rows=result.report.rows_in, metrics=dict(result.report.metrics))


# --- the registry -------------------------------------------------------------------------

STAGES: dict[str, BenchStage] = {}


def register(stage: BenchStage) -> BenchStage:
    STAGES[stage.name] = stage
    return stage


register(BenchStage(
    "generate.offline", "fbopt.generate with the built-in offline composer, Parquet in and out",
    prepare_topics, run_generate_offline))
register(BenchStage(
    "generate.openai", "fbopt.generate through the openai provider (the real SDK) against the "
    "loopback OpenAI-compatible server, cache off", prepare_loopback, run_generate_openai,
    loopback=True, rows=500))
register(BenchStage(
    "cache.memory", "fbopt.generate rerun in the same process, every post in the in-process "
    "LRU (the warm-up run against the loopback server fills it)", prepare_loopback,
    run_cached_in_memory, loopback=True, rows=500, full_warmup=True, fresh_rows=False))
register(BenchStage(
    "cache.disk", "fbopt.generate rerun with the in-process LRU off, every post from the disk "
    "cache (the warm-up run against the loopback server fills it)", prepare_loopback,
    run_cached_on_disk, loopback=True, rows=500, full_warmup=True, fresh_rows=False))


register(BenchStage(
    "score", "the quality engine (Harper grammar, readability, sentiment, engagement, "
    "creativity, overall_quality) over posts, Parquet in and out; steady state: one Scorer per "
    "worker process, its pool's start-up timed apart", prepare_posts, run_score,
    reads="posts", rows=500, warmup_rows=512))


register(BenchStage(
    "enhance", "fbopt.enhance over posts with every strategy (grammar, readability, "
    "sentiment, engagement), Parquet in and out", prepare_posts, run_enhance, reads="posts",
    rows=100))


register(BenchStage(
    "predict", "fbopt.predict (features, the torch ensemble, recommendations) over posts with "
    "a model trained once for the run, Parquet in and out", prepare_predict, run_predict,
    reads="posts", torch=True, rows=10000))


def select_stages(names: list[str] | None) -> list[BenchStage]:
    """Stages by name or group (`generate` selects every `generate.*`), in registry order;
    None or empty selects all. Raises UsageError naming the stages that exist."""
    from fbopt.errors import UsageError

    if not names:
        return list(STAGES.values())
    wanted = {n.strip() for n in names if n.strip()}
    unknown = [n for n in wanted if n not in STAGES and not any(
        s.group == n for s in STAGES.values())]
    if unknown:
        raise UsageError(f"unknown benchmark stage(s): {', '.join(sorted(unknown))}",
                         hint=f"choose from {', '.join(stage_choices())}")
    return [s for s in STAGES.values() if s.name in wanted or s.group in wanted]


def stage_choices() -> list[str]:
    groups = sorted({s.group for s in STAGES.values() if "." in s.name})
    return groups + list(STAGES)
