"""`fbopt predict POSTS`: predicted engagement, its interval, the page percentile and
recommended edits for every post.

Not for prediction logic (fbopt.engagement.predict).
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


@click.command("predict", epilog=EXIT_STATUS_HELP)
@click.argument("posts", type=click.Path(path_type=Path))
@engagement_options
@click.option("--recommendations", type=click.IntRange(0, 10), default=None,
              help="Edits suggested per post (config engagement.recommendations; default 3; "
                   "0 turns them off).")
@click.option("--no-text", is_flag=True,
              help="Predict without text when the input has no text column (a model that "
                   "learned from text otherwise stops with an error).")
@run_options
@handle_errors
def predict_cmd(posts: Path, text_column: str | None, time_column: str | None,
                page_column: str | None, model_path: Path | None, device: str | None,
                recommendations: int | None, no_text: bool, output: Path | None,
                report: Path | None,
                config_path: Path | None, batch_size: int | None, quiet: bool, verbose: int,
                debug: bool) -> None:
    """Predict the engagement of every post in POSTS (CSV, Parquet or JSON Lines) with the
    model `fbopt learn` saved. Drafts need only a text column; a page, time and media type
    make the prediction sharper.

    Adds predicted_engagement (typical interactions expected; at the measured age when the
    input has a scrape_time), predicted_low and predicted_high (the interval,
    config engagement.interval), engagement_percentile (within the page's history) and
    recommendations (up to 3 edits, each with its predicted gain).

    \b
    Example:
      fbopt learn sample_data/posts.csv
      fbopt predict sample_data/posts.csv -o scored.csv
    """
    from fbopt.config import load_config
    from fbopt.engagement.predict import predict

    setup_logging(verbose, quiet)
    config = load_config(config_path, {"engagement.predict_batch_size": batch_size})
    result = predict(posts, output, model_path=model_path, report=report,
                     text_column=text_column, time_column=time_column,
                     page_column=page_column, device=device, config=config,
                     recommendations=recommendations, no_text=no_text,
                     progress=not quiet and bool(config.get("run.progress")))
    finish(result, quiet)


reword(predict_cmd, "batch_size", "Posts per batch (config engagement.predict_batch_size; "
       "default 8192 on the CPU, 32768 on a GPU).")
