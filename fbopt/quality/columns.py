"""The quality engine's output columns, as Arrow fields and arrays.

Not for computing scores (fbopt.quality.score). `generate` and `enhance` both write these.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from fbopt.quality.score import SCORE_NAMES, PostScores

GRAMMAR_ISSUE = pa.struct([
    pa.field("kind", pa.string()),
    pa.field("message", pa.string()),
    pa.field("offset", pa.int32()),
    pa.field("length", pa.int32()),
    pa.field("suggestion", pa.string()),
    pa.field("rule", pa.string()),
])
SCORE_FIELDS = [pa.field(name, pa.float64()) for name in SCORE_NAMES] + [
    pa.field("grammar_issues", pa.list_(GRAMMAR_ISSUE))]


def score_columns(results: Sequence[PostScores | None], suffix: str = "",
                  issues: bool = True) -> dict[str, pa.Array]:
    """One float64 column per score (named name + suffix) and, with `issues`, grammar_issues.
    A None result (a post that was not written) gives nulls."""
    columns = {name + suffix: pa.array([getattr(r, name) if r else None for r in results],
                                       pa.float64())
               for name in SCORE_NAMES}
    if issues:
        columns["grammar_issues"] = issue_column(results)
    return columns


def issue_column(results: Sequence[PostScores | None]) -> pa.Array:
    return pa.array([[i.as_record() for i in r.grammar_issues] if r else None for r in results],
                    pa.list_(GRAMMAR_ISSUE))
