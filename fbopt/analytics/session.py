"""The CLI side of analytics: a command's run opens a history row as it starts and closes it as
it ends (failed when it raised or was killed), serves --metrics-port, prints alerts on stderr,
and turns --fail-on-alert into exit status 4.

Not for the library: `fbopt.analytics.record` never prints or exits.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any

import click

from fbopt.analytics import record, store
from fbopt.analytics.alerts import line

# Commands that are runs; history and dashboard only read the history.
RECORDED = {"generate", "enhance", "learn", "predict", "benchmark"}
ALERT_EXIT = 4
# Keyword arguments of a command that are not its input file.
NOT_INPUT = {"output", "report", "config_path", "model_path", "baseline"}


class CommandSession:
    """One CLI command run, as a context manager around the command's body."""

    def __init__(self, command: str, kwargs: dict[str, Any]) -> None:
        self.command = command
        self.metrics_port: int | None = kwargs.pop("metrics_port", None)
        self.pushgateway: str = kwargs.pop("pushgateway", None) or ""
        self.fail_on_alert = bool(kwargs.pop("fail_on_alert", False))
        self.config_path = kwargs.get("config_path")
        self.input = next((str(Path(v).resolve()) for k, v in kwargs.items()
                           if isinstance(v, Path) and k not in NOT_INPUT), None)
        self.recorder: record.Recorder | None = None
        self.server: Any = None
        self.t0 = time.perf_counter()

    def __enter__(self) -> CommandSession:
        if self.command not in RECORDED:
            return self
        from fbopt.analytics.live import serve_metrics
        from fbopt.config import load_config
        from fbopt.errors import ConfigError

        try:
            config = load_config(self.config_path)
        except ConfigError:
            return self  # the command itself reports the bad config, with its remedy
        if self.metrics_port:
            self.server = serve_metrics(self.metrics_port,
                                        str(config.get("analytics.metrics_host")))
        self.recorder = record.Recorder(config, self.pushgateway)
        if self.recorder.enabled:
            self._open_row(self.recorder)
        record._ACTIVE.append(self.recorder)
        return self

    def _open_row(self, recorder: record.Recorder) -> None:
        """The row that says 'running' until the run closes it; a crash leaves it failed."""
        db = store.connect()
        try:
            recorder.run_id = store.insert_run(db, {
                "run_uid": recorder.run_uid, "command": self.command, "input": self.input,
                "status": "running", "host": socket.gethostname(), "pid": os.getpid(),
                "started_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds")})
        finally:
            db.close()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        if self.recorder is None:
            return
        record._ACTIVE.remove(self.recorder)
        for alert in self.recorder.alerts:
            click.echo(line(alert, {"command": self.command}), err=True)
        with contextlib.suppress(Exception):  # the command's own error is the one to show
            if exc is None or _clean_exit(exc):
                self._close("ok", 0, None)
            else:
                code = exc.code if isinstance(exc, SystemExit) else getattr(exc, "exit_code", 1)
                problem = getattr(exc, "problem", None) or str(exc)
                self._close("failed", code if isinstance(code, int) else 1,
                            f"{type(exc).__name__}: {problem}"[:300])

    def _close(self, status: str, code: int, error: str | None) -> None:
        """Close the row if the run did not (a run that closed it, say with exit 3 for
        failed rows, keeps what it wrote)."""
        recorder = self.recorder
        if recorder is None or not recorder.enabled or recorder.run_id is None:
            return
        db = store.connect()
        try:
            db.execute("UPDATE runs SET status = ?, exit_code = ?, error = ?, finished_at = ?, "
                       "wall_seconds = ? WHERE id = ? AND status = 'running'",
                       (status, code, error,
                        datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                        round(time.perf_counter() - self.t0, 4), recorder.run_id))
        finally:
            db.close()

    def exit_on_alert(self) -> None:
        """Exit 4 when --fail-on-alert was given and the run fired an alert."""
        if self.fail_on_alert and self.recorder is not None and self.recorder.alerts:
            sys.exit(ALERT_EXIT)


def _clean_exit(exc: BaseException) -> bool:
    return isinstance(exc, SystemExit) and exc.code in (None, 0)


def current_command() -> str:
    ctx = click.get_current_context(silent=True)
    return ctx.info_name or "" if ctx is not None else ""
