"""Sentiment with VADER (vaderSentiment): compound, positive, neutral and negative, and the
`sentiment_score` built from the compound.

Not for softening wording (fbopt.enhance.sentiment). VADER's lexicon ships inside its package, so
this works offline; one analyser per process is enough and costs a few milliseconds to build.
"""

from __future__ import annotations

from typing import Any

_ANALYSER: list[Any] = []


def analyser() -> Any:
    if not _ANALYSER:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _ANALYSER.append(SentimentIntensityAnalyzer())
    return _ANALYSER[0]


def sentiment(text: str) -> dict[str, float]:
    """VADER's compound (-1 to 1) and the positive, neutral and negative shares (0 to 1)."""
    if not text.strip():
        return {"compound": 0.0, "positive": 0.0, "neutral": 0.0, "negative": 0.0}
    polarity = analyser().polarity_scores(text)
    return {"compound": float(polarity["compound"]), "positive": float(polarity["pos"]),
            "neutral": float(polarity["neu"]), "negative": float(polarity["neg"])}


def sentiment_score(compound: float) -> float:
    """How warm the post reads: (compound + 1) / 2, so neutral is 0.5 and glowing is near 1."""
    return min(max((compound + 1.0) / 2.0, 0.0), 1.0)
