"""Writes sample_data/posts.csv from the hand-written texts in scripts/sample_post_texts.txt.

Not for real engagement data: likes, comments and shares are drawn from a seeded model in which
page size, media type, questions, calls to action, emoji, length and hour of posting matter, so
demos and the engagement model have a plausible signal to find.

    .venv/bin/python scripts/make_sample_posts.py [--seed 2024] [-o sample_data/posts.csv]
"""

from __future__ import annotations

import argparse
import csv
import math
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
TEXTS = HERE / "sample_post_texts.txt"
START = datetime(2024, 1, 3, tzinfo=timezone.utc)
DAYS = 360
# Share of followers who see a post, and of those who like it, by media type.
MEDIA_LIKES = {"photo": 1.35, "video": 1.5, "link": 0.7, "status": 0.9}
MEDIA_SHARES = {"photo": 1.0, "video": 1.6, "link": 1.4, "status": 0.8}
# Local hour weights: mornings and evenings are busier on Facebook.
HOUR_WEIGHTS = np.array([1, 1, 1, 1, 1, 2, 4, 7, 9, 8, 6, 6, 7, 6, 5, 5, 6, 7, 9, 10, 9, 7, 4, 2],
                        dtype=float)
CTA = re.compile(r"\b(comment|tag|share|sign up|book|apply|register|vote|join|order|"
                 r"tell us|bring|come|try|save|drop|fill in)\b", re.I)
EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF]")
# Posts that name a season or holiday are dated in it (months, 1-12), so the year reads true.
SEASONS = [
    (re.compile(r"christmas|december|stocking|gift wrap|boxing day|lights switch", re.I), (12, 12)),
    (re.compile(r"new year|january", re.I), (1, 1)),
    (re.compile(r"february", re.I), (2, 2)),
    (re.compile(r"easter|spring|bulbs|march", re.I), (3, 4)),
    (re.compile(r"summer|june|july|iced|bingo", re.I), (6, 8)),
    (re.compile(r"autumn|pumpkin|october|september|garlic|bonfire|fireworks", re.I), (9, 10)),
    (re.compile(r"winter|snow|frost|cocoa|blankets", re.I), (11, 12)),
]


def read_texts(path: Path) -> list[tuple[str, int, str, str]]:
    """(page, followers, media_type, text) for every post in the texts file."""
    posts, page, followers = [], "", 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            page, count = line[3:].rsplit("|", 1)
            followers = int(count)
        elif line.strip() and not line.startswith("#"):
            media, text = line.split("|", 1)
            posts.append((page, followers, media, text.replace("\\n", "\n")))
    return posts


def appeal(text: str) -> dict[str, float]:
    """Multipliers on likes, comments and shares from what the text does."""
    words = len(text.split())
    question = "?" in text
    cta = len(CTA.findall(text))
    emoji = len(EMOJI.findall(text))
    shouting = sum(w.isupper() and len(w) > 2 for w in text.split()) > 3
    length = math.exp(-max(words - 45, 0) / 40)
    likes = (1 + 0.12 * min(emoji, 3)) * length * (0.8 if shouting else 1.0)
    comments = (2.6 if question else 1.0) * (1 + 0.5 * min(cta, 2)) * length
    shares = (1.5 if "http" in text else 1.0) * (1 + 0.2 * ("#" in text)) * length
    return {"likes": likes, "comments": comments, "shares": shares}


def engagement(rng: np.random.Generator, followers: int, media: str, text: str,
               hour: int) -> tuple[int, int, int]:
    boost = appeal(text)
    timing = 0.6 + 0.8 * HOUR_WEIGHTS[hour] / HOUR_WEIGHTS.max()
    reach = followers * 0.08 * timing * rng.lognormal(0, 0.35)
    likes = reach * 0.09 * MEDIA_LIKES[media] * boost["likes"] * rng.lognormal(0, 0.3)
    comments = likes * 0.07 * boost["comments"] * rng.lognormal(0, 0.4)
    shares = likes * 0.04 * MEDIA_SHARES[media] * boost["shares"] * rng.lognormal(0, 0.5)
    return int(rng.poisson(likes)), int(rng.poisson(comments)), int(rng.poisson(shares))


def posting_day(rng: np.random.Generator, text: str) -> int:
    """Days after START: inside the season the text names, else anywhere in the year."""
    for pattern, (first, last) in SEASONS:
        if pattern.search(text):
            lo = (datetime(2024, first, 1, tzinfo=timezone.utc) - START).days
            end = datetime(2024 + (last == 12), last % 12 + 1, 1, tzinfo=timezone.utc)
            hi = min((end - START).days, DAYS)
            return int(rng.integers(max(lo, 0), hi))
    return int(rng.integers(0, DAYS))


def build_rows(seed: int) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    posts = read_texts(TEXTS)
    stamps = []
    for post in posts:
        day = posting_day(rng, post[3])
        hour = int(rng.choice(24, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum()))
        stamps.append(START + timedelta(days=day, hours=hour, minutes=int(rng.integers(0, 60))))
    order = sorted(range(len(posts)), key=lambda i: stamps[i])
    rows = []
    for number, i in enumerate(order, start=1):
        page, followers, media, text = posts[i]
        likes, comments, shares = engagement(rng, followers, media, text, stamps[i].hour)
        rows.append({"post_id": f"p{number:04d}", "page": page,
                     "created_at": stamps[i].strftime("%Y-%m-%dT%H:%M:%SZ"),
                     "media_type": media, "text": text, "likes": likes,
                     "comments": comments, "shares": shares})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("-o", "--output", type=Path,
                        default=HERE.parent / "sample_data" / "posts.csv")
    args = parser.parse_args()
    rows = build_rows(args.seed)
    with open(args.output, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} posts to {args.output}")


if __name__ == "__main__":
    main()
