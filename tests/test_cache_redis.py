"""The post cache's level 2 in a real redis-server (started here on a free port): shared by two
fbopt processes with different FBOPT_HOMEs, keys namespaced and versioned with the TTL and
values compressed; an unreachable Redis at start is one line and exit 2; one lost mid-run
leaves the run going, uncached, and the report says so."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from fbopt import cache as cache_mod
from fbopt.cache import PostCache
from fbopt.cache_store import REDIS_PREFIX, redact
from fbopt.errors import ConfigError
from fbopt.providers.base import Completion
from tests.cli.test_generate_llm import CANARY, topics_file
from tests.conftest import REPO
from tests.fakes.llm_server import FakeServer
from tests.system import free_port, require_program

redis = pytest.importorskip("redis")


class RedisServer:
    def __init__(self, folder: Path) -> None:
        program = require_program("redis-server")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [program, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    yield server
    server.stop()


def generate(topics: Path, out: Path, home: Path, fake: FakeServer, *extra: str
             ) -> subprocess.CompletedProcess:
    """One fbopt process of its own, with its own FBOPT_HOME (so its disk cache is empty)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FBOPT_")}
    env.update(FBOPT_HOME=str(home), OPENAI_API_KEY=CANARY, OPENAI_BASE_URL=fake.url + "/v1",
               PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "fbopt", "generate", str(topics), "-o", str(out),
                           "--provider", "openai", "--no-score", "-q", *extra],
                          capture_output=True, text=True, env=env, timeout=300)


def test_two_processes_share_the_redis_cache(tmp_path: Path, redis_server: RedisServer) -> None:
    topics = topics_file(tmp_path, 12)
    with FakeServer() as fake:
        first = generate(topics, tmp_path / "a.parquet", tmp_path / "home_a", fake,
                         "--cache-url", redis_server.url)
        assert first.returncode == 0, first.stderr
        asked = len(fake.seen)
        second = generate(topics, tmp_path / "b.parquet", tmp_path / "home_b", fake,
                          "--cache-url", redis_server.url)
        assert second.returncode == 0, second.stderr
        assert asked == 12 and len(fake.seen) == asked  # the second process asked nobody
    a, b = (pq.read_table(tmp_path / f"{n}.parquet").to_pylist() for n in "ab")
    assert {r["cache"] for r in a} == {"miss"} and {r["cache"] for r in b} == {"l2"}
    assert [r["text"] for r in a] == [r["text"] for r in b]
    cache = json.loads((tmp_path / "b.report.json").read_text())["metrics"]["cache"]
    assert cache["l2_hits"] == 12 and cache["level2"] == redis_server.url
    assert cache["level2_lost"] == ""
    keys = redis_server.client.keys("*")
    assert len(keys) == 12 and all(k.decode().startswith(REDIS_PREFIX + "post-v") for k in keys)
    ttl = redis_server.client.ttl(keys[0])
    assert 29 * 86400 < ttl <= 30 * 86400  # cache.ttl_days, as Redis's own expiry
    raw = redis_server.client.get(keys[0])
    value = json.loads(zlib.decompress(raw))  # compressed JSON
    assert value["text"] in {r["text"] for r in a} and len(raw) < len(json.dumps(value))
    assert CANARY.encode() not in raw


def test_unreachable_redis_at_start_is_one_line_and_exit_2(tmp_path: Path) -> None:
    topics = topics_file(tmp_path, 3)
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    with FakeServer() as fake:
        done = generate(topics, tmp_path / "out.parquet", tmp_path / "home", fake,
                        "--cache-url", url)
        assert not fake.seen  # it stopped before asking anyone
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach Redis" in lines[0] and url in lines[0]
    assert not (tmp_path / "out.parquet").exists()


def test_redis_lost_mid_run_goes_on_uncached_and_says_so(tmp_path: Path,
                                                         redis_server: RedisServer) -> None:
    cache_mod._MEMORY.clear()
    store = PostCache(tmp_path / "unused", memory_items=0, url=redis_server.url)
    answer = Completion(text="A post about cake.", tokens_in=3, tokens_out=5)
    store.put("post-v1-a", answer)
    assert store.get("post-v1-a")[1] == "l2"
    redis_server.stop()
    assert store.get("post-v1-a") is None  # a miss: the caller asks the provider again
    store.put("post-v1-b", answer)  # and writing does not stop the run either
    assert store.get("post-v1-b") is None
    store.close()
    lost = store.stats.as_dict()["level2_lost"]
    assert "stopped answering" in lost and "not cached" in lost
    assert not (tmp_path / "unused").exists()  # it never fell back to a disk cache


def test_the_report_never_shows_a_redis_password() -> None:
    assert redact("redis://:s3cret@cache.example:6380/2") == "redis://:***@cache.example:6380/2"
    assert redact("redis://bob:s3cret@h/0") == "redis://bob:***@h/0"
    with pytest.raises(ConfigError) as caught:
        PostCache(Path("unused"), url=f"redis://:s3cret@127.0.0.1:{free_port()}/0")
    assert "s3cret" not in caught.value.message() and "***" in caught.value.message()


def test_a_run_whose_redis_dies_finishes_every_row(tmp_path: Path,
                                                   redis_server: RedisServer) -> None:
    topics = topics_file(tmp_path, 24)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FBOPT_")}
    with FakeServer(delay=0.2) as fake:
        env.update(FBOPT_HOME=str(tmp_path / "home"), OPENAI_API_KEY=CANARY,
                   OPENAI_BASE_URL=fake.url + "/v1", PYTHONPATH=str(REPO))
        run = subprocess.Popen(
            [sys.executable, "-m", "fbopt", "generate", str(topics), "-o",
             str(tmp_path / "out.parquet"), "--provider", "openai", "--no-score",
             "--cache-url", redis_server.url, "--concurrency", "1", "--batch-size", "4"],
            stderr=subprocess.PIPE, text=True, env=env)
        deadline = time.monotonic() + 120
        while len(fake.seen) < 6 and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.02)
        assert redis_server.client.dbsize() >= 4  # it was caching until now
        redis_server.stop()
        _, stderr = run.communicate(timeout=300)
    assert run.returncode == 0, stderr
    rows = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert len(rows) == 24 and {r["status"] for r in rows} == {"ok"}
    cache = json.loads((tmp_path / "out.report.json").read_text())["metrics"]["cache"]
    assert "stopped answering" in cache["level2_lost"]
    assert "stopped answering" in stderr  # and a warning said so while it ran (not under -q)
