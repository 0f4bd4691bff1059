"""Resumable runs: each finished output batch and each finished provider call of a command, kept
under FBOPT_HOME/checkpoints until the output is committed, so a killed run resumes where it was.

Not for deciding what to compute (the stage) or for the output file (fbopt.io.writers): the
pipeline records and replays batches, the dispatcher records and replays calls.

Layout of one checkpoint folder (named by a hash of the command, the input's fingerprint, the
output path and every setting that changes the output):

    meta.json             what the key was made of, for people
    lock                  flock'd while a run uses the folder
    batch-000000012.arrow one Arrow IPC file per finished input batch (written, fsync'd, renamed)
    calls.jsonl           provider answers of the batch in progress, one line each
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import pyarrow as pa

from fbopt.cache import canonical_hash
from fbopt.errors import UsageError
from fbopt.io.atomic import write_bytes_atomic
from fbopt.io.readers import single_batch
from fbopt.providers.base import Completion

# Part of every checkpoint's key: bump it when a command's output columns change, so a run
# started by an older fbopt starts over instead of replaying batches of another shape
# (2: grammar_issues gained `rule`).
CHECKPOINT_FORMAT = 2
_PROBE = 1 << 20
_BATCH_PREFIX = "batch-"
_COMPLETION_FIELDS = {f.name for f in fields(Completion)}

# Settings that change how fast or how safely a run goes, never what it writes: a resumed run
# may change them (lower the concurrency after a 429 storm, raise --max-cost) and keep its work.
# --max-cost is here because the spend before the restart is booked against the new cap.
OUTPUT_NEUTRAL = frozenset({
    "run.progress", "run.validate_first", "llm.concurrency", "llm.timeout", "llm.max_attempts",
    "llm.retry_base_delay", "llm.retry_max_delay", "llm.retry_after_max", "llm.max_cost",
    "cache.enabled", "cache.dir", "cache.memory_items", "cache.ttl_days", "resume.enabled",
    "resume.keep_days", "run.jobs", "run.backend", "run.scheduler", "cache.url",
    "llm.batch_wait", "llm.batch_poll", "llm.batch_poll_max", "llm.batch_no_wait",
})


def input_fingerprint(path: Path) -> dict[str, Any]:
    """Cheap and sure enough: size, mtime and a hash of the first and last MiB. Any edit changes
    the mtime, so a checkpoint is never replayed into a changed file."""
    stat = path.stat()
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        digest.update(fh.read(_PROBE))
        if stat.st_size > _PROBE:
            fh.seek(max(stat.st_size - _PROBE, _PROBE))
            digest.update(fh.read(_PROBE))
    return {"path": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
            "head_tail": digest.hexdigest()}


def output_settings(values: Mapping[str, Any]) -> dict[str, Any]:
    """The settings that change what a run writes (see OUTPUT_NEUTRAL)."""
    return {k: v for k, v in sorted(values.items()) if k not in OUTPUT_NEUTRAL}


def checkpoints_root() -> Path:
    from fbopt.home import fbopt_home

    return fbopt_home() / "checkpoints"


class CallJournal:
    """Provider answers of the batch in progress, appended one JSON line per finished call, so
    a call whose answer arrived before a kill is never paid for twice. A write() reaches the
    OS before the next call starts, which survives the process being killed; the file is
    truncated once its batch is in the checkpoint."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, dict[str, Any]] = {}
        self.replayed = 0
        self._fd: int | None = None
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            with contextlib.suppress(ValueError, TypeError, KeyError):
                record = json.loads(line)  # a line cut short by the kill is skipped
                value = {k: v for k, v in record["c"].items() if k in _COMPLETION_FIELDS}
                self.entries[str(record["k"])] = value

    def get(self, key: str) -> Completion | None:
        value = self.entries.get(key)
        if value is None:
            return None
        self.replayed += 1
        return Completion(**value)

    def put(self, key: str, completion: Completion) -> None:
        if not completion.ok:  # a failed call is tried again after a restart
            return
        value = asdict(completion)
        self.entries[key] = value
        line = json.dumps({"k": key, "c": value}, ensure_ascii=False) + "\n"
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.write(self._fd, line.encode("utf-8"))

    def reset(self) -> None:
        had_file = self._fd is not None or bool(self.entries)
        self.close()
        self.entries.clear()
        if had_file:
            self.path.unlink(missing_ok=True)

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


