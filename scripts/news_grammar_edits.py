"""The edits the grammar strategy would make to real posts, counted by the rule that asked for
them, with examples: a check that corrections do not break correct text. Prints; asserts nothing.

Not a test and not a precision figure: whether an edit is right is for a reader to judge from
the examples it prints.

    .venv/bin/python scripts/news_grammar_edits.py \
        ../shared/data/jbencina-facebook-news/fb_news_posts_20K.csv
    options: --column message --sample 2500 --seed 9 --examples 12
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from collections import defaultdict
from pathlib import Path

from fbopt.enhance.grammar import GrammarFixer
from fbopt.quality.grammar import make_backend
from fbopt.quality.house_rules import check_text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("posts", type=Path)
    parser.add_argument("--column", default="message")
    parser.add_argument("--sample", type=int, default=2500, help="posts drawn at random")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--examples", type=int, default=12, help="shown per rule")
    args = parser.parse_args()

    csv.field_size_limit(sys.maxsize)
    with open(args.posts, encoding="utf-8-sig", newline="") as fh:
        texts = [t for row in csv.DictReader(fh) if (t := row.get(args.column) or "").strip()]
    random.seed(args.seed)
    texts = random.sample(texts, min(args.sample, len(texts)))
    backend, fixer = make_backend("harper", harper_rules="posts"), GrammarFixer()
    edits: dict[str, list[str]] = defaultdict(list)
    for text in texts:
        for issue in check_text(backend, text):
            start, end = issue.offset, issue.offset + issue.length
            choice = fixer.choose(text, issue)
            if choice is None or choice == text[start:end]:
                continue
            shown = (f"{text[max(0, start - 25):start]}[{text[start:end]}->{choice}]"
                     f"{text[end:end + 20]}")
            edits[issue.rule].append(shown.replace("\n", " "))
    print(f"posts: {len(texts)}; edits: {sum(map(len, edits.values()))}")
    for rule, found in sorted(edits.items(), key=lambda kv: -len(kv[1])):
        print(f"{rule}: {len(found)}")
        for example in found[:args.examples]:
            print(f"    {example}")


if __name__ == "__main__":
    main()
