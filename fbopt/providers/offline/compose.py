"""The offline composer: turns an analysed topic into a post with a structure written for its
kind (event, offer, safety notice, hiring...), the tone asked for, and hashtags from the topic.

Not for reading the topic (topic.py) or the phrase banks themselves (phrases.py).
"""

from __future__ import annotations

import hashlib
import random
import re
import string
from functools import lru_cache

from wordfreq import zipf_frequency

from fbopt.providers.base import CompletionRequest
from fbopt.providers.offline import lexicon as lx
from fbopt.providers.offline.hashtags import hashtags
from fbopt.providers.offline.phrases import BODY, CTA, OPENINGS, Bank
from fbopt.providers.offline.topic import (
    Topic,
    analyse,
    finite_verb_at,
    is_noun_phrase,
    mid,
    without_count,
    words_of,
)

_TONE_LETTER = {"serious": "S", "professional": "P", "friendly": "F", "playful": "Y",
                "inspirational": "I"}
_TONE_ALIASES = {
    "casual": "friendly", "warm": "friendly", "conversational": "friendly",
    "empathetic": "friendly",
    "humorous": "playful", "funny": "playful", "witty": "playful", "excited": "playful",
    "enthusiastic": "playful", "formal": "serious", "authoritative": "professional",
    "informative": "professional", "motivational": "inspirational", "uplifting": "inspirational",
    "urgent": "serious", "serious": "serious",
}
# Which roles make up a post, per kind; a topic's variants walk this list, so they differ in
# structure, not just in one swapped line.
STRUCTURES: dict[str, list[list[str]]] = {
    "safety": [["open", "body", "body", "cta"], ["open", "body", "body", "body"],
               ["open", "body", "cta"]],
    "event": [["open", "body", "cta"], ["open", "details", "cta"],
              ["open", "body", "body", "cta"]],
    "hiring": [["open", "body", "body", "cta"], ["open", "details", "cta"],
               ["open", "body", "cta"]],
    "promotional": [["open", "body", "cta"], ["open", "details", "cta"],
                    ["open", "body", "body", "cta"]],
}
_DEFAULT_STRUCTURES = [["open", "body", "cta"], ["open", "body", "body", "cta"],
                       ["open", "body", "body"]]
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D]")
_FLAGS = {"_allergen": ("allergen", "allergens", "allergy", "allergies", "nuts", "peanut",
                        "gluten"),
          "_outage": ("outage", "outages", "downtime", "disruption", "disruptions", "maintenance"),
          "_product": ("recall", "recalled", "batch", "contain", "contaminated", "contamination")}


def _fields_of(template: str) -> frozenset[str]:
    return frozenset(n for _, n, _, _ in string.Formatter().parse(template) if n)


_NEEDS = {t: _fields_of(t) for banks in (OPENINGS, BODY, CTA) for bank in banks.values()
          for _, t in bank}


def tone_of(tone: str, topic: Topic) -> str:
    """One of serious, professional, friendly, playful, inspirational."""
    if topic.serious:
        return "serious"
    name = (tone or "").strip().lower()
    name = _TONE_ALIASES.get(name, name)
    return name if name in _TONE_LETTER else "friendly"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _the(subject: str) -> str:
    first = subject.split(" ", 1)[0]
    if first.lower() in lx.DETERMINERS or first[:1].isupper() or first.endswith(("'s", "’s")):
        return subject
    return "the " + subject


def _head(subject: str) -> str:
    core: list[str] = []
    for word in words_of(subject):
        if word.lower() in lx.PREPOSITIONS or word.lower() in lx.RELATIVES:
            break
        if word.lower() not in lx.DETERMINERS:
            core.append(word)
    return " ".join(core) or subject


def _line(topic: Topic) -> str:
    line = _cap(without_count(topic.text))
    return line if line.endswith(("?", ".", "!")) else line + "."


