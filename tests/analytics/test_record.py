"""Every run leaves its row: the CLI and the Python API, a crash marked failed, score means that
match the output, learn's validation metrics; `fbopt history` and fbopt.history()."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from click.testing import CliRunner

import fbopt
from fbopt.analytics.api import runs
from fbopt.cli.history import ERROR_WIDTH
from fbopt.cli.main import cli
from tests.conftest import SAMPLE

TOPICS = SAMPLE / "topics.csv"
TOPIC_ROWS = len(pa_csv.read_csv(TOPICS))


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_generate_run_is_recorded_with_what_it_wrote(workdir: Path) -> None:
    code, _, _ = invoke("generate", str(TOPICS), "-q", "-o", "g.parquet")
    assert code == 0
    (run,) = runs()
    out = pq.read_table(workdir / "g.parquet").to_pandas()
    assert run["command"] == "generate" and run["status"] == "ok" and run["exit_code"] == 0
    assert run["input"] == str(TOPICS.resolve()) and run["rows_out"] == len(out)
    assert run["rows_in"] == TOPIC_ROWS and run["rows_failed"] == 0 and run["wall_seconds"] > 0
    assert abs(run["mean_overall_quality"] - out["overall_quality"].mean()) < 1e-5
    assert abs(run["scores"]["grammar_score"] - out["grammar_score"].mean()) < 1e-5
    assert run["model_mix"] == out["model"].value_counts().to_dict()
    assert run["prompt_mix"] == out["prompt_variant"].value_counts().to_dict()
    assert run["cost_usd"] == 0.0 and run["peak_rss_mb"] > 0


def test_bad_input_leaves_a_failed_row_with_the_error(workdir: Path) -> None:
    (workdir / "bad.csv").write_text("id,likes\n1,2\n", encoding="utf-8")
    code, _, err = invoke("generate", "bad.csv", "-q")
    assert code == 2 and "error:" in err
    (run,) = runs()
    assert run["status"] == "failed" and run["exit_code"] == 2
    assert run["error"].startswith("InputError") and run["input"].endswith("bad.csv")


def test_disabled_analytics_records_nothing(workdir: Path, monkeypatch) -> None:
    monkeypatch.setenv("FBOPT_ANALYTICS_ENABLED", "false")
    assert invoke("generate", str(TOPICS), "-q", "--no-score")[0] == 0
    monkeypatch.delenv("FBOPT_ANALYTICS_ENABLED")
    assert runs() == []


def test_python_api_records_and_history_is_a_dataframe(workdir: Path) -> None:
    import pandas as pd

    frame = pd.DataFrame({"topic": ["Spring sale on garden tools", "Our new bakery opens"]})
    result = fbopt.generate(frame)
    history = fbopt.history()
    assert isinstance(history, pd.DataFrame) and len(history) == 1
    first = history.iloc[0]
    assert first["command"] == "generate" and first["input"] == "<DataFrame>"
    assert first["rows_out"] == len(result.output)
    assert abs(first["mean_overall_quality"] - result.output["overall_quality"].mean()) < 1e-5
    assert str(history["started_at"].dtype).startswith("datetime64")


def test_learn_and_predict_record_their_metrics(workdir: Path, monkeypatch) -> None:
    for key, value in {"EPOCHS": "3", "HASH_BITS": "10", "MEMBERS": "3", "HIDDEN": "8",
                       "DEVICE": "cpu"}.items():
        monkeypatch.setenv(f"FBOPT_ENGAGEMENT_{key}", value)
    posts = SAMPLE / "posts.csv"
    assert invoke("learn", str(posts), "-q")[0] == 0
    assert invoke("predict", str(posts), "-q", "-o", "p.parquet")[0] == 0
    predicted, learned = runs()
    report = json.loads((workdir / "posts.learn.report.json").read_text())
    assert learned["learn_metrics"]["spearman"] == report["metrics"]["validation"]["spearman"]
    out = pq.read_table(workdir / "p.parquet").to_pandas()
    assert abs(predicted["mean_predicted_engagement"]
               - out["predicted_engagement"].mean()) < 1e-4


def test_history_table_and_json(workdir: Path) -> None:
    invoke("generate", str(TOPICS), "-q", "--no-score")
    invoke("generate", "missing.csv", "-q")
    code, out, _ = invoke("history")
    assert code == 0
    header, *lines = out.strip().splitlines()
    assert header.split()[:3] == ["id", "started", "(UTC)"] and len(lines) == 2
    assert "failed" in lines[0] and "ok" in lines[1] and "topics.csv" in lines[1]
    code, out, _ = invoke("history", "--json", "--command", "generate", "-n", "1")
    data = json.loads(out)
    assert len(data) == 1 and data[0]["status"] == "failed"


def test_enhance_records_the_after_means_of_its_report(workdir: Path) -> None:
    posts = SAMPLE / "posts.csv"
    assert invoke("enhance", str(posts), "-q", "-o", "e.parquet")[0] == 0
    (run,) = runs()
    means = json.loads((workdir / "e.report.json").read_text())["metrics"]["mean_scores"]
    assert run["mean_overall_quality"] == means["overall_quality"]["after"]
    assert run["scores"]["grammar_score"] == means["grammar_score"]["after"]
    code, out, _ = invoke("history")
    assert f"{means['overall_quality']['after']:.3f}" in out.splitlines()[1]


def test_history_table_shows_a_failed_runs_error_shortened(workdir: Path) -> None:
    invoke("generate", "missing.csv", "-q")
    invoke("generate", str(TOPICS), "-q", "--no-score")
    code, out, _ = invoke("history")
    header, ok, failed = out.strip().splitlines()
    ran, crashed = runs()
    assert header.split()[-1] == "error" and crashed["status"] == "failed"
    assert crashed["error"].startswith("InputError") and ok.rstrip().endswith("topics.csv")
    shown = failed.split("missing.csv", 1)[1].strip()
    assert shown and crashed["error"].startswith(shown.removesuffix("…"))
    assert len(shown) <= ERROR_WIDTH
