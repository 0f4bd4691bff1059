"""The executor layer: results in input order and the same scores on every backend, small
inputs in process, loky workers reused with one analyser each, clear errors for a bad backend
or a missing dask, and fbopt.score / fbopt.enhance in a script with no main guard and on stdin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from fbopt import parallel
from fbopt.config import load_config
from fbopt.errors import ConfigError
from fbopt.parallel import Executor, ParallelSettings, borrowed, chunked
from fbopt.quality.analyse import warm_up
from fbopt.quality.score import QualitySettings, Scorer, scorer_from_config
from tests.conftest import REPO

OPENINGS = ("Big news", "Their is a sale", "Meet Luna", "we are open", "Breaking", "Hey friends",
            "Last call")
BODIES = ("the books is cheap this week and the the staff is nice", "come try our new oat latte",
          "Could she be your new best friend? Tag someone who needs a dog.",
          "the mayor said the road will close untill friday", "prices starts at $9 for members",
          "its going to be a long weekend so plan ahead", "WE LOVE OUR CUSTOMERS!!!",
          "read the full story at bit.ly/news-today", "alot of people asked, so here it is",
          "join @citylibrary for story time #reading", "the council voted 7-2 on the budget")
CLOSINGS = ("See you there!", "Share this post.", "What do you think?", "", "#local")


def varied_posts(n: int) -> list[str]:
    """n different posts, with the mistakes and signals the scorers look for."""
    return [f"{OPENINGS[i % 7]} #{i}: {BODIES[i % 11]} {CLOSINGS[i % 5]}".strip()
            for i in range(n)]


def scores(results: list) -> list[dict]:
    return [{**r.scores(), "issues": [i.as_record() for i in r.grammar_issues]}
            for r in results]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return varied_posts(600)


@pytest.fixture(scope="module")
def in_process(texts: list[str]) -> list[dict]:
    with Scorer(QualitySettings(workers=1)) as scorer:
        return scores(scorer.score(texts))


@pytest.mark.parametrize("backend", ["loky", "threading"])
def test_every_backend_gives_the_scores_of_one_process(backend: str, texts: list[str],
                                                       in_process: list[dict]) -> None:
    settings = QualitySettings(workers=2, pool_min_texts=64, backend=backend)
    with Scorer(settings) as scorer:
        pooled = scores(scorer.score(texts))
        described = scorer.metrics()["parallel"]
    assert described["backend"] == backend and described["chunks"] > 2
    assert pooled == in_process  # same rows, same order, same scores and issues


def test_small_inputs_stay_in_process(texts: list[str]) -> None:
    with Scorer(QualitySettings(workers=2, pool_min_texts=256)) as scorer:
        scorer.score(texts[:50])
        assert scorer._executor is None and "parallel" not in scorer.metrics()


def test_results_come_back_in_input_order() -> None:
    chunks = [[str(i)] * (1 + i % 3) for i in range(40)]
    seen: list[int] = []
    for backend in ("loky", "threading"):
        out = Executor(ParallelSettings(2, backend)).map(len, chunks, progress=seen.append)
        assert out == [len(c) for c in chunks]
    assert seen == list(range(1, 41)) * 2  # progress as each chunk's result arrives


def test_loky_workers_are_reused_and_build_one_analyser_each(texts: list[str]) -> None:
    executor = Executor(ParallelSettings(2, "loky"))
    first = {pid for pid, _ in executor.map(warm_up, range(16))}
    for _ in range(2):  # two runs, as two fbopt.score calls in one script would be
        with Scorer(QualitySettings(workers=2, pool_min_texts=64)) as scorer:
            scorer.score(texts[:300])
    counts = dict(executor.map(_analysers_here, range(16)))
    assert set(counts) & first  # the same worker processes answered before and after
    assert os.getpid() not in counts
    assert set(counts.values()) == {1}  # built once per worker, kept across runs


def _analysers_here(_: object) -> tuple[int, int]:
    time.sleep(0.05)  # long enough that both workers take some of these tasks
    return os.getpid(), sum(len(v) for k, v in parallel._FREE.items() if k[0] == "analyser")


def test_borrowed_never_hands_one_object_to_two_threads_at_once() -> None:
    built, in_use, clash = [], set(), []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(20):
            with borrowed("test-object", lambda: built.append(object()) or built[-1]) as obj:
                with lock:
                    clash.append(id(obj) in in_use)
                    in_use.add(id(obj))
                time.sleep(0.001)
                with lock:
                    in_use.discard(id(obj))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not any(clash) and 1 <= len(built) <= 4


def test_chunks_cover_every_item_once() -> None:
    items = list(range(1001))
    chunks = chunked(items, workers=2)
    assert [x for c in chunks for x in c] == items
    assert all(16 <= len(c) <= 256 for c in chunks[:-1])


def test_settings_come_from_run_section_and_bad_ones_are_clear() -> None:
    config = load_config(overrides={"run.jobs": 3, "run.backend": "threading"})
    q = QualitySettings.from_config(config)
    assert (q.workers, q.backend) == (3, "threading")
    with pytest.raises(ConfigError, match="unknown parallel backend 'ray'"):
        ParallelSettings.from_config(load_config(overrides={"run.backend": "ray"}))
    with pytest.raises(ConfigError, match="run.jobs must be >= 0"):
        ParallelSettings(jobs=-1)


def test_dask_without_the_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    monkeypatch.setattr(parallel, "_CLIENTS", {})
    with pytest.raises(ConfigError, match=r"pip install 'fbopt\[dask\]'"):
        ParallelSettings(backend="dask")


def test_cli_dask_without_the_extra_is_one_line_exit_2(tmp_path: Path) -> None:
    posts = tmp_path / "posts.csv"
    posts.write_text("text\n" + "\n".join(varied_posts(300)) + "\n", encoding="utf-8")
    blocker = tmp_path / "no_dask"
    blocker.mkdir()
    (blocker / "distributed.py").write_text("raise ImportError('no distributed here')\n")
    env = {**os.environ, "PYTHONPATH": str(blocker)}
    done = subprocess.run([sys.executable, "-m", "fbopt", "enhance", str(posts), "-q",
                           "--backend", "dask", "-o", str(tmp_path / "out.parquet")],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install 'fbopt[dask]'" in lines[0]
    assert not (tmp_path / "out.parquet").exists()


NO_GUARD = """
import json, sys
import pandas as pd
import fbopt
texts = json.load(open(sys.argv[1] if len(sys.argv) > 1 else {path!r}))
scored = fbopt.score(texts)
again = fbopt.score(texts)
enhanced = fbopt.enhance(pd.DataFrame({{"text": texts}})).output
print(json.dumps({{"scored": [r["overall_quality"] for r in scored],
                  "again": [r["overall_quality"] for r in again],
                  "enhanced": enhanced["text_enhanced"].tolist()}}))
