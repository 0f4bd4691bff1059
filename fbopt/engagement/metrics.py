"""How good the predictions are: Spearman overall and within each page, MAE in log space,
interval coverage, and the PNG of predicted against actual and of calibration.

Not for training decisions (early stopping uses plain MSE in fbopt.engagement.train).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np


def ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties sharing their average rank (as Spearman's rho wants)."""
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    boundaries = np.flatnonzero(np.diff(sorted_values) != 0) + 1
    starts = np.concatenate([[0], boundaries])
    ends = np.concatenate([boundaries, [len(values)]])
    average = (starts + ends + 1) / 2.0
    out = np.empty(len(values))
    out[order] = np.repeat(average, ends - starts)
    return out


def spearman(predicted: np.ndarray, actual: np.ndarray) -> float:
    """Spearman's rho; 0 when either side is constant (no ranking to speak of)."""
    if len(actual) < 2:
        return 0.0
    a, b = ranks(np.asarray(predicted, float)), ranks(np.asarray(actual, float))
    a, b = a - a.mean(), b - b.mean()
    denominator = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / denominator) if denominator > 0 else 0.0


def spearman_within(predicted: np.ndarray, actual: np.ndarray, page: np.ndarray,
                    min_posts: int = 3) -> float:
    """Mean over pages (with at least `min_posts` posts) of Spearman within the page."""
    values = []
    keys = np.asarray(page).astype(str)
    for key in np.unique(keys):
        rows = keys == key
        if rows.sum() >= min_posts:
            values.append(spearman(predicted[rows], actual[rows]))
    return float(np.mean(values)) if values else 0.0


def summary(predicted: np.ndarray, actual: np.ndarray, page: np.ndarray, low: np.ndarray,
            high: np.ndarray) -> dict[str, Any]:
    """The report's metrics; everything in log1p space except the rank correlations."""
    inside = (actual >= low) & (actual <= high)
    return {
        "posts": int(len(actual)),
        "spearman": round(spearman(predicted, actual), 4),
        "spearman_within_page": round(spearman_within(predicted, actual, page), 4),
        "mae_log": round(float(np.mean(np.abs(predicted - actual))), 4) if len(actual) else None,
        "interval_coverage": round(float(inside.mean()), 4) if len(actual) else None,
    }


def plot(path: Path, predicted: np.ndarray, actual: np.ndarray, low: np.ndarray,
         high: np.ndarray, interval: float) -> Path:
    """Two panels: predicted against actual, and mean actual per decile of predicted (with
    the interval's coverage per decile) against the diagonal."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2)
    span = [float(min(predicted.min(), actual.min())), float(max(predicted.max(), actual.max()))]
    left.scatter(actual, predicted, s=4, alpha=0.3)
    left.plot(span, span, color="black", linewidth=1)
    left.set(xlabel="actual log1p(interactions)", ylabel="predicted",
             title="Validation: predicted against actual")
    _calibration_panel(right, predicted, actual, low, high, interval, span)
    figure.tight_layout()
    figure.savefig(path)
    return path


def _calibration_panel(axes: Any, predicted: np.ndarray, actual: np.ndarray, low: np.ndarray,
                       high: np.ndarray, interval: float, span: list[float]) -> None:
    bins = np.array_split(np.argsort(predicted), min(10, max(len(predicted), 1)))
    means = [(predicted[b].mean(), actual[b].mean()) for b in bins if len(b)]
    cover = [float(((actual[b] >= low[b]) & (actual[b] <= high[b])).mean()) for b in bins
             if len(b)]
    xs, ys = zip(*means, strict=True) if means else ((), ())
    axes.plot(span, span, color="black", linewidth=1)
    axes.plot(xs, ys, marker="o", label="mean actual per decile")
    for x, y, c in zip(xs, ys, cover, strict=True):
        axes.annotate(f"{c:.0%}", (x, y), textcoords="offset points", xytext=(4, -10),
                      fontsize=7)
    axes.set(xlabel="mean predicted", ylabel="mean actual",
             title=f"Calibration (labels: {interval:.0%} interval coverage)")
    axes.legend(loc="upper left")
