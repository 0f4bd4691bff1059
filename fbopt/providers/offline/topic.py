"""Topic analysis for the offline composer: the form a topic comes in (noun phrase, sentence,
labelled headline, question, how-to, event, job, offer, list, explainer) and the parts a post needs.

Not for writing any text: it only reads the topic. Keyphrases are the topic's noun-phrase spans
ranked by wordfreq rarity, word classes come from lemminflect's lexicon; nothing is downloaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from wordfreq import zipf_frequency

from fbopt.providers.offline import lexicon as lx

FORMS = ("noun_phrase", "statement", "labelled", "question", "how_to", "event", "job", "offer",
         "list", "explainer")
SERIOUS_TONES = frozenset("urgent serious formal grave sombre somber solemn sober critical "
                          "official".split())
_SAFETY = frozenset("recall recalled recalls outage outages warning alert hazard hazardous "
                    "allergen allergens allergy contamination contaminated unsafe evacuate "
                    "evacuation closure closed disruption disruptions boil breach "
                    "incident suspended cancelled canceled shutdown injury injuries evacuated "
                    "flooding maintenance downtime safety".split())
_JOB = ("we're hiring", "we are hiring", "now hiring", "hiring", "job opening", "vacancy",
        "join our team", "we're recruiting", "now recruiting", "is looking for", "are looking for",
        "apply now")
_OFFER = frozenset("sale deal deals discount discounts offer offers coupon voucher tickets ticket "
                   "bogo clearance promo promotion bundle".split())
_EVENT = frozenset("festival market fair webinar workshop meetup meet-up concert gig class classes "
                   "session sessions night party launch open day 5k 10k run race walk tour talk "
                   "tasting screening conference summit hackathon exhibition show quiz "
                   "fundraiser yoga parade".split())
_DAYS = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
# Dates are read with a pattern, not dateparser: its search resolves "this Saturday" against
# today's date (so the same topic would read differently tomorrow) and costs milliseconds a call.
_WHEN = re.compile(
    rf"\b(?:(?:on|from|until|till|by|this|next|every|each|starting)\s+)?(?<!black )(?<!good )(?:"
    rf"{_DAYS}s?(?:\s+(?:morning|afternoon|evening|night))?(?:,?\s+\d{{1,2}}(?:st|nd|rd|th)?"
    rf"(?:\s+{_MONTHS}\b)?)?|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\b|{_MONTHS}\s+"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\b|today|tonight|tomorrow(?:\s+(?:morning|night))?|"
    rf"this\s+weekend|next\s+weekend)"
    rf"(?:,?\s+(?:at\s+|from\s+)?\d{{1,2}}(?::\d\d)?\s?(?:am|pm)(?:\s?[-–]\s?\d{{1,2}}(?::\d\d)?"
    rf"\s?(?:am|pm))?)?", re.IGNORECASE)
# A period ("this month", "every morning") is kept as `when` but does not make a topic an event.
_PERIOD = re.compile(r"\b(?:this|next|every|each|over the)\s+(?:week|month|year|morning|evening|"
                     r"afternoon|spring|summer|autumn|fall|winter|holidays)\b", re.IGNORECASE)
_TIME_WORDS = re.compile(rf"^(?:{_DAYS}|today|tonight|tomorrow|this|next|every|on)$",
                         re.IGNORECASE)
_PRICE = re.compile(r"(?:[$£€]\s?\d[\d,]*(?:\.\d\d)?(?:\s?(?:an?|per)\s(?:hour|month|year|"
                    r"person|night))?|\d[\d,]*(?:\.\d\d)?\s?(?:usd|eur|gbp|dollars|euros|pounds)"
                    r"|\d{1,2}\s?% off|half price|\bfree\b)", re.IGNORECASE)
_WORD = re.compile(r"[^\W_](?:[^\W_]|['’&+-])*")  # café is one word, not caf
_PLACE = re.compile(r"\b(?:at|in)\s+(?:the|our|your)\s+[A-Za-z][\w'’-]*(?:\s+(?!every\b|this\b|"
                    r"next\b|on\b|from\b)[a-z][\w'’-]*){0,2}",
                    re.IGNORECASE)


@dataclass(frozen=True)
class Topic:
    """What the composer knows about one topic. `subject` is always a noun phrase: it is the
    only part a template may put where a noun phrase goes."""

    text: str
    form: str
    kind: str
    subject: str
    serious: bool
    is_sentence: bool = False
    label: str = ""
    rest: str = ""
    detail: str = ""
    action: str = ""
    clause: str = ""
    when: str = ""
    price: str = ""
    place: str = ""
    role: str = ""
    count: int = 0
    dated: bool = False
    phrases: tuple[str, ...] = ()


def words_of(text: str) -> list[str]:
    return _WORD.findall(text)


def is_noun_phrase(words: list[str]) -> bool:
    """A run of modifiers ending in a noun, with no finite verb and no function word inside."""
    if not words or any(lx.is_function_word(w) for w in words):
        return False
    if not lx.can_be_noun(words[-1]) or lx.verb_only(words[-1]) or words[-1].isdigit():
        return False
    return all(lx.is_modifier(w) for w in words[:-1])


def is_subject_phrase(words: list[str]) -> bool:
    """A noun phrase that may carry determiners and prepositional phrases (batch 2231 of our
    peanut butter, the science of sourdough starters): fit for any noun slot."""
    chunks: list[list[str]] = [[]]
    for i, word in enumerate(words):
        low = word.lower()
        if i and (low in lx.RELATIVES or (low == "to" and i + 1 < len(words)
                                          and lx.verb_only(words[i + 1]))):
            break  # a relative clause or an infinitive modifies the noun before it
        if low.isdigit() and i and words[i - 1].lower() in lx.PREPOSITIONS:
            chunks[-1].append("number")
        elif low in lx.PREPOSITIONS or low in ("and", "&"):
            chunks.append([])
        elif low not in lx.DETERMINERS:
            chunks[-1].append(word)
    return bool(words) and all(is_noun_phrase(c) or _gerund_phrase(c) for c in chunks)


def _gerund_phrase(words: list[str]) -> bool:
    """learning Spanish, running my first marathon: a gerund with its object."""
    return len(words) >= 1 and words[0].lower().endswith("ing") and lx.can_be_verb(words[0]) \
        and (len(words) == 1 or is_noun_phrase(words[1:]))


def finite_verb_at(words: list[str]) -> int:
    """Index of the first word that makes the words a sentence, or -1. Errs towards 'sentence':
    a sentence read as a noun phrase would be pasted into a noun slot, the reverse is harmless."""
    lows = [w.lower() for w in words]
    skip = False
    for i, (word, low) in enumerate(zip(words, lows, strict=True)):
        prev = lows[i - 1] if i else ""
        nxt = lows[i + 1] if i + 1 < len(words) else ""
        if i and (low in lx.RELATIVES or prev == "to"):
            skip = True  # a relative clause or an infinitive: its verbs are not the topic's
        if skip:
            continue
        if i > 1 and low in lx.POSSESSIVES | {"the", "a", "an"} and lx.can_be_noun(words[i - 1]) \
                and not lx.is_function_word(prev) and not lx.can_be_verb(words[i - 1]):
            skip = True  # the funniest things | our customers said: a reduced relative clause
            continue
        if low.endswith(lx.CONTRACTIONS) or (low in lx.AUXILIARIES and i > 0):
            return i
        if i == 0 or low.endswith("ing") or not lx.can_be_verb(word):
            continue
        if prev in lx.SUBJECT_PRONOUNS:
            return i
        if not lx.can_be_noun(words[i - 1]) or lx.is_function_word(prev):
            continue
        if lx.verb_only(word) and not low.endswith("ed") or low.endswith("ed") and nxt and (
                nxt in lx.PREPOSITIONS or nxt in lx.DETERMINERS or nxt in lx.PRONOUNS):
            return i
        if nxt and (_TIME_WORDS.match(nxt) or (nxt in lx.DETERMINERS and nxt != "that")
                    or (lx.classes(nxt) == {"ADV"} and not lx.is_function_word(nxt))
                    or nxt in ("out", "here")):
            return i
    return -1


def _clean(topic: str) -> str:
    text = " ".join(topic.split()).strip()
    return text.rstrip(".!") or "what's new with us"


def mid(text: str) -> str:
    """Lower-case the first letter for function words (The, Our, How...); names keep theirs."""
    first, _, rest = text.partition(" ")
    second = rest.split(" ", 1)[0]
    name = second[:1].isupper() or first.isupper() or any(c.isupper() for c in first[1:]) \
        or first.lower() in lx.NAMES
    if first.lower() in lx.FUNCTION_WORDS or first.lower() in _LOWER_FIRST or (
            lx.classes(first) and not name):
        return first[0].lower() + text[1:]
    return text


_LOWER_FIRST = frozenset("new last early free simple local beginner summer spring winter "
                         "autumn".split())
_NOT_TAGGED = re.compile(rf"^(?:\d+(?:am|pm|st|nd|rd|th|%)?|{_DAYS}s?|{_MONTHS})$", re.IGNORECASE)
_SEGMENT = re.compile(r"[:;,.!?()]|\s[-–—]\s")


@lru_cache(maxsize=65536)
def _rarity(word: str) -> float:
    """How much a word tells about the topic: rare words (sourdough) score high, common ones
    (things, day) low; names wordfreq does not know count as rare."""
    return max(0.0, 7.0 - zipf_frequency(word.lower(), "en"))


def _spans(text: str) -> list[tuple[int, int]]:
    """(start, end) word indices of every run of one to four words inside one clause."""
    out, at = [], 0
    for segment in _SEGMENT.split(text):
        n = len(words_of(segment))
        out += [(at + i, at + j) for i in range(n) for j in range(i + 1, min(i + 4, n) + 1)]
        at += n
    return out


def _rank(phrase: str) -> float:
    # Mean rarity, with a bonus per extra word: a two-word name of a thing (sourdough starters)
    # says more than either word, as yake's n-gram scores also held (yake cost ~1 ms a topic).
    rarity = [_rarity(w) for w in words_of(phrase)]
    return sum(rarity) / len(rarity) * (1.0 + 0.25 * (len(rarity) - 1))


def keyphrases(text: str) -> tuple[str, ...]:
    """The topic's noun-phrase spans, most telling first, in its casing. A span glued to a noun
    on either side (Black Friday | deals) is a fragment of a longer phrase and is dropped."""
    words = words_of(text)
    found = []
    seen: set[str] = set()
    for at, end in _spans(text):
        pw = words[at:end]
        phrase = " ".join(pw)
        if phrase.lower() in seen or not is_noun_phrase(pw) or (
                at == 0 and pw[0].lower().endswith("ing")):
            continue
        seen.add(phrase.lower())
        before = words[at - 1] if at else ""
        if before.lower() in lx.RELATIVES | {"to"} and lx.can_be_verb(pw[0]):
            continue  # catch real bugs, ease back pain: a verb and its object
        if any(_NOT_TAGGED.match(w) or w.lower() in lx.NUMBER_WORDS for w in pw):
            continue  # 7pm, Friday 14 June, eight glasses: dates and counts, not subjects
        if _WHEN.fullmatch(phrase) or _PERIOD.fullmatch(phrase):
            continue
        after = words[end] if end < len(words) else ""
        glued_before = before and not lx.is_function_word(before) and lx.can_be_noun(before) \
            and not lx.can_be_verb(before) and "ADJ" not in lx.classes(before) \
            and before.lower() not in lx.NUMBER_WORDS and not before.isdigit()
        glued_after = after and not lx.is_function_word(after) and lx.can_be_noun(after) \
            and not lx.verb_only(after) and not _PRICE.match(after)
        if not glued_before and not glued_after:
            found.append(phrase)
    kept: list[str] = []
    for phrase in sorted(found, key=_rank, reverse=True):
        # One phrase per stretch of the topic: #CycleLane and #NewCycleLane say the same.
        if not any(_overlap(phrase, k) for k in kept):
            kept.append(phrase)
    return tuple(kept[:12])


def _overlap(a: str, b: str) -> bool:
    return bool({w.lower() for w in words_of(a)} & {w.lower() for w in words_of(b)})


def _find(lows: list[str], part: list[str]) -> int:
    for i in range(len(lows) - len(part) + 1):
        if lows[i:i + len(part)] == part:
            return i
    return -1


def _split_label(text: str) -> tuple[str, str]:
    head, sep, tail = text.partition(":")
    if not sep or not tail.strip() or len(head.split()) > 4 or finite_verb_at(words_of(head)) >= 0:
        return "", ""
    return head.strip(), tail.strip()


def _job_role(text: str) -> str:
    low = text.lower()
    for cue in _JOB:
        at = low.find(cue)
        if at < 0:
            continue
        role: list[str] = []
        for word in words_of(text[at + len(cue):]):
            low_word = word.lower()
            if low_word in ("a", "an") and not role:
                continue
            if lx.is_function_word(word) or _PRICE.match(word) or word[:1].isdigit():
                break
            role.append(word)
        if role and is_noun_phrase(role):
            return " ".join(role[:4])
    return ""


def _count(words: list[str]) -> int:
    """The number a list topic promises (Five stretches..., 3 ways...): a count word followed
    by a plural noun; 15% off or 2012 are not promises."""
    first = words[0].lower() if words else ""
    number = lx.NUMBER_WORDS.get(first, 0)
    if first.isdigit() and 1 < int(first) < 30:
        number = int(first)
    if not number or len(words) < 2:
        return 0
    nouns = [w for w in words[1:4] if w.isalpha() and lx.can_be_noun(w)]
    return number if any(lx.is_plural(w) for w in nouns) else 0


def without_count(text: str) -> str:
    """'Five stretches to ease back pain' -> 'Stretches to ease back pain': a post that cannot
    list five stretches must not promise five."""
    head, sep, tail = text.rpartition(": ") if ": " in text else ("", "", text)
    words = tail.split(" ", 1)
    if len(words) == 2 and _count(words_of(tail)):
        tail = words[1][:1].upper() + words[1][1:] if not sep else words[1]
    return head + sep + tail


@lru_cache(maxsize=8192)
def analyse(topic: str, tone: str = "friendly", content_type: str = "general") -> Topic:
    """Read a topic once; a run asks again for every variant, so the answer is cached."""
    text = _clean(topic)
    label, rest = _split_label(text)
    main = rest or text.split(":", 1)[0]
    words = words_of(main)
    verb_at = finite_verb_at(words)
    phrases = keyphrases(text)
    parts = _facts(text)
    form = _form(text, label, verb_at, parts, content_type)
    if verb_at >= 0 and not _headline_noun(form, words, verb_at):
        verb = words[verb_at].lower()  # the verb (beat, end) is in no phrase worth a hashtag
        phrases = tuple(p for p in phrases if verb not in p.lower().split())
    parts.update(_form_parts(form, text, main, label, rest))
    subject = _subject(form, text, main, words, verb_at, phrases, parts)
    kind = _kind(form, [w.lower() for w in words_of(text)], content_type)
    serious = kind == "safety" or tone.strip().lower() in SERIOUS_TONES
    return Topic(text=text, form=form, kind=kind, subject=subject, serious=serious,
                 is_sentence=verb_at >= 0, phrases=phrases, **parts)


def _facts(text: str) -> dict:
    when = _WHEN.search(text) or _PERIOD.search(text)
    price = _PRICE.search(text)
    place = _PLACE.search(_WHEN.sub("|", text))
    detail = text.split(":", 1)[1].strip() if ":" in text else ""
    return {"when": when.group(0).strip() if when else "", "price": price.group(0) if price else "",
            "place": place.group(0) if place else "", "detail": detail,
            "dated": bool(_WHEN.search(text))}


def _form_parts(form: str, text: str, main: str, label: str, rest: str) -> dict:
    parts: dict = {"label": label, "rest": rest}
    words = words_of(text)
    if form == "list" or (label and _count(words_of(rest))):
        parts["count"] = _count(words) or _count(words_of(rest))
    if form == "how_to":
        parts["action"] = text[7:] if text.lower().startswith("how to ") else \
            " ".join([lx.base_form(words[0])] + text.split(" ")[1:])
    elif form == "explainer":
        parts["clause"] = mid(text)
    elif form == "job":
        parts["role"] = _job_role(text)
    return parts


def _subject(form: str, text: str, main: str, words: list[str], verb_at: int,
             phrases: tuple[str, ...], parts: dict) -> str:
    """The noun phrase the post is about; never a sentence."""
    candidates: list[str] = []
    if form == "job" and parts.get("role"):
        candidates.append(parts["role"])
    if form == "question" and words and words[0].lower() in ("which", "what"):
        candidates += _asked_about(words)
    if form == "event":
        candidates += list(phrases[:1])
    if form in ("noun_phrase", "list"):
        candidates.append(mid(without_count(text)))
        candidates.append(mid(" ".join(_np_words(without_count(text)))))
    if form == "how_to" and parts.get("action"):
        first, _, rest = parts["action"].partition(" ")
        candidates.append((lx.gerund(first) + " " + rest).strip())
    if verb_at > 0:
        before = words[:verb_at]
        cut = next((i for i, w in enumerate(before) if w.lower() in lx.PREPOSITIONS), len(before))
        candidates += [" ".join(before), " ".join(before[:cut])]
    if form in ("offer", "event", "labelled") and parts.get("rest"):
        candidates.append(parts["rest"])
    candidates += list(phrases)
    for candidate in candidates:
        cw = words_of(candidate)
        if cw and is_subject_phrase(cw) and not _WHEN.fullmatch(candidate):
            return mid(candidate)
    return mid(parts.get("label") or "this")


def _headline_noun(form: str, words: list[str], verb_at: int) -> bool:
    """Charity 5k fun run on Sunday: an event headline with no determiner before the 'verb',
    so run is the noun it ends on (the market starts this Monday has one: a sentence)."""
    return form == "event" and not any(w.lower() in lx.DETERMINERS for w in words[:verb_at])


def _asked_about(words: list[str]) -> list[str]:
    """Which houseplant suits a dark flat? -> houseplant: the noun phrase the wh-word asks
    about, the longest one that a verb follows."""
    found = [" ".join(words[1:k]) for k in range(2, len(words))
             if is_noun_phrase(words[1:k]) and lx.can_be_verb(words[k])]
    return found[-1:]


def _form(text: str, label: str, verb_at: int, facts: dict, content_type: str) -> str:
    low = text.lower()
    lows = [w.lower() for w in words_of(text)]
    first = lows[0] if lows else ""
    price = facts["price"]
    if text.endswith("?") or (first in lx.AUXILIARIES and len(lows) > 2):
        return "question"
    if any(cue in low for cue in _JOB):
        return "job"
    if (price and price.lower() != "free") or set(lows) & _OFFER:
        return "offer"
    if facts["dated"] and set(lows) & _EVENT:
        return "event"
    if label:
        return "labelled"
    if low.startswith("how to "):
        return "how_to"
    if first in lx.WH_WORDS:
        return "explainer"
    if _count(lows) and len(lows) > 2:
        return "list"
    if first.endswith("ing") and lx.can_be_verb(first) and len(lows) > 1:
        return "how_to" if content_type in ("educational", "technical") else "statement"
    if verb_at >= 0:
        return "statement"
    if first in lx.PREPOSITIONS or lx.verb_only(first) or (
            lx.can_be_verb(first) and len(lows) > 1 and lows[1] in lx.DETERMINERS):
        return "statement"  # a headline fragment or an imperative: used only on its own line
    return "noun_phrase" if is_subject_phrase(_np_words(text)) else "statement"


def _np_words(text: str) -> list[str]:
    """The topic's words up to a relative clause (the board game night | that got out of hand)."""
    out = []
    for word in words_of(text):
        if word.lower() in lx.RELATIVES and out:
            break
        out.append(word)
    return out


def _kind(form: str, lows: list[str], content_type: str) -> str:
    if set(lows) & _SAFETY:
        return "safety"
    fixed = {"job": "hiring", "event": "event", "offer": "promotional"}
    if form in fixed:
        return fixed[form]
    if content_type in ("personal", "entertainment", "technical", "educational"):
        return content_type
    if content_type == "promotional":
        return "announcement" if form == "statement" else "promotional"
    return "news" if form in ("statement", "labelled") else "general"
