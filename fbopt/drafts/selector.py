"""Which model writes which post, and why: classifies the topic's content type, drops models
without credentials or over the post's budget, and scores the rest on expected quality (catalog
priors moved by learned history, Thompson-sampled), cost and latency.

Not for calling models (fbopt.drafts.dispatch) or recording outcomes (fbopt.feedback).
"""

from __future__ import annotations

import functools
import math
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from fbopt.drafts.catalog import CONTENT_TYPES, Catalog, ModelSpec
from fbopt.feedback import Posterior, model_posteriors, prompt_posteriors
from fbopt.providers.registry import OFFLINE

# Words and phrases that mark a content type; a trailing * matches any ending.
_LEXICON: dict[str, tuple[str, ...]] = {
    "technical": (
        "api*", "software", "code", "coding", "develop*", "programm*", "python", "javascript",
        "typescript", "rust", "java", "cloud", "kubernetes", "docker", "database*", "sql",
        "server*", "security", "cyber*", "encrypt*", "algorithm*", "machine learning", "ai", "llm*",
        "data", "devops", "backend", "frontend", "deploy*", "latency", "bug*", "debug*",
        "framework*", "linux", "network*", "router*", "wifi", "firmware", "gpu*", "cpu*", "chip*",
        "blockchain", "automat*", "integration*", "sdk", "open source", "architecture",
        "microservice*", "benchmark*", "spreadsheet*", "excel", "tech", "technical", "saas",
        "password*", "backup*", "5g", "iot", "robot*", "engineer*", "app", "apps", "website*",
        "seo", "analytics", "dashboard*",
    ),
    "educational": (
        "how to", "guide", "tips", "learn*", "lesson*", "tutorial*", "explained", "explain*",
        "basics", "beginner*", "course*", "class", "classes", "study", "student*", "teach*",
        "school*", "homework", "science", "history", "facts", "understanding", "introduction",
        "checklist", "mistakes", "step by step", "what is", "why do", "101", "primer", "myths",
        "budgeting", "nutrition", "habit*", "skills",
    ),
    "entertainment": (
        "fun", "funny", "meme*", "movie*", "film*", "music", "song*", "game", "games", "gaming",
        "quiz*", "trivia", "celebrit*", "tv", "series", "netflix", "weekend", "party", "parties",
        "festival*", "concert*", "joke*", "challenge", "would you rather", "throwback",
        "playlist*", "halloween", "karaoke", "puzzle*", "comedy", "binge", "fandom", "memes",
    ),
    "personal": (
        "my", "our story", "journey", "grateful", "gratitude", "thank*", "family", "families",
        "behind the scenes", "anniversar*", "milestone*", "birthday*", "founder*", "personal",
        "reflect*", "life", "mom", "dad", "kids", "wedding*", "friendship*", "i", "me",
        "confession*", "memories", "retire*", "story of",
    ),
    "promotional": (
        "sale", "sales", "discount*", "% off", "offer*", "deal", "deals", "launch*", "buy",
        "shop", "shopping", "order", "limited", "free shipping", "coupon*", "promo*", "pricing",
        "subscribe", "sign up", "book now", "register", "webinar*", "open house",
        "grand opening", "introducing", "available now", "pre-order", "preorder",
        "black friday", "giveaway*", "new product", "new collection", "menu", "special",
        "membership*", "trial", "bundle*", "clearance", "flash",
    ),
}
_AUDIENCE_HINTS: dict[str, tuple[str, ...]] = {
    "technical": ("developer", "engineer", "it ", "programmer", "devops", "data scien", "sysadmin"),
    "educational": ("student", "teacher", "learner", "parent", "beginner"),
    "promotional": ("customer", "shopper", "buyer", "client", "subscriber"),
    "entertainment": ("fan", "gamer", "movie", "music"),
}
_WORD = re.compile(r"[a-z0-9%]+(?:['-][a-z0-9]+)*")


def _index_lexicon() -> tuple[dict[str, set[str]], dict[str, list[tuple[str, str]]],
                             list[tuple[str, str]]]:
    """word -> kinds, first three letters -> (stem, kind), (phrase, kind): a word costs one
    lookup and a few prefix checks, not one per lexicon term."""
    words: dict[str, set[str]] = {}
    stems: dict[str, list[tuple[str, str]]] = {}
    phrases: list[tuple[str, str]] = []
    for kind, terms in _LEXICON.items():
        for term in terms:
            if " " in term or "%" in term:
                phrases.append((term if "%" in term else f" {term} ", kind))
            elif term.endswith("*"):
                stems.setdefault(term[:3], []).append((term[:-1], kind))
            else:
                words.setdefault(term, set()).add(kind)
    return words, stems, phrases


_WORDS, _STEMS, _PHRASES = _index_lexicon()
assert all(len(stem) >= 3 for group in _STEMS.values() for stem, _ in group)


