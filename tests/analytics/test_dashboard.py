"""The dashboard: written from real runs of every command, opened in a real headless Chromium
(each chart rendered with data points, a filter that keeps one command, a screenshot under the
test's tmp folder), and served live with a version the page polls."""

from __future__ import annotations

import re
import subprocess
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from fbopt.analytics import store
from fbopt.analytics.charts import figures
from fbopt.analytics.dashboard import history_version, load_rows, serve, write_dashboard
from fbopt.cli.main import cli
from tests.conftest import SAMPLE
from tests.fakes.llm_server import FakeServer
from tests.system import free_port, require_program

CHART_IDS = [cid for cid, _, _ in figures([])]
TINY = {"EPOCHS": "3", "HASH_BITS": "10", "MEMBERS": "3", "HIDDEN": "8", "DEVICE": "cpu"}


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An FBOPT_HOME with real runs of generate (offline, one alerted; twice through a loopback
    OpenAI server, the second from the cache), a crash, enhance, learn and predict."""
    home = tmp_path_factory.mktemp("dash_home")
    work = tmp_path_factory.mktemp("dash_work")
    with pytest.MonkeyPatch.context() as patch, FakeServer() as fake:
        patch.setenv("FBOPT_HOME", str(home))
        patch.setenv("OPENAI_BASE_URL", fake.url + "/v1")
        patch.chdir(work)
        for key, value in TINY.items():
            patch.setenv(f"FBOPT_ENGAGEMENT_{key}", value)
        (work / "alerts.toml").write_text("[alerts]\nmin_overall_quality = 0.99\n")
        topics, posts = str(SAMPLE / "topics.csv"), str(SAMPLE / "posts.csv")
        runs = [["generate", topics, "-o", "a.parquet"],
                ["generate", topics, "-o", "b.csv", "--config", "alerts.toml"],
                ["generate", "missing.csv"], ["enhance", "a.parquet", "-o", "e.parquet"],
                ["learn", posts], ["predict", posts, "-o", "p.parquet"]]
        for args in runs:
            CliRunner().invoke(cli, [*args, "-q"])
        patch.setenv("OPENAI_API_KEY", "sk-loopback")
        for _ in range(2):
            CliRunner().invoke(cli, ["generate", topics, "-q", "--provider", "openai",
                                     "--fresh", "-o", "llm.parquet"])
    return home


def _dom(chromium: str, url: str, tmp: Path, shot: Path | None = None) -> str:
    base = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            f"--user-data-dir={tmp / 'chromium-profile'}", "--window-size=1400,2600",
            "--virtual-time-budget=15000", "--host-resolver-rules=MAP * ~NOTFOUND"]
    if shot is not None:
        subprocess.run([*base, f"--screenshot={shot}", url], capture_output=True, timeout=120,
                       check=True)
    out = subprocess.run([*base, "--dump-dom", url], capture_output=True, text=True,
                         timeout=120, check=True)
    return out.stdout


def _points(dom: str) -> dict[str, int]:
    """Drawn data points per chart: plotly gives each marker and bar class "point"."""
    counts = {}
    for part in dom.split('<div id="chart-')[1:]:
        cid = part.split('"', 1)[0]
        counts[cid] = len(re.findall(r'class="point[ "]', part.split("<section>", 1)[0]))
    return counts


def test_every_chart_renders_data_points_in_chromium(history: Path, tmp_path: Path,
                                                    monkeypatch) -> None:
    chromium = require_program("chromium")
    monkeypatch.setenv("FBOPT_HOME", str(history))
    page = write_dashboard(tmp_path / "dashboard.html")
    text = page.read_text(encoding="utf-8")
    # Nothing loaded from elsewhere (Chromium runs with every host name unresolvable, too).
    assert "<script src=" not in text and "<link" not in text and "Plotly.react" in text
    shot = tmp_path / "dashboard.png"
    counts = _points(_dom(chromium, page.as_uri(), tmp_path, shot))
    assert set(counts) == set(CHART_IDS)
    assert all(n > 0 for n in counts.values()), counts
    assert shot.stat().st_size > 20_000  # a drawn page, not a blank one


def test_command_filter_keeps_only_that_commands_points(history: Path, tmp_path: Path,
                                                        monkeypatch) -> None:
    chromium = require_program("chromium")
    monkeypatch.setenv("FBOPT_HOME", str(history))
    page = write_dashboard(tmp_path / "dashboard.html")
    counts = _points(_dom(chromium, page.as_uri() + "#command=learn&input=", tmp_path))
    assert counts["learn"] > 0 and counts["throughput"] == 1  # the one learn run
    assert counts["scores"] == counts["engagement"] == counts["models"] == 0


def test_served_page_changes_version_when_a_run_is_recorded(history: Path,
                                                            monkeypatch) -> None:
    monkeypatch.setenv("FBOPT_HOME", str(history))
    port = free_port()
    server = serve(port, background=True)
    try:
        base = f"http://127.0.0.1:{port}"
        page = urllib.request.urlopen(base + "/", timeout=30).read().decode("utf-8")
        assert "const LIVE = true" in page and "fbopt-figures" in page
        before = urllib.request.urlopen(base + "/version", timeout=10).read().decode()
        assert before == history_version()
        db = store.connect()
        store.insert_run(db, {"command": "generate", "status": "ok", "rows_out": 1})
        db.close()
        after = urllib.request.urlopen(base + "/version", timeout=10).read().decode()
        assert after != before and len(load_rows()) == 9
    finally:
        server.shutdown()
        server.server_close()
