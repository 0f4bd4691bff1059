"""Option bundles shared by the commands, and the boundary that turns fbopt errors into one
line on stderr and an exit status.

Not for any command's own options.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

EXIT_STATUS_HELP = (
    "Exit status: 0 done; 2 bad input, usage or config (one line on stderr says what to fix); "
    "3 done but some rows failed; 4 done but an alert fired (with --fail-on-alert); "
    "130 interrupted by Ctrl-C, 143 by SIGTERM (run the same command again to resume)."
)


# Read by handle_errors' analytics session (fbopt.analytics.session), never by the command body.
ANALYTICS_OPTIONS = [
    click.option("--metrics-port", type=click.IntRange(1, 65535), default=None,
                 help="Serve Prometheus metrics on this port while the run goes."),
    click.option("--pushgateway", metavar="URL", default=None,
                 help="Push the run's final metrics to this Prometheus Pushgateway "
                      "(config analytics.pushgateway)."),
    click.option("--fail-on-alert", is_flag=True,
                 help="Exit with status 4 when the run fires an alert ([alerts] in the config)."),
]


def run_options(func: F) -> F:
    """-o/--output, --report, --config, --batch-size, -q/--quiet, -v/--verbose, --debug, and
    the analytics options (--metrics-port, --pushgateway, --fail-on-alert)."""
    options = [
        click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                     help="Output file; the format follows the extension (.parquet, .csv, "
                          ".jsonl). Default: <input-stem>.<command>.parquet here."),
        click.option("--report", "report", type=click.Path(dir_okay=False, path_type=Path),
                     help="Report JSON. Default: beside -o (out.parquet -> out.report.json), else "
                          "<input-stem>.<command>.report.json here."),
        click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Config TOML. Default: ./fbopt.toml if present, else the packaged one."),
        click.option("--batch-size", type=click.IntRange(1, 1_000_000), default=None,
                     help="Rows per batch (config run.batch_size)."),
        click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary."),
        click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv: debug)."),
        click.option("--debug", is_flag=True, help="Show full tracebacks."),
        *ANALYTICS_OPTIONS,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING if not verbose else (logging.INFO if verbose == 1 else logging.DEBUG)
    if quiet:
        level = logging.ERROR
    logging.basicConfig(level=level, stream=sys.stderr, format="fbopt: %(message)s")


def handle_errors(func: F) -> F:
    """Run a command body; an FboptError becomes `error: <one line>` and its exit status, a
    Ctrl-C exit status 130. `--debug` shows the traceback instead."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from fbopt.analytics.session import CommandSession, current_command
        from fbopt.errors import FboptError

        debug = bool(kwargs.get("debug"))
        session = CommandSession(current_command(), kwargs)  # takes the analytics options
        try:
            with session:
                result = func(*args, **kwargs)
            session.exit_on_alert()
            return result
        except FboptError as exc:
            if debug:
                raise
            click.echo(f"error: {exc.message()}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt as exc:  # fbopt.errors.Interrupted says what it kept
            if debug:
                raise
            click.echo(f"interrupted: {exc or 'finished work was kept'}", err=True)
            sys.exit(getattr(exc, "exit_code", 130))

    return wrapper  # type: ignore[return-value]


def finish(result: Any, quiet: bool) -> None:
    """Print the run summary and where the report went, then exit with the run's status."""
    if not quiet:
        click.echo(result.report.summary(), err=True)
        if result.report_path:
            click.echo(f"  report: {result.report_path}", err=True)
    code = result.exit_code
    if code:
        sys.exit(code)


def parallel_options(func: F) -> F:
    """--jobs, --backend and --scheduler; the command receives them as `parallel_settings`
    (config key -> value, only those given)."""
    options = [
        click.option("--jobs", "-j", type=click.IntRange(0), default=None, metavar="N",
                     help="Workers for scoring and enhancing (config run.jobs; 0, the default: "
                          "every core)."),
        click.option("--backend", type=click.Choice(["loky", "threading", "dask"]),
                     default=None,
                     help="Where the workers run (config run.backend): loky (processes here, "
                          "default), threading, or dask (a cluster; pip install 'fbopt[dask]')."),
        click.option("--scheduler", default=None, metavar="ADDRESS",
                     help="Dask scheduler for --backend dask, e.g. tcp://10.0.0.5:8786 (config "
                          "run.scheduler, else DASK_SCHEDULER_ADDRESS; none: a LocalCluster)."),
    ]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        given = {"run.jobs": kwargs.pop("jobs"), "run.backend": kwargs.pop("backend"),
                 "run.scheduler": kwargs.pop("scheduler")}
        if given["run.scheduler"] and given["run.backend"] is None:
            given["run.backend"] = "dask"  # an address alone can only mean Dask
        return func(*args, parallel_settings={k: v for k, v in given.items() if v is not None},
                    **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]


def cache_url_option(func: F) -> F:
    """--cache-url, added to the command's `llm_settings`: put it right under @llm_options."""

    @click.option("--cache-url", default=None, metavar="URL",
                  help="Keep the post cache's second level in Redis, shared by every machine "
                       "pointed at it: redis://HOST:6379/0 (config cache.url; default: a disk "
                       "cache under FBOPT_HOME).")
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        url = kwargs.pop("cache_url")
        if url is not None:
            kwargs["llm_settings"] = {**kwargs.get("llm_settings", {}), "cache.url": url}
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def reword(command: click.Command, name: str, text: str) -> None:
    """Give a shared option its own help in one command, where it means something narrower
    there (learn's -o is the model file): one option, one text."""
    for param in command.params:
        if param.name == name and isinstance(param, click.Option):
            param.help = text
            return
    raise KeyError(f"{command.name} has no option {name!r}")
