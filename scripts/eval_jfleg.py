"""GLEU of fbopt's grammar strategy on JFLEG (the dev split by default). Prints numbers.

Not a test. JFLEG is tokenised text: each sentence is detokenised, corrected by the grammar
strategy (the configured backend's issues, candidates chosen by fbopt.enhance.grammar), and
retokenised before scoring. GLEU follows JFLEG's own eval/gleu.py (Napoles et al., 2016
version with the fixed brevity penalty): the mean over 500 draws of one reference per sentence.

    .venv/bin/python scripts/eval_jfleg.py ../shared/data/jfleg/dev
    options: --split dev --rules posts|default --backend harper --passes 2 --naive --limit N
"""

from __future__ import annotations

import argparse
import math
import random
import re
import time
from collections import Counter
from pathlib import Path

from fbopt.enhance.edits import Edit, apply_edits
from fbopt.enhance.grammar import GrammarChoices, GrammarFixer
from fbopt.quality.grammar import make_backend
from fbopt.quality.house_rules import check_text

_CLITIC = re.compile(r" (n't|'s|'re|'ll|'ve|'m|'d)(?= )", re.IGNORECASE)
# JFLEG's tokens: clitics apart (do n't, it 's), punctuation apart except in abbreviations.
_TOKEN = re.compile(r"(?i)\b(?:mrs?|ms|dr|st|etc|vs)\.|\w+(?=n't\b)|n't\b|'(?:s|re|ll|ve|m|d)\b"
                    r"|\.\.\.|--|\w+(?:[-/]\w+)*|\S")


def detokenise(line: str) -> str:
    text = _CLITIC.sub(r"\1", f" {line.strip()} ")
    text = re.sub(r" ([.,!?;:%)\]}])", r"\1", text)
    text = re.sub(r"([(\[{$]) ", r"\1", text)
    return " ".join(text.split())


def retokenise(text: str) -> str:
    return " ".join(_TOKEN.findall(text))


def ngrams(tokens: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) + 1 - n))


class Gleu:
    """Corpus GLEU with several references, as JFLEG's eval/gleu.py computes it."""

    def __init__(self, sources: list[str], references: list[list[str]], order: int = 4) -> None:
        self.order = order
        self.sources = [[ngrams(s.split(), n) for n in range(1, order + 1)] for s in sources]
        self.references = [[r.split() for r in refs] for refs in zip(*references, strict=True)]

    def stats(self, i: int, hypothesis: str, r: int) -> list[int]:
        hyp, ref = hypothesis.split(), self.references[i][r]
        out = [len(hyp), len(ref)]
        for n in range(1, self.order + 1):
            h, rn, s = ngrams(hyp, n), ngrams(ref, n), self.sources[i][n - 1]
            source_only = Counter({k: v for k, v in s.items() if k not in rn})
            out.append(max(sum((h & rn).values()) - sum((h & source_only).values()), 0))
            out.append(max(len(hyp) + 1 - n, 0))
        return out

    @staticmethod
    def score(stats: list[int]) -> float:
        if any(s == 0 for s in stats):
            return 0.0
        c, r = stats[:2]
        precision = sum(math.log(x / y) for x, y in zip(stats[2::2], stats[3::2], strict=True))
        return math.exp(min(0.0, 1.0 - r / c) + precision / 4)

    def corpus(self, hypotheses: list[str], iterations: int = 500) -> float:
        n_refs = len(self.references[0])
        draws = []
        for j in range(iterations):
            random.seed(j * 101)
            draws.append([random.randint(0, n_refs - 1) for _ in hypotheses])
        totals = [[0] * (2 * self.order + 2) for _ in range(iterations)]
        for i, hyp in enumerate(hypotheses):
            cache: dict[int, list[int]] = {}
            for j in range(iterations):
                r = draws[j][i]
                if r not in cache:
                    cache[r] = self.stats(i, hyp, r)
                totals[j] = [a + b for a, b in zip(totals[j], cache[r], strict=True)]
        return sum(self.score(t) for t in totals) / iterations


def correct(sentences: list[str], backend: object, fixer: GrammarFixer, passes: int,
            naive: bool) -> list[str]:
    out = []
    for text in sentences:
        for _ in range(passes):
            issues = check_text(backend, text)  # type: ignore[arg-type]
            if naive:
                edits = [Edit(i.offset, i.offset + i.length, i.suggestion)
                         for i in issues if i.suggestion is not None]
                fixed = apply_edits(text, edits)
            else:
                fixed = fixer.fix(text, issues)
            if fixed == text:
                break
            text = fixed
        out.append(text)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="JFLEG split folder: ../shared/data/jfleg/dev")
    parser.add_argument("--split", default="dev")
    parser.add_argument("--backend", default="harper")
    parser.add_argument("--rules", default="posts", help="Harper rule selection")
    parser.add_argument("--passes", type=int, default=2, help="check-and-fix rounds per sentence")
    parser.add_argument("--naive", action="store_true", help="apply every first suggestion")
    parser.add_argument("--edit-cost", type=float, default=GrammarChoices.edit_cost)
    parser.add_argument("--first-bonus", type=float, default=GrammarChoices.first_bonus)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()

    read = lambda name: (args.folder / f"{args.split}.{name}").read_text("utf-8").splitlines()  # noqa: E731
    sources = read("src")[: args.limit]
    references = [read(f"ref{k}")[: args.limit] for k in range(4)]
    gleu = Gleu(sources, references)
    backend = make_backend(args.backend, harper_rules=args.rules)
    fixer = GrammarFixer(GrammarChoices(edit_cost=args.edit_cost, first_bonus=args.first_bonus))
    start = time.perf_counter()
    detok = [detokenise(s) for s in sources]
    corrected = correct(detok, backend, fixer, args.passes, args.naive)
    seconds = time.perf_counter() - start
    hypotheses = [retokenise(t) for t in corrected]
    print(f"sentences: {len(sources)}; backend: {args.backend} ({args.rules} rules); "
          f"{'naive first suggestions' if args.naive else 'fbopt grammar strategy'}, "
          f"{args.passes} pass(es); {seconds:.1f} s")
    round_trip = [retokenise(t) for t in detok]
    print(f"GLEU no edit (source as given):          {100 * gleu.corpus(sources):.2f}")
    print(f"GLEU no edit (detokenised+retokenised):  {100 * gleu.corpus(round_trip):.2f}")
    print(f"GLEU corrected:                          {100 * gleu.corpus(hypotheses):.2f}")
    changed = sum(a != b for a, b in zip(detok, corrected, strict=True))
    print(f"sentences changed: {changed} of {len(sources)}")


if __name__ == "__main__":
    main()
