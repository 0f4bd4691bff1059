"""The grammar strategy: apply the grammar backend's suggestions, choosing well among them.

Not for finding mistakes (fbopt.quality.grammar does) or judging the result (the enhancer).
A misspelling's candidates are the backend's suggestions plus every dictionary word within two
edits (SymSpell); each candidate is ranked by a noisy-channel score: how likely the bigram model
finds it between its neighbours, minus a price per edit; a word people write often enough
(wordfreq's offline counts) stays unless its fix is far more common. Other issues choose among
the backend's suggestions with the same model. Overlapping edits and edits on protected spans
are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fbopt.enhance.edits import Edit, apply_edits
from fbopt.enhance.lexicon import Lexicon, lexicon, symspell, tokens
from fbopt.quality.grammar import GrammarIssue
from fbopt.quality.spelling import in_use, plural_of_known

_WORD_BEFORE = re.compile(r"([A-Za-z']+)[ \t]+$")
_WORD_AFTER = re.compile(r"^[ \t]+([A-Za-z']+)")
# Harper reports a word it would split ("allready" -> "all ready") as a Typo: a misspelling whose
# fix may as well be one word ("already"), so its candidates are weighed like any misspelling's.
SPLIT_KIND = "Typo"
SPELLING_KINDS = {"Spelling", SPLIT_KIND, "TYPOS", "misspelling"}
# Contractions written without their apostrophe: certain fixes, whatever the model says.
CONTRACTIONS = {w.replace("'", ""): w for w in (
    "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't", "weren't", "can't", "couldn't",
    "shouldn't", "wouldn't", "haven't", "hasn't", "hadn't", "won't", "you're", "they're", "we've",
    "you've", "they've", "i've", "i'm", "she's", "that's", "there's", "what's", "you'll",
    "they'll", "we'll", "didn't", "mustn't", "needn't")} | {
    # Text-speak with one reading.
    "u": "you", "ur": "your", "r": "are", "pls": "please", "plz": "please", "thx": "thanks",
    "becuz": "because", "cuz": "because", "b4": "before", "donnot": "do not"}


@dataclass(frozen=True)
class GrammarChoices:
    """How candidates are weighed, in log-probability units: `edit_cost` per character edit of a
    misspelling, `far_cost` more for two edits or more, `backend_bonus` for a spelling candidate
    the backend itself proposed, `first_bonus` for the backend's first suggestion of any other
    issue. `lm_weight` scales the bigram model's say."""

    lm_weight: float = 1.0
    edit_cost: float = 5.0
    far_cost: float = 4.0
    backend_bonus: float = 2.0
    first_bonus: float = 3.0
    symspell_candidates: int = 12
    # A capitalised unknown word is most often a name or a brand: fix it only at this distance.
    name_distance: int = 1
    # A word this short is as likely an abbreviation (hrs, xz): fix it only when the fix beats
    # keeping the word (scored as an unknown word) by `keep_margin`.
    short_word: int = 3
    short_distance: int = 1
    keep_margin: float = 0.0
    # A longer misspelling may be this many letters per edit away from its fix (at least 2;
    # at least 1 up to `short_far_word` letters: 'moxy' is no 'many').
    letters_per_edit: int = 3
    short_far_word: int = 4
    # Writers seldom get a word's first consonant wrong (a first vowel, often: 'anderstand'):
    # from this length on, a fix keeps it.
    first_letter_kept: int = 5
    # A word Harper would split is as often a compound it does not know (deadlift, playdate)
    # as a misspelling (allready, togather): one word replaces it only when that word is this
    # close and this common (per the frequency list), never 'hitless' -> 'hitlers'.
    split_distance: int = 1
    split_min_count: int = 15_000_000
    # A word people write often enough (wordfreq's Zipf scale: 2 is once in 10^7 words) is in
    # use (gelato, queso, gifs), not misspelt, unless its fix is used this many times
    # more on the same scale (untill 3.0 -> until 5.9).
    in_use_zipf: float = 1.5
    fix_margin_zipf: float = 2.0


