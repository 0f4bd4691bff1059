"""Markdown and HTML views of a report: every stage shown, failures and GPU comparisons said."""

from __future__ import annotations

from typing import Any

from fbopt.bench.render import device_lines, html_report, markdown_report


def entry(stage: str, device: str, rate: float) -> dict[str, Any]:
    return {"stage": stage, "device": device, "status": "ok", "rows": 100, "repeat": 3,
            "rows_per_second": {"median": rate, "min": rate * 0.9, "max": rate * 1.1,
                                "spread_pct": 20.0},
            "latency_ms": {"p50": 1.0, "p95": 2.0, "p99": 3.0}, "row_latency_ms": None,
            "peak_rss_mb": 150.0, "cache": {"l2": 1.0, "hit_rate": 1.0}}


def report(gpu: bool) -> dict[str, Any]:
    stages = {"predict": entry("predict", "cpu", 1000.0),
              "score": {"stage": "score", "device": "cpu", "status": "failed",
                        "error": "RuntimeError: <boom>"}}
    if gpu:
        stages["predict@cuda"] = entry("predict", "cuda", 8000.0)
    return {
        "fbopt_version": "9.9", "wall_seconds": 12.0,
        "settings": {"synthetic": {"topics": True, "posts": True}, "posts": None,
                     "topics": None, "repeat": 3, "warmup": 1},
        "machine": {"cpu_model": "Test CPU", "cpus_usable": 2, "cpu_count": 2,
                    "memory_gib": 8.0, "platform": "test", "python": "3.11.0",
                    "fbopt_version": "9.9", "git": None, "libraries": {"torch": "2.0"},
                    "gpu": {"available": True, "name": "Test GPU", "count": 1, "memory_gib": 80}
                    if gpu else {"available": False, "reason": "no GPU driver"}},
        "stages": stages,
        "scaling": {"predict": {"sizes": [{"rows": 1000, "seconds": 0.5,
                                           "rows_per_second": 2000.0, "peak_rss_mb": 100.0},
                                          {"rows": 10000, "skipped": "over budget"}],
                                "verdict": {"text": "not enough sizes measured"}}},
        "comparison": None,
    }


def test_markdown_shows_stages_failures_and_cpu_only() -> None:
    md = markdown_report(report(gpu=False))
    assert "| predict | cpu | 100 | 1,000.0 | ±20.0% | 1.00 / 2.00 / 3.00 |" in md
    assert "| score | cpu | - | FAILED |" in md and "RuntimeError: <boom>" in md
    assert "CPU only: no GPU here (no GPU driver)" in md
    assert "| predict | 10,000 | skipped | over budget | - |" in md
    assert "100% (l2 100%)" in md


def test_gpu_against_cpu() -> None:
    lines = device_lines(report(gpu=True))
    assert lines == ["predict: cuda 8,000.0 rows/s against cpu 1,000.0 rows/s (8.0x)"]


def test_html_escapes_and_draws() -> None:
    page = html_report(report(gpu=True))
    assert "RuntimeError: &lt;boom&gt;" in page and "<boom>" not in page
    assert page.count("Plotly.newPlot") == 3 and "predict@cuda" in page
    assert "<script src" not in page  # plotly.js is inline: the page works offline


def test_a_stage_not_scaled_is_one_row() -> None:
    data = report(gpu=False)
    why = "only 1 of the sizes fit the 40s budget per size, and a verdict needs two"
    data["scaling"]["score"] = {
        "sizes": [{"rows": n, "skipped": why, "projected_seconds": n / 10} for n in (100, 1000)],
        "verdict": {"text": "not enough sizes measured for a verdict"}}
    md = markdown_report(data)
    assert f"| score | 100 / 1,000 | not scaled | projected 10 / 100 s: {why} | - |" in md
