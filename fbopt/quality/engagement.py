"""`engagement_score`: how far a post's text alone is expected to lift its interactions above its
page's usual level, as a share in [0, 1], from weights fitted on real page histories.

Not for predicting interaction counts (fbopt.engagement learns that from a page's own history
with media type and timing) and not for metadata. Fitted by scripts/fit_engagement_score.py on
news pages of two public data sets (pages held out by name: see that script); the target is
log(1 + interactions) minus the median of the page's 50 earlier posts. The prediction is the sum
of the weights of the words the post uses (a shrunken mean target per word, words seen on at
least ten organisations' pages) times a fitted factor, plus a ridge over the text signals of
fbopt.quality.signals (FEATURE_NAMES). It becomes a score through the fitting posts' own
predictions: the share of fitted posts predicted to do worse (0.5: typical; 0.9: better than 90%
of them). An empty text scores 0. Weights: fbopt/data/engagement_weights.json.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

WEIGHTS_FILE = "engagement_weights.json"
# Length bounds the engagement strategy trims and splits to (characters).
HOOK_FITS = 100
BEST_MIN_CHARS, BEST_MAX_CHARS = 40, 300

FEATURE_NAMES: tuple[str, ...] = (
    "log_chars", "log_chars_squared", "log_hook_chars", "hook_is_question", "has_question",
    "has_cta", "log_hashtags", "has_emoji", "has_mention", "has_link", "log_numbers",
    "log_lines", "log_sentences", "words_per_sentence", "shouting", "has_exclamation",
    "exclamation_density", "word_weights",
)
SIGNAL_FEATURES = FEATURE_NAMES[:-1]
# Words as the fit counted them: lower case, links left out (their words are not the post's).
_WORD = re.compile(r"[a-z][a-z']+")
_LINK = re.compile(r"(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)


def post_words(text: str) -> set[str]:
    """The distinct words of a post, as the fit counted them."""
    return set(_WORD.findall(_LINK.sub(" ", text).lower()))


def word_sums(texts: Sequence[str], weights: dict[str, float]) -> np.ndarray:
    """Per text, the sum of the weights of the distinct words it uses."""
    return np.array([sum(weights.get(w, 0.0) for w in post_words(t)) for t in texts])


def signal_features(sig: dict[str, np.ndarray]) -> np.ndarray:
    """The SIGNAL_FEATURES columns (one row per text) from fbopt.quality.signals.signals()."""
    def log(name: str) -> np.ndarray:
        return np.log1p(sig[name].astype(float))

    chars = log("char_count")
    columns = {
        "log_chars": chars, "log_chars_squared": chars ** 2,
        "log_hook_chars": log("hook_chars"), "hook_is_question": sig["hook_is_question"] > 0,
        "has_question": sig["has_question"] > 0, "has_cta": sig["cta_count"] > 0,
        "log_hashtags": log("hashtag_count"), "has_emoji": sig["emoji_count"] > 0,
        "has_mention": sig["mention_count"] > 0, "has_link": sig["link_count"] > 0,
        "log_numbers": log("number_count"), "log_lines": log("line_count"),
        "log_sentences": log("sentence_count"),
        "words_per_sentence": np.minimum(
            sig["word_count"] / np.maximum(sig["sentence_count"], 1), 60.0),
        "shouting": sig["caps_word_count"] >= 3, "has_exclamation": sig["exclamation_count"] > 0,
        "exclamation_density": np.minimum(sig["exclamation_density"], 1.0),
    }
    return np.column_stack([np.asarray(columns[n], dtype=float) for n in SIGNAL_FEATURES])


@dataclass(frozen=True)
class EngagementWeights:
    words: dict[str, float]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    quantiles: np.ndarray

    def predict(self, texts: Sequence[str], sig: dict[str, np.ndarray]) -> np.ndarray:
        """The linear prediction: log-interaction lift over the page's level, centred."""
        x = np.column_stack([signal_features(sig), word_sums(texts, self.words)])
        return ((x - self.mean) / self.scale) @ self.weights

    def to_unit(self, prediction: np.ndarray) -> np.ndarray:
        """The share of the fitting posts whose prediction is lower (piecewise linear)."""
        return np.interp(prediction, self.quantiles, np.linspace(0.0, 1.0, len(self.quantiles)))


@cache
def fitted_weights() -> EngagementWeights:
    text = resources.files("fbopt").joinpath("data", WEIGHTS_FILE).read_text(encoding="utf-8")
    data = json.loads(text)
    if tuple(data["features"]) != FEATURE_NAMES:
        raise ValueError(f"{WEIGHTS_FILE} was fitted on other features; rerun "
                         "scripts/fit_engagement_score.py")
    return EngagementWeights(dict(data["words"]), *(np.asarray(data[k], dtype=float)
                             for k in ("mean", "scale", "weights", "quantiles")))


def engagement_predictions(texts: Sequence[str], sig: dict[str, np.ndarray]) -> np.ndarray:
    """The fitted linear prediction per text (log-interaction lift over the page's level)."""
    return fitted_weights().predict(texts, sig)


def engagement_scores(texts: Sequence[str], sig: dict[str, np.ndarray]) -> np.ndarray:
    """One engagement_score per text (`sig` = fbopt.quality.signals.signals(texts)); 0 for an
    empty text."""
    model = fitted_weights()
    score = model.to_unit(model.predict(texts, sig))
    return np.where(sig["word_count"] > 0, np.clip(score, 0.0, 1.0), 0.0)
