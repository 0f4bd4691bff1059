"""The engagement strategy: add what a post lacks, only where it fits the post's intent.

Not for judging the result (the enhancer keeps a change only when the scores that track real
outcomes rise). In order: a hook that runs past the "See more" cut gets a line break after its
first sentence (never after an abbreviation, "Trump Jr.", nor inside a word such as a password,
"Summer2024!"); a post with no question and no call to action gets one that matches its intent
(fbopt.enhance.intent: an event, an offer, an appeal, a notice, a tip, news; never an apology, a
thank-you, a quote or a safety notice); a post with no hashtag gets one from the row's topic,
else from a name (news) or a two-word set phrase of its first sentence ("keyboard shortcut",
not "beer trap": a word pair the frequency lists hold far more often together than apart;
Lemminflect's lexicon says which words can be nouns), else none.
Quoted text, links, mentions and hashtags are never changed, and nothing is cut.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Sequence

from fbopt.enhance import intent as intents
from fbopt.quality.engagement import HOOK_FITS
from fbopt.quality.grammar import abbreviation
from fbopt.quality.signals import CTA, hook_of
from fbopt.quality.spans import protected_spans

# The asks that suit each intent (a notice and a tip are announcements of a kind).
ASKS: dict[str, tuple[str, ...]] = {
    "event": ("Will we see you there? Tag a friend who'd love it.",
              "Who's coming? Tag someone to bring along."),
    "offer": ("Know someone who'd love this? Share this with them.",
              "Know someone who'd love this? Share this with a friend."),
    "notice": ("Know someone this affects? Share this with them.",
               "Please pass this on to anyone it affects."),
    "tip": ("Found this useful? Share it with someone who needs it.",
            "Save this for later, and share it with a friend who'd find it useful."),
    "appeal": ("Can you help? Please share this with anyone who might.",),
    "news": ("What do you think? Tell us in the comments.",
             "What's your take? Let us know below."),
    "announcement": ("What do you think? Tell us in the comments.",
                     "What's your take? Let us know below."),
}
_APPEAL = re.compile(r"\b(looking for (?:an? )?(?:experienced |new )?(?:foster|home|volunteers?|"
                     r"donations?)|urgently need|help us|can you help|volunteers? needed)\b",
                     re.IGNORECASE)
_TIP = re.compile(r"\b(tips?|how to|guide|explained|explainer|cheat sheet|routine|101|"
                  r"one-liners?)\b", re.IGNORECASE)
_STOP = set("""a about after all also an and any are as at be because been but by can could did do
does for from get got had has have her here his how i if in into is it its just like make many
me more most my new no not now of on one only or our out over so some than that the their them
then there these they this to too up us very was we were what when which who why will with you
your today week year ones thing things something anything everything someone everyone people
time times day days hours minutes month morning evening night noon tomorrow yesterday monday
tuesday wednesday thursday friday saturday sunday start thank thanks deserve want need know
think come make take give love like help keep look see try use find tell ask work call feel
leave mean show hear play live believe bring happen write stand lose meet include continue
learn change understand watch follow stop create read spend grow open walk offer remember buy
wait serve send expect build stay reach remain pass sell decide pull best good great little
small large big long high right left last next first second every sure real full special
free whole much less fact break gotten starts heads makes takes gets goes comes says means
needs wants looks works keeps gives shows behind beyond across among around against during
without within through toward towards upon ultimate latest recent former major several certain
entire likely possible potential another other others such even still ever never each
lot lots bit kind sort way part ours yours theirs mine zero none""".split())
_ARTICLES = {"a", "an", "the", "our", "your", "their", "his", "her", "its", "this", "that",
             "these", "those", "some", "every", "my"}
# Word endings of verbs, adverbs and adjectives: rarely what a post is about.
_VERBISH = re.compile(r"(?:ed|ing|ly|al|ive|ous|ful|able|ible|less|est|ic)$")
_CTA = re.compile(CTA.replace("(?i)", ""), re.IGNORECASE)
# A word of letters and digits together (Summer2024, 3pm): its "!" or "." is not a sentence end.
_MIXED = re.compile(r"[^\W\d_]\d|\d[^\W\d_]")
# A name: one to four capitalised words (Trump, New York, White House, Wall Street Journal).
# A middle initial is kept out of the tag (Donald J. Trump -> #DonaldTrump).
# A possessive ends it ("President Trump's nominee" -> #Trump).
_NAME = re.compile(r"(?<![\w'’])[A-Z][a-z]+(?:(?:[ ][A-Z]\.)?[ ][A-Z][a-z]+){0,3}"
                   r"(?!\w|['’](?!s\b))")
# One word alone that is a people's adjective (Russian, American) or an institution (Senate):
# what the post is about is a name, not "#Russian" or "#President".
_DEMONYM = re.compile(r"(?:ian|ican|ean|ese|ish)$")
_INSTITUTIONS = {"senate", "congress", "house", "court", "government", "police", "army", "navy",
                 "state", "city", "county", "university", "church", "parliament", "cabinet",
                 "corp", "inc", "ltd", "llc", "co", "group"}
# Titles before a name are left out of its tag (President Donald J. Trump -> #DonaldTrump).
_TITLES = {"president", "senator", "sen", "rep", "representative", "gov", "governor", "mr", "mrs",
           "ms", "dr", "prof", "judge", "general", "secretary", "pope", "king", "queen",
           "prince", "princess", "mayor", "chancellor", "minister", "sir", "dame"}


def rewrite(text: str, topic: str | None = None, content_type: str | None = None) -> str:
    intent = intents.intent_of(text, content_type)
    if intent == "quote":
        return text
    text = split_hook(text)
    if intents.takes_hashtags(intent):  # from the post's own words, before the ask
        text = add_hashtags(text, topic, news=intent == "news")
    if intents.takes_call_to_action(intent):
        text = add_ask(text, intent)
    return text


def split_hook(text: str) -> str:
    """Break the first line after its first sentence when the line is too long for the hook."""
    hook = hook_of(text)
    if len(hook) <= HOOK_FITS:
        return text
    end = _first_sentence_end(text)
    if end is None or len(text[:end].strip()) > HOOK_FITS or end < 15:
        return text
    rest = text[end:].lstrip(" ")
    return text[:end] + "\n" + rest if rest else text


def add_ask(text: str, intent: str = "announcement") -> str:
    """A question or call to action that matches the intent; `text` as it is when it already
    asks something, or when its intent takes none (fbopt.enhance.intent)."""
    prose = _without_links(text)
    if "?" in prose or _CTA.search(prose) or not intents.takes_call_to_action(intent):
        return text
    if intent in {"announcement", "offer"} and intents.is_tip(text):
        intent = "tip"  # "Grow your own herbs ... less than $3 a pot" is advice, not a sale
    if intent == "announcement":
        intent = ("appeal" if _APPEAL.search(prose) else "notice" if intents.is_notice(text)
                  else "tip" if _TIP.search(prose) else intent)
    asks = ASKS[intent]
    ask = asks[zlib.crc32(text.encode("utf-8")) % len(asks)]
    body, tags = _split_trailing_tags(text)
    last = body.split()[-1] if body.split() else ""
    ends_plain = body[-1:].isalnum() and not re.match(r"(https?://|www\.|[#@])", last)
    sep = "." if ends_plain else ""
    return f"{body}{sep} {ask}{tags}".strip()


def add_hashtags(text: str, topic: str | None = None, most: int = 2, news: bool = False) -> str:
    if any(kind == "hashtag" for _, _, kind in protected_spans(text)):
        return text
    words = _topic_words(topic)[:most] if topic else []
    # Without a topic, one tag from the post's own set phrases: the first of its first
    # sentence, where the topic is (a phrase further on is a detail: 'travel guides' in a book
    # sale); in news, a name first. A single word alone ("#Area", "#Ours") says too little.
    first = _first_sentence(text)
    words = words or ((_names(first) if news else []) + _noun_phrases(first))[:1]
    tags = ["#" + "".join(w[:1].upper() + w[1:] for w in word.split() if w.isalpha())
            for word in words]
    return f"{text.rstrip()} {' '.join(tags)}" if tags else text


def _without_links(text: str) -> str:
    """The text with links and e-mail addresses blanked (their '?' and words are not the post's;
    the same rule as fbopt.quality.signals)."""
    pieces, last = [], 0
    for start, end, kind in protected_spans(text):
        if kind in {"url", "email"}:
            pieces += [text[last:start], " "]
            last = end
    return "".join(pieces + [text[last:]])


def _split_trailing_tags(text: str) -> tuple[str, str]:
    """(body, trailing hashtags with their leading space) so an ask goes before the tags."""
    match = re.search(r"(\s+#[\w]+)+\s*$", text)
    if match is None:
        return text.rstrip(), ""
    return text[: match.start()].rstrip(), " " + text[match.start():].strip()


def _topic_words(topic: str) -> list[str]:
    words = [w for w in re.findall(r"[^\W\d_]+", topic) if w.lower() not in _STOP and len(w) > 2]
    return [" ".join(words[:3])] if 1 < len(words) <= 3 else words[:2]


def _first_sentence_end(text: str, line: bool = True) -> int | None:
    """Where the first sentence ends (of the first line, with `line`): after . ! or ? and a
    space, not after an abbreviation or an initial ("Donald J. Trump Jr. told"), not after a
    word that mixes letters and digits ("passwords like Summer2024! in") and not before a
    lower-case word; None when there is no such end."""
    line_end = text.find("\n") if line else -1
    for match in re.finditer(r"[.!?](?=\s)", text):
        if 0 <= line_end < match.start():
            return None
        word = text[:match.start()].split()[-1] if text[:match.start()].split() else ""
        following = text[match.end():].lstrip()[:1]
        if _MIXED.search(word) or following.islower():
            continue
        if match.group(0) != "." or not abbreviation(text[:match.start()]):
            return match.end()
    return None


def _first_sentence(text: str) -> str:
    text = text.strip()
    return text[:_first_sentence_end(text, line=False) or len(text)]


def _noun_phrases(text: str) -> list[str]:
    """Two-word noun phrases of the post ("keyboard shortcut", "council tax", "gift cards"):
    a word that can be a noun followed by a noun, both common English words and neither a
    function word; in order of appearance."""
    from fbopt.enhance.lexicon import lexicon

    lex = lexicon()
    found = []
    for span in _prose(text):
        for match in _pairs(span):
            first, second = (w.lower() for w in match)
            if (first not in _STOP and second not in _STOP and lex.count(first) >= 100_000
                    and lex.count(second) >= 100_000 and not _VERBISH.search(first)
                    and can_be_noun(first) and is_noun_reading(second)
                    and set_phrase(first, second)):
                found.append(f"{first} {second}")
    return list(dict.fromkeys(found))


# How much more often a pair is written together than its words' counts predict (log2, from
# the shipped frequency lists): 'keyboard shortcut' 16.9, 'gift cards' 10.1, 'council tax' 9.6
# are set phrases people tag; 'application code' 7.2, 'online form' 7.8 are words side by side.
SET_PHRASE_PMI = 9.0


def set_phrase(first: str, second: str) -> bool:
    """Whether the pair (or its singular, 'cinnamon bun') is a set phrase: listed among the
    frequency list's word pairs and far more often together than apart ('beer trap' and 'slug
    damage' are not listed; 'application code' is, but loosely)."""
    from fbopt.enhance.lexicon import lexicon

    lex = lexicon()
    for head in dict.fromkeys((second, second[:-1] if second.endswith("s") else second)):
        together = lex.bigrams.get((first, head), 0)
        apart = lex.count(first) * lex.count(head)
        if together and apart and math.log2(together * lex.total / apart) >= SET_PHRASE_PMI:
            return True
    return False


