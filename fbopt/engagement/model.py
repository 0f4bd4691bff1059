"""The torch network: an ensemble of small MLPs over hashed n-gram embeddings and dense
features, each member predicting log1p engagement and its own uncertainty.

Not for training loops (fbopt.engagement.train) or for features (fbopt.engagement.features).
All members live in one module with stacked weights: one embedding lookup serves every member,
which keeps prediction fast, while their parameters never mix.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from fbopt.engagement.features import Inputs


@dataclass
class NetConfig:
    buckets: int
    dense: int
    members: int = 3
    embedding_dim: int = 16
    hidden: int = 32
    dropout: float = 0.3
    halflife_hours: float = 2.0
    # Where the page's level sits in the dense row, and how it was scaled: the network
    # predicts the post's difference from its page's usual level.
    level_slot: int = -1
    level_mean: float = 0.0
    level_std: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class EnsembleNet(nn.Module):
    """`forward(tensors) -> (mu, log_sigma)`, each [batch, members], in log1p space."""

    def __init__(self, config: NetConfig) -> None:
        super().__init__()
        self.config = config
        m, d, h = config.members, config.embedding_dim, config.hidden
        # Sparse gradients: a step touches a few thousand of the 65k rows (see LazyAdamW).
        # Per member: d embedding dimensions, plus one that adds straight to the output (a
        # linear model of the n-grams, which small histories fit best).
        self.bag = nn.EmbeddingBag(config.buckets, m * (d + 1), mode="sum", sparse=True)
        nn.init.normal_(self.bag.weight, std=0.05)
        self.text_in = nn.Parameter(_stacked(m, d, h))
        self.dense_in = nn.Parameter(_stacked(m, config.dense, h))
        self.bias_in = nn.Parameter(torch.zeros(m, h))
        self.hidden = nn.Parameter(_stacked(m, h, h))
        self.bias_hidden = nn.Parameter(torch.zeros(m, h))
        self.out = nn.Parameter(_stacked(m, h, 2) * 0.1)
        self.bias_out = nn.Parameter(torch.zeros(m, 2))
        self.drop = nn.Dropout(config.dropout)
        # Interactions arrive fast, then slow down: a post measured `age` hours after it went
        # up holds 1 / (1 + (halflife / age) ** shape) of its final count (a log-logistic
        # curve: half at `halflife`, with a long tail). History seldom has posts young
        # enough to learn the curve from, so it starts at a prior and moves with data.
        self.log_halflife = nn.Parameter(torch.tensor(float(np.log(config.halflife_hours))))
        self.log_shape = nn.Parameter(torch.tensor(0.0))

    def text_part(self, ids: list[torch.Tensor], offsets: list[torch.Tensor],
                  weights: list[torch.Tensor]) -> torch.Tensor:
        """The text's contribution, [members, batch, hidden + 1]: to the first layer, and (the
        last channel) to the output. Computed once per post and reused for every edited
        variant of its dense row. Members lead every tensor, so each layer is one batched
        matrix product."""
        m, d = self.config.members, self.config.embedding_dim
        total = None
        for i, o, w in zip(ids, offsets, weights, strict=True):
            part = self.bag(i, o, per_sample_weights=w)
            total = part if total is None else total + part
        assert total is not None
        total = total.view(-1, m, d + 1).transpose(0, 1)
        vectors, wide = self.drop(total[..., :d]), total[..., d:]
        return torch.cat([torch.bmm(vectors, self.text_in), wide], dim=2)

    def head(self, text_part: torch.Tensor, dense: torch.Tensor) -> tuple[torch.Tensor,
                                                                          torch.Tensor]:
        """Members' (mu, log sigma), each [batch, members], from the text part and the dense
        rows ([batch, features])."""
        return self.finish(self.first_layer(text_part, dense), text_part[..., -1],
                           self.level(dense))

    def first_layer(self, text_part: torch.Tensor, dense: torch.Tensor) -> torch.Tensor:
        """Pre-activations of the first layer, [members, batch, hidden]. It is linear in the
        dense row, so an edit to a few columns adds delta @ weights[columns] (see edited)."""
        return torch.matmul(dense, self.dense_in).add_(text_part[..., :-1]).add_(
            self.bias_in[:, None, :])

    def level(self, dense: torch.Tensor) -> torch.Tensor | None:
        if self.config.level_slot < 0:
            return None
        return dense[:, self.config.level_slot] * self.config.level_std + self.config.level_mean

    def finish(self, first: torch.Tensor, wide: torch.Tensor, level: torch.Tensor | None
               ) -> tuple[torch.Tensor, torch.Tensor]:
        """(mu, log sigma), each [batch, members]."""
        hidden = torch.relu(first)
        hidden = torch.relu_(torch.baddbmm(self.bias_hidden[:, None, :], self.drop(hidden),
                                           self.hidden))
        out = torch.baddbmm(self.bias_out[:, None, :], hidden, self.out)
        mu = out[..., 0] + wide
        if level is not None:
            mu = mu + level[None, :]
        return mu.t(), out[..., 1].clamp(-4.0, 3.0).t()

    def edited(self, first: torch.Tensor, wide: torch.Tensor, level: torch.Tensor | None,
               slots: torch.Tensor, delta: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(mu, log sigma) of posts whose dense rows changed by `delta` in columns `slots`,
        from their unedited first-layer pre-activations."""
        changed = first + torch.matmul(delta, self.dense_in[:, slots, :])
        return self.finish(changed, wide, level)

    def observed(self, mature: torch.Tensor, age: torch.Tensor) -> torch.Tensor:
        """log1p of the interactions a post with final level `mature` (log1p, [batch,
        members]) has collected `age` hours after posting ([batch]; infinite: all of it)."""
        known = torch.isfinite(age)
        # The unknown ages go in as 0, not infinity: inf * 0 in the backward pass is NaN.
        safe = torch.where(known, age, torch.zeros_like(age))
        ratio = torch.exp(self.log_shape.exp() * (self.log_halflife - torch.log(safe + 1e-3)))
        share = torch.where(known, 1.0 / (1.0 + ratio), torch.ones_like(age))
        return torch.log1p(torch.expm1(mature) * share[:, None])

    def forward(self, tensors: dict[str, Any]) -> tuple[torch.Tensor, torch.Tensor]:
        """Members' (log1p interactions at the measured age, log sigma)."""
        text = self.text_part(tensors["ids"], tensors["offsets"], tensors["weights"])
        mu, log_sigma = self.head(text, tensors["dense"])
        return self.observed(mu, tensors["age"]), log_sigma


