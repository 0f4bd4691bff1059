"""Hostile input through `fbopt generate`: the corpus in tests/data/hostile/ plus big files made
here (a 10 MB cell, a million empty topics, a 1 MiB header). Each bad file gives exit status 2
and one line naming the file, the problem and the fix, with nothing written; each row that can
be skipped becomes a row with status=skipped and an error, and the rest is written."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from fbopt.cli.main import cli

CORPUS = Path(__file__).resolve().parent.parent / "data" / "hostile"

# file -> what the one error line must say
REJECTED = {
    "empty.csv": "the file is empty",
    "header_only.csv": "no data rows",
    "missing_topic_column.csv": "column 'topic': required column 'topic' is missing",
    "colon_delimited.csv": "separated by ':'",
    "ragged_row.csv": "row 2: expected 2 fields, found 3",
    "rows_use_semicolons.csv": "row 1: expected 2 fields, found 1",
    "unclosed_quote.csv": "expected 2 fields, found 1",
    "latin1.csv": "row 2: not valid UTF-8",
    "utf16.csv": "UTF-16",
    "nul_bytes.csv": "NUL bytes",
    "nul_escape.jsonl": "row 1, column 'topic': the value contains a NUL byte",
    "duplicate_header.csv": "column 'Topic' appears twice",
    "duplicate_ids.csv": "row 3, column 'id': id 'p1' is in row 1 and again in row 3",
    "empty_id_clashes.csv": "id '2' is in row 1 and again in row 2 (an empty id stands",
    "budget_negative.csv": "row 2, column 'budget': -1.0 is out of range",
    "urgency_seven.csv": "row 1, column 'urgency': 7.0 is out of range",
    "variants_zero.csv": "row 1, column 'variants': 0 is out of range",
    "variants_text.csv": "column 'variants': expected a number, got 'two'",
    "variants_fraction.csv": "got '1.5'",
    "variants_overflow.csv": "got '99999999999999999999'",
    "quality_nan.csv": "column 'quality_requirement': nan is out of range",
    "urgency_inf.jsonl": "column 'urgency': inf is out of range",
    "bad_line.jsonl": "row 2: line 2 is not valid JSON",
    "not_an_object.jsonl": "line 2 is not a JSON object",
    "blank_lines_only.jsonl": "no records",
    "deep_nesting.jsonl": "nested too deeply",
    "lone_surrogate.jsonl": "lone surrogate",
    "latin1.jsonl": "not valid UTF-8",
    "workbook_saved_as.csv": "ZIP archive",
    "topics.xlsx": "unsupported file type '.xlsx'",
    "blank_first_line.csv": "the first line is empty",
    "whitespace_only.csv": "the first line is empty",
    "truncated.parquet": "not a readable Parquet file",
    "csv_renamed.parquet": "not a readable Parquet file",
    "no_rows.parquet": "no data rows",
    "list_topic.parquet": "column 'topic': expected text",
}


def generate(*args: str):
    return CliRunner().invoke(cli, ["generate", *args])


def assert_one_line_and_nothing_written(result, folder: Path, name: str, expected: str,
                                        keep: list[str]) -> None:
    assert result.exit_code == 2, (result.stderr, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith(f"error: {name}") and expected in line, line
    assert line.endswith(")"), line  # every message ends with how to fix it
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == sorted(keep)


def test_the_corpus_is_big_enough():
    assert len(REJECTED) >= 30
    assert set(REJECTED) <= {p.name for p in CORPUS.iterdir()}


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_bad_file_is_exit_2_one_line_nothing_written(workdir: Path, isolated_home: Path,
                                                     name: str) -> None:
    shutil.copy(CORPUS / name, workdir / name)
    result = generate(name, "-o", "out.csv")
    assert_one_line_and_nothing_written(result, workdir, name, REJECTED[name], [name])
    checkpoints = isolated_home / "checkpoints"
    assert not checkpoints.exists() or not list(checkpoints.iterdir())  # no empty checkpoint


def test_made_here_bad_files(workdir: Path) -> None:
    (workdir / "long_header.csv").write_text("topic" + "x" * (1 << 20) + ",b\n1,2\n")
    (workdir / "folder.csv").mkdir()
    cases = {"long_header.csv": "longer than 1 MiB", "folder.csv": "is a folder",
             "missing.csv": "file not found"}
    for name, expected in cases.items():
        result = generate(name, "-o", "out.parquet")
        assert_one_line_and_nothing_written(result, workdir, name, expected,
                                            ["folder.csv", "long_header.csv"])


def test_output_that_is_the_input_is_refused(workdir: Path) -> None:
    shutil.copy(CORPUS / "bom_crlf.csv", workdir / "t.csv")
    result = generate("t.csv", "-o", "t.csv")
    assert_one_line_and_nothing_written(result, workdir, "the output t.csv",
                                        "would be overwritten", ["t.csv"])
    assert (workdir / "t.csv").read_bytes() == (CORPUS / "bom_crlf.csv").read_bytes()


def run_ok(workdir: Path, name: str, output: str = "out.parquet") -> list[dict]:
    if (CORPUS / name).exists():
        shutil.copy(CORPUS / name, workdir / name)
    result = generate(name, "-o", output, "-q")
    assert result.exit_code == 0, (result.stderr, result.exception)
    if output.endswith(".csv"):
        with (workdir / output).open(newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    return pq.read_table(workdir / output).to_pylist()


def test_formula_cells_are_neutralised_in_csv_output(workdir: Path) -> None:
    rows = run_ok(workdir, "formula_cells.csv", "out.csv")
    assert [r["status"] for r in rows] == ["ok"] * 4
    assert rows[0]["topic"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["audience"] == "'=HYPERLINK(\"http://x\")"
    assert rows[1]["audience"] == "'@everyone" and rows[2]["audience"] == "'-=evil"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    # Parquet keeps the values as they were: only spreadsheets run formulas.
    assert run_ok(workdir, "formula_cells.csv")[0]["topic"] == "=cmd|' /C calc'!A0"


@pytest.mark.parametrize(("name", "statuses", "error"), [
    ("some_empty_topics.csv", ["ok", "skipped", "skipped", "ok"], "the topic is empty"),
    ("long_topic.csv", ["ok", "skipped", "ok"], "the topic is 3599 characters; the limit is 2000"),
    ("long_audience.csv", ["skipped", "ok"], "the audience is 500 characters; the limit is 200"),
    ("control_characters.csv", ["ok", "ok"], None),
    ("cr_line_endings.csv", ["ok", "ok"], None),
    ("bom_crlf.csv", ["ok"], None),
    ("nested_json_values.jsonl", ["ok"], None),
])
def test_rows_that_can_be_skipped_are_and_the_rest_is_written(workdir, name, statuses, error):
    rows = run_ok(workdir, name)
    assert [r["status"] for r in rows] == statuses
    for row in rows:
        if row["status"] == "skipped":
            assert error in row["error"] and row["text"] is None and row["provider"] is None
        else:
            assert row["text"] and row["error"] is None
    assert "topic" in rows[0]  # the BOM is not part of the first column's name


def test_ten_megabyte_cells(workdir: Path) -> None:
    big = "espresso " * (10_000_000 // 9)
    (workdir / "big_topic.csv").write_text(f"id,topic\nb1,Coffee at home\nb2,\"{big}\"\nb3,Tea\n")
    rows = run_ok(workdir, "big_topic.csv")
    assert [r["status"] for r in rows] == ["ok", "skipped", "ok"]
    assert rows[1]["error"].startswith("the topic is 99999") and len(rows[1]["topic"]) > 9e6
    (workdir / "big_notes.jsonl").write_text(
        json.dumps({"topic": "Coffee at home", "notes": "x" * 10_000_000}) + "\n"
        + json.dumps({"topic": "Tea time", "notes": "short"}) + "\n")
    rows = run_ok(workdir, "big_notes.jsonl", "notes.parquet")
    assert [r["status"] for r in rows] == ["ok", "ok"] and len(rows[0]["notes"]) == 10_000_000


def test_a_million_empty_topics_are_skipped_cheaply(workdir: Path) -> None:
    with (workdir / "empty_topics.csv").open("w") as fh:
        fh.write("id,topic\n")
        fh.writelines(f"{i},\n" for i in range(1_000_000))
    result = generate("empty_topics.csv", "-o", "out.parquet", "-q")
    assert result.exit_code == 0, result.stderr
    table = pq.read_table(workdir / "out.parquet", columns=["status", "topic_id"])
    assert table.num_rows == 1_000_000
    assert pc.all(pc.equal(table["status"], "skipped")).as_py()
    assert table["topic_id"][999_999].as_py() == "999999"
    report = json.loads((workdir / "out.report.json").read_text())
    assert report["metrics"]["posts_by_status"] == {"skipped": 1_000_000}
    assert report["metrics"]["llm"]["calls"] == 0
