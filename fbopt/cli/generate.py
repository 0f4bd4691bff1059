"""`fbopt generate TOPICS`: write posts for every topic.

Not for generation logic (fbopt.drafts.stage).
"""

from __future__ import annotations

from pathlib import Path

import click

from fbopt.cli.llm_options import LLM_HELP, llm_options
from fbopt.cli.options import (
    EXIT_STATUS_HELP,
    cache_url_option,
    finish,
    handle_errors,
    parallel_options,
    run_options,
    setup_logging,
)


@click.command("generate", epilog=f"{LLM_HELP}\n\n{EXIT_STATUS_HELP}")
@click.argument("topics", type=click.Path(path_type=Path))
@click.option("--variants", type=click.IntRange(1, 50), default=None,
              help="Posts per topic for every row (overrides the `variants` column).")
@click.option("--fresh", is_flag=True,
              help="Start over: ignore the finished work a stopped run of this same command "
                   "kept (by default it resumes and asks no provider again for those rows).")
@click.option("--enhance", "enhance_posts", is_flag=True,
              help="Run the enhancer on every post: `text` becomes the improved post, "
                   "`text_draft` keeps the draft (see `fbopt enhance --help`).")
@click.option("--score/--no-score", "score_posts", default=None,
              help="Score every post (grammar, readability, sentiment, engagement, creativity, "
                   "overall_quality). Default on (config generate.score); --no-score is fastest.")
@click.option("--dry-run", is_flag=True,
              help="Make no call: plan every row and print, per model, rows, cache hits, "
                   "tokens, cost online and through the batch API, and expected time.")
@click.option("--batch", "batch_mode", is_flag=True, default=None,
              help="Send the calls through the providers' batch APIs (openai, anthropic) at "
                   "batch prices (about half); answers may take up to 24 h. Config llm.batch.")
@click.option("--no-wait", is_flag=True, default=None,
              help="With --batch: submit, print what was submitted and exit 75; the same "
                   "command later collects.")
@click.option("--batch-fallback", type=click.Choice(["none", "online"]), default=None,
              help="With --batch: rows of an expired, cancelled or failed batch are retried "
                   "once online (online) or marked status=failed (none, the default).")
@llm_options
@cache_url_option
@parallel_options
@run_options
@handle_errors
def generate_cmd(topics: Path, variants: int | None, fresh: bool, enhance_posts: bool,
                 score_posts: bool | None, dry_run: bool, batch_mode: bool | None,
                 no_wait: bool | None, batch_fallback: str | None, output: Path | None,
                 report: Path | None,
                 config_path: Path | None, batch_size: int | None, quiet: bool, verbose: int,
                 debug: bool, llm_settings: dict, parallel_settings: dict) -> None:
    """Write ready-to-post drafts for every topic in TOPICS (CSV, Parquet or JSON Lines).

    TOPICS needs a `topic` column (`subject` or `title` is read as one; names match in any
    case, so `Topic` too, and the summary says which column was read); optional columns: id
    (or topic_id), audience, tone, content_type, language, variants (1-50),
    quality_requirement (0-1), budget (USD per post), urgency (0-1).

    \b
    Example:
      fbopt generate sample_data/topics.csv --variants 2 -o drafts.csv
    writes drafts.csv (topic_id, variant, text, status, provider, model, ..., and each
    post's scores: grammar_score ... overall_quality, grammar_issues) and
    topics.generate.report.json.
    """
    from fbopt.config import load_config
    from fbopt.drafts.stage import generate

    setup_logging(verbose, quiet)
    config = load_config(config_path, {"run.batch_size": batch_size,
                                       "generate.score": score_posts, "llm.batch": batch_mode,
                                       "llm.batch_no_wait": no_wait,
                                       "llm.batch_fallback": batch_fallback, **llm_settings,
                                       **parallel_settings})
    if dry_run:
        from fbopt.drafts.estimate import estimate, format_table

        click.echo(format_table(estimate(topics, config, variants)))
        return
    result = generate(topics, output, report=report, variants=variants, config=config,
                      progress=not quiet and bool(config.get("run.progress")), fresh=fresh,
                      enhance=enhance_posts)
    finish(result, quiet)
