"""The README says what the Python API returns: generate and enhance give a RunResult whose
`.output` holds the frame (not a DataFrame itself), and the offline provider caches nothing."""

from __future__ import annotations

import pandas as pd

import fbopt
from fbopt.pipeline import RunResult
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_generate_and_enhance_readme_lines_say_run_result() -> None:
    for call in ("fbopt.generate(", "fbopt.enhance("):
        lines = [line for line in README.splitlines() if line.lstrip().startswith(
            ("result = " + call, "drafts = " + call, call))]
        assert lines, call
        assert not any("DataFrame out" in line for line in lines), lines
        assert any("RunResult" in line for line in lines), lines


def test_a_dataframe_in_gives_a_run_result_with_the_frame_in_output(workdir) -> None:
    result = fbopt.generate(pd.DataFrame({"topic": ["Our new bakery opens"]}))
    assert isinstance(result, RunResult) and not isinstance(result, pd.DataFrame)
    assert isinstance(result.output, pd.DataFrame) and len(result.output) == 1
    assert set(result.output["cache"]) == {"none"}  # offline: nothing cached, as the README says
    assert "cache=none" in README
