"""Properties of the enhancer for any text: it never raises, never lowers overall_quality, never
touches a protected span (URL, mention, hashtag, number, price, quote), says which strategies
changed a post exactly when the post changed, and keeps every score in [0, 1]."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fbopt.enhance import engagement, readability, sentiment
from fbopt.enhance.enhancer import STRATEGIES, Enhancer, EnhanceSettings, PostContext
from fbopt.quality.score import QualitySettings, Scorer, clean_text
from fbopt.quality.spans import spans_preserved

words = st.sampled_from([
    "Their", "is", "nothing", "better", "then", "a", "warm", "cup", "of", "coffee", "alot",
    "utilize", "approximately", "terrible", "awful", "sale", "#coffee", "@barista", "$4.50",
    "30%", "https://x.io/a?b=1", '"quoted words"', "🎉", "!!!", "?", "\n", "I", "we", "you",
    "dont", "its", "it's", "definately", "really", "very", "CAPS", "ÄÖÜ", "naïve", "..."])
post_like = st.lists(words, max_size=40).map(" ".join)
any_text = st.one_of(post_like, st.text(max_size=200),
                     st.text(st.characters(codec="utf-8"), max_size=80))


@pytest.fixture(scope="module")
def enhancer():
    scorer = Scorer(QualitySettings(workers=1))
    yield Enhancer(scorer, EnhanceSettings(strategies=STRATEGIES))
    scorer.close()


# Few examples: each scores its candidates with the full quality engine (about a second).
@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(texts=st.lists(any_text, min_size=1, max_size=2),
       topic=st.one_of(st.none(), st.text(max_size=30)),
       kind=st.sampled_from([None, "news", "promotional", "personal", "", "weird kind"]))
def test_enhancing_any_text_keeps_its_promises(enhancer: Enhancer, texts: list[str],
                                               topic: str | None, kind: str | None) -> None:
    results = enhancer.enhance(texts, [PostContext(topic, kind)] * len(texts))
    assert len(results) == len(texts)
    for text, result in zip(texts, results, strict=True):
        original = clean_text(text)
        assert isinstance(result.text, str)
        assert result.after.overall_quality >= result.before.overall_quality
        assert (result.text != original) == bool(result.enhancements)
        assert set(result.enhancements) <= set(STRATEGIES)
        assert spans_preserved(original, result.text)
        for scores in (result.before, result.after):
            assert all(0.0 <= v <= 1.0 for v in scores.scores().values())


@settings(max_examples=60, deadline=None)
@given(text=any_text, topic=st.one_of(st.none(), st.text(max_size=30)),
       kind=st.sampled_from([None, "news", "promotional", "", "weird kind"]))
def test_each_rewriter_takes_any_text(text: str, topic: str | None, kind: str | None) -> None:
    original = clean_text(text)
    for rewritten in (readability.rewrite(original), sentiment.rewrite(original, kind),
                      engagement.rewrite(original, topic)):
        assert isinstance(rewritten, str)