def _stacked(members: int, fan_in: int, fan_out: int) -> torch.Tensor:
    """Per-member weights with He initialisation."""
    return torch.randn(members, fan_in, fan_out) * np.sqrt(2.0 / fan_in)


def to_tensors(inputs: Inputs, device: torch.device, rows: np.ndarray | None = None
               ) -> dict[str, Any]:
    """Tensors for the network from Inputs, optionally for a subset of rows (a mini-batch)."""
    bags = inputs.bags if rows is None else [_take_bag(b, rows, len(inputs)) for b in inputs.bags]
    dense = inputs.dense if rows is None else inputs.dense[rows]
    age = inputs.age if inputs.age is not None else np.full(len(inputs), np.inf, np.float32)
    age = age if rows is None else age[rows]
    return {
        "age": torch.from_numpy(np.ascontiguousarray(age, dtype=np.float32)).to(device),
        "ids": [torch.from_numpy(b.ids).to(device) for b in bags],
        "offsets": [torch.from_numpy(b.offsets).to(device) for b in bags],
        "weights": [torch.from_numpy(b.weights).to(device) for b in bags],
        "dense": torch.from_numpy(np.ascontiguousarray(dense)).to(device),
    }


def _take_bag(bag: Any, rows: np.ndarray, n: int) -> Any:
    from fbopt.engagement.text import Bag

    ends = np.append(bag.offsets[1:], len(bag.ids))
    starts = bag.offsets[rows]
    lengths = ends[rows] - starts
    index = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
    offsets = np.zeros(len(rows), dtype=np.int64)
    np.cumsum(lengths[:-1], out=offsets[1:])
    return Bag(bag.ids[index], offsets, bag.weights[index])
