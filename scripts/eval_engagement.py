"""Evaluate the engagement model: learn on each page's first 80% of posts by time, predict the
last 20%, print Spearman overall and mean within page (and the page-mean baseline).

Usage: .venv/bin/python scripts/eval_engagement.py DATA [--device cpu] [--epochs N]
       [--members N] [--no-measured-age] [--seed N]
DATA is any format `fbopt learn` reads (jbencina news, page-post scraper, fbopt's own).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fbopt.config import load_config  # noqa: E402
from fbopt.engagement.formats import detect_columns, posts_schema, to_posts  # noqa: E402
from fbopt.engagement.metrics import spearman, spearman_within  # noqa: E402
from fbopt.pipeline import open_input  # noqa: E402


def load(path: str) -> tuple[pa.Table, np.ndarray, np.ndarray, np.ndarray]:
    """The whole table, and each row's page, time and log1p outcome, read the way learn does."""
    reader = open_input(path, 1 << 16)
    columns = detect_columns(reader.columns)
    schema = posts_schema(columns, "eval", need_target=True)
    mapping = schema.resolve(reader.columns, path)
    batches, posts = [], []
    for first, batch in reader:
        batches.append(batch)
        posts.append(to_posts(schema.typed(batch, mapping, path, first), batch.num_rows, path,
                              first))
    table = pa.Table.from_batches(batches)
    page = np.concatenate([p.page for p in posts]).astype(str)
    when = np.concatenate([p.time for p in posts])
    when = np.where(np.isnan(when), np.arange(len(when)), when)
    target = np.concatenate([p.target for p in posts])
    return table, page, when, np.log1p(target)


def split(page: np.ndarray, when: np.ndarray, share: float = 0.8) -> np.ndarray:
    """True for each page's last (1 - share) of posts by time."""
    test = np.zeros(len(page), dtype=bool)
    for key in np.unique(page):
        rows = np.flatnonzero(page == key)
        ordered = rows[np.argsort(when[rows], kind="stable")]
        test[ordered[int(np.floor(len(ordered) * share)):]] = True
    return test


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--members", type=int)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--no-measured-age", action="store_true",
                        help="drop the scrape-time column, so the model cannot use the age "
                             "at measurement")
    args = parser.parse_args()

    import fbopt

    table, page, when, y = load(args.data)
    if args.no_measured_age:
        drop = [n for n in table.column_names if n.lower() in {"scrape_time", "scraped_at",
                                                               "measured_at", "collected_at"}]
        table = table.drop_columns(drop)
    test = split(page, when)
    overrides = {"engagement.epochs": args.epochs, "engagement.members": args.members,
                 "engagement.seed": args.seed}
    config = load_config(None, overrides)
    train_rows, test_rows = np.flatnonzero(~test), np.flatnonzero(test)
    page_mean = {k: y[train_rows][page[train_rows] == k].mean() for k in np.unique(page)}
    baseline = np.array([page_mean.get(k, y[train_rows].mean()) for k in page[test_rows]])
    with tempfile.TemporaryDirectory() as folder:
        model = Path(folder) / "model.pt"
        start = time.perf_counter()
        learned = fbopt.learn(table.take(train_rows).to_pandas(), model_path=model,
                              device=args.device, config=config)
        trained = time.perf_counter() - start
        start = time.perf_counter()
        result = fbopt.predict(table.take(test_rows).to_pandas(), model_path=model,
                               device=args.device, config=config)
        predicted = time.perf_counter() - start
    frame = result.output
    guess = np.log1p(frame["predicted_engagement"].to_numpy())
    actual, pages = y[test_rows], page[test_rows]
    inside = (np.log1p(frame["predicted_low"].to_numpy()) <= actual) & (
        actual <= np.log1p(frame["predicted_high"].to_numpy()))
    print(f"data: {args.data}  train {len(train_rows)} / test {len(test_rows)} posts, "
          f"{len(np.unique(page))} pages")
    print(f"validation (inside learn): {learned.metrics}")
    print(f"page mean baseline: spearman {spearman(baseline, actual):.4f} overall, "
          f"{spearman_within(baseline, actual, pages):.4f} within page")
    print(f"fbopt model:        spearman {spearman(guess, actual):.4f} overall, "
          f"{spearman_within(guess, actual, pages):.4f} within page; "
          f"MAE(log) {np.mean(np.abs(guess - actual)):.4f}; "
          f"{learned.report.metrics.get('best_epoch')} epochs; "
          f"interval coverage {inside.mean():.3f} (nominal {config.get('engagement.interval')})")
    print(f"learn {trained:.1f}s, predict {predicted:.2f}s")


if __name__ == "__main__":
    main()
