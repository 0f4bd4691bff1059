"""Renders a benchmark report as Markdown (for a CI job summary) and as one static HTML page.

Not for measuring anything: both views are built from the same tables of the report dict.
"""

from __future__ import annotations

from html import escape
from typing import Any

from fbopt.bench.charts import bar_chart, embed, line_chart, plotly_js

Table = tuple[list[str], list[list[str]]]


def _num(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def _lat(summary: dict[str, Any] | None) -> str:
    if not summary:
        return "-"
    return " / ".join(_num(summary[q], 2) for q in ("p50", "p95", "p99"))


def _hit_rate(cache: dict[str, Any] | None) -> str:
    if not cache or "hit_rate" not in cache:
        return "-"
    levels = ", ".join(f"{k} {v:.0%}" for k, v in cache.items()
                       if k not in ("hit_rate", "miss", "none", "off") and v)
    return f"{cache['hit_rate']:.0%}" + (f" ({levels})" if levels else "")


def stage_table(report: dict[str, Any]) -> Table:
    head = ["stage", "device", "rows", "rows/s (median)", "spread", "single-row ms p50/p95/p99",
            "per-row ms p50/p95/p99", "peak RSS MiB", "cache hits"]
    body = []
    for key, s in report["stages"].items():
        if s["status"] != "ok":
            body.append([key, s.get("device", "-"), "-", "FAILED", "-", "-", "-", "-", "-"])
            continue
        rate = s["rows_per_second"]
        body.append([key, s["device"], f"{s['rows']:,}", _num(rate["median"]),
                     f"±{rate['spread_pct']}%" if rate["spread_pct"] is not None else "-",
                     _lat(s.get("latency_ms")), _lat(s.get("row_latency_ms")),
                     _num(s["peak_rss_mb"], 0), _hit_rate(s.get("cache"))])
    return head, body


def _skip_text(size: dict[str, Any]) -> str:
    projected = size.get("projected_seconds")
    return (f"projected {projected:,.0f} s: " if projected is not None else "") + size["skipped"]


def scaling_table(report: dict[str, Any]) -> Table:
    head = ["stage", "rows", "seconds", "rows/s", "peak RSS MiB"]
    body = []
    for key, scale in report["scaling"].items():
        sizes = scale["sizes"]
        if sizes and all("skipped" in s for s in sizes) and len({s["skipped"] for s in sizes}) == 1:
            projected = " / ".join(f"{s.get('projected_seconds', 0):,.0f}" for s in sizes)
            body.append([key, " / ".join(f"{s['rows']:,}" for s in sizes), "not scaled",
                         f"projected {projected} s: {sizes[0]['skipped']}", "-"])
            continue
        for size in sizes:
            if "skipped" in size:
                body.append([key, f"{size['rows']:,}", "skipped", _skip_text(size), "-"])
            else:
                body.append([key, f"{size['rows']:,}", _num(size["seconds"], 2),
                             _num(size["rows_per_second"]), _num(size["peak_rss_mb"], 0)])
    return head, body


def comparison_rows(comparison: dict[str, Any]) -> Table:
    head = ["stage", "baseline rows/s", "current rows/s", "change", "spread", "status"]
    body = [[r["stage"], _num(r["baseline"]), _num(r["current"]),
             "-" if r["change"] is None else f"{r['change'] * 100:+.1f}%",
             "-" if r.get("spread_pct") is None else f"±{r['spread_pct']:.0f}%", r["status"]]
            for r in comparison["stages"]]
    return head, body


def machine_table(report: dict[str, Any]) -> Table:
    m = report["machine"]
    gpu = m["gpu"]
    git = m.get("git") or {}
    commit = (git.get("commit", "")[:12] + (" (uncommitted changes)" if git.get("dirty") else "")
              ) if git else "not a git checkout"
    rows = [["CPU", f"{m['cpu_model']} ({m['cpus_usable']} usable of {m['cpu_count']})"],
            ["memory", f"{m['memory_gib']} GiB"],
            ["GPU", f"{gpu['name']} x{gpu['count']}, {gpu['memory_gib']} GiB"
             if gpu["available"] else f"none ({gpu.get('reason', '')})"],
            ["platform", m["platform"]], ["Python", m["python"]],
            ["fbopt", m["fbopt_version"]], ["git commit", commit],
            ["libraries", ", ".join(f"{k} {v}" for k, v in m["libraries"].items() if v)]]
    return ["fact", "value"], rows


def loopback_lines(report: dict[str, Any]) -> list[str]:
    lines = []
    for key, s in report["stages"].items():
        lb = s.get("loopback")
        if not lb:
            continue
        if "requests_after_warmup" in lb:
            lines.append(
                f"{key}: the warm-up made {lb['warmup_requests']:,} calls to the loopback server "
                f"to fill the cache; the timed reruns and single-row calls then made "
                f"{lb['requests_after_warmup']:,} (cache hit rate {_hit_rate(s.get('cache'))}).")
            continue
        eff = lb["concurrency_efficiency"]
        lines.append(
            f"{key}: loopback OpenAI-compatible server answering after {lb['delay_ms']:g} ms, "
            f"concurrency {lb['concurrency']}: {s['rows_per_second']['median']:,.1f} rows/s of "
            f"the {_num(lb['ideal_rows_per_second'])} the bound allows "
            f"({'-' if eff is None else f'{eff:.0%}'} concurrency efficiency); provider "
            f"overhead per call (p50 latency over the delay) {_num(lb['provider_overhead_ms'], 2)}"
            f" ms; the server saw at most {lb['server_max_in_flight']} requests in flight.")
    return lines


def device_lines(report: dict[str, Any]) -> list[str]:
    """CPU against GPU for every stage that ran on both; one line saying why when no GPU."""
    stages = report["stages"]
    lines = []
    for s in stages.values():
        cpu = stages.get(s["stage"])
        if s.get("device", "cpu") == "cpu" or not cpu or "failed" in (s["status"], cpu["status"]):
            continue
        gpu_rate, cpu_rate = s["rows_per_second"]["median"], cpu["rows_per_second"]["median"]
        lines.append(f"{s['stage']}: {s['device']} {gpu_rate:,.1f} rows/s against cpu "
                     f"{cpu_rate:,.1f} rows/s ({gpu_rate / cpu_rate:.1f}x)")
    gpu = report["machine"]["gpu"]
    if not gpu["available"]:
        lines.append(f"CPU only: no GPU here ({gpu.get('reason', 'none found')}).")
    return lines


def headline(report: dict[str, Any]) -> str:
    m, settings = report["machine"], report["settings"]
    synthetic = settings["synthetic"]
    data = ("synthetic data" if synthetic["topics"] and synthetic["posts"]
            else f"data: {settings['posts'] or ''} {settings['topics'] or ''}".strip())
    return (f"fbopt {report['fbopt_version']} on {m['cpu_model']}, {m['cpus_usable']} CPUs, "
            f"GPU: {m['gpu'].get('name', 'none')}; {data}; {settings['repeat']} timed runs "
            f"after {settings['warmup']} warm-up; {report['wall_seconds']:,.0f} s in all.")


# --- Markdown -----------------------------------------------------------------------------


def md_table(table: Table) -> str:
    head, body = table
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in body]
    return "\n".join(lines)


