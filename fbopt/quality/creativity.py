"""`creativity_score`: lexical variety within a post and novelty against the other posts of the
run.

Not for judging ideas: it rewards a varied vocabulary and wording that the run's other posts do
not share. Novelty is the share of a post's word 3-grams (its whole wording when it has fewer
than three words) that no other post of the run contains; the run's posts are counted as they
arrive, so a post is compared with every post before it and with the rest of its own batch.

    creativity_score = 0.5 x lexical variety + 0.5 x novelty
    lexical variety  = distinct words / words, scaled down below 10 words (a 5-word post: x0.5)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
FULL_VARIETY_WORDS = 10


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def lexical_variety(text: str) -> float:
    tokens = words(text)
    if not tokens:
        return 0.0
    return len(set(tokens)) / len(tokens) * min(1.0, len(tokens) / FULL_VARIETY_WORDS)


def shingles(text: str) -> frozenset[int]:
    """Hashes of the word 3-grams of `text` (of its whole wording below three words)."""
    tokens = words(text)
    if len(tokens) < 3:
        return frozenset([hash(tuple(tokens))]) if tokens else frozenset()
    return frozenset(hash(tuple(tokens[i:i + 3])) for i in range(len(tokens) - 2))


class NoveltyIndex:
    """How many of the run's posts contain each 3-gram. Lives for one run; past `limit`
    distinct 3-grams (about 100 MB) only those already seen are counted, so memory stays flat
    on a run of millions of posts."""

    def __init__(self, limit: int = 1_000_000) -> None:
        self.counts: Counter[int] = Counter()
        self.limit = limit

    def add(self, texts: Iterable[str]) -> None:
        for text in texts:
            if len(self.counts) < self.limit:
                self.counts.update(shingles(text))
            else:
                self.counts.update(s for s in shingles(text) if s in self.counts)

    def novelty(self, text: str, own: str | None = None) -> float:
        """Share of `text`'s 3-grams found in no other post. `own` is the post's text as added to
        the index (itself, or the original a rewrite replaces), which is not counted as other."""
        mine = shingles(text)
        if not mine:
            return 0.0
        own_set = frozenset() if own is None else (mine if own == text else shingles(own))
        shared = sum(1 for s in mine if self.counts[s] - (s in own_set) > 0)
        return 1.0 - shared / len(mine)


def creativity_scores(texts: Sequence[str], index: NoveltyIndex,
                      owners: Sequence[str | None]) -> list[float]:
    """creativity_score for each text; `owners[i]` is what `texts[i]` replaces in the index."""
    return [0.5 * lexical_variety(t) + 0.5 * index.novelty(t, own)
            for t, own in zip(texts, owners, strict=True)]
