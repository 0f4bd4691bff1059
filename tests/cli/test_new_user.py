"""What a new user trips over on the command line (issue #17 items 7, 8, 10, 11): the model
file's name, one text per option, aliases said aloud, every output named in the summary."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from fbopt.cli.main import cli

REPO = Path(__file__).resolve().parents[2]
SAMPLE_POSTS = REPO / "sample_data" / "posts.csv"
TINY = {"HASH_BITS": 10, "EPOCHS": 2, "PATIENCE": 1, "MEMBERS": 3, "EMBEDDING_DIM": 4,
        "HIDDEN": 8, "DEVICE": "cpu"}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("flag", ["-o", "--model-path"])
def test_learn_model_path_must_end_in_pt(workdir: Path, flag: str) -> None:
    code, _, err = run("learn", str(SAMPLE_POSTS), flag, "m.csv")
    assert code == 2
    assert err.strip().splitlines() == [err.strip()] and "must end in .pt" in err
    assert "m.pt" in err and not (workdir / "m.csv").exists()


def test_model_path_setting_must_end_in_pt(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FBOPT_ENGAGEMENT_MODEL_PATH", "model.csv")
    code, _, err = run("learn", str(SAMPLE_POSTS))
    assert code == 2 and "engagement.model_path" in err and ".pt" in err


def test_learn_help_says_one_thing_about_o() -> None:
    from fbopt.cli.learn import learn_cmd

    text = next(p.help or "" for p in learn_cmd.params if p.name == "output")
    assert "--model-path" in text and ".pt" in text and "extension" not in text


def test_predict_help_gives_one_source_for_the_batch_size() -> None:
    code, out, _ = run("predict", "--help")
    assert code == 0
    flat = " ".join(out.split())
    assert "engagement.predict_batch_size" in flat and "run.batch_size" not in flat
    assert flat.count("predict_batch_size") == 1


def test_learn_summary_names_the_chart(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in TINY.items():
        monkeypatch.setenv(f"FBOPT_ENGAGEMENT_{key}", str(value))
    code, _, err = run("learn", str(SAMPLE_POSTS), "-o", "m.pt")
    assert code == 0, err
    lines = err.splitlines()
    # -o m.pt: the report and its chart go beside the model, as --report's help says.
    assert "  report: m.report.json" in lines and "  chart: m.png" in lines
    assert (workdir / "m.png").is_file()


def test_generate_help_names_the_topic_aliases() -> None:
    code, out, _ = run("generate", "--help")
    flat = " ".join(out.split())
    assert code == 0 and "`subject` or `title`" in flat and "any case" in flat


@pytest.mark.parametrize(("header", "noted"), [("title", "column 'title' read as 'topic'"),
                                               ("subject", "column 'subject' read as 'topic'"),
                                               ("Topic", None)])
def test_generate_summary_says_which_column_was_read(workdir: Path, header: str,
                                                     noted: str | None) -> None:
    (workdir / "t.csv").write_text(f"{header},audience\ncoffee at home,students\n",
                                   encoding="utf-8")
    code, _, err = run("generate", "t.csv", "-o", "o.csv", "--no-score")
    assert code == 0, err
    notes = [line for line in err.splitlines() if "read as" in line]
    assert notes == ([f"  note: {noted}"] if noted else [])
