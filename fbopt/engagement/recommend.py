"""Recommendations: concrete edits to a post (add a question, shorten, add a photo, post at a
better hour...), each scored by re-running the model on the edited features.

Not for rewriting text (fbopt.enhance does that). An edit changes the features the edit would
change (a question adds a question mark and some length) and keeps the text's n-grams as they
are, so a gain is the model's answer to "the same post, with this one thing different".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from fbopt.engagement.features import Raw
from fbopt.engagement.formats import MEDIA_TYPES, Posts
from fbopt.engagement.scoring import EngagementModel, Scored, as_interactions

_PHOTO, _VIDEO = MEDIA_TYPES.index("photo"), MEDIA_TYPES.index("video")
_NOT_VISUAL = [MEDIA_TYPES.index(m) for m in ("link", "status", "other", "unknown")]
_SAMPLE_PER_PAGE = 50
_SAMPLE_TOTAL = 20000

RECOMMENDATION_TYPE = pa.list_(pa.struct([
    pa.field("edit", pa.string()),
    pa.field("predicted_gain", pa.float64()),
    pa.field("gain_percent", pa.float64()),
]))


@dataclass(frozen=True)
class Edit:
    """`applies` picks the posts the edit makes sense for; `change` edits their raw values;
    `fields` names what it changes (signals, "media", "hour"), the only columns re-scored."""

    label: str
    applies: Callable[[Raw, np.ndarray], np.ndarray]
    change: Callable[[Raw, np.ndarray], Raw]
    fields: tuple[str, ...]


_GROWN = ("char_count", "word_count", "exclamation_density")


def _signals(raw: Raw, **values: np.ndarray | float) -> Raw:
    signals = dict(raw.signals)
    for name, value in values.items():
        signals[name] = np.broadcast_to(np.asarray(value, dtype=np.float64), len(raw)).copy()
    return raw.edited(signals=signals)


def _grow(raw: Raw, chars: float | np.ndarray, words: float, **values: float) -> Raw:
    s = raw.signals
    new_words = np.maximum(s["word_count"] + words, 0.0)
    density = s["exclamation_count"] / np.maximum(new_words, 1.0)
    return _signals(raw, char_count=np.maximum(s["char_count"] + chars, 0.0),
                    word_count=new_words, exclamation_density=density, **values)


def _shorten(raw: Raw, _: np.ndarray) -> Raw:
    s = raw.signals
    ratio = 150.0 / np.maximum(s["char_count"], 1.0)
    words = np.ceil(s["word_count"] * ratio)
    return _signals(raw, char_count=150.0, word_count=words,
                    line_count=np.minimum(s["line_count"], 1.0),
                    exclamation_density=s["exclamation_count"] / np.maximum(words, 1.0))


def _has_text(raw: Raw) -> np.ndarray:
    return raw.signals["has_text"] > 0


def _count(raw: Raw, name: str) -> np.ndarray:
    return raw.signals[name]


EDITS = (
    Edit("add a question that invites replies",
         lambda r, b: _has_text(r) & (_count(r, "question_count") == 0),
         lambda r, b: _grow(r, 45, 8, question_count=1.0, has_question=1.0),
         ("question_count", "has_question", *_GROWN)),
    Edit("end with a call to action (comment, share, tag a friend)",
         lambda r, b: _has_text(r) & (_count(r, "cta_count") == 0),
         lambda r, b: _grow(r, 35, 6, cta_count=1.0), ("cta_count", *_GROWN)),
    Edit("shorten to about 150 characters",
         lambda r, b: _count(r, "char_count") > 250, _shorten, ("line_count", *_GROWN)),
    Edit("add a sentence of context (about 120 characters)",
         lambda r, b: _has_text(r) & (_count(r, "char_count") < 40),
         lambda r, b: _grow(r, 120 - _count(r, "char_count"), 18), _GROWN),
    Edit("add a photo", lambda r, b: np.isin(r.media, _NOT_VISUAL),
         lambda r, b: r.edited(media=np.full(len(r), _PHOTO)), ("media",)),
    Edit("post it as a video", lambda r, b: r.media != _VIDEO,
         lambda r, b: r.edited(media=np.full(len(r), _VIDEO)), ("media",)),
    Edit("post at {hour:02d}:00 UTC", lambda r, b: r.hour != b,
         lambda r, b: r.edited(hour=b.copy()), ("hour",)),
    Edit("add 1-2 relevant hashtags",
         lambda r, b: _has_text(r) & (_count(r, "hashtag_count") == 0),
         lambda r, b: _grow(r, 20, 2, hashtag_count=2.0), ("hashtag_count", *_GROWN)),
    Edit("cut the hashtags to 2", lambda r, b: _count(r, "hashtag_count") > 3,
         lambda r, b: _signals(r, hashtag_count=2.0), ("hashtag_count",)),
    Edit("add an emoji", lambda r, b: _has_text(r) & (_count(r, "emoji_count") == 0),
         lambda r, b: _grow(r, 2, 0, emoji_count=1.0), ("emoji_count", *_GROWN)),
    Edit("move the link out of the text (into the first comment)",
         lambda r, b: _count(r, "link_count") > 0,
         lambda r, b: _grow(r, -25, -1, link_count=0.0), ("link_count", *_GROWN)),
    Edit("use one exclamation mark at most",
         lambda r, b: _count(r, "exclamation_count") > 1,
         lambda r, b: _signals(r, exclamation_count=1.0, exclamation_density=1.0 / np.maximum(
             _count(r, "word_count"), 1.0)), ("exclamation_count", "exclamation_density")),
    Edit("write in sentence case, not capitals",
         lambda r, b: _count(r, "caps_word_count") > 2,
         lambda r, b: _signals(r, caps_word_count=0.0), ("caps_word_count",)),
)
_HOUR_EDIT = next(i for i, e in enumerate(EDITS) if e.fields == ("hour",))
# One label per edit and hour: the output column takes from this instead of formatting.
_LABELS = pa.array([edit.label.format(hour=hour) for edit in EDITS for hour in range(24)],
                   pa.string())


def recommend(model: EngagementModel, scored: Scored, limit: int, min_gain: float
              ) -> pa.Array:
    """Up to `limit` edits per post, best first, each with its predicted gain in interactions
    and percent; only edits that gain at least `min_gain` (a fraction) are kept."""
    raw, base = scored.prepared.raw, scored.base
    n = len(raw)
    if limit <= 0 or n == 0:
        return _empty(n)
    best = model.page_best_hour(scored.prepared.page_index)
    before_log = scored.mature.mean
    before = as_interactions(before_log)
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for number, edit in enumerate(EDITS):
        rows = np.flatnonzero(edit.applies(raw, best))
        if len(rows) == 0:
            continue
        changed = edit.change(raw.take(rows), best[rows])
        slots, values = model.featurizer.patch(changed, edit.fields)
        mean = model.edited_mean(base, rows, slots, values,
                                 media=changed.media if "media" in edit.fields else None,
                                 hour=changed.hour if "hour" in edit.fields else None)
        gain = as_interactions(mean) - before[rows]
        keep = (gain > 0) & (gain >= min_gain * np.maximum(before[rows], 1.0))
        found.append((rows[keep], np.full(int(keep.sum()), number), gain[keep]))
    return _top(n, limit, best, before, found, model.page_offset(scored.prepared.page_index))


def _empty(n: int) -> pa.Array:
    offsets = pa.array(np.zeros(n + 1, dtype=np.int32))
    return pa.ListArray.from_arrays(offsets, pa.array([], RECOMMENDATION_TYPE.value_type),
                                    type=RECOMMENDATION_TYPE)


def _top(n: int, limit: int, best: np.ndarray, before: np.ndarray,
         found: list[tuple[np.ndarray, np.ndarray, np.ndarray]], offset: np.ndarray
         ) -> pa.Array:
    if not found:
        return _empty(n)
    rows = np.concatenate([f[0] for f in found])
    edits = np.concatenate([f[1] for f in found])
    gains = np.concatenate([f[2] for f in found])
    order = np.lexsort((-gains, rows))
    rows, edits, gains = rows[order], edits[order], gains[order]
    keep = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left") < limit
    rows, edits, gains = rows[keep], edits[keep], gains[keep]
    hour = np.where(edits == _HOUR_EDIT, best[rows], 0)
    labels = _labels(edits * 24 + hour, np.where(edits == _HOUR_EDIT, offset[rows], np.nan),
                     hour)
    percent = gains / np.maximum(before[rows], 1.0) * 100.0
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=n), out=offsets[1:])
    items = pa.StructArray.from_arrays(
        [labels, pa.array(np.round(gains, 1), pa.float64()),
         pa.array(np.round(percent, 1), pa.float64())],
        fields=list(RECOMMENDATION_TYPE.value_type))
    return pa.ListArray.from_arrays(pa.array(offsets), items, type=RECOMMENDATION_TYPE)


def _labels(index: np.ndarray, offset: np.ndarray, hour: np.ndarray) -> pa.Array:
    """Each edit's label; an hour is said in the page's own time zone where its history
    wrote one (the table holds the UTC wording)."""
    local = ~np.isnan(offset)
    if not local.any():
        return _LABELS.take(pa.array(index))
    pairs, which = np.unique(np.stack([hour[local], offset[local]], axis=1), axis=0,
                             return_inverse=True)
    extra = pa.array([local_hour_label(int(h), float(o)) for h, o in pairs], pa.string())
    index = index.copy()
    index[local] = len(_LABELS) + which.reshape(-1)
    return pa.concat_arrays([_LABELS, extra]).take(pa.array(index))


def local_hour_label(utc_hour: int, offset_minutes: float) -> str:
    """"post at 09:00 (the page's time, UTC-05:00)" for a best hour of 14 UTC."""
    minutes = (utc_hour * 60 + int(round(offset_minutes))) % (24 * 60)
    sign = "-" if offset_minutes < 0 else "+"
    zone = f"UTC{sign}{int(abs(offset_minutes)) // 60:02d}:{int(abs(offset_minutes)) % 60:02d}"
    return f"post at {minutes // 60:02d}:{minutes % 60:02d} (the page's time, {zone})"


def fit_best_hours(model: EngagementModel, posts: Posts, when: np.ndarray
                   ) -> tuple[np.ndarray, int]:
    """The hour (UTC) at which the model expects each page's recent posts to do best, and the
    same over all pages: the candidate for "post at a better hour"."""
    from fbopt.engagement.learn import take

    rows = _recent_sample(posts.page, when)
    scored = model.score(take(posts, rows))
    prepared, everyone = scored.prepared, np.arange(len(rows))
    by_hour = np.zeros((len(rows), 24))
    for hour in range(24):
        hours = np.full(len(rows), hour)
        slots, values = model.featurizer.patch(prepared.raw.edited(hour=hours), ("hour",))
        by_hour[:, hour] = model.edited_mean(scored.base, everyone, slots, values, hour=hours)
    idx = prepared.page_index
    best = np.full(len(model.history.keys), -1, dtype=np.int64)
    totals = np.zeros((len(model.history.keys), 24))
    np.add.at(totals, idx[idx >= 0], by_hour[idx >= 0])
    seen = np.bincount(idx[idx >= 0], minlength=len(model.history.keys)) > 0
    global_best = int(by_hour.mean(axis=0).argmax())
    best[seen] = totals[seen].argmax(axis=1)
    best[~seen] = global_best
    return best, global_best


def _recent_sample(page: np.ndarray, when: np.ndarray) -> np.ndarray:
    keys = page.astype(str)
    order = np.lexsort((-when, keys))
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    chosen = order[rank < _SAMPLE_PER_PAGE]
    return np.sort(chosen[np.argsort(-when[chosen], kind="stable")[:_SAMPLE_TOTAL]])
