"""Prometheus metrics: served live during a run (--metrics-port) and pushed to a Pushgateway
when it ends (--pushgateway), grouped by job and command.

Not for the history. prometheus_client loads only when a port or a gateway is asked for; a run
without them pays one assignment (`watch_run`).
"""

from __future__ import annotations

import time
from typing import Any

# The run in progress in this process: its report and stage, read only when Prometheus scrapes.
_LIVE: dict[str, Any] = {}


def watch_run(report: Any, stage: Any = None) -> None:
    """Make this run the one /metrics describes (called as a run starts)."""
    _LIVE.update(report=report, stage=stage, started=time.time(), t0=time.perf_counter())


def _dispatcher(stage: Any) -> Any:
    """The LLM dispatcher inside a stage (the quality hook wraps the generate stage)."""
    while stage is not None:
        found = getattr(stage, "dispatcher", None)
        if found is not None:
            return found
        stage = getattr(stage, "inner", None)
    return None


def live_values() -> dict[str, Any]:
    """This moment's numbers of the watched run (empty before one starts)."""
    report = _LIVE.get("report")
    if report is None:
        return {}
    elapsed = max(time.perf_counter() - _LIVE["t0"], 1e-9)
    values: dict[str, Any] = {"command": report.command, "rows_in": report.rows_in,
                              "rows_done": report.rows_out, "started": _LIVE["started"],
                              "rows_per_second": report.rows_out / elapsed}
    dispatcher = _dispatcher(_LIVE.get("stage"))
    if dispatcher is not None:
        stats = dispatcher.stats
        # The dispatcher keeps its in-flight count private; a scrape only reads it.
        values.update(in_flight=getattr(dispatcher, "_in_flight", 0), retries=stats.retries,
                      cost=stats.cost_usd, calls=stats.calls, errors=dict(stats.errors))
        cache = getattr(dispatcher, "cache", None)
        if cache is not None:
            s = cache.stats
            values["cache_hits"] = {"l1": s.l1_hits, "l2": s.l2_hits, "semantic": s.semantic_hits}
    return values


class LiveCollector:
    """A prometheus_client collector that reads the watched run at scrape time, so the run
    itself does no bookkeeping for Prometheus."""

    def collect(self) -> Any:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        v = live_values()
        if not v:
            return
        cmd = [v["command"]]

        def gauge(name: str, doc: str, value: float) -> Any:
            family = GaugeMetricFamily(name, doc, labels=["command"])
            family.add_metric(cmd, float(value))
            return family

        def counter(name: str, doc: str, value: float) -> Any:
            family = CounterMetricFamily(name, doc, labels=["command"])
            family.add_metric(cmd, float(value))
            return family

        yield counter("fbopt_rows_done", "Rows written so far in this run.", v["rows_done"])
        yield counter("fbopt_rows_read", "Input rows read so far in this run.", v["rows_in"])
        yield gauge("fbopt_rows_per_second", "Rows written per second since the run started.",
                    v["rows_per_second"])
        yield gauge("fbopt_run_start_time_seconds", "When this run started (Unix time).",
                    v["started"])
        if "calls" not in v:
            return
        yield gauge("fbopt_calls_in_flight", "Provider calls waiting for an answer now.",
                    v["in_flight"])
        yield counter("fbopt_calls", "Provider calls made so far.", v["calls"])
        yield counter("fbopt_retries", "Provider call retries so far.", v["retries"])
        yield counter("fbopt_cost_usd", "Provider cost so far in this run, USD.", v["cost"])
        errors = CounterMetricFamily("fbopt_errors", "Failed provider calls by kind.",
                                     labels=["command", "kind"])
        for kind, n in sorted(v["errors"].items()):
            errors.add_metric([*cmd, str(kind)], float(n))
        yield errors
        hits = CounterMetricFamily("fbopt_cache_hits", "Cache hits by level.",
                                   labels=["command", "level"])
        for level, n in v.get("cache_hits", {}).items():
            hits.add_metric([*cmd, level], float(n))
        yield hits


def serve_metrics(port: int, host: str = "127.0.0.1") -> Any:
    """Serve /metrics on host:port for this run; returns the server (shutdown() ends it)."""
    from prometheus_client import CollectorRegistry, start_http_server

    from fbopt.errors import UsageError

    registry = CollectorRegistry()
    registry.register(LiveCollector())  # type: ignore[arg-type]
    try:
        server, _thread = start_http_server(port, addr=host, registry=registry)
    except OSError as exc:
        raise UsageError(f"cannot serve metrics on {host}:{port} ({exc.strerror or exc})",
                         hint="pick a free port with --metrics-port") from exc
    return server


# The final numbers pushed per run: history column -> (metric name, help).
PUSHED = {
    "rows_in": ("fbopt_last_run_rows_in", "Input rows of the last run."),
    "rows_out": ("fbopt_last_run_rows_out", "Rows written by the last run."),
    "rows_failed": ("fbopt_last_run_rows_failed", "Rows that failed in the last run."),
    "failure_rate": ("fbopt_last_run_failure_rate", "Share of rows that failed, last run."),
    "wall_seconds": ("fbopt_last_run_duration_seconds", "Wall time of the last run."),
    "rows_per_second": ("fbopt_last_run_rows_per_second", "Throughput of the last run."),
    "peak_rss_mb": ("fbopt_last_run_peak_rss_mb", "Peak resident memory of the last run, MiB."),
    "cost_usd": ("fbopt_last_run_cost_usd", "Provider cost of the last run, USD."),
    "cost_per_post": ("fbopt_last_run_cost_per_post_usd", "Cost per post written, USD."),
    "calls": ("fbopt_last_run_calls", "Provider calls of the last run."),
    "retries": ("fbopt_last_run_retries", "Retries of the last run."),
    "cache_hit_rate": ("fbopt_last_run_cache_hit_rate", "Cache hit rate of the last run."),
    "mean_overall_quality": ("fbopt_last_run_mean_overall_quality",
                             "Mean overall_quality of the posts of the last run."),
    "mean_predicted_engagement": ("fbopt_last_run_mean_predicted_engagement",
                                  "Mean predicted engagement of the last run."),
    "alert_count": ("fbopt_last_run_alerts", "Alerts the last run fired."),
}


def push_final(url: str, job: str, row: dict[str, Any], timeout: float = 10.0) -> None:
    """Push the finished run's numbers to the Pushgateway at `url`, grouped by job and command
    (each push replaces that group's last). Raises OSError when the gateway refuses."""
    from prometheus_client import CollectorRegistry, Gauge, push_to_gateway

    registry = CollectorRegistry()
    for column, (name, doc) in PUSHED.items():
        if row.get(column) is not None:
            Gauge(name, doc, registry=registry).set(float(row[column]))
    ok = Gauge("fbopt_last_run_success", "1 when the last run finished with no failed row.",
               registry=registry)
    ok.set(1.0 if row.get("status") == "ok" else 0.0)
    Gauge("fbopt_last_run_finish_time_seconds", "When the last run finished (Unix time).",
          registry=registry).set_to_current_time()
    push_to_gateway(url, job=job, grouping_key={"command": str(row.get("command"))},
                    registry=registry, timeout=timeout)
