"""The readability strategy: split over-long sentences and swap wordy words for plain ones.

Not for judging the result (the enhancer keeps a change only when the scores that track real
outcomes rise). A sentence over LONG_SENTENCE words is cut where a clause joins ("..., and we",
"... so come"), at the joint nearest its middle that leaves both halves at least MIN_PART words.
Swaps come from the shipped list fbopt/data/plain_words.tsv, each checked against its part of
speech: a word is swapped only when Lemminflect knows it as that part of speech alone
("purchase", a noun and a verb, is never touched). Quoted text is never changed, and a post
that is a quotation is left as it is.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from fbopt.enhance.edits import Edit, apply_edits
from fbopt.enhance.intent import is_quote
from fbopt.quality.readability import LONG_SENTENCE

PLAIN_WORDS = "plain_words.tsv"

MIN_PART = 6
# A sentence ends at . ! ? followed by a space or the end (not inside 4.50 or example.com).
_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?](?=[^\s.!?]))+[.!?]*")
# A joint: an optional comma or dash ("... Trump — but the"), then a conjunction that can start
# a new sentence; not "so" as a degree word ("as so many millions", "so much", "so that").
_JOINT = re.compile(r"(?:,|\s*[—–]|\s+--)?\s+(and then|and(?=\s+(?:i|we|you|they|he|she|it|its"
                    r"|it's|there|this|that|these|those|our|my|your|their|everyone|people)\b)"
                    r"|but|(?<!\bas )(?<!\bnot )(?<!\bor )(?<!\bjust )(?<!\beven )so(?!\s+(?:many|"
                    r"much|few|little|far|long|often|that|well|badly|very|to)\b)|which means)\s+"
                    r"(?=[^\W\d_])", re.IGNORECASE)
_CLOSING_QUOTES = {'"', "”", "’", "'"}
# What starts the new sentence: "We went home and we slept" -> "We went home. We slept."
_OPENS = {"and": "", "and then": "Then ", "but": "But ", "so": "So ", "which means": "This means "}


def rewrite(text: str) -> str:
    """`text` with long sentences split and wordy words swapped (protected spans untouched)."""
    if is_quote(text):
        return text
    split = split_long_sentences(text)
    return apply_edits(split, plain_word_edits(split))


@cache
def plain_words() -> dict[str, tuple[str, str]]:
    """from (lower case, spaces single) -> (to, part of speech or 'phrase')."""
    text = resources.files("fbopt").joinpath("data", PLAIN_WORDS).read_text(encoding="utf-8")
    table = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            before, after, pos = line.split("\t")
            table[" ".join(before.lower().split())] = (after, pos)
    return table


@cache
def _plain_pattern() -> re.Pattern[str]:
    # Longest first, so "in order to" wins over a shorter entry inside it.
    entries = sorted(plain_words(), key=len, reverse=True)
    alternatives = "|".join(re.escape(e).replace(r"\ ", r"\s+") for e in entries)
    return re.compile(rf"(?<![\w'’-])(?:{alternatives})(?![\w'’-])", re.IGNORECASE)


def plain_word_edits(text: str) -> list[Edit]:
    """An edit for every listed word or phrase in `text` whose part of speech checks out; the
    first letter's case is kept."""
    edits = []
    for match in _plain_pattern().finditer(text):
        found = match.group(0)
        replacement, pos = plain_words()[" ".join(found.lower().split())]
        if pos != "phrase" and _readings(found) != {pos}:
            continue
        if found[:1].isupper():
            replacement = replacement[:1].upper() + replacement[1:]
        edits.append(Edit(match.start(), match.end(), replacement))
    return edits


def _readings(word: str) -> set[str]:
    from lemminflect import getAllLemmas  # its tables load on first use

    return set(getAllLemmas(word.lower()))


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
