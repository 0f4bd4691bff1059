"""Prometheus: a real Pushgateway gets the finished run's metrics (read back through its HTTP
API), and /metrics scraped while a run waits on a slow loopback provider shows it moving."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families

from fbopt.cli.main import cli
from tests.conftest import REPO, SAMPLE
from tests.fakes.llm_server import FakeServer
from tests.system import free_port, require_program


def _get(url: str, timeout: float = 5.0) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode("utf-8")


def _wait_for(url: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            _get(url, 1.0)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def pushgateway(tmp_path: Path) -> Iterator[str]:
    """A real Pushgateway on a free loopback port; yields its URL."""
    program = require_program("prometheus-pushgateway")
    port = free_port()
    proc = subprocess.Popen([program, f"--web.listen-address=127.0.0.1:{port}",
                             f"--persistence.file={tmp_path / 'pushgateway.data'}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url + "/-/ready")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def _pushed(url: str) -> dict[tuple[str, str], dict[str, float]]:
    """{(job, command): {metric: value}} from the gateway's /api/v1/metrics."""
    data = json.loads(_get(url + "/api/v1/metrics"))["data"]
    groups = {}
    for group in data:
        labels = group["labels"]
        values = {name: float(family["metrics"][0]["value"])
                  for name, family in group.items()
                  if isinstance(family, dict) and family.get("metrics")}
        groups[(labels.get("job"), labels.get("command"))] = values
    return groups


def test_a_run_pushes_its_final_metrics(workdir: Path, pushgateway: str) -> None:
    result = CliRunner().invoke(cli, ["generate", str(SAMPLE / "topics.csv"), "-q",
                                      "--pushgateway", pushgateway, "-o", "g.parquet"])
    assert result.exit_code == 0, result.stderr
    report = json.loads((workdir / "g.report.json").read_text())
    metrics = _pushed(pushgateway)[("fbopt", "generate")]
    written = pq.read_metadata(workdir / "g.parquet").num_rows
    assert metrics["fbopt_last_run_rows_out"] == report["rows_out"] == written > 0
    assert metrics["fbopt_last_run_rows_failed"] == 0
    assert metrics["fbopt_last_run_success"] == 1
    assert 0 < metrics["fbopt_last_run_mean_overall_quality"] <= 1
    assert abs(metrics["fbopt_last_run_finish_time_seconds"] - time.time()) < 120


def test_config_gateway_groups_by_command(workdir: Path, pushgateway: str, monkeypatch) -> None:
    monkeypatch.setenv("FBOPT_ANALYTICS_PUSHGATEWAY", pushgateway)
    monkeypatch.setenv("FBOPT_ANALYTICS_JOB", "nightly")
    CliRunner().invoke(cli, ["generate", str(SAMPLE / "topics.csv"), "-q", "--no-score",
                             "-o", "g.parquet"])
    posts = workdir / "posts.csv"
    posts.write_text("text\nA short post about our spring sale.\nAnother post here.\n",
                     encoding="utf-8")
    CliRunner().invoke(cli, ["enhance", str(posts), "-q"])
    groups = _pushed(pushgateway)
    written = pq.read_metadata(workdir / "g.parquet").num_rows
    assert groups[("nightly", "generate")]["fbopt_last_run_rows_out"] == written > 0
    assert groups[("nightly", "enhance")]["fbopt_last_run_rows_out"] == 2


def _scrape(url: str) -> dict[str, float]:
    out = {}
    for family in text_string_to_metric_families(_get(url)):
        for sample in family.samples:
            if sample.labels.get("kind") or sample.labels.get("level"):
                continue
            out[sample.name] = sample.value
    return out


def test_metrics_endpoint_moves_during_a_slow_run(workdir: Path) -> None:
    port = free_port()
    topics = workdir / "topics.csv"
    topics.write_text("topic\n" + "".join(f"Spring sale on garden tools day {i}\n"
                                          for i in range(40)), encoding="utf-8")
    with FakeServer(delay=0.25) as fake:
        env = {**os.environ, "OPENAI_BASE_URL": fake.url + "/v1", "OPENAI_API_KEY": "sk-test",
               "FBOPT_LLM_CONCURRENCY": "4", "FBOPT_RUN_BATCH_SIZE": "8",
               "PYTHONPATH": str(REPO)}
        proc = subprocess.Popen([sys.executable, "-m", "fbopt", "generate", str(topics),
                                 "--no-score", "-q", "--provider", "openai", "--metrics-port",
                                 str(port)], cwd=workdir, env=env, stderr=subprocess.PIPE,
                                text=True)
        url = f"http://127.0.0.1:{port}/metrics"
        seen = []
        try:
            _wait_for(url, 60)
            while proc.poll() is None and len(seen) < 200:
                try:
                    seen.append(_scrape(url))
                except OSError:
                    break  # the run ended between poll() and the scrape
                time.sleep(0.1)
        finally:
            _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    done = [s["fbopt_rows_done_total"] for s in seen if "fbopt_rows_done_total" in s]
    assert done == sorted(done) and 0 < max(done)
    assert min(done) < 40  # seen while rows were still to come
    assert len(set(done)) >= 2  # the count moved between scrapes
    assert max(s.get("fbopt_calls_in_flight", 0) for s in seen) >= 1
    assert max(s.get("fbopt_calls_total", 0) for s in seen) >= 1
