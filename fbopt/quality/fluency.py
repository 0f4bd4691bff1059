"""The fluency check: word choices that Harper's rules miss, found by asking a word-pair model
whether a close alternative reads far more naturally in the same place.

Not a grammar checker of its own and not a fixer: each issue carries the alternatives, and
fbopt.enhance.grammar chooses among them. The model is the word and word-pair frequency lists
shipped inside symspellpy (82,765 words, 243,342 pairs), read once per process; nothing is
downloaded.

    Confusion       their/there/they're, its/it's, your/you're, whose/who's, then/than: the
                    alternative (a contraction scored as its two words) beats the original by
                    `MARGIN` in log-probability with the words either side ("Their going" ->
                    "They're going", "its already" -> "it's already")
    ModalOf         "could of", "couldnt of", "would of" ... before a verb -> "have"
    NounNumber      a plural quantifier and a singular noun, or a singular one and a plural
                    noun, when the other number beats it by `MARGIN` ("several reason",
                    "many company", "this cars")
    ClauseInSlot    a noun-phrase slot (after a preposition or a determiner) filled with a
                    clause: "about we are hiring", "the they", or with a question in question
                    order: "a look at how do I fix": no suggestion, the sentence needs rewording
    BeBaseVerb      "I am agree", "they are not agree", "ads are make": a form of "be"
                    before a plain verb (suggestion: drop "am"/"are", or "do" for "are not")
    ModalPast       "could even began", "will used": a modal before a past form -> the plain
                    verb the pair model prefers
    PluralVerb      "people has", "children wants": a singular verb after a plural noun

`MARGIN` was tuned on the even lines of JFLEG dev and on news messages apart from the ones
scripts/eval_scores.py reports (see the README's scores section).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from fbopt.errors import ConfigError
from fbopt.quality.grammar import GrammarIssue

# Log-probability an alternative must gain over the original (e ** 4.5: ninety times likelier).
MARGIN = 4.5
_BACKOFF = 0.4
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?|\S")
# Words that follow "they're", "it's" and "you're" but never "their", "its" and "your" (an
# adjective or a noun may follow both: "its own", "your elected representative", so only these
# are trusted).
_AFTER_CONTRACTION = frozenset("""
    going gonna coming doing trying getting not never always all so too really just still here
    there a an the now also actually probably definitely already about like done gone ready sure
    ok okay almost quite finally officially no my our his her welcome""".split())
_CONTRACTIONS = {"their": "they're", "its": "it's", "your": "you're", "theyre": "they're",
                 "youre": "you're"}
_THERE_VERBS = frozenset("is are was were".split())
_MODAL_OF = re.compile(
    r"\b(?:could|would|should|must|might|may)(?:n['’]?t)?[ \t]+(?P<of>of)[ \t]+"
    r"(?P<verb>been|[a-z]+(?:ed|en|ne|wn|ght|id|ad|ade|ung|unk|um|one|ot|ept|eft|ost|ent))\b",
    re.IGNORECASE)
_PLURAL_QUANTIFIERS = {"several", "many", "two", "three", "four", "five", "six", "seven",
                       "eight", "nine", "ten", "few", "various", "numerous", "both", "these",
                       "those", "multiple", "countless"}
# ("this" and "one" are left out: "This casts doubt", "one says" are verbs.)
_SINGULAR_DETERMINERS = {"a", "an", "each", "every", "another"}
# Words in -s that are no plural of the word without it.
_NOT_PLURALS = frozenset("news series species means physics politics economics mathematics "
                         "athletics lens bus gas yes this his its us always perhaps".split())
# Slots a noun phrase fills; a subject pronoun right after one starts a clause instead.
_SLOT_WORDS = {"about", "on", "of", "with", "into", "from", "at", "the", "a", "an", "your",
               "our", "my", "their", "every", "each", "per"}
_SUBJECTS = {"i", "we", "they", "he", "she"}
_INVERTED_QUESTION = re.compile(
    r"\b(?:about|of|on|with|at|into|from)[ \t]+(?:how|what|why|where|when|who)[ \t]+"
    r"(?:do|does|did|is|are|can|could|should|would|will)[ \t]+(?P<subject>I|we|you|they|he|she)"
    r"[ \t]+[a-z]", re.IGNORECASE)
_BE_BASE = re.compile(
    r"\b(?P<be>am|is|are|was|were)(?P<neg>[ \t]+not)?[ \t]+"
    r"(?P<verb>agree|disagree|believe|know|want|understand|think|prefer|make|go|come|take|give"
    r"|get|become|bring|seem|tell|say)\b", re.IGNORECASE)
_MODAL_PAST = re.compile(
    r"\b(?:can|could|will|would|shall|should|may|might|must)(?:n't|not)?"
    r"(?:[ \t]+(?:not|never|even|also|still|just|only|really|always|ever))?[ \t]+"
    r"(?P<verb>was|were|went|came|began|did|saw|took|gave|got|made|said|told|knew|thought"
    r"|became|brought|wrote|ate|ran|found|had|has|does|[a-z]{2,}(?<!e)ed)\b")
_BASE_FORMS = {"was": "be", "were": "be", "went": "go", "came": "come", "began": "begin",
               "did": "do", "saw": "see", "took": "take", "gave": "give", "got": "get",
               "made": "make", "said": "say", "told": "tell", "knew": "know", "thought": "think",
               "became": "become", "brought": "bring", "wrote": "write", "ate": "eat",
               "ran": "run", "found": "find", "had": "have", "has": "have", "does": "do"}
_NOT_PAST = frozenset({"embed", "imbed", "shred", "shed", "bred", "sled", "infrared", "naked",
                       "wicked", "sacred", "hundred", "kindred"})
# "a lot of", "the number of" ... and "one of the (best)": a plural noun follows.
_PLURAL_OF = frozenset("lot lots plenty kinds types sorts couple dozens hundreds thousands"
                       " millions variety majority".split())
_POSSESSIVES = frozenset("the my our his her their your its these those".split())
_RANKING = frozenset("best biggest greatest worst main major top key few other largest first "
                     "last".split())
_SLOT_ENDS = _POSSESSIVES | _RANKING | {"of"}
# Plurals without an -s ("one of the people"): "peoples" is another word.
_IRREGULAR_PLURALS = frozenset("people children men women police staff data media sheep fish "
                               "deer series species cattle".split())
_PLURAL_SINGULAR = re.compile(
    r"\b(?:[Pp]eople|[Cc]hildren|[Mm]en|[Ww]omen)[ \t]+"
    r"(?P<verb>has|does|wants|thinks|needs|likes|makes|says|goes|gets|knows|believes|tries|seems|loves|hates|feels|lives|works)\b")
_PLURAL_FORMS = {"has": "have", "does": "do", "goes": "go", "tries": "try"}
_NUMBERED = _PLURAL_QUANTIFIERS | _SINGULAR_DETERMINERS
_FUNCTION_WORDS = frozenset("""is are was were be been has have had do does did will would can
    could should must may might of to and or but in on at for with from by about as that which
    who whom whose when where than then so if because while""".split())


class PairModel:
    """Word and word-pair counts with a stupid-backoff model: P(w | p) is c(p w) / c(p) when
    the pair is listed, else 0.4 x c(w) / N."""

    def __init__(self, unigrams: dict[str, int], bigrams: dict[str, int]) -> None:
        self.unigrams = unigrams
        self.bigrams = bigrams
        self.total = float(sum(unigrams.values())) or 1.0
        self._floor = math.log(_BACKOFF * 0.5 / self.total)

    def logprob(self, word: str, previous: str | None) -> float:
        if previous is not None:
            pair = self.bigrams.get(f"{previous} {word}")
            if pair:
                return math.log(pair / max(self.unigrams.get(previous, pair), pair))
        count = self.unigrams.get(word)
        return math.log(_BACKOFF * count / self.total) if count else self._floor

    def chain(self, words: tuple[str, ...], previous: str | None, following: str | None
              ) -> float:
        """log P(words | previous) + log P(following | last word)."""
        total, prev = 0.0, previous
        for word in words:
            total += self.logprob(word, prev)
            prev = word
        if following is not None:
            total += self.logprob(following, prev)
        return total


@lru_cache(maxsize=1)
def pair_model() -> PairModel:
    unigrams: dict[str, int] = {}
    for line in _symspell_text("frequency_dictionary_en_82_765.txt").splitlines():
        word, _, count = line.partition(" ")
        if count.isdigit():
            unigrams[word] = int(count)
    bigrams: dict[str, int] = {}
    for line in _symspell_text("frequency_bigramdictionary_en_243_342.txt").splitlines():
        key, _, count = line.rpartition(" ")
        if count.isdigit():
            bigrams[key] = int(count)
    return PairModel(unigrams, bigrams)


def _symspell_text(name: str) -> str:
    try:
        from importlib import resources

        return resources.files("symspellpy").joinpath(name).read_text(encoding="utf-8")
    except (ImportError, FileNotFoundError, ModuleNotFoundError) as exc:
        raise ConfigError("the English word-frequency lists are missing",
                          hint="pip install symspellpy") from exc


def fluency_issues(text: str, margin: float = MARGIN) -> list[GrammarIssue]:
    """Every fluency issue in `text`, in text order (protected spans are the caller's)."""
    words = [(m.group(0), m.start()) for m in _WORD.finditer(text)]
    model = pair_model()
    issues = modal_of(text) + be_base_verbs(text) + plural_subject_verbs(text) \
        + inverted_questions(text) + modal_pasts(model, text)
    model = pair_model()
    for i, (word, offset) in enumerate(words):
        slot = ""
        low = word.lower().replace("’", "'")
        previous = _plain(words, i - 1)
        following = _plain(words, i + 1)
        if low in _CONTRACTIONS or low in ("there", "their"):
            issue = _confusion(model, word, low, offset, previous, following, margin)
        elif (previous in _NUMBERED or (previous in _SLOT_ENDS and (slot := _plural_slot(
                words, i)))) and word.isalpha() \
                and word.islower() and text[offset + len(word):][:1] != "-":
            if slot == "plural" and _plural_required(model, word, following):
                issue = _noun_number(model, word, offset, previous or "", following, -99.0,
                                     plural=True)
            else:
                issue = _noun_number(model, word, offset, previous or "", following, margin,
                                     plural=previous not in _SINGULAR_DETERMINERS)
        elif previous in _SLOT_WORDS and low in _SUBJECTS and following is not None:
            issue = _clause_in_slot(words, i)
        else:
            issue = None
        if issue is not None:
            issues.append(issue)
    return sorted(issues, key=lambda issue: issue.offset)


def _plain(words: list[tuple[str, int]], i: int) -> str | None:
    """The lowercase word at position i, or None for punctuation or the text's edge."""
    if i < 0 or i >= len(words):
        return None
    word = words[i][0]
    return word.lower().replace("’", "'") if word[:1].isalpha() else None


def _confusion(model: PairModel, word: str, low: str, offset: int, previous: str | None,
               following: str | None, margin: float) -> GrammarIssue | None:
    """"Their going" -> "They're going", "its already" -> "it's already", "your welcome" ->
    "you're welcome" (a listed word follows); "their is" -> "there is"; "use there idea" ->
    "use their idea" when the pair model finds "their" far likelier between the neighbours."""
    if following is None:
        return None
    if low in _CONTRACTIONS and following in _AFTER_CONTRACTION:
        alt = _CONTRACTIONS[low]
    elif low == "their" and following in _THERE_VERBS:
        alt = "there"
    elif low == "there" and following not in _THERE_VERBS and following.isalpha():
        have = model.chain(("there",), previous, following)
        if model.chain(("their",), previous, following) - have < margin:
            return None
        alt = "their"
    else:
        return None
    fix = _match_case(word, alt)
    return GrammarIssue(kind="Fluency", message=f"Did you mean “{fix}”?", offset=offset,
                        length=len(word), suggestion=fix, rule="Confusion", suggestions=(fix,))


def _plural_slot(words: list[tuple[str, int]], i: int) -> str:
    """After "a lot of" ("quantity": a plural or a mass noun follows, the pair model decides),
    after "the number of" or "one of the (best)" ("plural": only a plural may follow); "" for
    any other place."""
    before = [_plain(words, i - k) for k in (1, 2, 3, 4)]
    if before[0] == "of" and before[1] == "number":
        return "plural"
    if before[0] == "of":
        return "quantity" if before[1] in _PLURAL_OF else ""
    if before[0] in _POSSESSIVES and before[1:3] == ["of", "one"]:
        return "plural"
    return "plural" if before[0] in _RANKING and before[1] in _POSSESSIVES \
        and before[2:] == ["of", "one"] else ""


def _plural_required(model: PairModel, word: str, following: str | None) -> bool:
    """"one of the best thing I did", "the number of car is": a singular noun ending the noun
    phrase (a function word or nothing follows: "one of the new stores" is left alone)."""
    if word in _IRREGULAR_PLURALS or word in _RANKING or word.endswith(("est", "s")):
        return False
    return following is None or following in _FUNCTION_WORDS or following in _SUBJECTS \
        or following in ("you", "it")


def _noun_number(model: PairModel, word: str, offset: int, previous: str,
                 following: str | None, margin: float, plural: bool) -> GrammarIssue | None:
    options = _plurals(word) if plural else _singulars(word)
    options = [o for o in options if o in model.unigrams]
    if not options or word not in model.unigrams or word in _NOT_PLURALS:
        return None
    have = model.chain((word,), previous, following)
    best, alt = max((model.chain((o,), previous, following), o) for o in options)
    if best - have < margin:
        return None
    number = "plural" if plural else "singular"
    # "a persons life" wants "person's" (a noun follows "a persons"), "every details." the
    # singular; the fixer weighs the others.
    possessive = word[:-1] + "'s"
    if plural:
        fixes: tuple[str, ...] = (alt,)
    elif previous in ("a", "an") and following and following not in _FUNCTION_WORDS:
        fixes = (possessive,)
    else:
        fixes = (alt, possessive)
    return GrammarIssue(kind="Fluency", message=f"Use the {number} “{alt}” after “{previous}”.",
                        offset=offset, length=len(word), suggestion=fixes[0], rule="NounNumber",
                        suggestions=fixes)


def _plurals(word: str) -> list[str]:
    if word.endswith("s"):
        return []
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return [word[:-1] + "ies"]
    if word.endswith(("ch", "sh", "x", "z")):
        return [word + "es"]
    return [word + "s"]


def _singulars(word: str) -> list[str]:
    if not word.endswith("s") or word.endswith("ss") or len(word) < 4:
        return []
    if word.endswith("ies"):
        return [word[:-3] + "y"]
    if word.endswith("es"):
        return [word[:-2], word[:-1]]
    return [word[:-1]]


def _clause_in_slot(words: list[tuple[str, int]], i: int) -> GrammarIssue | None:
    """"about we are hiring": a subject pronoun where a noun phrase belongs."""
    pronoun, offset = words[i]
    slot = words[i - 1][0]
    return GrammarIssue(kind="Fluency",
                        message=f"A clause (“{pronoun} ...”) fills a place after “{slot}” "
                                "where a noun phrase belongs; reword it.",
                        offset=offset, length=len(pronoun), rule="ClauseInSlot")


def modal_of(text: str) -> list[GrammarIssue]:
    """"could of done" -> "could have done", also without the apostrophe ("couldnt of")."""
    issues = []
    for m in _MODAL_OF.finditer(text):
        of = m.group("of")
        fix = "have" if of.islower() else "Have"
        issues.append(GrammarIssue(kind="Fluency", message="Write “have” after a modal verb.",
                                   offset=m.start("of"), length=len(of), suggestion=fix,
                                   rule="ModalOf", suggestions=(fix,)))
    return issues


def _match_case(original: str, option: str) -> str:
    if original[:1].isupper():
        return option[:1].upper() + option[1:]
    return option


def be_base_verbs(text: str) -> list[GrammarIssue]:
    """"I am agree" -> "I agree", "they are not agree" -> "they do not agree"."""
    issues = []
    for m in _BE_BASE.finditer(text):
        be = m.group("be")
        fixes: tuple[str, ...] = ()
        end = m.end("be")
        if m.group("neg"):
            does = {"is": "does", "was": "did", "were": "did"}.get(be.lower(), "do")
            fixes = (_match_case(be, does),)
        elif be.lower() in ("am", "are"):
            fixes, end = ("",), m.start("verb")
        # ("it is make me", "we were go": the fix depends on the sense; none is offered)
        issues.append(GrammarIssue(kind="Fluency",
                                   message=f"“{m.group('verb')}” takes no “{be}”.",
                                   offset=m.start("be"), length=end - m.start("be"),
                                   suggestion=fixes[0] if fixes else None, rule="BeBaseVerb",
                                   suggestions=fixes))
    return issues


def modal_pasts(model: PairModel, text: str) -> list[GrammarIssue]:
    """"could even began" -> "could even begin", "will used" -> "will use"."""
    issues = []
    for m in _MODAL_PAST.finditer(text):
        verb = m.group("verb")
        if verb in _NOT_PAST:
            continue
        base = _BASE_FORMS.get(verb) or _base_form(model, verb, text[:m.start("verb")],
                                                   text[m.end("verb"):])
        if base is None:
            continue
        issues.append(GrammarIssue(kind="Fluency", message=f"Use “{base}” after a modal verb.",
                                   offset=m.start("verb"), length=len(verb), suggestion=base,
                                   rule="ModalPast", suggestions=(base,)))
    return issues


def _base_form(model: PairModel, verb: str, before: str, after: str) -> str | None:
    """The plain verb of a past form in -ed that fits best between its neighbours ("used" ->
    "use", not "us"; "stopped" -> "stop"; "tried" -> "try"); None when no candidate is a word."""
    stem = verb[:-2]
    options = {stem, verb[:-1], stem[:-1] if stem[-1:] == stem[-2:-1] else stem,
               stem[:-1] + "y" if stem.endswith("i") else stem}
    known = [o for o in options if o in model.unigrams and len(o) > 2]
    if not known:
        return None
    previous = before.split()[-1].lower() if before.split() else None
    following = after.split()[0].lower().strip(".,!?;:") if after.split() else None
    return max(known, key=lambda o: model.chain((o,), previous, following or None))


def plural_subject_verbs(text: str) -> list[GrammarIssue]:
    """"people has" -> "people have", "children wants" -> "children want"."""
    issues = []
    for m in _PLURAL_SINGULAR.finditer(text):
        verb = m.group("verb")
        fix = _PLURAL_FORMS.get(verb, verb[:-1])
        issues.append(GrammarIssue(kind="Fluency", message=f"Use “{fix}” with a plural subject.",
                                   offset=m.start("verb"), length=len(verb), suggestion=fix,
                                   rule="PluralVerb", suggestions=(fix,)))
    return issues


def inverted_questions(text: str) -> list[GrammarIssue]:
    """"a look at how do I fix it": a question in question order where a noun phrase belongs."""
    return [GrammarIssue(kind="Fluency",
                         message="A question in question order fills a place where a noun "
                                 "phrase belongs (“how I fix”, not “how do I fix”); reword it.",
                         offset=m.start(), length=m.end("subject") - m.start(),
                         rule="ClauseInSlot")
            for m in _INVERTED_QUESTION.finditer(text)]
