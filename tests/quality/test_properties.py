"""Property: any Unicode text scores without raising, and every score stays within [0, 1]."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fbopt.quality.score import QualitySettings, Scorer
from fbopt.quality.signals import signals

_SCORER: list[Scorer] = []


def scorer() -> Scorer:
    if not _SCORER:
        _SCORER.append(Scorer(QualitySettings(workers=1)))
    return _SCORER[0]


post_like = st.lists(st.sampled_from(["Hello", "world", "#tag", "@you", "$4.50", "🎉", "!!!",
                                      "?", "\n", "https://x.io/a?b=1", '"quote"', "ÄÖÜ", "alot"]),
                     max_size=30).map(" ".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.text(max_size=300), post_like), min_size=1, max_size=4))
def test_any_text_scores_within_unit_interval(texts: list[str]) -> None:
    for result in scorer().score(texts):
        for name, value in result.scores().items():
            assert 0.0 <= value <= 1.0, (name, value)
        for issue in result.grammar_issues:
            assert issue.offset >= 0 and issue.length >= 0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=200), max_size=5))
def test_signals_never_raise_and_stay_aligned(texts: list[str]) -> None:
    values = signals(texts)
    assert all(len(v) == len(texts) for v in values.values())
    assert all((v >= 0).all() for v in values.values())


def test_lone_surrogates_and_control_characters_are_scored() -> None:
    result = scorer().score(["bad \ud800 text\x00 with \x1b controls"])[0]
    assert 0.0 < result.overall_quality <= 1.0