def _pairs(span: str) -> list[tuple[str, str]]:
    """Adjacent word pairs inside one stretch of prose (no punctuation between them); not a
    pair whose second word is followed by an article or an -ly adverb, where it is a verb
    ("suggestion wins a month", "scones pair perfectly")."""
    pairs = []
    for chunk in re.split(r"[^\w\s'’-]|\n", span):
        words = chunk.split() + [""]
        pairs += [(a, b) for a, b, after in zip(words, words[1:], words[2:], strict=False)
                  if a.isalpha() and b.isalpha() and len(a) >= 3 and len(b) >= 3
                  and after.lower() not in _ARTICLES and not after.lower().endswith("ly")]
    return pairs


def can_be_noun(word: str) -> bool:
    """Lemminflect knows `word` as a noun, and as nothing but a noun or a verb ("stretch",
    "gift"; not "severe", "new" or "every")."""
    readings = _readings(word)
    return "NOUN" in readings and readings <= {"NOUN", "PROPN", "VERB"}


def is_noun_reading(word: str) -> bool:
    """The head of a noun phrase: a noun, and not a verb's past or -ing form ("grew")."""
    readings = _readings(word)
    return "NOUN" in readings and not word.lower().endswith(("ed", "ing")) and (
        readings <= {"NOUN", "PROPN", "VERB"})


