"""Grammar checking behind one small interface: Harper (offline, the default) or LanguageTool.

Not for fixing text (fbopt.enhance.grammar applies suggestions) or for combining scores. A backend
that cannot run raises one ConfigError saying how to get it; there is no silent fallback.

Harper runs a chosen subset of its rules: `posts` (POST_RULES) keeps spelling, grammar, agreement
and the classic confusions and drops typography and house style; it is several times faster than
all of Harper's defaults and keeps the corrections that matter. `fast` (the default for scoring)
is `posts` with Harper's spell check swapped for a word-list lookup (fbopt.quality.spelling):
unknown words are reported without suggestions, at a fraction of the cost. The grammar strategy
of fbopt.enhance asks the `posts` rules again for the suggestions it applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from fbopt.errors import ConfigError
from fbopt.quality.spans import overlaps, protected_spans

# Harper's "posts" selection: the rules that fired on real posts (20K Facebook news posts, the
# sample posts) or learner English (JFLEG dev) and were right more often than wrong, plus the
# classic confusions (its/it's, their/there, could of, then/than, lose/loose). Typography and
# house-style rules (dashes, ellipses, Oxford comma, long sentences) stay off: they are not errors
# in a post, and each rule costs time on every text.
POST_RULES = (
    "SpellCheck", "SentenceCapitalization", "CapitalizePersonalPronouns", "SplitWords",
    "MergeWords", "OpenCompounds", "MassNouns", "AnA", "RepeatedWords", "ItsPossessive",
    "ItsContraction", "PronounVerbAgreement", "PronounContraction", "PronounInflectionBe",
    "DiscourseMarkers", "ToTwoToo", "TooTo", "ToTooIdioms", "ToLoseTooLoose", "OneOfTheSingular",
    "ThereToTheir", "TheirToThere", "TheirToTheyre", "TheyreToTheir", "ThereOwn", "SingleBe",
    "ThatThan", "ThenThan", "ModalBeAdjective", "ModalOf", "AdjectiveDoubleDegree",
    "NounVerbConfusion", "RegularIrregulars", "NominalWants", "ThereIsAgreement",
    "InflectedVerbAfterTo", "IAmAgreement", "SimplePastToPastParticiple", "CorrectNumberSuffix",
    "PossessiveYour", "YourPredicateAdjective", "LetsConfusion", "WereWhere", "TheWhetherWeather",
    "WholeEntire", "ThisTypeOfThing", "PluralWrongWordOfPhrase", "ProgressiveNeedsBe", "NeedToNoun",
    "WayTooAdjective", "DespiteOf", "Someone", "Everyone", "Everyday", "Nowhere", "Myself",
    "Itself", "Yourself", "Furthermore", "Therefore", "Nowadays", "OfCourse", "VeryLess", "Lots",
    "Cant", "Hazzle", "HopHope", "TheAnother", "DoubleNegative", "SubjectPronoun",
)
HARPER_SELECTIONS = ("fast", "posts", "default")
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|\n\s*)$")


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
        """The output column's shape: kind, message, offset, length, suggestion."""
        return {"kind": self.kind, "message": self.message, "offset": self.offset,
                "length": self.length, "suggestion": self.suggestion}


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
        for lint in self.linter.lint(text, language=self._language):
            start, end = lint.span.start, lint.span.end
            if overlaps(start, end, spans) or _is_proper_noun(text, lint):
                continue
            issues.append(_issue(lint, start, end))
        if self.word_spelling:
            # Harper spends about 8 ms building suggestions for each word it does not know (most
            # are the names in a news post: most of a post's time); a lookup costs microseconds.
            from fbopt.quality.spelling import unknown_words

            issues = sorted(issues + unknown_words(text), key=lambda i: (i.offset, i.length))
        return issues

    def close(self) -> None:
        return None


def _issue(lint: Any, start: int, end: int) -> GrammarIssue:
    options = tuple(_suggestion_text(lint, s) for s in lint.suggestions)
    return GrammarIssue(kind=lint.lint_kind, message=lint.message, offset=start,
                        length=end - start, suggestion=options[0] if options else None,
                        rule=lint.lint_kind, suggestions=options)


def _suggestion_text(lint: Any, suggestion: Any) -> str:
    """The text that replaces the lint's span once the suggestion is applied."""
    kind = int(suggestion.kind)
    if kind == 1:  # remove
        return ""
    if kind == 2:  # insert after
        return lint.problem_text + suggestion.replacement_text
    return suggestion.replacement_text


def _is_proper_noun(text: str, lint: Any) -> bool:
    """A capitalised word inside a sentence that the speller does not know is most often a
    name (Bluestein, Okafor): not an error in a post."""
    if lint.lint_kind != "Spelling":
        return False
    word = lint.problem_text
    if not word[:1].isupper():
        return False
    return word.isupper() or not _SENTENCE_START.search(text[: lint.span.start])


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
