"""fbopt's own grammar checks, run after whichever backend: missing commas, sentence capitals and
plural verbs the backends leave, and the fluency check (fbopt.quality.fluency).

Not a grammar checker of its own: six narrow rules, each kept because it raised GLEU on JFLEG
dev (scripts/eval_jfleg.py) without touching correct text in the sample posts.

    IntroductoryComma  "However we" -> "However, we" (an introductory word or phrase; "Second",
                       "Today"... only before a subject: "Second, the price")
    ClauseComma        "... ideas but the facts" -> "... ideas, but the facts" (also which,
                       especially), when a clause of four words or more comes before
    SubordinateComma   "If you want it you ..." -> "If you want it, you ..."
    IntroductoryPhrase "After school he has to" -> "After school, he has to" (an opening
                       prepositional phrase of up to five words before a pronoun and its verb)
    PluralVerb         "young people is" -> "young people are", "there is many" -> "there are
                       many" (not after a preposition: "respect for women is")
    SentenceStart      "he left. then we ..." -> "He left. Then we ..." (Harper's own rule
                       leaves these; not after abbreviations, ellipses or at line starts)
"""

from __future__ import annotations

import re

from fbopt.quality.fluency import fluency_issues
from fbopt.quality.grammar import GrammarBackend, GrammarIssue, abbreviation
from fbopt.quality.spans import overlaps, protected_spans

# Openers that are introductory whenever they start a sentence and a word follows. Words that
# also open ordinary clauses ("Now is the time", "First impressions", "Besides the cake") are
# left out on purpose.
INTRODUCTORY = (
    "however", "for example", "for instance", "in addition", "in my opinion", "in this case",
    "on the other hand", "on the contrary", "therefore", "thus", "hence", "moreover",
    "furthermore", "finally", "lastly", "firstly", "secondly", "thirdly", "also", "then",
    "of course", "in fact", "in conclusion", "in general", "in short", "in summary",
    "in other words", "as a result", "to sum up", "all in all", "by the way", "unfortunately",
    "fortunately", "personally", "actually", "honestly", "consequently", "meanwhile",
    "nevertheless", "nonetheless", "otherwise", "yes", "first of all", "nowadays", "these days",
    "in today's world", "in the past", "in the future", "besides that", "because of this",
    "in the end", "at first", "at the same time", "for me", "in my view", "in my experience",
)
# Openers that are introductory only when a subject follows: "Second, the price" and "Today, we
# open" but not "Second place", "Today is the day". ("Now I know" needs no comma.)
SUBJECT_OPENERS = ("first", "second", "third", "today", "anyway", "instead", "later",
                   "recently", "currently", "overall", "basically", "luckily", "sadly",
                   "surprisingly", "obviously", "clearly", "generally", "usually")
_SUBJECTS = {"i", "we", "you", "they", "he", "she", "it", "there", "the", "this", "these",
             "those", "people", "many", "most", "some", "all", "our", "my", "your", "their",
             "his", "her", "its", "everyone", "nobody", "no"}
_OPENER = re.compile(
    r"(?:^|(?<=[.!?]\s)|(?<=\n))\s*(?P<phrase>" + "|".join(
        re.escape(p).replace(r"\ ", r"\s+")
        for p in sorted(INTRODUCTORY + SUBJECT_OPENERS, key=len, reverse=True))
    + r")(?=\s+(?P<next>[^\W\d_][\w'’]*))",
    re.IGNORECASE)
_JOINER = re.compile(r"(?<=[^\W\d_])[ \t]+(but|which|especially)[ \t]+(?=[^\W\d_])",
                     re.IGNORECASE)
_SENTENCE_SO_FAR = re.compile(r"[^.!?,;:\n]*$")
# A lowercase word opening the text or a sentence ("he left. then we ..."); not after an
# ellipsis or an abbreviation ("e.g. the", "Jr. to"), not a mixed-case brand (iPhone, eBay), not
# at a line start (hard-wrapped lines and verse go on in lowercase).
_LOWER_START = re.compile(
    r"(?:^[ \t]*|(?<![.…][.!?])(?<=[^\W\d_][.!?])[ \t]+|(?<=[?!])[ \t]+)"
    r"(?P<word>[a-z][a-z']*)(?=[ \t,;:!?]|$)")