def fields(topic: Topic, audience: str) -> dict[str, str]:
    """Every value a template may name; a missing value is left out, so its templates are not
    used. Only noun phrases go into subject, head and the_subject."""
    head = _head(topic.subject)
    line = _line(topic)
    out = {"subject": topic.subject, "Subject": _cap(topic.subject), "head": head,
           "Head_cap": _cap(head), "the_subject": _the(topic.subject),
           "The_subject": _cap(_the(topic.subject)),
           "be": lx.be(words_of(head)[-1] if words_of(head) else ""),
           "line": line, "line_mid": mid(line), "audience": audience, "when": topic.when,
           "When": _cap(topic.when), "price": topic.price, "place": topic.place,
           "role": topic.role, "label": topic.label, "Label": _cap(topic.label),
           "label_mid": mid(topic.label), "rest": topic.rest, "Rest": _cap(topic.rest),
           "action": topic.action, "clause": topic.clause, "Clause": _cap(topic.clause)}
    if topic.is_sentence and topic.form in ("statement", "event") and ":" not in topic.text:
        out["sentence"] = mid(topic.text.rstrip("?"))
    if topic.form == "question":
        out["question"] = mid(line)
    if topic.action:
        first, _, rest = topic.action.partition(" ")
        out["gerund"] = (lx.gerund(first) + " " + rest).strip()
        out["Gerund"] = _cap(out["gerund"])
        out["Subject_gerund"] = out["Gerund"]
    if topic.role:
        out["a_role"] = topic.role if lx.is_plural(words_of(topic.role)[-1]) \
            else lx.with_article(topic.role)
    out["place_clause"] = " " + topic.place if topic.place else ""
    out["when_clause"] = " " + topic.when if topic.when else ""
    price = topic.price if topic.price and topic.price.lower() != "free" else ""
    out["price_clause"] = (" from " + price) if price else ""
    if price and re.search(r"\b(?:from|starting at)\s+" + re.escape(price), topic.text, re.I):
        out["price_from"] = price
    focus = _focus(topic)
    if focus:
        plural = lx.is_plural(words_of(focus)[-1]) or focus.endswith("ing")
        out.update(focus=focus, Focus=_cap(focus), focus_be="have" if plural else "has",
                   focus_look="look" if plural else "looks",
                   Focus_have="Have" if plural else "Has", focus_have="have" if plural else "has")
    if topic.kind == "safety":
        out["affected"] = _affected(topic)
    words = {w.lower() for w in words_of(topic.text)}
    for flag, cues in _FLAGS.items():
        if words & set(cues):
            out[flag] = ""
    return {k: v for k, v in out.items() if v or k.startswith("_") or k.endswith("_clause")}


@lru_cache(maxsize=8192)
def _focus(topic: Topic) -> str:
    """What a line can ask about: the topic's label, the head of its subject or its most telling
    keyphrase, when it reads right with no article: a plural, a mass noun, an -ing phrase or a
    name (sourdough starters, coffee, winter driving). A singular count noun (data pipeline)
    would need an article the topic does not give, so no line asks about it."""
    head = words_of(_head(topic.subject))
    if head and head[-1].lower() in lx.GENERIC:
        head = head[:-1]  # meal prep ideas -> meal prep; tips -> nothing
    label = [] if topic.kind in ("safety", "news", "hiring") else words_of(topic.label)
    for words in (label, head, *(words_of(p) for p in topic.phrases)):
        if not words or len(words) > 3 or not is_noun_phrase(words) or words[0].lower() in \
                lx.WH_WORDS or any(w.lower().endswith(("'s", "’s")) for w in words):
            continue
        last = words[-1]
        if last.lower() in lx.GENERIC or "ADJ" in lx.classes(last) or not _bare(words):
            continue
        return mid(" ".join(words))
    return ""


@lru_cache(maxsize=16384)
def _mass(noun: str) -> bool:
    """A noun whose plural is far rarer than it is (coffee, packaging) is a mass noun."""
    low = noun.lower()
    return zipf_frequency(lx.plural(low), "en") < zipf_frequency(low, "en") - 1.2


def _bare(words: list[str]) -> bool:
    last = words[-1]
    # fixing leaking tap needs an article as much as leaking tap does: the last word decides.
    return (lx.is_plural(last) or last.lower().endswith("ing") or last[:1].isupper()
            or not last.isalpha() or _mass(last))


def _affected(topic: Topic) -> str:
    """What a notice is about: the noun phrase before the rest's verb (batch 2231 of our peanut
    butter), else the subject."""
    words = words_of(topic.rest or topic.text)
    at = finite_verb_at(words)
    if at > 0:
        return mid(" ".join(words[:at]))
    return topic.subject if topic.subject != topic.label else ""


def _usable(bank: Bank, letter: str, have: dict[str, str]) -> list[str]:
    return [t for tones, t in bank if letter in tones and _NEEDS[t] <= have.keys()]


