"""A trained engagement model in memory: network, feature configuration, page history and
interval calibration, and the scoring of posts with them.

Not for saving or loading (fbopt.engagement.artifact) nor for training.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from fbopt.engagement import linear as linear_head
from fbopt.engagement.features import FeatureConfig, Featurizer, Raw, observed_age
from fbopt.engagement.formats import Posts
from fbopt.engagement.history import PageHistory
from fbopt.engagement.linear import LinearHead
from fbopt.engagement.model import EnsembleNet, to_tensors
from fbopt.engagement.text import Bag
from fbopt.engagement.train import combine, z_of


@dataclass
class Prepared:
    """A batch of posts ready to score: page index, raw values and n-gram bags."""

    page_index: np.ndarray
    raw: Raw
    bags: list[Bag]
    wide: list[Bag] = field(default_factory=list)
    page_hash: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint32))
    keys: list[np.ndarray] = field(default_factory=list)


@dataclass
class Base:
    """The unedited posts inside the network: scaled dense rows, first-layer
    pre-activations, the text's direct term and the page level; edits start from here."""

    dense: np.ndarray
    first: torch.Tensor
    wide: torch.Tensor
    level: torch.Tensor | None
    # The linear head's mature value, the page's level now, and the (page, media) and
    # (page, hour) ids with the page hashes that make an edit's new ids.
    linear: np.ndarray = field(default_factory=lambda: np.zeros(0))
    level_now: np.ndarray = field(default_factory=lambda: np.zeros(0))
    page_hash: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint32))
    keys: list[np.ndarray] = field(default_factory=list)


@dataclass
class Parts:
    """A batch's pieces before they are blended, log1p: the page's level now, the linear
    head's value, the network's ensemble mean, and the network's (uncalibrated) spread."""

    level: np.ndarray
    linear: np.ndarray
    net: np.ndarray
    spread: np.ndarray


@dataclass
class Scored:
    """A scored batch: what it was made from, and its mature and measured-age scores (the
    same unless the posts say when their outcomes were measured)."""

    prepared: Prepared
    base: Base
    mature: Scores
    observed: Scores
    parts: Parts | None = None


@dataclass
class Scores:
    """Predictions in log1p space: ensemble mean, calibrated spread, interval bounds."""

    mean: np.ndarray
    spread: np.ndarray
    low: np.ndarray
    high: np.ndarray


