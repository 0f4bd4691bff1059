"""The run report's summary lines: column stand-ins said aloud, a slow rate not shown as 0."""

from __future__ import annotations

from fbopt.io.report import RunReport


def test_note_columns_names_only_other_names() -> None:
    report = RunReport("generate")
    report.note_columns({"topic": "title", "audience": "Audience", "tone": "tone"})
    assert report.notes == ["column 'title' read as 'topic'"]


def test_a_slow_rate_is_not_shown_as_zero() -> None:
    report = RunReport("generate", rows_in=1, rows_out=1)
    report.wall_seconds = 6.4
    assert "(0.16 rows/s)" in report.summary()
    report.wall_seconds = 0.01
    assert "(100 rows/s)" in report.summary()
