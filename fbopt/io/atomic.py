"""Atomic file writes, the one way fbopt puts a file in place: a hidden temporary file in the
target's folder, flushed to disk, renamed over the target; removed again on any failure.

Not for choosing paths or formats (fbopt.io.paths, fbopt.io.writers). A new file gets the mode
the user's umask gives any new file (0644 under the usual 022), unless the caller asks for a
private one (`mode=0o600`, for state such as checkpoints).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# The mode open() asks for; the kernel takes the umask off it, as for any new file.
_NEW_FILE_MODE = 0o666


def temp_path(target: Path, mode: int | None = None) -> Path:
    """Create an empty temporary file beside `target`, named `.NAME.PID.RANDOM.tmp` (the pid
    lets a later run sweep what a killed one left), and return its path."""
    folder = target.parent if str(target.parent) else Path(".")
    for _ in range(100):
        tmp = folder / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                         _NEW_FILE_MODE if mode is None else mode)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    raise FileExistsError(f"no free temporary name beside {target}")  # pragma: no cover


def commit(tmp: Path, target: Path, *, durable: bool = True) -> None:
    """Move a finished temporary file over `target`. `durable` first flushes the file and
    afterwards the folder to disk, so a power cut cannot leave an empty or missing file."""
    if durable:
        _fsync(tmp, os.O_RDWR)
    os.replace(tmp, target)
    if durable:
        with contextlib.suppress(OSError):  # some filesystems cannot sync a folder
            _fsync(target.parent if str(target.parent) else Path("."), os.O_RDONLY)


def discard(tmp: Path | None) -> None:
    if tmp is not None:
        with contextlib.suppress(OSError):
            tmp.unlink()


@contextmanager
def atomic_path(target: str | Path, *, mode: int | None = None,
                durable: bool = True) -> Iterator[Path]:
    """`with atomic_path(p) as tmp: write tmp`: on a clean exit tmp replaces p, on an
    exception (Ctrl-C included) tmp is removed and p is left as it was."""
    target = Path(target)
    tmp = temp_path(target, mode)
    try:
        yield tmp
        commit(tmp, target, durable=durable)
    except BaseException:
        discard(tmp)
        raise


def write_bytes_atomic(target: str | Path, data: bytes, *, mode: int | None = None,
                       durable: bool = True) -> None:
    with atomic_path(target, mode=mode, durable=durable) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(target: str | Path, text: str, *, mode: int | None = None,
                      durable: bool = True) -> None:
    write_bytes_atomic(target, text.encode("utf-8"), mode=mode, durable=durable)


def _fsync(path: Path, flags: int) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
