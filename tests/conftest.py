"""Shared fixtures: every test gets its own FBOPT_HOME and a clean FBOPT_*/API-key environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_data"
SHARED_DATA = REPO.parent / "shared" / "data"

_KEY_VARS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "CO_API_KEY", "COHERE_API_KEY",
             "GEMINI_API_KEY", "GOOGLE_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL",
             "GOOGLE_GEMINI_BASE_URL", "CO_API_URL")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point FBOPT_HOME at a fresh folder and drop settings and keys from the environment, so no
    test reads or writes the user's state or reaches a real provider."""
    home = tmp_path_factory.mktemp("fbopt_home")
    monkeypatch.setenv("FBOPT_HOME", str(home))
    for name in list(os.environ):
        if name.startswith("FBOPT_") and name != "FBOPT_HOME":
            monkeypatch.delenv(name)
    for name in _KEY_VARS:
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test inside an empty folder, where default outputs land."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
