"""Judge the offline composer the way a program can: run it over a topics file and print
topic-form coverage, filler repetition, hashtags that are not noun phrases, emoji or exclamation
marks in serious posts, unkept count promises, posts outside 40-500 characters, the share of
posts Harper flags, and the composer's speed (CPU time, with the load average beside it).

    .venv/bin/python scripts/judge_offline_posts.py [--topics sample_data/topics.csv]
        [--seed 0] [--show 30] [--no-grammar]

Word classes for the hashtag check come from lemminflect's lexicon (a tag fails when a word in
it can only be a verb, or its last word cannot be a noun) plus a check that the tag's words
stand side by side in the topic (a tag glued across a phrase boundary is a fragment).
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

from fbopt.providers.base import CompletionRequest
from fbopt.providers.offline import OfflineComposer
from fbopt.providers.offline import compose as compose_module
from fbopt.providers.offline import lexicon as lx
from fbopt.providers.offline import topic as topic_module
from fbopt.providers.offline.topic import FORMS, analyse, words_of

SERIOUS_TONES = {"urgent", "serious", "formal", "grave", "sombre", "solemn"}
# The judge's own list of notice words, so "serious" does not rest on the composer's opinion.
NOTICE_WORDS = {"recall", "outage", "warning", "safety", "closed", "scam", "boil", "cut",
                "allergens", "flooding", "unavailable"}
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF]")
COUNT = re.compile(r"(?:^|[.:!?]\s+|\n)\s*(two|three|four|five|six|seven|eight|nine|ten|\d{1,2})"
                   r"\s+(?:[\w-]+\s+){0,2}?([a-z]+s)\b", re.IGNORECASE)
UNITS = {"minutes", "hours", "days", "weeks", "months", "years", "seconds", "people", "times"}
LIST_LINE = re.compile(r"^\s*(?:[-•*]|\d+[.)]|[\U0001F000-\U0001FAFF\u2600-\u27BF]\ufe0f?)\s+\S")


def load_requests(path: Path, seed: int) -> list[CompletionRequest]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for row in rows:
        for variant in range(int(row.get("variants") or 1)):
            out.append(CompletionRequest(
                model="offline", prompt="", topic=row["topic"],
                audience=row.get("audience") or "everyone", tone=row.get("tone") or "friendly",
                content_type=row.get("content_type") or "general", variant=variant, seed=seed))
    return out


def sentences(post: str) -> list[str]:
    body = [line for line in post.split("\n") if line.strip() and not line.startswith("#")]
    return [s.strip() for line in body for s in re.split(r"(?<=[.!?])\s+", line) if s.strip()]


def skeleton(sentence: str, own: set[str]) -> str | None:
    """The sentence with the row's own words (topic, audience) masked; None when nothing else
    is left (the topic's own words are allowed to repeat)."""
    words = re.findall(r"[\w'’%£$€-]+", sentence.lower())
    masked = ["_" if w in own else w for w in words]
    if all(w == "_" for w in masked):
        return None
    return re.sub(r"(?:_ )+_", "_", " ".join(masked))


def repetition(posts: list[tuple[CompletionRequest, str]]) -> tuple[float, list[tuple[str, int]]]:
    seen: Counter[str] = Counter()
    for req, text in posts:
        own = {w.lower() for w in words_of(req.topic + " " + req.audience)}
        seen.update({s for s in (skeleton(x, own) for x in sentences(text)) if s})
    top = seen.most_common(8)
    return (top[0][1] / len(posts) if top else 0.0), top


def tag_problem(tag: str, topic: str) -> str:
    """'' for a good tag, else 'verb' (a verb-only word, or a head that cannot be a noun) or
    'fragment' (its words are not side by side in the topic)."""
    parts = re.findall(r"[A-Z]+(?![a-zà-ÿ])\d*|[A-Z]?[a-zà-ÿ]+\d*|\d+[a-z]*", tag.lstrip("#"))
    if not parts:
        return "fragment"
    # A participle joined by a hyphen in the topic (noise-cancelling) is a modifier, not a verb.
    hyphened = {w.lower() for w in re.findall(r"-([a-z]+)", topic.lower())}
    if any(lx.verb_only(p) and p.lower() not in hyphened for p in parts) \
            or not lx.can_be_noun(parts[-1]):
        return "verb"
    squashed = re.sub(r"[\W_]", "", topic.lower())
    return "" if "".join(p.lower() for p in parts) in squashed else "fragment"


def unkept_promises(text: str) -> int:
    items = sum(1 for line in text.split("\n") if LIST_LINE.match(line))
    bad = 0
    for number, noun in COUNT.findall(text):
        if noun.lower() in UNITS or not lx.is_plural(noun):
            continue
        n = int(number) if number.isdigit() else lx.NUMBER_WORDS.get(number.lower(), 0)
        bad += n != items
    return bad


def is_serious(req: CompletionRequest) -> bool:
    words = {w.lower() for w in words_of(req.topic)}
    return req.tone.lower() in SERIOUS_TONES or bool(words & NOTICE_WORDS)


def _word_caches() -> list:
    """Every per-word cache of the composer, so 'every word new' pays for each lookup."""
    return [lx.classes, lx.is_plural, topic_module._rarity, compose_module._mass,
            compose_module._focus, analyse]


def speed(requests: list[CompletionRequest], repeat: int = 20) -> tuple[float, float, float]:
    """(posts/s with each topic read once per run, posts/s reading every topic afresh,
    posts/s with every word's lookups cold too: the floor for a run of all-new vocabulary)."""
    composer = OfflineComposer()
    start = time.process_time()
    for _ in range(repeat):
        for req in requests:
            composer.compose(req)
    warm = repeat * len(requests) / (time.process_time() - start)
    start = time.process_time()
    for req in requests:
        analyse.cache_clear()
        composer.compose(req)
    cold = len(requests) / (time.process_time() - start)
    start = time.process_time()
    for req in requests:
        for cached in _word_caches():
            cached.cache_clear()
        composer.compose(req)
    floor = len(requests) / (time.process_time() - start)
    return warm, cold, floor


def harper_share(posts: list[str]) -> tuple[float, Counter[str]]:
    from fbopt.quality.grammar import make_backend  # Harper takes ~0.5 s to build: only here

    backend = make_backend("harper")
    rules: Counter[str] = Counter()
    flagged = 0
    for text in posts:
        issues = backend.check(text)
        flagged += bool(issues)
        rules.update(i.rule for i in issues)
    return flagged / len(posts), rules


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--topics", type=Path, default=Path("sample_data/topics.csv"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0, help="print this many posts to read")
    ap.add_argument("--no-grammar", action="store_true")
    args = ap.parse_args()
    requests = load_requests(args.topics, args.seed)
    composer = OfflineComposer()
    posts = [(req, composer.compose(req)) for req in requests]
    report(posts, requests, args)
    return 0


def report(posts: list[tuple[CompletionRequest, str]], requests: list[CompletionRequest],
           args: argparse.Namespace) -> None:
    topics = {r.topic: analyse(r.topic, r.tone, r.content_type) for r in requests}
    forms = Counter(t.form for t in topics.values())
    print(f"posts: {len(posts)} from {len(topics)} topics ({args.topics})")
    print("topic forms: " + ", ".join(f"{f} {forms.get(f, 0)}" for f in FORMS)
          + f"; missing: {[f for f in FORMS if not forms.get(f)] or 'none'}")
    rate, top = repetition(posts)
    print(f"filler repetition: most repeated non-topic sentence in {rate:.1%} of posts "
          f"(goal <= 5%); over 5%: {sum(n / len(posts) > 0.05 for _, n in top)}")
    for sent, n in top[:3]:
        print(f"    {n:3d}x  {sent}")
    problems = Counter()
    examples: dict[str, list[str]] = {}
    for req, text in posts:
        for tag in re.findall(r"#\w+", text):
            kind = tag_problem(tag, req.topic)
            if kind:
                problems[kind] += 1
                examples.setdefault(kind, []).append(tag)
    ntags = sum(len(re.findall(r"#\w+", t)) for _, t in posts)
    print(f"hashtags: {ntags}; verb or non-noun head: {problems['verb']} "
          f"{examples.get('verb', [])[:5]}; fragments: {problems['fragment']} "
          f"{examples.get('fragment', [])[:5]} (lemminflect lexicon + adjacency in the topic)")
    serious = [(r, t) for r, t in posts if is_serious(r)]
    loud = [t for _, t in serious if EMOJI.search(t) or "!" in t]
    print(f"serious posts: {len(serious)}; with emoji or '!': {len(loud)} (goal 0)")
    print(f"unkept count promises: {sum(unkept_promises(t) for _, t in posts)} (goal 0)")
    outside = [t for _, t in posts if not 40 <= len(t) <= 500]
    print(f"posts outside 40-500 chars: {len(outside)}")
    if not args.no_grammar:
        share, rules = harper_share([t for _, t in posts])
        print(f"Harper flags: {share:.1%} of posts; rules: {dict(rules.most_common(5))}")
    warm, cold, floor = speed(requests)
    load = os.getloadavg()
    print(f"speed (CPU time): {warm:,.0f} posts/s with each topic read once, {cold:,.0f} posts/s "
          f"reading every topic afresh (goal >= 2,000), {floor:,.0f} posts/s with every word's "
          f"lookups cold too; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    step = max(1, len(posts) // args.show) if args.show else 0
    for req, text in posts[::step][: args.show] if step else []:
        print(f"\n----- {req.topic} | {req.tone} {req.content_type} v{req.variant}\n{text}")


if __name__ == "__main__":
    sys.exit(main())
