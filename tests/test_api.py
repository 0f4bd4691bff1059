from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import fbopt


def test_generate_dataframe_in_dataframe_out() -> None:
    frame = pd.DataFrame({"topic": ["cycling to work", "rainy day crafts"],
                          "audience": ["commuters", "parents"], "variants": [2, 1]})
    result = fbopt.generate(frame)
    out = result.output
    assert isinstance(out, pd.DataFrame)
    assert list(out["topic_id"]) == ["1", "1", "2"] and list(out["variant"]) == [1, 2, 1]
    assert out["text"].str.len().between(40, 500).all()
    assert result.report.rows_out == 3 and result.exit_code == 0


def test_generate_path_in_path_out(workdir: Path) -> None:
    (workdir / "t.csv").write_text("topic\nbalcony tomatoes\n", encoding="utf-8")
    result = fbopt.generate("t.csv", "posts.jsonl", variants=2)
    assert result.output == Path("posts.jsonl") and (workdir / "posts.jsonl").exists()
    # the report goes beside the output it describes
    assert result.report_path is not None
    assert result.report_path.resolve() == workdir / "posts.report.json"
    assert (workdir / "posts.report.json").exists()
    assert not (workdir / "t.generate.report.json").exists()


def test_quick_post() -> None:
    post = fbopt.quick_post("Kubernetes autoscaling", audience="developers")
    assert post["status"] == "ok" and post["provider"] == "offline"
    assert "Kubernetes" in post["text"] and "#Kubernetes" in post["text"]


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError):
        _ = fbopt.nothing_here  # type: ignore[attr-defined]
