from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fbopt.errors import InputError
from fbopt.io.readers import BatchReader


def read_all(path: Path, batch_size: int = 3) -> tuple[list[str], list[dict], list[int]]:
    reader = BatchReader(path, batch_size=batch_size)
    rows, firsts = [], []
    for first, batch in reader:
        firsts.append(first)
        assert batch.num_rows <= batch_size
        rows.extend(batch.to_pylist())
    return reader.columns, rows, firsts


def test_csv_batches_cut_at_exact_size(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("topic,n\n" + "".join(f"topic {i},{i}\n" for i in range(10)), encoding="utf-8")
    columns, rows, firsts = read_all(path, batch_size=4)
    assert columns == ["topic", "n"]
    assert [r["topic"] for r in rows] == [f"topic {i}" for i in range(10)]
    assert firsts == [1, 5, 9]
    assert rows[3]["n"] == "3"  # CSV columns stay text; the schema types them


def test_csv_chunk_boundary_many_blocks(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    text = "topic\n" + "".join(f"row {i} {'x' * 200}\n" for i in range(30_000))
    path.write_text(text, encoding="utf-8")  # ~6 MB: several 4 MB pyarrow blocks
    reader = BatchReader(path, batch_size=1000)
    seen = 0
    for first, batch in reader:
        assert first == seen + 1
        assert batch.column(0)[0].as_py().startswith(f"row {seen} ")
        seen += batch.num_rows
    assert seen == 30_000


def test_bom_is_stripped(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbftopic,audience\ncoffee,fans\n")
    columns, rows, _ = read_all(path)
    assert columns == ["topic", "audience"]
    assert rows == [{"topic": "coffee", "audience": "fans"}]


def test_quoted_newlines_and_commas(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text('topic,audience\n"line one\nline two, still",fans\nplain,"a, b"\n',
                    encoding="utf-8")
    _, rows, _ = read_all(path)
    assert rows[0]["topic"] == "line one\nline two, still"
    assert rows[1]["audience"] == "a, b"


def test_semicolon_delimiter_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_text("topic;audience\ncoffee;fans\n", encoding="utf-8")
    columns, rows, _ = read_all(path)
    assert columns == ["topic", "audience"]
    assert rows == [{"topic": "coffee", "audience": "fans"}]


def test_non_utf8_names_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("topic\ncafé\nok\n".encode() + "crème brûlée\n".encode("latin-1"))
    with pytest.raises(InputError) as info:
        read_all(path)
    message = info.value.message()
    assert "not valid UTF-8" in message and "line 4" in message and str(path) in message
    assert "iconv" in message


def test_utf16_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "u16.csv"
    path.write_bytes("topic\ncoffee\n".encode("utf-16"))
    with pytest.raises(InputError, match="UTF-16"):
        BatchReader(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        BatchReader(path)


def test_one_megabyte_cell(tmp_path: Path) -> None:
    path = tmp_path / "big_cell.csv"
    cell = "word " * 220_000
    path.write_text(f'topic,audience\n"{cell}",fans\nsmall,fans\n', encoding="utf-8")
    _, rows, _ = read_all(path)
    assert rows[0]["topic"] == cell and rows[1]["topic"] == "small"


def test_ragged_row_names_row(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("topic,audience\na,b\nc,d,e\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_all(path)
    assert "row 2" in info.value.message() and "fields" in info.value.message()


def test_parquet_streams_batches(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    table = pa.table({"topic": [f"t{i}" for i in range(7)], "variants": list(range(7))})
    pq.write_table(table, path, row_group_size=2)
    columns, rows, firsts = read_all(path, batch_size=3)
    assert columns == ["topic", "variants"]
    assert [r["variants"] for r in rows] == list(range(7))
    assert firsts == [1, 4, 7]


def test_truncated_parquet(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"topic": ["a"] * 100}), path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="Parquet"):
        read_all(path)


def test_jsonl_values_become_text_and_bad_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    lines = [json.dumps({"topic": "a", "variants": 2, "tags": ["x"]}), "",
             json.dumps({"topic": "b", "variants": None})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    columns, rows, _ = read_all(path)
    assert columns == ["topic", "variants", "tags"]
    assert rows[0] == {"topic": "a", "variants": "2", "tags": '["x"]'}
    assert rows[1]["variants"] is None
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"topic": "a"}\n{"topic": \n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_all(bad)
    assert "line 2" in info.value.message() and "row 2" in info.value.message()


def test_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"x")
    with pytest.raises(InputError, match=r"\.xlsx"):
        BatchReader(path)
