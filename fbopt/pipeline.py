"""Runs one command's stage over record batches: read, validate, transform, write, report.

Not for any command's logic: a stage declares its input schema and turns a batch into output
rows; the pipeline owns streaming, atomic output, timing and progress.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from fbopt.errors import InputError
from fbopt.io.readers import BatchReader
from fbopt.io.report import RunReport
from fbopt.io.schema import Schema
from fbopt.io.writers import AtomicWriter
from fbopt.progress import Progress, make_progress


class Stage(Protocol):
    """A command's transform. `process` gets the raw batch, its declared columns typed and
    checked, and the 1-based row number of its first row; it returns the output batch (the
    input columns of the rows it keeps, plus its own columns)."""

    name: str
    schema: Schema

    def output_schema(self, input_schema: pa.Schema) -> pa.Schema: ...

    async def process(self, batch: pa.RecordBatch, columns: dict[str, pa.Array],
                      first_row: int) -> pa.RecordBatch: ...

    def metrics(self) -> dict[str, Any]: ...

    async def aclose(self) -> None: ...


@dataclass
class TableReader:
    """A BatchReader over an in-memory Arrow table (the Python API's DataFrame input)."""

    table: pa.Table
    batch_size: int = 2048
    path: str = "<DataFrame>"

    def __post_init__(self) -> None:
        self.columns = list(self.table.schema.names)
        self.rows_read = 0

    def __iter__(self) -> Iterator[tuple[int, pa.RecordBatch]]:
        for batch in self.table.to_batches(max_chunksize=self.batch_size):
            first = self.rows_read + 1
            self.rows_read += batch.num_rows
            yield first, batch


def open_input(source: Any, batch_size: int) -> BatchReader | TableReader:
    """A reader for a path, an Arrow table or a pandas DataFrame."""
    if isinstance(source, (str, Path)):
        return BatchReader(Path(source), batch_size=batch_size)
    if isinstance(source, pa.Table):
        return TableReader(source, batch_size)
    if hasattr(source, "to_dict") and hasattr(source, "columns"):
        return TableReader(pa.Table.from_pandas(source, preserve_index=False), batch_size)
    raise TypeError(f"expected a path, DataFrame or Arrow table, got {type(source).__name__}")


def append_columns(batch: pa.RecordBatch, added: dict[str, pa.Array]) -> pa.RecordBatch:
    """The input columns plus `added`; an input column whose name the command also writes is
    kept as `<name>_input`, so no input value is lost."""
    names = [n + "_input" if n in added else n for n in batch.schema.names]
    arrays = list(batch.columns) + list(added.values())
    return pa.RecordBatch.from_arrays(arrays, names=names + list(added))


class Sink(Protocol):
    def write(self, batch: pa.RecordBatch) -> None: ...


class MemorySink:
    """Collects output batches for the Python API's DataFrame output."""

    def __init__(self) -> None:
        self.batches: list[pa.RecordBatch] = []
        self.rows = 0

    def write(self, batch: pa.RecordBatch) -> None:
        self.batches.append(batch)
        self.rows += batch.num_rows

    def table(self, schema: pa.Schema) -> pa.Table:
        return pa.Table.from_batches(self.batches, schema=self.batches[0].schema
                                     if self.batches else schema)


def run_stage(stage: Stage, source: Any, output: Path | None, report: RunReport, *,
              batch_size: int, progress: bool = False) -> pa.Table | None:
    """Stream `source` through `stage` into `output` (atomically), or into a table when
    `output` is None. Fills `report`; raises FboptError on bad input with nothing written."""
    return asyncio.run(_run_stage(stage, source, output, report, batch_size, progress))


async def _run_stage(stage: Stage, source: Any, output: Path | None, report: RunReport,
                     batch_size: int, progress: bool) -> pa.Table | None:
    reader = open_input(source, batch_size)
    report.input_path = str(reader.path)
    mapping = stage.schema.resolve(reader.columns, str(reader.path))
    bar = make_progress(progress, stage.name)
    try:
        if output is None:
            sink = MemorySink()
            schema = await _pump(stage, reader, mapping, sink, report, bar)
            return sink.table(stage.output_schema(schema))
        report.output_path = str(output)
        with AtomicWriter(output) as writer:
            schema = await _pump(stage, reader, mapping, writer, report, bar)
            with report.stage("write"):
                writer.commit(empty_schema=stage.output_schema(schema))
        return None
    finally:
        bar.close()
        report.metrics.update(stage.metrics())
        await stage.aclose()


async def _pump(stage: Stage, reader: Any, mapping: dict[str, str], sink: Sink,
                report: RunReport, bar: Progress) -> pa.Schema:
    path = str(reader.path)
    batches = iter(reader)
    schema: pa.Schema | None = None
    while True:
        with report.stage("read"):
            item = next(batches, None)
        if item is None:
            break
        first_row, batch = item
        schema = batch.schema
        with report.stage("validate"):
            columns = stage.schema.typed(batch, mapping, path, first_row)
        with report.stage(stage.name):
            out = await stage.process(batch, columns, first_row)
        with report.stage("write"):
            sink.write(out)
        report.rows_in += batch.num_rows
        report.rows_out += out.num_rows
        bar.update(batch.num_rows)
    if schema is None:
        raise InputError("the file has a header but no data rows", path=path,
                         hint="add at least one row")
    return schema
