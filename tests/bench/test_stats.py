"""Benchmark statistics: percentiles, repeat summaries, scaling verdicts, size parsing."""

from __future__ import annotations

import pytest

from fbopt.bench.stats import percentile, rate_summary, scaling_verdict
from fbopt.bench.suite import parse_sizes
from fbopt.errors import UsageError


def test_percentile_interpolates() -> None:
    values = list(range(1, 101))
    assert percentile(values, 50) == 50.5
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile([3.0], 95) == 3.0 and percentile([], 50) is None


def test_rate_summary_spread() -> None:
    summary = rate_summary([90.0, 100.0, 110.0])
    assert summary["median"] == 100.0 and summary["spread_pct"] == 20.0
    assert summary["runs"] == [90.0, 100.0, 110.0] and summary["stdev"] == 10.0


def sizes(seconds: list[float], rss: list[float]) -> list[dict[str, float]]:
    return [{"rows": r, "seconds": s, "peak_rss_mb": m}
            for r, s, m in zip([1000, 10000, 100000], seconds, rss, strict=True)]


def test_verdict_linear_and_flat() -> None:
    verdict = scaling_verdict(sizes([0.5, 1.0, 10.0], [100, 104, 110]))
    assert verdict["linear_time"] and verdict["flat_memory"]
    assert verdict["time_exponent"] == 1.0 and verdict["memory_ratio"] == 1.1


def test_verdict_quadratic_and_growing() -> None:
    verdict = scaling_verdict(sizes([0.1, 1.0, 100.0], [100, 200, 900]))
    assert verdict["linear_time"] is False and verdict["flat_memory"] is False
    assert "super-linear" in verdict["text"] and "growing memory" in verdict["text"]


def test_verdict_needs_two_sizes() -> None:
    verdict = scaling_verdict([{"rows": 1000, "seconds": 1.0, "peak_rss_mb": 9.0},
                               {"rows": 10000, "skipped": "over budget"}])
    assert verdict["linear_time"] is None and "not enough" in verdict["text"]


def test_parse_sizes() -> None:
    assert parse_sizes("100000,1000, 10k") == [1000, 10000, 100000]
    assert parse_sizes([1000, 1000]) == [1000] and parse_sizes("none") == []
    with pytest.raises(UsageError):
        parse_sizes("lots")


def test_busy_machine_note() -> None:
    entries = sizes([0.5, 1.0, 20.0], [100, 100, 100])
    for entry, cpu in zip(entries, [0.4, 0.8, 8.0], strict=True):
        entry["cpu_seconds"] = cpu
    verdict = scaling_verdict(entries)
    assert verdict["linear_time"] is False and verdict["cpu_time_exponent"] == 1.0
    assert "a busy machine?" in verdict["text"]
