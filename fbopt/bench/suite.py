"""`fbopt benchmark`'s library function: run the selected stages in worker processes, scale
them, compare with a baseline, and write bench.json, bench.md and bench.html.

Not for any stage's own work (fbopt.bench.stages) or for drawing (fbopt.bench.render).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from fbopt.analytics.record import record_benchmark
from fbopt.bench.stages import BenchStage, PrepareContext, select_stages
from fbopt.config import Config, load_config
from fbopt.errors import ConfigError, UsageError
from fbopt.io.atomic import write_text_atomic

SCHEMA_VERSION = 1
# Never let a benchmark reach a real provider, whatever the user's shell holds.
PROVIDER_VARS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "CO_API_KEY", "COHERE_API_KEY",
                 "GEMINI_API_KEY", "GOOGLE_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL",
                 "GOOGLE_GEMINI_BASE_URL", "CO_API_URL")
LOOPBACK_KEY = "loopback-benchmark-key"
# The warm-up (imports, models, pools, lazy tables) runs on the first rows only: a full-size
# warm-up would double the cost of slow stages and warm nothing more. Stages whose warm-up must
# cover every row (a cache to fill) say so with full_warmup.
WARMUP_ROWS = 200
DEFAULT_ROWS = 2000

Events = Callable[[str], None]


@dataclass
class BenchSettings:
    """Everything one benchmark run needs; `from_config` fills it from [benchmark]."""

    rows: int = 0
    repeat: int = 3
    warmup: int = 1
    stages: list[str] = field(default_factory=list)
    device: str = "auto"
    scaling: list[int] = field(default_factory=lambda: [1000, 10000, 100000])
    scaling_budget_s: float = 40.0
    time_budget_s: float = 270.0
    latency_samples: int = 20
    loopback_delay_ms: float = 50.0
    concurrency: int = 32
    max_regression: float = 0.10
    stage_timeout_s: float = 600.0
    seed: int = 7
    topics: Path | None = None
    posts: Path | None = None
    baseline: Path | None = None
    config_path: Path | None = None
    batch_size: int | None = None

    @classmethod
    def from_config(cls, config: Config, **given: Any) -> BenchSettings:
        section = config.section("benchmark")
        values = {k: section[k] for k in (
            "rows", "repeat", "warmup", "stages", "device", "scaling", "scaling_budget_s",
            "time_budget_s",
            "latency_samples", "loopback_delay_ms", "concurrency", "max_regression",
            "stage_timeout_s", "seed")}
        values.update({k: v for k, v in given.items() if v is not None})
        values["scaling"] = parse_sizes(values["scaling"])
        values["stages"] = [str(s).strip() for s in values["stages"] if str(s).strip()]
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        if self.repeat < 1 or self.warmup < 0 or self.rows < 0 or self.latency_samples < 0:
            raise UsageError("repeat must be >= 1; warmup, rows and latency samples >= 0")
        if not 0 < self.max_regression < 1:
            raise UsageError(f"max regression must be between 0 and 1, got {self.max_regression}",
                             hint="0.10 fails the run when a stage is over 10% slower")
        if self.device not in ("auto", "cpu", "cuda"):
            raise UsageError(f"unknown device {self.device!r}", hint="use auto, cpu or cuda")


def parse_sizes(value: Any) -> list[int]:
    """Scaling sizes from a list or '1000,10000'; 'none' or empty turns scaling off."""
    items = value.split(",") if isinstance(value, str) else list(value)
    sizes = []
    for item in items:
        text = str(item).strip().lower().replace("_", "")
        if not text or text in ("none", "off", "0"):
            continue
        try:
            size = int(float(text[:-1]) * 1000) if text.endswith("k") else int(text)
        except ValueError as exc:
            raise UsageError(f"scaling size {item!r} is not a number",
                             hint="give row counts such as 1000,10000,100000") from exc
        if size < 1:
            raise UsageError(f"scaling size {size} must be at least 1")
        sizes.append(size)
    return sorted(set(sizes))


@dataclass
class BenchmarkResult:
    """The report (a dict), where it went, and the exit status the CLI should use:
    1 when a stage's rows/s fell past --max-regression, 3 when a stage failed, else 0."""

    report: dict[str, Any]
    report_path: Path | None

    @property
    def exit_code(self) -> int:
        comparison = self.report.get("comparison")
        if comparison and not comparison["passed"]:
            return 1
        failed = any(s["status"] == "failed" for s in self.report["stages"].values())
        return 3 if failed else 0


