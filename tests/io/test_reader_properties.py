"""Properties of the readers, the whole-input check and the CSV writer, for any content:
reading raises nothing but InputError, well-formed files round-trip exactly, and no CSV cell we
write can start a spreadsheet formula."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow as pa
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fbopt.cli.main import cli
from fbopt.drafts.stage import TOPICS_SCHEMA
from fbopt.errors import InputError
from fbopt.io.check import check_input
from fbopt.io.readers import BatchReader
from fbopt.io.writers import AtomicWriter

SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
# Text that stresses CSV: delimiters, quotes, line ends, BOMs, spaces, NUL, non-ASCII.
tricky = st.text(alphabet=st.sampled_from(list(",;\t|\"'\r\n \x00\ufeff=+-@aZ9é😀\\{}[]:")),
                 max_size=40)


def read_everything(path: Path) -> list[pa.RecordBatch]:
    """Every step a command takes before its stage: open, resolve, check, read, type."""
    reader = BatchReader(path, batch_size=3)
    mapping = TOPICS_SCHEMA.resolve(reader.columns, str(path))
    check_input(TOPICS_SCHEMA, lambda cols: BatchReader(path, 5, select=cols), mapping,
                str(path))
    batches = []
    for first_row, batch in reader:
        TOPICS_SCHEMA.typed(batch, mapping, str(path), first_row)
        batches.append(batch)
    return batches


def only_input_errors(path: Path) -> None:
    try:
        read_everything(path)
    except InputError as exc:
        message = exc.message()
        assert message and "\n" not in message and str(path) in message
    except RecursionError:  # pragma: no cover - would be a bug: say which input
        pytest.fail(f"RecursionError on {path.read_bytes()[:200]!r}")


@SETTINGS
@given(data=st.one_of(st.binary(max_size=300), tricky.map(lambda t: t.encode("utf-8"))),
       suffix=st.sampled_from([".csv", ".tsv", ".jsonl", ".parquet"]))
@example(data=b"topic\n\xff\n", suffix=".csv")
@example(data=b'{"topic": "\\ud800"}\n', suffix=".jsonl")
@example(data=b"topic,variants\nx,1e30\n", suffix=".csv")
def test_any_bytes_raise_only_input_errors(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"in{suffix}"
    path.write_bytes(data)
    only_input_errors(path)


@SETTINGS
@given(header=st.lists(st.sampled_from(["topic", "audience", "variants", "budget", "urgency",
                                        "id", "notes", ""]), min_size=1, max_size=4),
       rows=st.lists(st.lists(tricky, min_size=0, max_size=5), max_size=6))
def test_any_csv_shape_raises_only_input_errors(tmp_path: Path, header: list[str],
                                                rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / "in.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    only_input_errors(path)


cell = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)


@SETTINGS
@given(rows=st.lists(st.tuples(cell, cell), min_size=1, max_size=12))
def test_well_formed_csv_round_trips_exactly(tmp_path: Path, rows: list[tuple[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["topic", "notes"])
    writer.writerows(rows)
    path = tmp_path / "in.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    batches = read_everything(path)
    read = [(r["topic"], r["notes"]) for b in batches for r in b.to_pylist()]
    assert read == rows


json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | cell,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(cell, inner, max_size=3),
    max_leaves=8)


@SETTINGS
@given(lines=st.lists(json_value, min_size=1, max_size=6))
def test_any_json_lines_raise_only_input_errors(tmp_path: Path, lines: list) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(v) + "\n" for v in lines), encoding="utf-8")
    only_input_errors(path)


@SETTINGS
@given(topics=st.lists(cell, min_size=1, max_size=8))
def test_json_lines_topics_round_trip(tmp_path: Path, topics: list[str]) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"topic": t}) + "\n" for t in topics), encoding="utf-8")
    read = [r["topic"] for b in read_everything(path) for r in b.to_pylist()]
    assert read == topics


@SETTINGS
@given(values=st.lists(st.one_of(cell, tricky.filter(lambda t: "\x00" not in t)), min_size=1,
                       max_size=10))
def test_no_csv_cell_we_write_starts_a_formula(tmp_path: Path, values: list[str]) -> None:
    path = tmp_path / "out.csv"
    with AtomicWriter(path) as writer:
        writer.write(pa.record_batch({"text": pa.array(values, pa.string())}))
        writer.commit()
    with path.open(newline="", encoding="utf-8") as fh:
        read = [row[0] for row in list(csv.reader(fh))[1:]]
    assert len(read) == len(values)
    for original, written in zip(values, read, strict=True):
        assert not written.startswith(("=", "+", "-", "@", "\t", "\r"))
        assert written in (original, "'" + original)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=tricky, suffix=st.sampled_from([".csv", ".jsonl"]))
def test_generate_on_any_small_file_is_exit_0_or_2_never_a_traceback(
        tmp_path: Path, text: str, suffix: str) -> None:
    path = tmp_path / f"topics{suffix}"
    path.write_text("topic,audience\n" + text if suffix == ".csv" else text, encoding="utf-8")
    out = tmp_path / "out.parquet"
    out.unlink(missing_ok=True)
    result = CliRunner().invoke(cli, ["generate", str(path), "-o", str(out), "-q",
                                      "--report", str(tmp_path / "r.json")])
    assert result.exit_code in (0, 2), (result.stderr, result.exception)
    if result.exit_code == 2:
        assert len(result.stderr.strip().splitlines()) == 1 and not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
