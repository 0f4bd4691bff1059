"""Protected spans: the parts of a post no checker may flag and no strategy may change.

Not for deciding what to change: fbopt.enhance asks `protected_spans` where it must not edit, and
`spans_preserved` whether a rewrite kept every protected span byte for byte, in order.

A protected span is a URL (with or without its scheme: `bit.ly/x`, `nytimes.com`), an e-mail
address, an @mention, a #hashtag, a number (prices, percentages, times, dates and amounts such
as $45bn included) or quoted text ("...", “...”, ‘...’ and '...' between word boundaries, as
British news quotes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Top-level domains a link without its scheme ends in when it has no path ("nytimes.com");
# with a path ("usat.ly/2sLU5BM") any two letters or more will do.
_TLDS = "com|org|net|edu|gov|io|co|ly|me|us|uk|ca|au|de|fr|tv|info|biz|news|ms|gl|gd|to"
_PATTERNS = {
    "url": r"(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)\]'’”]"
           r"|(?<![\w@.-])[a-z0-9][\w-]*(?:\.[\w-]+)*\.[a-z]{2,}/[^\s<>\"]*[^\s<>\".,;:!?)\]'’”]"
           rf"|(?<![\w@.-])[a-z0-9][\w-]*(?:\.[\w-]+)*\.(?:{_TLDS})(?![\w-]|\.\w)",
    "email": r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    "mention": r"(?<![\w@.])@\w[\w.]*\w|(?<![\w@.])@\w",
    "hashtag": r"(?<![\w&#])#\w*[^\W\d_]\w*",
    "quote": r"\"[^\"\n]{1,400}\"|“[^”\n]{1,400}”|‘[^’\n]{1,400}’"
             r"|(?<!\w)'(?=\w)[^'\n]{1,400}(?<=[\w.,!?])'(?!\w)",
    "number": r"[$£€¥]?\d(?:[\d,.:/]*\d)?(?:%|(?:st|nd|rd|th|am|pm|k|m|bn|mn|tn|b|s)\b)?",
}
# Every pattern that can start inside a run of word characters (the link and e-mail ones) starts
# only where the run starts: else a long unbroken run costs time quadratic in its length.
PROTECTED = re.compile("|".join(f"(?P<{name}>{p})" for name, p in _PATTERNS.items()),
                       re.IGNORECASE)


def protected_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every protected span, in order and never overlapping."""
    return [(m.start(), m.end(), m.lastgroup or "") for m in PROTECTED.finditer(text)]


def overlaps(start: int, end: int, spans: Iterable[tuple[int, int, str]]) -> bool:
    """Whether [start, end) touches a span; an insertion point (start == end) inside one counts."""
    for s, e, _ in spans:
        if start < e and end > s:
            return True
        if start == end and s < start < e:
            return True
    return False


def spans_preserved(before: str, after: str) -> bool:
    """True when every protected span of `before` appears in `after`, byte-identical and in the
    same order (a rewrite may add new hashtags or numbers, never change or drop old ones)."""
    wanted = [before[s:e] for s, e, _ in protected_spans(before)]
    found = iter(after[s:e] for s, e, _ in protected_spans(after))
    return all(any(piece == have for have in found) for piece in wanted)
