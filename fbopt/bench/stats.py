"""Small statistics for benchmark numbers: summaries of repeats, percentiles, scaling verdicts.

Not for the engagement model's metrics; pure Python so the harness needs no numpy.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any

# A stage's time is "linear" while it grows no faster than rows^1.15 between the two largest
# sizes (the smaller sizes are dominated by fixed start-up costs, which flatter the exponent).
LINEAR_EXPONENT = 1.15
# Memory is "flat" while the largest size's peak stays within 1.5x the smallest size's peak
# (the same bar the foundation issue sets for `generate` at 10k against 1M rows).
FLAT_MEMORY_RATIO = 1.5


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def latency_summary(samples_ms: Sequence[float], source: str) -> dict[str, Any]:
    def p(q: float) -> float | None:
        value = percentile(samples_ms, q)
        return None if value is None else round(value, 3)

    return {"p50": p(50), "p95": p(95), "p99": p(99),
            "mean": round(statistics.fmean(samples_ms), 3) if samples_ms else None,
            "samples": len(samples_ms), "source": source}


def rate_summary(rates: Sequence[float]) -> dict[str, Any]:
    """Median and spread of rows/s over the repeats; spread_pct is (max - min) / median."""
    median = statistics.median(rates)
    return {
        "median": round(median, 2),
        "min": round(min(rates), 2),
        "max": round(max(rates), 2),
        "mean": round(statistics.fmean(rates), 2),
        "stdev": round(statistics.stdev(rates), 2) if len(rates) > 1 else 0.0,
        "spread_pct": round(100.0 * (max(rates) - min(rates)) / median, 1) if median else None,
        "runs": [round(r, 2) for r in rates],
    }


def scaling_verdict(sizes: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Judge time and memory growth from measured sizes (each with rows, seconds, peak_rss_mb
    and, when known, cpu_seconds)."""
    done = sorted((s for s in sizes if s.get("seconds")), key=lambda s: s["rows"])
    if len(done) < 2:
        return {"linear_time": None, "flat_memory": None, "time_exponent": None,
                "cpu_time_exponent": None, "memory_ratio": None,
                "text": "not enough sizes measured for a verdict"}
    a, b = done[-2], done[-1]
    exponent = _exponent(a, b, "seconds")
    cpu_exponent = _exponent(a, b, "cpu_seconds")
    first, last = done[0], done[-1]
    ratio = last["peak_rss_mb"] / first["peak_rss_mb"] if first["peak_rss_mb"] else None
    linear = exponent <= LINEAR_EXPONENT
    flat = ratio is not None and ratio <= FLAT_MEMORY_RATIO
    cpu_note = ""
    if cpu_exponent is not None and not linear and cpu_exponent <= LINEAR_EXPONENT:
        # Wall time on a shared machine also counts other people's work; CPU time does not.
        cpu_note = (f", though its own CPU time grew only as rows^{cpu_exponent:.2f}: "
                    "a busy machine?")
    text = (
        f"{'linear' if linear else 'super-linear'} time (time grows as rows^{exponent:.2f} "
        f"from {a['rows']:,} to {b['rows']:,} rows{cpu_note}); "
        + (f"{'flat' if flat else 'growing'} memory (peak RSS {ratio:.2f}x from "
           f"{first['rows']:,} to {last['rows']:,} rows)" if ratio else "memory not measured")
    )
    return {"linear_time": linear, "flat_memory": flat, "time_exponent": round(exponent, 3),
            "cpu_time_exponent": None if cpu_exponent is None else round(cpu_exponent, 3),
            "memory_ratio": round(ratio, 3) if ratio else None, "text": text}


def _exponent(a: dict[str, Any], b: dict[str, Any], key: str) -> float | None:
    """k in time ~ rows^k between two sizes."""
    if not a.get(key) or not b.get(key):
        return None
    return math.log(b[key] / a[key]) / math.log(b["rows"] / a["rows"])