# --- devices and processes ----------------------------------------------------------------


def devices_for(stage: BenchStage, device: str, gpu: bool) -> list[str]:
    if not stage.torch:
        return ["cpu"]
    if device == "cuda" and not gpu:
        raise ConfigError("--device cuda, but torch sees no CUDA GPU",
                          hint="use --device auto or cpu")
    if device == "auto":
        return ["cpu", "cuda"] if gpu else ["cpu"]
    return [device]


@contextmanager
def private_home(home: Path) -> Iterator[None]:
    """FBOPT_HOME pointed at the benchmark's folder while a stage prepares (training a model,
    say), so nothing lands in the user's caches or history."""
    before = os.environ.get("FBOPT_HOME")
    os.environ["FBOPT_HOME"] = str(home)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("FBOPT_HOME", None)
        else:
            os.environ["FBOPT_HOME"] = before


def worker_env(home: Path, loopback_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PROVIDER_VARS}
    env["FBOPT_HOME"] = str(home)
    env["FBOPT_ANALYTICS_ENABLED"] = "false"  # a timed stage is not a run of the user's
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    if loopback_url:
        env["OPENAI_BASE_URL"] = loopback_url
        env["OPENAI_API_KEY"] = LOOPBACK_KEY
    return env


def run_worker(spec: dict[str, Any], work: Path, env: dict[str, str],
               timeout_s: float) -> dict[str, Any]:
    """Run one worker process on `spec`; its JSON answer, or a failure with the stderr tail."""
    work.mkdir(parents=True, exist_ok=True)
    spec = {**spec, "workdir": str(work), "result": str(work / "result.json")}
    spec_path = work / "spec.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    cmd = [sys.executable, "-m", "fbopt.bench.worker", str(spec_path)]
    start = time.perf_counter()
    # Its own process group, so a timeout or Ctrl-C also ends the pools it started.
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        _, stderr = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        end_group(proc)
        return {"status": "failed", "error": f"timed out after {timeout_s:.0f}s"}
    except BaseException:
        end_group(proc)
        raise
    end_group(proc)
    result = Path(spec["result"])
    if result.exists():
        answer: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
        answer["worker_seconds"] = round(time.perf_counter() - start, 3)
        return answer
    tail = " | ".join(stderr.strip().splitlines()[-3:])
    return {"status": "failed", "error": f"worker exited {proc.returncode}: {tail}"}


def end_group(proc: subprocess.Popen[str]) -> None:
    """Kill whatever is left of a worker's process group (pool workers, a forkserver) and
    reap the worker."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):  # AttributeError: Windows
        proc.kill()
    proc.communicate()


# --- one stage ----------------------------------------------------------------------------


@dataclass
class Harness:
    """Shared state of one benchmark run: settings, the work folder, progress events."""

    settings: BenchSettings
    workdir: Path
    events: Events
    data_rows: dict[str, int] = field(default_factory=dict)
    runs: int = 0
    started: float = field(default_factory=time.perf_counter)

    def context(self) -> PrepareContext:
        s = self.settings
        return PrepareContext(self.workdir / "data", s.seed, s.topics, s.posts, s.config_path,
                              s.batch_size, s.concurrency, s.loopback_delay_ms)

    def rows_for(self, stage: BenchStage) -> int:
        """--rows, else every row of the user's file the stage reads, else its default."""
        if self.settings.rows:
            return self.settings.rows
        user = self.settings.topics if stage.reads == "topics" else self.settings.posts
        if user is not None:
            return self.data_rows[stage.reads]
        return stage.rows or DEFAULT_ROWS

    def read_user_files(self) -> None:
        """Count (and so check) --topics and --data before any stage runs: a bad file is an
        error now, not after minutes of benchmarking."""
        for kind, path in (("topics", self.settings.topics), ("posts", self.settings.posts)):
            if path is not None:
                self.data_rows[kind] = count_rows(path)

    def measure(self, stage: BenchStage, device: str, rows: int, *, repeat: int, warmup: int,
                latency_samples: int) -> dict[str, Any]:
        """Prepare the input and split it per run (untimed, here), then time the stage in a
        fresh worker."""
        from fbopt.bench.layout import plan_inputs, total_rows
        from fbopt.bench.loopback import LoopbackProcess

        self.runs += 1
        label = f"{self.runs:03d}-{stage.name}-{device}-{rows}"
        warm_rows = stage.warmup_rows or WARMUP_ROWS
        total = total_rows(stage, rows, repeat, warmup, warm_rows, latency_samples)
        with private_home(self.workdir / "home" / "prepare"):
            spec = stage.prepare(total, self.context())
        spec.update(plan_inputs(stage, Path(spec["input"]), self.workdir / "inputs" / label,
                                rows, repeat, warmup, warm_rows, latency_samples))
        spec.update(stage=stage.name, device=device, rows=rows, repeat=repeat, warmup=warmup,
                    latency_samples=latency_samples, concurrency=self.settings.concurrency)
        server = (LoopbackProcess(self.settings.loopback_delay_ms) if stage.loopback
                  else nullcontext())
        with server as srv:
            url = srv.base_url if srv is not None else None
            env = worker_env(self.workdir / "home" / label, url)
            answer = run_worker(spec, self.workdir / "runs" / label, env,
                                self.settings.stage_timeout_s)
            if srv is not None and answer.get("status") == "ok":
                facts = cache_facts if stage.full_warmup else loopback_facts
                answer["loopback"] = facts(answer, srv.stats(), self.settings)
        return answer