class GrammarFixer:
    """Turns grammar issues into edits. Cheap to build; the word lists load on first use."""

    def __init__(self, choices: GrammarChoices | None = None,
                 lex: Callable[[], Lexicon] = lexicon) -> None:
        self.choices = choices or GrammarChoices()
        self._lex = lex

    def fix(self, text: str, issues: Sequence[GrammarIssue]) -> str:
        return apply_edits(text, self.edits(text, issues))

    def edits(self, text: str, issues: Sequence[GrammarIssue]) -> list[Edit]:
        out = []
        for issue in issues:
            choice = self.choose(text, issue)
            if choice is not None:
                out.append(Edit(issue.offset, issue.offset + issue.length, choice))
        return out

    def choose(self, text: str, issue: GrammarIssue) -> str | None:
        """The best replacement for the issue's span, or None to leave it; the first word of the
        post or of a line gets its capital ('alot of people' -> 'A lot of people': the issue
        covers the word, so the capital rule's issue on it was dropped)."""
        choice = self._choose(text, issue)
        line_start = not text[:issue.offset].rsplit("\n", 1)[-1].strip()
        if choice and line_start and choice[:1].islower() and text[issue.offset:][:1].isalpha():
            return choice[:1].upper() + choice[1:]
        return choice

    def _choose(self, text: str, issue: GrammarIssue) -> str | None:
        original = text[issue.offset:issue.offset + issue.length]
        if _in_capitals(text, issue.offset + issue.length):
            return None  # "A FRIEND": the backends read shouted words as acronyms
        if issue.rule == "ItsContraction" and issue.suggestions:
            # "it's" reads as "it is" and "it has" both: "its got" -> "it's got", not "it has got"
            return _match_case(original, issue.suggestions[0])
        if issue.kind in SPELLING_KINDS:
            sure = _certain_spelling(original, issue.suggestions)
            if sure is not None:
                return sure
            if original.isalpha() and plural_of_known(original):
                return None  # 'alliums' is no 'albums': the word lists miss rare plurals

        proposed = list(dict.fromkeys(issue.suggestions or ((issue.suggestion,)
                                                            if issue.suggestion else ())))
        spelling = issue.kind in SPELLING_KINDS
        options = list(proposed)
        lex, c = self._lex(), self.choices
        if spelling and original.isalpha():
            nearby = self._nearby(original)
            if issue.kind == SPLIT_KIND:
                nearby = [o for o in nearby if lex.count(o) >= c.split_min_count
                          and _distance(original.lower(), o) <= c.split_distance]
            options += [o for o in nearby if o not in options]
        options = [o for o in options if self._plausible(original, o, lex, spelling)]
        if not options:
            return None
        previous, following = _neighbours(text, issue.offset, issue.offset + issue.length)

        def score(index: int, option: str) -> float:
            fluency = c.lm_weight * lex.sequence_logprob(tokens(option), previous, following)
            if not spelling:
                return fluency + (c.first_bonus if index == 0 else 0.0)
            edits = _distance(original.lower(), option.lower())
            bonus = c.backend_bonus if index < len(proposed) else 0.0
            return fluency + bonus - c.edit_cost * edits - (c.far_cost if edits > 1 else 0.0)

        best_index, best = max(enumerate(options), key=lambda pair: score(*pair))
        if spelling and " " not in best and in_use(original, [best], c.in_use_zipf,
                                                   c.fix_margin_zipf):
            return None  # a word in its own right, not a misspelling of `best`
        if spelling and len(original) <= c.short_word:
            keep = c.lm_weight * lex.sequence_logprob([original], previous, following)
            if score(best_index, best) < keep + c.keep_margin:
                return None
        return _match_case(original, best)

    def _plausible(self, original: str, option: str, lex: Lexicon, spelling: bool) -> bool:
        """A word split in two ("in fact") must be a known word pair, words joined a known word;
        a misspelling's fix stays near it, nearer still for a name or a short word (hrs, xz:
        maybe abbreviations)."""
        parts = option.lower().split()
        if len(original.split()) == 1 and len(parts) > 1 and not all(
                pair in lex.bigrams for pair in zip(parts, parts[1:], strict=False)):
            return False
        if len(original.split()) > 1 and len(parts) == 1 and (
                not lex.known(option) or option[1:] != option[1:].lower()):
            return False  # words run together must make a word: not "an ENT" -> "anENT"
        if not spelling:
            return True
        distance = _distance(original.lower(), option.lower())
        if _cut_off(original.lower(), option.lower()):
            return False
        if len(original) >= self.choices.first_letter_kept and _new_consonant(original, option):
            return False  # 'gelatinized' is no 'relativized' (but 'inviroment' is 'environment')
        if original[:1].isupper() and not original.isupper():
            return distance <= self.choices.name_distance
        if len(original) <= self.choices.short_word:
            return distance <= self.choices.short_distance
        floor = 1 if len(original) <= self.choices.short_far_word else 2
        return distance <= max(floor, len(original) // self.choices.letters_per_edit)

    def _nearby(self, word: str) -> list[str]:
        from symspellpy import Verbosity

        found = symspell().lookup(word.lower(), Verbosity.ALL, 2, transfer_casing=False)
        found.sort(key=lambda s: (s.distance, -s.count))
        return [s.term for s in found[: self.choices.symspell_candidates]]


def _cut_off(original: str, option: str) -> bool:
    """Whether the fix only drops two letters or more from the word's start: most often a prefix
    (un-, non-: 'unmeaningful' is no misspelling of 'meaningful', 'nonfluoridated' is a word)."""
    return len(original) - len(option) >= 2 and original.endswith(option)


def _new_consonant(original: str, option: str) -> bool:
    """Whether the fix swaps the word's first letter for another, both consonants."""
    a, b = original[:1].lower(), option[:1].lower()
    return a != b and a.isalpha() and b.isalpha() and a not in "aeiouy" and b not in "aeiouy"


def _certain_spelling(original: str, suggestions: Sequence[str]) -> str | None:
    """A fix that needs no model: a missing apostrophe, or only the letters' case."""
    contraction = CONTRACTIONS.get(original.lower())
    if contraction is not None:
        return _match_case(original, contraction)
    for option in suggestions:
        if option.lower() == original.lower() and option != original:
            return option
    return None


def _in_capitals(text: str, end: int) -> bool:
    """Whether the word after position `end` is in capitals (two letters or more)."""
    following = _WORD_AFTER.search(text[end:end + 40])
    word = following.group(1) if following else ""
    return len(word) > 1 and word.isupper()


def _neighbours(text: str, start: int, end: int) -> tuple[str | None, str | None]:
    """The words right before and after [start, end), when only spaces separate them."""
    before = _WORD_BEFORE.search(text[max(0, start - 40):start])
    after = _WORD_AFTER.search(text[end:end + 40])
    return (before.group(1) if before else None), (after.group(1) if after else None)


def _match_case(original: str, option: str) -> str:
    if len(original) > 1 and original.isupper() and option.isalpha():
        return option.upper()
    if original[:1].isupper() and option[:1].islower():
        return option[:1].upper() + option[1:]
    return option


def _distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein with adjacent transpositions)."""
    if a == b:
        return 0
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[-1]
