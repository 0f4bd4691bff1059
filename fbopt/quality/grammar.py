"""Grammar checking behind one small interface: Harper (offline, the default) or LanguageTool.

Not for fixing text (fbopt.enhance.grammar applies suggestions) or for combining scores. A backend
that cannot run raises one ConfigError saying how to get it; there is no silent fallback.

Harper's lints that are wrong in posts are dropped (`_not_an_error`): names (inside a sentence,
or at its start before another capitalised word), a capital asked for after an abbreviation
("Trump Jr. kept"), a dropped g ("nothin'"), styled letters, and every issue of a post mostly in
another language.

Harper runs a chosen subset of its rules: `posts` (POST_RULES) keeps spelling, grammar, agreement
and the classic confusions and drops typography and house style; it is several times faster than
all of Harper's defaults and keeps the corrections that matter. `fast` (the default for scoring)
is `posts` with Harper's spell check swapped for a word-list lookup (fbopt.quality.spelling):
unknown words are reported without suggestions, at a fraction of the cost. The grammar strategy
of fbopt.enhance asks the `posts` rules again for the suggestions it applies.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Protocol

from fbopt.errors import ConfigError
from fbopt.quality.spans import overlaps, protected_spans

# Harper's "posts" selection: the rules that fired on real posts (20K Facebook news posts, the
# sample posts) or learner English (JFLEG dev) and were right more often than wrong, plus the
# classic confusions (could of, then/than, lose/loose). Typography and house-style rules (dashes,
# ellipses, Oxford comma, long sentences) stay off: they are not errors in a post, and each rule
# costs time on every text. Off because they broke correct news posts more often than they fixed
# anything: ItsPossessive ("It's tough" -> "Its tough"), ThereToTheir ("There needs to be"),
# TheirToTheyre ("their lawfully held"), SingleBe ("The question is are they"), LetsConfusion
# ("let loose" -> "let us loose"), IAmAgreement ("Mika & I are"), NounVerbConfusion ("on the
# right believe" -> "belief").
POST_RULES = (
    "SpellCheck", "SentenceCapitalization", "CapitalizePersonalPronouns", "SplitWords",
    "MergeWords", "OpenCompounds", "MassNouns", "AnA", "RepeatedWords",
    "ItsContraction", "PronounVerbAgreement", "PronounContraction", "PronounInflectionBe",
    "DiscourseMarkers", "ToTwoToo", "TooTo", "ToTooIdioms", "ToLoseTooLoose", "OneOfTheSingular",
    "TheirToThere", "TheyreToTheir", "ThereOwn",
    "ThatThan", "ThenThan", "ModalBeAdjective", "ModalOf", "AdjectiveDoubleDegree",
    "RegularIrregulars", "NominalWants", "ThereIsAgreement",
    "InflectedVerbAfterTo", "SimplePastToPastParticiple", "CorrectNumberSuffix",
    "PossessiveYour", "YourPredicateAdjective", "WereWhere", "TheWhetherWeather",
    "WholeEntire", "ThisTypeOfThing", "PluralWrongWordOfPhrase", "ProgressiveNeedsBe", "NeedToNoun",
    "WayTooAdjective", "DespiteOf", "Someone", "Everyone", "Everyday", "Nowhere", "Myself",
    "Itself", "Yourself", "Furthermore", "Therefore", "Nowadays", "OfCourse", "VeryLess", "Lots",
    "Cant", "Hazzle", "HopHope", "TheAnother", "DoubleNegative", "SubjectPronoun",
)
HARPER_SELECTIONS = ("fast", "posts", "default")
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|\n\s*)$")
_NEXT_CAPITAL = re.compile(r"[ \t]+[A-Z]")
# Abbreviations a sentence does not end at (titles first: news posts are full of them).
_ABBREVIATIONS = {
    "jr", "sr", "dr", "mr", "mrs", "ms", "st", "sen", "rep", "gov", "gen", "lt", "col", "sgt",
    "capt", "cmdr", "adm", "det", "insp", "rev", "hon", "pres", "supt", "prof", "mt", "ave",
    "blvd", "inc", "ltd", "co", "corp", "bros", "dept", "univ", "etc", "vs", "approx", "no",
    "nos", "fig", "ca", "cf", "al", "ft", "oz", "lb", "lbs", "min", "max", "incl", "est",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
_SPELLING_LINTS = ("Spelling", "Typo")
_APOSTROPHES = ("'", "’")
_NAME_PREFIX = re.compile(r"-[A-Z]")
_ELONGATED = re.compile(r"([a-z])\1{3}", re.IGNORECASE)  # four of a letter: "goooo"
_HYPHENED_NAME = re.compile(r"\b[A-Z][a-z]*-$")


@dataclass(frozen=True)
class GrammarIssue:
    """One problem found in a text. `offset` and `length` count code points (Python indexes)."""

    kind: str
    message: str
    offset: int
    length: int
    suggestion: str | None = None
    rule: str = ""
    suggestions: tuple[str, ...] = field(default=())

    def as_record(self) -> dict[str, Any]:
        """The output column's shape: kind, message, offset, length, suggestion and the rule
        that found it (a Harper rule to switch off with quality.harper_disable, a house rule or
        a LanguageTool rule id)."""
        return {"kind": self.kind, "message": self.message, "offset": self.offset,
                "length": self.length, "suggestion": self.suggestion, "rule": self.rule}


class GrammarBackend(Protocol):
    name: str

    def check(self, text: str) -> list[GrammarIssue]: ...

    def close(self) -> None: ...


def grammar_score(issues: int, words: int) -> float:
    """1 for no issue; an issue costs more in a short post: 1 / (1 + 10 issues / max(words, 10))."""
    if words <= 0:
        return 0.0
    return 1.0 / (1.0 + 10.0 * issues / max(words, 10))


def harper_rule_config(linter: Any, selection: str, enable: tuple[str, ...] = (),
                       disable: tuple[str, ...] = ()) -> dict[str, bool]:
    """The Harper lint config for a selection ('fast', 'posts' or 'default') plus explicit
    overrides."""
    default = linter.get_default_lint_config()
    unknown = sorted((set(enable) | set(disable)) - set(default))
    if unknown:
        raise ConfigError(f"unknown Harper rule(s): {', '.join(unknown)}",
                          hint="names as in harper.get_default_lint_config(), e.g. SpellCheck")
    if selection == "default":
        config = dict(default)
    elif selection == "posts":
        config = {name: name in POST_RULES for name in default}
    elif selection == "fast":
        config = {name: name in POST_RULES and name != "SpellCheck" for name in default}
    else:
        raise ConfigError(f"unknown Harper rule selection {selection!r}",
                          hint=f"use one of: {', '.join(HARPER_SELECTIONS)}")
    config.update({name: True for name in enable})
    config.update({name: False for name in disable})
    return config


class HarperBackend:
    """Harper through harper-py. A Linter is not thread-safe and costs about half a second to
    build: make one backend per process and reuse it."""

    name = "harper"

    def __init__(self, rules: str = "posts", dialect: str = "american",
                 enable: tuple[str, ...] = (), disable: tuple[str, ...] = ()) -> None:
        try:
            import harper
        except ImportError as exc:
            raise ConfigError("the Harper grammar checker is not installed",
                              hint="pip install harper-py") from exc
        self.linter = harper.Linter(_dialect(harper, dialect))
        self.linter.set_lint_config(harper_rule_config(self.linter, rules, enable, disable))
        self._language = harper.Language.PLAINTEXT
        self.word_spelling = rules == "fast" and "SpellCheck" not in enable
        if self.word_spelling:
            from fbopt.quality.spelling import known_words

            known_words()  # read the lists now, not inside the first text's check

    def check(self, text: str) -> list[GrammarIssue]:
        spans = protected_spans(text)
        issues = []
        found = self.linter.organized_lints(text, language=self._language)
        for rule, lints in found.items():
            for lint in lints:
                start, end = lint.span.start, lint.span.end
                if overlaps(start, end, spans) or _not_an_error(text, lint, rule):
                    continue
                issues.append(_issue(lint, rule, start, end))
        if self.word_spelling:
            # Harper spends about 8 ms building suggestions for each word it does not know (most
            # are the names in a news post: most of a post's time); a lookup costs microseconds.
            from fbopt.quality.spelling import unknown_words

            issues = one_per_span(issues + unknown_words(text))
        issues.sort(key=lambda i: (i.offset, i.length))
        return [] if _not_english(text, issues) else issues

    def close(self) -> None:
        return None


def one_per_span(issues: list[GrammarIssue]) -> list[GrammarIssue]:
    """One issue per span: where a word has two (Harper's SplitWords "auto scaling" and the
    word list's "Unknown word" for "autoscaling"), the most specific wins: one with suggestions
    over one without, a named rule over the bare word-list Spelling. Issues of different rules
    on different spans all stay, even when they overlap."""
    ranked = sorted(issues, key=lambda i: (-len(i.suggestions), i.rule == "Spelling"))
    kept: list[GrammarIssue] = []
    for issue in ranked:
        if not any(_same_words(issue, k) for k in kept):
            kept.append(issue)
    return kept


def _same_words(a: GrammarIssue, b: GrammarIssue) -> bool:
    """The same span, or a bare word-list Spelling issue inside or over another issue's span."""
    if (a.offset, a.length) == (b.offset, b.length):
        return True
    overlap = a.offset < b.offset + max(b.length, 1) and b.offset < a.offset + max(a.length, 1)
    return overlap and "Spelling" in (a.rule, b.rule) and min(a.length, b.length) > 0


def _issue(lint: Any, rule: str, start: int, end: int) -> GrammarIssue:
    options = tuple(_suggestion_text(lint, s) for s in lint.suggestions)
    return GrammarIssue(kind=lint.lint_kind, message=lint.message, offset=start,
                        length=end - start, suggestion=options[0] if options else None,
                        rule=rule, suggestions=options)


def _suggestion_text(lint: Any, suggestion: Any) -> str:
    """The text that replaces the lint's span once the suggestion is applied."""
    kind = int(suggestion.kind)
    if kind == 1:  # remove
        return ""
    if kind == 2:  # insert after
        return lint.problem_text + suggestion.replacement_text
    return suggestion.replacement_text


def _not_english(text: str, issues: list[GrammarIssue]) -> bool:
    """Whether half the words or more are unknown to the speller: a post in another language
    (Swedish, say), which an English checker would only mangle. Learner English stays far
    below (JFLEG: at most a third)."""
    words = len(text.split())
    unknown = sum(1 for i in issues if i.kind in _SPELLING_LINTS)
    return words >= 4 and unknown * 2 >= words


def _not_an_error(text: str, lint: Any, rule: str) -> bool:
    """Lints Harper gets wrong in posts: a capital asked for after an abbreviation ("Trump Jr.
    kept"), a letter of styled text (s̶t̶r̶u̶c̶k̶ with combining marks), a mass-noun rule on a
    noun made from a verb ("a hearing", "a finding"), and for spelling: a name, the 's of
    "Jr.'s", a dropped g ("nothin'") or a name's prefix ("al-Awamiya")."""
    start, end = lint.span.start, lint.span.end
    near = text[max(start - 1, 0):end + 1]
    if any(unicodedata.category(ch).startswith("M") for ch in near):
        return True
    if lint.lint_kind == "Capitalization":
        before = text[:start].rstrip()
        return before.endswith(".") and abbreviation(before[:-1])
    if rule == "MassNouns":
        return lint.problem_text.rstrip("s").endswith("ing")
    return lint.lint_kind in _SPELLING_LINTS and _not_a_misspelling(
        text, lint.problem_text, start, end, listed_names=lint.lint_kind == "Spelling")


def _not_a_misspelling(text: str, word: str, start: int, end: int, listed_names: bool) -> bool:
    if (len(word) == 1 and word.isupper()) or (start > 0 and text[start - 1] in _APOSTROPHES):
        return True  # an initial ("U.S" read as "U" and "S"), or the 's of "Jr.'s"
    after = text[end:end + 2]
    if (word.endswith("in") and after[:1] in _APOSTROPHES) or _NAME_PREFIX.match(after):
        return True
    if (after[:1] == "/" and len(word) <= 2) or _ELONGATED.search(word) \
            or _HYPHENED_NAME.search(text, 0, start):
        return True  # "w/ Russia", "goooo", "Kim Jong-un"
    if after[:1] == "." and abbreviation(word):
        return True  # "Sen. Ted Cruz", "Fmr. Rep."
    if listed_names and word[:1].isupper() and _listed(word):
        return True  # Vox, Gorka: names the CMU dictionary lists
    return _is_proper_noun(text, word, start, end) or _name_particle(text, word, start, end)


def _is_proper_noun(text: str, word: str, start: int, end: int) -> bool:
    """A capitalised word inside a sentence that the speller does not know is most often a
    name (Bluestein, Okafor): not an error in a post. At a sentence start it is a name when
    another capitalised word follows (Conor McGregor)."""
    if word[1:] != word[1:].lower():
        return True  # capitals inside: a brand or a code (iPhone, pmET)
    if not word[:1].isupper():
        return False
    if not _SENTENCE_START.search(text[:start]):
        return True
    return _NEXT_CAPITAL.match(text, end) is not None


def _name_particle(text: str, word: str, start: int, end: int) -> bool:
    """A short lowercase word between two capitalised ones: part of a name (Hôtel National des
    Invalides, Leonardo da Vinci)."""
    before = text[max(start - 40, 0):start].split()
    return (len(word) <= 3 and word.islower() and bool(before) and before[-1][:1].isupper()
            and _NEXT_CAPITAL.match(text, end) is not None)


def abbreviation(before: str) -> bool:
    """Whether `before` (text up to a full stop) ends in an abbreviation: 'e.g', 'U.S', 'Jr',
    'Sen', 'etc' (a dotted token, one letter, a short capitalised title or a listed one)."""
    token = before.rsplit(None, 1)[-1].lstrip("(\"'") if before.split() else ""
    return (len(token) <= 1 or "." in token or (token[:1].isupper() and len(token) <= 3)
            or token.lower() in _ABBREVIATIONS)


def _dialect(harper: Any, name: str) -> Any:
    try:
        return harper.Dialect[name.upper()]
    except KeyError:
        choices = ", ".join(d.name.lower() for d in harper.Dialect)
        raise ConfigError(f"unknown English dialect {name!r}", hint=f"use one of: {choices}") \
            from None


def make_backend(name: str, *, harper_rules: str = "fast", dialect: str = "american",
                 languagetool_url: str = "", language: str = "en-US",
                 enable: tuple[str, ...] = (), disable: tuple[str, ...] = ()) -> GrammarBackend:
    """The backend called `name` ('harper' or 'languagetool'), ready to check text."""
    if name == "harper":
        return HarperBackend(harper_rules, dialect, enable, disable)
    if name == "languagetool":
        from fbopt.quality.languagetool import LanguageToolBackend

        return LanguageToolBackend(languagetool_url, language)
    raise ConfigError(f"unknown grammar backend {name!r}", hint="use harper or languagetool")


def _listed(word: str) -> bool:
    """Whether the word lists know `word` (fbopt.quality.spelling imports this module, so it is
    imported here, late)."""
    from fbopt.quality.spelling import is_known

    return is_known(word)