def cache_facts(answer: dict[str, Any], server: dict[str, Any],
                settings: BenchSettings) -> dict[str, Any]:
    """For a cached rerun: how many calls still reached the server after the warm-up (which
    made one per row): 0 when every timed row and single-row call was served from cache."""
    warmup_calls = answer["rows"] * max(1, int(answer.get("warmup", 1)))
    return {"delay_ms": settings.loopback_delay_ms, "server_requests": server.get("requests"),
            "warmup_requests": warmup_calls,
            "requests_after_warmup": int(server.get("requests", 0)) - warmup_calls}


def loopback_facts(answer: dict[str, Any], server: dict[str, Any],
                   settings: BenchSettings) -> dict[str, Any]:
    """Provider overhead (per-call latency over the server's delay) and concurrency efficiency
    (rows/s against the concurrency / delay that the bound allows)."""
    delay_s = settings.loopback_delay_ms / 1000.0
    ideal = settings.concurrency / delay_s if delay_s else None
    median = answer["rows_per_second"]["median"]
    row_p50 = (answer.get("row_latency_ms") or {}).get("p50")
    call_p50 = (answer.get("latency_ms") or {}).get("p50")
    return {
        "delay_ms": settings.loopback_delay_ms,
        "concurrency": settings.concurrency,
        "ideal_rows_per_second": round(ideal, 1) if ideal else None,
        "concurrency_efficiency": round(median / ideal, 3) if ideal else None,
        "provider_overhead_ms": round(row_p50 - settings.loopback_delay_ms, 2)
        if row_p50 is not None else None,
        "single_row_overhead_ms": round(call_p50 - settings.loopback_delay_ms, 2)
        if call_p50 is not None else None,
        "server_requests": server.get("requests"),
        "server_max_in_flight": server.get("max_in_flight"),
    }


def stage_entry(stage: BenchStage, device: str, answer: dict[str, Any], repeat: int,
                warmup: int) -> dict[str, Any]:
    entry = {"stage": stage.name, "what": stage.what, "device": device, "repeat": repeat,
             "warmup": stage.warmups(warmup)}
    entry.update(answer)
    entry.pop("traceback", None)
    return entry


def stage_key(stage: BenchStage, device: str) -> str:
    return stage.name if device == "cpu" else f"{stage.name}@{device}"


def run_stages(h: Harness, stages: list[BenchStage], gpu: bool) -> dict[str, dict[str, Any]]:
    s = h.settings
    results: dict[str, dict[str, Any]] = {}
    for stage in stages:
        for device in devices_for(stage, s.device, gpu):
            key, rows = stage_key(stage, device), h.rows_for(stage)
            h.events(f"{key}: {rows:,} rows, {s.warmup} warm-up + {s.repeat} timed runs")
            answer = h.measure(stage, device, rows, repeat=s.repeat, warmup=s.warmup,
                               latency_samples=s.latency_samples)
            results[key] = stage_entry(stage, device, answer, s.repeat, s.warmup)
            h.events(f"{key}: {describe(results[key])}")
    return results


def describe(entry: dict[str, Any]) -> str:
    if entry["status"] != "ok":
        return f"FAILED: {entry.get('error')}"
    rate = entry["rows_per_second"]
    text = f"{rate['median']:,.0f} rows/s (spread {rate['spread_pct']}%)"
    if entry.get("startup_seconds"):
        text += f", start-up {entry['startup_seconds']:.1f} s apart"
    if entry.get("latency_ms"):
        text += f", single-row p50 {entry['latency_ms']['p50']:.1f} ms"
    return text + f", peak RSS {entry['peak_rss_mb']:.0f} MiB"


