from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fbopt.io.writers import AtomicWriter


def batch(n: int, start: int = 0) -> pa.RecordBatch:
    return pa.record_batch({"text": [f"post {i}" for i in range(start, start + n)],
                            "n": list(range(start, start + n))})


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_commit_writes_all_batches(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"out{suffix}"
    with AtomicWriter(path) as writer:
        writer.write(batch(3))
        writer.write(batch(2, start=3))
        writer.commit()
    assert writer.rows == 5
    if suffix == ".parquet":
        table = pq.read_table(path)
        assert pq.ParquetFile(path).num_row_groups == 2
        assert table.column("n").to_pylist() == [0, 1, 2, 3, 4]
    elif suffix == ".csv":
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0] == '"text","n"' and len(lines) == 6
    else:
        records = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
        assert records[4] == {"text": "post 4", "n": 4}
    assert list(tmp_path.iterdir()) == [path]


def test_failure_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    with pytest.raises(RuntimeError):
        with AtomicWriter(path) as writer:
            writer.write(batch(3))
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_existing_output_survives_a_failed_run(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with AtomicWriter(path) as writer:
            writer.write(batch(3))
            raise RuntimeError("boom")
    assert path.read_text(encoding="utf-8") == "old"


def test_csv_neutralises_formulas(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    data = pa.record_batch({"text": ["=cmd|' /C calc'!A0", "+1", "@SUM(A1)", "-2", "fine"],
                            "n": [-1, 2, 3, 4, 5]})
    with AtomicWriter(path) as writer:
        writer.write(data)
        writer.commit()
    body = path.read_text(encoding="utf-8")
    assert "\"'=cmd|' /C calc'!A0\"" in body and "\"'+1\"" in body and "\"'@SUM(A1)\"" in body
    assert "\"'-2\"" in body and '"fine"' in body
    assert "\n-1\n" not in body and '"fine",5' in body  # numbers are not text cells


def test_unknown_output_format(tmp_path: Path) -> None:
    from fbopt.errors import UsageError

    with pytest.raises(UsageError, match="parquet"):
        AtomicWriter(tmp_path / "out.xlsx")