class BatchLedger:
    """Provider batches this run submitted (submission key -> provider and batch id), written
    before the submit call returns to the caller, so a run killed after submitting polls the
    same batch when started again and never submits it twice."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, dict[str, Any]] = {}
        with contextlib.suppress(OSError, ValueError):
            self.entries = dict(json.loads(self.path.read_text(encoding="utf-8")))

    def get(self, key: str) -> dict[str, Any] | None:
        return self.entries.get(key)

    def put(self, key: str, provider: str, batch_id: str, requests: int) -> None:
        self.entries[key] = {"provider": provider, "id": batch_id, "requests": requests}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _write_file(self.path, json.dumps(self.entries, indent=1).encode("utf-8"), durable=True)


class Checkpoint:
    """One run's checkpoint folder. `replay(i, ...)` gives batch i's stored output (or None),
    `record(i, ...)` stores it; `discard()` after the output is committed."""

    def __init__(self, folder: Path, meta: dict[str, Any]) -> None:
        self.folder = folder
        self.meta = meta
        self.rows_replayed = 0
        self.batches_replayed = 0
        self.batches_recorded = 0
        self._lock_fd: int | None = None
        self._lock()
        self._write_meta()
        for stale in folder.glob("*.tmp"):
            stale.unlink(missing_ok=True)
        self.done = {_batch_index(p) for p in folder.glob(f"{_BATCH_PREFIX}*.arrow")}
        self.journal = CallJournal(folder / "calls.jsonl")
        self.batches = BatchLedger(folder / "batches.json")

    @property
    def resuming(self) -> bool:
        return bool(self.done or self.journal.entries or self.batches.entries)

    def _lock(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder / "lock", os.O_RDWR | os.O_CREAT, 0o600)
        if not _try_flock(fd):
            os.close(fd)
            raise UsageError("another fbopt run with the same input, output and settings is "
                             "still running", hint="wait for it to finish, or write to another "
                             "output with -o")
        self._lock_fd = fd

    def _write_meta(self) -> None:
        path = self.folder / "meta.json"
        if not path.exists():
            _write_file(path, json.dumps(self.meta, indent=2, default=str).encode("utf-8"))

    def _path(self, index: int) -> Path:
        return self.folder / f"{_BATCH_PREFIX}{index:09d}.arrow"

    def replay(self, index: int, first_row: int, rows_in: int) -> pa.RecordBatch | None:
        """Batch `index`'s stored output, if it was stored for the same input rows."""
        if index not in self.done:
            return None
        try:
            reader = pa.ipc.open_file(pa.py_buffer(self._path(index).read_bytes()))
            meta = reader.schema.metadata or {}
            if (int(meta.get(b"first_row", -1)) != first_row
                    or int(meta.get(b"rows_in", -1)) != rows_in):
                raise ValueError("stored for other rows")
            table = reader.read_all().replace_schema_metadata(None)
        except (OSError, ValueError, pa.ArrowException):
            # Unreadable or not ours: do the batch again rather than trust it.
            self.done.discard(index)
            self._path(index).unlink(missing_ok=True)
            return None
        out = single_batch(table)
        self.batches_replayed += 1
        self.rows_replayed += out.num_rows
        return out

    def record(self, index: int, first_row: int, rows_in: int, batch: pa.RecordBatch) -> None:
        """Store batch `index`'s output, then forget the calls that made it. A batch that
        holds paid calls is fsync'd (it survives a power cut); one made without any (offline,
        skipped rows, cache hits) is only renamed into place, which survives a kill, and
        costs nothing but time to make again."""
        tagged = batch.replace_schema_metadata(
            {"first_row": str(first_row), "rows_in": str(rows_in)})
        sink = pa.BufferOutputStream()
        options = pa.ipc.IpcWriteOptions(compression="lz4")  # 2x faster than zstd here
        with pa.ipc.new_file(sink, tagged.schema, options=options) as writer:
            writer.write_batch(tagged)
        _write_file(self._path(index), sink.getvalue().to_pybytes(),
                    durable=bool(self.journal.entries))
        self.done.add(index)
        self.batches_recorded += 1
        self.journal.reset()

    def metrics(self) -> dict[str, Any]:
        return {"checkpoint": str(self.folder), "batches_replayed": self.batches_replayed,
                "rows_replayed": self.rows_replayed, "calls_replayed": self.journal.replayed}

    def discard(self) -> None:
        """The output is committed: the checkpoint has done its job."""
        self.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def close(self) -> None:
        """Release the lock; a checkpoint that holds no work is removed."""
        self.journal.close()
        if not self.done and not self.journal.path.exists() and not self.batches.entries:
            shutil.rmtree(self.folder, ignore_errors=True)
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            os.close(fd)


