"""Resumable `generate`: a real `python -m fbopt` process killed with SIGKILL at several points
and started again with the same arguments, and one stopped with SIGINT or SIGTERM, against the
loopback server, which counts every request so a repeated call cannot hide."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from fbopt.cli.main import cli
from tests.conftest import REPO, SAMPLE
from tests.fakes.llm_server import Action, FakeServer, request_key

KEY = "sk-test-resume-0123456789"
CONCURRENCY = 4
ARGS = ["--model", "gpt-4.1-mini", "--no-cache", "--batch-size", "8", "--concurrency",
        str(CONCURRENCY), "-q"]


@pytest.fixture(autouse=True)
def no_scoring(monkeypatch: pytest.MonkeyPatch) -> None:
    """Generate's quality scoring is not what these tests are about, and costs seconds; the
    enhance test below checkpoints the scorer's output."""
    monkeypatch.setenv("FBOPT_GENERATE_SCORE", "false")


def write_topics(folder: Path, n: int) -> Path:
    path = folder / "topics.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "topic", "audience"])
        writer.writerows([f"t{i}", f"Bike commuting tip {i}", "city riders"] for i in range(n))
    return path


def start(server: FakeServer, folder: Path, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, OPENAI_API_KEY=KEY, OPENAI_BASE_URL=server.url + "/v1",
               PYTHONPATH=str(REPO))
    return subprocess.Popen(
        [sys.executable, "-m", "fbopt", "generate", "topics.csv", "-o", "out.parquet", *ARGS,
         *extra], cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def finish_here(server: FakeServer, monkeypatch: pytest.MonkeyPatch, *extra: str) -> int:
    """The same command in this process (no interpreter start-up): for runs nobody kills."""
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
    result = CliRunner().invoke(cli, ["generate", "topics.csv", "-o", "out.parquet", *ARGS,
                                      *extra])
    assert "Traceback" not in result.stderr
    return result.exit_code


def wait_for_requests(server: FakeServer, proc: subprocess.Popen, count: int) -> None:
    deadline = time.monotonic() + 60
    while len(server.seen) < count and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def checkpoint_batches(home: Path) -> list[Path]:
    return sorted((home / "checkpoints").glob("*/batch-*.arrow"))


def test_sigkill_at_any_point_then_rerun_calls_no_row_twice(workdir, isolated_home,
                                                             monkeypatch):
    n = 80
    write_topics(workdir, n)
    kills = [5, 27, 52]
    with FakeServer(delay=0.03) as server:
        for at in kills:
            proc = start(server, workdir)
            wait_for_requests(server, proc, at)
            assert proc.poll() is None, "the run ended before it could be killed"
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            assert not (workdir / "out.parquet").exists()  # nothing half-written in its place
        assert checkpoint_batches(isolated_home)  # finished batches were kept
        assert len(leftovers(workdir)) == 1  # the last kill's; each run swept the one before
        assert finish_here(server, monkeypatch) == 0
        attempts = Counter(server.state.attempts)
    rows = pq.read_table(workdir / "out.parquet").to_pylist()
    assert sorted(r["topic_id"] for r in rows) == sorted(f"t{i}" for i in range(n))
    assert {r["status"] for r in rows} == {"ok"}
    # Only calls in flight at a kill may have been asked for again; nothing finished was.
    assert len(attempts) == n
    assert sum(attempts.values()) - n <= len(kills) * CONCURRENCY
    assert max(attempts.values()) <= 1 + len(kills)
    # The checkpoint went with the commit; the killed runs' temporary files were swept.
    assert not list((isolated_home / "checkpoints").iterdir())
    assert leftovers(workdir) == []
    report = (workdir / "out.report.json").read_text()
    assert '"rows_replayed"' in report and '"batches_replayed": 0' not in report
    # Same rows as a run that was never stopped.
    with FakeServer() as clean:
        assert finish_here(clean, monkeypatch, "--fresh", "-o", "clean.parquet") == 0
    clean_rows = pq.read_table(workdir / "clean.parquet").to_pylist()
    drop = {"latency_ms"}
    assert [{k: v for k, v in r.items() if k not in drop} for r in rows] == \
        [{k: v for k, v in r.items() if k not in drop} for r in clean_rows]


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupt_cancels_calls_keeps_work_and_resumes(workdir, isolated_home, monkeypatch,
                                                        sig, code):
    write_topics(workdir, 40)
    with FakeServer() as server:
        # Two batches answer at once; the third batch's calls take far longer than the test.
        server.enqueue(*[Action()] * 16, *[Action("ok", seconds=20)] * 8)
        proc = start(server, workdir)
        wait_for_requests(server, proc, 16 + CONCURRENCY)
        first_keys = {request_key(s.body) for s in server.seen[:16]}
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
        still_waiting = server.state.in_flight
        assert proc.returncode == code, err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("interrupted: ") and "resume" in lines[0]
        assert "Traceback" not in err
        # In-flight calls were abandoned, not waited for; no output, no temporary file.
        assert still_waiting > 0
        assert sorted(p.name for p in workdir.iterdir()) == ["topics.csv"]
        assert len(checkpoint_batches(isolated_home)) == 2
        server.state.actions.clear()
        assert finish_here(server, monkeypatch) == 0
        assert all(server.state.attempts[k] == 1 for k in first_keys)
    rows = pq.read_table(workdir / "out.parquet").to_pylist()
    assert sorted(r["topic_id"] for r in rows) == sorted(f"t{i}" for i in range(40))


def test_fresh_starts_over(workdir, isolated_home, monkeypatch):
    # (A changed input is never resumed: its fingerprint is in the key, tests/test_checkpoint.py)
    write_topics(workdir, 24)
    with FakeServer(delay=0.03) as server:
        proc = start(server, workdir)
        wait_for_requests(server, proc, 12)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert checkpoint_batches(isolated_home)
        seen = len(server.seen)
        assert finish_here(server, monkeypatch, "--fresh") == 0
        assert len(server.seen) - seen == 24  # every row asked for again
        assert not checkpoint_batches(isolated_home)
    assert pq.read_table(workdir / "out.parquet").num_rows == 24


def test_enhance_killed_then_rerun_replays_finished_batches(workdir, isolated_home):
    with (SAMPLE / "posts.csv").open(newline="", encoding="utf-8") as fh:
        records = list(csv.reader(fh))[:11]
    with (workdir / "posts.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(records)
    args = ["enhance", "posts.csv", "-o", "better.parquet", "--batch-size", "2",
            "--strategies", "readability", "-q"]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "fbopt", *args], cwd=workdir, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while (len(checkpoint_batches(isolated_home)) < 2 and proc.poll() is None
           and time.monotonic() < deadline):
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    kept = len(checkpoint_batches(isolated_home))
    assert 2 <= kept < 5 and not (workdir / "better.parquet").exists()
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    report = json.loads((workdir / "better.report.json").read_text())
    assert report["metrics"]["resume"]["batches_replayed"] == kept
    assert report["rows_out"] == 10 and report["metrics"]["posts_changed"] >= 0
    rows = pq.read_table(workdir / "better.parquet").to_pylist()
    assert [r["post_id"] for r in rows] == [f"p{i:04d}" for i in range(1, 11)]
    assert not list((isolated_home / "checkpoints").iterdir())
    fresh = CliRunner().invoke(cli, [*args, "--fresh", "-o", "again.parquet"])
    assert fresh.exit_code == 0, fresh.stderr
    again = pq.read_table(workdir / "again.parquet").to_pylist()
    assert [r["text_enhanced"] for r in rows] == [r["text_enhanced"] for r in again]


def test_max_cost_counts_what_was_spent_before_the_restart(workdir, isolated_home,
                                                           monkeypatch):
    write_topics(workdir, 40)
    with FakeServer(delay=0.03) as server:
        proc = start(server, workdir)
        wait_for_requests(server, proc, 20)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        batch0 = checkpoint_batches(isolated_home)[0]
        kept = pa.ipc.open_file(pa.py_buffer(batch0.read_bytes())).read_all()
        spent_before = sum(kept.column("cost_usd").to_pylist())  # on batch 0 alone
        seen = len(server.seen)
        # A cap below what the first run already spent: the rest is not written, not called.
        cap = f"{spent_before / 2:.6f}"
        assert finish_here(server, monkeypatch, "--max-cost", cap) == 0
        assert len(server.seen) == seen
    rows = pq.read_table(workdir / "out.parquet").to_pylist()
    assert len(rows) == 40
    replayed = [r for r in rows if r["status"] == "ok"]
    assert replayed and {r["status"] for r in rows} == {"ok", "skipped_budget"}
    report = json.loads((workdir / "out.report.json").read_text())
    assert report["metrics"]["llm"]["cost_usd"] == 0  # nothing new was spent
    assert report["metrics"]["llm"]["cost_usd_before_resume"] > float(cap)
