"""Measure a fully cached rerun of `fbopt generate` through the openai provider (loopback fake),
scoring on: rows/s with process start-up taken off, and a profile of where the per-row time goes.

Usage: .venv/bin/python scripts/measure_cached_rerun.py [--sizes 4000,50000] [--no-score]
       [--repeats 2] [--no-profile]
Goal (issue 16): >= 20,000 rows/s at 4,000 topics with scoring on. For each size the script
fills the cache with one run (scoring on), reruns it `--repeats` times unprofiled (best and
median of the report's posts_per_second, whose clock starts once the stage is built and the
late imports are done; and rows per CPU-second of the run, which load moves less) and once
under cProfile, whose table splits the rerun into planning, selector sampling, cache lookups,
scoring, the first pass (input check), checkpointing and output writing. The machine's load
average is printed beside every number: the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure_llm_throughput import CATALOG, FBOPT, REPO, start_server, write_topics  # noqa: E402

# Profile buckets: (label, functions whose cumulative time the bucket is). Buckets nest as the
# labels say (selector sampling is part of planning); the table shows each one's share.
BUCKETS = (
    ("first pass (input check)", ("fbopt/io/check.py:check_input",)),
    ("planning (plan every post)", ("fbopt/drafts/routing.py:assign",)),
    ("  of which selector sampling", ("fbopt/drafts/selector.py:choose",)),
    ("  of which prompt pick+render", ("fbopt/drafts/prompts.py:choose",
                                       "fbopt/drafts/prompts.py:render")),
    ("typed rows (topic_rows)", ("fbopt/drafts/stage.py:topic_rows",)),
    ("dispatch (cache lookups)", ("fbopt/drafts/dispatch.py:run",)),
    ("  of which cache reads", ("fbopt/cache.py:entry",)),
    ("  of which cache keys", ("fbopt/cache.py:cache_key",)),
    ("output columns", ("fbopt/drafts/stage.py:generate_columns",)),
    ("scoring (finish stage)", ("fbopt/quality/score.py:score",
                                "fbopt/drafts/scoring.py:score")),
    ("  of which text analysis", ("fbopt/quality/score.py:analyse",
                                  "fbopt/drafts/scoring.py:analyse")),
    ("score columns", ("fbopt/quality/columns.py:score_columns",)),
    ("checkpointing", ("fbopt/checkpoint.py:record",)),
    ("writing output", ("fbopt/io/writers.py:write", "fbopt/io/writers.py:commit")),
    ("reading input", ("fbopt/io/readers.py:__iter__",)),
)


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def run_generate(work: Path, topics: Path, url: str, tag: str, score: bool,
                 profile: Path | None = None) -> dict:
    env = dict(os.environ, FBOPT_HOME=str(work / "home"), OPENAI_API_KEY="sk-bench-local",
               OPENAI_BASE_URL=url, FBOPT_LLM_MODELS_FILE=str(work / "models.toml"),
               PYTHONPATH=str(REPO))
    report = work / f"{tag}.report.json"
    head = [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "fbopt"] if profile \
        else FBOPT
    cmd = [*head, "generate", str(topics), "--model", "bench-local", "--concurrency", "64",
           "-o", str(work / f"{tag}.parquet"), "--report", str(report), "-q",
           "--score" if score else "--no-score"]
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=work, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"generate failed ({done.returncode}): {done.stderr[-2000:]}")
    data = json.loads(report.read_text())
    data["process_seconds"] = time.perf_counter() - start
    return data


def profile_table(path: Path, rows: int) -> list[str]:
    """Each bucket's cumulative seconds and microseconds per row, from a cProfile dump."""
    stats = pstats.Stats(str(path)).stats  # type: ignore[attr-defined]
    by_name: dict[str, float] = {}
    for (file, _line, name), (_cc, _nc, _tt, cum, _callers) in stats.items():
        short = f"{file.split('/work/')[-1].split('i16/')[-1]}:{name}"
        for marker in (f"{b}" for _, group in BUCKETS for b in group):
            if short.endswith(marker):
                by_name[marker] = by_name.get(marker, 0.0) + cum
    total = max((v[3] for v in stats.values()), default=0.0)
    lines = [f"    {'(whole process, profiled)':34s} {total:8.3f}s"]
    for label, group in BUCKETS:
        seconds = sum(by_name.get(m, 0.0) for m in group)
        lines.append(f"    {label:34s} {seconds:8.3f}s {seconds / rows * 1e6:8.1f} us/row")
    return lines


def measure(size: int, score: bool, repeats: int, profile: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="fbopt-cached-") as tmp:
        work = Path(tmp)
        (work / "models.toml").write_text(CATALOG)
        topics = work / "topics.csv"
        write_topics(topics, size)
        server, url = start_server(0.0)
        try:
            fill = run_generate(work, topics, url, "fill", score)
            print(f"{size:,} topics: fill run {fill['rows_per_second']:,.0f} rows/s "
                  f"({fill['metrics']['llm']['calls']} calls) [{load()}]")
            rates = []
            for i in range(repeats):
                data = run_generate(work, topics, url, f"rerun{i}", score)
                cache = data["metrics"]["cache"]
                if data["metrics"]["llm"]["calls"]:
                    raise SystemExit(f"rerun made {data['metrics']['llm']['calls']} calls")
                run_rate = data["metrics"]["posts_per_second"]
                rates.append(run_rate)
                cpu = data["rows_out"] / max(data["metrics"]["run_cpu_seconds"], 1e-9)
                stages = ", ".join(f"{k} {v:.3f}" for k, v in data["stage_seconds"].items())
                print(f"  cached rerun {i + 1}: {run_rate:,.0f} rows/s after start-up, "
                      f"{cpu:,.0f} rows per CPU-second of the run; "
                      f"{data['rows_per_second']:,.0f} rows/s with stage building "
                      f"(report wall {data['wall_seconds']:.3f}s, process "
                      f"{data['process_seconds']:.2f}s, hit rate {cache['hit_rate']}, "
                      f"scored {data['metrics'].get('quality', {}).get('posts_scored', 0)}, "
                      f"stages s: {stages}) [{load()}]")
            print(f"  -> best {max(rates):,.0f}, median {statistics.median(rates):,.0f} rows/s "
                  f"with scoring {'on' if score else 'off'} (goal >= 20,000 at 4,000)")
            if profile:
                dump = work / "rerun.prof"
                data = run_generate(work, topics, url, "profiled", score, dump)
                print(f"  profile of one cached rerun ({data['rows_out']:,} rows, "
                      f"{data['rows_per_second']:,.0f} rows/s under cProfile) [{load()}]:")
                print("\n".join(profile_table(dump, data["rows_out"])))
        finally:
            server.kill()
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="4000,50000")
    parser.add_argument("--no-score", dest="score", action="store_false")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--no-profile", dest="profile", action="store_false")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        measure(size, args.score, args.repeats, args.profile)


if __name__ == "__main__":
    main()