@dataclass
class EngagementModel:
    net: EnsembleNet
    features: FeatureConfig
    history: PageHistory
    interval: float = 0.8
    scale: float = 1.0
    best_hour: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    global_best_hour: int = 12
    # Each page's time zone in its history, minutes east of UTC (NaN: none written).
    utc_offset: np.ndarray = field(default_factory=lambda: np.zeros(0))
    meta: dict[str, Any] = field(default_factory=dict)
    device: str = "cpu"
    batch_size: int = 8192
    linear: LinearHead | None = None
    # The blend, fitted on held-out posts: level + a * linear + b * (network - level) + c.
    stack: tuple[float, float, float] = (0.0, 1.0, 0.0)

    def __post_init__(self) -> None:
        self.featurizer = Featurizer(self.features)

    def prepare(self, posts: Posts) -> Prepared:
        idx = self.history.lookup(posts.page)
        signals, wide = self.featurizer.text_wide(posts)
        raw = self.featurizer.raw(posts, signals, self.history.features(idx),
                                  self.history.usual_hour(idx))
        page_hash, keys = self.featurizer.keys(posts, raw)
        return Prepared(idx, raw, self.featurizer.net_bags(wide), wide, page_hash, keys)

    def linear_value(self, prepared: Prepared, dense: np.ndarray, age: np.ndarray
                     ) -> np.ndarray:
        if self.linear is None:
            return np.zeros(len(dense))
        x = linear_head.design(prepared.wide, prepared.keys,
                               np.hstack([dense, linear_head.age_columns(age)]))
        return self.linear.predict(x)

    def age_term(self, age: np.ndarray, instead_of: np.ndarray) -> np.ndarray:
        """What the linear head adds for being measured at `age` rather than `instead_of`
        (only its age columns differ, so the rest is not computed again)."""
        if self.linear is None:
            return np.zeros(len(age))
        weights = self.linear.dense[-(len(linear_head.AGE_EDGES) + 1):]
        return (linear_head.age_columns(age) - linear_head.age_columns(instead_of)) @ weights

    def blended(self, level: np.ndarray, linear: np.ndarray, net: np.ndarray) -> np.ndarray:
        a, b, c = self.stack
        return level + a * linear + b * (net - level) + c

    def blend(self, parts: Parts) -> tuple[np.ndarray, np.ndarray]:
        """(mean, uncalibrated spread) of the blend, log1p."""
        return self.blended(parts.level, parts.linear, parts.net), parts.spread

    def parts(self, posts: Posts) -> Parts:
        """The pieces at the measured age (where the posts say it), for fitting the blend."""
        parts = self.score(posts).parts
        assert parts is not None
        return parts

    def text_part(self, prepared: Prepared) -> torch.Tensor:
        """The network's text term for each post, reused for every edit of the same post."""
        tensors = to_tensors(_no_dense(prepared), torch.device(self.device))
        self.net.eval()
        with torch.inference_mode():
            return self.net.text_part(tensors["ids"], tensors["offsets"], tensors["weights"])

    def head(self, text_part: torch.Tensor, raw: Raw, rows: np.ndarray | None = None
             ) -> tuple[np.ndarray, np.ndarray]:
        """Members' (mu, sigma) for `raw` (all posts, or the posts at `rows`)."""
        dense = self.featurizer.scale(self.featurizer.dense(raw))
        part = text_part if rows is None else text_part[:, torch.from_numpy(rows).to(
            text_part.device)]
        with torch.inference_mode():
            mu, log_sigma = self.net.head(part, torch.from_numpy(dense).to(part.device))
        return mu.float().cpu().numpy(), log_sigma.exp().float().cpu().numpy()

    def at_age(self, mu: torch.Tensor, age: np.ndarray) -> np.ndarray:
        """Members' mature predictions turned into what a post holds `age` hours in."""
        with torch.inference_mode():
            found = self.net.observed(mu, torch.from_numpy(age).to(mu.device))
        return found.float().cpu().numpy()

    def scores(self, mean: np.ndarray, spread: np.ndarray) -> Scores:
        spread = spread * self.scale
        z = z_of(self.interval)
        return Scores(mean, spread, mean - z * spread, mean + z * spread)

    def score(self, posts: Posts) -> Scored:
        prepared = self.prepare(posts)
        text = self.text_part(prepared)
        dense = self.featurizer.scale(self.featurizer.dense(prepared.raw))
        with torch.inference_mode():
            dense_t = torch.from_numpy(dense).to(text.device)
            base = Base(dense, self.net.first_layer(text, dense_t), text[..., -1],
                        self.net.level(dense_t))
            mu_t, log_sigma = self.net.finish(base.first, base.wide, base.level)
        mu, sigma = mu_t.float().cpu().numpy(), log_sigma.exp().float().cpu().numpy()
        age = prepared.raw.age_hours
        measured = not np.isnan(age).all()
        # A new post is scored as if measured as late as most history was.
        mature_age = np.full(len(age), self.features.mature_age_hours if measured else np.nan)
        base.linear = self.linear_value(prepared, dense, mature_age)
        base.level_now = self.history.level_now(prepared.page_index)
        base.page_hash, base.keys = prepared.page_hash, prepared.keys
        net_mature, spread = combine(mu.astype(np.float64), sigma.astype(np.float64))
        mature_parts = Parts(base.level_now, base.linear, net_mature, spread)
        mature = self.scores(*self.blend(mature_parts))
        if not measured:
            return Scored(prepared, base, mature, mature, mature_parts)
        seen = self.at_age(mu_t, observed_age(prepared.raw)).astype(np.float64)
        net_seen, spread_seen = combine(seen, sigma.astype(np.float64))
        parts = Parts(base.level_now, base.linear + self.age_term(age, mature_age), net_seen,
                      spread_seen)
        return Scored(prepared, base, mature, self.scores(*self.blend(parts)), parts)

    def edited_mean(self, base: Base, rows: np.ndarray, slots: np.ndarray,
                    values: np.ndarray, media: np.ndarray | None = None,
                    hour: np.ndarray | None = None) -> np.ndarray:
        """Blended mature log1p prediction of the posts at `rows` with the dense columns
        `slots` set to `values` (scaled), and their media type or hour changed to `media` or
        `hour` where given (the linear head's page x media and page x hour terms move too)."""
        delta = values - base.dense[:, slots][rows]
        device = base.first.device
        index = torch.from_numpy(rows).to(device)
        with torch.inference_mode():
            mu, _ = self.net.edited(base.first[:, index], base.wide[:, index],
                                    None if base.level is None else base.level[index],
                                    torch.from_numpy(slots).to(device),
                                    torch.from_numpy(delta).to(device))
        net = mu.float().mean(dim=1).cpu().numpy().astype(np.float64)
        lin = base.linear[rows]
        if self.linear is not None:
            lin = lin + delta.astype(np.float64) @ self.linear.dense[slots]
            if media is not None or hour is not None:
                pages = base.page_hash[rows]
                new = self.featurizer.cross(pages, _or_zeros(media, len(rows)),
                                            _or_zeros(hour, len(rows)))
                for which, codes in ((0, media), (1, hour)):
                    if codes is not None:
                        lin = lin + self.linear.sparse[new[which]] \
                            - self.linear.sparse[base.keys[which][rows]]
        return self.blended(base.level_now[rows], lin, net)

    def page_offset(self, idx: np.ndarray) -> np.ndarray:
        """The time zone (minutes east of UTC) of each post's page; NaN where unknown."""
        known = (idx >= 0) & (idx < len(self.utc_offset))
        if not len(self.utc_offset):
            return np.full(len(idx), np.nan)
        return np.where(known, self.utc_offset[np.where(known, idx, 0)], np.nan)

    def page_best_hour(self, idx: np.ndarray) -> np.ndarray:
        known = (idx >= 0) & (idx < len(self.best_hour))
        return np.where(known, self.best_hour[np.where(known, idx, 0)] if len(self.best_hour)
                        else self.global_best_hour, self.global_best_hour)


def _or_zeros(codes: np.ndarray | None, n: int) -> np.ndarray:
    """The edited codes, or a stand-in where that key is not edited (its ids go unused)."""
    return codes if codes is not None else np.zeros(n, np.int64)


def _no_dense(prepared: Prepared) -> Any:
    from fbopt.engagement.features import Inputs

    return Inputs(prepared.bags, np.zeros((len(prepared.page_index), 0), np.float32))


def as_interactions(log_value: np.ndarray) -> np.ndarray:
    """From log1p space back to a count of interactions."""
    return np.expm1(np.clip(log_value, 0.0, 30.0))
