"""Measure `engagement_score` against real interactions on pages its fit never saw.

Usage: .venv/bin/python scripts/eval_engagement_score.py JBENCINA_DIR RLEUN_DIR [--min-posts N]

For every held-out page (the names scripts/fit_engagement_score.py leaves out) with at least
--min-posts posts with text: Spearman, inside the page, of the score with log(1 + reactions +
comments + shares), and with the same minus the page's rolling median of earlier posts. Prints
the shipped engagement_score beside the checklist it replaced (the score until this change,
copied below as the baseline) and beside the text length alone, in the same run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fit_engagement_score import held_out, load_posts, within_page_spearman  # noqa: E402

from fbopt.quality.engagement import engagement_scores  # noqa: E402
from fbopt.quality.signals import signals  # noqa: E402


def old_checklist(sig: dict[str, np.ndarray]) -> np.ndarray:
    """engagement_score before it was fitted: a hand-made checklist (hook 0.20, length 0.20,
    question 0.15, call to action 0.15, hashtags 0.10, emoji 0.10, specifics 0.10, shouting
    -0.10, exclaiming -0.05)."""
    def rising(x: np.ndarray, zero: float, one: float) -> np.ndarray:
        return np.clip((x - zero) / (one - zero), 0.0, 1.0)

    def falling(x: np.ndarray, one: float, zero: float) -> np.ndarray:
        return np.clip((zero - x) / (zero - one), 0.0, 1.0)

    chars = sig["char_count"].astype(float)
    hook = np.where(sig["hook_chars"] > 0, falling(sig["hook_chars"].astype(float), 100, 200), 0)
    length = np.minimum(rising(chars, 10, 40), falling(chars, 300, 800))
    tags, emoji = sig["hashtag_count"], sig["emoji_count"]
    hashtags = np.where((tags >= 1) & (tags <= 3), 1.0, np.where((tags >= 4) & (tags <= 5), .5, 0))
    emoji_part = np.where((emoji >= 1) & (emoji <= 3), 1.0, np.where(emoji > 3, 0.5, 0.0))
    specifics = (sig["number_count"] + sig["mention_count"] + sig["link_count"]) > 0
    score = (0.20 * hook + 0.20 * length + 0.15 * (sig["has_question"] > 0)
             + 0.15 * (sig["cta_count"] > 0) + 0.10 * hashtags + 0.10 * emoji_part
             + 0.10 * specifics - 0.10 * (sig["caps_word_count"] >= 3)
             - 0.05 * (sig["exclamation_density"] > 0.1))
    return np.where(sig["word_count"] > 0, np.clip(score, 0.0, 1.0), 0.0)


def component_scores(texts: list[str]) -> dict[str, np.ndarray]:
    """Every score of the Scorer with the shipped settings, for the overall_quality weights."""
    from fbopt.config import load_config
    from fbopt.quality.score import SCORE_NAMES, scorer_from_config

    with scorer_from_config(load_config()) as scorer:
        results = scorer.score(texts)
    return {name: np.array([getattr(r, name) for r in results]) for name in SCORE_NAMES
            if name != "engagement_score"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("jbencina", type=Path)
    parser.add_argument("rleun", type=Path)
    parser.add_argument("--min-posts", type=int, default=100)
    parser.add_argument("--components", action="store_true",
                        help="also every score of fbopt's Scorer (grammar, readability, ...)")
    args = parser.parse_args()
    posts = load_posts(args.jbencina, args.rleun)
    test = posts[posts["org"].map(held_out)].reset_index(drop=True)
    sizes = (test["source"] + ":" + test["page"]).value_counts()
    test = test[(test["source"] + ":" + test["page"]).map(sizes) >= args.min_posts]
    texts = test["text"].tolist()
    sig = signals(texts)
    scores = {"engagement_score": engagement_scores(texts, sig),
              "old checklist": old_checklist(sig),
              "length alone": sig["char_count"].astype(float)}
    if args.components:
        scores.update(component_scores(texts))
    pages = (test["source"] + ":" + test["page"]).to_numpy()
    rel = test["target"].notna().to_numpy()
    table = {}
    for name, score in scores.items():
        table[(name, "log interactions")] = within_page_spearman(
            score, test["log_interactions"].to_numpy(), pages)
        table[(name, "vs page level")] = within_page_spearman(
            score[rel], test["target"].to_numpy()[rel], pages[rel])
    frame = pd.DataFrame(table)
    pd.set_option("display.width", 160)
    print(f"held-out pages: {len(frame)} ({len(test)} posts with text, >= {args.min_posts} a page)")
    print(frame.round(3).to_string())
    print()
    for name in scores:
        for target in ("log interactions", "vs page level"):
            column = frame[(name, target)]
            print(f"{name:<17} {target:<17} mean {column.mean():+.3f}  median "
                  f"{column.median():+.3f}  min {column.min():+.3f}  negative pages "
                  f"{int((column < 0).sum())} of {column.notna().sum()}")


if __name__ == "__main__":
    main()
