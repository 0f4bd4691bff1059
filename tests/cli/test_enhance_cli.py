"""`fbopt enhance` end to end through the CLI, `generate` with scores and --enhance, the Python
API, and bad input and an unavailable grammar backend as one-line errors with no output left."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
from click.testing import CliRunner

from fbopt.cli.main import cli
from fbopt.quality.score import SCORE_NAMES
from fbopt.quality.spans import protected_spans
from tests.conftest import SAMPLE
from tests.fakes.languagetool_server import FakeLanguageTool


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stderr


def some_posts(path: Path, rows: int = 24) -> Path:
    with open(SAMPLE / "posts.csv", encoding="utf-8") as fh:
        data = list(csv.DictReader(fh))
    keep = [r for r in data if "Their" in r["text"] or "alot" in r["text"]][:4] + data[:rows]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(data[0]))
        writer.writeheader()
        writer.writerows(keep)
    return path


def test_enhance_writes_output_and_report(workdir: Path) -> None:
    posts = some_posts(workdir / "posts.csv")
    code, err = run("enhance", str(posts), "-q", "--config", str(_one_worker(workdir)))
    assert code == 0, err
    table = pq.read_table(workdir / "posts.enhance.parquet").to_pandas()
    for name in SCORE_NAMES:
        assert {f"{name}_before", f"{name}_after"} <= set(table.columns)
    assert {"text_enhanced", "enhancements", "quality_gain", "grammar_issues"} <= set(table.columns)
    assert (table["overall_quality_after"] >= table["overall_quality_before"]).all()
    assert table["overall_quality_after"].mean() > table["overall_quality_before"].mean()
    for before, after in zip(table["text"], table["text_enhanced"], strict=True):
        assert all(before[s:e] in after for s, e, _ in protected_spans(before))
    report = json.loads((workdir / "posts.enhance.report.json").read_text())
    means = report["metrics"]["mean_scores"]
    assert set(means) == set(SCORE_NAMES) and set(means["overall_quality"]) == {"before", "after"}
    assert set(report["metrics"]["share_changed_per_strategy"]) == {
        "grammar", "readability", "sentiment", "engagement"}


def test_enhance_text_column_strategies_and_csv(workdir: Path) -> None:
    src = workdir / "msgs.csv"
    src.write_text('id,status_message\n1,"Their is alot of cake, come try it: https://x.io/a"\n',
                   encoding="utf-8")
    code, err = run("enhance", str(src), "--strategies", "grammar", "-o", "out.csv", "-q")
    assert code == 0, err
    with open(workdir / "out.csv", encoding="utf-8") as fh:
        row = next(csv.DictReader(fh))
    assert row["text_enhanced"].startswith("There is a lot of cake")
    assert row["enhancements"] == '["grammar"]'


def test_missing_text_column_is_one_line_and_leaves_nothing(workdir: Path) -> None:
    src = workdir / "bad.csv"
    src.write_text("id,title\n1,hello\n", encoding="utf-8")
    code, err = run("enhance", str(src))
    assert code == 2
    assert err.count("\n") == 1 and "required column 'text' is missing" in err
    assert not (workdir / "bad.enhance.parquet").exists()


def test_languagetool_backend_from_the_cli(workdir: Path) -> None:
    src = workdir / "p.csv"
    src.write_text("text\ni think alot of people agree\n", encoding="utf-8")
    with FakeLanguageTool() as server:
        code, err = run("enhance", str(src), "--strategies", "grammar", "--languagetool-url",
                        server.url, "-o", "out.jsonl", "-q")
    assert code == 0, err
    row = json.loads((workdir / "out.jsonl").read_text().splitlines()[0])
    assert row["text_enhanced"] == "I think a lot of people agree"
    assert server.checked


def test_unavailable_languagetool_is_one_config_error(workdir: Path, monkeypatch) -> None:
    monkeypatch.setenv("LTP_PATH", str(workdir / "lt"))
    src = workdir / "p.csv"
    src.write_text("text\nhello\n", encoding="utf-8")
    code, err = run("enhance", str(src), "--grammar-backend", "languagetool")
    assert code == 2 and err.startswith("error: LanguageTool is not installed")
    assert not (workdir / "p.enhance.parquet").exists()


def test_generate_scores_every_post_and_enhances_on_request(workdir: Path) -> None:
    topics = workdir / "t.csv"
    topics.write_text("topic,audience\nWeekend farmers market,families\n"
                      "Five stretches for back pain,office workers\n", encoding="utf-8")
    code, err = run("generate", str(topics), "-o", "plain.parquet", "-q")
    assert code == 0, err
    plain = pq.read_table(workdir / "plain.parquet").to_pandas()
    assert all(0 <= v <= 1 for name in SCORE_NAMES for v in plain[name])
    code, err = run("generate", str(topics), "-o", "better.parquet", "-q", "--enhance")
    assert code == 0, err
    better = pq.read_table(workdir / "better.parquet").to_pandas()
    assert {"text_draft", "enhancements", "quality_gain"} <= set(better.columns)
    assert (better["quality_gain"] >= 0).all()
    assert list(better["text_draft"]) == list(plain["text"])


def test_python_api(workdir: Path) -> None:
    import pandas as pd

    import fbopt

    one = fbopt.score("Their is a new cake! Come try it. #cake")
    assert one["grammar_score"] < 1 and one["grammar_issues"][0]["suggestion"] == "There"
    assert one["grammar_issues"][0]["rule"] == "TheirToThere"  # a rule quality.harper_disable takes
    frame = fbopt.enhance(pd.DataFrame({"message": ["we are open untill 9pm tonight"]}),
                          strategies="grammar").output
    assert frame.loc[0, "text_enhanced"] == "We are open until 9pm tonight"


def _one_worker(folder: Path) -> Path:
    config = folder / "one.toml"
    config.write_text("[quality]\nworkers = 1\n", encoding="utf-8")
    return config
