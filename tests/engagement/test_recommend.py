"""Recommendations come from the model's own re-scoring: a post with many hashtags, on data
where hashtags hurt, is told to cut them; the best hour is said in the page's time zone."""

from __future__ import annotations

import numpy as np
import pandas as pd

import fbopt
from fbopt.engagement.recommend import local_hour_label

from .conftest import tiny_config

WORDS = "garden plant soil water seed bloom leaf root pot sun rain grow green tree".split()


def _posts(n: int, zone: str) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    tags = rng.integers(0, 8, n)
    text = [" ".join(rng.choice(WORDS, 8)) + " " + " ".join(f"#{w}" for w in
                                                            rng.choice(WORDS, k))
            for k in tags]
    likes = (400 * np.exp(-0.35 * tags) * rng.lognormal(0, 0.2, n)).astype(int)
    stamps = pd.date_range("2024-01-01", periods=n, freq="7h")
    return pd.DataFrame({"page": rng.choice(["a", "b"], n), "text": text, "likes": likes,
                         "created_at": [t.strftime("%Y-%m-%dT%H:%M:00") + zone
                                        for t in stamps]})


def test_a_post_with_six_hashtags_on_data_where_they_hurt_is_told_to_cut_them(tmp_path):
    posts = _posts(400, "-05:00")
    fbopt.learn(posts, model_path=tmp_path / "m.pt", config=tiny_config(
        **{"engagement.epochs": 6}))
    drafts = pd.DataFrame({"page": ["a", "a"], "created_at": ["2024-06-01T10:00:00-05:00"] * 2,
                           "text": ["seed soil water sun #a #b #c #d #e #f", "seed soil water"]})
    out = fbopt.predict(drafts, model_path=tmp_path / "m.pt", config=tiny_config(),
                        recommendations=10).output
    many, none = ([item["edit"] for item in advice] for advice in out.recommendations)
    assert "cut the hashtags to 2" in many
    assert "cut the hashtags to 2" not in none
    hours = [edit for edit in many + none if edit.startswith("post at")]
    assert all(edit.endswith("(the page's time, UTC-05:00)") for edit in hours)


def test_an_hour_is_said_in_the_pages_time_zone():
    assert local_hour_label(14, -300) == "post at 09:00 (the page's time, UTC-05:00)"
    assert local_hour_label(20, 330) == "post at 01:30 (the page's time, UTC+05:30)"
