"""Evaluate engagement prediction on posts and periods the model never saw: for each data set,
learn on each page's first 80% of posts by time and predict the last 20%, with three models
on the same split in the same run, printed as one table.

Usage: .venv/bin/python scripts/eval_engagement.py DATA... [--device cpu] [--seed N]
       [--only-fold report|tune] [--cache DIR] [--no-linear] [--set engagement.KEY=VALUE]

    page mean     each page's mean log1p outcome over its training posts
    linear model  scikit-learn ridge on word 1-2 gram and character 2-5 gram TF-IDF of the
                  message, one-hot page x post type and page x hour; the target is the post's
                  log1p outcome minus its page's rolling level (mean of its previous 100
                  posts; for held-out posts, of the last 100 training posts), with recency
                  weights exp(3 (t - 0.8)) over each page's time rank t in [0, 1]
    fbopt         fbopt.learn on the training posts, fbopt.predict on the held-out ones

DATA is a file `fbopt learn` reads, or a folder of such files (one page each, as
rleun-facebook-news-dev): a folder is split into two leave-pages-out folds (alternate files
by name), "tune" and "report", each learned and scored on its own pages only; tune settings
on the tune fold and quote the report fold. A data set with a measurement time (scrape_time)
is also run without it. scikit-learn is a development dependency (pip install -e .[test]).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fbopt.config import load_config  # noqa: E402
from fbopt.engagement.formats import detect_columns, posts_schema, to_posts  # noqa: E402
from fbopt.engagement.metrics import spearman, spearman_within  # noqa: E402
from fbopt.pipeline import open_input  # noqa: E402

MEASURED = {"scrape_time", "scraped_at", "measured_at", "collected_at"}


@dataclass
class DataSet:
    name: str
    table: pa.Table
    page: np.ndarray
    when: np.ndarray
    y: np.ndarray
    text: list[str]
    media: np.ndarray


def read(paths: list[Path]) -> pa.Table:
    tables = []
    for path in paths:
        reader = open_input(path, 1 << 16)
        tables.append(pa.Table.from_batches([b for _, b in reader]))
    return pa.concat_tables(tables, promote_options="permissive") if len(tables) > 1 \
        else tables[0]


def prepare(name: str, table: pa.Table) -> DataSet:
    """Each row's page, time, log1p outcome, text and media, read the way learn reads them."""
    columns = detect_columns(table.column_names)
    schema = posts_schema(columns, "eval", need_target=True)
    mapping = schema.resolve(table.column_names, name)
    parts = []
    for first, batch in open_input(table, 1 << 16):
        parts.append(to_posts(schema.typed(batch, mapping, name, first), batch.num_rows, name,
                              first))
    page = np.concatenate([p.page for p in parts]).astype(str)
    when = np.concatenate([p.time for p in parts])
    when = np.where(np.isnan(when), np.arange(len(when)), when)
    y = np.log1p(np.concatenate([p.target for p in parts]))
    text = [t or "" for p in parts for t in p.text.to_pylist()]
    media = np.concatenate([p.media for p in parts])
    return DataSet(name, table, page, when, y, text, media)


def split(page: np.ndarray, when: np.ndarray, share: float = 0.8) -> np.ndarray:
    """True for each page's last (1 - share) of posts by time."""
    test = np.zeros(len(page), dtype=bool)
    for key in np.unique(page):
        rows = np.flatnonzero(page == key)
        ordered = rows[np.argsort(when[rows], kind="stable")]
        test[ordered[int(np.floor(len(ordered) * share)):]] = True
    return test


def page_mean(data: DataSet, train: np.ndarray, test: np.ndarray) -> np.ndarray:
    means = {k: data.y[train][data.page[train] == k].mean() for k in np.unique(data.page[train])}
    fallback = data.y[train].mean()
    return np.array([means.get(k, fallback) for k in data.page[test]])


