"""English word and word-pair frequencies, and a bigram language model over them, for choosing
among correction candidates.

Not for detecting errors (the grammar backend does that). The counts are the unigram (82,765
words) and bigram (243,342 pairs) frequency lists shipped inside the symspellpy package, read
once per process on first use; nothing is downloaded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from fbopt.errors import ConfigError

BACKOFF = 0.4
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[^\sa-z0-9]", re.IGNORECASE)


class Lexicon:
    """Unigram and bigram counts with a stupid-backoff bigram model: P(w | p) is
    c(p w) / c(p) when the pair was seen, else 0.4 x c(w) / N."""

    def __init__(self, unigrams: dict[str, int], bigrams: dict[tuple[str, str], int]) -> None:
        self.unigrams = unigrams
        self.bigrams = bigrams
        self.total = float(sum(unigrams.values())) or 1.0
        self._floor = math.log(BACKOFF * 0.5 / self.total)

    def count(self, word: str) -> int:
        return self.unigrams.get(word.lower(), 0)

    def known(self, word: str) -> bool:
        return word.lower() in self.unigrams

    def logprob(self, word: str, previous: str | None) -> float:
        w = word.lower()
        if previous is not None:
            p = previous.lower()
            pair = self.bigrams.get((p, w))
            if pair:
                return math.log(pair / max(self.unigrams.get(p, pair), pair))
        c = self.unigrams.get(w)
        return math.log(BACKOFF * c / self.total) if c else self._floor

    def sequence_logprob(self, words: Sequence[str], previous: str | None,
                         following: str | None) -> float:
        """log P(words | previous) + log P(following | last word)."""
        total, prev = 0.0, previous
        for word in words:
            total += self.logprob(word, prev)
            prev = word
        if following is not None and words:
            total += self.logprob(following, words[-1])
        return total


def tokens(text: str) -> list[str]:
    """Lowercase word tokens, with contractions kept whole (don't, it's), for the model."""
    return [t.lower() for t in _TOKEN.findall(text)]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    unigrams: dict[str, int] = {}
    for line in _package_text("frequency_dictionary_en_82_765.txt").splitlines():
        word, _, count = line.partition(" ")
        if count.isdigit():
            unigrams[word] = int(count)
    bigrams: dict[tuple[str, str], int] = {}
    for line in _package_text("frequency_bigramdictionary_en_243_342.txt").splitlines():
        parts = line.split(" ")
        if len(parts) == 3 and parts[2].isdigit():
            bigrams[(parts[0], parts[1])] = int(parts[2])
    return Lexicon(unigrams, bigrams)


@lru_cache(maxsize=1)
def symspell() -> Any:
    """A SymSpell index (edit distance 2) over the unigram list, for spelling candidates. A
    prefix of 5 builds three times faster than the default 7 for slightly slower lookups: an
    enhance run looks up few words."""
    from symspellpy import SymSpell

    index = SymSpell(max_dictionary_edit_distance=2, prefix_length=5)
    for word, count in lexicon().unigrams.items():
        index.create_dictionary_entry(word, count)
    return index


def _package_text(name: str) -> str:
    try:
        from importlib import resources

        return resources.files("symspellpy").joinpath(name).read_text(encoding="utf-8")
    except (ImportError, FileNotFoundError, ModuleNotFoundError) as exc:
        raise ConfigError("the English word-frequency lists are missing",
                          hint="pip install symspellpy") from exc
