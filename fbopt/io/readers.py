"""Streaming readers: CSV, TSV, Parquet and JSON Lines as pyarrow record batches of a fixed size.

Not for validation of values (fbopt.io.schema) and never for reading a whole file at once.
CSV text columns are read as strings, so a type is never guessed from the first block.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from fbopt.errors import InputError

FORMATS = {".csv": "csv", ".tsv": "tsv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet",
           ".jsonl": "jsonl", ".ndjson": "jsonl"}
_BOM = codecs.BOM_UTF8
_HEADER_PROBE = 1 << 20
# 1 MiB blocks: larger ones let the threaded reader hold more blocks ahead, and peak memory
# then grows with the file (measured: 4 MiB blocks, 1M topics, 1.6x the 10k peak).
_CSV_BLOCK = 1 << 20
# A row longer than a block cannot be parsed; such a file is read again with blocks up to this
# size, so one huge cell (a pasted document) becomes a row the command can skip, not a failure.
_CSV_MAX_BLOCK = 256 << 20
_ZIP_MAGIC = b"PK\x03\x04"
# Old Mac files end lines with a bare CR; pyarrow reads those too.
_LINE_END = re.compile(rb"\r\n|\n|\r")
# A JSON string escape for half of a UTF-16 surrogate pair, which cannot become UTF-8 text.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]", re.ASCII)


def detect_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"unsupported file type '{path.suffix or '(none)'}'",
            path=path,
            hint="use .csv, .tsv, .parquet or .jsonl",
        )
    return fmt


@dataclass
class BatchReader:
    """Iterate `(first_row, batch)` over a file; `first_row` is the 1-based data row of the
    batch's first row. `columns` is known before the first batch is read. With `select`,
    batches hold only those columns (a cheap first pass over a big file)."""

    path: Path
    batch_size: int = 2048
    format: str = ""
    columns: list[str] = field(default_factory=list)
    rows_read: int = 0
    select: list[str] | None = None

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        if not self.path.exists():
            raise InputError("file not found", path=self.path, hint="check the path")
        if self.path.is_dir():
            raise InputError("is a folder, not a file", path=self.path,
                             hint="name a .csv, .tsv, .parquet or .jsonl file")
        self.format = self.format or detect_format(self.path)
        if self.path.stat().st_size == 0:
            raise InputError("the file is empty", path=self.path,
                             hint="the first line must name the columns")
        self._open = {"csv": self._csv, "tsv": self._csv, "parquet": self._parquet,
                      "jsonl": self._jsonl}[self.format]
        self._batches = self._open()

    def __iter__(self) -> Iterator[tuple[int, pa.RecordBatch]]:
        for batch in _rebatch(self._batches, self.batch_size):
            first = self.rows_read + 1
            self.rows_read += batch.num_rows
            yield first, batch

    # CSV -------------------------------------------------------------------------------------
    def _csv(self) -> Iterator[pa.RecordBatch]:
        delimiter, names = self._csv_header()
        self.columns = names
        return self._csv_batches(delimiter, names)

    def _csv_batches(self, delimiter: str, names: list[str]) -> Iterator[pa.RecordBatch]:
        block, done = _CSV_BLOCK, 0
        while True:
            invalid: list[Any] = []
            try:
                # After a retry, the rows already given out are read again and dropped: counting
                # them is exact, where pyarrow's skip_rows_after_names also counts blank lines.
                for batch in _drop_rows(self._csv_stream(delimiter, names, block, invalid), done):
                    done += batch.num_rows
                    yield batch
                return
            except pa.ArrowInvalid as exc:
                if "straddl" in str(exc) and block < _CSV_MAX_BLOCK:
                    block = min(block * 16, _CSV_MAX_BLOCK)
                    continue
                raise self._csv_error(exc, invalid, delimiter, done) from None
            except UnicodeDecodeError as exc:
                raise self._encoding_error() from exc

    def _csv_stream(self, delimiter: str, names: list[str], block: int,
                    invalid: list[Any]) -> Iterator[pa.RecordBatch]:
        from pyarrow import csv as pacsv

        def on_invalid(row: Any) -> str:
            invalid.append(row)
            return "error"

        # Big blocks only after a huge row; one thread then, so read-ahead stays one block.
        reader_opts = pacsv.ReadOptions(block_size=block, use_threads=block == _CSV_BLOCK)
        parse_opts = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                        invalid_row_handler=on_invalid)
        convert_opts = pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, include_columns=self.select or [],
            strings_can_be_null=False, quoted_strings_can_be_null=False)
        yield from pacsv.open_csv(self.path, read_options=reader_opts, parse_options=parse_opts,
                                  convert_options=convert_opts)

    def _csv_header(self) -> tuple[str, list[str]]:
        with open(self.path, "rb") as fh:
            head = fh.read(_HEADER_PROBE)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise InputError("the file is UTF-16, fbopt reads UTF-8", path=self.path,
                             hint="save it as UTF-8 (Excel: 'CSV UTF-8')")
        head = head[len(_BOM):] if head.startswith(_BOM) else head
        if head.startswith(_ZIP_MAGIC):
            raise InputError("the file is a ZIP archive (an Excel workbook?), not a CSV",
                             path=self.path, hint="save it from your spreadsheet as 'CSV UTF-8'")
        if b"\x00" in head:
            raise InputError("the file contains NUL bytes, so it is not a text CSV",
                             path=self.path,
                             hint="export it from your spreadsheet as 'CSV UTF-8'")
        if not _LINE_END.search(head) and len(head) >= _HEADER_PROBE:
            raise InputError("the first line is longer than 1 MiB, so it cannot be a header",
                             path=self.path, row=0,
                             hint="the first line must name the columns, e.g. topic,audience")
        try:
            first_line = _LINE_END.split(head, 1)[0].decode("utf-8")
        except UnicodeDecodeError:
            raise self._encoding_error() from None
        if not first_line.strip():
            raise InputError("the first line is empty", path=self.path, row=0,
                             hint="the first line must name the columns")
        delimiter = "\t" if self.format == "tsv" else _sniff_delimiter(first_line)
        try:
            names = [n.strip() for n in next(csv.reader(io.StringIO(first_line),
                                                        delimiter=delimiter))]
        except csv.Error as exc:
            raise InputError(f"cannot read the header ({exc})", path=self.path, row=0,
                             hint="the first line must name the columns, e.g. topic,audience"
                             ) from None
        _check_names(names, self.path)
        return delimiter, names

    def _csv_error(self, exc: Exception, invalid: list[Any], delimiter: str,
                   done: int = 0) -> InputError:
        text = str(exc)
        if "UTF8" in text or "utf8" in text.lower():
            return self._encoding_error()
        if "straddl" in text:
            return InputError(f"a row is longer than {_CSV_MAX_BLOCK >> 20} MiB", path=self.path,
                              row=done + 1, hint="check for an unclosed quote, or shorten it")
        if invalid:
            row = invalid[0]
            number = getattr(row, "number", None)
            data_row = (number - 1) if number else _first_ragged_row(self.path, delimiter)
            return InputError(
                f"expected {row.expected_columns} fields, found {row.actual_columns}",
                path=self.path, row=data_row,
                hint="quote values that contain the delimiter or line breaks",
            )
        return InputError(f"cannot parse the CSV: {text.splitlines()[0]}", path=self.path,
                          hint="check the quoting and the delimiter")

    def _encoding_error(self) -> InputError:
        line, offset = _first_invalid_utf8(self.path)
        return InputError(
            f"not valid UTF-8 (first bad byte at offset {offset}, line {line})",
            path=self.path, row=max(line - 1, 0) if self.format != "jsonl" else line,
            hint="save the file as UTF-8, e.g. iconv -f latin1 -t utf-8 in.csv > out.csv",
        )

    # Parquet ---------------------------------------------------------------------------------
    def _parquet(self) -> Iterator[pa.RecordBatch]:
        import pyarrow.parquet as pq

        try:
            pf = pq.ParquetFile(self.path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"not a readable Parquet file ({_short(exc)})", path=self.path,
                             hint="the file may be truncated; write it again") from None
        self.columns = list(pf.schema_arrow.names)
        return self._parquet_batches(pf)

    def _parquet_batches(self, pf: Any) -> Iterator[pa.RecordBatch]:
        try:
            yield from pf.iter_batches(batch_size=self.batch_size, columns=self.select)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"cannot read the Parquet data ({_short(exc)})", path=self.path,
                             hint="the file may be truncated; write it again") from None

    # JSON Lines ------------------------------------------------------------------------------
    def _jsonl(self) -> Iterator[pa.RecordBatch]:
        lines = self._jsonl_records()
        first = next(lines, None)
        if first is None:
            raise InputError("the file has no records", path=self.path,
                             hint="write one JSON object per line")
        self.columns = list(first[1])
        return self._jsonl_batches(first, lines)

    def _jsonl_records(self) -> Iterator[tuple[int, dict[str, Any]]]:
        with open(self.path, encoding="utf-8-sig", errors="strict") as fh:
            try:
                for number, line in enumerate(fh, start=1):
                    if not line.strip():
                        continue
                    yield number, self._parse_json_line(line, number)
            except UnicodeDecodeError:
                raise self._encoding_error() from None

    def _parse_json_line(self, line: str, number: int) -> dict[str, Any]:
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"line {number} is not valid JSON ({exc.msg})", path=self.path,
                             row=number, hint="write one JSON object per line") from None
        except RecursionError:
            raise InputError(f"line {number} is nested too deeply to read", path=self.path,
                             row=number, hint="write one flat JSON object per line") from None
        if not isinstance(record, dict):
            raise InputError(f"line {number} is not a JSON object", path=self.path, row=number,
                             hint="write one JSON object per line")
        if _SURROGATE_ESCAPE.search(line):
            _check_encodable(record, self.path, number)
        return record

    def _jsonl_batches(self, first: tuple[int, dict[str, Any]],
                       rest: Iterator[tuple[int, dict[str, Any]]]) -> Iterator[pa.RecordBatch]:
        names = self.select if self.select is not None else self.columns
        chunk: list[dict[str, Any]] = [first[1]]
        for _, record in rest:
            chunk.append(record)
            if len(chunk) >= self.batch_size:
                yield _records_to_batch(chunk, names)
                chunk = []
        if chunk:
            yield _records_to_batch(chunk, names)


def _check_encodable(record: dict[str, Any], path: Path, number: int) -> None:
    try:
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"line {number} has a \\u escape for half a character (a lone "
                         "surrogate), which is not text", path=path, row=number,
                         hint="write the character itself, or both halves of its \\u pair"
                         ) from None


def _check_names(names: list[str], path: Path) -> None:
    seen: set[str] = set()
    for name in names:
        if name.lower() in seen:
            raise InputError(f"column '{name}' appears twice in the header", path=path,
                             column=name, hint="rename or remove one of them")
        seen.add(name.lower())


def _records_to_batch(records: list[dict[str, Any]], names: list[str]) -> pa.RecordBatch:
    """JSON values become strings (nested ones as JSON), so every batch has the same schema."""
    arrays = [pa.array([_as_text(r.get(n)) for r in records], pa.string()) for n in names]
    return pa.RecordBatch.from_arrays(arrays, names=names)


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    return json.dumps(value, ensure_ascii=False)


def _rebatch(batches: Iterator[pa.RecordBatch], size: int) -> Iterator[pa.RecordBatch]:
    """Re-cut a stream of batches of any size into batches of exactly `size` rows (the last may
    be shorter). Slices are zero-copy; only a batch that spans two source batches is copied."""
    buffer: pa.Table | None = None
    for batch in batches:
        if batch.num_rows == 0:
            continue
        table = pa.Table.from_batches([batch])
        buffer = table if buffer is None else pa.concat_tables([buffer, table])
        while buffer.num_rows >= size:
            yield single_batch(buffer.slice(0, size))
            buffer = buffer.slice(size)
    if buffer is not None and buffer.num_rows:
        yield single_batch(buffer)


def _drop_rows(batches: Iterator[pa.RecordBatch], count: int) -> Iterator[pa.RecordBatch]:
    """`batches` without their first `count` rows."""
    for batch in batches:
        if count >= batch.num_rows:
            count -= batch.num_rows
            continue
        yield batch.slice(count) if count else batch
        count = 0


def single_batch(table: pa.Table) -> pa.RecordBatch:
    """The rows of `table` as one record batch (zero-copy when it has one chunk)."""
    batches = table.combine_chunks().to_batches()
    return batches[0] if len(batches) == 1 else pa.concat_batches(batches)


def _sniff_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] and not counts[","] else ","


def _first_ragged_row(path: Path, delimiter: str) -> int | None:
    """The 1-based data row whose field count differs from the header's (slow path, errors only)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = csv.reader(fh, delimiter=delimiter)
        width = len(next(rows, []))
        for number, fields in enumerate(rows, start=1):
            if fields and len(fields) != width:
                return number
    return None


def _first_invalid_utf8(path: Path) -> tuple[int, int]:
    """(1-based line, byte offset) of the first byte that is not valid UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line, offset = 1, 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 16):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                bad = offset + exc.start
                return line + chunk[: exc.start].count(b"\n"), bad
            line += chunk.count(b"\n")
            offset += len(chunk)
    return line, offset


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:160]
