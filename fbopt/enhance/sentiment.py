"""The sentiment strategy: calm a post that shouts, without changing what it says.

Not for news, quotes, apologies or safety notices: reporting bad news in a brighter voice
misleads, a quotation is someone's own words, and a warning may shout on purpose. It turns
shouted all-capitals words into ordinary case and trims runs of exclamation marks to one. It
swaps no words: a softer word ("worst" -> "least enjoyable") says something else.
"""

from __future__ import annotations

import re

from fbopt.enhance.edits import Edit, apply_edits
from fbopt.enhance.intent import intent_of

_NEWS = re.compile(
    r"\b(breaking|reported|reports|according to|police|killed|dead|died|death|court|judge|"
    r"election|president|minister|senator|congress|lawsuit|investigation|arrested|suspect|"
    r"officials? said|said (?:on|in) a statement)\b", re.IGNORECASE)
_SHOUT = re.compile(r"(?<![\w@#/.'’-])[A-Z]+(?:['’-][A-Z]+)*(?![\w/'’-])(?!\.\w)")
_BANG = re.compile(r"!{2,}")
_LEAVE = {"news", "quote", "apology", "safety"}
# Words that stay in capitals or take a capital when a shouted sentence is lowered.
_KEEP_CAPITAL = {"i", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                 "sunday", "january", "february", "march", "april", "june", "july", "august",
                 "september", "october", "november", "december", "christmas", "easter"}


def is_news(text: str, content_type: str | None = None) -> bool:
    if content_type and content_type.strip().lower() in {"news", "breaking news"}:
        return True
    return len(_NEWS.findall(text)) >= 1 and ("http" in text or len(text) > 200)


def rewrite(text: str, content_type: str | None = None) -> str:
    if is_news(text, content_type) or intent_of(text, content_type) in _LEAVE:
        return text
    edits = _unshout(text)
    edits += [Edit(m.start(), m.end(), "!") for m in _BANG.finditer(text)]
    return apply_edits(text, edits)


def _unshout(text: str) -> list[Edit]:
    """Lower the capitals of a post that shouts (three or more all-capitals words of three
    letters or more). Acronyms (HIIT, NASA: not common words) keep their capitals."""
    from fbopt.enhance.lexicon import lexicon

    shouted = list(_SHOUT.finditer(text))
    if sum(len(m.group(0)) >= 3 for m in shouted) < 3:
        return []
    lex = lexicon()
    edits = []
    for match in shouted:
        word = match.group(0)
        lowered = word.lower()
        if not all(_common(lex, part) for part in lowered.split("-")):
            continue  # an acronym or a name: keep its capitals
        if lowered in _KEEP_CAPITAL or _starts_sentence(text, match.start()):
            lowered = lowered[:1].upper() + lowered[1:]
        edits.append(Edit(match.start(), match.end(), lowered))
    return edits


def _common(lex: object, word: str) -> bool:
    count = lex.count(word.replace("’", "'"))  # type: ignore[attr-defined]
    return word in _KEEP_CAPITAL or count >= 5_000_000 or ("'" in word and count > 0)


def _starts_sentence(text: str, index: int) -> bool:
    before = text[:index].rstrip()
    return not before or before[-1] in ".!?\n"
