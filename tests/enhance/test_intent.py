"""The post's intent and the rules each strategy follows from it: no call to action on apologies,
thank-yous, quotes or safety notices; a call to action that matches the intent elsewhere;
hashtags only from noun phrases; quoted text byte-identical; swaps only where the meaning
stays; no split inside "passwords like Summer2024!"."""

from __future__ import annotations

import re

import pytest

from fbopt.enhance import engagement, readability, sentiment
from fbopt.enhance.intent import INTENTS, intent_of, takes_call_to_action
from fbopt.quality.signals import CTA

APOLOGY = ("The recycling centre on Quarry Lane is closed today due to a power failure. "
           "We apologise for the inconvenience.")
OUTAGE = ("the new update broke everything for a lot of users, we are looking into it and will "
          "post a fix as soon as we can")
THANKS = ('To the person who left a $50 tip in the jar with a note saying "for the morning crew": '
          "thank you, you made our week.")
QUOTE = '"Saving one animal won\'t change the world, but it will change the world for that one."'
SAFETY = ("Severe weather warning for tonight. Please secure garden furniture and avoid travel "
          "if possible.")
EVENT = "Poetry night next Friday at 7pm! Bring your own poem or just come to listen."
OFFER = "Houseplant sale: 3 for $20 this weekend only"
NOTICE = "Reminder: the pool will be closed for maintenance from 12 to 14 March."
QUESTION = "Which houseplant is impossible to kill? Asking for a friend."
NEWS = "Officials said the bridge will be rebuilt by 2026."
_ASK = re.compile(CTA.replace("(?i)", ""), re.IGNORECASE)


@pytest.mark.parametrize(("text", "intent"), [
    (APOLOGY, "apology"), (OUTAGE, "apology"), (THANKS, "thank_you"), (QUOTE, "quote"),
    (SAFETY, "safety"), (EVENT, "event"), (OFFER, "offer"), (NOTICE, "announcement"),
    (QUESTION, "question"), (NEWS, "news"),
    ("Volunteers spent Saturday cleaning up the riverbank. Thank you!", "thank_you"),
    ("DON'T LEAVE DOGS IN HOT CARS. It takes only 10 minutes.", "safety"),
])
def test_each_post_gets_its_intent(text: str, intent: str) -> None:
    assert intent_of(text) == intent
    assert intent in INTENTS


def test_news_rows_are_news() -> None:
    assert intent_of("The bridge reopens on Monday.", content_type="news") == "news"


@pytest.mark.parametrize("text", [APOLOGY, OUTAGE, THANKS, QUOTE, SAFETY])
def test_no_call_to_action_or_hashtag_where_it_does_not_fit(text: str) -> None:
    assert not takes_call_to_action(intent_of(text))
    out = engagement.rewrite(text, topic="Community news")
    added = out.replace("\n", " ").replace(" ", "")[len(text.replace(" ", "")):]
    assert "?" not in out.replace(text, "") and not _ASK.search(out.replace(text, ""))
    assert "#" not in added and "#" not in out


def test_quotes_are_byte_identical_under_every_strategy() -> None:
    assert engagement.rewrite(QUOTE) == QUOTE
    assert readability.rewrite(QUOTE) == QUOTE
    assert sentiment.rewrite(QUOTE) == QUOTE
    text = ('"Premature optimization is the root of all evil." Donald Knuth wrote it in 1974. '
            "What's the worst premature optimisation you've seen?")
    assert sentiment.rewrite(text) == text  # "worst" is no harsh word to soften
    quoted = '"We utilize numerous tools," she said, and we utilize them too.'
    out = readability.rewrite(quoted)
    assert out.startswith('"We utilize numerous tools,"') and out.endswith("we use them too.")


@pytest.mark.parametrize(("text", "ask"), [
    (EVENT, ("Will we see you there?", "Who's coming?")),
    (OFFER, ("Know someone who'd love this?",)),
    (NOTICE, ("Know someone this affects?", "Please pass this on")),
    ("Our barista's guide to brewing pour-over at home.", ("Found this useful?", "Save this")),
    (NEWS, ("What do you think?", "What's your take?")),
])
def test_the_call_to_action_matches_the_intent(text: str, ask: tuple[str, ...]) -> None:
    out = engagement.add_ask(text, intent_of(text))
    assert out.startswith(text.rstrip(".")) and any(a in out for a in ask)


def test_a_question_gets_no_extra_ask() -> None:
    assert engagement.add_ask(QUESTION, intent_of(QUESTION)) == QUESTION


def test_hashtags_come_only_from_noun_phrases() -> None:
    junk = {"#Whats", "#Severe", "#Grew", "#Name", "#Charges", "#Disappointment", "#Excuse",
            "#Person", "#Each", "#Ours"}
    posts = [
        "Whats your go-to order on a Monday morning? Ours is a double flat white.",
        "We've received a lot of questions about the new parking charges. Here's a short FAQ.",
        "Our sunflowers grew taller than the fence this year. Name them in the comments!",
        "What's your biggest excuse for skipping the gym? Be honest",
        "Our \"ugly plants\" bin: slightly sad plants for $1 each.",
    ]
    for text in posts:
        tags = set(re.findall(r"#\w+", engagement.add_hashtags(text)))
        assert not tags & junk, (text, tags)
    out = engagement.add_hashtags("What's the one keyboard shortcut you can't live without?")
    assert out.endswith(" #KeyboardShortcut")


def test_swaps_keep_the_meaning() -> None:
    text = "Join our club and get 10% off every purchase. Tulips, daffodils and alliums."
    assert readability.rewrite(text) == text  # "purchase" is a noun here; "alliums" is a word
    assert readability.rewrite("Utilize the form in order to book prior to Friday.") == \
        "Use the form to book before Friday."


def test_no_split_inside_a_password() -> None:
    text = ("if you are still using passwords like Summer2024! in your company then you really "
            "need to read our post about password managers.")
    assert "Summer2024!\n" not in engagement.split_hook(text)
    assert "Summer2024! in your company" in engagement.rewrite(text)
