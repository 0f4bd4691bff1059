"""Word classes for the offline composer: which words can be verbs, nouns or adjectives
(lemminflect's lexicon), articles and verb forms (inflect, lemminflect), and the closed classes.

Not a tagger of running text: callers combine these word-level facts with the word's neighbours.
"""

from __future__ import annotations

from functools import lru_cache

import inflect
from lemminflect import getAllLemmas, getInflection

_ENGINE = inflect.engine()

# Closed word classes are short, fixed lists; lemminflect's lexicon covers open classes only.
DETERMINERS = frozenset("a an the our your my their his her its this that these those every each "
                        "some any no all".split())
POSSESSIVES = frozenset("our your my their his her its".split())
PRONOUNS = frozenset("i we you they he she it us them me".split())
SUBJECT_PRONOUNS = frozenset("i we you they he she it".split())
PREPOSITIONS = frozenset("of for to in on at by with from about into over under after before "
                         "during without within across through between near around per via "
                         "than like behind beyond since until till".split())
CONJUNCTIONS = frozenset("and or but nor so yet &".split())
RELATIVES = frozenset("that which who whose whom where".split())
WH_WORDS = frozenset("how why what when where which who".split())
AUXILIARIES = frozenset("is are was were be been am has have had do does did will would can could "
                        "shall should may might must isn't aren't wasn't weren't don't doesn't "
                        "didn't won't can't couldn't shouldn't hasn't haven't".split())
CONTRACTIONS = ("'re", "'ve", "'ll", "'m", "'d", "’re", "’ve", "’ll", "’m", "’d")
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20}
# Names the lexicon also holds as common nouns or verbs (python, excel): written capitalised
# whatever the position, so a subject never reads "python type hints".
NAMES = frozenset("python java javascript excel linux android kotlin instagram facebook "
                  "tiktok youtube whatsapp linkedin wordpress shopify".split())
# Nouns too general to stand for a topic on their own: #Tips or "questions about ways" say nothing.
GENERIC = frozenset("tip tips way ways thing things idea ideas guide day week month year time "
                    "times people team home list story news update chance minutes hours half "
                    "morning evening night weekend today one lot part kind start end hour seconds "
                    "science scenes basics anything everything something history checklist results "
                    "twenties thirties beginner beginners winter summer spring autumn days weeks "
                    "months years".split())
FUNCTION_WORDS = (DETERMINERS | PRONOUNS | PREPOSITIONS | CONJUNCTIONS | RELATIVES | WH_WORDS
                  | AUXILIARIES | frozenset("not to as if then also just very really".split()))


@lru_cache(maxsize=65536)
def classes(word: str) -> frozenset[str]:
    """The universal POS tags lemminflect's lexicon allows for `word`; empty when unknown
    (names, brands and new words, which are nearly always nouns)."""
    return frozenset(getAllLemmas(word.lower().strip("'’")))


def is_function_word(word: str) -> bool:
    return word.lower() in FUNCTION_WORDS


def can_be_noun(word: str) -> bool:
    """A noun, a name, a number with letters (5k) or a word the lexicon does not know."""
    if is_function_word(word):
        return False
    tags = classes(word)
    gerund_noun = word.lower().endswith("ing") and "VERB" in tags  # winter driving
    return not tags or bool(tags & {"NOUN", "PROPN"}) or gerund_noun or word[:1].isupper()


def verb_only(word: str) -> bool:
    """True for words that can only be verbs (opens, contain, hiring): never a hashtag's head."""
    tags = classes(word)
    return bool(tags) and tags <= {"VERB", "AUX"}


def can_be_verb(word: str) -> bool:
    return "VERB" in classes(word) or word.lower() in AUXILIARIES


def is_modifier(word: str) -> bool:
    """Words that may stand before a noun inside a noun phrase (adjectives, nouns, names, -ing
    and -ed participles such as noise-cancelling, 48-hour)."""
    if is_function_word(word):
        return False
    tags = classes(word)
    low = word.lower()
    return (not tags or bool(tags & {"NOUN", "ADJ", "PROPN", "NUM"}) or word[:1].isupper()
            or low.endswith(("ing", "ed")) or "-" in word)


def lemma(word: str, pos: str = "VERB") -> str:
    found = getAllLemmas(word.lower()).get(pos)
    return found[0] if found else word.lower()


def gerund(verb: str) -> str:
    """brew -> brewing, prepare -> preparing (lemminflect knows the irregular spellings)."""
    forms = getInflection(lemma(verb), tag="VBG")
    return forms[0] if forms else verb + "ing"


def base_form(word: str) -> str:
    """getting -> get, starts -> start."""
    return lemma(word, "VERB")


def with_article(phrase: str) -> str:
    """'a' or 'an' chosen by sound (an hour, a user), as inflect does."""
    return _ENGINE.a(phrase)


@lru_cache(maxsize=16384)
def is_plural(noun: str) -> bool:
    """Whether a head noun reads as plural (teams, loaves), so the verb after it agrees."""
    word = noun.lower()
    if not word.isalpha() or word.endswith(("ss", "us", "is")):
        return False
    return bool(_ENGINE.singular_noun(word))


def plural(noun: str) -> str:
    return _ENGINE.plural_noun(noun)


def be(noun: str) -> str:
    return "are" if is_plural(noun) else "is"
