"""Do fbopt's scores mean what their names say? Each measurement checks one score against data no
one here wrote, and prints its number beside a plain baseline. Prints; asserts nothing.

Not a test and not a tuning script: JFLEG dev is split in two halves (even and odd lines) and
both are reported; news messages are drawn with a fixed seed, apart from the ones used to tune.

    grammar_pairwise   JFLEG dev: each source sentence against each of its four human
                       corrections; the share of pairs where the correction's grammar_score is
                       higher (ties count half). Baseline: 0.5 (a score that cannot tell).
    news_false_alarms  2,000 messages editors published (jbencina Facebook news): the share with
                       a grammar issue at all, and with a fluency issue (fbopt.quality.fluency).

    .venv/bin/python scripts/eval_scores.py --jfleg ../shared/data/jfleg/dev \
        --news ../shared/data/jbencina-facebook-news/fb_news_posts_20K.csv
    options: --only grammar_pairwise,news_false_alarms --messages 2000 --seed 12
    (--tune-messages N draws N other messages: the set fluency thresholds were tuned on)
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fbopt.config import load_config
from fbopt.quality.score import QualitySettings, Scorer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_jfleg import detokenise  # noqa: E402


def scorer() -> Scorer:
    """The scorer every user gets (packaged defaults), in this process: scores are the same in a
    pool worker and the timing is not the point here."""
    config = load_config(overrides={"quality.workers": 1})
    return Scorer(QualitySettings.from_config(config))


def jfleg_pairs(folder: Path) -> list[tuple[str, list[str]]]:
    """(source, its four corrections), detokenised as posts are written."""
    read = lambda name: (folder / f"dev.{name}").read_text("utf-8").splitlines()  # noqa: E731
    sources = read("src")
    references = [read(f"ref{k}") for k in range(4)]
    return [(detokenise(s), [detokenise(r[i]) for r in references])
            for i, s in enumerate(sources)]


def pairwise_accuracy(scores: dict[str, float], pairs: list[tuple[str, list[str]]]) -> float:
    """The share of (source, correction) pairs where the correction scores higher; ties half."""
    total = 0.0
    count = 0
    for source, corrections in pairs:
        for fixed in corrections:
            a, b = scores[source], scores[fixed]
            total += 1.0 if b > a else 0.5 if b == a else 0.0
            count += 1
    return total / max(count, 1)


def grammar_pairwise(args: argparse.Namespace) -> dict[str, float]:
    """JFLEG dev pairwise accuracy of grammar_score, on the tuning half (even lines), the held-out
    half (odd lines) and all of it."""
    pairs = jfleg_pairs(args.jfleg)
    texts = list(dict.fromkeys(t for s, refs in pairs for t in (s, *refs)))
    with scorer() as s:
        scored = s.score(texts)
    scores = {t: p.grammar_score for t, p in zip(texts, scored, strict=True)}
    halves = {"tune (even lines)": pairs[0::2], "held out (odd lines)": pairs[1::2],
              "all": pairs}
    out = {}
    for name, chosen in halves.items():
        out[name] = pairwise_accuracy(scores, chosen)
        print(f"grammar_score pairwise accuracy, JFLEG dev {name}: {out[name]:.4f} "
              f"({4 * len(chosen)} pairs; baseline 0.5)")
    return out


def news_messages(path: Path, count: int, seed: int, skip: int = 0) -> list[str]:
    """`count` distinct non-empty messages drawn with `seed`, after the first `skip` drawn (so
    a tuning set and a reported set never share a message)."""
    csv.field_size_limit(sys.maxsize)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        texts = list(dict.fromkeys(t for row in csv.DictReader(fh)
                                   if (t := (row.get("message") or "")).strip()))
    random.Random(seed).shuffle(texts)
    return texts[skip:skip + count]


def news_false_alarms(args: argparse.Namespace) -> dict[str, float]:
    """The share of published news messages with any grammar issue, and with a fluency issue."""
    if args.tune_set:  # the first messages drawn: the ones thresholds were tuned on
        texts = news_messages(args.news, args.tune_messages, args.seed)
    else:
        texts = news_messages(args.news, args.messages, args.seed, skip=args.tune_messages)
    with scorer() as s:
        scored = s.score(texts)
    any_issue = sum(1 for p in scored if p.grammar_issues) / len(texts)
    fluent = sum(1 for p in scored if any(i.kind == "Fluency" for i in p.grammar_issues))
    label = "tuning set" if args.tune_set else "reported set"
    print(f"news messages ({label}): {len(texts)}")
    print(f"  flagged by any grammar rule: {any_issue:.2%}")
    print(f"  flagged by the fluency check: {fluent / len(texts):.2%} (goal <= 5%)")
    if args.show:
        for text, p in zip(texts, scored, strict=True):
            for i in p.grammar_issues:
                if i.kind == "Fluency":
                    shown = text[max(0, i.offset - 40):i.offset + i.length + 40]
                    print(f"    [{i.rule}] {text[i.offset:i.offset + i.length]!r}: "
                          f"{shown!r}".replace("\n", " "))
    return {"any": any_issue, "fluency": fluent / len(texts)}


MEASUREMENTS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "grammar_pairwise": grammar_pairwise,
    "news_false_alarms": news_false_alarms,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jfleg", type=Path, default=Path("../shared/data/jfleg/dev"))
    parser.add_argument("--news", type=Path, default=Path(
        "../shared/data/jbencina-facebook-news/fb_news_posts_20K.csv"))
    parser.add_argument("--only", default=",".join(MEASUREMENTS))
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--tune-messages", type=int, default=2000)
    parser.add_argument("--tune-set", action="store_true",
                        help="measure the tuning messages instead of the reported ones")
    parser.add_argument("--show", action="store_true", help="print each fluency issue")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    for name in args.only.split(","):
        start = time.perf_counter()
        MEASUREMENTS[name.strip()](args)
        print(f"({name}: {time.perf_counter() - start:.0f} s; load average "
              f"{os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
