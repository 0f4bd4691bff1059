"""Scores posts in [0, 1] and combines them into `overall_quality`, batched over all cores.

Not for changing text (fbopt.enhance). The per-text work (grammar, readability, sentiment) runs in
a process pool with one grammar backend per worker; signals, engagement and creativity run over
the whole batch here. Results are cached by text hash for the life of a Scorer (one run).

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
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fbopt.config import Config, load_config
from fbopt.errors import ConfigError
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
        return cls(analyser, weights, int(q["workers"]), int(q["pool_min_texts"]))


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
    """Scores batches of posts for one run. Use as a context manager so the pool is shut down."""

    def __init__(self, settings: QualitySettings | None = None) -> None:
        self.settings = settings or QualitySettings()
        self.index = NoveltyIndex()
        self.cache: dict[bytes, TextAnalysis] = {}
        self.cache_hits = 0
        self._local: TextAnalyser | None = None
        self._pool: Any = None

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
        workers = self.workers()
        if workers <= 1 or len(texts) < self.settings.pool_min_texts:
            return self.local().analyse_many(texts)
        pool = self._start_pool(workers)
        size = max(16, min(256, len(texts) // (workers * 4) or 1))
        chunks = [texts[i:i + size] for i in range(0, len(texts), size)]
        return [a for done in pool.map(_analyse_chunk, chunks) for a in done]

    def workers(self) -> int:
        return self.settings.workers or os.cpu_count() or 1

    def local(self) -> TextAnalyser:
        """This process's analyser; building it also proves the grammar backend works."""
        if self._local is None:
            self._local = shared_analyser(self.settings.analyser)
        return self._local

    def _start_pool(self, workers: int) -> Any:
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            from fbopt.quality import analyse

            self.local()  # a backend that cannot start fails here, with its own clear error
            # forkserver: workers start from a clean process, not a fork of this threaded one.
            context = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(workers, mp_context=context,
                                             initializer=analyse.init_worker,
                                             initargs=(self.settings.analyser,))
        return self._pool

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
        return {"texts_analysed": len(self.cache), "cache_hits": self.cache_hits,
                "grammar_backend": self.settings.analyser.backend}

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._local is not None:
            if self.settings.analyser.backend != "harper":  # shared Harper analysers stay
                self._local.close()
            self._local = None


def _analyse_chunk(texts: list[str]) -> list[TextAnalysis]:
    from fbopt.quality.analyse import analyse_chunk

    return analyse_chunk(texts)


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
