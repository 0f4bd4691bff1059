"""From posts to model inputs: hashed n-gram bags of the text and one dense row per post
(engagement signals, media type, hour, weekday, age at measurement, the page's history).

Not for reading files (fbopt.engagement.formats) or for the network (fbopt.engagement.model).
The dense row is built from `Raw` values, which recommendations edit and re-score.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fbopt.engagement import text as textfeatures
from fbopt.engagement.formats import MEDIA_TYPES, Posts
from fbopt.engagement.history import PAGE_FEATURES

# Counts enter as log1p: the step from 0 to 1 hashtag matters more than from 5 to 6.
_LINEAR_SIGNALS = ("has_text", "has_question", "exclamation_density")
_MAX_AGE_HOURS = 24.0 * 90
# The dense age feature covers the slow tail only (a day and older): history rarely holds
# younger posts, so the early climb is left to the network's maturity curve.
_MIN_AGE_HOURS = 24.0


def dense_names() -> list[str]:
    names = list(textfeatures.SIGNALS)
    names += [f"media_{m}" for m in MEDIA_TYPES]
    names += [f"hour_{h}" for h in range(24)] + [f"weekday_{d}" for d in range(7)]
    names += ["time_known", "age_at_measurement", *PAGE_FEATURES]
    return names


@dataclass
class FeatureConfig:
    """Everything that turns a post into inputs, saved with the model so prediction makes
    exactly the features training made."""

    hash_version: int = textfeatures.HASH_VERSION
    hash_bits: int = 16
    # The linear head reads the same n-grams at a finer resolution (fewer collisions); the
    # network's bucket is the top hash_bits of it.
    linear_bits: int = 20
    word_bigrams: bool = True
    char_orders: tuple[int, ...] = (3, 4, 5)
    max_chars: int = 500
    page_vectors: bool = True
    prior_weight: float = 20.0
    trend_halflife: float = 20.0
    level_window: int = 100
    mature_age_hours: float = 168.0
    measured: bool = False
    age_shift_hours: float = 0.0
    names: list[str] = field(default_factory=dense_names)
    mean: list[float] = field(default_factory=list)
    std: list[float] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["char_orders"] = list(self.char_orders)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureConfig:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["char_orders"] = tuple(known.get("char_orders", ()))
        return cls(**known)


@dataclass
class Raw:
    """Per-post values before encoding; an edit replaces some of them (see recommend)."""

    signals: dict[str, np.ndarray]
    media: np.ndarray
    hour: np.ndarray
    weekday: np.ndarray
    age_hours: np.ndarray
    page: dict[str, np.ndarray]

    def edited(self, **changes: Any) -> Raw:
        return replace(self, **changes)

    def take(self, rows: np.ndarray) -> Raw:
        return Raw({k: v[rows] for k, v in self.signals.items()}, self.media[rows],
                   self.hour[rows], self.weekday[rows], self.age_hours[rows],
                   {k: v[rows] for k, v in self.page.items()})

    def __len__(self) -> int:
        return len(self.media)

    @staticmethod
    def concat(parts: list[Raw]) -> Raw:
        first = parts[0]
        return Raw({k: np.concatenate([p.signals[k] for p in parts]) for k in first.signals},
                   np.concatenate([p.media for p in parts]),
                   np.concatenate([p.hour for p in parts]),
                   np.concatenate([p.weekday for p in parts]),
                   np.concatenate([p.age_hours for p in parts]),
                   {k: np.concatenate([p.page[k] for p in parts]) for k in first.page})


@dataclass
class Inputs:
    """What the network reads for a batch: n-gram bags and standardised dense rows."""

    bags: list[textfeatures.Bag]
    dense: np.ndarray
    age: np.ndarray | None = None
    weight: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.dense)


class Featurizer:
    """Makes Inputs from Posts. `fit_scaling` learns the dense means and spreads once, at
    training time; afterwards the config holds them."""

    def __init__(self, config: FeatureConfig) -> None:
        self.config = config
        self._slot = {name: i for i, name in enumerate(config.names)}

    def text(self, posts: Posts) -> tuple[dict[str, np.ndarray], list[textfeatures.Bag]]:
        """(signals, the network's n-gram bags) of the posts' text."""
        signals, bags = self.text_wide(posts)
        return signals, self.net_bags(bags)

    def net_bags(self, wide: list[textfeatures.Bag]) -> list[textfeatures.Bag]:
        shift = np.int64(self.config.linear_bits - self.config.hash_bits)
        return [textfeatures.Bag(b.ids >> shift, b.offsets, b.weights) for b in wide]

    def keys(self, posts: Posts, raw: Raw) -> tuple[np.ndarray, list[np.ndarray]]:
        """(page hashes, bucket ids of page x media type and page x hour) for the linear
        head; the hashes let an edit of the media or the hour find its new ids."""
        page = textfeatures.key_hashes(pa.array(posts.page.astype(str), pa.string()))
        return page, self.cross(page, raw.media, raw.hour)

    def cross(self, page: np.ndarray, media: np.ndarray, hour: np.ndarray) -> list[np.ndarray]:
        bits = self.config.linear_bits
        return [textfeatures.cross_ids(page, media, bits, 40),
                textfeatures.cross_ids(page, hour, bits, 41)]

    def text_wide(self, posts: Posts) -> tuple[dict[str, np.ndarray], list[textfeatures.Bag]]:
        """(signals, n-gram bags at linear_bits) of the posts' text."""
        cfg, bits = self.config, self.config.linear_bits
        normal = textfeatures.normalise(posts.text, cfg.max_chars)
        tokens = textfeatures.tokenize(normal)
        bags = textfeatures.word_bags(tokens, bits, cfg.word_bigrams)
        if cfg.char_orders:
            bags.append(textfeatures.char_bag(tokens, bits, cfg.char_orders))
        if posts.link_text is not None:
            link_tokens = textfeatures.tokenize(textfeatures.normalise(posts.link_text,
                                                                       cfg.max_chars))
            bags.append(textfeatures.word_bags(link_tokens, bits, False, salt=4)[0])
        if posts.link is not None:
            # The words of the link itself: its site, section and headline slug.
            link = pc.utf8_lower(pc.utf8_slice_codeunits(pc.fill_null(posts.link, ""), 0, 300))
            bags.append(textfeatures.word_bags(textfeatures.tokenize(link), bits,
                                               False, salt=5)[0])
        if cfg.page_vectors:
            bags.append(textfeatures.key_bag(pa.array(posts.page.astype(str), pa.string()),
                                             bits, 3))
        return textfeatures.signals(posts.text, normal, tokens), bags

    def raw(self, posts: Posts, signals: dict[str, np.ndarray], page: dict[str, np.ndarray],
            usual_hour: np.ndarray | None = None) -> Raw:
        known = ~np.isnan(posts.time)
        hours = np.floor(np.nan_to_num(posts.time) / 3600.0).astype(np.int64)
        # Unknown time: assume the page's usual hour, on no weekday in particular.
        fallback = usual_hour if usual_hour is not None else np.zeros(len(posts), np.int64)
        hour = np.where(known, hours % 24, fallback)
        weekday = np.where(known, (hours // 24 + 3) % 7, -1)
        if posts.age_hours is None:
            age = np.full(len(posts), np.nan)
        else:
            age = np.clip(posts.age_hours + self.config.age_shift_hours, 0.0, None)
        return Raw(signals, posts.media, hour, weekday, age, page)

    def dense(self, raw: Raw) -> np.ndarray:
        """One unscaled row per post, columns in config.names order."""
        n = len(raw.media)
        out = np.zeros((n, len(self.config.names)), dtype=np.float32)
        for name in textfeatures.SIGNALS:
            value = raw.signals[name]
            out[:, self._slot[name]] = np.log1p(value) if name not in _LINEAR_SIGNALS else value
        rows = np.arange(n)
        out[rows, self._slot["media_photo"] + raw.media] = 1.0
        out[rows, self._slot["hour_0"] + raw.hour] = 1.0
        known = raw.weekday >= 0
        out[rows[known], self._slot["weekday_0"] + raw.weekday[known]] = 1.0
        out[:, self._slot["time_known"]] = known
        age = np.where(np.isnan(raw.age_hours), self.config.mature_age_hours, raw.age_hours)
        out[:, self._slot["age_at_measurement"]] = np.log1p(
            np.clip(age, _MIN_AGE_HOURS, _MAX_AGE_HOURS))
        for name in PAGE_FEATURES:
            out[:, self._slot[name]] = raw.page[name]
        return out

    def patch(self, raw: Raw, fields: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """(slots, scaled values) of just the dense columns that `fields` (signal names,
        "media", "hour") decide: what an edit changes, without building whole rows."""
        slots: list[int] = []
        columns: list[np.ndarray] = []
        n = len(raw.media)
        for name in fields:
            if name in ("media", "hour"):
                first = self._slot["media_photo" if name == "media" else "hour_0"]
                width = len(MEDIA_TYPES) if name == "media" else 24
                value = raw.media if name == "media" else raw.hour
                onehot = np.zeros((n, width), dtype=np.float32)
                onehot[np.arange(n), value] = 1.0
                slots += range(first, first + width)
                columns += list(onehot.T)
            else:
                value = raw.signals[name]
                slots.append(self._slot[name])
                columns.append(np.log1p(value) if name not in _LINEAR_SIGNALS else value)
        index = np.asarray(slots)
        values = np.stack(columns, axis=1).astype(np.float32)
        mean = np.asarray(self.config.mean, dtype=np.float32)[index]
        std = np.asarray(self.config.std, dtype=np.float32)[index]
        return index, _standardise(values, mean, std)

    def fit_scaling(self, dense: np.ndarray) -> None:
        """Standardise counts and levels; leave 0/1 columns as they are (a rare category must
        not become a huge input); drop a column that never varied in training (std 0), since
        its weights never learned what another value means."""
        binary = np.array([_is_binary(name) for name in self.config.names])
        mean = np.where(binary, 0.0, dense.mean(axis=0))
        spread = dense.std(axis=0)
        std = np.where(spread < 1e-6, 0.0, np.where(binary, 1.0, np.maximum(spread, 1e-2)))
        self.config.mean = mean.astype(float).tolist()
        self.config.std = std.astype(float).tolist()

    def scale(self, dense: np.ndarray) -> np.ndarray:
        mean = np.asarray(self.config.mean, dtype=np.float32)
        std = np.asarray(self.config.std, dtype=np.float32)
        return _standardise(dense, mean, std)

    def inputs(self, bags: list[textfeatures.Bag], raw: Raw) -> Inputs:
        return Inputs(bags, self.scale(self.dense(raw)), observed_age(raw))


def _is_binary(name: str) -> bool:
    return name.startswith(("media_", "hour_", "weekday_")) or name in (
        "time_known", "has_text", "has_question", "page_seen")


def observed_age(raw: Raw) -> np.ndarray:
    """Hours between posting and measuring, infinite where unknown (a mature post)."""
    return np.where(np.isnan(raw.age_hours), np.inf, raw.age_hours).astype(np.float32)


def _standardise(values: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """(values - mean) / std, and 0 where a column never varied in training (std 0)."""
    return np.where(std > 0, (values - mean) / np.where(std > 0, std, 1.0), 0.0).astype(
        np.float32)
