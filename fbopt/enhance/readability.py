"""The readability strategy: split over-long sentences and swap complex words for common ones.

Not for judging the result (the enhancer keeps the change only if overall_quality rises). A
sentence over LONG_SENTENCE words is cut where a clause joins ("..., and we", "... so come"),
at the joint nearest its middle that leaves both halves at least MIN_PART words; the swaps come
from the shipped list fbopt/data/simple_words.tsv.
"""

from __future__ import annotations

import re

from fbopt.enhance.edits import Edit, apply_edits
from fbopt.enhance.wordlists import swap_edits
from fbopt.quality.readability import LONG_SENTENCE

MIN_PART = 6
# A sentence ends at . ! ? followed by a space or the end (not inside 4.50 or example.com).
_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?](?=[^\s.!?]))+[.!?]*")
# A joint: an optional comma or dash ("... Trump — but the"), then a conjunction that can start
# a new sentence.
_JOINT = re.compile(r"(?:,|\s*[—–]|\s+--)?\s+(and then|and(?=\s+(?:i|we|you|they|he|she|it|its"
                    r"|it's|there|this|that|these|those|our|my|your|their|everyone|people)\b)"
                    r"|but|so|which means)\s+"
                    r"(?=[^\W\d_])", re.IGNORECASE)
_CLOSING_QUOTES = {'"', "”", "’", "'"}
# What starts the new sentence: "We went home and we slept" -> "We went home. We slept."
_OPENS = {"and": "", "and then": "Then ", "but": "But ", "so": "So ", "which means": "This means "}


def rewrite(text: str) -> str:
    """`text` with long sentences split and complex words swapped (protected spans untouched)."""
    split = split_long_sentences(text)
    return apply_edits(split, swap_edits(split, "simple_words.tsv"))


def split_long_sentences(text: str, limit: int = LONG_SENTENCE) -> str:
    for _ in range(8):  # a very long sentence may need several cuts
        edits = [e for s in _SENTENCE.finditer(text) if (e := _cut(text, s, limit)) is not None]
        if not edits:
            break
        changed = apply_edits(text, edits)
        if changed == text:
            break
        text = changed
    return text


def _cut(text: str, sentence: re.Match[str], limit: int) -> Edit | None:
    body = sentence.group(0)
    words = body.split()
    if len(words) <= limit:
        return None
    middle = len(body) / 2
    best: tuple[float, Edit] | None = None
    for joint in _JOINT.finditer(body):
        left, right = body[: joint.start()].split(), body[joint.end():].split()
        if len(left) < MIN_PART or len(right) < MIN_PART:
            continue
        if body[joint.start() - 1:joint.start()] in _CLOSING_QUOTES:
            continue  # 'said "fun with words," but' would end as 'words,". But'
        start = sentence.start() + joint.start()
        end = sentence.start() + joint.end()
        opener = _OPENS[" ".join(joint.group(1).lower().split())]
        if opener:
            replacement = ". " + opener
        else:  # the next word opens the sentence: capitalise its first letter
            replacement = ". " + text[end].upper()
            end += 1
        distance = abs(joint.start() - middle)
        if best is None or distance < best[0]:
            best = (distance, Edit(start, end, replacement))
    return best[1] if best else None
