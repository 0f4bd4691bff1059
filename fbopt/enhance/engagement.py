"""The engagement strategy: give the post what its signals say it lacks.

Not for judging the result (the enhancer keeps a change only if overall_quality rises). In order:
a hook that runs past the "See more" cut gets a line break after its first sentence (never
after an abbreviation: "Trump Jr."); a post with no question and no call to action gets one that
suits it (a news post: an ask for an opinion); a post with no hashtag gets topic hashtags (up to
two from the row's topic when there is one, else a name inside its first sentence or its most
specific word); a post past BEST_MAX_CHARS loses trailing sentences that hold nothing protected,
no question and no call to action. Existing text, links, mentions and hashtags are never
changed.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

from fbopt.quality.engagement import BEST_MAX_CHARS, BEST_MIN_CHARS, HOOK_FITS
from fbopt.quality.grammar import abbreviation
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
needs wants looks works keeps gives shows behind beyond across among around against during
without within through toward towards upon ultimate latest recent former major several certain
entire likely possible potential another other others such even still ever never""".split())
# Word endings of verbs, adverbs and adjectives: rarely what a post is about.
_VERBISH = re.compile(r"(?:ed|ing|ly|al|ive|ous|ful|able|ible|less|est|ic)$")
_CTA = re.compile(CTA.replace("(?i)", ""), re.IGNORECASE)
# A name: one to four capitalised words (Trump, New York, White House, Wall Street Journal).
# A middle initial is kept out of the tag (Donald J. Trump -> #DonaldTrump).
_NAME = re.compile(r"(?<![\w'’])[A-Z][a-z]+(?:(?:[ ][A-Z]\.)?[ ][A-Z][a-z]+){0,3}(?![\w'’])")
# Titles before a name are left out of its tag (President Donald J. Trump -> #DonaldTrump).
_TITLES = {"president", "senator", "sen", "rep", "representative", "gov", "governor", "mr", "mrs",
           "ms", "dr", "prof", "judge", "general", "secretary", "pope", "king", "queen",
           "prince", "princess", "mayor", "chancellor", "minister", "sir", "dame"}
_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?](?=[^\s.!?]))+[.!?]*\s*")


def rewrite(text: str, topic: str | None = None, content_type: str | None = None) -> str:
    text = split_hook(text)
    news = (content_type or "").strip().lower() == "news"
    text = add_hashtags(text, topic, news=news)  # from the post's own words, before the ask
    text = add_ask(text, news=news)
    return trim(text)


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


def add_ask(text: str, news: bool = False) -> str:
    """A question or call to action that suits the post (a news post: only the asks for an
    opinion; "Will we see you there?" suits an event, not a report of one)."""
    prose = _without_links(text)
    if "?" in prose or _CTA.search(prose):
        return text
    for pattern, asks in ASKS[-1:] if news else ASKS:
        if re.search(pattern, text, re.IGNORECASE):
            ask = asks[zlib.crc32(text.encode("utf-8")) % len(asks)]
            break
    body, tags = _split_trailing_tags(text)
    last = body.split()[-1] if body.split() else ""
    ends_plain = body[-1:].isalnum() and not re.match(r"(https?://|www\.|[#@])", last)
    sep = "." if ends_plain else ""
    return f"{body}{sep} {ask}{tags}".strip()


def add_hashtags(text: str, topic: str | None = None, most: int = 2, news: bool = False) -> str:
    if any(kind == "hashtag" for _, _, kind in protected_spans(text)):
        return text
    words = _topic_words(topic)[:most] if topic else []
    # Without a topic, one tag from the post's own words: the most specific word of its first
    # sentence (the topic is most often there), else of the whole post; in news, a name first.
    first = _first_sentence(text)
    words = words or ((_names(first) if news else []) + _specific_words(first)
                      or _specific_words(text))[:1]
    tags = ["#" + "".join(w[:1].upper() + w[1:] for w in word.split() if w.isalpha())
            for word in words]
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


def _first_sentence_end(text: str, line: bool = True) -> int | None:
    """Where the first sentence ends (of the first line, with `line`): after . ! or ? and a
    space, not after an abbreviation or an initial ("Donald J. Trump Jr. told"); None when
    there is no such end."""
    line_end = text.find("\n") if line else -1
    for match in re.finditer(r"[.!?](?=\s)", text):
        if 0 <= line_end < match.start():
            return None
        if match.group(0) != "." or not abbreviation(text[:match.start()]):
            return match.end()
    return None


def _first_sentence(text: str) -> str:
    text = text.strip()
    return text[:_first_sentence_end(text, line=False) or len(text)]


def _specific_words(text: str) -> list[str]:
    """Content words of the post, rarest (most specific) first, typos and names left out."""
    from fbopt.enhance.lexicon import lexicon

    lex = lexicon()
    seen: dict[str, int] = {}
    for span in _prose(text):
        for match in re.finditer(r"[^\W\d_]{4,}", span):
            low = match.group(0).lower()
            count = lex.count(low)
            if low not in _STOP and count >= 100_000 and not _VERBISH.search(low):
                seen.setdefault(low, count)
    return sorted(seen, key=lambda w: seen[w])


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
