"""What resumability and the whole-input check cost: `generate` (offline composer, scoring off,
so the pipeline itself is what is timed) with checkpoints and the first pass on and off, and a
file of a million empty topics end to end. Prints one line per measurement.

    .venv/bin/python scripts/measure_reliability_overhead.py [--rows 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def write_topics(path: Path, rows: int) -> None:
    subjects = ["Cold brew at home", "Trail running in the rain", "Our bakery turns ten",
                "Kubernetes autoscaling", "Friday trivia night"]
    with path.open("w", encoding="utf-8") as fh:
        fh.write("id,topic,audience\n")
        fh.writelines(f"t{i},{subjects[i % 5]} #{i},small businesses\n" for i in range(rows))


def timed_generate(topics: Path, out: Path, settings: dict[str, object]) -> tuple[float, dict]:
    from fbopt import generate
    from fbopt.config import load_config

    config = load_config(overrides={"generate.score": False, **settings})
    start = time.perf_counter()
    result = generate(topics, out, report=out.with_suffix(".json"), config=config, fresh=True)
    return time.perf_counter() - start, result.report.stage_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["FBOPT_HOME"] = str(folder / "home")
        topics = folder / "topics.csv"
        write_topics(topics, args.rows)
        variants = {
            "plain (no checkpoint, no first pass)": {"resume.enabled": False,
                                                     "run.validate_first": False},
            "first pass only": {"resume.enabled": False, "run.validate_first": True},
            "checkpoint only": {"resume.enabled": True, "run.validate_first": False},
            "both (default)": {"resume.enabled": True, "run.validate_first": True},
        }
        timed_generate(topics, folder / "warm.parquet", {})  # imports, caches
        for name, settings in variants.items():
            runs = [timed_generate(topics, folder / "out.parquet", settings)
                    for _ in range(args.repeat)]
            wall = statistics.median(r[0] for r in runs)
            # Rows/s moves with whatever else the machine runs; the stages' own seconds, as a
            # share of their run, are the steadier measure of the overhead.
            extra = statistics.median(r[1].get("check", 0) + r[1].get("checkpoint", 0)
                                      for r in runs)
            share = statistics.median((r[1].get("check", 0) + r[1].get("checkpoint", 0)) / r[0]
                                      for r in runs)
            print(f"generate {args.rows} topics, {name}: {args.rows / wall:,.0f} rows/s "
                  f"(median of {args.repeat}); first pass + checkpoint {extra:.3f}s = "
                  f"{share:.1%} of the run")
        empty = folder / "empty.csv"
        with empty.open("w") as fh:
            fh.write("id,topic\n")
            fh.writelines(f"{i},\n" for i in range(1_000_000))
        command = [sys.executable, "-c", "import resource, sys; from fbopt.cli.main import cli; "
                   "sys.argv=['fbopt','generate',sys.argv[1],'-o',sys.argv[2],'-q'];\n"
                   "try: cli()\nexcept SystemExit: pass\n"
                   "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)",
                   str(empty), str(folder / "empty.parquet")]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, cwd=folder,
                              env=dict(os.environ, PYTHONPATH=str(REPO)), check=True)
        wall = time.perf_counter() - start
        print(f"generate 1,000,000 empty topics (all skipped), whole process: {wall:.2f}s, "
              f"peak RSS {done.stdout.strip()} MiB")


if __name__ == "__main__":
    main()
