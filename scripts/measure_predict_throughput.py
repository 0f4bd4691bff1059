"""Measure `predict` end to end (read, featurise, infer, recommend, write) over N posts.

Usage: .venv/bin/python scripts/measure_predict_throughput.py [--rows 100000]
       [--data FILE] [--device cpu|cuda] [--format csv|parquet] [--model-path FILE]
       [--batch-size N] [--no-recommendations] [--repeat 3]

Builds the input by repeating DATA (default: the jbencina news posts when present, else
sample_data/posts.csv) to N rows, trains a short model on DATA unless --model-path is given
(the speed of prediction does not depend on how well the model was trained), then times
fbopt.predict on the file and prints posts per second with the time per stage.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

NEWS = REPO.parent / "shared" / "data" / "jbencina-facebook-news" / "fb_news_posts_20K.csv"


def build_input(data: Path, rows: int, folder: Path, fmt: str) -> Path:
    import csv

    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    with open(data, encoding="utf-8-sig", newline="") as fh:
        names = next(csv.reader(fh))
    # Every column as text, so the file written keeps the source's own formats.
    table = pacsv.read_csv(data, parse_options=pacsv.ParseOptions(newlines_in_values=True),
                           convert_options=pacsv.ConvertOptions(
                               column_types={n: pa.string() for n in names},
                               strings_can_be_null=True))
    copies = -(-rows // table.num_rows)
    big = pa.concat_tables([table] * copies).slice(0, rows)
    path = folder / f"posts_{rows}.{fmt}"
    if fmt == "parquet":
        pq.write_table(big, path)
    else:
        pacsv.write_csv(big, path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--data", type=Path, default=NEWS if NEWS.exists()
                        else REPO / "sample_data" / "posts.csv")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--model-path", type=Path)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--no-recommendations", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import fbopt
    from fbopt.config import load_config

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        model = args.model_path
        if model is None:
            model = folder / "model.pt"
            start = time.perf_counter()
            config = load_config(None, {"engagement.epochs": 2, "engagement.refit": False})
            fbopt.learn(args.data, model_path=model, device=args.device, config=config,
                        report=folder / "learn.json")
            print(f"trained a short model on {args.data.name} in "
                  f"{time.perf_counter() - start:.1f}s")
        source = build_input(args.data, args.rows, folder, args.format)
        print(f"input: {args.rows} posts, {source.stat().st_size / 1e6:.1f} MB {args.format}")
        for attempt in range(1, args.repeat + 1):
            out = folder / "out.parquet"
            start, cpu = time.perf_counter(), time.process_time()
            result = fbopt.predict(source, out, model_path=model, device=args.device,
                                   batch_size=args.batch_size,
                                   recommendations=0 if args.no_recommendations else None,
                                   report=folder / "predict.json")
            wall = time.perf_counter() - start
            cpu = time.process_time() - cpu
            stages = result.report.stage_seconds
            print(f"run {attempt}: {args.rows / wall:,.0f} posts/s end to end ({wall:.2f}s, "
                  f"{cpu:.2f} CPU-s over all threads; "
                  + ", ".join(f"{k} {v:.2f}s" for k, v in stages.items())
                  + f"; device {result.report.metrics['device']}, "
                  f"batch {result.report.metrics['batch_size']})")


if __name__ == "__main__":
    main()