def markdown_report(report: dict[str, Any]) -> str:
    out = ["# fbopt benchmark", "", headline(report), "", "## Stages", "",
           md_table(stage_table(report)), ""]
    out += [f"- {s}: {e['error']}" for s, e in report["stages"].items()
            if e["status"] != "ok"]
    out += [f"- {line}" for line in loopback_lines(report)]
    out += [f"- {line}" for line in device_lines(report)]
    out += ["", "Single-row: one-row calls end to end. Per-row: latencies the library measured "
            "for each row (provider calls)."]
    if report["scaling"]:
        out += ["", "## Scaling", "", md_table(scaling_table(report)), ""]
        out += [f"- **{k}**: {v['verdict']['text']}" for k, v in report["scaling"].items()]
    comparison = report.get("comparison")
    if comparison:
        verdict = "passed" if comparison["passed"] else (
            "**FAILED**: " + ", ".join(comparison["regressions"]))
        out += ["", f"## Against the baseline ({comparison['max_regression']:.0%} gate: "
                f"{verdict})", "", md_table(comparison_rows(comparison))]
        out += [f"- note: {n}" for n in comparison["notes"]]
    out += ["", "## Machine", "", md_table(machine_table(report)), ""]
    return "\n".join(out)


# --- HTML ---------------------------------------------------------------------------------

