"""Secrets: every command runs with canary API keys for all four providers in the environment
(sent as Authorization / x-api-key / x-goog-api-key headers to the loopback server, which also
quotes them back in error bodies), and nothing fbopt writes may hold one: outputs, reports,
FBOPT_HOME (post cache, checkpoints of a killed run, history), stdout and stderr with -vv, and
the messages of the exceptions the adapters raise."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

import pytest
from click.testing import CliRunner

from fbopt.cli.main import COMMANDS, cli
from tests.conftest import REPO, SAMPLE
from tests.fakes.llm_server import Action, FakeServer

CANARIES = {
    "OPENAI_API_KEY": "sk-proj-CANARYopenai7f3e9d2c41b8a6e0",
    "ANTHROPIC_API_KEY": "sk-ant-api03-CANARYanthropic5b2d8e1f",
    "CO_API_KEY": "CANARYcohere9a8b7c6d5e4f3a2b1c0d",
    "GEMINI_API_KEY": "AIzaCANARYgemini1q2w3e4r5t6y7u8i9o",
}
# What a leak would show even if partly masked: the distinctive middle of each key.
FRAGMENTS = [key[key.index("CANARY"):][:18] for key in CANARIES.values()]


def leaks(texts: dict[str, bytes]) -> list[str]:
    found = []
    for where, data in texts.items():
        for secret in [*CANARIES.values(), *FRAGMENTS]:
            if secret.encode() in data:
                found.append(f"{secret[:10]}… in {where}")
    return found


def written(*roots: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for root in roots for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    with FakeServer(faults=0.1, seed=5, hang=0.4) as fake:
        for name, key in CANARIES.items():
            monkeypatch.setenv(name, key)
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url + "/v1")
        for var in ("ANTHROPIC_BASE_URL", "CO_API_URL", "GOOGLE_GEMINI_BASE_URL"):
            monkeypatch.setenv(var, fake.url)
        monkeypatch.setenv("FBOPT_LLM_RETRY_BASE_DELAY", "0.01")
        monkeypatch.setenv("FBOPT_LLM_RETRY_MAX_DELAY", "0.02")
        monkeypatch.setenv("FBOPT_LLM_TIMEOUT", "0.2")
        monkeypatch.setenv("FBOPT_GENERATE_SCORE", "false")  # seconds, and holds no key
        yield fake


def fbopt(folder: Path, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-m", "fbopt", *args], cwd=folder, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def echo_keys(server: FakeServer) -> None:
    """The next answers quote the caller's key back, as real APIs do on a bad key."""
    server.enqueue(Action("status", 401, message="Incorrect API key provided", echo_key=True),
                   Action("status", 500, message="upstream failed for", echo_key=True),
                   Action("status", 429, {"retry-after-ms": "5"}, message="slow down",
                          echo_key=True))


def test_generate_killed_resumed_and_verbose_leaks_no_key(workdir, isolated_home, server):
    topics = workdir / "topics.csv"
    subjects = ["Kubernetes autoscaling tips", "Friday trivia night", "30% off running shoes"]
    topics.write_text("id,topic,audience\n" + "".join(
        f"t{i},{subjects[i % 3]} {i},small businesses\n" for i in range(24)), encoding="utf-8")
    args = ["generate", "topics.csv", "-o", "drafts.jsonl", "-vv", "--batch-size", "4",
            "--concurrency", "4", "--semantic-cache", "0.9"]
    echo_keys(server)
    proc = fbopt(workdir, *args)
    deadline = time.monotonic() + 60
    while len(server.seen) < 10 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    out1, err1 = proc.communicate(timeout=30)
    checkpoint = written(isolated_home / "checkpoints")
    assert any(name.endswith(".arrow") for name in checkpoint)  # there was something to scan
    assert b"HTTP Request" in err1  # -vv really logged the calls (in a process of its own,
    # where logging is not pytest's)
    echo_keys(server)
    result = CliRunner().invoke(cli, args)  # the resumed run
    assert result.exit_code in (0, 3), result.stderr
    out2, err2 = result.stdout.encode(), result.stderr.encode()
    drafts = (workdir / "drafts.jsonl").read_bytes()
    assert b"Incorrect API key provided" in drafts  # the echoed errors reached the rows...
    sent = {s.headers.get("authorization", "") + s.headers.get("x-api-key", "")
            + s.headers.get("x-goog-api-key", "") for s in server.seen}
    assert {k for k in CANARIES.values() if any(k in h for h in sent)} >= {
        CANARIES["OPENAI_API_KEY"], CANARIES["ANTHROPIC_API_KEY"]}  # ...the keys were sent
    everything = {**written(workdir, isolated_home), **checkpoint, "stdout": out1 + out2,
                  "stderr": err1 + err2}
    assert leaks(everything) == []


