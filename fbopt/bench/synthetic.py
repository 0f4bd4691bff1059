"""Deterministic benchmark inputs: synthetic topics and posts, or a user's file cut to N rows.

Not sample data for people to read: the texts are varied enough that no cache or dedup step sees
repeats, and the same seed always writes the same bytes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

CHUNK = 4096

SUBJECTS = (
    "home brewing", "cloud costs", "screen time", "marathon training", "local marketing",
    "balcony gardens", "password managers", "sourdough baking", "city cycling", "budget travel",
    "remote onboarding", "pet adoption", "meal prep", "first-time home buying", "podcast editing",
    "kids' reading habits", "solar panels", "job interviews", "houseplant care", "team retros",
    "weekend hiking", "small shop bookkeeping", "electric cars", "language learning",
    "customer reviews", "wedding planning", "photo editing", "retirement savings",
    "open source licensing", "farmers markets", "yoga for beginners", "data backups",
    "board game nights", "volunteering", "coffee roasting", "sleep routines", "email newsletters",
    "vintage furniture", "camping gear", "interview portfolios",
)
ANGLES = (
    "5 mistakes beginners make with", "what nobody tells you about", "a practical guide to",
    "why we changed our mind on", "the real cost of", "how to get started with",
    "myths and facts about", "our favourite tools for", "a checklist for", "lessons learned from",
    "questions to ask before", "a weekend project on", "the science behind",
    "how small teams handle", "what changed this year in", "a story about", "quick wins in",
    "the one habit that improves", "how to explain", "common questions about",
    "a behind-the-scenes look at", "what to try first with", "the trade-offs of",
    "a budget-friendly take on", "how our customers use", "a five-minute intro to",
    "debunking advice about", "what experts agree on about", "a seasonal update on",
    "how to talk to your family about",
)
QUALIFIERS = ("", "this spring", "on a budget", "for busy weeks", "in a small town",
              "after a long winter", "for the first time", "with kids", "at work",
              "without the jargon", "in 2025", "on weekends")
AUDIENCES = ("coffee lovers", "software developers", "parents", "runners",
             "small business owners", "students", "retirees", "pet owners", "gardeners",
             "new managers")
TONES = ("friendly", "professional", "playful", "inspirational", "urgent")
PAGES = ("ByteSized Tech", "Green Thumb Garden Centre", "Second Chance Animal Shelter",
         "Corner Bakery", "Trailhead Outfitters", "Brightside Tutoring", "Harbor Credit Union")
MEDIA = ("status", "photo", "link", "video")
HOOKS = (
    "Big news from our team today!", "Quick question for you:", "We tried something new this week.",
    "Here's a tip we wish we'd known sooner.", "This one surprised us.",
    "Guess what just arrived?", "A small thank-you to everyone who stopped by.",
    "Heads up, friends.", "Story time.", "We have been thinking about this alot lately.",
)
BODIES = (
    "Our {subject} workshop filled up in two days, so we are adding another date next month.",
    "If you care about {subject}, start small and keep notes on what actually changes.",
    "Most people skip the first step with {subject}, and its the one that matters most.",
    "We asked 40 of our regulars about {subject} and the answers were not what we expected.",
    "The secret to {subject} is consistency, not expensive gear.",
    "Three things helped us with {subject}: a clear plan, honest feedback and a little patience.",
    "We recieve a lot of questions about {subject}, so here are straight answers.",
    "Prices for {subject} start at $12 and every purchase supports a local charity.",
    "Our team spent the weekend on {subject} and we are so proud of the result.",
    "Nobody gets {subject} right the first time, and that is completely fine.",
)
ENDINGS = (
    "What do you think?", "Tell us in the comments!", "Share this with a friend who needs it.",
    "Link in bio: https://example.org/more", "See you there.", "Would you try it?",
    "Tag someone who would love this.", "", "", "",
)
EMOJI = ("", "", "🎉", "☕", "🌱", "🐶", "💡", "🔥", "✨", "")


def topic_text(i: int) -> str:
    """The i-th synthetic topic; unique for every i (a repeat suffix after all combinations)."""
    combos = len(SUBJECTS) * len(ANGLES) * len(QUALIFIERS)
    subject = SUBJECTS[i % len(SUBJECTS)]
    angle = ANGLES[(i // len(SUBJECTS)) % len(ANGLES)]
    qualifier = QUALIFIERS[(i // (len(SUBJECTS) * len(ANGLES))) % len(QUALIFIERS)]
    text = " ".join(part for part in (angle, subject, qualifier) if part)
    round_ = i // combos
    return f"{text} (part {round_ + 1})" if round_ else text


def topic_rows(start: int, count: int, seed: int) -> dict[str, list[Any]]:
    rng = random.Random(seed * 1_000_003 + start)
    idx = range(start, start + count)
    return {
        "id": [f"t{i}" for i in idx],
        "topic": [topic_text(i) for i in idx],
        "audience": [rng.choice(AUDIENCES) for _ in idx],
        "tone": [rng.choice(TONES) for _ in idx],
    }


def post_text(rng: random.Random, i: int) -> str:
    subject = SUBJECTS[rng.randrange(len(SUBJECTS))]
    parts = [rng.choice(HOOKS)]
    for body in rng.sample(BODIES, rng.choice((1, 1, 2, 3))):
        parts.append(body.format(subject=subject))
    parts.append(rng.choice(ENDINGS))
    tags = " ".join("#" + w.title().replace(" ", "").replace("'", "")
                    for w in rng.sample(SUBJECTS, rng.choice((0, 1, 2))))
    # The post number keeps every text unique, so no cache or dedup step sees a repeat.
    text = " ".join(p for p in parts if p) + f" {rng.choice(EMOJI)} #{i}"
    return " ".join(f"{text} {tags}".split())


def post_rows(start: int, count: int, seed: int) -> dict[str, list[Any]]:
    rng = random.Random(seed * 1_000_033 + start)
    texts = [post_text(rng, start + k) for k in range(count)]
    likes, comments, shares, created, media, pages = [], [], [], [], [], []
    for k, text in enumerate(texts):
        page = rng.randrange(len(PAGES))
        lift = (1.6 if "?" in text else 1.0) * (1.3 if "#" in text else 1.0)
        base = rng.lognormvariate(3.0 + 0.4 * page, 0.8) * lift
        likes.append(int(base))
        comments.append(int(base * rng.uniform(0.02, 0.2)))
        shares.append(int(base * rng.uniform(0.01, 0.1)))
        day = (start + k) // 24
        created.append(f"2024-{1 + (day // 28) % 12:02d}-{1 + day % 28:02d}T"
                       f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z")
        media.append(rng.choice(MEDIA))
        pages.append(PAGES[page])
    return {"post_id": [f"p{start + k}" for k in range(count)], "page": pages,
            "created_at": created, "media_type": media, "text": texts, "likes": likes,
            "comments": comments, "shares": shares}


def _chunks(rows: int) -> Iterator[tuple[int, int]]:
    for start in range(0, rows, CHUNK):
        yield start, min(CHUNK, rows - start)


def write_synthetic(kind: str, path: Path, rows: int, seed: int = 7) -> Path:
    """Write `rows` synthetic topics or posts to a Parquet file, chunk by chunk."""
    make = {"topics": topic_rows, "posts": post_rows}[kind]
    writer: pq.ParquetWriter | None = None
    try:
        for start, count in _chunks(rows):
            table = pa.table(make(start, count, seed))
            writer = writer or pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    return path


def write_from_file(source: Path, path: Path, rows: int, batch_size: int = CHUNK) -> Path:
    """Write the first `rows` rows of a user's file to Parquet, repeating the file from the top
    when it has fewer rows. Reads through fbopt's own streaming readers."""
    from fbopt.errors import InputError
    from fbopt.io.readers import BatchReader

    writer: pq.ParquetWriter | None = None
    written = 0
    try:
        while written < rows:
            before = written
            for _, batch in BatchReader(source, batch_size=batch_size):
                batch = batch.slice(0, rows - written)
                writer = writer or pq.ParquetWriter(path, batch.schema)
                writer.write_batch(batch)
                written += batch.num_rows
                if written >= rows:
                    break
            if written == before:
                raise InputError("no data rows to benchmark with", path=source,
                                 hint="give a file with at least one row")
    finally:
        if writer is not None:
            writer.close()
    return path


def split_file(source: Path, pieces: list[tuple[Path, int]]) -> list[Path]:
    """Write consecutive row ranges of a Parquet file to new files: the first `rows` rows of
    `source` to the first path, the next to the second... Streams; never reads it whole."""
    batches = pq.ParquetFile(source).iter_batches(batch_size=CHUNK)
    pending: pa.RecordBatch | None = None
    for path, rows in pieces:
        writer: pq.ParquetWriter | None = None
        try:
            while rows > 0:
                if pending is None or pending.num_rows == 0:
                    pending = next(batches)
                take = pending.slice(0, rows)
                writer = writer or pq.ParquetWriter(path, take.schema)
                writer.write_batch(take)
                rows -= take.num_rows
                pending = pending.slice(take.num_rows)
        finally:
            if writer is not None:
                writer.close()
    return [path for path, _ in pieces]