STYLE = """body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;
text-align:right}td:first-child,th:first-child{text-align:left}th{background:#f3f3f3}
.bad{color:#b00020;font-weight:bold}.charts{display:flex;flex-wrap:wrap;gap:1em}"""


def html_table(table: Table) -> str:
    head, body = table
    rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                   for row in body)
    return ("<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>"
            + rows + "</table>")


def throughput_chart(report: dict[str, Any]) -> str:
    items = [(k, s["rows_per_second"]["median"], s["rows_per_second"]["min"],
              s["rows_per_second"]["max"]) for k, s in report["stages"].items()
             if s["status"] == "ok"]
    return embed(bar_chart(items, "Throughput per stage (median of the timed runs)", "rows/s"),
                 "chart-throughput")


def scaling_charts(report: dict[str, Any]) -> str:
    def series(field: str) -> dict[str, list[tuple[float, float]]]:
        return {k: [(s["rows"], s[field]) for s in v["sizes"] if "skipped" not in s]
                for k, v in report["scaling"].items()}

    return (embed(line_chart(series("seconds"), "Scaling: time", "rows", "seconds"),
                  "chart-scaling-time")
            + embed(line_chart(series("peak_rss_mb"), "Scaling: peak memory", "rows",
                               "peak RSS MiB", log_y=False), "chart-scaling-memory"))


def html_report(report: dict[str, Any]) -> str:
    parts = ["<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
             "<title>fbopt benchmark</title>", f"<style>{STYLE}</style>",
             # plotly.js inline, once: the page is one file that works offline.
             f"<script>{plotly_js()}</script></head><body>",
             "<h1>fbopt benchmark</h1>", f"<p>{escape(headline(report))}</p>"]
    comparison = report.get("comparison")
    if comparison:
        ok = comparison["passed"]
        parts.append(f"<h2>Against the baseline: <span class=\"{'' if ok else 'bad'}\">"
                     f"{'passed' if ok else 'FAILED'}</span></h2>"
                     + html_table(comparison_rows(comparison))
                     + "".join(f"<p>note: {escape(n)}</p>" for n in comparison["notes"]))
    parts += ["<h2>Stages</h2>", throughput_chart(report), html_table(stage_table(report))]
    parts += [f"<p class=\"bad\">{escape(k)}: {escape(str(s['error']))}</p>"
              for k, s in report["stages"].items() if s["status"] != "ok"]
    parts += [f"<p>{escape(line)}</p>" for line in loopback_lines(report) + device_lines(report)]
    if report["scaling"]:
        parts += ["<h2>Scaling</h2>", f"<div class=\"charts\">{scaling_charts(report)}</div>",
                  html_table(scaling_table(report)), "<ul>"]
        parts += [f"<li><b>{escape(k)}</b>: {escape(v['verdict']['text'])}</li>"
                  for k, v in report["scaling"].items()]
        parts.append("</ul>")
    parts += ["<h2>Machine</h2>", html_table(machine_table(report)), "</body></html>"]
    return "\n".join(parts)
