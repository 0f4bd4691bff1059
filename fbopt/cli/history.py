"""`fbopt history`: the recent runs from the run history, as a table or JSON.

Not for reading the database (fbopt.analytics.api).
"""

from __future__ import annotations

import json
from typing import Any

import click

from fbopt.cli.options import handle_errors

# (header, column, format) of the table.
TABLE = (("id", "id", "{}"), ("started (UTC)", "started_at", "{}"), ("command", "command", "{}"),
         ("status", "status", "{}"), ("rows out", "rows_out", "{:,}"),
         ("failed", "rows_failed", "{:,}"), ("rows/s", "rows_per_second", "{:,.0f}"),
         ("$/post", "cost_per_post", "{:.5f}"), ("cache", "cache_hit_rate", "{:.0%}"),
         ("quality", "mean_overall_quality", "{:.3f}"),
         ("engagement", "mean_predicted_engagement", "{:.1f}"), ("alerts", "alert_count", "{}"),
         ("input", "input", "{}"), ("error", "error", "error"))
ERROR_WIDTH = 60  # a failed run's error, cut to keep a row on one line; --json has it whole


@click.command("history")
@click.option("-n", "--limit", type=click.IntRange(1), default=20, show_default=True,
              help="Newest runs to show.")
@click.option("--command", "command_name", help="Only runs of this command (generate, ...).")
@click.option("--input", "input_path", help="Only runs of this input file (absolute path).")
@click.option("--json", "as_json", is_flag=True, help="One JSON array of runs on stdout.")
@click.option("--debug", is_flag=True, help="Show full tracebacks.")
@handle_errors
def history_cmd(limit: int, command_name: str | None, input_path: str | None, as_json: bool,
                debug: bool) -> None:
    """Show recent runs from the run history (FBOPT_HOME/analytics.db), newest first.

    Every run of generate, enhance, learn, predict and benchmark is recorded (config
    analytics.enabled). A run that crashed shows status `failed` and its error.

    \b
    Example:
      fbopt history -n 5
      fbopt history --command generate --json | jq '.[0].cost_per_post'
    """
    from fbopt.analytics.api import runs

    found = runs(limit, command_name, input_path)
    if as_json:
        click.echo(json.dumps(found, indent=2, default=str))
        return
    if not found:
        click.echo("no runs recorded yet (run fbopt generate ...)", err=True)
        return
    click.echo(table(found))


def table(found: list[dict[str, Any]]) -> str:
    cells = [[h for h, _, _ in TABLE]]
    for run in found:
        cells.append([_cell(run.get(col), fmt) for _, col, fmt in TABLE])
    widths = [max(len(r[i]) for r in cells) for i in range(len(TABLE))]
    lines = ("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells)
    return "\n".join(text.rstrip() for text in lines)


def _cell(value: Any, fmt: str) -> str:
    if fmt == "error":  # blank for runs that did not crash: the column is for the few that did
        line = " ".join(str(value or "").split())
        return line if len(line) <= ERROR_WIDTH else line[:ERROR_WIDTH - 1] + "…"
    if value is None or value == "":
        return "-"
    if fmt == "{}" and isinstance(value, str) and "T" in value[:11]:
        return value[:19].replace("T", " ")  # started_at without the milliseconds
    try:
        return fmt.format(value)
    except (ValueError, TypeError):
        return str(value)