def classify(topic: str, audience: str = "") -> str:
    """The content type a topic most looks like; `general` when nothing stands out."""
    lowered = topic.lower()
    found = _WORD.findall(lowered)
    hits: set[tuple[str, str]] = set()  # (kind, term): each term counts once
    for word in set(found):
        for kind in _WORDS.get(word, ()):
            hits.add((kind, word))
        for stem, kind in _STEMS.get(word[:3], ()):
            if word.startswith(stem):
                hits.add((kind, stem))
    padded = f" {' '.join(found)} {lowered} "
    hits.update((kind, phrase) for phrase, kind in _PHRASES if phrase in padded)
    scores = dict.fromkeys(CONTENT_TYPES, 0.0)
    for kind, _ in hits:
        scores[kind] += 1.0
    for kind in _audience_kinds(audience):
        scores[kind] += 0.5
    best = max(CONTENT_TYPES, key=scores.__getitem__)
    return best if scores[best] >= 1.0 else "general"


@functools.lru_cache(maxsize=4096)
def _audience_kinds(audience: str) -> tuple[str, ...]:
    """The content types an audience hints at; a file has few audiences, so each is read once."""
    text = f"{audience.lower()} "
    return tuple(kind for kind, hints in _AUDIENCE_HINTS.items() if any(h in text for h in hints))


@dataclass(frozen=True)
class Choice:
    provider: str
    model: str
    reason: str


@dataclass(frozen=True)
class Weights:
    quality: float = 2.0
    cost: float = 0.25
    latency: float = 0.2


@dataclass
class Selector:
    """Chooses a model per post. `available` holds the providers with credentials;
    `forced_provider` / `forced_model` come from --provider / --model."""

    catalog: Catalog
    available: set[str]
    weights: Weights = field(default_factory=Weights)
    forced_provider: str = ""
    forced_model: str = ""
    history_db: Path | None = None
    _history: dict[str, dict[str, Posterior]] = field(default_factory=dict)
    _prompt_history: dict[str, dict[str, Posterior]] = field(default_factory=dict)

    def history(self, content_type: str) -> dict[str, Posterior]:
        # Read once per content type and run: the bandit state changes between runs, not rows.
        if content_type not in self._history:
            self._history[content_type] = model_posteriors(content_type, db=self.history_db)
        return self._history[content_type]

    def prompt_history(self, content_type: str) -> dict[str, Posterior]:
        if content_type not in self._prompt_history:
            self._prompt_history[content_type] = prompt_posteriors(content_type,
                                                                   db=self.history_db)
        return self._prompt_history[content_type]

    def candidates(self, tokens_in: int, max_tokens: int,
                   budget: float | None) -> tuple[list[ModelSpec], str]:
        """Models that may write this post, and why the others were dropped."""
        models: Iterable[ModelSpec] = self.catalog.models.values()
        if self.forced_model:
            models = [self.catalog.get(self.forced_model)]
        elif self.forced_provider:
            models = self.catalog.for_provider(self.forced_provider)
        usable = [m for m in models if m.provider in self.available
                  and m.context_window >= tokens_in + max_tokens]
        if not usable:
            return [], "no model with credentials"
        if budget is not None:
            fitting = [m for m in usable if m.max_cost(tokens_in, max_tokens) <= budget]
            if not fitting:
                return [], f"budget ${budget:g} is below every model's cost for this post"
            usable = fitting
        return usable, ""

    def choose(self, content_type: str, quality_requirement: float, urgency: float,
               budget: float | None, tokens_in: int, max_tokens: int,
               rng: random.Random) -> Choice:
        if self.forced_provider == OFFLINE:
            return Choice(OFFLINE, OFFLINE, "forced by --provider offline")
        models, why = self.candidates(tokens_in, max_tokens, budget)
        if not models:
            return Choice(OFFLINE, OFFLINE, f"{why}: built-in offline composer")
        if self.forced_model:
            return Choice(models[0].provider, models[0].name, "forced by --model")
        history = self.history(content_type)
        costs = [m.max_cost(tokens_in, max_tokens) for m in models]
        cost_norm = _log_scale(costs)
        slowest = max(m.latency_ms for m in models) or 1.0
        scored = []
        for model, cost_n in zip(models, cost_norm, strict=True):
            post = history.get(model.name, Posterior())
            quality = post.sample(rng, model.prior(content_type), self.catalog.prior_strength)
            score = (self.weights.quality * (0.5 + quality_requirement) * quality
                     - self.weights.cost * (1.5 - quality_requirement) * cost_n
                     - self.weights.latency * (0.5 + urgency) * model.latency_ms / slowest)
            scored.append((score, quality, model, post.n))
        score, quality, best, seen = max(scored, key=lambda item: item[0])
        return Choice(best.provider, best.name,
                      _reason(best, content_type, quality, seen, len(models), self.forced_provider))


def _log_scale(values: list[float]) -> list[float]:
    """0 for the cheapest, 1 for the dearest, on a log scale (prices span 100x)."""
    logs = [math.log(max(v, 1e-9)) for v in values]
    low, high = min(logs), max(logs)
    return [0.0 if high - low < 1e-9 else (x - low) / (high - low) for x in logs]


def _reason(model: ModelSpec, content_type: str, quality: float, seen: int, considered: int,
            forced_provider: str) -> str:
    basis = f"{seen} recorded outcomes" if seen else "catalog prior"
    scope = f"--provider {forced_provider}" if forced_provider else f"{considered} models"
    role = f" ({model.role})" if model.role else ""
    return (f"{content_type}: {model.name}{role} scored best of {scope}; expected quality "
            f"{quality:.2f} from {basis}, ~{model.latency_ms / 1000:.1f}s")