_NOT_BEFORE_JOINER = {"nothing", "anything", "everything", "all", "none", "last", "of", "in",
                      "on", "to", "for", "from", "by", "with", "about", "at", "and", "or", "the",
                      "that", "a", "an", "every", "many", "some", "most", "each", "this", "these"}
_MORE_VERBS = ("|say|says|said|had|did|got|went|make|made|like|love|agree|believe|find|found"
               "|live|work|use|learn|try|tried|am|cannot|can't|won't")
# A pronoun subject and a common verb: where the main clause starts after an opening clause.
_SUBJECT_VERB = (
    r"(?=\s+(?:I|you|we|they|he|she|it|there)\s+(?:will|can|would|should|must|may|might|could"
    r"|have|has|need|needs|are|is|was|were|do|does|don't|get|go|want|think|know|see|feel|become"
    r"|becomes%s)\b)")
_SUBORDINATE = re.compile(
    r"(?:^|(?<=[.!?]\s)|(?<=\n))(?P<word>If|When|Although|Though|Because|While|After|Before"
    r"|Since|Unless|Once|As long as|As soon as|Even if|Even though|Whenever)\b"
    r"(?P<clause>[^,.!?;:\n]{3,80}?)" + _SUBJECT_VERB % "",
    re.IGNORECASE)
# An opening prepositional phrase before a pronoun subject and its verb: "In simple words they
# say", "After school he has to". A phrase ending in a noun that a clause may qualify ("By the
# time I get there", "In case you need") is no introduction.
_PHRASE = re.compile(
    r"(?:^|(?<=[.!?]\s))(?P<word>(?-i:In|On|At|After|During|For|From|With|Without|By|Under"
    r"|Before|Even after|Even before|Even in|But by|But in|So in|And in))\s"
    r"(?P<phrase>[^\W\d_][\w'’]*(?:\s[^\W\d_][\w'’]*){0,4}?)"
    + _SUBJECT_VERB % _MORE_VERBS, re.IGNORECASE)
_CLAUSE_HEADS = {"time", "moment", "day", "way", "case", "reason", "place", "year", "week",
                 "night", "order", "that", "which", "who", "where", "when", "what", "how",
                 "whom", "whose", "if", "whether", "because", "than", "as", "the", "a", "an",
                 "least"}
# "is" after a plural subject, or in "there is" before a plural quantity.
_PLURAL_IS = re.compile(
    r"\b(?:(?:people|children|men|women)|(?:there|here)(?=\s+(?:is|was)\s+(?:many|several"
    r"|few|lots|plenty|also people|people|two|three|four|five|some people|so many|too many)\b))"
    r"\s+(?P<verb>is|was)\b", re.IGNORECASE)
_PREPOSITIONS = {"of", "for", "to", "toward", "towards", "with", "about", "among", "by", "from",
                 "against", "between", "on", "in", "at", "like"}
# "In addition to the cake, ..." and "Also known as" are not introductory.
_NOT_AFTER = {"in addition": {"to"}, "also": {"known", "called"}, "then": {"there"}}


def check_text(backend: GrammarBackend, text: str) -> list[GrammarIssue]:
    """The backend's issues plus fbopt's own and the fluency check's, never on a protected span,
    in text order; where one of ours covers a word the backend flagged, the backend's stays."""
    spans = protected_spans(text)
    own = [i for i in house_issues(text) + fluency_issues(text)
           if not overlaps(i.offset, i.offset + i.length, spans)]
    return merge_issues(backend.check(text), own)


def house_issues(text: str) -> list[GrammarIssue]:
    return (introductory_commas(text) + clause_commas(text) + subordinate_commas(text)
            + phrase_commas(text) + sentence_starts(text) + plural_verbs(text))


def plural_verbs(text: str) -> list[GrammarIssue]:
    """"people is" -> "people are", "there is many" -> "there are many"."""
    issues = []
    for m in _PLURAL_IS.finditer(text):
        before = _SENTENCE_SO_FAR.search(text[max(0, m.start() - 60):m.start()])
        if before and set(before.group(0).lower().split()[-3:]) & _PREPOSITIONS:
            continue  # "respect for women is", "the suffering of the people is"
        verb = m.group("verb")
        plural = {"is": "are", "was": "were"}[verb.lower()]
        issues.append(GrammarIssue(
            kind="Agreement", message=f"Use '{plural}' with a plural subject.",
            offset=m.start("verb"), length=len(verb), suggestion=plural, rule="PluralVerb",
            suggestions=(plural,)))
    return issues


