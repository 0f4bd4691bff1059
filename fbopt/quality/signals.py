"""Engagement signals read from a post's text alone, computed for a whole batch at once.

Not for scoring (fbopt.quality.engagement turns these into `engagement_score`) and never for
metadata such as media type or posting time. Every count runs as one vectorised RE2 pass
(pyarrow.compute) over the batch, so a signal costs microseconds per post.

`signals(texts)` returns one numpy array per name in SIGNAL_NAMES, aligned with `texts`;
`text_signals(text)` gives the same for one text as plain numbers, plus the `hook` itself.

    hook_chars           characters in the hook: the first non-empty line
    hook_words           words in the hook
    hook_is_question     1 when the hook ends with a question mark
    has_question         1 when the post asks a question ('?' outside links)
    question_count       question marks outside links
    cta_count            calls to action: 'comment', 'tag a friend', 'sign up', 'link in bio'...
    hashtag_count        #hashtags
    emoji_count          emoji (pictographs, symbols, flags)
    mention_count        @mentions (not e-mail addresses)
    link_count           http(s):// and www. links
    number_count         numbers, prices and percentages
    char_count           characters in the post
    word_count           whitespace-separated words
    line_count           non-empty lines
    sentence_count       sentences (closed by . ! ?, a line break or the end)
    caps_word_count      words of three or more capital letters (shouting; acronyms count too)
    exclamation_count    exclamation marks
    exclamation_density  exclamation marks per word
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

SIGNAL_NAMES: tuple[str, ...] = (
    "hook_chars", "hook_words", "hook_is_question", "has_question", "question_count",
    "cta_count", "hashtag_count", "emoji_count", "mention_count", "link_count", "number_count",
    "char_count", "word_count", "line_count", "sentence_count", "caps_word_count",
    "exclamation_count", "exclamation_density",
)

# RE2 syntax (pyarrow.compute). Shared with the protected-span finder in fbopt.enhance.
LINK = r"(?i)(?:https?://|www\.)[^\s<>\"]+"
EMAIL = r"[\pL\pN_.+-]+@[\pL\pN-]+(?:\.[\pL\pN-]+)+"
MENTION = r"(?:^|[^\pL\pN_@.])@[\pL\pN_][\pL\pN_.]*"
HASHTAG = r"(?:^|[^\pL\pN_&#])#[\pL\pN_]*\pL[\pL\pN_]*"
EMOJI = (r"[\x{1F000}-\x{1FAFF}\x{2600}-\x{27BF}\x{2B00}-\x{2BFF}\x{1F1E6}-\x{1F1FF}"
         r"\x{2190}-\x{21FF}\x{3030}\x{303D}\x{3297}\x{3299}]")
NUMBER = r"[$£€¥]?\d[\d,.:]*%?"
CAPS_WORD = r"(?:^|[^\pL])\p{Lu}{3,}\b"
# A sentence: text holding a letter or digit, closed by . ! ? (not inside 4.50), a line end or
# the end of the post.
_IN_SENTENCE = r"(?:[^.!?\n]|[.!?]+[^\s.!?])*"
SENTENCE = _IN_SENTENCE + r"[\pL\pN]" + _IN_SENTENCE + r"(?:[.!?]+|\n|$)"
# Imperatives and asks that invite a reader to act; counted once per occurrence.
CTA = (r"(?i)\b(?:comment|tag (?:a|your|someone|us)|share (?:this|with|your)|like (?:this|if|our)"
       r"|let us know|tell us|sign up|register|book (?:now|a|your|online|at)|order (?:now|online"
       r"|today|yours)|buy|shop (?:now|online|our)|click|tap|visit|learn more|read more|find out"
       r"|check (?:out|it)|join (?:us|our|now)|apply|vote|subscribe|follow (?:us|our)|dm us"
       r"|message us|call us|email us|download|get (?:yours|tickets|started)|grab|save (?:this"
       r"|the date)|don'?t miss|rsvp|drop (?:a|your|us)|link in (?:bio|the comments)|watch"
       r"|try (?:it|our|the)|come (?:and|in|down|say)|donate)\b")


def signals(texts: Sequence[str | None]) -> dict[str, np.ndarray]:
    """One numpy array per SIGNAL_NAMES entry (float64 for the density, int32 otherwise), aligned
    with `texts`; None counts as the empty text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pc.fill_null(pa.array(list(texts), pa.string()), "")
    # Links and e-mail addresses hide '?', numbers and words that are not the post's own.
    no_links = pc.replace_substring_regex(arr, f"{LINK}|{EMAIL}", " ")
    hook = _hooks(arr)

    def count(source: Any, pattern: str) -> np.ndarray:
        return _ints(pc.count_substring_regex(source, pattern))

    words = count(arr, r"\S+")
    exclaims = _ints(pc.count_substring(arr, "!"))
    questions = _ints(pc.count_substring(no_links, "?"))
    out = {
        "hook_chars": _ints(pc.utf8_length(hook)),
        "hook_words": count(hook, r"\S+"),
        "hook_is_question": _ints(pc.match_substring_regex(hook, r"\?\s*\S{0,4}$")),
        "has_question": (questions > 0).astype(np.int32),
        "question_count": questions,
        "cta_count": count(no_links, CTA),
        "hashtag_count": count(arr, HASHTAG),
        "emoji_count": count(arr, EMOJI),
        "mention_count": count(arr, MENTION),
        "link_count": count(arr, LINK),
        "number_count": count(no_links, NUMBER),
        "char_count": _ints(pc.utf8_length(arr)),
        "word_count": words,
        "line_count": count(arr, r"(?m)^[^\n]*\S"),
        "sentence_count": count(no_links, SENTENCE),
        "caps_word_count": count(no_links, CAPS_WORD),
        "exclamation_count": exclaims,
        "exclamation_density": exclaims / np.maximum(words, 1),
    }
    return out


def text_signals(text: str | None) -> dict[str, Any]:
    """The signals of one text as plain Python numbers, plus `hook` (the first non-empty line)."""
    values = signals([text])
    out: dict[str, Any] = {name: values[name][0].item() for name in SIGNAL_NAMES}
    out["hook"] = hook_of(text or "")
    return out


def hook_of(text: str) -> str:
    """The first non-empty line, stripped: what a reader sees before 'See more'."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _hooks(arr: Any) -> Any:
    import pyarrow.compute as pc

    trimmed = pc.utf8_trim_whitespace(arr)
    first = pc.list_element(pc.split_pattern_regex(trimmed, r"\r?\n", max_splits=1), 0)
    return pc.utf8_trim_whitespace(first)


def _ints(array: Any) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=np.int32)
