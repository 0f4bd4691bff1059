"""Column schemas: what each command reads, with types, defaults and ranges, checked per batch.

Not for reading files (fbopt.io.readers) or for the columns a command adds (its stage
declares those).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from fbopt.errors import InputError

_ARROW_TYPES = {"str": pa.string(), "int": pa.int64(), "float": pa.float64()}
# Every Arrow spelling of text: pandas' default str dtype arrives as large_string and
# ArrowDtype(pa.string_view()) as string_view (pyarrow >= 16 only, hence the getattr).
_TEXT_TESTS = tuple(getattr(pa.types, name) for name in
                    ("is_string", "is_large_string", "is_string_view") if hasattr(pa.types, name))


@dataclass(frozen=True)
class Column:
    """One input column. `aliases` are other names accepted for it (`message` for `text`)."""

    name: str
    type: str = "str"  # "str", "int" or "float"
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    aliases: tuple[str, ...] = ()
    help: str = ""
    # Values must differ between rows (an empty value stands for the row number).
    unique: bool = False

    def range_text(self) -> str:
        lo = "" if self.minimum is None else f"{self.minimum:g}"
        hi = "" if self.maximum is None else f"{self.maximum:g}"
        return f"between {lo} and {hi}" if lo and hi else (f">= {lo}" if lo else f"<= {hi}")


@dataclass(frozen=True)
class Schema:
    """The columns a command reads. Other input columns pass through untouched."""

    command: str
    columns: Sequence[Column] = field(default_factory=tuple)

    def resolve(self, names: Sequence[str], path: str) -> dict[str, str]:
        """Map each declared column to the input column that provides it; raise if a required one
        is missing, naming the columns that are there."""
        lowered = {n.strip().lower(): n for n in names}
        found: dict[str, str] = {}
        for col in self.columns:
            for candidate in (col.name, *col.aliases):
                if candidate.lower() in lowered:
                    found[col.name] = lowered[candidate.lower()]
                    break
            else:
                if col.required:
                    have = ", ".join(names[:12]) + (" ..." if len(names) > 12 else "")
                    raise InputError(
                        f"required column '{col.name}' is missing (found: {have or 'no columns'})",
                        path=path,
                        column=col.name,
                        hint=_missing_hint(col.name, names),
                    )
        return found

    def typed(self, batch: pa.RecordBatch, mapping: dict[str, str], path: str,
              first_row: int, *, check: bool = True) -> dict[str, pa.Array]:
        """The declared columns of `batch`, cast to their types and range-checked.
        `first_row` is the 1-based data row of the batch's first row, for messages. With
        `check` off, the NUL and range checks are skipped: for a batch that a first pass over
        the whole input (fbopt.io.check) has already checked."""
        out: dict[str, pa.Array] = {}
        for col in self.columns:
            source = mapping.get(col.name)
            if source is None:
                continue
            array = batch.column(batch.schema.get_field_index(source))
            out[col.name] = _cast(col, array, path, first_row, source, check)
        return out


def _cast(col: Column, array: pa.Array, path: str, first_row: int, source: str,
          check: bool = True) -> pa.Array:
    target = _ARROW_TYPES[col.type]
    text = _trimmed_text(array)
    if text is not None:
        array = text
        if check:
            _check_no_nul(array, path, first_row, source)
        if col.type != "str":
            array = pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)
    elif pa.types.is_dictionary(array.type):
        # A Categorical of numbers: plain values, so a failed cast can name the bad one.
        array = array.dictionary_decode()
    if array.type != target:
        try:
            array = array.cast(target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            bad = _first_bad(array, target)
            raise InputError(
                f"expected {'a number' if col.type != 'str' else 'text'}, got {bad[1]!r}",
                path=path, row=first_row + bad[0], column=source,
                hint=f"'{col.name}' must be {_kind_text(col.type)} or empty",
            ) from None
    if check and col.type != "str" and (col.minimum is not None or col.maximum is not None):
        _check_range(col, array, path, first_row, source)
    return array


def _trimmed_text(array: pa.Array) -> pa.Array | None:
    """Any text column (string, large_string, string_view, or a dictionary of those: a pandas
    Categorical or a Parquet column written from one) as trimmed pa.string(); None for others.
    A dictionary is trimmed once per distinct value, then spelled out row by row, so the rows
    come out exactly as a plain column's would without an untrimmed dense copy in between."""
    if pa.types.is_dictionary(array.type):
        values = _trimmed_text(array.dictionary)
        return None if values is None else pc.take(values, array.indices)
    if any(test(array.type) for test in _TEXT_TESTS):
        return pc.utf8_trim_whitespace(array.cast(pa.string()))
    return None


def _missing_hint(name: str, names: Sequence[str]) -> str:
    """Say so when one long header name looks like a whole delimited header line."""
    if len(names) == 1:
        odd = [c for c in ":/~^ " if c in names[0] and name in names[0].lower()]
        if odd:
            return (f"the header looks separated by {odd[0]!r}; fbopt reads columns separated "
                    "by comma, semicolon, tab or |")
    return f"add a '{name}' column or rename one to '{name}'"


def _kind_text(kind: str) -> str:
    return {"int": "an integer", "float": "a number"}.get(kind, "text")


def _check_no_nul(array: pa.Array, path: str, first_row: int, source: str) -> None:
    has_nul = pc.fill_null(pc.match_substring(array, "\x00"), False)
    if pc.any(has_nul).as_py():
        raise InputError("the value contains a NUL byte", path=path,
                         row=first_row + pc.index(has_nul, True).as_py(), column=source,
                         hint="remove control characters, or export the file again as UTF-8 text")


def _first_bad(array: pa.Array, target: pa.DataType) -> tuple[int, Any]:
    """The first value Arrow cannot cast, found one value at a time (only on the error path),
    so what is named is exactly what failed: '1.5' or 1e20 for an integer, 'two', 'nan'."""
    for i, value in enumerate(array.to_pylist()):
        if value is None:
            continue
        try:
            pa.array([value], array.type).cast(target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            return i, value
    return 0, array[0].as_py() if len(array) else None


def _check_range(col: Column, array: pa.Array, path: str, first_row: int, source: str) -> None:
    bad = pc.is_nan(array) if pa.types.is_floating(array.type) else pa.array([False] * len(array))
    if col.minimum is not None:
        bad = pc.or_(bad, pc.less(array, col.minimum))
    if col.maximum is not None:
        bad = pc.or_(bad, pc.greater(array, col.maximum))
    bad = pc.fill_null(bad, False)
    if pc.any(bad).as_py():
        index = pc.index(bad, True).as_py()
        value = array[index].as_py()
        raise InputError(
            f"{value!r} is out of range",
            path=path, row=first_row + index, column=source,
            hint=f"'{col.name}' must be {col.range_text()}",
        )