def rolling_levels(data: DataSet, train: np.ndarray, test: np.ndarray, window: int = 100
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(level of each training post from its page's previous `window` posts, level of each
    test post from its page's last `window` training posts, time rank of training posts)."""
    level_train = np.zeros(len(train))
    rank = np.zeros(len(train))
    level_test = np.zeros(len(test))
    fallback = float(data.y[train].mean())
    for key in np.unique(data.page[train]):
        rows = np.flatnonzero(data.page[train] == key)
        rows = rows[np.argsort(data.when[train][rows], kind="stable")]
        values = data.y[train][rows]
        sums = np.r_[0.0, np.cumsum(values)]
        idx = np.arange(len(rows))
        lo = np.maximum(idx - window, 0)
        count = idx - lo
        level_train[rows] = np.where(count > 0, (sums[idx] - sums[lo]) / np.maximum(count, 1),
                                     fallback)
        rank[rows] = idx / max(len(rows) - 1, 1)
        level_test[data.page[test] == key] = values[-window:].mean()
    level_test[~np.isin(data.page[test], data.page[train])] = fallback
    return level_train, level_test, rank


def linear_model(data: DataSet, train: np.ndarray, test: np.ndarray) -> np.ndarray:
    """The issue's linear model (see the module docstring)."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import Ridge
    from sklearn.preprocessing import OneHotEncoder

    level_train, level_test, rank = rolling_levels(data, train, test)
    hours = np.floor(data.when / 3600.0).astype(np.int64) % 24
    keys = np.stack([np.char.add(np.char.add(data.page, "|"), data.media.astype(str)),
                     np.char.add(np.char.add(data.page, "|"), hours.astype(str))], axis=1)
    onehot = OneHotEncoder(handle_unknown="ignore")
    blocks_train, blocks_test = [onehot.fit_transform(keys[train])], [onehot.transform(
        keys[test])]
    text = np.asarray(data.text, dtype=object)
    if any(text[train]):
        for vectorizer in (TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=2,
                                           sublinear_tf=True),
                           TfidfVectorizer(analyzer="char", ngram_range=(2, 5), min_df=2,
                                           sublinear_tf=True, max_features=300_000)):
            blocks_train.append(vectorizer.fit_transform(text[train]))
            blocks_test.append(vectorizer.transform(text[test]))
    x_train = sparse.hstack(blocks_train).tocsr()
    x_test = sparse.hstack(blocks_test).tocsr()
    ridge = Ridge(alpha=1.0)
    ridge.fit(x_train, data.y[train] - level_train, sample_weight=np.exp(3.0 * (rank - 0.8)))
    return level_test + ridge.predict(x_test)


def cached(cache: Path | None, key: str, compute) -> np.ndarray:
    """The linear model is the slow, fixed part of a run: keep its predictions on disk."""
    if cache is None:
        return compute()
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"{hashlib.sha256(key.encode()).hexdigest()[:20]}.npy"
    if path.exists():
        return np.load(path)
    values = compute()
    np.save(path, values)
    return values


def fbopt_model(data: DataSet, train: np.ndarray, test: np.ndarray, device: str,
                overrides: dict) -> tuple[np.ndarray, np.ndarray, float, dict]:
    """(predicted log1p, inside the 80% interval, learn seconds, learn's validation)."""
    import fbopt

    config = load_config(None, overrides)
    with tempfile.TemporaryDirectory() as folder:
        model = Path(folder) / "model.pt"
        start = time.perf_counter()
        learned = fbopt.learn(data.table.take(train).to_pandas(), model_path=model,
                              device=device, config=config)
        seconds = time.perf_counter() - start
        frame = fbopt.predict(data.table.take(test).to_pandas(), model_path=model,
                              device=device, config=config, recommendations=0).output
    actual = data.y[test]
    inside = (np.log1p(frame["predicted_low"].to_numpy()) <= actual + 1e-9) & (
        actual <= np.log1p(frame["predicted_high"].to_numpy()) + 1e-9)
    return (np.log1p(frame["predicted_engagement"].to_numpy()), inside, seconds,
            {**learned.metrics, "blend": learned.report.metrics.get("blend"),
             "choice": learned.report.metrics.get("blend_choice")})


def data_sets(paths: list[Path], only_fold: str | None, age: str) -> list[DataSet]:
    out = []
    for path in paths:
        files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
        if len(files) > 1:
            folds = {"tune": files[0::2], "report": files[1::2]}
            for fold, chosen in folds.items():
                if only_fold in (None, fold):
                    out.append(prepare(f"{path.name} {fold} fold ({len(chosen)} pages)",
                                       read(chosen)))
            continue
        table = read(files)
        name = path.parent.name if path.is_file() else path.name
        drop = [n for n in table.column_names if n.strip().lower() in MEASURED]
        if not drop or age in ("both", "with"):
            out.append(prepare(name, table))
        if drop and age in ("both", "without"):
            out.append(prepare(name + " without measured age", table.drop_columns(drop)))
    return out


def pair(predicted: np.ndarray, actual: np.ndarray, page: np.ndarray) -> str:
    return f"{spearman(predicted, actual):.3f} / {spearman_within(predicted, actual, page):.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="+", type=Path)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--only-fold", choices=("tune", "report"))
    parser.add_argument("--age", choices=("both", "with", "without"), default="both",
                        help="for data with a measurement time: run with it, without, or both")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir())
                        / "fbopt-eval-cache", help="where the linear model's predictions are "
                        "kept between runs ('' for none)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="an fbopt setting for this run, e.g. engagement.epochs=5")
    args = parser.parse_args()
    overrides: dict = {"engagement.seed": args.seed}
    for item in args.set:
        key, _, value = item.partition("=")
        overrides[key] = value
    cache = args.cache if str(args.cache) else None
    rows = []
    for data in data_sets(args.data, args.only_fold, args.age):
        test = split(data.page, data.when)
        train, held = np.flatnonzero(~test), np.flatnonzero(test)
        actual, pages = data.y[held], data.page[held]
        base = page_mean(data, train, held)
        key = f"v1|{data.name}|{len(data.y)}|{data.y.sum():.6f}|{data.when.sum():.1f}"
        start = time.perf_counter()
        linear = cached(cache, key, lambda d=data, a=train, b=held: linear_model(d, a, b))
        linear_s = time.perf_counter() - start
        guess, inside, learn_s, found = fbopt_model(data, train, held, args.device, overrides)
        rows.append((data.name, f"{len(train)} / {len(held)}", pair(base, actual, pages),
                     pair(linear, actual, pages), pair(guess, actual, pages),
                     f"{inside.mean():.1%}", f"{learn_s:.0f} s"))
        print(f"{data.name}: linear {linear_s:.0f} s; fbopt learn {learn_s:.0f} s, its own "
              f"validation {found}", file=sys.stderr, flush=True)
    head = ("data set", "train / held-out posts", "page mean", "linear model", "fbopt",
            "fbopt 80% interval covers", "fbopt learn")
    print("Spearman overall / mean within page on each page's last 20% of posts by time\n")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
