"""What a post is for (its intent), so each enhance strategy acts only where it fits.

Not for scoring and not a learned classifier: a few ordered, readable rules over the post's own
words (the first rule that matches wins), cheap enough to run on every post. INTENTS lists them
in that order; `intent_of` returns one. `takes_call_to_action` and `takes_hashtags` are the rules
the engagement strategy follows.
"""

from __future__ import annotations

import re

from fbopt.quality.spans import protected_spans

INTENTS = ("quote", "apology", "safety", "thank_you", "question", "event", "offer", "news",
           "announcement")
# An apology or outage: adding "Tell us in the comments" to it reads as not listening.
_APOLOGY = re.compile(
    r"\b(sorry|apolog(?:y|ies|i[sz]e[sd]?)|inconvenience|outage|(?:is|are|went) down|broke|"
    r"broken|not working|looking in ?to it|ran out|sold out|cancell?ed|disappointment)\b",
    re.IGNORECASE)
# A safety notice or a plea: it must read as sent, not as marketing.
_SAFETY = re.compile(
    r"\b(warning|stay safe|be careful|take care|(?:please )?do not|don'?t (?:leave|buy|drive|"
    r"swim|feed)|avoid (?:travel|the area)|keep (?:pets|children|kids|dogs) (?:indoors|inside)|"
    r"illegal|danger(?:ous)?|scams?|hot cars?|flood(?:ing)?|storm|evacuat\w+|boil water|"
    r"breach(?:ed)?|phishing|emergency)\b", re.IGNORECASE)
_THANKS = re.compile(r"\b(thank(?:s| you)?|grateful|congratulations|congrats|shout ?out to|"
                     r"we couldn'?t have done it)\b", re.IGNORECASE)
_DAY = (r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|tonight|tomorrow|this week(?:end)?|"
        r"next (?:week|month|\w+day)|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\s+\d|"
        r"\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*|"
        r"\d{1,2}(?::\d\d)?\s?(?:am|pm)|noon")
_EVENT = re.compile(
    r"\b(event|festival|night|workshop|class(?:es)?|webinar|meeting|party|market|live|concert|"
    r"story ?time|book club|fundraiser|orientation|open day|tour|talk|screening|meetup|"
    r"fireworks|parade|5k|race|session|playdate|signing|reading from|switch-on)\b",
    re.IGNORECASE)
_WHEN = re.compile(rf"\b(?:{_DAY})\b", re.IGNORECASE)
# Past-tense reports of an event ("The switch-on drew 3,000 people") are news, not invitations.
_PAST = re.compile(r"\b(drew|spent|was|were|went|happened|raised|collected|celebrated|"
                   r"had a|came|joined us)\b", re.IGNORECASE)
# Cues that make a post an offer on their own, and cues (a price, "free", "deal") that do so only
# when the post speaks to its readers or as the seller: "$4 Trillion in FY 2017" and "offering
# $15,000 to an undercover agent" are news.
_OFFER = re.compile(
    r"\d+\s?% off|\b(sale|discount|giveaway|half price|gift cards?|voucher|for sale|in stock|"
    r"just in|new arrivals?|now available|order (?:now|online)|on the menu|new on|buy one)\b",
    re.IGNORECASE)
_PRICE = re.compile(r"[$£€¥]\s?\d|\b(free|deal|offer|available|limited|only \d+)\b",
                    re.IGNORECASE)
_ADDRESS = re.compile(r"\b(you|your|we|we'?re|our|us|today|tonight|this week(?:end)?)\b",
                      re.IGNORECASE)
_NEWS = re.compile(r"\b(according to|officials?|reported|reports|police|announced|said|"
                   r"breaking|court|election|minister|president|government|study finds)\b",
                   re.IGNORECASE)
# Announcements of a change people must act on, who should pass it on.
_NOTICE = re.compile(
    r"\b(closed?|closing|closure|opening hours|open(?:s|ing)? (?:on|from|at)|now open|reopen\w*|"
    r"starts?|is live|moving|moves?|changes? to (?:the|our|your)|"
    r"(?:schedule|timetable|route|opening) changes?|new (?:hours|timetable|day|location)|"
    r"deadline|due by|hiring|reminder|interrupted|resurfac\w+|diversion|parking|collection|"
    r"(?:stay|be|now) open (?:until|till|late)|open until)\b",
    re.IGNORECASE)


def intent_of(text: str, content_type: str | None = None) -> str:
    """The post's intent, one of INTENTS."""
    prose = own_words(text)
    if is_quote(text):
        return "quote"
    for name, pattern in (("apology", _APOLOGY), ("safety", _SAFETY), ("thank_you", _THANKS)):
        if pattern.search(prose):
            return name
    if "?" in prose:
        return "question"
    if (_EVENT.search(prose) and _WHEN.search(text)) and not _PAST.search(prose):
        return "event"
    if _OFFER.search(text) or (_PRICE.search(text) and _ADDRESS.search(prose)):
        return "offer"
    if (content_type or "").strip().lower() in {"news", "breaking news"} or _NEWS.search(prose):
        return "news"
    return "announcement"


def is_quote(text: str) -> bool:
    """A post that is mostly a quotation (the quote and its attribution)."""
    stripped = text.strip()
    quoted = sum(end - start for start, end, kind in protected_spans(stripped)
                 if kind == "quote")
    return bool(stripped) and stripped[0] in "\"“‘'" and quoted >= 0.5 * len(stripped)


def own_words(text: str) -> str:
    """The post without links, e-mail addresses and quoted text: the words it says itself."""
    pieces, last = [], 0
    for start, end, kind in protected_spans(text):
        if kind in {"url", "email", "quote"}:
            pieces += [text[last:start], " "]
            last = end
    return "".join(pieces + [text[last:]])


def takes_call_to_action(intent: str) -> bool:
    """Never on apologies, thank-yous, quotes or safety notices; a question already asks."""
    return intent in {"event", "offer", "news", "announcement"}


def takes_hashtags(intent: str) -> bool:
    """Tags make an apology, a thank-you, a quote or a safety notice read as marketing."""
    return intent in {"event", "offer", "news", "announcement", "question"}


# Advice opens with an imperative of doing ("Water your garden in the morning", "Grow your own
# herbs"), not of buying or coming ("Join", "Order", "Visit": those are offers and events).
_ADVICE = re.compile(
    r"^\s*(?:grow|water|plant|sow|prune|feed|mulch|repot|try|use|keep|add|store|soak|cut|mix|"
    r"check|turn|clean|avoid|save|stretch|warm up|drink|let|skip|start|swap|write|back up|"
    r"update|enable|lock|rinse|freeze|chill)\b(?! (?:our|us)\b)", re.IGNORECASE)


def is_tip(text: str) -> bool:
    """Advice: a post that opens with an imperative of doing ("Water your garden...")."""
    return bool(_ADVICE.search(own_words(text)))


def is_notice(text: str) -> bool:
    """An announcement of a change readers must act on (hours, closures, deadlines)."""
    return bool(_NOTICE.search(own_words(text)))
