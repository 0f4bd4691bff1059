"""`fbopt dashboard`: write the run history's dashboard (one offline HTML file), or serve it live.

Not for building the page (fbopt.analytics.dashboard).
"""

from __future__ import annotations

from pathlib import Path

import click

from fbopt.cli.options import handle_errors


@click.command("dashboard")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("fbopt-dashboard.html"), show_default=True,
              help="The HTML file to write (self-contained: works offline).")
@click.option("-n", "--limit", type=click.IntRange(1), default=None,
              help="Only the newest N runs (default: all).")
@click.option("--serve", is_flag=True,
              help="Serve the page on localhost instead; it reloads when a run is recorded.")
@click.option("--port", type=click.IntRange(1, 65535), default=8050, show_default=True,
              help="Port for --serve.")
@click.option("--debug", is_flag=True, help="Show full tracebacks.")
@handle_errors
def dashboard_cmd(output: Path, limit: int | None, serve: bool, port: int, debug: bool) -> None:
    """Charts of the run history: throughput, cost per post, cache hit rate, failure rate,
    score means, predicted engagement and learn metrics over time, model and prompt mix, and
    alerts fired, with filters by command and input.

    \b
    Example:
      fbopt dashboard -o runs.html       # one file, opens offline
      fbopt dashboard --serve --port 8050  # http://127.0.0.1:8050, refreshes as runs go
    """
    from fbopt.analytics import dashboard

    if serve:
        click.echo(f"serving the dashboard on http://127.0.0.1:{port} (Ctrl-C stops)", err=True)
        try:
            dashboard.serve(port, limit=limit)
        except OSError as exc:
            from fbopt.errors import UsageError

            raise UsageError(f"cannot serve on 127.0.0.1:{port} ({exc.strerror or exc})",
                             hint="pick a free port with --port") from exc
        return
    path = dashboard.write_dashboard(output, limit)
    click.echo(f"dashboard: {path}", err=True)
