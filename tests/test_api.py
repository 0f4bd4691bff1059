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


def _is_plain(value: object) -> bool:
    """None, bool, int, str, a float that is not NaN, or lists and dicts of those."""
    if isinstance(value, dict):
        return all(type(k) is str and _is_plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_is_plain(v) for v in value)
    if type(value) is float:
        return value == value
    return value is None or type(value) in (bool, int, str)


def test_quick_post_returns_plain_python_values() -> None:
    post = fbopt.quick_post("Kubernetes autoscaling", audience="developers")
    assert post["status"] == "ok" and post["error"] is None
    issues = post["grammar_issues"]
    assert isinstance(issues, list) and issues and all(isinstance(i, dict) for i in issues)
    for key, value in post.items():
        assert _is_plain(value), f"{key}: {type(value).__name__} {value!r:.80}"
    assert all(isinstance(post[k], float) for k in ("overall_quality", "cost_usd"))
    assert isinstance(post["tokens_out"], int) and isinstance(post["text"], str)


def test_plain_values() -> None:
    import numpy as np

    from fbopt.io.plain import plain

    frame_row = pd.DataFrame({"a": [np.nan], "b": [pd.NA], "c": [pd.NaT]}).iloc[0]
    assert plain(dict(frame_row)) == {"a": None, "b": None, "c": None}
    value = plain({"x": np.array([{"n": np.int64(3)}], dtype=object), "y": np.float32(0.5)})
    assert value == {"x": [{"n": 3}], "y": 0.5} and type(value["x"][0]["n"]) is int


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError):
        _ = fbopt.nothing_here  # type: ignore[attr-defined]
