"""`fbopt.score(...)`: the quality engine from Python, for one text, a list or a DataFrame.

Not for files (fbopt.enhance.run streams files; `generate` scores what it writes).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fbopt.config import Config, load_config
from fbopt.errors import InputError
from fbopt.quality.score import SCORE_NAMES, PostScores, QualitySettings, Scorer

TEXT_COLUMNS = ("text", "message", "status_message", "content", "post")


def score(posts: Any, *, text_column: str | None = None,
          config: Config | str | Path | None = None) -> Any:
    """Score posts. A str gives one dict; a list of str a list of dicts; a pandas DataFrame a
    copy with the score columns added (the text column auto-detected unless named).

    Each dict holds grammar_score, readability_score, sentiment_score, engagement_score,
    creativity_score, overall_quality (all 0-1), grammar_issues (kind, message, offset,
    length, suggestion) and the measurements behind the scores (flesch_reading_ease, grade,
    sentiment_compound, ...). Posts scored together count as one run for novelty."""
    cfg = config if isinstance(config, Config) else load_config(config)
    with Scorer(QualitySettings.from_config(cfg)) as scorer:
        if isinstance(posts, str):
            return as_dict(scorer.score([posts])[0])
        if hasattr(posts, "columns") and hasattr(posts, "assign"):
            return _score_frame(scorer, posts, text_column)
        if isinstance(posts, Sequence):
            return [as_dict(r) for r in scorer.score(list(posts))]
    raise TypeError(f"expected a str, a list of str or a DataFrame, got {type(posts).__name__}")


def as_dict(result: PostScores) -> dict[str, Any]:
    return {**result.scores(), "grammar_issues": [i.as_record() for i in result.grammar_issues],
            **result.details}


def _score_frame(scorer: Scorer, frame: Any, text_column: str | None) -> Any:
    column = text_column or next((c for c in frame.columns if str(c).lower() in TEXT_COLUMNS),
                                 None)
    if column is None or column not in frame.columns:
        raise InputError(f"no text column (looked for {text_column or ', '.join(TEXT_COLUMNS)})",
                         path="<DataFrame>", hint="pass text_column='...'")
    results = scorer.score(frame[column].tolist())
    added = {name: [getattr(r, name) for r in results] for name in SCORE_NAMES}
    added["grammar_issues"] = [[i.as_record() for i in r.grammar_issues] for r in results]
    return frame.assign(**added)
