"""Spelling by word-list lookup for scoring: unknown words found, names, acronyms, links and
quotes left alone; syllables counted as textstat counts them; the `fast` Harper rules use it."""

from __future__ import annotations

from fbopt.quality.grammar import HarperBackend
from fbopt.quality.readability import _syllables, flesch, offline_textstat
from fbopt.quality.spelling import is_known, unknown_words


def _flagged(text: str) -> list[str]:
    return [text[i.offset:i.offset + i.length] for i in unknown_words(text)]


def test_unknown_words_are_found_and_known_words_are_not() -> None:
    text = "We stay open untill 8pm becuase the coffee is grate. Don't miss the city's best."
    assert _flagged(text) == ["untill", "becuase"]
    assert is_known("Don’t") and is_known("city's") and not is_known("becuase")


def test_names_acronyms_links_and_quotes_are_not_misspellings() -> None:
    text = ("Thanks to Bluestein, NASA and iPhone fans at abcn.ws/2fdvT and @jonh_doe for #teh "
            'tips: https://exampel.com/a "qwzx" too.')
    assert _flagged(text) == []
    # At a sentence start a capital is no sign of a name.
    assert _flagged("Qwzxy is here. Blorft too.") == ["Qwzxy", "Blorft"]


def test_syllables_follow_the_cmu_dictionary_with_a_fallback() -> None:
    assert _syllables("banana") == 3 and _syllables("the") == 1
    assert _syllables("blorfting") >= 2


def test_flesch_matches_textstat() -> None:
    ts = offline_textstat()
    prose = ("The committee postponed the extraordinarily complicated decision. "
             "We will meet again on Friday to vote, and everyone is welcome to attend.")
    ease, grade = flesch(prose)
    assert abs(ease - ts.flesch_reading_ease(prose)) < 1e-9
    assert abs(grade - ts.flesch_kincaid_grade(prose)) < 1e-9


def test_fast_rules_report_unknown_words_without_harper_spelling() -> None:
    fast = HarperBackend("fast")
    text = "Their is nothing better then a warm cup of cocoa, we stay open untill 8pm."
    found = {(text[i.offset:i.offset + i.length], i.kind, i.suggestion) for i in fast.check(text)}
    assert ("untill", "Spelling", None) in found
    assert {"Their", "then"} <= {word for word, _, _ in found}  # Harper's own rules still run
    assert fast.check("Thanks to Bluestein for the tips.") == []


def test_misspellings_the_cmu_dictionary_lists_are_still_unknown() -> None:
    assert _flagged("I like thier dog and wich cat.") == ["thier", "wich"]


def test_words_in_use_are_not_unknown_but_their_misspellings_are() -> None:
    # Not in the CMU dictionary or the 82K list, but people write them (wordfreq).
    text = "Retweeted: cybersecurity experts love gelato, tweeting and millennials."
    assert _flagged(text) == []
    # A misspelling written often is still one: its fix is far more common.
    text = "We were open untill now becuase alot of teh regulars came."
    assert _flagged(text) == ["untill", "becuase", "alot", "teh"]


def test_recieved_and_contractions_without_apostrophe_are_misspellings() -> None:
    # wordfreq counts them as in use; they are still no words an editor would keep.
    assert _flagged("We recieved it, but I couldnt tell and they dont know.") == \
        ["recieved", "couldnt", "dont"]
    assert _flagged("The cant of thieves: it wont last.") == []  # words of their own


def test_plurals_of_listed_words_are_known() -> None:
    assert is_known("alliums") and is_known("hostas") and is_known("dahlias")
    assert not is_known("freinds")  # the CMU list has 'freind', the frequency list does not
    assert _flagged("Tulips, daffodils and alliums from $4.99 a bag.") == []


def test_wrong_plurals_learners_write_are_still_unknown() -> None:
    for word in ("familys", "problemes", "livestocks", "olders", "carbones"):
        assert not is_known(word), word
