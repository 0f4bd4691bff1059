"""learn and predict through the Python API: the model file, the report, predictions,
recommendations, reproducibility, version checks, text-less input and feedback."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

import fbopt
from fbopt.engagement import artifact
from fbopt.errors import ModelError

from .conftest import SAMPLE_POSTS, tiny_config

ADDED = ["predicted_engagement", "predicted_low", "predicted_high", "engagement_percentile",
         "recommendations"]


def test_learn_writes_one_model_and_a_report_with_its_plot(trained):
    model_path, result = trained
    assert model_path.is_file()
    report = json.loads(result.report_path.read_text())
    metrics = report["metrics"]
    for key in ("spearman", "spearman_within_page", "mae_log", "interval_coverage"):
        assert key in metrics["validation"]
    assert -1.0 <= metrics["validation"]["spearman"] <= 1.0
    assert metrics["train_split"]["to"] <= metrics["training_span"]["to"]
    assert metrics["validation_split"]["posts"] > 0
    plot = result.plot_path
    assert plot.is_file() and plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert metrics["plot"] == str(plot)
    loaded = artifact.load(model_path)
    assert loaded.meta["report"]["columns"]["format"] == "fbopt"
    assert len(loaded.history.keys) == 7


def test_predict_adds_calibrated_columns_and_ranked_recommendations(trained):
    model_path, _ = trained
    posts = pd.read_csv(SAMPLE_POSTS)
    out = fbopt.predict(posts, model_path=model_path, config=tiny_config()).output
    assert list(out.columns[-5:]) == ADDED
    assert len(out) == len(posts)
    assert (out.predicted_low <= out.predicted_engagement).all()
    assert (out.predicted_engagement <= out.predicted_high).all()
    assert out.engagement_percentile.between(0, 100).all()
    counts = out.recommendations.map(len)
    assert counts.max() <= 3 and counts.sum() > 0
    for advice in out.recommendations:
        gains = [item["predicted_gain"] for item in advice]
        assert all(g > 0 for g in gains) and gains == sorted(gains, reverse=True)
        assert len({item["edit"] for item in advice}) == len(advice)


def test_batches_do_not_change_predictions(trained):
    model_path, _ = trained
    posts = pd.read_csv(SAMPLE_POSTS)
    whole = fbopt.predict(posts, model_path=model_path, config=tiny_config()).output
    small = fbopt.predict(posts, model_path=model_path, config=tiny_config(),
                          batch_size=17).output
    assert np.allclose(whole.predicted_engagement, small.predicted_engagement)
    assert whole.recommendations.map(len).tolist() == small.recommendations.map(len).tolist()


def test_drafts_with_only_text_get_the_prior(trained):
    model_path, _ = trained
    drafts = pd.DataFrame({"text": ["Which plant should we repot first? Tell us below 🌱",
                                    "New post"]})
    out = fbopt.predict(drafts, model_path=model_path, config=tiny_config()).output
    assert out.predicted_engagement.gt(0).all()
    assert out.engagement_percentile.between(0, 100).all()


def test_training_is_reproducible_on_cpu(tmp_path):
    posts = pd.read_csv(SAMPLE_POSTS)
    found = []
    for name in ("one.pt", "two.pt"):
        fbopt.learn(posts, model_path=tmp_path / name, config=tiny_config(
            **{"engagement.refit": False}))
        found.append(fbopt.predict(posts, model_path=tmp_path / name,
                                   config=tiny_config()).output.predicted_engagement)
    assert np.array_equal(found[0].to_numpy(), found[1].to_numpy())


def test_a_model_from_another_format_version_is_refused(trained, tmp_path):
    model_path, _ = trained
    payload = torch.load(model_path, weights_only=True)
    payload["artifact_format"] = artifact.ARTIFACT_FORMAT + 1
    payload["fbopt_version"] = "9.9.9"
    old = tmp_path / "old.pt"
    torch.save(payload, old)
    with pytest.raises(ModelError, match="9.9.9") as caught:
        artifact.load(old)
    assert "fbopt learn" in caught.value.message()
    (tmp_path / "junk.pt").write_text("not a model")
    with pytest.raises(ModelError, match="not an fbopt engagement model"):
        artifact.load(tmp_path / "junk.pt")
    with pytest.raises(ModelError, match="no engagement model"):
        artifact.load(tmp_path / "missing.pt")


def _scraper_posts(n: int = 80) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    kinds = rng.choice(["photo", "video", "status", "link"], n)
    base = {"photo": 60, "video": 300, "status": 20, "link": 10}
    reactions = [int(base[k] * rng.lognormal(0, 0.3)) for k in kinds]
    pages = rng.choice(["111", "222"], n)
    return pd.DataFrame({
        "status_id": [f"{p}_{i}" for i, p in enumerate(pages)],
        "status_type": kinds,
        "status_published": [f"4/{1 + i % 28}/2018 {i % 24}:00" for i in range(n)],
        "num_reactions": reactions, "num_comments": rng.integers(0, 20, n),
        "num_shares": rng.integers(0, 5, n)})


def test_text_less_scraper_export_trains_on_the_other_features(tmp_path):
    posts = _scraper_posts()
    result = fbopt.learn(posts, model_path=tmp_path / "m.pt", config=tiny_config(
        **{"engagement.epochs": 40, "engagement.patience": 40,
           "engagement.learning_rate": 0.01}))
    assert result.report.metrics["columns"]["text"] is None
    assert result.report.metrics["pages"] == 2
    out = fbopt.predict(posts, model_path=tmp_path / "m.pt", config=tiny_config()).output
    by_kind = out.groupby("status_type").predicted_engagement.mean()
    assert by_kind["video"] > by_kind["link"]  # media type alone carries the signal


def test_generated_posts_feed_the_performance_history(tmp_path):
    from fbopt.feedback import model_posteriors, prompt_posteriors

    posts = pd.read_csv(SAMPLE_POSTS)
    posts["model"] = np.where(np.arange(len(posts)) % 2, "model-a", "model-b")
    posts["content_type"] = "educational"
    posts["prompt_variant"] = "educational-howto"
    result = fbopt.learn(posts, model_path=tmp_path / "m.pt", config=tiny_config())
    assert result.report.metrics["feedback_recorded"] == len(posts)
    models = model_posteriors("educational")
    assert set(models) == {"model-a", "model-b"}
    assert models["model-a"].n == len(posts) // 2
    assert prompt_posteriors("educational")["educational-howto"].n == len(posts)


def test_predict_refuses_to_guess_when_no_text_column_is_found(trained):
    from fbopt.errors import UsageError

    model_path, _ = trained
    posts = pd.read_csv(SAMPLE_POSTS).rename(columns={"text": "body"})
    with pytest.raises(UsageError, match="no text column found") as caught:
        fbopt.predict(posts, model_path=model_path, config=tiny_config())
    assert "body" in caught.value.message() and "--text-column" in caught.value.message()
    named = fbopt.predict(posts, model_path=model_path, config=tiny_config(),
                          text_column="body").output
    plain = fbopt.predict(pd.read_csv(SAMPLE_POSTS), model_path=model_path,
                          config=tiny_config()).output
    assert np.allclose(named.predicted_engagement, plain.predicted_engagement)
    waived = fbopt.predict(posts, model_path=model_path, config=tiny_config(),
                           no_text=True).output
    assert not np.allclose(waived.predicted_engagement, plain.predicted_engagement)


def test_a_file_that_is_no_model_is_named_for_what_it_is(tmp_path):
    (tmp_path / "posts.pt").write_text("post_id,text\n1,hello\n")
    with pytest.raises(ModelError, match="text file") as caught:
        artifact.load(tmp_path / "posts.pt")
    assert "IndexError" not in caught.value.message()
    (tmp_path / "empty.pt").write_bytes(b"")
    with pytest.raises(ModelError, match="empty"):
        artifact.load(tmp_path / "empty.pt")
    (tmp_path / "zip.pt").write_bytes(b"PK\x03\x04" + b"\x00" * 60)
    with pytest.raises(ModelError, match="zip archive but not a model"):
        artifact.load(tmp_path / "zip.pt")


def test_the_saved_model_is_the_same_for_the_same_seed(tmp_path):
    posts = pd.read_csv(SAMPLE_POSTS)
    saved = []
    for name in ("one.pt", "two.pt"):
        fbopt.learn(posts, model_path=tmp_path / name, config=tiny_config())
        saved.append(torch.load(tmp_path / name, weights_only=True))
    one, two = saved
    assert one["state_dict"].keys() == two["state_dict"].keys()
    assert all(torch.equal(one["state_dict"][k], two["state_dict"][k])
               for k in one["state_dict"])
    assert torch.equal(one["linear"]["sparse"], two["linear"]["sparse"])
    assert one["stack"] == two["stack"] and one["calibration"] == two["calibration"]
