"""The executor layer and the shared cache, measured: posts/s scoring the news messages with
--jobs 1 and 2 on loky and on a Dask LocalCluster of 2 workers; the Python API on fresh posts
in a new process, start-up included; a Redis-cached rerun from a second process against a
diskcache rerun; peak memory of `enhance --backend dask` at two sizes. Prints numbers only.

Not a test: the numbers depend on the machine and its load (printed beside each).

    .venv/bin/python scripts/measure_parallel.py \\
        ../shared/data/jbencina-facebook-news/fb_news_posts_20K.csv \\
        [--limit N] [--api-posts 5000] [--topics 2000] [--memory 20000,200000] [--skip ...]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fbopt.quality.score import QualitySettings, Scorer  # noqa: E402
from tests.fakes.llm_server import FakeServer  # noqa: E402


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def read_texts(path: Path, limit: int | None) -> list[str]:
    csv.field_size_limit(sys.maxsize)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        texts = [row.get("message") or "" for row in csv.DictReader(fh)]
    return texts[:limit] if limit else texts


def scoring(texts: list[str]) -> None:
    rates = {}
    for label, settings in (("loky --jobs 1", QualitySettings(workers=1)),
                            ("loky --jobs 2", QualitySettings(workers=2)),
                            ("dask LocalCluster 2 workers",
                             QualitySettings(workers=2, backend="dask"))):
        with Scorer(settings) as scorer:
            if settings.workers > 1:  # start the workers and their analysers off the clock
                scorer.score([f"warm up {i}: their is a post" for i in range(600)])
            start = time.perf_counter()
            for i in range(0, len(texts), 2048):
                scorer.score(texts[i:i + 2048])
            rates[label] = len(texts) / (time.perf_counter() - start)
        print(f"score {len(texts)} news messages, {label}: {rates[label]:,.0f} posts/s ({load()})",
              flush=True)
    one, two, dask = rates.values()
    print(f"  scaling 2 vs 1 jobs: {two / one:.2f}x; dask / loky-2: {dask / two:.2f}")


API = """
import json, sys, time
import fbopt
texts = json.load(open(sys.argv[1]))
fbopt.score(texts)
"""


def api(texts: list[str], tmp: Path) -> None:
    data = tmp / "api.json"
    data.write_text(json.dumps(texts), encoding="utf-8")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", API, str(data)], check=True,
                   env={**os.environ, "FBOPT_HOME": str(tmp / "api_home")})
    wall = time.perf_counter() - start
    print(f"Python API, fbopt.score on {len(texts)} fresh posts in a new process with no main "
          f"guard, start-up included: {wall:.1f} s -> {len(texts) / wall:,.0f} posts/s "
          f"({load()})", flush=True)


def generate(topics: Path, out: Path, home: Path, url: str, *extra: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FBOPT_")}
    env.update(FBOPT_HOME=str(home), OPENAI_API_KEY="sk-measure", OPENAI_BASE_URL=url + "/v1")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "fbopt", "generate", str(topics), "-o", str(out), "-q",
                    "--provider", "openai", "--no-score", "--fresh", *extra], check=True, env=env)
    return time.perf_counter() - start


def redis_cache(rows: int, tmp: Path) -> None:
    program = shutil.which("redis-server")
    if not program:
        print("redis: redis-server not installed; skipped")
        return
    topics = tmp / "topics.csv"
    topics.write_text("id,topic\n" + "".join(f"t{i},Topic number {i} for the shop\n"
                                             for i in range(rows)), encoding="utf-8")
    port = 20000 + os.getpid() % 20000
    server = subprocess.Popen([program, "--port", str(port), "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        time.sleep(0.5)
        with FakeServer(delay=0.02) as fake:
            generate(topics, tmp / "d1.parquet", tmp / "home_d", fake.url)
            disk = generate(topics, tmp / "d2.parquet", tmp / "home_d", fake.url)
            generate(topics, tmp / "r1.parquet", tmp / "home_r1", fake.url, "--cache-url", url)
            shared = generate(topics, tmp / "r2.parquet", tmp / "home_r2", fake.url,
                              "--cache-url", url)
        print(f"fully cached rerun of {rows} topics, whole process: diskcache same machine "
              f"{rows / disk:,.0f} rows/s; Redis from a second process {rows / shared:,.0f} "
              f"rows/s ({shared and disk / shared:.2f}x) ({load()})", flush=True)
    finally:
        server.kill()


def memory(texts: list[str], sizes: list[int], tmp: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    for size in sizes:
        path = tmp / f"posts_{size}.parquet"
        repeated = [texts[i % len(texts)] + f" #{i // len(texts)}" for i in range(size)]
        pq.write_table(pa.table({"text": repeated}), path)
        done = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, "-m", "fbopt",
                               "enhance", str(path), "-q", "--backend", "dask", "-o",
                               str(tmp / f"out_{size}.parquet")], capture_output=True, text=True)
        peak = done.stderr.strip().splitlines()[-1]
        print(f"enhance --backend dask, {size} rows: peak RSS of the fbopt process "
              f"{int(peak) / 1024:.0f} MiB (exit {done.returncode}) ({load()})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("posts", type=Path)
    parser.add_argument("--limit", type=int, default=None, help="messages scored (default all)")
    parser.add_argument("--api-posts", type=int, default=5000)
    parser.add_argument("--topics", type=int, default=2000)
    parser.add_argument("--memory", default="20000,200000", help="row counts; empty: skip")
    parser.add_argument("--skip", default="", help="comma list of score,api,redis,memory")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    texts = read_texts(args.posts, args.limit)
    print(f"{os.cpu_count()} cores; {load()} before the run")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        if "score" not in skip:
            scoring(texts)
        if "api" not in skip:
            api(read_texts(args.posts, None)[-args.api_posts:], tmp)
        if "redis" not in skip:
            redis_cache(args.topics, tmp)
        if "memory" not in skip and args.memory:
            memory(texts, [int(n) for n in args.memory.split(",")], tmp)


if __name__ == "__main__":
    main()
