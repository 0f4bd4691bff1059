"""What analytics costs: (1) recording one run (its history row, the alert checks, the score
means and mixes read from a written output) against a history that already holds many runs, and
(2) `--metrics-port` on `fbopt generate --no-score` of many topics, scraped every second (a
Prometheus scrapes every 15 s), against the same command without it. Prints one line each,
with the load average, wall and CPU time.

    .venv/bin/python scripts/measure_analytics.py [--rows 100000] [--repeat 3] [--runs 50]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def write_topics(path: Path, rows: int) -> None:
    subjects = ["Cold brew at home", "Trail running in the rain", "Our bakery turns ten",
                "Kubernetes autoscaling", "Friday trivia night"]
    with path.open("w", encoding="utf-8") as fh:
        fh.write("id,topic,audience\n")
        fh.writelines(f"t{i},{subjects[i % 5]} #{i},small businesses\n" for i in range(rows))


def measure_recording(folder: Path, runs: int, prefill: int) -> None:
    """Median wall and CPU ms of record_run for a closed generate report of 2,048 posts (its
    Parquet output read for the means), with `prefill` runs already in the history."""
    os.environ["FBOPT_HOME"] = str(folder / "home")
    import fbopt
    from fbopt.analytics import record_run, store
    from fbopt.config import load_config

    config = load_config(overrides={"generate.score": True})
    topics = folder / "topics.csv"
    write_topics(topics, 1024)
    os.environ["FBOPT_ANALYTICS_ENABLED"] = "false"
    result = fbopt.generate(topics, folder / "posts.parquet", config=config,
                            report=folder / "posts.json", fresh=True, variants=2)
    del os.environ["FBOPT_ANALYTICS_ENABLED"]
    db = store.connect()
    for i in range(prefill):
        store.insert_run(db, {"command": "generate", "status": "ok", "rows_per_second": 1000 + i,
                              "run_uid": f"prefill-{i}"})
    db.close()
    walls, cpus = [], []
    for _ in range(runs):
        run = result.report
        run.metrics.pop("alerts", None)
        w0, c0 = time.perf_counter(), time.process_time()
        record_run(run, None, folder / "posts.parquet", config)
        walls.append((time.perf_counter() - w0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
    print(f"recording a run ({result.report.rows_out} posts, Parquet output read, history of "
          f"{prefill}+ runs): median {statistics.median(walls):.1f} ms wall "
          f"(p90 {sorted(walls)[int(0.9 * len(walls))]:.1f}), {statistics.median(cpus):.1f} ms "
          f"CPU over {runs} runs; {load()}")


def scrape_every(url: str, stop: threading.Event, seen: list[int]) -> None:
    while not stop.wait(1.0):
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                seen.append(len(response.read()))
        except OSError:
            pass


def one_generate(topics: Path, out: Path, port: int | None) -> tuple[float, float, int]:
    """(wall s, CPU s of the child, scrapes answered) of one `fbopt generate --no-score`."""
    cmd = [sys.executable, "-m", "fbopt", "generate", str(topics), "--no-score", "-q",
           "--fresh", "-o", str(out)]
    if port:
        cmd += ["--metrics-port", str(port)]
    env = {**os.environ, "FBOPT_ANALYTICS_ENABLED": "true"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    stop, seen = threading.Event(), []
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=out.parent)
    if port:
        threading.Thread(target=scrape_every, args=(f"http://127.0.0.1:{port}/metrics", stop,
                                                    seen), daemon=True).start()
    proc.wait()
    wall = time.perf_counter() - start
    stop.set()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode:
        raise SystemExit(f"generate failed with {proc.returncode}")
    return wall, cpu, len(seen)


def measure_metrics_port(folder: Path, rows: int, repeat: int) -> None:
    from tests.system import free_port

    topics = folder / "many.csv"
    write_topics(topics, rows)
    plain, served, scrapes = [], [], 0
    for _ in range(repeat):  # interleaved, so load drifts hit both alike
        plain.append(one_generate(topics, folder / "plain.parquet", None))
        wall, cpu, n = one_generate(topics, folder / "served.parquet", free_port())
        served.append((wall, cpu, n))
        scrapes += n
    for name, index in (("wall", 0), ("CPU", 1)):
        a = statistics.median(r[index] for r in plain)
        b = statistics.median(r[index] for r in served)
        print(f"generate --no-score {rows:,} topics, {name}: {rows / a:,.0f} rows/s plain, "
              f"{rows / b:,.0f} rows/s with --metrics-port ({scrapes} scrapes answered); "
              f"cost {100 * (b - a) / a:+.1f}% (median of {repeat}); {load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--prefill", type=int, default=1000)
    parser.add_argument("--skip-metrics-port", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fbopt-analytics-") as tmp:
        measure_recording(Path(tmp), args.runs, args.prefill)
        if not args.skip_metrics_port:
            measure_metrics_port(Path(tmp), args.rows, args.repeat)


if __name__ == "__main__":
    main()