def open_checkpoint(command: str, source: Any, output: Path | None, settings: Mapping[str, Any],
                    *, options: Mapping[str, Any] | None = None, fresh: bool = False,
                    keep_days: float = 7.0) -> Checkpoint | None:
    """The checkpoint for this run, or None when there is nothing to resume into (DataFrame
    input or output). `fresh` throws away what an earlier run left."""
    if output is None or not isinstance(source, (str, Path)) or not Path(source).is_file():
        return None
    root = checkpoints_root()
    sweep_stale(root, keep_days)
    meta = {"format": CHECKPOINT_FORMAT, "command": command,
            "input": input_fingerprint(Path(source)), "output": str(Path(output).resolve()),
            "options": dict(options or {}), "settings": output_settings(settings)}
    key = canonical_hash(meta)
    folder = root / f"{command}-{key[:24]}"
    if fresh and folder.exists() and not _remove_unlocked(folder):
        raise UsageError("another fbopt run is using this checkpoint, so --fresh cannot clear it",
                         hint="wait for the other run to finish")
    meta["created_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    return Checkpoint(folder, meta)


def sweep_stale(root: Path, keep_days: float) -> None:
    """Remove checkpoints nobody has touched for `keep_days` (runs whose input changed)."""
    if keep_days <= 0 or not root.is_dir():
        return
    cutoff = time.time() - keep_days * 86400.0
    for folder in root.iterdir():
        with contextlib.suppress(OSError):
            newest = max((p.stat().st_mtime for p in _files(folder)), default=0.0)
            if folder.is_dir() and newest < cutoff:
                _remove_unlocked(folder)


def _files(folder: Path) -> Iterator[Path]:
    yield folder
    yield from folder.iterdir()


def _remove_unlocked(folder: Path) -> bool:
    """Delete `folder` unless a running fbopt holds its lock; False when one does."""
    if not folder.is_dir():
        return True
    fd = os.open(folder / "lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if not _try_flock(fd):
            return False
        shutil.rmtree(folder, ignore_errors=True)
        return True
    finally:
        os.close(fd)


def _try_flock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks, one run at a time
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _write_file(path: Path, data: bytes, *, durable: bool = False) -> None:
    """Write to a temporary name and rename: a kill at any point leaves the whole file or none.
    `durable` adds fsync of the file and the folder, so a power cut cannot lose it either."""
    write_bytes_atomic(path, data, mode=0o600, durable=durable)


def _batch_index(path: Path) -> int:
    return int(path.stem[len(_BATCH_PREFIX):])