# --- the whole run ------------------------------------------------------------------------


def count_rows(path: Path) -> int:
    from fbopt.io.readers import BatchReader

    return sum(batch.num_rows for _, batch in BatchReader(path, batch_size=65536))


def run_benchmark(settings: BenchSettings, report: str | Path | None = "bench.json",
                  events: Events | None = None) -> BenchmarkResult:
    """Run the suite; write the JSON report and bench.md / bench.html beside it (unless
    `report` is None) and return the report with the exit status."""
    from fbopt.bench.compare import compare, load_baseline
    from fbopt.bench.machine import machine_facts
    from fbopt.bench.scaling import run_scaling

    say = events or (lambda _line: None)
    stages = select_stages(settings.stages)
    baseline = load_baseline(settings.baseline) if settings.baseline else None
    started, t0 = datetime.now(timezone.utc), time.perf_counter()
    machine = machine_facts()
    say(f"machine: {machine['cpu_model']}, {machine['cpus_usable']} CPUs, "
        f"GPU: {machine['gpu'].get('name', 'none')}")
    with tempfile.TemporaryDirectory(prefix="fbopt-bench-") as tmp:
        h = Harness(settings, Path(tmp), say, started=t0)
        (h.workdir / "data").mkdir()
        h.read_user_files()
        results = run_stages(h, stages, bool(machine["gpu"]["available"]))
        scaling = run_scaling(h, stages, results, settings.scaling, settings.scaling_budget_s,
                              settings.time_budget_s)
    data_out = build_report(settings, machine, results, scaling, started,
                            time.perf_counter() - t0)
    if baseline is not None:
        data_out["comparison"] = compare(data_out, baseline, settings.max_regression,
                                         str(settings.baseline))
    record_benchmark(data_out)  # the run history and alerts (fbopt.analytics)
    report_path = write_outputs(data_out, Path(report)) if report else None
    return BenchmarkResult(data_out, report_path)


def build_report(settings: BenchSettings, machine: dict[str, Any],
                 results: dict[str, dict[str, Any]], scaling: dict[str, dict[str, Any]],
                 started: datetime, wall: float) -> dict[str, Any]:
    from fbopt import __version__

    recorded = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(settings).items()}
    recorded["synthetic"] = {"topics": settings.topics is None, "posts": settings.posts is None}
    return {
        "kind": "fbopt-benchmark",
        "schema_version": SCHEMA_VERSION,
        "fbopt_version": __version__,
        "started_at": started.isoformat(timespec="seconds"),
        "wall_seconds": round(wall, 2),
        "settings": recorded,
        "machine": machine,
        "stages": results,
        "scaling": scaling,
        "comparison": None,
    }


def write_outputs(report: dict[str, Any], path: Path) -> Path:
    """bench.json, and bench.md and bench.html beside it (same stem)."""
    from fbopt.bench.render import html_report, markdown_report
    from fbopt.io.report import write_json_atomic

    if path.suffix.lower() != ".json":
        raise UsageError(f"the report must be a .json file, got {path.name}",
                         hint="e.g. --report bench.json (bench.md and bench.html go beside it)")
    report["outputs"] = {"json": str(path), "markdown": str(path.with_suffix(".md")),
                         "html": str(path.with_suffix(".html"))}
    write_json_atomic(path, report)
    write_text_atomic(path.with_suffix(".md"), markdown_report(report))
    write_text_atomic(path.with_suffix(".html"), html_report(report))
    return path


def benchmark(*, report: str | Path | None = None, config: Config | str | Path | None = None,
              events: Events | None = None, **options: Any) -> dict[str, Any]:
    """Run the benchmark and return its report as a dict. `options` are BenchSettings fields
    (rows, repeat, stages, scaling, baseline, max_regression, ...); the rest come from the
    config's [benchmark] section. Writes files only when `report` is given."""
    cfg = config if isinstance(config, Config) else load_config(config)
    if config is not None and not isinstance(config, Config):
        options.setdefault("config_path", config)
    for key in ("topics", "posts", "baseline", "config_path"):
        if options.get(key) is not None:
            options[key] = Path(options[key])
    settings = BenchSettings.from_config(cfg, **options)
    return run_benchmark(settings, report, events).report
