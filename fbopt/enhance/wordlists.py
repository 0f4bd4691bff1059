"""Shipped word lists (fbopt/data/*.tsv) and whole-word swaps from them.

Not for choosing which list to use (the strategies do). A list is `from<TAB>to` per line; swaps
match whole words case-insensitively and keep the first letter's case.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from fbopt.enhance.edits import Edit


@cache
def word_pairs(name: str) -> tuple[tuple[str, str], ...]:
    text = resources.files("fbopt").joinpath("data", name).read_text(encoding="utf-8")
    pairs = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#") and "\t" in line:
            before, after = line.split("\t", 1)
            pairs.append((before.strip(), after.strip()))
    # longest first, so "in order to" wins over a shorter entry inside it
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


@cache
def _pattern(name: str) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(b).replace(r"\ ", r"\s+") for b, _ in word_pairs(name))
    return re.compile(rf"(?<![\w'’-])(?:{alternatives})(?![\w'’-])", re.IGNORECASE)


def swap_edits(text: str, name: str) -> list[Edit]:
    """An edit for every listed word or phrase found in `text`."""
    table = {" ".join(b.lower().split()): a for b, a in word_pairs(name)}
    edits = []
    for match in _pattern(name).finditer(text):
        found = match.group(0)
        replacement = table[" ".join(found.lower().split())]
        if found[:1].isupper():
            replacement = replacement[:1].upper() + replacement[1:]
        edits.append(Edit(match.start(), match.end(), replacement))
    return edits
