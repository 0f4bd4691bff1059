"""`fbopt benchmark`: time every stage, scale it, compare with a baseline, write reports for CI.

Not for the measuring itself (fbopt.bench.suite).
"""

from __future__ import annotations

from pathlib import Path

import click

from fbopt.cli.options import handle_errors, setup_logging

EXIT_HELP = ("Exit status: 0 done; 1 a stage's rows/s fell by more than --max-regression "
             "against --baseline (a stage that failed counts as 100% slower); 2 bad options, "
             "input or config; 3 a stage failed; 130 interrupted.")
FilePath = click.Path(dir_okay=False, path_type=Path)


@click.command("benchmark", epilog=EXIT_HELP)
@click.option("--data", "posts", type=FilePath, help="Posts to score, enhance and predict "
              "(default: synthetic posts).")
@click.option("--topics", type=FilePath, help="Topics to generate from (default: synthetic).")
@click.option("--rows", type=click.IntRange(1), help="Rows per stage (config benchmark.rows).")
@click.option("--stages", help="Comma-separated stages or groups, e.g. generate,score "
              "(default: all).")
@click.option("--repeat", type=click.IntRange(1), help="Timed runs per stage (default 3).")
@click.option("--warmup", type=click.IntRange(0),
              help="Untimed runs first, on the first 200 rows (default 1).")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]),
              help="Torch stages: auto runs CPU and the GPU when present.")
@click.option("--scaling", help="Scaling sizes, e.g. 1000,10000,100000; 'none' for no scaling.")
@click.option("--scaling-budget", "scaling_budget_s", type=click.FloatRange(0),
              help="Skip scaling sizes projected to take longer than this many seconds.")
@click.option("--time-budget", "time_budget_s", type=click.FloatRange(0),
              help="Skip scaling sizes that would take the run past this many seconds "
                   "(default 270).")
@click.option("--loopback-delay-ms", type=click.FloatRange(0),
              help="Delay of the loopback OpenAI-compatible server (default 50).")
@click.option("--concurrency", type=click.IntRange(1), help="Calls in flight (default 32).")
@click.option("--baseline", type=FilePath, help="An earlier bench.json to compare with.")
@click.option("--max-regression", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              help="With --baseline: exit 1 when rows/s fell by more than this (0.10 = 10%).")
@click.option("--report", type=FilePath, default=Path("bench.json"), show_default=True,
              help="Report JSON; bench.md and bench.html are written beside it.")
@click.option("--config", "config_path", type=FilePath, help="Config TOML ([benchmark]).")
@click.option("--batch-size", type=click.IntRange(1, 1_000_000), help="Rows per batch.")
@click.option("-q", "--quiet", is_flag=True, help="Only the result tables.")
@click.option("-v", "--verbose", count=True, help="More log output on stderr.")
@click.option("--debug", is_flag=True, help="Show full tracebacks.")
@handle_errors
def benchmark_cmd(report: Path, config_path: Path | None, quiet: bool, verbose: int,
                  debug: bool, **options: object) -> None:
    """Time each stage on N rows (warm-up, then K runs), scale it to 1k, 10k and 100k rows,
    and write REPORT (JSON), with Markdown and HTML (charts) beside it.

    Per stage: rows/s (median and spread), single-row latency p50/p95/p99, peak RSS, cache
    hit rates, CPU against GPU where there is one. The generate stage also runs against a
    loopback OpenAI-compatible server, measuring provider overhead and concurrency
    efficiency with no network. No API key is ever used.

    \b
    Example:
      fbopt benchmark --stages generate --rows 1000 --repeat 3 --report bench.json
      fbopt benchmark --baseline main.json --max-regression 0.10
    """
    from fbopt.bench.compare import comparison_table
    from fbopt.bench.render import md_table, stage_table
    from fbopt.bench.suite import BenchSettings, run_benchmark
    from fbopt.config import load_config

    setup_logging(verbose, quiet)
    if isinstance(options.get("stages"), str):
        options["stages"] = str(options["stages"]).split(",")
    config = load_config(config_path)
    settings = BenchSettings.from_config(config, config_path=config_path, **options)
    say = None if quiet else (lambda line: click.echo(f"bench: {line}", err=True))
    result = run_benchmark(settings, report, say)
    click.echo(md_table(stage_table(result.report)))
    if result.report["comparison"]:
        click.echo("\n" + comparison_table(result.report["comparison"]))
    if not quiet:
        click.echo(f"report: {result.report_path} (+ .md, .html)", err=True)
    if result.exit_code:
        raise SystemExit(result.exit_code)
