"""Stage-by-stage comparison of a benchmark report with a baseline report: the CI gate.

Not for judging latency or memory: only rows/s gates (the others are shown for information).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fbopt.errors import InputError

MACHINE_KEYS = ("cpu_model", "cpus_usable")


def load_baseline(path: Path) -> dict[str, Any]:
    """Read a report written by `fbopt benchmark`; anything else is an InputError."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError("baseline report not found", path=path,
                         hint="pass a bench.json from an earlier run") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"baseline is not valid JSON: {exc}", path=path,
                         hint="pass a bench.json written by `fbopt benchmark`") from exc
    if not isinstance(data, dict) or data.get("kind") != "fbopt-benchmark" or not isinstance(
            data.get("stages"), dict):
        raise InputError("not an fbopt benchmark report", path=path,
                         hint="pass a bench.json written by `fbopt benchmark`")
    return data


def median_rate(report: dict[str, Any], key: str) -> float | None:
    entry = report.get("stages", {}).get(key)
    if not entry or entry.get("status") != "ok":
        return None
    return float(entry["rows_per_second"]["median"])


def spread_pct(report: dict[str, Any], key: str) -> float | None:
    entry = report.get("stages", {}).get(key) or {}
    value = (entry.get("rows_per_second") or {}).get("spread_pct")
    return float(value) if value is not None else None


def compare_stage(key: str, current: dict[str, Any], baseline: dict[str, Any],
                  threshold: float) -> dict[str, Any] | None:
    now, before = median_rate(current, key), median_rate(baseline, key)
    ran_now = key in current.get("stages", {})
    spreads = [p for p in (spread_pct(current, key), spread_pct(baseline, key)) if p is not None]
    # The wider of the two runs' spreads (max - min over median): a change inside it may be
    # noise, which the table says; the gate itself is on the medians, as documented.
    row: dict[str, Any] = {"stage": key, "baseline": before, "current": now, "change": None,
                           "spread_pct": max(spreads) if spreads else None}
    if before is None and now is None:
        return None
    if before is None:
        row["status"] = "new"
    elif now is None:
        # A stage that ran and failed fell by 100%; one not selected this time is only noted.
        row["status"] = "regression" if ran_now else "not run"
        row["change"] = -1.0 if ran_now else None
    else:
        row["change"] = round(now / before - 1.0, 4)
        row["status"] = ("regression" if row["change"] < -threshold
                         else "faster" if row["change"] > threshold else "ok")
    return row


def compare(current: dict[str, Any], baseline: dict[str, Any], threshold: float,
            baseline_path: str = "") -> dict[str, Any]:
    keys = list(current.get("stages", {})) + [
        k for k in baseline.get("stages", {}) if k not in current.get("stages", {})]
    rows = [r for k in keys if (r := compare_stage(k, current, baseline, threshold))]
    regressions = [r["stage"] for r in rows if r["status"] == "regression"]
    notes = []
    now_machine, old_machine = current.get("machine", {}), baseline.get("machine", {})
    for name in MACHINE_KEYS:
        if now_machine.get(name) != old_machine.get(name):
            notes.append(f"the baseline ran on another machine ({name}: "
                         f"{old_machine.get(name)} then, {now_machine.get(name)} now)")
    return {"baseline": baseline_path, "max_regression": threshold, "stages": rows,
            "regressions": regressions, "passed": not regressions, "notes": notes}


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


def _change(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:+.1f}%"


def _spread(value: float | None) -> str:
    return "-" if value is None else f"±{value:.0f}%"


def comparison_table(comparison: dict[str, Any]) -> str:
    """The comparison as aligned text for a terminal or a CI log."""
    header = ("stage", "baseline rows/s", "current rows/s", "change", "spread", "status")
    body = [(r["stage"], _rate(r["baseline"]), _rate(r["current"]), _change(r["change"]),
             _spread(r.get("spread_pct")), r["status"]) for r in comparison["stages"]]
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        cells = [row[0].ljust(widths[0])]
        cells += [c.rjust(w) for c, w in zip(row[1:5], widths[1:5], strict=True)]
        return "  ".join(cells + [row[5]])

    threshold = comparison["max_regression"] * 100
    verdict = ("passed" if comparison["passed"] else
               f"FAILED: {', '.join(comparison['regressions'])} slower by more than "
               f"{threshold:.0f}%")
    lines = [line(header), *(line(row) for row in body),
             f"regression gate ({threshold:.0f}%): {verdict}"]
    lines += [f"note: {n}" for n in comparison["notes"]]
    if any(r["status"] == "regression" and r.get("spread_pct") is not None
           and -r["change"] * 100 <= r["spread_pct"] for r in comparison["stages"]):
        lines.append("note: some changes are within the runs' spread (slowest to fastest over "
                     "median): on a shared machine, rerun or raise --repeat before trusting them")
    return "\n".join(lines)
