"""The history database: schema and migrations, WAL, two writers at once, a corrupt or newer
file named in one error, and a killed run shown failed."""

from __future__ import annotations

import multiprocessing
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from fbopt.analytics import store
from fbopt.errors import ConfigError


def test_new_database_has_the_current_schema_in_wal_mode(tmp_path: Path) -> None:
    db = store.connect(tmp_path / "a.db")
    assert db.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    run_id = store.insert_run(db, {"command": "generate", "status": "ok", "rows_out": 5,
                                   "model_mix": {"offline": 5}, "alerts": []})
    (row,) = store.fetch_runs(db)
    assert row["id"] == run_id and row["rows_out"] == 5 and row["model_mix"] == {"offline": 5}


def test_version_1_database_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    store.MIGRATIONS[0](old)
    old.execute("INSERT INTO runs (command, status, rows_out) VALUES ('predict', 'ok', 7)")
    old.execute("PRAGMA user_version = 1")
    old.commit()
    old.close()
    db = store.connect(path)
    (row,) = store.fetch_runs(db)
    assert row["rows_out"] == 7 and row["alerts"] == []
    assert db.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
    store.update_run(db, row["id"], {"alerts": [{"kind": "throughput"}], "alert_count": 1})
    assert store.fetch_runs(db)[0]["alert_count"] == 1


def test_corrupt_file_is_a_config_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "analytics.db"
    path.write_bytes(b"this is not sqlite at all, just text " * 200)
    with pytest.raises(ConfigError) as err:
        store.connect(path)
    assert str(path) in err.value.message() and "move the file aside" in err.value.message()


def test_newer_schema_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "analytics.db"
    new = sqlite3.connect(path)
    new.execute(f"PRAGMA user_version = {store.SCHEMA_VERSION + 3}")
    new.close()
    with pytest.raises(ConfigError) as err:
        store.connect(path)
    assert str(path) in err.value.message() and "newer fbopt" in err.value.message()


def test_cli_says_one_line_for_a_corrupt_history(workdir: Path, isolated_home: Path) -> None:
    (isolated_home / "analytics.db").write_bytes(b"garbage" * 1000)
    out = subprocess.run([sys.executable, "-m", "fbopt", "history"], capture_output=True,
                         text=True)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and str(isolated_home / "analytics.db") in out.stderr
    assert "Traceback" not in out.stderr


def _writer(path: str, tag: str, n: int) -> None:
    db = store.connect(Path(path))
    for i in range(n):
        store.insert_run(db, {"command": "generate", "status": "ok", "run_uid": f"{tag}-{i}"})
    db.close()


def test_two_processes_writing_at_once_lose_no_row(tmp_path: Path) -> None:
    path = str(tmp_path / "analytics.db")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, tag, 150)) for tag in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    uids = {r["run_uid"] for r in store.fetch_runs(store.connect(Path(path)))}
    assert uids == {f"{t}-{i}" for t in ("a", "b") for i in range(150)}


def test_a_running_row_whose_process_died_is_marked_failed(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    db = store.connect(tmp_path / "a.db")
    import socket

    store.insert_run(db, {"command": "generate", "status": "running", "pid":
                          int(dead.stdout), "host": socket.gethostname()})
    (row,) = store.fetch_runs(db)
    assert row["status"] == "failed" and "ended before closing" in row["error"]
