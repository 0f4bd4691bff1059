"""`learn -o model.pt` writes its report beside the model (model.report.json), as --report's
help says for every command, not <input>.learn.report.json in the current folder."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from fbopt.cli.main import cli
from tests.conftest import SAMPLE


def test_learn_report_goes_beside_the_model(workdir: Path, monkeypatch) -> None:
    for key, value in {"EPOCHS": "2", "HASH_BITS": "10", "MEMBERS": "3", "HIDDEN": "8",
                       "DEVICE": "cpu"}.items():
        monkeypatch.setenv(f"FBOPT_ENGAGEMENT_{key}", value)
    (workdir / "models").mkdir()
    result = CliRunner().invoke(cli, ["learn", str(SAMPLE / "posts.csv"), "-q",
                                      "-o", "models/model.pt"])
    assert result.exit_code == 0, result.output
    report = workdir / "models" / "model.report.json"
    assert json.loads(report.read_text())["command"] == "learn"
    assert (workdir / "models" / "model.png").is_file()
    assert not (workdir / "posts.learn.report.json").exists()
