"""`engagement_score`: how well a post's text is built to draw reactions, from its signals alone.

Not for predicting reactions (fbopt.engagement learns that from history) and not for metadata
such as media type or posting time. The score is a transparent checklist, one array operation
per item over the whole batch; the points add up to 1.

    hook         0.20  the first line fits before "See more" (up to 100 characters; 0 at 200)
    length       0.20  40-300 characters reads best; falls to 0 at 10 and at 800
    question     0.15  asks the reader something
    action       0.15  a call to action (comment, tag, sign up, book, ...)
    hashtags     0.10  1-3 hashtags (4-5: half; more, or none: nothing)
    emoji        0.10  1-3 emoji (more: half)
    specifics    0.10  a concrete detail: a number, a price, an @mention or a link
    shouting    -0.10  three or more all-capitals words
    exclaiming  -0.05  more than one exclamation mark per ten words
"""

from __future__ import annotations

import numpy as np

HOOK_FITS, HOOK_TOO_LONG = 100, 200
BEST_MIN_CHARS, BEST_MAX_CHARS = 40, 300
SHORTEST, LONGEST = 10, 800


def engagement_scores(sig: dict[str, np.ndarray]) -> np.ndarray:
    """One engagement_score per text from fbopt.quality.signals.signals(); 0 for an empty text."""
    chars = sig["char_count"].astype(float)
    hook = _falling(sig["hook_chars"].astype(float), HOOK_FITS, HOOK_TOO_LONG)
    hook = np.where(sig["hook_chars"] > 0, hook, 0.0)
    length = np.minimum(_rising(chars, SHORTEST, BEST_MIN_CHARS),
                        _falling(chars, BEST_MAX_CHARS, LONGEST))
    tags = sig["hashtag_count"]
    hashtags = np.where((tags >= 1) & (tags <= 3), 1.0, np.where((tags >= 4) & (tags <= 5), 0.5, 0))
    emoji = np.where((sig["emoji_count"] >= 1) & (sig["emoji_count"] <= 3), 1.0,
                     np.where(sig["emoji_count"] > 3, 0.5, 0.0))
    specifics = (sig["number_count"] + sig["mention_count"] + sig["link_count"]) > 0
    score = (0.20 * hook + 0.20 * length + 0.15 * (sig["has_question"] > 0)
             + 0.15 * (sig["cta_count"] > 0) + 0.10 * hashtags + 0.10 * emoji
             + 0.10 * specifics - 0.10 * (sig["caps_word_count"] >= 3)
             - 0.05 * (sig["exclamation_density"] > 0.1))
    return np.where(sig["word_count"] > 0, np.clip(score, 0.0, 1.0), 0.0)


def _rising(x: np.ndarray, zero_at: float, one_at: float) -> np.ndarray:
    return np.clip((x - zero_at) / (one_at - zero_at), 0.0, 1.0)


def _falling(x: np.ndarray, one_until: float, zero_at: float) -> np.ndarray:
    return np.clip((zero_at - x) / (zero_at - one_until), 0.0, 1.0)
