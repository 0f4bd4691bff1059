"""Each page's history: its usual level of engagement, spread, recent trend, posting hour and
the quantiles that place a prediction within the page's own range; a prior for unseen pages.

Not for features of single posts (fbopt.engagement.features). Levels are in log1p space.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

QUANTILES = np.linspace(0.0, 1.0, 51)
# Posts' worth of all pages' level a page's window level starts from.
_WINDOW_PRIOR = 2.0
PAGE_FEATURES = ("page_level", "page_spread", "page_log_posts", "page_trend", "page_seen")


@dataclass
class PageHistory:
    """Per-page sums, fitted on (page, time, log1p engagement) rows."""

    keys: list[str]
    count: np.ndarray
    mean: np.ndarray
    var: np.ndarray
    recent: np.ndarray
    hour: np.ndarray
    quantiles: np.ndarray
    global_mean: float
    global_var: float
    global_quantiles: np.ndarray
    global_hour: int
    prior_weight: float
    halflife: float
    # The mean of each page's last `window` posts (its level now), for the linear head.
    window_level: np.ndarray | None = None
    window: int = 100

    def __post_init__(self) -> None:
        self.index = {key: i for i, key in enumerate(self.keys)}

    # Building ------------------------------------------------------------------------------
    @classmethod
    def fit(cls, page: np.ndarray, time: np.ndarray, y: np.ndarray, hour: np.ndarray, *,
            prior_weight: float, halflife: float, window: int = 100) -> PageHistory:
        keys, inverse = np.unique(page.astype(str), return_inverse=True)
        count = np.bincount(inverse, minlength=len(keys)).astype(np.float64)
        total = np.bincount(inverse, weights=y, minlength=len(keys))
        mean = total / np.maximum(count, 1)
        var = np.bincount(inverse, weights=(y - mean[inverse]) ** 2,
                          minlength=len(keys)) / np.maximum(count, 1)
        g_mean, g_var = float(y.mean()), float(y.var())
        history = cls(list(map(str, keys)), count, mean, var, np.zeros(len(keys)),
                      np.zeros(len(keys), np.int64), np.zeros((len(keys), len(QUANTILES))),
                      g_mean, g_var, np.quantile(y, QUANTILES), int(np.bincount(hour,
                      minlength=24).argmax()), prior_weight, halflife, window=window)
        order = np.lexsort((time, inverse))
        history.recent = history._ewma_end(inverse, y, order)
        history.window_level = history._rolling(inverse[order], y[order], end=True)
        by_page = np.argsort(inverse, kind="stable")
        starts = np.cumsum(count.astype(np.int64)) - count.astype(np.int64)
        for i, rows in enumerate(np.split(by_page, starts[1:])):
            history.quantiles[i] = np.quantile(y[rows], QUANTILES)
            history.hour[i] = np.bincount(hour[rows], minlength=24).argmax()
        return history

    def _ewma_end(self, inverse: np.ndarray, y: np.ndarray, order: np.ndarray) -> np.ndarray:
        alpha = 1.0 - 0.5 ** (1.0 / self.halflife)
        level = self.level_of(np.arange(len(self.keys)))
        recent = level.copy()
        for row in order:
            page = inverse[row]
            recent[page] += alpha * (y[row] - recent[page])
        return recent

    def _rolling(self, page: np.ndarray, y: np.ndarray, end: bool) -> np.ndarray:
        """Rows sorted by (page, time): each row's level from its page's previous `window`
        posts (never itself), or with `end`, each page's level after its last post. Shrunk
        a little toward all pages' level, so a page's second post is not judged on its first
        alone."""
        starts = np.flatnonzero(np.r_[True, page[1:] != page[:-1]]) if len(page) else \
            np.zeros(0, np.int64)
        sizes = np.diff(np.r_[starts, len(page)])
        position = np.arange(len(page)) - np.repeat(starts, sizes)
        sums = np.r_[0.0, np.cumsum(y)]
        g, k = self.global_mean, _WINDOW_PRIOR
        if end:
            stop = starts + sizes
            first = np.maximum(stop - self.window, starts)
            out = np.full(len(self.keys), g)
            out[page[starts]] = (sums[stop] - sums[first] + k * g) / (stop - first + k)
            return out
        first = np.maximum(np.arange(len(page)) - np.minimum(position, self.window), 0)
        count = np.arange(len(page)) - first
        return (sums[np.arange(len(page))] - sums[first] + k * g) / (count + k)

    def rolling_before(self, idx: np.ndarray, time: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The window level of this history's own rows as of just before each one."""
        order = np.lexsort((time, idx))
        out = np.empty(len(idx))
        out[order] = self._rolling(idx[order], y[order], end=False)
        return out

    def level_now(self, idx: np.ndarray) -> np.ndarray:
        """The window level new posts of the pages at `idx` start from (all pages' if unseen)."""
        if self.window_level is None or not len(self.keys):
            return np.full(len(idx), self.global_mean)
        return np.where(idx >= 0, self.window_level[np.maximum(idx, 0)], self.global_mean)

    # Reading -------------------------------------------------------------------------------
    def lookup(self, page: np.ndarray) -> np.ndarray:
        """Row index of each page in this history, -1 for a page never seen."""
        import pyarrow as pa

        # A batch names few pages: look each one up once.
        encoded = pa.array(page, pa.string()).dictionary_encode()
        found = np.array([self.index.get(p, -1) for p in encoded.dictionary.to_pylist()]
                         or [-1], dtype=np.int64)
        return found[encoded.indices.to_numpy(zero_copy_only=False)]

    def level_of(self, idx: np.ndarray) -> np.ndarray:
        n = np.where(idx >= 0, self.count[idx], 0.0)
        mean = np.where(idx >= 0, self.mean[idx], self.global_mean)
        return (n * mean + self.prior_weight * self.global_mean) / (n + self.prior_weight)

    def features(self, idx: np.ndarray) -> dict[str, np.ndarray]:
        """Page features for new posts of the pages at `idx` (from lookup)."""
        seen = idx >= 0
        n = np.where(seen, self.count[idx], 0.0)
        var = np.where(seen, self.var[idx], self.global_var)
        level = self.level_of(idx)
        spread = np.sqrt((n * var + self.prior_weight * self.global_var) / (n + self.prior_weight))
        recent = np.where(seen, self.recent[idx], level)
        return {"page_level": level, "page_spread": spread, "page_log_posts": np.log1p(n),
                "page_trend": recent - level, "page_seen": seen.astype(np.float64)}

    def leave_one_out(self, idx: np.ndarray, time: np.ndarray, y: np.ndarray
                      ) -> dict[str, np.ndarray]:
        """Page features for this history's own rows, each without its own outcome (so the
        model never learns from a level that contains the answer); the trend uses only
        earlier posts, as it will for new ones."""
        n = self.count[idx] - 1
        mean = (self.mean[idx] * self.count[idx] - y) / np.maximum(n, 1)
        sq = (self.var[idx] + self.mean[idx] ** 2) * self.count[idx] - y ** 2
        var = np.maximum(sq / np.maximum(n, 1) - mean ** 2, 0.0)
        w, g = self.prior_weight, self.global_mean
        level = (n * mean + w * g) / (n + w)
        spread = np.sqrt((n * var + w * self.global_var) / (n + w))
        earlier = self._ewma_before(idx, time, y)
        return {"page_level": level, "page_spread": spread, "page_log_posts": np.log1p(n),
                "page_trend": earlier - level, "page_seen": (n > 0).astype(np.float64)}

    def _ewma_before(self, idx: np.ndarray, time: np.ndarray, y: np.ndarray) -> np.ndarray:
        alpha = 1.0 - 0.5 ** (1.0 / self.halflife)
        recent = self.level_of(np.arange(len(self.keys)))
        out = np.empty(len(idx))
        for row in np.lexsort((time, idx)):
            page = idx[row]
            out[row] = recent[page]
            recent[page] += alpha * (y[row] - recent[page])
        return out

    def percentile(self, idx: np.ndarray, log_value: np.ndarray) -> np.ndarray:
        """Where each value falls in its page's history, 0-100 (global history if unseen)."""
        grid = np.where((idx >= 0)[:, None], self.quantiles[np.maximum(idx, 0)],
                        self.global_quantiles[None, :]) if len(self.keys) else \
            np.broadcast_to(self.global_quantiles, (len(idx), len(QUANTILES)))
        return _interp_percentile(log_value, grid)

    def usual_hour(self, idx: np.ndarray) -> np.ndarray:
        return np.where(idx >= 0, self.hour[idx], self.global_hour)

    # Storage -------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"keys": self.keys, "count": self.count.tolist(), "mean": self.mean.tolist(),
                "var": self.var.tolist(), "recent": self.recent.tolist(),
                "hour": self.hour.tolist(), "quantiles": self.quantiles.tolist(),
                "global_mean": self.global_mean, "global_var": self.global_var,
                "global_quantiles": self.global_quantiles.tolist(),
                "global_hour": self.global_hour, "prior_weight": self.prior_weight,
                "halflife": self.halflife, "window": self.window,
                "window_level": None if self.window_level is None
                else self.window_level.tolist()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PageHistory:
        arrays = {k: np.asarray(data[k], dtype=np.float64)
                  for k in ("count", "mean", "var", "recent", "global_quantiles")}
        quantiles = np.asarray(data["quantiles"], dtype=np.float64).reshape(-1, len(QUANTILES))
        return cls(list(data["keys"]), arrays["count"], arrays["mean"], arrays["var"],
                   arrays["recent"], np.asarray(data["hour"], dtype=np.int64), quantiles,
                   float(data["global_mean"]), float(data["global_var"]),
                   arrays["global_quantiles"], int(data["global_hour"]),
                   float(data["prior_weight"]), float(data["halflife"]),
                   None if data.get("window_level") is None
                   else np.asarray(data["window_level"], np.float64),
                   int(data.get("window", 100)))


def _interp_percentile(values: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Invert one quantile grid per row; a value inside a run of equal grid points (many posts
    with the same count) takes the middle of the run."""
    v = values[:, None]
    low = (grid < v).sum(axis=1)
    high = (grid <= v).sum(axis=1)
    last = grid.shape[1] - 1
    step = 100.0 / last
    exact = (low + high - 1) / 2.0 * step
    below = np.clip(low - 1, 0, last - 1)
    rows = np.arange(len(values))
    g0, g1 = grid[rows, below], grid[rows, below + 1]
    gap = np.where(g1 > g0, g1 - g0, 1.0)
    between = (below + np.clip((values - g0) / gap, 0.0, 1.0)) * step
    return np.clip(np.where(high > low, exact, between), 0.0, 100.0)
