"""What `learn` writes about itself: the model's metadata (columns, spans, metrics, settings)
and the feedback it passes on to the performance history.

Not for training; fbopt.feedback owns the history store.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import numpy as np

from fbopt.engagement.formats import ColumnMap, Posts
from fbopt.engagement.scoring import EngagementModel
from fbopt.engagement.train import TrainSettings


def _iso(seconds: float) -> str | None:
    if not np.isfinite(seconds):
        return None
    return datetime.fromtimestamp(float(seconds), tz=timezone.utc).isoformat(timespec="seconds")


def span(times: np.ndarray) -> dict[str, Any]:
    known = times[~np.isnan(times)]
    if not len(known):
        return {"from": None, "to": None, "posts": int(len(times))}
    return {"from": _iso(known.min()), "to": _iso(known.max()), "posts": int(len(times))}


def describe_run(posts: Posts, columns: ColumnMap, when: np.ndarray, details: dict[str, Any],
                 found: dict[str, Any], settings: TrainSettings, seconds: float
                 ) -> dict[str, Any]:
    """The model's metadata; its "report" part also goes into the run report."""
    train_rows, val_rows = details["train_rows"], details["val_rows"]
    pages = {str(p) for p in posts.page}
    report = {
        "columns": columns.describe(),
        "posts": int(len(posts)),
        "pages": len(pages - {""}),
        "training_span": span(posts.time),
        "train_split": span(posts.time[train_rows]),
        "validation_split": span(posts.time[val_rows]),
        "validation": found,
        "best_epoch": int(details["best_epoch"]),
        "epochs_run": int(details["epochs_run"]),
        "validation_mse_by_epoch": [round(v, 4) for v in details["val_losses"]],
        "device": settings.device,
        "train_batch_size": settings.batch_size,
        "seed": settings.seed,
        # prediction = page level now + linear * head + network * (net - level) + offset
        "blend": dict(zip(("linear", "network", "offset"),
                          (round(float(v), 4) for v in details["stack"]), strict=True)),
        # Which of blend / linear head alone / network alone ranked validation posts best.
        "blend_choice": details.get("chosen", "blend"),
        "train_seconds": round(seconds, 2),
    }
    if np.isnan(posts.time).all():
        report["note"] = "no time column: file order was taken as time order"
    return {"report": report, "trained_at": datetime.now(timezone.utc).isoformat(
        timespec="seconds")}


def record_feedback(posts: Posts, model: EngagementModel, y: np.ndarray) -> int:
    """Posts fbopt generated (with `model` and `content_type` columns) report their real
    result to the performance history: engagement is the post's percentile within its page's
    history, 0-1, so a big page and a small page are judged on the same scale."""
    if "model" not in posts.feedback:
        return 0
    from fbopt.feedback import record_outcomes

    idx = model.history.lookup(posts.page)
    share = model.history.percentile(idx, y) / 100.0
    names = ("model", "provider", "content_type", "prompt_variant")
    rows = [{**{k: posts.feedback[k][i] for k in names if k in posts.feedback},
             "engagement": float(share[i])} for i in range(len(posts))]
    return record_outcomes(rows, source="learn")
