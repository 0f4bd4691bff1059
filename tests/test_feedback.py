"""The performance-history store: outcomes in, Beta posteriors out."""

from __future__ import annotations

import random

import pytest

from fbopt.errors import InputError
from fbopt.feedback import model_posteriors, prompt_posteriors, record_outcomes


def test_records_per_model_and_prompt_variant(isolated_home):
    rows = [
        {"model": "m1", "provider": "openai", "content_type": "technical",
         "prompt_variant": "technical-howto", "engagement": 0.9},
        {"model": "m1", "provider": "openai", "content_type": "Technical",
         "prompt_variant": "technical-story", "success": False},
        {"model": "m2", "content_type": "technical", "engagement": 0.25},
        {"model": "", "content_type": "technical", "engagement": 1.0},
        {"model": "m3", "content_type": "technical"},
    ]
    assert record_outcomes(rows) == 3
    models = model_posteriors("technical")
    assert set(models) == {"m1", "m2"}
    assert models["m1"].n == 2
    assert models["m1"].alpha == pytest.approx(0.9)
    assert models["m1"].beta == pytest.approx(1.1)
    prompts = prompt_posteriors("technical")
    assert prompts["technical-howto"].alpha == pytest.approx(0.9)
    assert prompts["technical-story"].beta == pytest.approx(1.0)
    assert (isolated_home / "history.sqlite").is_file()
    assert model_posteriors("personal") == {}


def test_objects_and_out_of_range(tmp_path):
    class Row:
        model, provider, content_type, prompt_variant, engagement = "m", "p", "general", "", 0.5

    db = tmp_path / "h.sqlite"
    assert record_outcomes([Row()], db=db) == 1
    assert model_posteriors("general", db=db)["m"].n == 1
    with pytest.raises(InputError, match="outside"):
        record_outcomes([{"model": "m", "content_type": "general", "engagement": 1.5}], db=db)
    assert model_posteriors("general", db=db)["m"].n == 1


def test_evidence_moves_thompson_draws():
    good = model_posteriors("general")  # empty before any record
    assert good == {}
    record_outcomes([{"model": "good", "content_type": "general", "engagement": 1.0}] * 50
                    + [{"model": "bad", "content_type": "general", "engagement": 0.0}] * 50)
    post = model_posteriors("general")
    rng = random.Random(1)
    wins = sum(post["good"].sample(rng) > post["bad"].sample(rng) for _ in range(200))
    assert wins > 190
    assert post["good"].mean() > 0.9 > 0.1 > post["bad"].mean()