def _details(topic: Topic, have: dict[str, str], serious: bool) -> str:
    place = re.sub(r"^(?:at|in)\s+", "", topic.place, flags=re.IGNORECASE)
    price_name = "Pay" if topic.kind == "hiring" else "Price"
    rows = [("📅", "When", topic.when), ("📍", "Where", _cap(place)),
            ("🏷️", price_name, topic.price), ("💼", "Role", _cap(topic.role))]
    lines = [f"{'' if serious else icon + ' '}{name}: {value}" for icon, name, value in rows
             if value]
    return "\n".join(lines) if len(lines) >= 2 else ""


class OfflineComposer:
    """Composes one post for a request. Pure and deterministic for a given request."""

    def __init__(self) -> None:
        # lemminflect reads its lexicon on first use (about half a second): pay it here, once,
        # not inside the first post's time (a loopback server answering within 0.2 s needs this).
        analyse("Warm-up: our new bakery opens this Saturday")

    def compose(self, req: CompletionRequest) -> str:
        topic = analyse(req.topic, req.tone or "", req.content_type or "general")
        audience = " ".join((req.audience or "").split()) or "everyone"
        if audience == "general":
            audience = "everyone"
        tone = tone_of(req.tone, topic)
        letter = _TONE_LETTER[tone]
        have = fields(topic, audience)
        rng = random.Random(_seed(req, with_variant=False))
        variant = max(int(req.variant), 0)
        structures = STRUCTURES.get(topic.kind, _DEFAULT_STRUCTURES)
        plan = structures[(rng.randrange(len(structures)) + variant) % len(structures)]
        parts, used = self._parts(plan, topic, have, letter, rng, variant)
        tag_rng = random.Random(_seed(req, with_variant=True))
        tags = hashtags(topic, tag_rng, limit=2 if tone == "serious" else 3)
        # Lines to add only when a post is under min_chars: the kind's own first, then the
        # general ones (a topic with no focus and no action leaves its kind's bank empty).
        extra = [t for bank in (BODY.get(topic.kind, BODY["general"]), BODY["general"],
                                CTA["general"])
                 for t in _usable(bank, letter, have) if t not in used]
        text = _fit(parts, tags, [t.format_map(have) for t in extra], req)
        return _plain(text) if tone == "serious" else text

    @staticmethod
    def _parts(plan: list[str], topic: Topic, have: dict[str, str], letter: str,
               rng: random.Random, variant: int) -> tuple[list[str], set[str]]:
        banks = {"open": OPENINGS.get(topic.form, OPENINGS["noun_phrase"]),
                 "body": BODY.get(topic.kind, BODY["general"]),
                 "cta": CTA.get(topic.kind, CTA["general"])}
        orders: dict[str, list[str]] = {}
        parts: list[str] = []
        used: set[str] = set()
        for role in plan:
            if role == "details":
                block = _details(topic, have, letter == "S")
                if block:
                    parts.append(block)
                continue
            if role not in orders:
                options = _usable(banks[role], letter, have)
                rng.shuffle(options)
                # Variant n starts n places further on: each variant opens differently.
                shift = variant % len(options) if options else 0
                orders[role] = options[shift:] + options[:shift]
            choice = next((t for t in orders[role] if t not in used), None)
            if choice:
                used.add(choice)
                parts.append(choice.format_map(have))
        return parts, used


def _seed(req: CompletionRequest, with_variant: bool) -> int:
    variant = req.variant if with_variant else ""
    key = f"{req.seed}|{req.topic}|{req.audience}|{req.tone}|{req.content_type}|{variant}"
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")


def _plain(text: str) -> str:
    """A serious notice carries no emoji and no exclamation mark, whatever the banks hold."""
    text = _EMOJI.sub("", text).replace("!", ".")
    return re.sub(r"[ \t]+\n", "\n", re.sub(r"[ \t]{2,}", " ", text)).strip()


def _fit(parts: list[str], tags: list[str], extra: list[str], req: CompletionRequest) -> str:
    def render(ps: list[str], ts: list[str]) -> str:
        return "\n\n".join(ps + ([" ".join(ts)] if ts else []))

    text = render(parts, tags)
    spare = iter(extra)
    while len(text) < req.min_chars:
        sentence = next(spare, None)
        if sentence is None:
            break
        parts.insert(len(parts) - 1 if len(parts) > 1 else 1, sentence)
        text = render(parts, tags)
    while len(text) > req.max_chars and (tags or len(parts) > 1):
        if tags:
            tags = tags[:-1]
        else:
            parts = parts[:-1]
        text = render(parts, tags)
    if len(text) > req.max_chars:
        cut = text[: req.max_chars - 1].rsplit(" ", 1)[0]
        text = cut.rstrip(",;:") + "…"
    return text
