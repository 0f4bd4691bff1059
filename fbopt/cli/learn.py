"""`fbopt learn POSTS`: train the engagement model on post history with outcomes.

Not for training logic (fbopt.engagement.learn).
"""

from __future__ import annotations

from pathlib import Path

import click

from fbopt.cli.engagement_options import engagement_options
from fbopt.cli.options import (
    EXIT_STATUS_HELP,
    finish,
    handle_errors,
    reword,
    run_options,
    setup_logging,
)


@click.command("learn", epilog=EXIT_STATUS_HELP)
@click.argument("posts", type=click.Path(path_type=Path))
@engagement_options
@click.option("--target", default=None, metavar="COLUMNS",
              help="Outcome column, or columns joined with '+' (default: reactions or likes, "
                   "plus comments and shares, whatever is present). Modelled as log1p.")
@click.option("--train-batch-size", type=click.IntRange(1, 65536), default=None,
              help="Posts per training step (config engagement.train_batch_size; default 128 "
                   "on a GPU, 32 on the CPU).")
@run_options
@handle_errors
def learn_cmd(posts: Path, text_column: str | None, time_column: str | None,
              page_column: str | None, model_path: Path | None, device: str | None,
              target: str | None, train_batch_size: int | None, output: Path | None,
              report: Path | None, config_path: Path | None, batch_size: int | None,
              quiet: bool, verbose: int, debug: bool) -> None:
    """Train the engagement model on POSTS (CSV, Parquet or JSON Lines of past posts with
    their outcomes) and save it to --model-path (or -o, the same option here), a .pt file.

    The format is detected from the columns: jbencina-style news exports (message,
    created_time, page_id, react_*, shares), the page-post scraper (status_message,
    status_published, num_reactions, num_comments, num_shares; text may be absent) and
    fbopt's own (text, page, created_at, media_type, likes, comments, shares). Posts that
    fbopt generated (model, content_type, prompt_variant columns) also feed their results to
    the model selector's performance history.

    \b
    Example:
      fbopt learn sample_data/posts.csv
    writes FBOPT_HOME/models/engagement.pt, posts.learn.report.json (Spearman overall and
    within page, MAE, interval coverage on the latest posts) and posts.learn.png.
    """
    from fbopt.config import load_config
    from fbopt.engagement.learn import learn
    from fbopt.errors import UsageError

    setup_logging(verbose, quiet)
    if output and model_path and output != model_path:
        raise UsageError("-o/--output and --model-path name different files",
                         hint="give one of them")
    path = model_path or output
    if path is not None and path.suffix.lower() != ".pt":
        raise UsageError(f"the model file must end in .pt, got {path.name}",
                         hint=f"e.g. -o {path.with_suffix('.pt').name}; learn writes a torch "
                              "model, not a table")
    if report is None and path is not None:
        report = path.with_suffix(".report.json")  # beside -o, as --report's help says
    config = load_config(config_path, {"run.batch_size": batch_size,
                                       "engagement.train_batch_size": train_batch_size})
    result = learn(posts, model_path=path, report=report,
                   text_column=text_column, time_column=time_column, page_column=page_column,
                   target=target, device=device, config=config,
                   progress=not quiet and bool(config.get("run.progress")))
    finish(result, quiet)
    if not quiet and result.plot_path is not None:
        click.echo(f"  chart: {result.plot_path}", err=True)


reword(learn_cmd, "output", "Where the model is saved, a .pt file: another name for "
       "--model-path (default FBOPT_HOME/models/engagement.pt).")
