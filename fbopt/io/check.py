"""The first pass over an input: every declared column typed and range-checked, and unique
columns (ids) checked for repeats, before a command does any work, so a bad row 900,000 stops the
run before anything is spent or written.

Not for reading formats (fbopt.io.readers) or for rows a stage can skip (the stage says why).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fbopt.errors import InputError
from fbopt.io.schema import Schema

CHECK_BATCH = 65536
# Strings up to this many bytes are hashed with numpy; a batch with a longer one goes through
# hashlib instead, so a 10 MB id never builds a 10-million-entry table of powers.
_VECTOR_MAX = 4096
_PRIME = np.uint64(0x100000001B3)
# Candidate repeats checked by value in one more pass; hash collisions are this rare.
_MAX_CANDIDATES = 100_000

Batches = Iterable[tuple[int, pa.RecordBatch]]


def check_input(schema: Schema, open_batches: Callable[[list[str]], Batches],
                mapping: dict[str, str], path: str) -> int:
    """Validate every batch of the declared columns; returns the number of data rows. Raises
    InputError naming the file, row and column of the first problem."""
    unique = {c.name: mapping[c.name] for c in schema.columns if c.unique and c.name in mapping}
    hashes: dict[str, list[np.ndarray]] = {name: [] for name in unique}
    rows = 0
    for first_row, batch in open_batches(sorted(set(mapping.values()))):
        typed = schema.typed(batch, mapping, path, first_row)
        for name in unique:
            hashes[name].append(string_hashes(effective_ids(typed[name], first_row)))
        rows += batch.num_rows
    if not rows:
        raise InputError("the file has a header but no data rows", path=path,
                         hint="add at least one row")
    for name, column in unique.items():
        found = first_repeat(np.concatenate(hashes.pop(name)),
                             lambda wanted, n=name, c=column: _values_at(
                                 open_batches, schema, {n: c}, path, wanted))
        if found is not None:
            value, first, again = found
            shown = value if len(value) <= 60 else value[:59] + "…"
            numbered = " (an empty id stands for its row number)" if value in (
                str(first), str(again)) else ""
            raise InputError(f"{name} {shown!r} is in row {first} and again in row {again}"
                             + numbered,
                             path=path, row=again, column=column,
                             hint=f"each {name} must be unique: remove or renumber the repeat, "
                                  f"or drop the {name} column to number rows automatically")
    return rows


def effective_ids(ids: pa.Array, first_row: int) -> pa.Array:
    """The id of each row as the command will use it: the value, or the row number if empty."""
    numbers = pa.array(np.arange(first_row, first_row + len(ids)), pa.int64()).cast(pa.string())
    text = ids.cast(pa.string())
    empty = pc.fill_null(pc.equal(text, ""), True)
    return pc.if_else(empty, numbers, text)


def string_hashes(values: pa.Array) -> np.ndarray:
    """A 64-bit hash per string (no nulls), computed over Arrow's buffers without making Python
    strings: a polynomial over the bytes, then the splitmix64 finaliser."""
    values = values.cast(pa.large_string())
    n = len(values)
    if n == 0:
        return np.zeros(0, np.uint64)
    offsets = np.frombuffer(values.buffers()[1], np.int64)[values.offset:values.offset + n + 1]
    lengths = np.diff(offsets)
    if int(lengths.max()) > _VECTOR_MAX:
        return _hashlib_hashes(values)
    data = values.buffers()[2]
    raw = np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8)
    start, end = int(offsets[0]), int(offsets[-1])
    with np.errstate(over="ignore"):
        powers = np.cumprod(np.full(max(int(lengths.max()), 1), _PRIME, np.uint64))
        owner = np.repeat(np.arange(n), lengths)
        from_end = offsets[1:][owner] - 1 - np.arange(start, end)
        terms = (raw[start:end].astype(np.uint64) + np.uint64(1)) * powers[from_end]
        sums = np.zeros(n, np.uint64)
        nonempty = lengths > 0
        if terms.size:
            sums[nonempty] = np.add.reduceat(terms, offsets[:-1][nonempty] - start)
        return _mix(sums ^ (lengths.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)))


def _mix(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _hashlib_hashes(values: pa.Array) -> np.ndarray:
    return np.array([int.from_bytes(hashlib.blake2b(v.encode("utf-8"), digest_size=8).digest(),
                                    "little") for v in values.to_pylist()], np.uint64)


def first_repeat(hashes: np.ndarray, values_at: Callable[[set[int]], dict[int, str]]
                 ) -> tuple[str, int, int] | None:
    """(value, first row, repeat row) of the earliest repeat, or None. Rows with equal hashes
    are compared by value (one more pass), so a hash collision never reports a false repeat."""
    if hashes.size < 2:
        return None
    # A sorted copy and a mask, not an argsort and a permuted copy: memory here grows with the
    # rows of the file, 8 bytes a row fewer this way.
    ordered = np.sort(hashes)
    equal = ordered[1:] == ordered[:-1]
    if not equal.any():
        return None
    repeated = np.unique(ordered[1:][equal])
    del ordered, equal
    members = np.flatnonzero(np.isin(hashes, repeated))[:_MAX_CANDIDATES]
    values = values_at({int(i) + 1 for i in members})
    seen: dict[str, int] = {}
    best: tuple[str, int, int] | None = None
    for row in sorted(values):
        value = values[row]
        if value in seen and (best is None or row < best[2]):
            best = (value, seen[value], row)
        seen.setdefault(value, row)
    return best


def _values_at(open_batches: Callable[[list[str]], Batches], schema: Schema,
               mapping: dict[str, str], path: str, rows: set[int]) -> dict[int, str]:
    """The ids of `rows` (`mapping`: one id column), read again and typed as the first pass
    typed the values it hashed."""
    [(name, column)] = mapping.items()
    found: dict[int, str] = {}
    for first_row, batch in open_batches([column]):
        last = first_row + batch.num_rows
        wanted = [r for r in rows if first_row <= r < last]
        if not wanted:
            continue
        typed = schema.typed(batch, mapping, path, first_row, check=False)[name]
        ids = effective_ids(typed, first_row)
        for row in wanted:
            found[row] = ids[row - first_row].as_py()
    return found

