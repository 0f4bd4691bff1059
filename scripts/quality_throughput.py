"""Scoring throughput: posts per second with every scorer on, over the `message` column of a CSV
(the jbencina Facebook news posts by default). Prints numbers; asserts nothing.

Not a test: timings depend on the machine and what else runs on it.

    .venv/bin/python scripts/quality_throughput.py \
        ../shared/data/jbencina-facebook-news/fb_news_posts_20K.csv
    options: --column message --limit N --workers N --batch 2048 --rules fast|posts|default
             --harper-floor (also time Harper alone, every rule off: the cost no rule choice
             removes; first on unseen texts, then the same texts again, which Harper caches)
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path
from typing import Any

from fbopt.config import load_config
from fbopt.quality.score import QualitySettings, Scorer


def read_texts(path: Path, column: str, limit: int | None) -> list[str]:
    csv.field_size_limit(sys.maxsize)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        texts = [row.get(column) or "" for row in csv.DictReader(fh)]
    return texts[:limit] if limit else texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("posts", type=Path)
    parser.add_argument("--column", default="message")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--workers", type=int, default=0, help="0: one per CPU core")
    parser.add_argument("--batch", type=int, default=2048, help="texts per Scorer.score call")
    parser.add_argument("--rules", default=None,
                        help="Harper rule selection (default: quality.harper_rules, 'fast')")
    parser.add_argument("--harper-floor", action="store_true",
                        help="also time Harper's lint with every rule off, in this process")
    args = parser.parse_args()

    texts = read_texts(args.posts, args.column, args.limit)
    overrides: dict[str, Any] = {"quality.workers": args.workers}
    if args.rules:
        overrides["quality.harper_rules"] = args.rules
    config = load_config(overrides=overrides)
    settings = QualitySettings.from_config(config)
    start = time.perf_counter()
    with Scorer(settings) as scorer:
        scorer.local()
        workers_before = _worker_cpu(scorer)
        pool_ready = bool(workers_before)
        warm, own_before = time.perf_counter(), time.process_time()
        scored = 0
        for i in range(0, len(texts), args.batch):
            scored += len(scorer.score(texts[i:i + args.batch]))
        end = time.perf_counter()
        own = time.process_time() - own_before
        workers_after = _worker_cpu(scorer)
        metrics = scorer.metrics()
    cpu = own + sum(workers_after[p] - workers_before.get(p, 0.0) for p in workers_after)
    steady = scored / (end - warm)
    total = scored / (end - start)
    cores = scorer.workers()
    print(f"texts: {scored} (unique analysed: {metrics['texts_analysed']}, "
          f"cache hits: {metrics['cache_hits']})")
    print(f"workers: {scorer.workers()} of {os.cpu_count()} cores; "
          f"Harper rules: {settings.analyser.harper_rules}")
    print(f"start-up: {warm - start:.2f} s (pool ready: {pool_ready})")
    print(f"scoring: {end - warm:.2f} s -> {steady:,.0f} posts/s")
    print(f"including start-up: {end - start:.2f} s -> {total:,.0f} posts/s")
    print(f"CPU: {1000 * cpu / scored:.3f} ms per post (of which this process "
          f"{1000 * own / scored:.3f}: signals, creativity, hand-off; scoring only) -> "
          f"{cores * scored / cpu:,.0f} posts/s on {cores} free cores")
    print(f"load average during the run: {os.getloadavg()[0]:.2f}")
    if args.harper_floor:
        harper_floor(list(dict.fromkeys(t for t in texts if t.strip())), cores)


def harper_floor(texts: list[str], cores: int) -> None:
    """Harper's own cost per post with every rule off: parsing (tokens, dictionary, tagger and
    its neural noun-phrase chunker). A fresh process is slow for its first texts, so it warms up
    on the last 1,000 texts and times the others. Then it times 1,000 texts linted a second time
    right away: Harper caches recent sentences, so a benchmark that lints the same posts over
    and over measures much less than a run over new posts costs."""
    import harper

    linter = harper.Linter(harper.Dialect.AMERICAN)
    linter.set_lint_config(dict.fromkeys(linter.get_default_lint_config(), False))
    warm, timed = (texts[-1000:], texts[:-1000]) if len(texts) > 2000 else ([], texts)

    def lint_all(batch: list[str]) -> float:
        start = time.process_time()
        for text in batch:
            linter.lint(text, language=harper.Language.PLAINTEXT)
        return 1000 * (time.process_time() - start) / max(len(batch), 1)

    lint_all(warm)
    for label, ms in (("unseen texts", lint_all(timed)),
                      ("texts it has just seen", lint_all(timed[-1000:]))):
        print(f"Harper alone, every rule off, {label}: {ms:.3f} ms per post -> at most "
              f"{cores * 1000 / ms:,.0f} posts/s on {cores} cores")


def _worker_cpu(scorer: Scorer) -> dict[int, float]:
    """CPU seconds used by each pool worker so far (starting the workers first, outside the
    clock, so start-up and steady state are reported apart). Empty when scoring runs here."""
    workers = scorer.workers()
    if workers <= 1:
        return {}
    from fbopt.quality import analyse

    seen: dict[int, float] = {}
    for _ in range(5):  # tiny tasks land on arbitrary workers: ask until each has answered
        for pid, cpu in scorer.executor().map(analyse.warm_up, range(workers * 4)):
            seen[pid] = max(cpu, seen.get(pid, 0.0))
        if len(seen) >= workers:
            break
    return seen


if __name__ == "__main__":
    main()
