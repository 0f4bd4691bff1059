"""Hashtags for offline posts: one to three noun phrases from the topic, in the casing people
use (#SourdoughLoaf, #ProductRecall, #Kubernetes).

Not for trending tags or anything not in the topic: every tag is a noun phrase the topic holds.
"""

from __future__ import annotations

import random
import re

from fbopt.providers.offline import lexicon as lx
from fbopt.providers.offline.topic import Topic, analyse, is_noun_phrase, words_of

_GENERIC = lx.GENERIC


def tag_text(phrase: str) -> str:
    """CamelCase a phrase, keeping names and acronyms as written (iPhone, B2B, API)."""
    out = []
    for word in re.split(r"[\s\-]+", phrase):
        clean = re.sub(r"[\W_]", "", word)  # letters of any script: #NeighbourhoodCafé
        if clean:
            out.append(clean if any(c.isupper() for c in clean[1:]) else clean[:1].upper()
                       + clean[1:])
    return "".join(out)


def is_tag_phrase(words: list[str]) -> bool:
    """A hashtag's words: a noun phrase, its head not generic, no word that is only a verb."""
    if not is_noun_phrase(words) or any(lx.verb_only(w) and "-" not in w for w in words):
        return False
    if len(words) > 1 and lx.can_be_verb(words[0]) and "ADJ" not in lx.classes(words[0]) and (
            words[1][:1].isupper() or words[1].lower() in ("one", "some", "more")):
        return False  # Meet Priya, Buy one coffee: a verb and its object
    if len(words) == 1:
        word = words[0]
        tags = lx.classes(word)
        return word.lower() not in _GENERIC and (not tags or tags <= {"NOUN", "PROPN"}
                                                 or word[:1].isupper() and "VERB" not in tags)
    units = ("one", "lot", "minutes", "hours", "days", "weeks", "months", "years", "seconds")
    if any(w.lower().endswith(("'s", "’s")) for w in words):
        return False  # town's old lighthouse: a possessive glued into a tag
    return words[-1].lower() not in units and words[-1].lower() not in _GENERIC \
        and not words[0].isdigit()


def hashtags(topic: Topic, rng: random.Random, limit: int = 3) -> list[str]:
    """The topic's keyphrases that pass `is_tag_phrase`, best first, one to `limit` of them."""
    chosen: list[str] = []
    seen_words: set[str] = set()
    # The subject comes last: a question's subject (houseplant) may be in no keyphrase.
    pool = ([topic.label] if topic.label else []) + list(topic.phrases) + [topic.subject]
    for phrase in pool:
        words = words_of(phrase)
        if not is_tag_phrase(words) or len(words) > 4 or words[0][:1].isdigit():
            continue
        lows = {w.lower() for w in words}
        if lows <= seen_words:
            continue  # #Sourdough after #SourdoughLoaf repeats it
        seen_words |= lows
        chosen.append("#" + tag_text(phrase))
        if len(chosen) == limit:
            break
    if len(chosen) > 1 and rng.random() < 0.3:
        chosen = chosen[:-1]
    return chosen


def hashtags_for(topic: str, rng: random.Random, limit: int = 3) -> list[str]:
    """Hashtags for a topic given as text (the name earlier versions exported)."""
    return hashtags(analyse(topic), rng, limit)
