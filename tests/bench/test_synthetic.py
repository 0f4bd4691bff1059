"""Synthetic benchmark inputs are deterministic, unique per row, and cut user files to size."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from fbopt.bench.synthetic import write_from_file, write_synthetic
from tests.conftest import SAMPLE


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    a = write_synthetic("posts", tmp_path / "a.parquet", 300, seed=3)
    b = write_synthetic("posts", tmp_path / "b.parquet", 300, seed=3)
    assert pq.read_table(a).equals(pq.read_table(b))
    c = write_synthetic("posts", tmp_path / "c.parquet", 300, seed=4)
    assert not pq.read_table(a).equals(pq.read_table(c))


def test_every_row_unique(tmp_path: Path) -> None:
    topics = pq.read_table(write_synthetic("topics", tmp_path / "t.parquet", 5000))
    assert len(set(topics.column("topic").to_pylist())) == 5000
    posts = pq.read_table(write_synthetic("posts", tmp_path / "p.parquet", 5000))
    texts = posts.column("text").to_pylist()
    assert len(set(texts)) == 5000 and all(len(t) > 40 for t in texts)
    assert set(posts.column_names) >= {"text", "page", "created_at", "likes", "shares"}


def test_user_file_repeated_to_size(tmp_path: Path) -> None:
    out = write_from_file(SAMPLE / "topics.csv", tmp_path / "t.parquet", 130, batch_size=16)
    table = pq.read_table(out)
    original = pq.read_table(write_from_file(SAMPLE / "topics.csv", tmp_path / "o.parquet", 10))
    assert table.num_rows == 130
    assert table.column("topic").to_pylist()[:10] == original.column("topic").to_pylist()
