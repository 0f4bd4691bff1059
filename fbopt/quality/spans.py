"""Protected spans: the parts of a post no checker may flag and no strategy may change.

Not for deciding what to change: fbopt.enhance asks `protected_spans` where it must not edit, and
`spans_preserved` whether a rewrite kept every protected span byte for byte, in order.

A protected span is a URL, an e-mail address, an @mention, a #hashtag, a number (prices,
percentages, times and dates included) or quoted text ("...", “...”).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_PATTERNS = {
    "url": r"(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)\]'’”]",
    "email": r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    "mention": r"(?<![\w@.])@\w[\w.]*\w|(?<![\w@.])@\w",
    "hashtag": r"(?<![\w&#])#\w*[^\W\d_]\w*",
    "quote": r"\"[^\"\n]{1,400}\"|“[^”\n]{1,400}”",
    "number": r"[$£€¥]?\d(?:[\d,.:/]*\d)?(?:%|(?:st|nd|rd|th|am|pm|k|m)\b)?",
}
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