def _readings(word: str) -> set[str]:
    from lemminflect import getAllLemmas  # its tables load on first use: only for hashtags

    return set(getAllLemmas(word.lower()))


def _names(text: str) -> list[str]:
    """Names inside sentences (Trump, New York): what a news post is most often about."""
    names = []
    for span in _prose(text):
        for match in _NAME.finditer(span):
            name = _without_title(span, match.start(), match.group(0))
            if name:
                names.append(name)
    return list(dict.fromkeys(names))


def _without_title(span: str, start: int, name: str) -> str:
    """The name a run of capitalised words holds, without the sentence's first word or a
    leading title ("Today President Donald J. Trump" -> "Donald J. Trump"); '' for none."""
    words = name.split()
    if not _is_name(span, start, name):
        if len(words) == 1:
            return ""
        start += len(words[0]) + 1
        words = words[1:]
    while len(words) > 1 and words[0].lower() in _TITLES:
        words = words[1:]
    words = words[1:] if words[0].endswith(".") else words
    name = " ".join(words)
    if len(words) == 1 and (words[0].lower() in _TITLES | _INSTITUTIONS
                            or _DEMONYM.search(words[0])):
        return ""
    return name if _is_name(span, start, name) else ""


def _is_name(span: str, start: int, name: str) -> bool:
    """Not shouted, not the first words of a sentence, not a title or a weekday alone."""
    before = span[:start].rstrip()
    first = name.split()[0].lower()
    after_title = before.endswith(".") and abbreviation(before[:-1])  # "Rep. Hartzler"
    return (not name.isupper() and bool(before)
            and (before[-1].isalnum() or before[-1] in ",;(&" or after_title)
            and not (first in _STOP and " " not in name) and len(name) >= 4)


def _prose(text: str) -> Sequence[str]:
    spans = protected_spans(text)
    out, last = [], 0
    for start, end, _ in spans:
        out.append(text[last:start])
        last = end
    out.append(text[last:])
    return out
