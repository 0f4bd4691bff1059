"""Scores posts in [0, 1] and combines them into `overall_quality`, batched over all cores.

Not for changing text (fbopt.enhance). The per-text work (grammar, readability, sentiment) runs on
fbopt.parallel's workers (loky, threads or Dask) with one grammar backend per worker; signals,
engagement and creativity run over the whole batch here. Results are cached by text hash for
the life of a Scorer (one run).

    grammar_score      1 / (1 + 10 x issues / max(words, 10))          fbopt.quality.grammar
    readability_score  Flesch ease and longest sentence                fbopt.quality.readability
    sentiment_score    (VADER compound + 1) / 2                        fbopt.quality.sentiment
    engagement_score   text lift over the page level, fitted on pages  fbopt.quality.engagement
    creativity_score   lexical variety and novelty within the run      fbopt.quality.creativity
    overall_quality    weighted mean of the five, weights from [quality.weights] in the config
                       (default EVIDENCE_WEIGHTS: only the scores shown to track real outcomes)
An empty (or whitespace-only) text scores 0 everywhere.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from fbopt.config import Config, load_config
from fbopt.errors import ConfigError
from fbopt.parallel import Executor, ParallelSettings, borrowed, chunked
from fbopt.quality.analyse import AnalyserSettings, TextAnalyser, TextAnalysis, shared_analyser
from fbopt.quality.creativity import NoveltyIndex, creativity_scores
from fbopt.quality.engagement import engagement_scores
from fbopt.quality.grammar import GrammarIssue, grammar_score
from fbopt.quality.readability import readability_score
from fbopt.quality.sentiment import sentiment_score
from fbopt.quality.signals import signals

SCORERS = ("grammar", "readability", "sentiment", "engagement", "creativity")
SCORE_NAMES = tuple(f"{name}_score" for name in SCORERS) + ("overall_quality",)
# grammar_score ranks human corrections above the originals (JFLEG) and engagement_score tracks
# interactions on pages its fit never saw; the other three did not (scripts/
# eval_engagement_score.py --components), so they carry no weight by default.
EVIDENCE_WEIGHTS = {"grammar": 0.5, "readability": 0.0, "sentiment": 0.0, "engagement": 0.5,
                    "creativity": 0.0}
_CACHE_LIMIT = 50_000  # analyses kept per run; past it the cache starts over


@dataclass(frozen=True)
class QualitySettings:
    analyser: AnalyserSettings = field(default_factory=AnalyserSettings)
    weights: dict[str, float] = field(default_factory=lambda: dict(EVIDENCE_WEIGHTS))
    workers: int = 0
    pool_min_texts: int = 256
    backend: str = "loky"
    scheduler: str = ""

    @classmethod
    def from_config(cls, config: Config) -> QualitySettings:
        q = config.section("quality")
        weights = {name: float(q.get(f"weights.{name}", 0.0)) for name in SCORERS}
        if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
            raise ConfigError("quality.weights must be >= 0 and not all 0",
                              hint=f"set weights for {', '.join(SCORERS)}")
        analyser = AnalyserSettings(
            backend=q["grammar_backend"], harper_rules=q["harper_rules"], dialect=q["dialect"],
            languagetool_url=q["languagetool_url"], language=q["language"],
            enable=tuple(q["harper_enable"]), disable=tuple(q["harper_disable"]))
        run = ParallelSettings.from_config(config)  # quality.workers, when set, beats run.jobs
        return cls(analyser, weights, int(q["workers"]) or run.jobs, int(q["pool_min_texts"]),
                   run.backend, run.scheduler)

    def parallel(self) -> ParallelSettings:
        return ParallelSettings(self.workers, self.backend, self.scheduler)


@dataclass
class PostScores:
    """Every score of one text, its grammar issues and the measurements behind the scores."""

    grammar_score: float
    readability_score: float
    sentiment_score: float
    engagement_score: float
    creativity_score: float
    overall_quality: float
    grammar_issues: list[GrammarIssue]
    details: dict[str, float]

    def scores(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in SCORE_NAMES}


def clean_text(text: Any) -> str:
    """Any value as valid UTF-8 text: None is empty, lone surrogates become '?'."""
    if text is None:
        return ""
    value = text if isinstance(text, str) else str(text)
    return value.encode("utf-8", "replace").decode("utf-8")


class Scorer:
    """Scores batches of posts for one run. Use as a context manager so its analysers close."""

    def __init__(self, settings: QualitySettings | None = None) -> None:
        self.settings = settings or QualitySettings()
        self.index = NoveltyIndex()
        self.cache: dict[bytes, TextAnalysis] = {}
        self.cache_hits = 0
        self._local: TextAnalyser | None = None
        self._executor: Executor | None = None

    def __enter__(self) -> Scorer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def score(self, texts: Sequence[Any], owners: Sequence[str | None] | None = None,
              register: bool = True) -> list[PostScores]:
        """Score `texts`. New posts are added to the run's novelty index (`register`); a rewrite
        is scored with `register=False` and `owners` = the texts it would replace."""
        clean = [clean_text(t) for t in texts]
        if register:
            self.index.add(clean)
            owners = clean
        analyses = self.analyse(clean)
        creative = creativity_scores(clean, self.index, owners or [None] * len(clean))
        engaging = engagement_scores(clean, signals(clean))
        return [self._combine(t, a, float(e), c)
                for t, a, e, c in zip(clean, analyses, engaging, creative, strict=True)]

    def analyse(self, texts: Sequence[str]) -> list[TextAnalysis]:
        """Per-text analyses, from the cache or computed (in the pool for big batches)."""
        keys = [_key(t) for t in texts]
        todo = list(dict.fromkeys(k for k in keys if k not in self.cache))
        self.cache_hits += len(keys) - len(todo)
        if todo:
            by_key = dict(zip(keys, texts, strict=True))
            fresh = self._compute([by_key[k] for k in todo])
            if len(self.cache) + len(todo) > _CACHE_LIMIT:
                self.cache.clear()
            self.cache.update(zip(todo, fresh, strict=True))
        return [self.cache[k] for k in keys]

    def _compute(self, texts: list[str]) -> list[TextAnalysis]:
        """Small batches stay in this process; bigger ones go to the executor in chunks, one
        analyser per worker, and come back in order."""
        local = self.settings.backend != "dask" and self.workers() <= 1
        if local or len(texts) < self.settings.pool_min_texts:
            return self.local().analyse_many(texts)
        self.local()  # a backend that cannot start fails here, with its own clear error
        executor = self.executor()
        task = partial(_analyse_chunk, self.settings.analyser)
        return [a for done in executor.map(task, chunked(texts, executor.workers()))
                for a in done]

    def workers(self) -> int:
        """Chunks analysed at once (for Dask, the cluster's worker threads)."""
        if self.settings.backend == "dask":
            return self.executor().workers()
        return self.settings.parallel().local_jobs()

    def executor(self) -> Executor:
        if self._executor is None:
            self._executor = Executor(self.settings.parallel())
        return self._executor

    def local(self) -> TextAnalyser:
        """This process's analyser; building it also proves the grammar backend works."""
        if self._local is None:
            self._local = shared_analyser(self.settings.analyser)
        return self._local

    def _combine(self, text: str, a: TextAnalysis, engaging: float,
                 creative: float) -> PostScores:
        if not text.strip():
            return PostScores(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, [], {})
        r, s = a.readability, a.sentiment
        parts = {
            "grammar": grammar_score(len(a.issues), a.words),
            "readability": readability_score(r["flesch_reading_ease"], r["longest_sentence"]),
            "sentiment": sentiment_score(s["compound"]),
            "engagement": engaging,
            "creativity": creative,
        }
        weights = self.settings.weights
        overall = sum(weights[k] * v for k, v in parts.items()) / sum(weights.values())
        details = {**r, **{f"sentiment_{k}": v for k, v in s.items()}}
        return PostScores(*(_unit(parts[k]) for k in SCORERS), _unit(overall),
                          list(a.issues), details)

    def metrics(self) -> dict[str, Any]:
        out = {"texts_analysed": len(self.cache), "cache_hits": self.cache_hits,
               "grammar_backend": self.settings.analyser.backend}
        if self._executor is not None:
            out["parallel"] = self._executor.describe()
        return out

    def close(self) -> None:
        # The executor's workers are shared by the process and reused by the next run.
        self._executor = None
        if self._local is not None:
            if self.settings.analyser.backend != "harper":  # shared Harper analysers stay
                self._local.close()
            self._local = None


def _analyse_chunk(settings: AnalyserSettings, texts: list[str]) -> list[TextAnalysis]:
    """A worker's task: its own analyser (built on its first chunk, then kept) on one chunk."""
    with borrowed(("analyser", settings), lambda: TextAnalyser(settings)) as analyser:
        return analyser.analyse_many(texts)


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def _unit(value: float) -> float:
    """Round to 4 places and clamp to [0, 1] (also turns a NaN into 0)."""
    if not np.isfinite(value):
        return 0.0
    return round(min(max(float(value), 0.0), 1.0), 4)


def scorer_from_config(config: Config | str | None = None) -> Scorer:
    cfg = config if isinstance(config, Config) else load_config(config)
    return Scorer(QualitySettings.from_config(cfg))
