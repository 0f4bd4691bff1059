"""The engagement strategy: give the post what its signals say it lacks.

Not for judging the result (the enhancer keeps a change only if overall_quality rises). In order:
a hook that runs past the "See more" cut gets a line break after its first sentence; a post with
no question and no call to action gets one that suits it; a post with no hashtag gets topic
hashtags (up to two from the row's topic when there is one, else the most specific word of its
first sentence); a
post past BEST_MAX_CHARS loses trailing sentences that hold nothing protected, no question and
no call to action. Existing text, links, mentions and hashtags are never changed.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

from fbopt.quality.engagement import BEST_MAX_CHARS, BEST_MIN_CHARS, HOOK_FITS
from fbopt.quality.signals import CTA, hook_of
from fbopt.quality.spans import protected_spans

# (what the post is about, the asks that suit it); the first matching row wins.
ASKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"\b(closed?|closure|closing|reminder|warning|delays?|cancell?ed|disruption|interrupted|"
     r"maintenance|lost|found|urgent(ly)?)\b",
     ("Please share this so your neighbours know.",
      "Know someone this affects? Share this with them.")),
    (r"\b(event|festival|night|workshop|class|webinar|meeting|party|market|live|tonight|"
     r"saturday|sunday|friday|weekend)\b",
     ("Will we see you there? Tag a friend who'd love it.",
      "Who's coming? Tag someone to bring along.")),
    (r"\b(new|menu|launch|arrived|just in|sale|offer|price|\$|£|€)",
     ("Would you try it? Tell us in the comments.",
      "What do you think? Let us know in the comments.")),
    (r"\b(tip|how to|guide|learn|read|explained|steps?)\b",
     ("Which tip will you try first? Tell us below.",
      "Found this useful? Share it with someone who needs it.")),
    (r"", ("What do you think? Tell us in the comments.",
           "What's your take? Let us know below.")),
)
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
needs wants looks works keeps gives shows""".split())
# Word endings of verbs, adverbs and adjectives: rarely what a post is about.
_VERBISH = re.compile(r"(?:ed|ing|ly|al|ive|ous|ful|able|ible|less|est|ic)$")
_CTA = re.compile(CTA.replace("(?i)", ""), re.IGNORECASE)
_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?](?=[^\s.!?]))+[.!?]*\s*")


def rewrite(text: str, topic: str | None = None) -> str:
    text = split_hook(text)
    text = add_hashtags(text, topic)  # from the post's own words, before an ask is added
    text = add_ask(text)
    return trim(text)


def split_hook(text: str) -> str:
    """Break the first line after its first sentence when the line is too long for the hook."""
    hook = hook_of(text)
    if len(hook) <= HOOK_FITS:
        return text
    first = re.match(r"\s*[^\n]*?[.!?](?=\s)", text)
    if first is None or len(first.group(0).strip()) > HOOK_FITS or len(first.group(0)) < 15:
        return text
    end = first.end()
    rest = text[end:].lstrip(" ")
    return text[:end] + "\n" + rest if rest else text


def add_ask(text: str) -> str:
    prose = _without_links(text)
    if "?" in prose or _CTA.search(prose):
        return text
    for pattern, asks in ASKS:
        if re.search(pattern, text, re.IGNORECASE):
            ask = asks[zlib.crc32(text.encode("utf-8")) % len(asks)]
            break
    body, tags = _split_trailing_tags(text)
    last = body.split()[-1] if body.split() else ""
    ends_plain = body[-1:].isalnum() and not re.match(r"(https?://|www\.|[#@])", last)
    sep = "." if ends_plain else ""
    return f"{body}{sep} {ask}{tags}".strip()


def add_hashtags(text: str, topic: str | None = None, most: int = 2) -> str:
    if any(kind == "hashtag" for _, _, kind in protected_spans(text)):
        return text
    words = _topic_words(topic)[:most] if topic else []
    # Without a topic, one tag from the post's own words: the most specific word of its first
    # sentence (the topic is most often there), else of the whole post.
    words = words or (_specific_words(_first_sentence(text)) or _specific_words(text))[:1]
    tags = ["#" + "".join(w[:1].upper() + w[1:] for w in word.split()) for word in words]
    return f"{text.rstrip()} {' '.join(tags)}" if tags else text


def trim(text: str) -> str:
    if len(text) <= BEST_MAX_CHARS:
        return text
    pieces = _SENTENCE.findall(text)
    while len(pieces) > 1 and len("".join(pieces)) > BEST_MAX_CHARS:
        last = pieces[-1]
        if protected_spans(last) or "?" in last or _CTA.search(last):
            break
        if len("".join(pieces[:-1]).strip()) < BEST_MIN_CHARS:
            break
        pieces.pop()
    return "".join(pieces).rstrip() if "".join(pieces) != text else text


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


def _first_sentence(text: str) -> str:
    match = _SENTENCE.match(text.strip())
    return match.group(0) if match else text


def _specific_words(text: str) -> list[str]:
    """Content words of the post, rarest (most specific) first, typos and names left out."""
    from fbopt.enhance.lexicon import lexicon

    lex = lexicon()
    seen: dict[str, int] = {}
    for span in _prose(text):
        for word in re.findall(r"[^\W\d_]{4,}", span):
            low = word.lower()
            count = lex.count(low)
            if low not in _STOP and count >= 100_000 and not _VERBISH.search(low):
                seen.setdefault(low, count)
    return sorted(seen, key=lambda w: seen[w])


def _prose(text: str) -> Sequence[str]:
    spans = protected_spans(text)
    out, last = [], 0
    for start, end, _ in spans:
        out.append(text[last:start])
        last = end
    out.append(text[last:])
    return out
