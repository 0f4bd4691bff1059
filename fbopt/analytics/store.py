"""The run history database: FBOPT_HOME/analytics.db, one row per command run.

Not for deciding what a row holds (fbopt.analytics.facts) or what it means (alerts). SQLite in
WAL mode, so runs in parallel processes each add their row; `PRAGMA user_version` is the schema.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fbopt.errors import ConfigError
from fbopt.home import home_path

DB_NAME = "analytics.db"

# Numeric and text columns kept as is; JSON_COLUMNS hold dicts and lists.
COLUMNS = (
    "run_uid", "started_at", "finished_at", "command", "input", "output", "status",
    "exit_code", "error", "host", "pid", "fbopt_version", "rows_in", "rows_out", "rows_failed",
    "failure_rate", "wall_seconds", "rows_per_second", "peak_rss_mb", "cost_usd",
    "cost_per_post", "tokens_in", "tokens_out", "calls", "retries", "cache_hit_rate",
    "cache_l1_hit_rate", "cache_l2_hit_rate", "cache_semantic_hit_rate", "mean_overall_quality",
    "mean_predicted_engagement", "alert_count",
)
JSON_COLUMNS = ("scores", "model_mix", "prompt_mix", "learn_metrics", "errors", "alerts")


def _v1(db: sqlite3.Connection) -> None:
    db.execute("""CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT, run_uid TEXT UNIQUE, started_at TEXT,
        finished_at TEXT, command TEXT NOT NULL, input TEXT, output TEXT, status TEXT NOT NULL,
        exit_code INTEGER, error TEXT, host TEXT, pid INTEGER, fbopt_version TEXT,
        rows_in INTEGER, rows_out INTEGER, rows_failed INTEGER, failure_rate REAL,
        wall_seconds REAL, rows_per_second REAL, peak_rss_mb REAL, cost_usd REAL,
        cost_per_post REAL, tokens_in INTEGER, tokens_out INTEGER, calls INTEGER,
        retries INTEGER, cache_hit_rate REAL, cache_l1_hit_rate REAL, cache_l2_hit_rate REAL,
        cache_semantic_hit_rate REAL, mean_overall_quality REAL,
        mean_predicted_engagement REAL, scores TEXT, model_mix TEXT, prompt_mix TEXT,
        learn_metrics TEXT, errors TEXT)""")


def _v2(db: sqlite3.Connection) -> None:
    # Alerts arrived after the first history format; the trailing-window queries want the index.
    db.execute("ALTER TABLE runs ADD COLUMN alerts TEXT")
    db.execute("ALTER TABLE runs ADD COLUMN alert_count INTEGER DEFAULT 0")
    db.execute("CREATE INDEX runs_by_command ON runs (command, id)")


# Migration N (1-based) brings a database from schema N-1 to N; never edit a released one.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2]
SCHEMA_VERSION = len(MIGRATIONS)


def db_path() -> Path:
    return home_path(DB_NAME)


def connect(path: Path | None = None) -> sqlite3.Connection:
    """The history database at `path` (default FBOPT_HOME/analytics.db), migrated to the current
    schema. A file that is not SQLite, or is from a newer fbopt, is a ConfigError naming it."""
    path = path or db_path()
    try:
        db = sqlite3.connect(path, timeout=30.0, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        # A commit survives a crash of fbopt in any mode; OFF also skips the fsyncs of the
        # checkpoint SQLite runs when the last connection closes (~35 ms on a busy shared disk,
        # more than the whole rest of recording a run). The price: an OS crash or power loss in
        # the seconds after a run may lose or corrupt the history, which is then named in one
        # error line; the runs' outputs and reports are not at stake.
        db.execute("PRAGMA synchronous=OFF")
        _migrate(db, path)
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"the run history {path} is not a readable SQLite database ({exc})",
                          hint="move the file aside (a new one is made on the next run), or "
                               "set analytics.enabled = false") from exc
    return db


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return
    _refuse_newer(version, path)
    # IMMEDIATE takes the write lock first, so two fbopt processes never migrate at once.
    db.execute("BEGIN IMMEDIATE")
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        _refuse_newer(version, path)
        for step in MIGRATIONS[version:]:
            step(db)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _refuse_newer(version: int, path: Path) -> None:
    if version > SCHEMA_VERSION:
        raise ConfigError(f"the run history {path} has schema version {version}, written by a "
                          f"newer fbopt (this one reads up to {SCHEMA_VERSION})",
                          hint="upgrade fbopt, or point FBOPT_HOME at another folder")


def _encode(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: row[k] for k in COLUMNS if k in row}
    for key in JSON_COLUMNS:
        if key in row:
            out[key] = json.dumps(row[key], sort_keys=True, default=str)
    return out


def insert_run(db: sqlite3.Connection, row: dict[str, Any]) -> int:
    """Add a run; returns its id."""
    data = _encode(row)
    names = ", ".join(data)
    marks = ", ".join("?" for _ in data)
    cur = db.execute(f"INSERT INTO runs ({names}) VALUES ({marks})", list(data.values()))
    return int(cur.lastrowid or 0)


def update_run(db: sqlite3.Connection, run_id: int, row: dict[str, Any]) -> None:
    data = _encode(row)
    sets = ", ".join(f"{k} = ?" for k in data)
    db.execute(f"UPDATE runs SET {sets} WHERE id = ?", [*data.values(), run_id])


def fetch_runs(db: sqlite3.Connection, *, limit: int | None = None, command: str | None = None,
               input_path: str | None = None, finished_only: bool = False) -> list[dict[str, Any]]:
    """Runs, newest first (at most `limit`), decoded; runs whose process died are marked failed
    first."""
    mark_orphans(db)
    where, args = [], []
    if command:
        where.append("command = ?")
        args.append(command)
    if input_path:
        where.append("input = ?")
        args.append(input_path)
    if finished_only:
        where.append("status IN ('ok', 'rows_failed')")
    sql = "SELECT * FROM runs" + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY id DESC" + (f" LIMIT {int(limit)}" if limit else "")
    return [_decode(r) for r in db.execute(sql, args)]


def _decode(row: sqlite3.Row) -> dict[str, Any]:
    out = dict(row)
    for key in JSON_COLUMNS:
        out[key] = json.loads(out[key]) if out.get(key) else ({} if key != "alerts" else [])
    return out


def mark_orphans(db: sqlite3.Connection) -> int:
    """A run still 'running' whose process on this host is gone was killed (SIGKILL, power
    loss): mark it failed, so a crash always leaves a failed row."""
    host = socket.gethostname()
    dead = [r["id"] for r in db.execute(
        "SELECT id, pid FROM runs WHERE status = 'running' AND host = ?", (host,))
        if not _alive(int(r["pid"] or 0))]
    for run_id in dead:
        db.execute("UPDATE runs SET status = 'failed', exit_code = -9, error = ? WHERE id = ? "
                   "AND status = 'running'", ("the process ended before closing its run", run_id))
    return len(dead)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
