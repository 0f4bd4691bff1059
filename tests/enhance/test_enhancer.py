"""The enhancer on the sample posts: quality rises on average, never falls for a row, and every
protected span (URL, mention, hashtag, number, price, quoted text) is byte-identical."""

from __future__ import annotations

import csv
import re

import pytest

from fbopt.enhance.enhancer import Enhancer, EnhanceSettings, parse_strategies
from fbopt.enhance.intent import intent_of
from fbopt.errors import ConfigError
from fbopt.quality.score import QualitySettings, Scorer
from fbopt.quality.signals import CTA
from fbopt.quality.spans import protected_spans, spans_preserved
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def sample_results() -> tuple[list[str], list]:
    with open(SAMPLE / "posts.csv", encoding="utf-8") as fh:
        texts = [row["text"] for row in csv.DictReader(fh)]
    with Scorer(QualitySettings(workers=1)) as scorer:
        return texts, Enhancer(scorer).enhance(texts)


def test_mean_quality_rises_and_no_weighed_score_falls(sample_results: tuple) -> None:
    texts, results = sample_results
    before = sum(r.before.overall_quality for r in results) / len(results)
    after = sum(r.after.overall_quality for r in results) / len(results)
    assert after > before + 0.005
    for r in results:
        assert r.after.overall_quality >= r.before.overall_quality
        assert r.after.grammar_score >= r.before.grammar_score  # no change adds an error
    assert all((r.text != t) == bool(r.enhancements) for r, t in zip(results, texts, strict=True))
    changed = sum(r.text != t for r, t in zip(results, texts, strict=True))
    assert 0 < changed < len(texts) / 2  # an enhancer that fits the post leaves most alone


def test_intent_rules_hold_on_the_sample(sample_results: tuple) -> None:
    texts, results = sample_results
    asks = re.compile(CTA.replace("(?i)", ""), re.IGNORECASE)
    checked = 0
    for text, result in zip(texts, results, strict=True):
        intent = intent_of(text)
        if intent in {"apology", "thank_you", "quote", "safety"}:
            out = result.text
            assert out.count("?") <= text.count("?"), text
            assert len(asks.findall(out)) <= len(asks.findall(text)), text
            assert set(re.findall(r"#\w+", out)) <= set(re.findall(r"#\w+", text)), text
            checked += 1
        if intent == "quote":
            assert result.text == text
    assert checked >= 20


def test_protected_spans_are_byte_identical(sample_results: tuple) -> None:
    texts, results = sample_results
    checked = 0
    for text, result in zip(texts, results, strict=True):
        for start, end, _ in protected_spans(text):
            assert text[start:end] in result.text
            checked += 1
        assert spans_preserved(text, result.text)
    assert checked > 200  # the sample has links, mentions, hashtags, prices and quotes


def test_grammar_fixes_real_mistakes(sample_results: tuple) -> None:
    texts, results = sample_results
    fixed = {t: r.text for t, r in zip(texts, results, strict=True)}
    post = next(t for t in texts if t.startswith("Their is nothing better"))
    assert fixed[post].startswith("There is nothing better than a warm cup")


def test_a_change_that_touches_a_protected_span_is_refused() -> None:
    text = 'Book at https://exampel.com/teh-page or call @jonh. "Their is" $4.50 #teh'
    with Scorer(QualitySettings(workers=1)) as scorer:
        enhancer = Enhancer(scorer, EnhanceSettings(strategies=("grammar",)))
        enhancer._rewriters["grammar"] = lambda t, s, c: t.replace("exampel", "example")
        result = enhancer.enhance([text])[0]
    assert result.text == text and result.enhancements == []


def test_strategy_names_are_checked_and_ordered() -> None:
    assert parse_strategies("engagement, grammar") == ("grammar", "engagement")
    assert parse_strategies(["all"]) == ("grammar", "readability", "sentiment", "engagement")
    with pytest.raises(ConfigError, match="unknown enhance strategy: spelling"):
        parse_strategies("spelling")
