"""Fit the weights of `engagement_score` from real page histories and write them as package data.

Usage: .venv/bin/python scripts/fit_engagement_score.py JBENCINA_DIR RLEUN_DIR
       [--out fbopt/data/engagement_weights.json] [--holdout NAME,...]

JBENCINA_DIR holds fb_news_posts_20K.csv and fb_news_pagenames.csv; RLEUN_DIR holds
<Page>_facebook_statuses.csv files (the uci sets have no text). The target of a post is its
log(1 + reactions + comments + shares) minus the median of the same value over its page's
ROLLING earlier posts (no later post is ever used), so the fit learns what lifts a post above
its own page's level, not which pages are big. Pages are split by organisation name (bbc and
bbcnews are one name): the held-out names (NPR, TED and every name whose crc32 is 0 mod 3) are
never used here; scripts/eval_engagement_score.py reports on them. Each word gets a shrunken mean
target (words seen on >= MIN_ORGS organisations); a ridge over the signal features and the
post's word sum (word weights fitted on the other folds) sets the rest. The ridge penalty is
chosen by leave-names-out cross-validation on the fitting pages only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zlib
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fbopt.quality.engagement import (  # noqa: E402
    FEATURE_NAMES,
    post_words,
    signal_features,
    word_sums,
)
from fbopt.quality.signals import signals  # noqa: E402

ROLLING = 50  # earlier posts of the page behind its level
MIN_EARLIER = 10  # a post needs this many earlier posts of its page to get a target
ALPHAS = (0.1, 1.0, 10.0, 100.0, 1000.0)
ALWAYS_HELD_OUT = ("npr", "ted")  # the pages the issue measured the old checklist on
FOLDS = 5
SHRINK = 100  # a word's weight: sum of (target - mean) over its posts / (its posts + SHRINK)
MIN_POSTS, MIN_ORGS = 20, 10  # a word must be seen this often, on this many organisations
# The 100 commonest English words (wordfreq) get no weight: they are what grammar fixes change
# (their/there, then/than, its/it's), and a correction must not read as a loss of engagement.
FUNCTION_WORDS = 100


def org_key(name: str) -> str:
    """One key per organisation across the two sets: 'bbcnews' and 'bbc' -> 'bbc'."""
    key = re.sub(r"_facebook_statuses$", "", name.lower())
    key = re.sub(r"[^a-z]", "", key.replace("person_", ""))
    key = re.sub(r"^the", "", key)
    return re.sub(r"news$", "", key) or key


def held_out(key: str) -> bool:
    return key in ALWAYS_HELD_OUT or zlib.crc32(key.encode()) % 3 == 0


def load_jbencina(folder: Path) -> pd.DataFrame:
    posts = pd.read_csv(folder / "fb_news_posts_20K.csv")
    names = pd.read_csv(folder / "fb_news_pagenames.csv")
    by_id = dict(zip(names["page_id"].astype(str), names["page_name"], strict=True))
    reacts = [c for c in posts.columns if c.startswith("react_")]
    # The 20K file has no comment counts: reactions + shares.
    total = posts[reacts].fillna(0).sum(axis=1) + posts["shares"].fillna(0)
    page = posts["page_id"].astype(str).map(by_id).fillna(posts["page_id"].astype(str))
    return pd.DataFrame({"source": "jbencina", "page": page, "text": posts["message"],
                         "when": pd.to_datetime(posts["created_time"], utc=True),
                         "interactions": total})


def load_rleun(folder: Path) -> pd.DataFrame:
    frames = []
    for path in sorted(folder.glob("*_facebook_statuses.csv")):
        posts = pd.read_csv(path)
        total = posts[["num_reactions", "num_comments", "num_shares"]].fillna(0).sum(axis=1)
        frames.append(pd.DataFrame({
            "source": "rleun", "page": path.stem.replace("_facebook_statuses", ""),
            "text": posts["status_message"],
            "when": pd.to_datetime(posts["status_published"], utc=True), "interactions": total}))
    return pd.concat(frames, ignore_index=True)


def load_posts(jbencina: Path, rleun: Path) -> pd.DataFrame:
    """Every post with text, its page, organisation key, log interactions and target."""
    posts = pd.concat([load_jbencina(jbencina), load_rleun(rleun)], ignore_index=True)
    posts = posts.dropna(subset=["when"]).sort_values(["source", "page", "when"], kind="stable")
    posts["log_interactions"] = np.log1p(posts["interactions"].clip(lower=0))
    level = posts.groupby(["source", "page"])["log_interactions"].transform(
        lambda s: s.shift(1).rolling(ROLLING, min_periods=MIN_EARLIER).median())
    posts["target"] = posts["log_interactions"] - level
    posts["org"] = posts["page"].map(org_key)
    posts["text"] = posts["text"].fillna("").astype(str)
    return posts[posts["text"].str.strip() != ""].reset_index(drop=True)


def word_weights(texts: list[str], y: np.ndarray, orgs: np.ndarray) -> dict[str, float]:
    """A shrunken mean target per word, for words common across organisations."""
    from wordfreq import top_n_list

    skip = set(top_n_list("en", FUNCTION_WORDS))
    total: dict[str, float] = defaultdict(float)
    posts: Counter[str] = Counter()
    seen_on: dict[str, set[str]] = defaultdict(set)
    centred = y - y.mean()
    for text, value, org in zip(texts, centred, orgs, strict=True):
        for word in post_words(text):
            total[word] += value
            posts[word] += 1
            seen_on[word].add(org)
    return {w: round(total[w] / (posts[w] + SHRINK), 6) for w in sorted(posts)
            if posts[w] >= MIN_POSTS and len(seen_on[w]) >= MIN_ORGS and w not in skip}


def folds_of(orgs: np.ndarray) -> np.ndarray:
    return np.array([zlib.crc32(o.encode()) % FOLDS for o in orgs])


def design(texts: list[str], y: np.ndarray, orgs: np.ndarray) -> np.ndarray:
    """Signal features plus each post's word sum from word weights fitted on the other folds
    (so the factor on the word sum is fitted on sums the words were not fitted on)."""
    fold = folds_of(orgs)
    sums = np.zeros(len(texts))
    for f in range(FOLDS):
        train = np.where(fold != f)[0]
        words = word_weights([texts[i] for i in train], y[train], orgs[train])
        test = np.where(fold == f)[0]
        sums[test] = word_sums([texts[i] for i in test], words)
    return np.column_stack([signal_features(signals(texts)), sums])


def fit_ridge(x: np.ndarray, y: np.ndarray, alpha: float
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(mean, scale, weights, intercept) of a ridge fit on standardised features."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    z = (x - mean) / scale
    weights = np.linalg.solve(z.T @ z + alpha * np.eye(z.shape[1]), z.T @ (y - y.mean()))
    return mean, scale, weights, float(y.mean())


def within_page_spearman(score: np.ndarray, truth: np.ndarray, page: np.ndarray
                         ) -> dict[str, float]:
    """Spearman of score and truth inside each page (pages with >= 20 posts)."""
    frame = pd.DataFrame({"s": score, "t": truth, "p": page})
    out = {}
    for name, group in frame.groupby("p"):
        if len(group) >= 20 and group["s"].nunique() > 1:
            out[str(name)] = float(group["s"].rank().corr(group["t"].rank()))
    return out


def choose_alpha(x: np.ndarray, y: np.ndarray, orgs: np.ndarray, pages: np.ndarray) -> float:
    fold = folds_of(orgs)
    best, best_alpha = -np.inf, ALPHAS[0]
    for alpha in ALPHAS:
        scores = []
        for f in range(FOLDS):
            train, test = fold != f, fold == f
            mean, scale, w, _ = fit_ridge(x[train], y[train], alpha)
            pred = ((x[test] - mean) / scale) @ w
            scores += list(within_page_spearman(pred, y[test], pages[test]).values())
        print(f"  alpha {alpha:>7}: cross-validated within-page Spearman {np.mean(scores):+.3f}")
        if np.mean(scores) > best:
            best, best_alpha = float(np.mean(scores)), alpha
    return best_alpha


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("jbencina", type=Path)
    parser.add_argument("rleun", type=Path)
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parent.parent / "fbopt" / "data"
                        / "engagement_weights.json")
    args = parser.parse_args()
    posts = load_posts(args.jbencina, args.rleun)
    fit = posts[~posts["org"].map(held_out) & posts["target"].notna()]
    pages = (fit["source"] + ":" + fit["page"]).to_numpy()
    print(f"fitting on {len(fit)} posts of {fit['org'].nunique()} organisations "
          f"({posts['org'].map(held_out).groupby(posts['org']).first().sum()} held out)")
    texts, y, orgs = fit["text"].tolist(), fit["target"].to_numpy(), fit["org"].to_numpy()
    x = design(texts, y, orgs)
    alpha = choose_alpha(x, y, orgs, pages)
    mean, scale, weights, intercept = fit_ridge(x, y, alpha)
    words = word_weights(texts, y, orgs)
    x[:, -1] = word_sums(texts, words)  # the shipped score sums the weights fitted on all
    prediction = ((x - mean) / scale) @ weights
    quantiles = np.quantile(prediction, np.linspace(0, 1, 101))
    out = {
        "about": "engagement_score weights: ridge on standardised text features; target "
                 f"log1p(interactions) minus the median of the page's {ROLLING} earlier posts. "
                 "Written by scripts/fit_engagement_score.py.",
        "fitted_on": {"datasets": ["jbencina-facebook-news", "rleun-facebook-news-dev"],
                      "posts": int(len(fit)), "organisations": sorted(fit["org"].unique()),
                      "held_out_rule": "npr, ted and crc32(name) % 3 == 0", "alpha": alpha},
        "features": list(FEATURE_NAMES),
        "mean": mean.round(6).tolist(), "scale": scale.round(6).tolist(),
        "weights": weights.round(6).tolist(), "intercept": round(intercept, 6),
        "quantiles": quantiles.round(6).tolist(),
        "words": words,
    }
    args.out.write_text(json.dumps(out, indent=0, sort_keys=False) + "\n", encoding="utf-8")
    for name, w in sorted(zip(FEATURE_NAMES, weights, strict=True), key=lambda p: -abs(p[1])):
        print(f"  {name:<22} {w:+.4f}")
    ranked = sorted(words, key=words.__getitem__)
    print(f"{len(words)} words; lowest: {' '.join(ranked[:15])}")
    print(f"highest: {' '.join(ranked[-15:])}")
    print(f"wrote {args.out} (alpha {alpha})")


if __name__ == "__main__":
    main()
