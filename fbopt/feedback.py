"""Performance history: how well each model and each prompt variant did, per content type, kept
in SQLite under FBOPT_HOME and read back as Beta posteriors for Thompson sampling.

Not for choosing (fbopt.drafts.selector and .prompts sample from these posteriors) nor for
measuring engagement (the `learn` command normalises real post results and feeds them here).

The one writer:

    record_outcomes(rows, *, source="learn", db=None) -> int

    `rows` is an iterable of mappings (dicts, DataFrame records) or objects with attributes:
        model           str   required: the model name as written in generate's `model` column
        provider        str   optional: the provider name (`provider` column)
        content_type    str   required: technical, educational, entertainment, personal,
                              promotional or general (generate's `content_type` column)
        prompt_variant  str   optional: generate's `prompt_variant` column; when present the
                              (content_type, prompt_variant) arm is updated too
        engagement      float in [0, 1]: a normalised result (1 = as good as it gets), or
        success         bool: a plain yes/no outcome (True counts as 1.0, False as 0.0)
    Rows with neither `engagement` nor `success`, or whose model is empty or missing (None/NaN),
    are skipped; an engagement outside [0, 1] is an InputError. Each row adds `engagement` to
    the arm's alpha and `1 - engagement` to its beta (a fractional Bernoulli update), all rows
    in one transaction. Returns the number of rows recorded.

The readers, for the samplers:

    model_posteriors(content_type, db=None)  -> {model: Posterior}
    prompt_posteriors(content_type, db=None) -> {prompt_variant: Posterior}
    Posterior(alpha, beta, n): evidence only (start at 0, 0); the caller adds its prior
    pseudo-counts, e.g. `posterior.sample(rng, prior_mean=0.7, prior_strength=4)`.

`db` is a path to the SQLite file; the default is FBOPT_HOME/history.sqlite.
"""

from __future__ import annotations

import math
import random
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fbopt.errors import InputError

HISTORY_FILE = "history.sqlite"
MODEL_ARM = "model"
PROMPT_ARM = "prompt"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS arms (
    kind TEXT NOT NULL,            -- 'model' or 'prompt'
    content_type TEXT NOT NULL,
    arm TEXT NOT NULL,             -- model name, or prompt variant name
    provider TEXT NOT NULL DEFAULT '',
    alpha REAL NOT NULL DEFAULT 0,
    beta REAL NOT NULL DEFAULT 0,
    n INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL,
    PRIMARY KEY (kind, content_type, arm)
);
CREATE TABLE IF NOT EXISTS outcomes (
    recorded_at REAL NOT NULL,
    source TEXT NOT NULL,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    content_type TEXT NOT NULL,
    prompt_variant TEXT NOT NULL,
    reward REAL NOT NULL
);
"""

_UPSERT = """
INSERT INTO arms (kind, content_type, arm, provider, alpha, beta, n, updated_at)
VALUES (?, ?, ?, ?, ?, ?, 1, ?)
ON CONFLICT (kind, content_type, arm) DO UPDATE SET
    alpha = alpha + excluded.alpha, beta = beta + excluded.beta, n = n + 1,
    provider = CASE WHEN excluded.provider != '' THEN excluded.provider ELSE provider END,
    updated_at = excluded.updated_at
"""


@dataclass(frozen=True)
class Posterior:
    """Evidence for one arm: summed rewards (alpha), summed shortfalls (beta), outcomes (n)."""

    alpha: float = 0.0
    beta: float = 0.0
    n: int = 0

    def mean(self, prior_mean: float = 0.5, prior_strength: float = 2.0) -> float:
        a, b = self._params(prior_mean, prior_strength)
        return a / (a + b)

    def sample(self, rng: random.Random, prior_mean: float = 0.5,
               prior_strength: float = 2.0) -> float:
        """One Thompson draw from Beta(prior + evidence)."""
        a, b = self._params(prior_mean, prior_strength)
        return rng.betavariate(a, b)

    def _params(self, prior_mean: float, prior_strength: float) -> tuple[float, float]:
        m = min(max(prior_mean, 0.01), 0.99)
        s = max(prior_strength, 1e-3)
        return m * s + self.alpha, (1 - m) * s + self.beta


def history_path(db: str | Path | None = None) -> Path:
    if db is not None:
        return Path(db)
    from fbopt.home import home_path

    return home_path(HISTORY_FILE)


@contextmanager
def _connect(db: str | Path | None) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(history_path(db), timeout=30.0)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(_SCHEMA)
        yield conn
    finally:
        conn.close()


def _field(row: Any, name: str) -> Any:
    value = row.get(name) if isinstance(row, Mapping) else getattr(row, name, None)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _reward(row: Any, index: int) -> float | None:
    engagement = _field(row, "engagement")
    if engagement is not None:
        value = float(engagement)
        if not 0.0 <= value <= 1.0:
            raise InputError(f"engagement {value!r} is outside [0, 1]", row=index,
                             column="engagement", hint="normalise results to 0-1 before recording")
        return value
    success = _field(row, "success")
    return None if success is None else (1.0 if bool(success) else 0.0)


def _text(row: Any, name: str) -> str:
    value = _field(row, name)
    return "" if value is None else str(value).strip()


def record_outcomes(rows: Iterable[Any], *, source: str = "learn",
                    db: str | Path | None = None) -> int:
    """Record outcomes per (model, content type) and per (content type, prompt variant).
    See the module docstring for the row fields. Returns the number of rows recorded."""
    now = time.time()
    arm_rows: list[tuple[Any, ...]] = []
    log_rows: list[tuple[Any, ...]] = []
    for index, row in enumerate(rows, start=1):
        reward = _reward(row, index)
        model, content_type = _text(row, "model"), _text(row, "content_type").lower() or "general"
        if reward is None or not model:
            continue
        provider, variant = _text(row, "provider"), _text(row, "prompt_variant")
        arm_rows.append((MODEL_ARM, content_type, model, provider, reward, 1 - reward, now))
        if variant:
            arm_rows.append((PROMPT_ARM, content_type, variant, "", reward, 1 - reward, now))
        log_rows.append((now, source, provider, model, content_type, variant, reward))
    if not log_rows:
        return 0
    with _connect(db) as conn, conn:
        conn.executemany(_UPSERT, arm_rows)
        conn.executemany("INSERT INTO outcomes VALUES (?, ?, ?, ?, ?, ?, ?)", log_rows)
    return len(log_rows)


def _posteriors(kind: str, content_type: str, db: str | Path | None) -> dict[str, Posterior]:
    path = history_path(db)
    if not path.exists():
        return {}
    with _connect(path) as conn:
        rows = conn.execute(
            "SELECT arm, alpha, beta, n FROM arms WHERE kind = ? AND content_type = ?",
            (kind, content_type.lower()),
        ).fetchall()
    return {arm: Posterior(alpha, beta, n) for arm, alpha, beta, n in rows}


def model_posteriors(content_type: str, db: str | Path | None = None) -> dict[str, Posterior]:
    """Evidence per model for one content type; models never recorded are absent."""
    return _posteriors(MODEL_ARM, content_type, db)


def prompt_posteriors(content_type: str, db: str | Path | None = None) -> dict[str, Posterior]:
    """Evidence per prompt variant for one content type; variants never recorded are absent."""
    return _posteriors(PROMPT_ARM, content_type, db)
