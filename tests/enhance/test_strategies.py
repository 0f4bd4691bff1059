"""Readability, engagement and sentiment strategies on hand-checked posts."""

from __future__ import annotations

import zlib

import pytest

from fbopt.enhance import engagement, readability, sentiment
from fbopt.enhance.intent import intent_of
from fbopt.quality.signals import text_signals

LONG = ("alot of people think you need to train every day to see results but actually rest days "
        "is when your muscles grow and if you dont give your body time to recover you will just "
        "end up tired and probably quit after a few weeks.")


def test_long_sentences_are_split_at_clause_joints() -> None:
    out = readability.split_long_sentences(LONG)
    assert "see results. But actually rest days" in out
    assert max(len(s.split()) for s in out.split(". ")) < len(LONG.split())
    short = "We open at 9 and close at 5."
    assert readability.split_long_sentences(short) == short


def test_wordy_words_become_plain_ones_keeping_case() -> None:
    out = readability.rewrite("Utilize the form in order to purchase tickets prior to Friday.")
    assert out == "Use the form to purchase tickets before Friday."  # purchase: noun or verb


def test_engagement_adds_an_ask_and_hashtags_and_splits_a_long_hook() -> None:
    out = engagement.rewrite("Our car park is being resurfaced this week.")
    sig = text_signals(out)
    assert sig["has_question"] and sig["hashtag_count"] >= 1 and out.endswith("#CarPark")
    assert out.startswith("Our car park is being resurfaced this week.")
    hook = ("Our summer reading challenge starts on Monday for every child in the county aged six "
            "to twelve. Pick up a card at the desk!")
    assert engagement.split_hook(hook).split("\n")[0].endswith("aged six to twelve.")


def test_engagement_uses_the_topic_for_hashtags_and_keeps_existing_ones() -> None:
    out = engagement.add_hashtags("Market opens Saturday.", topic="Weekend farmers market")
    assert out.endswith("#WeekendFarmersMarket")
    tagged = "Big news! #Coffee"
    assert engagement.add_hashtags(tagged) == tagged


def test_sentiment_unshouts_but_swaps_no_words_and_leaves_news_alone() -> None:
    assert sentiment.rewrite("ALL CLASSES ARE FREE THIS SATURDAY!!! TRY HIIT!!!") == \
        "All classes are free this Saturday! Try HIIT!"
    assert sentiment.rewrite("This weather is terrible!!!") == "This weather is terrible!"
    news = "POLICE SAID TWO PEOPLE DIED IN A CRASH!!! https://example.com/n"
    assert sentiment.rewrite(news) == news
    assert sentiment.rewrite("WE ARE OPEN TODAY!!!", content_type="news") == \
        "WE ARE OPEN TODAY!!!"


def test_news_posts_get_an_opinion_ask_and_a_name_for_their_tag() -> None:
    text = "Marijuana retailers recorded 40,000 sales in the first weekend of legal pot"
    news = engagement.rewrite(text, content_type="news")
    assert "Will we see you there?" not in news
    assert "What do you think?" in news or "What's your take?" in news
    # a name inside the first sentence, whole and without its title or initial
    text = "Today President Donald J. Trump met the press. It went badly."
    assert engagement.add_hashtags(text, news=True).endswith(" #DonaldTrump")
    assert engagement.add_hashtags("Crowds gathered in New York on Sunday.", news=True).endswith(
        " #NewYork")
    assert engagement.add_hashtags("We are being left behind.") == "We are being left behind."


def test_a_hook_is_not_split_at_an_abbreviation() -> None:
    text = ("Donald Trump Jr. told Fox News host Sean Hannity that he would have done things a "
            "little differently. https://usat.ly/2tdFtKX")
    assert "Jr.\n" not in engagement.split_hook(text)


def test_a_split_at_a_dash_or_after_a_quote_reads_well() -> None:
    text = ("Someone registered a campaign to draft Dwayne Johnson to run for president against "
            "Donald Trump — but the White House isn't exactly worried about the Moana star.")
    split = readability.split_long_sentences(text)
    assert "—." not in split and "Donald Trump. But the White House" in split
    text = ('Stephen Colbert on Thursday recreated the famous "fun with words," but his summary '
            "of the meeting with a Russian lawyer said much more than that.")
    assert ',".' not in readability.split_long_sentences(text)


@pytest.mark.parametrize("text", [
    "Slugs eating your hostas? Try copper tape or a beer trap before reaching for pellets.",
    "Water your garden in the morning not the evening, this helps prevent fungal diseases and "
    "slug damage.",
    "How we cut our AWS bill by 43% without changing a single line of application code: "
    "https://bytesized.dev/aws-costs",
    # a set phrase further on is a detail of the post, not its topic
    "We are having a huge sale this weekend. There are rare first editions and travel guides.",
])
def test_no_tag_from_words_that_are_only_side_by_side(text: str) -> None:
    assert "#" not in engagement.add_hashtags(text)  # no #BeerTrap, #SlugDamage, #ApplicationCode


def test_tags_come_from_set_phrases_people_write() -> None:
    assert engagement.set_phrase("keyboard", "shortcut") and engagement.set_phrase("gift", "cards")
    assert not engagement.set_phrase("beer", "trap")
    assert not engagement.set_phrase("application", "code")


def test_a_tip_gets_a_tip_ask_even_with_a_price_in_it() -> None:
    text = ("Grow your own herbs on a windowsill: basil, mint, chives and parsley all cost less "
            "than $3 a pot.")
    out = engagement.add_ask(text, intent_of(text))
    assert "Tag them" not in out and out.startswith(text)
    assert out.endswith(engagement.ASKS["tip"][zlib.crc32(text.encode()) % 2])
    water = "Water your garden in the morning, this helps prevent slug damage."
    assert "What do you think" not in engagement.rewrite(water)


def test_no_offer_ask_asks_to_tag_someone() -> None:
    assert not any("Tag them" in ask for ask in engagement.ASKS["offer"])


def test_new_opening_hours_are_a_notice_not_a_talking_point() -> None:
    text = "Nothing beats cocoa on a cold evening, we now stay open until 8pm on Thursdays."
    assert "What do you think" not in engagement.rewrite(text)


@pytest.mark.parametrize("text", [
    "The CBO projects for the first time ever annual federal government spending will exceed "
    "$4 Trillion in FY 2017.",
    "Yahya Farooq Mohammad, 39, admitted to offering $15,000 to an undercover FBI agent to kidnap "
    "and kill a federal judge.",
])
def test_a_price_in_a_news_story_is_no_offer(text: str) -> None:
    assert intent_of(text) != "offer"
    assert "love this" not in engagement.rewrite(text)


def test_news_tags_are_names_not_adjectives_titles_or_company_suffixes() -> None:
    text = "The U.K. defense secretary talks Russian election meddling and North Korea."
    assert engagement.add_hashtags(text, news=True).endswith(" #NorthKorea")
    text = "If President Trump's nominee is confirmed by the Senate, the party could face it."
    assert engagement.add_hashtags(text, news=True).endswith(" #Trump")
    text = "The union is calling on McKesson Corp. shareholders to vote down a bonus."
    assert "#Corp" not in engagement.add_hashtags(text, news=True)


def test_so_as_a_degree_word_is_no_joint() -> None:
    text = ("Donald Trump is taking on the American media as so many millions of Americans have "
            "longed for, have hoped for, and have wished for -- and to some, it feels "
            "uncomfortable.")  # was split as "... media as. So many millions ..."
    assert readability.split_long_sentences(text) == text
