"""Default output and report paths: `<input-stem>.<command>.parquet` in the current folder.

Not for opening files.
"""

from __future__ import annotations

from pathlib import Path

_COMPOUND = (".tar.gz",)


def input_stem(path: str | Path) -> str:
    name = Path(path).name
    for suffix in _COMPOUND:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return Path(name).stem or "output"


def default_output(input_path: str | Path, command: str) -> Path:
    return Path.cwd() / f"{input_stem(input_path)}.{command}.parquet"


def default_report(input_path: str | Path, command: str) -> Path:
    return Path.cwd() / f"{input_stem(input_path)}.{command}.report.json"
