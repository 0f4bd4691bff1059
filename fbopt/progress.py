"""Progress on stderr: a tqdm bar of rows and rows/s, or nothing behind --quiet or a pipe.

Not for logging or the end-of-run summary.
"""

from __future__ import annotations

import sys
from typing import Any, Protocol


class Progress(Protocol):
    def update(self, rows: int) -> None: ...
    def close(self) -> None: ...


class NullProgress:
    def update(self, rows: int) -> None:
        pass

    def close(self) -> None:
        pass


def make_progress(enabled: bool, description: str, total: int | None = None) -> Progress:
    """A tqdm bar on stderr that shows itself only after a second of work, or a null bar when
    disabled or when stderr is not a terminal."""
    if not enabled or not sys.stderr.isatty():
        return NullProgress()
    from tqdm import tqdm

    bar: Any = tqdm(total=total, desc=description, unit="rows", unit_scale=True, file=sys.stderr,
                    delay=1.0, leave=False, dynamic_ncols=True)
    return bar