def phrase_commas(text: str) -> list[GrammarIssue]:
    issues = []
    for m in _PHRASE.finditer(text):
        words = m.group("phrase").lower().split()
        if any(w in _CLAUSE_HEADS for w in words[1:]) or words[-1] in _CLAUSE_HEADS \
                or words[-1] in _NOT_BEFORE_JOINER:
            continue
        issues.append(_comma(m.end("phrase"), "IntroductoryPhrase",
                             f"Put a comma after the opening '{m.group('word')} ...' phrase."))
    return issues


# A word of letters and digits (Summer2024!, v2.0.): its mark is part of a password, a version
# or a name, not a sentence end.
_MIXED_END = re.compile(r"(?:[^\W\d_]\d|\d[^\W\d_])\S*[.!?]$")


def sentence_starts(text: str) -> list[GrammarIssue]:
    """A capital for a sentence's first word; the issue covers the first letter only, so a comma
    rule on the same word still applies."""
    issues = []
    for match in _LOWER_START.finditer(text):
        start = match.start("word")
        before = text[:start].rstrip()
        if before.endswith(".") and abbreviation(before[:-1]) or _MIXED_END.search(before):
            continue
        letter = text[start]
        issues.append(GrammarIssue(
            kind="Capitalization", message="Start a sentence with a capital letter.",
            offset=start, length=1, suggestion=letter.upper(), rule="SentenceStart",
            suggestions=(letter.upper(),)))
    return issues


def _comma(offset: int, rule: str, message: str) -> GrammarIssue:
    """An insertion: length 0 at `offset`, suggestion ','."""
    return GrammarIssue(kind="Punctuation", message=message, offset=offset, length=0,
                        suggestion=",", rule=rule, suggestions=(",",))


def clause_commas(text: str) -> list[GrammarIssue]:
    issues = []
    for match in _JOINER.finditer(text):
        before = _SENTENCE_SO_FAR.search(text[:match.start()])
        words = (before.group(0) if before else "").split()
        if len(words) < 4 or words[-1].lower() in _NOT_BEFORE_JOINER:
            continue
        if match.group(1).lower() == "but" and "only" in (w.lower() for w in words[-6:]):
            continue  # "not only ... but also"
        issues.append(_comma(match.start(), "ClauseComma",
                             f"Put a comma before '{match.group(1)}' joining two clauses."))
    return issues


def subordinate_commas(text: str) -> list[GrammarIssue]:
    issues = []
    for m in _SUBORDINATE.finditer(text):
        words = m.group("clause").split()
        if len(words) < 2 or words[-1].lower() in _NOT_BEFORE_JOINER:
            continue
        issues.append(_comma(m.end("clause"), "SubordinateComma",
                             f"Put a comma after the opening '{m.group('word')} ...' clause."))
    return issues


def introductory_commas(text: str) -> list[GrammarIssue]:
    issues = []
    for match in _OPENER.finditer(text):
        phrase = match.group("phrase")
        key = " ".join(phrase.lower().split())
        following = match.group("next").lower()
        if following in _NOT_AFTER.get(key, ()):
            continue
        if key in SUBJECT_OPENERS and following not in _SUBJECTS:
            continue
        issues.append(GrammarIssue(
            kind="Punctuation", message=f"Put a comma after the introductory '{phrase}'.",
            offset=match.start("phrase"), length=len(phrase), suggestion=phrase + ",",
            rule="IntroductoryComma", suggestions=(phrase + ",",)))
    return issues


def merge_issues(found: list[GrammarIssue], extra: list[GrammarIssue]) -> list[GrammarIssue]:
    """`found` plus the `extra` issues that overlap none of them, in text order."""
    kept = [e for e in extra if not any(e.offset < f.offset + max(f.length, 1)
                                        and f.offset < e.offset + max(e.length, 1)
                                        for f in found)]
    return sorted(found + kept, key=lambda issue: issue.offset)
