"""A trained engagement model in memory: network, feature configuration, page history and
interval calibration, and the scoring of posts with them.

Not for saving or loading (fbopt.engagement.artifact) nor for training.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from fbopt.engagement.features import FeatureConfig, Featurizer, Raw, observed_age
from fbopt.engagement.formats import Posts
from fbopt.engagement.history import PageHistory
from fbopt.engagement.model import EnsembleNet, to_tensors
from fbopt.engagement.text import Bag
from fbopt.engagement.train import combine, z_of


@dataclass
class Prepared:
    """A batch of posts ready to score: page index, raw values and n-gram bags."""

    page_index: np.ndarray
    raw: Raw
    bags: list[Bag]


@dataclass
class Base:
    """The unedited posts inside the network: scaled dense rows, first-layer
    pre-activations, the text's direct term and the page level; edits start from here."""

    dense: np.ndarray
    first: torch.Tensor
    wide: torch.Tensor
    level: torch.Tensor | None


@dataclass
class Scored:
    """A scored batch: what it was made from, and its mature and measured-age scores (the
    same unless the posts say when their outcomes were measured)."""

    prepared: Prepared
    base: Base
    mature: Scores
    observed: Scores


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
    meta: dict[str, Any] = field(default_factory=dict)
    device: str = "cpu"
    batch_size: int = 8192

    def __post_init__(self) -> None:
        self.featurizer = Featurizer(self.features)

    def prepare(self, posts: Posts) -> Prepared:
        idx = self.history.lookup(posts.page)
        signals, bags = self.featurizer.text(posts)
        raw = self.featurizer.raw(posts, signals, self.history.features(idx),
                                  self.history.usual_hour(idx))
        return Prepared(idx, raw, bags)

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

    def scores(self, mu: np.ndarray, sigma: np.ndarray) -> Scores:
        mean, spread = combine(mu.astype(np.float64), sigma.astype(np.float64))
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
        mature = self.scores(mu, sigma)
        if np.isnan(prepared.raw.age_hours).all():
            return Scored(prepared, base, mature, mature)
        observed = self.scores(self.at_age(mu_t, observed_age(prepared.raw)), sigma)
        return Scored(prepared, base, mature, observed)

    def edited_mean(self, base: Base, rows: np.ndarray, slots: np.ndarray,
                    values: np.ndarray) -> np.ndarray:
        """Ensemble-mean mature log1p prediction of the posts at `rows` with the dense columns
        `slots` set to `values` (scaled)."""
        delta = values - base.dense[:, slots][rows]
        device = base.first.device
        index = torch.from_numpy(rows).to(device)
        with torch.inference_mode():
            mu, _ = self.net.edited(base.first[:, index], base.wide[:, index],
                                    None if base.level is None else base.level[index],
                                    torch.from_numpy(slots).to(device),
                                    torch.from_numpy(delta).to(device))
        return mu.float().mean(dim=1).cpu().numpy().astype(np.float64)

    def page_best_hour(self, idx: np.ndarray) -> np.ndarray:
        known = (idx >= 0) & (idx < len(self.best_hour))
        return np.where(known, self.best_hour[np.where(known, idx, 0)] if len(self.best_hour)
                        else self.global_best_hour, self.global_best_hour)


def _no_dense(prepared: Prepared) -> Any:
    from fbopt.engagement.features import Inputs

    return Inputs(prepared.bags, np.zeros((len(prepared.page_index), 0), np.float32))


def as_interactions(log_value: np.ndarray) -> np.ndarray:
    """From log1p space back to a count of interactions."""
    return np.expm1(np.clip(log_value, 0.0, 30.0))
