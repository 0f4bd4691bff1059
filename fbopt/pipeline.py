"""Runs one command's stage over record batches: read, validate, transform, write, report.

Not for any command's logic: a stage declares its input schema and turns a batch into output
rows; the pipeline owns streaming, atomic output, timing and progress.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from fbopt.analytics import record_run, watch_run
from fbopt.checkpoint import Checkpoint
from fbopt.errors import InputError, Interrupted, UsageError
from fbopt.io.check import CHECK_BATCH, check_input
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
    select: list[str] | None = None

    def __post_init__(self) -> None:
        self.columns = list(self.table.schema.names)
        self.rows_read = 0
        if self.select is not None:
            self.table = self.table.select(self.select)

    def __iter__(self) -> Iterator[tuple[int, pa.RecordBatch]]:
        for batch in self.table.to_batches(max_chunksize=self.batch_size):
            first = self.rows_read + 1
            self.rows_read += batch.num_rows
            yield first, batch


def as_arrow(source: Any) -> Any:
    """A pandas DataFrame as an Arrow table, so a command that reads its input more than once
    (column detection, the first pass, the run) converts it once; any other source as is."""
    if not isinstance(source, (str, Path, pa.Table)) and hasattr(source, "to_dict") \
            and hasattr(source, "columns"):
        return pa.Table.from_pandas(source, preserve_index=False)
    return source


def open_input(source: Any, batch_size: int,
               select: list[str] | None = None) -> BatchReader | TableReader:
    """A reader for a path, an Arrow table or a pandas DataFrame (only `select` columns)."""
    if isinstance(source, (str, Path)):
        return BatchReader(Path(source), batch_size=batch_size, select=select)
    source = as_arrow(source)
    if isinstance(source, pa.Table):
        return TableReader(source, batch_size, select=select)
    raise TypeError(f"expected a path, DataFrame or Arrow table, got {type(source).__name__}")


@dataclass
class RunResult:
    """What a streaming command returns: the output (a path, or a DataFrame for DataFrame input
    with no output path), the report, and the exit status the CLI should use (3 when any row
    failed)."""

    output: Any
    report: RunReport
    report_path: Path | None

    @property
    def exit_code(self) -> int:
        return 3 if self.report.rows_failed else 0


def run_paths(source: Any, output: str | Path | None, report: str | Path | None,
              command: str) -> tuple[Path | None, Path | None]:
    """Output and report paths: as given; else the report beside a given output
    (`out.parquet` -> `out.report.json`); else `<stem>.<command>.parquet` and
    `<stem>.<command>.report.json` here for a file input; else none (DataFrame in and out)."""
    from fbopt.io.paths import default_output, default_report

    is_path = isinstance(source, (str, Path))
    out_path = Path(output) if output else (default_output(source, command) if is_path else None)
    if report:
        rep_path: Path | None = Path(report)
    elif output:
        rep_path = Path(output).with_suffix(".report.json")
    else:
        rep_path = default_report(source, command) if is_path else None
    return out_path, rep_path


def finish_run(run: RunReport, started: float, table: pa.Table | None, out_path: Path | None,
               rep_path: Path | None) -> RunResult:
    """Close the report (posts/s since `started`), write it, and give the command's result:
    the output path, or the collected table as a DataFrame."""
    elapsed = max(time.perf_counter() - started, 1e-9)
    run.metrics["posts_per_second"] = round(run.rows_out / elapsed, 1)
    run.finish()
    record_run(run, table, out_path)  # the run history, alerts, the Pushgateway
    if rep_path is not None:
        run.write(rep_path)
    output: Any = out_path if out_path is not None else table.to_pandas()
    return RunResult(output, run, rep_path)


def schema_with(input_schema: pa.Schema, added: Sequence[pa.Field]) -> pa.Schema:
    """The schema of `append_columns`' result: the input fields, a name the command also writes
    as `<name>_input`, then the `added` fields."""
    names = {f.name for f in added}
    kept = [pa.field(f.name + "_input" if f.name in names else f.name, f.type)
            for f in input_schema]
    return pa.schema(kept + list(added))


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

    def write(self, batch: pa.RecordBatch) -> None:
        self.batches.append(batch)

    def table(self, schema: pa.Schema) -> pa.Table:
        return pa.Table.from_batches(self.batches, schema=self.batches[0].schema
                                     if self.batches else schema)


def resume_checkpoint(command: str, source: Any, output: Path | None, config: Any,
                      dispatcher: Any = None, *, fresh: bool = False,
                      options: dict[str, Any] | None = None) -> Checkpoint | None:
    """The checkpoint a run from a file resumes into, or None (resume.enabled off, or no file).
    A dispatcher with a `journal` attribute keeps its finished calls there too."""
    from fbopt.checkpoint import open_checkpoint

    if not bool(config.get("resume.enabled")):
        return None
    checkpoint = open_checkpoint(command, source, output, config.values, options=options,
                                 fresh=fresh, keep_days=float(config.get("resume.keep_days")))
    if checkpoint is not None and hasattr(dispatcher, "journal"):
        dispatcher.journal = checkpoint.journal
    if checkpoint is not None and hasattr(dispatcher, "ledger"):  # batch mode's submissions
        dispatcher.ledger = checkpoint.batches
    return checkpoint


def run_stage(stage: Stage, source: Any, output: Path | None, report: RunReport, *,
              batch_size: int, progress: bool = False, checkpoint: Checkpoint | None = None,
              validate_first: bool = True) -> pa.Table | None:
    """Stream `source` through `stage` into `output` (atomically), or into a table when
    `output` is None. Fills `report`; raises FboptError on bad input with nothing written.

    `validate_first` checks the whole input (types, ranges, unique ids) before the first batch
    is processed. With a `checkpoint`, batches an earlier run finished are replayed instead of
    processed, each new one is recorded, and the checkpoint goes once the output is committed.
    Ctrl-C and SIGTERM raise Interrupted, with finished batches kept in the checkpoint."""
    stop = _Stop()
    try:
        return asyncio.run(_run_stage(stage, source, output, report, batch_size, progress,
                                      checkpoint, validate_first, stop))
    except (KeyboardInterrupt, asyncio.CancelledError):
        code = 143 if stop.signal == signal.SIGTERM else 130
        kept = f"{stop.committed} was written just before" if stop.committed else _kept(checkpoint)
        raise Interrupted(kept, exit_code=code) from None
    finally:
        if checkpoint is not None:  # also when the input was refused before any batch
            checkpoint.close()


async def _run_stage(stage: Stage, source: Any, output: Path | None, report: RunReport,
                     batch_size: int, progress: bool, checkpoint: Checkpoint | None,
                     validate_first: bool, stop: _Stop) -> pa.Table | None:
    source = as_arrow(source)
    reader = open_input(source, batch_size)
    report.input_path = str(reader.path)
    watch_run(report, stage)  # what --metrics-port shows, read only when scraped
    mapping = stage.schema.resolve(reader.columns, str(reader.path))
    report.note_columns(mapping)
    _check_not_input(source, output)
    if validate_first:
        with report.stage("check"):
            check_input(stage.schema, lambda cols: open_input(source, CHECK_BATCH, cols),
                        mapping, str(reader.path))
    bar = make_progress(progress, stage.name)
    try:
        with stop.sigterm_cancels(asyncio.current_task()):
            if output is None:
                sink = MemorySink()
                schema = await _pump(stage, reader, mapping, sink, report, bar, checkpoint,
                                     not validate_first)
                return sink.table(stage.output_schema(schema))
            report.output_path = str(output)
            with AtomicWriter(output) as writer:
                schema = await _pump(stage, reader, mapping, writer, report, bar, checkpoint,
                                     not validate_first)
                with report.stage("write"):
                    writer.commit(empty_schema=stage.output_schema(schema))
            stop.committed = str(output)
            if checkpoint is not None:
                checkpoint.discard()
            return None
    finally:
        bar.close()
        report.metrics.update(stage.metrics())
        if checkpoint is not None:
            report.metrics["resume"] = checkpoint.metrics()
        await stage.aclose()


async def _pump(stage: Stage, reader: Any, mapping: dict[str, str], sink: Sink,
                report: RunReport, bar: Progress, checkpoint: Checkpoint | None = None,
                check: bool = True) -> pa.Schema:
    """Process every batch; `check` off when the first pass already checked the values."""
    path = str(reader.path)
    batches = iter(reader)
    schema: pa.Schema | None = None
    index = -1
    while True:
        # A stage that computes without awaiting (scoring, the offline composer) never hands
        # the loop a turn; this one lets Ctrl-C's cancellation in between batches.
        await asyncio.sleep(0)
        with report.stage("read"):
            item = next(batches, None)
        if item is None:
            break
        first_row, batch = item
        index += 1
        schema = batch.schema
        out = checkpoint.replay(index, first_row, batch.num_rows) if checkpoint else None
        if out is not None:
            _restore(stage, out)
        else:
            with report.stage("validate"):
                columns = stage.schema.typed(batch, mapping, path, first_row, check=check)
            with report.stage(stage.name):
                out = await stage.process(batch, columns, first_row)
            if checkpoint is not None:
                with report.stage("checkpoint"):
                    checkpoint.record(index, first_row, batch.num_rows, out)
        with report.stage("write"):
            sink.write(out)
        report.rows_in += batch.num_rows
        report.rows_out += out.num_rows
        bar.update(batch.num_rows)
    if schema is None:
        raise InputError("the file has a header but no data rows", path=path,
                         hint="add at least one row")
    return schema


def _restore(stage: Stage, out: pa.RecordBatch) -> None:
    """Let the stage count a replayed batch (statuses, spend) as if it had processed it."""
    restore = getattr(stage, "restore", None)
    if restore is not None:
        restore(out)


def _check_not_input(source: Any, output: Path | None) -> None:
    if output is None or not isinstance(source, (str, Path)) or not Path(output).exists():
        return
    with contextlib.suppress(OSError):
        if Path(output).samefile(source):
            raise UsageError(f"the output {output} is the input file: it would be overwritten",
                             hint="name another output with -o")


def _kept(checkpoint: Checkpoint | None) -> str:
    batches = len(checkpoint.done) if checkpoint else 0
    calls = len(checkpoint.journal.entries) if checkpoint else 0
    if checkpoint is None or not (batches or calls):
        return "nothing was written"
    parts = [_count(batches, "finished batch", "finished batches"),
             _count(calls, "finished call", "finished calls")]
    return (f"{' and '.join(p for p in parts if p)} kept in {checkpoint.folder}; run the same "
            "command again to resume")


def _count(n: int, one: str, many: str) -> str:
    return "" if not n else f"{n} {one if n == 1 else many}"


class _Stop:
    """Which signal stopped the run. SIGTERM (what cron, CI and `timeout` send) cancels the run
    like Ctrl-C does, but only where nobody else has claimed SIGTERM."""

    def __init__(self) -> None:
        self.signal: int | None = None
        self.committed = ""

    @contextlib.contextmanager
    def sigterm_cancels(self, task: asyncio.Task[Any] | None) -> Iterator[None]:
        loop = asyncio.get_running_loop()
        installed = False
        if task is not None and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
                loop.add_signal_handler(signal.SIGTERM, self._cancel, task)
                installed = True
        try:
            yield
        finally:
            if installed:
                loop.remove_signal_handler(signal.SIGTERM)

    def _cancel(self, task: asyncio.Task[Any]) -> None:
        self.signal = signal.SIGTERM
        task.cancel()
