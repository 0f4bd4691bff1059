"""The prompt book and the model catalog load, validate and fill."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from fbopt.config import load_config
from fbopt.drafts.catalog import CONTENT_TYPES, load_catalog, parse_catalog
from fbopt.drafts.prompts import load_prompts, parse_prompts
from fbopt.errors import ConfigError
from fbopt.feedback import Posterior


def test_packaged_book_has_two_variants_per_type_and_fills_them():
    book = load_prompts(load_config())
    for content_type in CONTENT_TYPES:
        assert len(book.variants[content_type]) >= 2
    variant = book.variants["technical"][0]
    system, prompt = book.render(variant, dict(
        topic="Rust error handling", audience="backend developers", tone="professional",
        content_type="technical", language="es", min_chars=40, max_chars=500))
    assert "Topic: Rust error handling" in prompt and "backend developers" in prompt
    assert "Spanish" in system and "professional" in system and "{" not in system + prompt


def test_thompson_sampling_prefers_variants_that_did_well():
    book = load_prompts(load_config())
    names = [v.name for v in book.variants["general"]]
    history = {names[0]: Posterior(2.0, 48.0, 50), names[1]: Posterior(45.0, 5.0, 50)}
    picks = Counter(book.choose("general", random.Random(i), history).name for i in range(200))
    assert picks[names[1]] > 180
    fresh = Counter(book.choose("general", random.Random(i), {}).name for i in range(200))
    assert len(fresh) == len(names)  # with no history every variant gets tried


def test_bad_prompt_books_are_config_errors():
    good = {"system": "Write for {audience}.",
            "variants": {ct: {"a": "Topic: {topic}", "b": "Topic: {topic}!"}
                         for ct in CONTENT_TYPES}}
    parse_prompts(good, "p.toml")
    with pytest.raises(ConfigError, match="unknown placeholders"):
        parse_prompts(good | {"system": "Hi {name}"}, "p.toml")
    one = {**good, "variants": {**good["variants"], "personal": {"a": "Topic: {topic}"}}}
    with pytest.raises(ConfigError, match="at least 2"):
        parse_prompts(one, "p.toml")


def test_catalog_covers_four_providers_and_validates():
    catalog = load_catalog(load_config())
    assert len(catalog.models) >= 6
    assert {m.provider for m in catalog.models.values()} == {"openai", "anthropic", "cohere",
                                                            "gemini"}
    for spec in catalog.models.values():
        assert spec.price_in > 0 and spec.context_window > 0 and set(spec.quality) == set(
            CONTENT_TYPES)
    entry = {"provider": "openai", "price_in": 1, "price_out": 2, "latency_ms": 100,
             "context_window": 1000, "rpm": 10, "tpm": 1000}
    assert parse_catalog({"models": {"x": entry}}, "m.toml").models["x"].price.cost(
        1_000_000, 0) == 1.0
    with pytest.raises(ConfigError, match="unknown keys"):
        parse_catalog({"models": {"x": entry | {"pricee": 1}}}, "m.toml")
    with pytest.raises(ConfigError, match="provider"):
        parse_catalog({"models": {"x": entry | {"provider": "acme"}}}, "m.toml")
    with pytest.raises(ConfigError, match="between 0 and 1"):
        parse_catalog({"models": {"x": entry | {"quality": {"general": 3}}}}, "m.toml")


def test_batch_prices_are_the_catalogs_or_half_the_online_price():
    entry = {"provider": "openai", "price_in": 1, "price_out": 2, "latency_ms": 100,
             "context_window": 1000, "rpm": 10, "tpm": 1000}
    plain = parse_catalog({"models": {"x": entry}}, "m.toml").models["x"]
    assert plain.batch_price.cost(1_000_000, 1_000_000) == pytest.approx(1.5)
    priced = parse_catalog({"models": {"x": entry | {"batch_input_per_mtok": 0.8,
                                                     "batch_output_per_mtok": 1}}},
                           "m.toml").models["x"]
    assert priced.batch_price.cost(1_000_000, 1_000_000) == pytest.approx(1.8)
    with pytest.raises(ConfigError, match="batch_input_per_mtok must be float"):
        parse_catalog({"models": {"x": entry | {"batch_input_per_mtok": "cheap"}}}, "m.toml")