"""


def test_api_in_a_script_with_no_main_guard_and_on_stdin(tmp_path: Path) -> None:
    """1,000 texts: enough for the pool (not one process); the README's scripts have no guard."""
    texts = varied_posts(1000)
    data = tmp_path / "texts.json"
    data.write_text(json.dumps(texts), encoding="utf-8")
    script = tmp_path / "score_posts.py"
    script.write_text(NO_GUARD.format(path=str(data)), encoding="utf-8")
    env = {**os.environ, "FBOPT_RUN_JOBS": "2", "PYTHONPATH": str(REPO)}
    outs = []
    for command, stdin in (([sys.executable, str(script)], None),
                           ([sys.executable, "-"], script.read_text(encoding="utf-8"))):
        done = subprocess.run(command, input=stdin, capture_output=True, text=True, env=env,
                              cwd=tmp_path, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "bootstrapping" not in done.stderr and "BrokenProcessPool" not in done.stderr
        outs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    for out in outs:
        assert len(out["scored"]) == len(out["enhanced"]) == 1000
        assert out["scored"] == out["again"]
    assert outs[0] == outs[1]
    with scorer_from_config(load_config(overrides={"run.jobs": 1})) as scorer:
        here = [r.overall_quality for r in scorer.score(texts)]
    assert outs[0]["scored"] == here  # the same scores as in one process
