"""The run report: what a command read and wrote, how long each stage took, its own metrics.

Not for printing progress (fbopt.progress). Written atomically as JSON; `summary()` gives the
few lines the CLI prints to stderr at the end.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from fbopt.io.atomic import write_text_atomic


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB. On Linux from VmHWM, which starts
    afresh at exec; ru_maxrss would carry over the peak of a large parent that started us."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass
class RunReport:
    command: str
    input_path: str | None = None
    output_path: str | None = None
    rows_in: int = 0
    rows_out: int = 0
    rows_failed: int = 0
    metrics: dict[str, Any] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    started_at: str = field(default_factory=_now)
    finished_at: str | None = None
    _t0: float = field(default_factory=time.perf_counter, repr=False)
    wall_seconds: float = 0.0

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Add the time spent inside the block to stage `name` (blocks may repeat per batch)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.stage_seconds[name] = self.stage_seconds.get(name, 0.0) + (
                time.perf_counter() - start)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def note_columns(self, mapping: dict[str, str]) -> None:
        """Say which input column stood in for a declared one under another name (`title` for
        `topic`), so a guess the reader made is never silent. Case alone (`Topic`) is no other
        name."""
        for name, source in mapping.items():
            if source.strip().lower() != name.lower():
                self.note(f"column '{source}' read as '{name}'")

    def finish(self) -> RunReport:
        self.wall_seconds = time.perf_counter() - self._t0
        self.finished_at = _now()
        return self

    def as_dict(self) -> dict[str, Any]:
        from fbopt import __version__

        wall = self.wall_seconds or (time.perf_counter() - self._t0)
        return {
            "command": self.command,
            "fbopt_version": __version__,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "input": self.input_path,
            "output": self.output_path,
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "rows_failed": self.rows_failed,
            "wall_seconds": round(wall, 4),
            "rows_per_second": round(self.rows_out / wall, 2) if wall > 0 else None,
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "stage_seconds": {k: round(v, 4) for k, v in self.stage_seconds.items()},
            "metrics": self.metrics,
            "notes": self.notes,
        }

    def write(self, path: str | Path) -> Path:
        path = Path(path)
        write_json_atomic(path, self.as_dict())
        return path

    def summary(self) -> str:
        data = self.as_dict()
        rate = data["rows_per_second"]
        lines = [
            f"fbopt {self.command}: {self.rows_in} rows in, {self.rows_out} out, "
            f"{self.rows_failed} failed in {data['wall_seconds']:.2f}s"
            + (f" ({rate:,.0f} rows/s)" if rate and rate >= 10 else
               f" ({rate:.2g} rows/s)" if rate else ""),
        ]
        lines += [f"  note: {n}" for n in self.notes]
        if self.output_path:
            lines.append(f"  output: {self.output_path}")
        return "\n".join(lines)


def write_json_atomic(path: Path, data: Any) -> None:
    write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
