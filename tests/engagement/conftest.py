"""Shared fixtures for the engagement tests: a tiny, fast configuration and one model trained
on the sample posts that several tests read."""

from __future__ import annotations

from pathlib import Path

import pytest

from fbopt.config import Config, load_config

REPO = Path(__file__).resolve().parents[2]
SAMPLE_POSTS = REPO / "sample_data" / "posts.csv"

TINY = {"engagement.hash_bits": 10, "engagement.linear_bits": 14, "engagement.epochs": 3,
        "engagement.patience": 2,
        "engagement.members": 3, "engagement.embedding_dim": 4, "engagement.hidden": 8,
        "engagement.device": "cpu"}


def tiny_config(**extra: object) -> Config:
    return load_config(None, {**TINY, **extra})


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """(model path, LearnResult) of a tiny model trained once per module on the samples."""
    import fbopt

    folder = tmp_path_factory.mktemp("model")
    model = folder / "engagement.pt"
    # Module fixtures run before the autouse FBOPT_HOME one: isolate this one by hand.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FBOPT_HOME", str(tmp_path_factory.mktemp("home")))
        result = fbopt.learn(SAMPLE_POSTS, model_path=model,
                             report=folder / "posts.learn.json", config=tiny_config())
    return model, result
