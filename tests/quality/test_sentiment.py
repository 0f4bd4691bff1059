"""Sentiment: VADER as it reads a post, and long texts read in pieces (VADER's time grows with
the square of a text's words)."""

from __future__ import annotations

import pytest

from fbopt.quality.sentiment import CHUNK, LONG_TEXT, _pieces, analyser, sentiment


def test_a_post_is_read_whole_exactly_as_vader_reads_it() -> None:
    text = "Loved the new menu!! The soup was a bit cold though. 😍"
    vader = analyser().polarity_scores(text)
    assert sentiment(text) == {"compound": vader["compound"], "positive": vader["pos"],
                               "neutral": vader["neu"], "negative": vader["neg"]}


def test_a_long_text_is_cut_at_spaces_and_averaged_by_length() -> None:
    text = "I love this place. " * 40 + "This is terrible and awful. " * 40
    assert len(text) > LONG_TEXT
    pieces = _pieces(text)
    assert "".join(pieces) == text and all(len(p) <= CHUNK for p in pieces)
    assert all(p.startswith(" ") for p in pieces[1:])  # never a word cut in two
    result = sentiment(text)
    expected = sum(analyser().polarity_scores(p)["compound"] * len(p) for p in pieces) / len(text)
    assert result["compound"] == pytest.approx(expected)
    assert -0.5 < result["compound"] < 0.5  # half glowing, half harsh
    assert result["positive"] + result["neutral"] + result["negative"] == pytest.approx(1, abs=0.01)


def test_a_run_without_spaces_is_still_cut() -> None:
    text = "🎉" * (3 * CHUNK)
    assert [len(p) for p in _pieces(text)] == [CHUNK] * 3
    assert sentiment(text)["compound"] > 0.9
