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


# VADER's time grows with the square of a text's words (it looks each word up with list.index):
# a 10,000-emoji post took 26 s. A text longer than LONG_TEXT is read in pieces of about CHUNK
# characters, cut at spaces, and the pieces' scores are averaged by length; a post under it
# (nearly all of them) is read whole, exactly as VADER reads it.
LONG_TEXT = 1000
CHUNK = 500


def sentiment(text: str) -> dict[str, float]:
    """VADER's compound (-1 to 1) and the positive, neutral and negative shares (0 to 1)."""
    if not text.strip():
        return {"compound": 0.0, "positive": 0.0, "neutral": 0.0, "negative": 0.0}
    pieces = _pieces(text) if len(text) > LONG_TEXT else [text]
    total = {"compound": 0.0, "positive": 0.0, "neutral": 0.0, "negative": 0.0}
    for piece in pieces:
        polarity = analyser().polarity_scores(piece)
        weight = len(piece) / len(text)
        for key, vader_key in (("compound", "compound"), ("positive", "pos"),
                               ("neutral", "neu"), ("negative", "neg")):
            total[key] += weight * float(polarity[vader_key])
    return total


def _pieces(text: str) -> list[str]:
    """`text` cut into pieces of about CHUNK characters, at the last space before the limit
    (mid-word only when there is none)."""
    pieces, start = [], 0
    while start < len(text):
        end = min(start + CHUNK, len(text))
        if end < len(text):
            space = text.rfind(" ", start + 1, end)
            end = space if space > start else end
        pieces.append(text[start:end])
        start = end
    return pieces


def sentiment_score(compound: float) -> float:
    """How warm the post reads: (compound + 1) / 2, so neutral is 0.5 and glowing is near 1."""
    return min(max((compound + 1.0) / 2.0, 0.0), 1.0)
