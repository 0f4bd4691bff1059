"""The checkpoint folder on its own: batches round-trip, a batch stored for other rows or a
damaged file is done again, a call journal cut short by a kill still loads, two runs cannot share
a checkpoint, --fresh clears it, and old ones are swept."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pyarrow as pa
import pytest

from fbopt.checkpoint import (
    OUTPUT_NEUTRAL,
    CallJournal,
    checkpoints_root,
    input_fingerprint,
    open_checkpoint,
    output_settings,
)
from fbopt.config import load_config
from fbopt.errors import UsageError
from fbopt.providers.base import Completion


def make_input(folder: Path, text: str = "topic\ncoffee\ntea\n") -> Path:
    path = folder / "topics.csv"
    path.write_text(text, encoding="utf-8")
    return path


def open_for(source: Path, output: Path, **kwargs):
    return open_checkpoint("generate", source, output, load_config().values, **kwargs)


def batch(*texts: str) -> pa.RecordBatch:
    return pa.record_batch({"text": pa.array(texts, pa.string())})


def test_batches_round_trip_and_only_for_the_same_rows(tmp_path: Path) -> None:
    source = make_input(tmp_path)
    checkpoint = open_for(source, tmp_path / "out.parquet")
    checkpoint.record(0, 1, 2, batch("a", "b"))
    checkpoint.close()
    again = open_for(source, tmp_path / "out.parquet")
    assert again.resuming and again.done == {0}
    assert again.replay(0, 1, 3) is None  # stored for two input rows, asked for three
    assert again.done == set()  # ... so it is done again
    again.record(0, 1, 2, batch("a", "b"))
    assert again.replay(0, 1, 2).column(0).to_pylist() == ["a", "b"]
    assert again.metrics()["rows_replayed"] == 2
    again.discard()
    assert not again.folder.exists()


def test_a_damaged_batch_file_is_done_again(tmp_path: Path) -> None:
    source = make_input(tmp_path)
    checkpoint = open_for(source, tmp_path / "out.parquet")
    checkpoint.record(0, 1, 2, batch("a", "b"))
    path = next(checkpoint.folder.glob("batch-*.arrow"))
    path.write_bytes(path.read_bytes()[:40])
    assert checkpoint.replay(0, 1, 2) is None and not path.exists()
    checkpoint.close()


def test_journal_survives_a_line_cut_short(tmp_path: Path) -> None:
    journal = CallJournal(tmp_path / "calls.jsonl")
    journal.put("k1", Completion(text="one", cost_usd=0.25))
    journal.put("k2", Completion(error="failed calls are not kept"))
    journal.close()
    with open(tmp_path / "calls.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"k": "k3", "c": {"text": "cut')  # the kill came mid-write
    loaded = CallJournal(tmp_path / "calls.jsonl")
    assert set(loaded.entries) == {"k1"}
    found = loaded.get("k1")
    assert found is not None and found.text == "one" and found.cost_usd == 0.25
    loaded.reset()
    assert not (tmp_path / "calls.jsonl").exists()


def test_key_follows_input_output_and_settings_that_change_output(tmp_path: Path) -> None:
    source = make_input(tmp_path)
    first = open_for(source, tmp_path / "out.parquet")
    first.record(0, 1, 2, batch("a"))
    first.close()
    same = open_for(source, tmp_path / "out.parquet")
    assert same.folder == first.folder
    same.close()
    other_output = open_for(source, tmp_path / "other.parquet")
    assert other_output.folder != first.folder
    other_output.close()
    values = load_config(overrides={"generate.seed": 8}).values
    reseeded = open_checkpoint("generate", source, tmp_path / "out.parquet", values)
    assert reseeded.folder != first.folder
    reseeded.close()
    calmer = load_config(overrides={"llm.concurrency": 2, "llm.max_cost": 5.0}).values
    resumed = open_checkpoint("generate", source, tmp_path / "out.parquet", calmer)
    assert resumed.folder == first.folder  # speed and the spend cap may change on a resume
    resumed.close()
    assert "llm.concurrency" in OUTPUT_NEUTRAL and "generate.seed" in output_settings(values)
    fingerprint = input_fingerprint(source)
    os.utime(source, ns=(fingerprint["mtime_ns"] + 10**9, fingerprint["mtime_ns"] + 10**9))
    touched = open_for(source, tmp_path / "out.parquet")
    assert touched.folder != first.folder
    touched.close()


def test_two_runs_cannot_share_and_fresh_clears(tmp_path: Path) -> None:
    source = make_input(tmp_path)
    holder = open_for(source, tmp_path / "out.parquet")
    holder.record(0, 1, 2, batch("a"))
    with pytest.raises(UsageError, match="still running"):
        open_for(source, tmp_path / "out.parquet")
    with pytest.raises(UsageError, match="--fresh cannot clear"):
        open_for(source, tmp_path / "out.parquet", fresh=True)
    holder.close()
    fresh = open_for(source, tmp_path / "out.parquet", fresh=True)
    assert not fresh.resuming
    fresh.close()
    assert not fresh.folder.exists()  # nothing recorded: nothing left behind


def test_old_checkpoints_are_swept(tmp_path: Path) -> None:
    source = make_input(tmp_path)
    old = open_for(source, tmp_path / "old.parquet")
    old.record(0, 1, 2, batch("a"))
    old.close()
    week_ago = time.time() - 8 * 86400
    for path in [old.folder, *old.folder.iterdir()]:
        os.utime(path, (week_ago, week_ago))
    new = open_for(source, tmp_path / "new.parquet", keep_days=7.0)
    assert not old.folder.exists() and new.folder.parent == checkpoints_root()
    new.close()


def test_no_checkpoint_without_a_file_on_both_ends(tmp_path: Path) -> None:
    source = make_input(tmp_path)
    assert open_for(source, None) is None
    assert open_checkpoint("generate", pa.table({"topic": ["a"]}), tmp_path / "o.parquet",
                           load_config().values) is None
