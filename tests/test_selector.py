"""The selector: content types, credentials and budget filters, forcing, and learned history."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from fbopt.config import load_config
from fbopt.drafts.catalog import load_catalog
from fbopt.drafts.selector import Selector, classify
from fbopt.feedback import record_outcomes

ALL = {"openai", "anthropic", "cohere", "gemini"}


@pytest.mark.parametrize("topic, audience, expected", [
    ("Kubernetes autoscaling for small engineering teams", "developers", "technical"),
    ("How to brew better coffee at home: a beginner's guide", "coffee lovers", "educational"),
    ("Friday movie night trivia quiz", "fans", "entertainment"),
    ("Grateful for ten years of our family bakery", "neighbours", "personal"),
    ("Black Friday sale: 30% off all running shoes", "shoppers", "promotional"),
    ("Our thoughts on the weather", "everyone", "general"),
])
def test_classify(topic, audience, expected):
    assert classify(topic, audience) == expected


def choices(selector: Selector, content_type: str, n: int = 60, **row) -> Counter:
    args = {"quality_requirement": 0.5, "urgency": 0.5, "budget": None} | row
    return Counter(selector.choose(content_type, args["quality_requirement"], args["urgency"],
                                   args["budget"], 300, 250, random.Random(i)).model
                   for i in range(n))


def test_specialists_win_their_content_types():
    catalog = load_catalog(load_config())
    selector = Selector(catalog, ALL)
    picks = {ct: choices(selector, ct, quality_requirement=0.8).most_common(1)[0][0]
             for ct in ("technical", "entertainment", "promotional")}
    assert "technical" in catalog.models[picks["technical"]].role
    assert "entertaining" in catalog.models[picks["entertainment"]].role
    assert "promotional" in catalog.models[picks["promotional"]].role


def test_quality_requirement_and_urgency_move_the_choice():
    catalog = load_catalog(load_config())
    selector = Selector(catalog, ALL)
    price = {m.name: m.price_out for m in catalog.models.values()}

    def mean_price(counter: Counter) -> float:
        return sum(price[m] * n for m, n in counter.items()) / sum(counter.values())

    cheap = choices(selector, "general", quality_requirement=0.0, urgency=1.0)
    rich = choices(selector, "general", quality_requirement=1.0, urgency=0.0)
    assert mean_price(cheap) < mean_price(rich)


def test_credentials_budget_and_forcing():
    catalog = load_catalog(load_config())
    only_gemini = Selector(catalog, {"gemini"})
    gemini_models = {m.name for m in catalog.for_provider("gemini")}
    assert set(choices(only_gemini, "technical")) <= gemini_models
    tiny = only_gemini.choose("general", 0.5, 0.5, 1e-9, 300, 250, random.Random(0))
    assert tiny.provider == "offline" and "budget" in tiny.reason
    none = Selector(catalog, set()).choose("general", 0.5, 0.5, None, 300, 250, random.Random(0))
    assert none.provider == "offline"
    forced = Selector(catalog, ALL, forced_provider="cohere")
    assert {catalog.models[m].provider for m in choices(forced, "technical")} == {"cohere"}
    model = next(iter(catalog.models))
    one = Selector(catalog, ALL, forced_model=model).choose("personal", 0.5, 0.5, None, 300, 250,
                                                           random.Random(0))
    assert one.model == model and "forced" in one.reason


def test_recorded_history_moves_thompson_sampling():
    catalog = load_catalog(load_config())
    before = choices(Selector(catalog, ALL), "personal", quality_requirement=0.8)
    loser = before.most_common(1)[0][0]
    winner = min(catalog.models, key=lambda m: catalog.models[m].prior("personal"))
    record_outcomes([{"model": loser, "content_type": "personal", "engagement": 0.0}] * 200
                    + [{"model": winner, "content_type": "personal", "engagement": 1.0}] * 200)
    after = choices(Selector(catalog, ALL), "personal", quality_requirement=0.8)
    assert after[loser] < before[loser]
    assert after.most_common(1)[0][0] == winner
    reason = Selector(catalog, ALL, forced_provider=catalog.models[winner].provider).choose(
        "personal", 0.8, 0.5, None, 300, 250, random.Random(1)).reason
    assert "recorded outcomes" in reason
