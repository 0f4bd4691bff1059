from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from fbopt.cli.main import cli
from tests.conftest import SAMPLE


def texts(path: Path) -> list[tuple[str, int, str]]:
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    return [(r["topic_id"], r["variant"], r["text"]) for r in rows]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_generate_sample_topics(workdir: Path) -> None:
    code, out, err = run("generate", str(SAMPLE / "topics.csv"))
    assert code == 0, err
    table = pq.read_table(workdir / "topics.generate.parquet").to_pandas()
    import pandas as pd

    source = pd.read_csv(SAMPLE / "topics.csv")
    assert len(table) == int(source["variants"].sum())
    assert (table["text"].str.len() >= 40).all() and (table["text"].str.len() <= 500).all()
    assert set(table["provider"]) == {"offline"} and set(table["status"]) == {"ok"}
    firsts = table[table["variant"] == 1].set_index("topic_id")["text"]
    assert firsts.nunique() == len(source)  # texts differ across topics
    assert "{" not in "".join(table["text"])  # no unfilled placeholders
    report = json.loads((workdir / "topics.generate.report.json").read_text())
    assert report["rows_in"] == len(source) and report["rows_out"] == len(table)
    assert {"read", "generate", "write"} <= set(report["stage_seconds"])
    assert report["peak_rss_mb"] > 0 and report["command"] == "generate"
    assert "fbopt generate:" in err and "topics.generate.parquet" in err
    assert out == ""  # stdout is for data


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_output_format_follows_extension(workdir: Path, suffix: str) -> None:
    (workdir / "t.csv").write_text("topic\ncoffee at home\ncats\n", encoding="utf-8")
    code, _, err = run("generate", "t.csv", "--variants", "3", "-o", f"drafts{suffix}", "-q")
    assert code == 0, err
    assert err == ""  # --quiet
    if suffix == ".parquet":
        rows = pq.read_table(workdir / "drafts.parquet").to_pylist()
    elif suffix == ".csv":
        import csv

        with open(workdir / "drafts.csv", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    else:
        rows = [json.loads(x) for x in (workdir / "drafts.jsonl").read_text().splitlines()]
    assert len(rows) == 6
    assert [str(r["variant"]) for r in rows] == ["1", "2", "3"] * 2
    assert len({r["text"] for r in rows}) == 6


def test_same_seed_same_posts(workdir: Path) -> None:
    (workdir / "t.csv").write_text("topic,tone\nbike lanes,playful\n", encoding="utf-8")
    run("generate", "t.csv", "-o", "a.jsonl", "-q")
    run("generate", "t.csv", "-o", "b.jsonl", "-q")
    assert texts(workdir / "a.jsonl") == texts(workdir / "b.jsonl")


def test_input_columns_kept_and_clashes_renamed(workdir: Path) -> None:
    (workdir / "t.csv").write_text("topic,owner,text\ncoffee,ana,old\n", encoding="utf-8")
    code, _, err = run("generate", "t.csv", "-o", "o.parquet", "-q")
    assert code == 0, err
    row = pq.read_table(workdir / "o.parquet").to_pylist()[0]
    assert row["owner"] == "ana" and row["text_input"] == "old" and row["text"] != "old"


def test_empty_topic_is_skipped_not_fatal(workdir: Path) -> None:
    (workdir / "t.csv").write_text("topic\ncoffee\n\"  \"\n", encoding="utf-8")
    code, _, err = run("generate", "t.csv", "-o", "o.parquet", "-q")
    assert code == 0, err
    rows = pq.read_table(workdir / "o.parquet").to_pylist()
    assert [r["status"] for r in rows] == ["ok", "skipped"]
    assert "empty" in rows[1]["error"] and rows[1]["text"] is None


BAD_INPUTS = {
    "missing_column.csv": ("title_x,audience\na,b\n", "column 'topic'"),
    "header_only.csv": ("topic,audience\n", "no data rows"),
    "empty.csv": ("", "empty"),
    "out_of_range.csv": ("topic,urgency\na,0.5\nb,7\n", "row 2, column 'urgency'"),
    "negative_budget.csv": ("topic,budget\na,-1\n", "row 1, column 'budget'"),
    "wrong_type.csv": ("topic,variants\na,1\nb,two\n", "row 2, column 'variants'"),
    "too_many_variants.csv": ("topic,variants\na,500\n", "row 1, column 'variants'"),
    "bad_line.jsonl": ('{"topic": "a"}\n{oops}\n', "row 2"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_exit_2_no_output(workdir: Path, name: str) -> None:
    content, expected = BAD_INPUTS[name]
    (workdir / name).write_text(content, encoding="utf-8")
    code, out, err = run("generate", name, "-o", "out.parquet")
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and name in lines[0]
    assert expected in lines[0]
    assert "Traceback" not in err
    assert sorted(p.name for p in workdir.iterdir()) == [name]  # no output, no temp file


def test_non_utf8_input(workdir: Path) -> None:
    (workdir / "l.csv").write_bytes("topic\ncrème\n".encode("latin-1"))
    code, _, err = run("generate", "l.csv")
    assert code == 2 and "UTF-8" in err and "row 1" in err
    assert sorted(p.name for p in workdir.iterdir()) == ["l.csv"]


def test_debug_shows_traceback(workdir: Path) -> None:
    (workdir / "t.csv").write_text("nope\nx\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["generate", "t.csv", "--debug"])
    assert result.exit_code != 0
    from fbopt.errors import InputError

    assert isinstance(result.exception, InputError)


def test_missing_file(workdir: Path) -> None:
    code, _, err = run("generate", "nope.csv")
    assert code == 2 and "nope.csv" in err and "not found" in err


def test_version_and_help() -> None:
    from fbopt import __version__

    code, out, _ = run("--version")
    assert code == 0 and __version__ in out
    code, out, _ = run("generate", "--help")
    assert code == 0 and "Example" in out and "--output" in out and "Exit status" in out


def test_small_batches_give_same_output(workdir: Path) -> None:
    lines = "".join(f"topic number {i},fans\n" for i in range(25))
    (workdir / "t.csv").write_text("topic,audience\n" + lines, encoding="utf-8")
    run("generate", "t.csv", "-o", "a.jsonl", "-q", "--batch-size", "4")
    run("generate", "t.csv", "-o", "b.jsonl", "-q")
    assert texts(workdir / "a.jsonl") == texts(workdir / "b.jsonl")
    assert len(texts(workdir / "a.jsonl")) == 25


def test_score_columns_on_by_default_and_off_with_no_score(workdir: Path) -> None:
    (workdir / "t.csv").write_text("topic\ncoffee at home\n", encoding="utf-8")
    assert run("generate", "t.csv", "-o", "a.parquet", "-q")[0] == 0
    assert run("generate", "t.csv", "-o", "b.parquet", "-q", "--no-score")[0] == 0
    scored = pq.read_table(workdir / "a.parquet").column_names
    plain = pq.read_table(workdir / "b.parquet").column_names
    assert "overall_quality" in scored and "overall_quality" not in plain
    assert "text" in plain
