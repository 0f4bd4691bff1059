"""`fbopt enhance POSTS`: improve posts and score them before and after.

Not for enhancement logic (fbopt.enhance).
"""

from __future__ import annotations

from pathlib import Path

import click

from fbopt.cli.options import (
    EXIT_STATUS_HELP,
    finish,
    handle_errors,
    parallel_options,
    run_options,
    setup_logging,
)
from fbopt.cli.quality_options import grammar_options, grammar_overrides

SCORES_HELP = ("Scores (0-1; see README 'Quality scores'): grammar_score, readability_score, "
               "sentiment_score, engagement_score, creativity_score and overall_quality, their "
               "weighted mean (config [quality.weights]).")


@click.command("enhance", epilog=f"{SCORES_HELP}\n\n{EXIT_STATUS_HELP}")
@click.argument("posts", type=click.Path(path_type=Path))
@click.option("--text-column", default=None, metavar="NAME",
              help="Column holding the post (default: the first of text, message, "
                   "status_message, content, post).")
@click.option("--strategies", default=None, metavar="LIST",
              help="Comma-separated: grammar, readability, sentiment, engagement, or all "
                   "(config enhance.strategies; default all).")
@click.option("--fresh", is_flag=True,
              help="Start over: ignore the finished batches a stopped run of this same command "
                   "kept (by default it resumes).")
@grammar_options
@parallel_options
@run_options
@handle_errors
def enhance_cmd(posts: Path, text_column: str | None, strategies: str | None, fresh: bool,
                grammar_backend: str | None, languagetool_url: str | None, output: Path | None,
                report: Path | None, config_path: Path | None, batch_size: int | None,
                quiet: bool, verbose: int, debug: bool, parallel_settings: dict) -> None:
    """Improve every post in POSTS (CSV, Parquet or JSON Lines) and score it before and after.

    A strategy runs on a post when its score is under the configured threshold, and its change
    is kept only if overall_quality rises. URLs, @mentions, #hashtags, numbers, prices and
    quoted text are never altered. Optional columns: topic (for hashtags), content_type
    (news posts keep their tone).

    \b
    Example:
      fbopt enhance sample_data/posts.csv --strategies grammar,readability -o better.csv
    writes better.csv (text_enhanced, enhancements, *_before, *_after, quality_gain,
    grammar_issues) and posts.enhance.report.json.

    \b
    On a Dask cluster (pip install 'fbopt[dask]'):
      fbopt enhance big.parquet --backend dask --scheduler tcp://10.0.0.5:8786
    """
    from fbopt.config import load_config
    from fbopt.enhance.run import enhance

    setup_logging(verbose, quiet)
    overrides = {"run.batch_size": batch_size, **parallel_settings,
                 **grammar_overrides(grammar_backend, languagetool_url)}
    config = load_config(config_path, overrides)
    result = enhance(posts, output, report=report, text_column=text_column,
                     strategies=strategies, config=config, fresh=fresh,
                     progress=not quiet and bool(config.get("run.progress")))
    finish(result, quiet)
