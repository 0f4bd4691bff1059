"""The fluency check: the confusions Harper misses are flagged with their fix, through the real
scoring path (Harper, the house rules and the fluency check); clean sentences stay unflagged."""

from __future__ import annotations

import pytest

from fbopt.quality.fluency import fluency_issues, pair_model
from fbopt.quality.grammar import HarperBackend, grammar_score
from fbopt.quality.house_rules import check_text


@pytest.fixture(scope="module")
def harper() -> HarperBackend:
    return HarperBackend()  # the `fast` rules scoring uses by default


@pytest.mark.parametrize(("text", "flagged", "fix"), [
    ("Their going to love it.", "Their", "They're"),
    ("We think its already December.", "its", "it's"),
    ("I couldnt of done it without you.", "of", "have"),
    ("Your welcome to join us.", "Your", "You're"),
    ("There are several reason to come.", "reason", "reasons"),
    ("The companies want to show there product.", "there", "their"),
    ("I am agree with you.", "am ", ""),
    ("They are not agree with me.", "are", "do"),
    ("People has many cars.", "has", "have"),
    ("They could even began to think.", "began", "begin"),
    ("It is one of the best thing I did.", "thing", "things"),
])
def test_confusions_harper_misses_are_flagged_with_their_fix(
        harper: HarperBackend, text: str, flagged: str, fix: str) -> None:
    found = {(text[i.offset:i.offset + i.length], i.suggestion) for i in check_text(harper, text)}
    assert (flagged, fix) in found
    assert grammar_score(len(check_text(harper, text)), len(text.split())) < 1.0


@pytest.mark.parametrize("text", [
    "Let's talk about we launched a new app.",          # a clause where a noun phrase belongs
    "A practical look at how do I fix my bike.",        # a question in question order
])
def test_a_clause_in_a_noun_phrase_slot_is_flagged(text: str) -> None:
    assert [i.rule for i in fluency_issues(text)] == ["ClauseInSlot"]


CLEAN = [
    "They're going to love it, and their friends will too.",
    "It's already December and the city has put up its lights.",
    "You're welcome to bring your own chair.",
    "There is a reason they left their car there.",
    "We could have done it without you, but it would have been less fun.",
    "Several new reasons to visit: many companies opened shops this year.",
    "Each of the winners gets a prize; every entry counts.",
    "It was their only chance, and they took it with their very best team.",
    "The party lost its very own seat, and its ridiculous budget did not help.",
    "Because of this, they often face problems with the law.",
    "Thanks for your elected officials' letters; whose idea was it?",
    "It is like a dream, and people like it.",
    "A decades-old legacy of music, and a news organization that reports it.",
    "This casts doubt on the claim. One says yes, the other no.",
    "Tell us about yourself and what you think of them.",
    "One of the people who came is one of the new stores' owners; a lot of money is spent.",
    "You will need it, and it can proceed; I should have used it.",
]


@pytest.mark.parametrize("text", CLEAN)
def test_clean_sentences_are_not_flagged(harper: HarperBackend, text: str) -> None:
    assert fluency_issues(text) == []
    assert check_text(harper, text) == []


def test_protected_spans_are_never_flagged(harper: HarperBackend) -> None:
    text = 'She wrote "their going home" on #its https://their.com/its-already'
    assert check_text(harper, text) == []


def test_the_pair_model_prefers_what_people_write() -> None:
    model = pair_model()
    assert model.chain(("reasons",), "several", "to") > model.chain(("reason",), "several", "to")
    assert model.logprob("have", "could") > model.logprob("of", "could")
