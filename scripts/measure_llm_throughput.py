"""Measure `fbopt generate` against a loopback OpenAI-compatible server that answers after a
fixed delay: requests/s at a given --concurrency, then rows/s of a fully cached rerun.

Usage: .venv/bin/python scripts/measure_llm_throughput.py [--topics 2000] [--delay 0.2]
       [--concurrency 32] [--cached-topics 20000]
Goals (issue 4): >= 80% of concurrency/delay requests/s (128 of 160 at the defaults), and a
fully cached rerun at >= 10,000 rows/s. --cached-topics also fills the cache for a larger file
(against a no-delay server) and times its cached rerun, where start-up weighs less.
Post scoring is off (--no-score) so the numbers are the provider and cache path's; --score
puts it back (then scoring, ~1,100 posts/s on 2 cores, bounds every rate).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FBOPT = [sys.executable, "-m", "fbopt"]

# A model the way a vLLM or Ollama user adds theirs: provider openai, served at OPENAI_BASE_URL.
CATALOG = """prior_strength = 30.0
[models."bench-local"]
provider = "openai"
role = "local OpenAI-compatible server"
price_in = 0.10
price_out = 0.40
latency_ms = 200
context_window = 32768
rpm = 100000
tpm = 100000000
quality = { general = 0.7 }
"""


def start_server(delay: float) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "tests.fakes.llm_server", "--delay", str(delay)],
                            cwd=REPO, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline() if proc.stdout else ""
    if not line.startswith("port "):
        proc.kill()
        raise SystemExit(f"fake server did not start: {line!r}")
    return proc, f"http://127.0.0.1:{line.split()[1]}/v1"


def write_topics(path: Path, n: int) -> None:
    subjects = ["budget travel", "home espresso", "remote onboarding", "urban gardening",
                "kids coding clubs", "trail running", "small-batch candles", "zero-waste kitchens"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "topic", "audience"])
        for i in range(n):
            writer.writerow([f"t{i}", f"{subjects[i % len(subjects)]} idea number {i}",
                             "small business owners"])


def generate(work: Path, topics: Path, base_url: str, concurrency: int, tag: str,
             score: bool = False) -> dict:
    env = dict(os.environ, FBOPT_HOME=str(work / "home"), OPENAI_API_KEY="sk-bench-local",
               OPENAI_BASE_URL=base_url, FBOPT_LLM_MODELS_FILE=str(work / "models.toml"),
               PYTHONPATH=str(REPO))
    report = work / f"{tag}.report.json"
    cmd = [*FBOPT, "generate", str(topics), "--model", "bench-local", "--concurrency",
           str(concurrency), "-o", str(work / f"{tag}.parquet"), "--report", str(report), "-q",
           "--score" if score else "--no-score"]
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=work, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"generate failed ({done.returncode}): {done.stderr[-2000:]}")
    data = json.loads(report.read_text())
    data["process_seconds"] = elapsed
    return data


def summarise(tag: str, data: dict) -> None:
    llm, cache = data["metrics"]["llm"], data["metrics"]["cache"]
    print(f"{tag}: {data['rows_out']} rows, report wall {data['wall_seconds']:.2f}s "
          f"({data['rows_per_second']:,.0f} rows/s), process {data['process_seconds']:.2f}s; "
          f"calls {llm['calls']} in {llm['call_seconds']:.2f}s "
          f"({llm['calls_per_second'] or 0:,.1f} req/s), max in flight {llm['max_in_flight']}; "
          f"cache hit rate {cache['hit_rate']:.3f} (l1 {cache['l1_hit_rate']:.3f}, "
          f"l2 {cache['l2_hit_rate']:.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=2000)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--cached-topics", type=int, default=0)
    parser.add_argument("--score", action="store_true", help="score every post too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fbopt-llm-bench-") as tmp:
        work = Path(tmp)
        (work / "models.toml").write_text(CATALOG)
        topics = work / "topics.csv"
        write_topics(topics, args.topics)
        server, url = start_server(args.delay)
        try:
            first = generate(work, topics, url, args.concurrency, "first", args.score)
            cached = generate(work, topics, url, args.concurrency, "cached", args.score)
        finally:
            server.kill()
            server.wait()
        ceiling = args.concurrency / args.delay
        rate = first["metrics"]["llm"]["calls_per_second"] or 0.0
        summarise("first run", first)
        print(f"  -> {rate:,.1f} req/s = {rate / ceiling:.0%} of the {ceiling:,.0f} req/s that "
              f"--concurrency {args.concurrency} allows at {args.delay * 1000:.0f} ms "
              f"(goal >= 80%); end to end {first['rows_out'] / first['wall_seconds']:,.1f} rows/s")
        summarise("cached rerun", cached)
        print(f"  -> {cached['rows_per_second']:,.0f} rows/s (goal >= 10,000)")
        if args.cached_topics:
            big = work / "big.csv"
            write_topics(big, args.cached_topics)
            server, url = start_server(0.0)
            try:
                generate(work, big, url, 64, "big-fill", args.score)
                big_cached = generate(work, big, url, 64, "big-cached", args.score)
            finally:
                server.kill()
                server.wait()
            summarise(f"cached rerun of {args.cached_topics:,} topics", big_cached)


if __name__ == "__main__":
    main()
