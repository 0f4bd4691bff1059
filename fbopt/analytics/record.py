"""Closing a run for analytics: its history row, its alerts (in the report and the row, and to the
webhook), and its final metrics pushed to a Pushgateway.

Not for printing or exiting (fbopt.analytics.session does that for the CLI). One call,
`record_run`, where a command closes its report.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fbopt.analytics import store
from fbopt.analytics.alerts import Alert, Thresholds, check, post_webhook
from fbopt.analytics.facts import enhance_facts, output_facts, report_facts
from fbopt.analytics.live import watch_run

__all__ = ["Recorder", "record_benchmark", "record_run", "watch_run"]


@dataclass
class Recorder:
    """Where and how runs are recorded. The CLI makes one per command (with its flags and the
    row it opened at start); the Python API gets one from the config on each call."""

    config: Any
    pushgateway: str = ""
    run_id: int | None = None
    run_uid: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    alerts: list[Alert] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def enabled(self) -> bool:
        return bool(self.config.get("analytics.enabled"))


# The CLI's recorder for the command running in this process (None under the Python API).
_ACTIVE: list[Recorder] = []


def active() -> Recorder | None:
    return _ACTIVE[-1] if _ACTIVE else None


def record_run(run: Any, table: Any = None, output: str | Path | None = None,
               config: Any = None) -> list[Alert]:
    """Record a closed RunReport (call after run.finish(), before run.write()): its row in the
    history, alerts into run.metrics["alerts"], the webhook and the Pushgateway told. `table` or
    `output` is what the run wrote (for score means and mixes). Returns the alerts fired."""
    recorder = active() or Recorder(config if config is not None else _default_config())
    if not recorder.enabled:
        return []
    report = run.as_dict()
    row = {**report_facts(report), **output_facts(table, output), **enhance_facts(report)}
    alerts = close_row(recorder, row)
    if alerts:
        run.metrics["alerts"] = [a.as_dict() for a in alerts]
    for problem in recorder.problems:
        run.note(problem)
    return alerts


def record_report(report: dict[str, Any], config: Any = None) -> list[Alert]:
    """Record a report kept as a dict (RunReport.as_dict() keys)."""
    recorder = active() or Recorder(config if config is not None else _default_config())
    if not recorder.enabled:
        return []
    return close_row(recorder, report_facts(report))


def close_row(recorder: Recorder, row: dict[str, Any]) -> list[Alert]:
    """Check alerts against the command's earlier runs, then write the row (the CLI's open row
    is closed, else a new one added)."""
    limits = Thresholds.from_config(recorder.config)
    row["status"] = "rows_failed" if row.get("rows_failed") else "ok"
    row["exit_code"] = 3 if row.get("rows_failed") else 0
    row["run_uid"] = recorder.run_uid
    db = store.connect()
    try:
        earlier = [r for r in store.fetch_runs(db, command=row.get("command"), finished_only=True,
                                               limit=limits.trailing_runs + 1)
                   if r["id"] != recorder.run_id][: limits.trailing_runs]
        alerts = check(row, earlier, limits)
        row["alerts"] = [a.as_dict() for a in alerts]
        row["alert_count"] = len(alerts)
        if recorder.run_id is None:
            recorder.run_id = store.insert_run(db, row)
        else:
            store.update_run(db, recorder.run_id, row)
    finally:
        db.close()
    recorder.alerts = alerts
    _tell(recorder, row, alerts, limits)
    return alerts


def _tell(recorder: Recorder, row: dict[str, Any], alerts: list[Alert],
          limits: Thresholds) -> None:
    """Webhook and Pushgateway; either one unreachable is a note, never a lost run."""
    if alerts and limits.webhook_url:
        try:
            post_webhook(limits.webhook_url, alerts, row)
        except (OSError, ValueError) as exc:
            recorder.problems.append(f"alerts were not posted to the webhook: {exc}")
    gateway = recorder.pushgateway or str(recorder.config.get("analytics.pushgateway"))
    if gateway:
        from fbopt.analytics.live import push_final

        try:
            push_final(gateway, str(recorder.config.get("analytics.job")), row)
        except (OSError, ValueError) as exc:
            recorder.problems.append(f"metrics were not pushed to {gateway}: {exc}")


def _default_config() -> Any:
    from fbopt.config import load_config

    return load_config(None)


def record_benchmark(report: dict[str, Any], config: Any = None) -> list[Alert]:
    """Record a benchmark report (a dict, not a RunReport): its wall time, stages measured, and
    the generate stage's median rows/s as the run's throughput."""
    from datetime import datetime, timezone

    stages = report.get("stages") or {}
    rate = (stages.get("generate") or {}).get("rows_per_second") or {}
    row = {"command": "benchmark", "started_at": report.get("started_at"),
           "finished_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
           "fbopt_version": report.get("fbopt_version"), "wall_seconds": report.get("wall_seconds"),
           "rows_out": len(stages), "rows_in": len(stages),
           "rows_per_second": rate.get("median") if isinstance(rate, dict) else None}
    return record_report(row, config)
