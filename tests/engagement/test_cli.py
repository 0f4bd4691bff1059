"""`fbopt learn` and `fbopt predict` on the command line: outputs read back, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import torch
from click.testing import CliRunner

from fbopt.cli.main import cli

from .conftest import SAMPLE_POSTS, TINY


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def tiny_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in TINY.items():
        monkeypatch.setenv("FBOPT_" + key.upper().replace(".", "_"), str(value))


def test_learn_then_predict_from_the_command_line(workdir: Path, isolated_home: Path,
                                                  tiny_env: None) -> None:
    code, _, err = run("learn", str(SAMPLE_POSTS), "-q")
    assert code == 0, err
    assert (isolated_home / "models" / "engagement.pt").is_file()
    report = json.loads((workdir / "posts.learn.report.json").read_text())
    assert report["command"] == "learn" and (workdir / "posts.learn.png").is_file()
    code, _, err = run("predict", str(SAMPLE_POSTS), "--recommendations", "2")
    assert code == 0, err
    table = pq.read_table(workdir / "posts.predict.parquet").to_pandas()
    assert len(table) == 210 and table["predicted_engagement"].notna().all()
    assert table["recommendations"].map(len).max() <= 2
    assert "post_id" in table.columns  # every input column is kept
    assert "fbopt predict: 210 rows in" in err


def test_predict_without_a_model_says_how_to_get_one(workdir: Path) -> None:
    code, _, err = run("predict", str(SAMPLE_POSTS))
    assert code == 2
    assert "no engagement model" in err and "fbopt learn" in err
    assert not (workdir / "posts.predict.parquet").exists()


def test_learn_without_outcomes_or_with_a_bad_target_is_exit_2(workdir: Path) -> None:
    (workdir / "drafts.csv").write_text("text\nhello\nworld\n")
    code, _, err = run("learn", str(workdir / "drafts.csv"))
    assert code == 2 and "no outcome columns" in err and "--target" in err
    code, _, err = run("learn", str(SAMPLE_POSTS), "--target", "likes+views")
    assert code == 2 and "--target 'views'" in err


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_asking_for_cuda_without_it_is_a_config_error(workdir: Path) -> None:
    code, _, err = run("learn", str(SAMPLE_POSTS), "--device", "cuda")
    assert code == 2 and "no CUDA device" in err
