"""`fbopt.history()`: the run history as a pandas DataFrame, newest run first.

Not for writing the history (fbopt.analytics.record).
"""

from __future__ import annotations

from typing import Any

from fbopt.analytics import store


def runs(limit: int | None = None, command: str | None = None,
         input_path: str | None = None) -> list[dict[str, Any]]:
    """The recorded runs as dicts, newest first (JSON columns decoded)."""
    db = store.connect()
    try:
        return store.fetch_runs(db, limit=limit, command=command, input_path=input_path)
    finally:
        db.close()


def history(limit: int | None = None, command: str | None = None,
            input: str | None = None) -> Any:  # noqa: A002 - the user's word for it
    """Recorded runs as a DataFrame, newest first: one row per run, with the columns of
    `fbopt history --json` (started_at and finished_at as UTC timestamps)."""
    import pandas as pd

    from fbopt.analytics.store import COLUMNS, JSON_COLUMNS

    frame = pd.DataFrame(runs(limit, command, input),
                         columns=["id", *COLUMNS, *JSON_COLUMNS])
    for column in ("started_at", "finished_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame
