"""The one atomic-write helper, and the mode every writer's output gets (issue #17 item 4)."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from fbopt.io.atomic import atomic_path, write_bytes_atomic, write_text_atomic
from fbopt.io.report import RunReport, write_json_atomic
from fbopt.io.writers import AtomicWriter


@pytest.fixture
def umask_027() -> Iterator[int]:
    """An unusual umask, so a mode that is right by accident (0600 or 0644) is caught."""
    before = os.umask(0o027)
    try:
        yield 0o640
    finally:
        os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_gets_the_umask_mode(tmp_path: Path, umask_027: int) -> None:
    target = tmp_path / "a.txt"
    write_text_atomic(target, "hello")
    assert target.read_text(encoding="utf-8") == "hello"
    assert mode(target) == umask_027
    assert list(tmp_path.iterdir()) == [target]


def test_private_mode_on_request(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    write_bytes_atomic(target, b"{}", mode=0o600)
    assert mode(target) == 0o600


def test_failure_removes_the_temp_and_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "model.pt"
    target.write_text("good", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "good"
    assert list(tmp_path.iterdir()) == [target]


def test_temp_file_lies_beside_the_target(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "x.bin"
    target.parent.mkdir()
    with atomic_path(target) as tmp:
        assert tmp.parent == target.parent and tmp.name.startswith(".x.bin.")
        tmp.write_bytes(b"1")
    assert target.read_bytes() == b"1"


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_outputs_get_the_umask_mode(tmp_path: Path, suffix: str, umask_027: int) -> None:
    path = tmp_path / f"out{suffix}"
    with AtomicWriter(path) as writer:
        writer.write(pa.record_batch({"text": ["a", "b"]}))
        writer.commit()
    assert mode(path) == umask_027


def test_reports_get_the_umask_mode(tmp_path: Path, umask_027: int) -> None:
    report = RunReport("generate").finish().write(tmp_path / "r.report.json")
    write_json_atomic(tmp_path / "plain.json", {"a": 1})
    assert mode(report) == umask_027 and mode(tmp_path / "plain.json") == umask_027
    assert json.loads((tmp_path / "plain.json").read_text(encoding="utf-8")) == {"a": 1}


def test_checkpoint_files_stay_private(tmp_path: Path) -> None:
    from fbopt.checkpoint import _write_file

    _write_file(tmp_path / "batch", b"data", durable=True)
    assert mode(tmp_path / "batch") == 0o600
    assert list(tmp_path.iterdir()) == [tmp_path / "batch"]
