"""Engagement signals: counts on hand-checked posts, alignment and empty input."""

from __future__ import annotations

import numpy as np

from fbopt.quality.signals import SIGNAL_NAMES, signals, text_signals

POST = ("Meet Luna! 🐾\nShe's 2 years old and costs $45 to adopt. Could it be yours? "
        "Tag a friend 👇 @SecondChance #AdoptDontShop https://example.org/luna?id=7 "
        "Email adopt@example.org. ALL WELCOME!!")


def test_counts_on_a_hand_checked_post() -> None:
    s = text_signals(POST)
    assert s["hook"] == "Meet Luna! 🐾"
    assert s["hook_words"] == 3 and s["hook_is_question"] == 0
    assert s["has_question"] == 1 and s["question_count"] == 1  # the '?' in the URL is ignored
    assert s["emoji_count"] == 2
    assert s["mention_count"] == 1  # the e-mail address is not a mention
    assert s["hashtag_count"] == 1
    assert s["link_count"] == 1
    assert s["cta_count"] == 1  # "Tag a friend"
    assert s["caps_word_count"] == 2  # ALL, WELCOME
    assert s["exclamation_count"] == 3
    assert s["line_count"] == 2
    assert s["number_count"] == 2  # 2 and $45
    assert s["exclamation_density"] == 3 / s["word_count"]


def test_arrays_align_with_texts_and_none_is_empty() -> None:
    texts = ["Comment below! What do you think?", None, "", "plain words here"]
    s = signals(texts)
    assert set(s) == set(SIGNAL_NAMES)
    for name, values in s.items():
        assert isinstance(values, np.ndarray) and values.shape == (4,), name
    assert s["word_count"].tolist() == [6, 0, 0, 3]
    assert s["has_question"].tolist() == [1, 0, 0, 0]
    assert s["cta_count"].tolist() == [1, 0, 0, 0]
    assert s["sentence_count"].tolist() == [2, 0, 0, 1]
    assert s["char_count"][1] == 0 and s["exclamation_density"][1] == 0.0


def test_question_in_hook_and_prices_are_numbers() -> None:
    s = text_signals("Which houseplant is impossible to kill? 🪴\n"
                     "3 for $20, or £7.50 each (10% off)")
    assert s["hook_is_question"] == 1
    assert s["number_count"] == 4
