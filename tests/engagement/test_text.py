"""Hashed n-grams and engagement signals."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from fbopt.engagement import text


def _bags(posts: list[str | None], bits: int = 16) -> list[text.Bag]:
    tokens = text.tokenize(text.normalise(pa.array(posts, pa.string()), 500))
    return text.word_bags(tokens, bits) + [text.char_bag(tokens, bits, (3, 5))]


def _ids(bag: text.Bag, post: int) -> list[int]:
    ends = np.append(bag.offsets[1:], len(bag.ids))
    return bag.ids[bag.offsets[post]: ends[post]].tolist()


def test_bucket_ids_are_fixed_across_processes_and_versions():
    # These ids are part of every saved model: if this fails, bump text.HASH_VERSION so old
    # models are refused instead of silently reading different buckets.
    words = _bags(["Hello world"])[0]
    assert _ids(words, 0) == [57550, 48113]


def test_same_words_same_ids_and_no_word_spans_two_posts():
    unigrams, bigrams, chars = _bags(["ab", "cd", "abcd", "AB cd!", None, ""])
    assert _ids(unigrams, 3) == _ids(unigrams, 0) + _ids(unigrams, 1)
    assert _ids(unigrams, 2) not in (_ids(unigrams, 0), _ids(unigrams, 1))
    assert _ids(bigrams, 0) == [] and len(_ids(bigrams, 3)) == 1
    assert _ids(unigrams, 4) == [] and _ids(unigrams, 5) == []
    assert len(_ids(chars, 2)) == 2  # 'abcd' is longer than 3 only: its 3-byte edges
    weights = unigrams.weights[unigrams.offsets[3]: unigrams.offsets[3] + 2]
    assert np.allclose(weights, 1 / np.sqrt(2))


def test_signals_count_what_readers_see():
    posts = ["Would you try this? 😀 #diy #garden @sam, comment below! https://x.co/a?b=1",
             "BREAKING NEWS: HUGE STORM!!! 3 dead", None]
    raw = pa.array(posts, pa.string())
    normal = text.normalise(raw, 500)
    found = text.signals(raw, normal, text.tokenize(normal))
    assert found["question_count"].tolist() == [1, 0, 0]  # the '?' in the link is not asked
    assert found["hashtag_count"].tolist() == [2, 0, 0]
    assert found["mention_count"].tolist() == [1, 0, 0]
    assert found["link_count"].tolist() == [1, 0, 0]
    assert found["emoji_count"].tolist() == [1, 0, 0]
    assert found["cta_count"][0] >= 1
    assert found["exclamation_count"].tolist() == [1, 3, 0]
    assert found["caps_word_count"][1] >= 3
    assert found["number_count"].tolist() == [0, 1, 0]
    assert found["has_text"].tolist() == [1, 1, 0]
