"""Atomic, streaming writers: Parquet (one row group per batch), CSV and JSON Lines.

Not for choosing output paths (fbopt.io.paths). A writer writes to a hidden temporary file in
the output's folder and renames it into place only when `commit()` is called; on any failure
the temporary file is removed and nothing appears at the output path.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
from pathlib import Path
from types import TracebackType
from typing import Any

import pyarrow as pa

from fbopt.errors import UsageError
from fbopt.io.atomic import commit, discard, temp_path

OUTPUT_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".jsonl": "jsonl",
                  ".ndjson": "jsonl"}
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def output_format(path: Path) -> str:
    fmt = OUTPUT_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(f"cannot write '{path.suffix or path.name}' files",
                         hint="name the output .parquet, .csv or .jsonl")
    return fmt


class AtomicWriter:
    """`with AtomicWriter(path) as w: w.write(batch) ...; w.commit()`: all or nothing."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.format = output_format(self.path)
        self.rows = 0
        self._tmp: Path | None = None
        self._sink: Any = None
        self._schema: pa.Schema | None = None
        self._committed = False

    def __enter__(self) -> AtomicWriter:
        folder = self.path.parent if str(self.path.parent) else Path(".")
        if not folder.is_dir():
            raise UsageError(f"output folder {folder} does not exist", hint="create it first")
        _sweep_orphans(folder, self.path.name)
        self._tmp = temp_path(self.path)
        return self

    def write(self, batch: pa.RecordBatch) -> None:
        if self._schema is None:
            self._schema = batch.schema
            self._sink = self._open_sink(batch.schema)
        elif batch.schema != self._schema:
            batch = _conform(batch, self._schema)
        if self.format == "parquet":
            self._sink.write_batch(batch)
        elif self.format == "csv":
            self._sink.write_batch(_neutralise_formulas(batch))
        else:
            for record in batch.to_pylist():
                self._sink.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        self.rows += batch.num_rows

    def commit(self, empty_schema: pa.Schema | None = None) -> None:
        """Finish the file and move it into place. With no batch written, `empty_schema` gives
        the columns of an empty output."""
        if self._sink is None:
            self._schema = empty_schema or pa.schema([])
            self._sink = self._open_sink(self._schema)
        self._sink.close()
        self._sink = None
        assert self._tmp is not None
        commit(self._tmp, self.path)
        self._committed = True

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._sink is not None:
            with contextlib.suppress(Exception):
                self._sink.close()
        if not self._committed:
            discard(self._tmp)

    def _open_sink(self, schema: pa.Schema) -> Any:
        assert self._tmp is not None
        if self.format == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetWriter(self._tmp, schema, compression="zstd")
        if self.format == "csv":
            from pyarrow import csv as pacsv

            return pacsv.CSVWriter(self._tmp, _csv_schema(schema))
        return open(self._tmp, "w", encoding="utf-8")


def _sweep_orphans(folder: Path, name: str) -> None:
    """Remove temporary files of `name` whose writing process is gone (killed with SIGKILL or
    by a power cut, so its own cleanup never ran)."""
    prefix = f".{name}."
    for tmp in folder.glob(f".{glob.escape(name)}.*.tmp"):
        pid_text = tmp.name[len(prefix):].split(".", 1)[0]
        if pid_text.isdigit() and not _alive(int(pid_text)):
            with contextlib.suppress(OSError):
                tmp.unlink()


def _alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would end the process there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or we cannot tell: leave its file alone
    return True


def _conform(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """Cast a later batch to the first batch's schema (a column that was all-null, say)."""
    arrays = []
    for field in schema:
        index = batch.schema.get_field_index(field.name)
        column = batch.column(index) if index >= 0 else pa.nulls(batch.num_rows, field.type)
        arrays.append(column.cast(field.type) if column.type != field.type else column)
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _csv_schema(schema: pa.Schema) -> pa.Schema:
    return pa.schema([pa.field(f.name, _csv_type(f.type)) for f in schema])


def _csv_type(kind: pa.DataType) -> pa.DataType:
    nested = pa.types.is_list(kind) or pa.types.is_struct(kind) or pa.types.is_large_list(kind)
    return pa.string() if nested or pa.types.is_large_string(kind) else kind


def _neutralise_formulas(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Spreadsheet programs run a cell that starts with = + - @ as a formula: prefix such text
    cells with an apostrophe. Lists and structs become JSON text."""
    import pyarrow.compute as pc

    arrays = []
    for column in batch.columns:
        if pa.types.is_list(column.type) or pa.types.is_struct(column.type) \
                or pa.types.is_large_list(column.type):
            column = pa.array([None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                               for v in column.to_pylist()], pa.string())
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            column = column.cast(pa.string())
            risky = pc.fill_null(pc.starts_with(column, _FORMULA_PREFIXES[0]), False)
            for prefix in _FORMULA_PREFIXES[1:]:
                risky = pc.or_(risky, pc.fill_null(pc.starts_with(column, prefix), False))
            column = pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)
        arrays.append(column)
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)