def test_benchmark_with_keys_in_the_environment_leaks_nothing(workdir, isolated_home, server,
                                                              monkeypatch):
    monkeypatch.setenv("FBOPT_BENCHMARK_LATENCY_SAMPLES", "2")
    result = CliRunner().invoke(cli, ["benchmark", "--stages", "generate.openai", "--rows",
                                      "20", "--repeat", "1", "--warmup", "0", "--scaling",
                                      "none", "--report", "bench.json", "-vv"])
    assert result.exit_code == 0, result.stderr
    assert (workdir / "bench.html").exists()
    everything = {**written(workdir, isolated_home), "stdout": result.stdout.encode(),
                  "stderr": result.stderr.encode()}
    assert leaks(everything) == []


def sample_posts(folder: Path, n: int) -> Path:
    with (SAMPLE / "posts.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))[:n + 1]
    with (folder / "posts.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return folder / "posts.csv"


def test_learn_then_predict_with_keys_in_the_environment_leak_nothing(workdir, isolated_home,
                                                                      server, monkeypatch):
    sample_posts(workdir, 60)
    for key, value in {"EPOCHS": "1", "REFIT": "false", "HASH_BITS": "10"}.items():
        monkeypatch.setenv(f"FBOPT_ENGAGEMENT_{key}", value)
    outputs = {}
    for args in (["learn", "posts.csv", "-vv"], ["predict", "posts.csv", "-o", "scored.csv"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.stderr
        outputs[f"{args[0]} stdout"] = result.stdout.encode()
        outputs[f"{args[0]} stderr"] = result.stderr.encode()
    files = written(workdir, isolated_home)
    assert any(name.endswith(".pt") for name in files) and (workdir / "scored.csv").exists()
    assert leaks({**files, **outputs}) == []


COVERED_ABOVE = {"generate", "benchmark", "learn", "predict"}
RECIPES = {
    "enhance": ["enhance", "posts.csv", "-o", "better.csv", "--strategies",
                "readability,sentiment", "-vv"],
}


@pytest.mark.parametrize("command", sorted(set(COMMANDS) - COVERED_ABOVE))
def test_every_other_command_leaks_no_key(workdir, isolated_home, server, command):
    args = RECIPES.get(command, [command, "--help"])
    sample_posts(workdir, 12)
    result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.stderr
    everything = {**written(workdir, isolated_home), "stdout": result.stdout.encode(),
                  "stderr": result.stderr.encode()}
    assert leaks(everything) == []


@pytest.mark.parametrize("provider", ["openai", "anthropic", "cohere", "gemini"])
def test_adapter_errors_that_quote_the_key_do_not_repeat_it(provider, server, monkeypatch):
    import asyncio

    from fbopt.config import load_config
    from fbopt.drafts.catalog import load_catalog
    from fbopt.errors import ProviderError
    from fbopt.providers.base import CompletionRequest
    from fbopt.providers.registry import load_adapter, provider_settings

    config = load_config()
    settings = provider_settings(provider, config)
    adapter = load_adapter(provider)(settings, load_catalog(config).prices(provider))
    model = next(m.name for m in load_catalog(config).models.values() if m.provider == provider)
    server.enqueue(Action("status", 401, message="Incorrect API key provided", echo_key=True))

    async def call() -> ProviderError:
        try:
            await adapter.call(CompletionRequest(model=model, prompt="Topic: coffee"))
        except ProviderError as exc:
            return exc
        finally:
            await adapter.aclose()
        raise AssertionError("the call should have failed")

    exc = asyncio.run(call())
    assert "Incorrect API key provided" in exc.message()
    texts = {"message": exc.message(), "str": str(exc), "repr": repr(exc),
             "settings": repr(settings), "hint": exc.hint or ""}
    assert leaks({k: v.encode() for k, v in texts.items()}) == []
    # The SDK's own error stays chained for --debug; the key is in it only as the server said.
    assert traceback.format_exception(exc)
