"""The Scorer: every score in [0, 1], weights from the config, empty text scores 0, a run-level
cache by text hash, novelty against the run's other posts, and the process pool."""

from __future__ import annotations

import numpy as np
import pytest

from fbopt.config import load_config
from fbopt.errors import ConfigError
from fbopt.quality.score import SCORE_NAMES, QualitySettings, Scorer, scorer_from_config

GOOD = ("Meet Luna! 🐾 She's 2 years old and loves long walks. Could she be your new best "
        "friend? Tag someone who needs a dog. #AdoptDontShop")
POOR = ("we are having a sale and their is alot of books and you should come becuase the prices "
        "is low and the the staff is nice and we open at 9 and close late and its fun for everyone "
        "who likes books and reading and coffee and cake and more books")


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    with Scorer(QualitySettings(workers=1)) as s:
        yield s


def test_scores_are_in_range_and_a_good_post_beats_a_poor_one(scorer: Scorer) -> None:
    good, poor = scorer.score([GOOD, POOR])
    for result in (good, poor):
        for name, value in result.scores().items():
            assert 0.0 <= value <= 1.0, name
    assert good.grammar_score == 1.0 and poor.grammar_score < 0.7
    assert good.readability_score > poor.readability_score
    assert good.engagement_score > poor.engagement_score
    assert good.overall_quality > poor.overall_quality
    # The scoring rules ("fast") find unknown words by lookup, without suggestions.
    spelled = {POOR[i.offset:i.offset + i.length] for i in poor.grammar_issues
               if i.kind == "Spelling"}
    assert "becuase" in spelled
    record = poor.grammar_issues[0].as_record()
    assert set(record) == {"kind", "message", "offset", "length", "suggestion", "rule"}


def test_empty_and_missing_text_score_zero(scorer: Scorer) -> None:
    for result in scorer.score(["", "   \n", None]):
        assert set(result.scores().values()) == {0.0}
        assert result.grammar_issues == []


def test_cache_by_text_hash_within_a_run(scorer: Scorer) -> None:
    before = scorer.cache_hits
    scorer.score(["A fresh post about cake.", "A fresh post about cake."])
    assert scorer.cache_hits == before + 1
    scorer.score(["A fresh post about cake."])
    assert scorer.cache_hits == before + 2


def test_duplicates_are_not_novel() -> None:
    with Scorer(QualitySettings(workers=1)) as s:
        first = s.score(["Our new oat milk latte is here, come and try it this week"])[0]
        copy = s.score(["Our new oat milk latte is here, come and try it this week"])[0]
    assert copy.creativity_score < first.creativity_score


def test_weights_come_from_the_config() -> None:
    only_grammar = {f"quality.weights.{k}": 0.0 for k in
                    ("readability", "sentiment", "engagement", "creativity")}
    config = load_config(overrides={**only_grammar, "quality.workers": 1})
    with scorer_from_config(config) as s:
        result = s.score([POOR])[0]
    assert result.overall_quality == pytest.approx(result.grammar_score, abs=1e-4)
    zero = {f"quality.weights.{k}": 0.0 for k in
            ("grammar", "readability", "sentiment", "engagement", "creativity")}
    with pytest.raises(ConfigError, match="weights"):
        QualitySettings.from_config(load_config(overrides=zero))


def test_process_pool_gives_the_same_scores_as_in_process(scorer: Scorer) -> None:
    texts = [f"Post number {i}: their is a sale on books this week, come and see us!"
             for i in range(40)] + [GOOD, POOR]
    with Scorer(QualitySettings(workers=2, pool_min_texts=8)) as pooled:
        in_pool = pooled.score(texts)
        assert pooled.executor().chunks_done > 1  # it really ran in the workers
    with Scorer(QualitySettings(workers=1)) as local:
        here = local.score(texts)
    assert [r.scores() for r in in_pool] == [r.scores() for r in here]
    assert set(SCORE_NAMES) == set(in_pool[0].scores())


def test_engagement_score_comes_from_the_fitted_weights() -> None:
    from fbopt.quality.engagement import FEATURE_NAMES, engagement_scores, fitted_weights
    from fbopt.quality.signals import signals

    model = fitted_weights()
    assert len(model.weights) == len(FEATURE_NAMES) and len(model.quantiles) == 101
    assert all(np.diff(model.quantiles) >= 0)
    # The words the fit found lifting or sinking a post move the score the same way.
    best = max(model.words, key=model.words.__getitem__)
    worst = min(model.words, key=model.words.__getitem__)
    texts = [f"A short note about the {best} today.", f"A short note about the {worst} today.",
             ""]
    up, down, empty = engagement_scores(texts, signals(texts))
    assert 0.0 <= down < up <= 1.0
    assert empty == 0.0


def test_the_fit_target_uses_only_earlier_posts_and_names_hold_out_across_sets(tmp_path) -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    from fit_engagement_score import load_posts, org_key

    assert org_key("bbcnews") == org_key("bbc") == "bbc"
    assert org_key("TheHill_facebook_statuses") == org_key("the_hill") == "hill"
    jb, rl = tmp_path / "jb", tmp_path / "rl"
    jb.mkdir()
    rl.mkdir()
    (jb / "fb_news_pagenames.csv").write_text("page_name,page_id\nbbc,1\n", encoding="utf-8")
    (jb / "fb_news_posts_20K.csv").write_text(
        "created_time,message,page_id,react_like,shares\n"
        "2017-07-14T14:30:59+0000,Hello,1,5,1\n", encoding="utf-8")
    rows = ["status_message,status_published,num_reactions,num_comments,num_shares"]
    rows += [f"post {i},2017-01-{i + 1:02d} 10:00:00,{10 * (i + 1)},0,0" for i in range(15)]
    (rl / "Demo_facebook_statuses.csv").write_text("\n".join(rows), encoding="utf-8")
    posts = load_posts(jb, rl)
    demo = posts[posts["page"] == "Demo"].reset_index(drop=True)
    assert len(demo) == 15 and posts.loc[posts["page"] == "bbc", "interactions"].item() == 6
    log = np.log1p(10.0 * np.arange(1, 16))
    assert demo["target"].iloc[:10].isna().all()  # fewer than 10 earlier posts: no level
    # the level is the median of earlier posts only: a later post never leaks in
    assert demo["target"].iloc[10] == pytest.approx(log[10] - np.median(log[:10]))
    assert demo["target"].iloc[14] == pytest.approx(log[14] - np.median(log[:14]))
