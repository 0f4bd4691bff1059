"""Scoring on real Dask clusters: a LocalCluster of two worker processes started by the layer,
and a `dask scheduler` with two `dask worker` processes, one of them killed mid-run: every row
comes back once, with the scores one process gives."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fbopt import parallel
from fbopt.quality.score import QualitySettings, Scorer
from tests.system import free_port
from tests.test_parallel import scores, varied_posts

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
DASK = Path(sys.executable).with_name("dask")


@pytest.fixture
def fresh_clients() -> Iterator[None]:
    """Each test connects (or starts its LocalCluster) itself, and closes what it made."""
    saved = dict(parallel._CLIENTS)
    parallel._CLIENTS.clear()
    yield
    for client in parallel._CLIENTS.values():
        cluster = getattr(client, "cluster", None)
        client.close()
        if cluster is not None:
            cluster.close()
    parallel._CLIENTS.clear()
    parallel._CLIENTS.update(saved)


def in_one_process(texts: list[str]) -> list[dict]:
    with Scorer(QualitySettings(workers=1)) as scorer:
        return scores(scorer.score(texts))


def test_local_cluster_of_two_worker_processes(fresh_clients: None,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    texts = varied_posts(500)
    with Scorer(QualitySettings(workers=2, pool_min_texts=64, backend="dask")) as scorer:
        on_dask = scores(scorer.score(texts))
        described = scorer.metrics()["parallel"]
    pids = set(parallel._CLIENTS[""].run(os.getpid).values())
    assert described == {"backend": "dask", "scheduler": "LocalCluster", "workers": 2,
                         "chunks": described["chunks"]} and described["chunks"] > 2
    assert len(pids - {os.getpid()}) == 2  # two worker processes, not this one
    assert on_dask == in_one_process(texts)


def _start(args: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen([str(DASK), *args], stdout=open(log, "wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def test_a_worker_killed_mid_run_loses_no_row(fresh_clients: None, tmp_path: Path) -> None:
    if not DASK.exists():
        pytest.skip(f"{DASK} not found (the dask extra installs it)")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    started = [_start(["scheduler", "--host", "127.0.0.1", "--port", str(port),
                       "--no-dashboard"], tmp_path / "scheduler.log")]
    try:
        monitor = distributed.Client(address, timeout="60s", set_as_default=False)
        for i in range(2):
            started.append(_start(["worker", address, "--nthreads", "1", "--no-nanny",
                                   "--no-dashboard", "--name", f"w{i}"], tmp_path / f"w{i}.log"))
        monitor.wait_for_workers(2, timeout=120)
        pids = monitor.run(os.getpid)
        victim = next(p for p in started[1:] if p.pid in pids.values())
        victim_address = next(a for a, pid in pids.items() if pid == victim.pid)

        texts = varied_posts(2400)
        result: dict = {}
        settings = QualitySettings(workers=2, pool_min_texts=64, backend="dask",
                                   scheduler=address)

        def score() -> None:
            with Scorer(settings) as scorer:
                result["scores"] = scores(scorer.score(texts))

        runner = threading.Thread(target=score)
        runner.start()
        deadline = time.monotonic() + 300
        while not monitor.processing().get(victim_address) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert monitor.processing().get(victim_address), "the worker never got a task"
        _stop(victim)  # SIGKILL while it holds a task
        runner.join(timeout=600)
        assert not runner.is_alive()
        assert len(monitor.scheduler_info()["workers"]) == 1  # it really is gone
        assert result["scores"] == in_one_process(texts)  # every row once, in order
        monitor.close()
    finally:
        for process in reversed(started):
            _stop(process)
