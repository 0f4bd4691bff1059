"""The enhancer: runs each strategy on the posts whose score is under its threshold and keeps a
change only when the scores that track real outcomes rise (overall_quality up, grammar_score not
down) and every protected span is unchanged.

Not for the strategies' own logic (one module each) or for streaming files (fbopt.enhance.run).
Strategies run in a fixed order, grammar first, each on the text the earlier ones left; all
candidates of a batch are scored together, so the quality engine's process pool stays busy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fbopt.config import Config
from fbopt.errors import ConfigError
from fbopt.quality.score import PostScores, Scorer, clean_text
from fbopt.quality.spans import spans_preserved

STRATEGIES = ("grammar", "readability", "sentiment", "engagement")
# Which score decides whether a strategy runs on a post.
STRATEGY_SCORE = {"grammar": "grammar_score", "readability": "readability_score",
                  "sentiment": "sentiment_score", "engagement": "engagement_score"}


@dataclass(frozen=True)
class PostContext:
    """What a strategy may know about a post besides its text."""

    topic: str | None = None
    content_type: str | None = None


@dataclass(frozen=True)
class EnhanceSettings:
    strategies: tuple[str, ...] = STRATEGIES
    thresholds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STRATEGIES, 1.0))
    min_gain: float = 0.0

    @classmethod
    def from_config(cls, config: Config, strategies: Sequence[str] | None = None
                    ) -> EnhanceSettings:
        e = config.section("enhance")
        chosen = parse_strategies(strategies if strategies is not None else e["strategies"])
        thresholds = {name: float(e[f"{name}_threshold"]) for name in STRATEGIES}
        return cls(chosen, thresholds, float(e["min_gain"]))


def parse_strategies(names: Sequence[str] | str) -> tuple[str, ...]:
    """Strategy names (a list, or one comma-separated string; 'all' for every one), validated and
    put in the order they run."""
    items = names.split(",") if isinstance(names, str) else list(names)
    wanted = {n.strip().lower() for n in items if n.strip()}
    if "all" in wanted:
        return STRATEGIES
    unknown = sorted(wanted - set(STRATEGIES))
    if unknown or not wanted:
        raise ConfigError(f"unknown enhance strategy: {', '.join(unknown) or '(none given)'}",
                          hint=f"choose from {', '.join(STRATEGIES)} or all")
    return tuple(s for s in STRATEGIES if s in wanted)


@dataclass
class Enhanced:
    """One post's outcome: the final text, the strategies kept, scores before and after."""

    text: str
    enhancements: list[str]
    before: PostScores
    after: PostScores

    @property
    def quality_gain(self) -> float:
        return round(self.after.overall_quality - self.before.overall_quality, 4)


class Enhancer:
    """Improves batches of posts for one run, with the run's Scorer."""

    def __init__(self, scorer: Scorer, settings: EnhanceSettings | None = None) -> None:
        self.scorer = scorer
        self.settings = settings or EnhanceSettings()
        self.tried = dict.fromkeys(self.settings.strategies, 0)
        self.kept = dict.fromkeys(self.settings.strategies, 0)
        self.rows = 0
        self._rewriters: dict[str, Callable[..., str]] = _rewriters(scorer)

    def enhance(self, texts: Sequence[Any], contexts: Sequence[PostContext] | None = None
                ) -> list[Enhanced]:
        originals = [clean_text(t) for t in texts]
        contexts = contexts or [PostContext()] * len(originals)
        before = self.scorer.score(originals)
        current, scores = list(originals), list(before)
        applied: list[list[str]] = [[] for _ in originals]
        for name in self.settings.strategies:
            self._round(name, originals, current, scores, applied, contexts)
        self.rows += len(originals)
        return [Enhanced(t, a, b, s) for t, a, b, s in
                zip(current, applied, before, scores, strict=True)]

    def _round(self, name: str, originals: list[str], current: list[str],
               scores: list[PostScores], applied: list[list[str]],
               contexts: Sequence[PostContext]) -> None:
        threshold = self.settings.thresholds[name]
        attribute = STRATEGY_SCORE[name]
        todo, candidates = [], []
        for i, text in enumerate(current):
            if not text.strip() or getattr(scores[i], attribute) >= threshold:
                continue
            self.tried[name] += 1
            candidate = self._rewriters[name](text, scores[i], contexts[i])
            if candidate != text and candidate.strip() and spans_preserved(originals[i],
                                                                           candidate):
                todo.append(i)
                candidates.append(candidate)
        if not todo:
            return
        rescored = self.scorer.score(candidates, owners=[originals[i] for i in todo],
                                     register=False)
        for i, candidate, new in zip(todo, candidates, rescored, strict=True):
            if self.better(scores[i], new):
                current[i], scores[i] = candidate, new
                applied[i].append(name)
                self.kept[name] += 1

    def better(self, old: PostScores, new: PostScores) -> bool:
        """overall_quality rises by more than min_gain (by default it weighs only the scores
        that track real outcomes: fbopt.quality.score) and grammar_score does not fall: no
        change may add an error, whatever it gains elsewhere."""
        return (new.overall_quality > old.overall_quality + self.settings.min_gain
                and new.grammar_score >= old.grammar_score)

    def metrics(self) -> dict[str, Any]:
        rows = max(self.rows, 1)
        return {
            "strategies": list(self.settings.strategies),
            "posts_tried_per_strategy": dict(self.tried),
            "share_changed_per_strategy": {k: round(v / rows, 4) for k, v in self.kept.items()},
        }


def _rewriters(scorer: Scorer) -> dict[str, Callable[..., str]]:
    from fbopt.enhance import engagement, readability, sentiment
    from fbopt.enhance.grammar import GrammarFixer

    fixer = GrammarFixer()
    issues = _correction_issues(scorer)
    return {
        "grammar": lambda text, s, ctx: fixer.fix(text, issues(text, s)),
        "readability": lambda text, s, ctx: readability.rewrite(text),
        "sentiment": lambda text, s, ctx: sentiment.rewrite(text, ctx.content_type),
        "engagement": lambda text, s, ctx: engagement.rewrite(text, ctx.topic, ctx.content_type),
    }


def _correction_issues(scorer: Scorer) -> Callable[[str, PostScores], Any]:
    """The issues the grammar strategy corrects. Scoring's `fast` Harper rules find unknown words
    without suggestions; corrections need Harper's spell check, so those posts are checked again
    with the `posts` rules (only posts under the grammar threshold get here)."""
    from dataclasses import replace

    settings = scorer.settings.analyser
    if settings.backend != "harper" or settings.harper_rules != "fast":
        return lambda text, s: s.grammar_issues

    def recheck(text: str, s: PostScores) -> Any:
        if not s.grammar_issues:
            return []
        from fbopt.quality.analyse import shared_analyser
        from fbopt.quality.house_rules import check_text

        full = shared_analyser(replace(settings, harper_rules="posts"))
        return check_text(full.backend, text)

    return recheck
