"""Peak memory of `fbopt generate` on a small and a large topics file (issue: the large run's
peak stays within 1.5x the small run's).

Usage: python scripts/measure_memory.py [--small 10000] [--large 1000000] [--score] [--workdir DIR]
Each run is a fresh `fbopt generate` process; its peak RSS comes from the run report. Scoring
is off unless --score (it runs in worker processes and is ~100x slower than composing).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AUDIENCES = ["coffee lovers", "developers", "parents", "runners", "small business owners"]
TONES = ["friendly", "professional", "playful", "inspirational", "urgent"]
SUBJECTS = ["home brewing", "cloud costs", "screen time", "marathon training", "local marketing",
            "balcony gardens", "password managers", "sourdough", "city cycling", "budget travel"]


def write_topics(path: Path, rows: int) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("id,topic,audience,tone\n")
        for i in range(rows):
            subject = SUBJECTS[i % len(SUBJECTS)]
            fh.write(f"t{i},{subject} tip number {i},{AUDIENCES[i % 5]},{TONES[(i // 5) % 5]}\n")


def measure(topics: Path, folder: Path, score: bool) -> dict:
    report = folder / f"{topics.stem}.report.json"
    start = time.perf_counter()
    output = folder / f"{topics.stem}.out.parquet"
    subprocess.run([sys.executable, "-m", "fbopt", "generate", str(topics), "-q", "--fresh",
                    "-o", str(output), "--report", str(report),
                    "--score" if score else "--no-score"], check=True)
    data = json.loads(report.read_text())
    data["elapsed"] = time.perf_counter() - start
    return data


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--score", action="store_true", help="score every post too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        folder = Path(tmp)
        results = {}
        for label, rows in (("small", args.small), ("large", args.large)):
            topics = folder / f"topics_{rows}.csv"
            write_topics(topics, rows)
            results[label] = measure(topics, folder, args.score)
            r = results[label]
            print(f"{rows:>9,} topics: peak RSS {r['peak_rss_mb']:.1f} MiB, "
                  f"{r['rows_out']:,} posts in {r['wall_seconds']:.1f}s "
                  f"({r['rows_per_second']:,.0f} posts/s)")
        ratio = results["large"]["peak_rss_mb"] / results["small"]["peak_rss_mb"]
        print(f"peak ratio large/small: {ratio:.2f} (target <= 1.5): "
              f"{'OK' if ratio <= 1.5 else 'OVER'}")


if __name__ == "__main__":
    main()
