"""Post-history formats: which column is the text, the time, the page, the media type and the
outcome, detected from the header of the three common exports, and turned into typed arrays.

Not for features (fbopt.engagement.features) or for reading files (fbopt.io.readers).

    news          message, created_time, page_id, link, react_*, shares (jbencina's scrape)
    page-scraper  status_id, status_message, status_type, status_published, num_reactions,
                  num_comments, num_shares (the page-post scraper; the text may be absent)
    fbopt         post_id, page, created_at, media_type, text, likes, comments, shares
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fbopt.errors import InputError, UsageError
from fbopt.io.schema import Column, Schema

MEDIA_TYPES = ("photo", "video", "link", "status", "other", "unknown")
_MEDIA_WORDS = {
    "photo": "photo", "photos": "photo", "image": "photo", "picture": "photo", "album": "photo",
    "carousel": "photo", "video": "video", "videos": "video", "live": "video",
    "live_video": "video", "reel": "video", "reels": "video", "link": "link", "article": "link",
    "share": "link", "shared_story": "link", "status": "status", "text": "status",
    "note": "status", "event": "other", "offer": "other", "poll": "other",
}
FEEDBACK_COLUMNS = ("model", "provider", "content_type", "prompt_variant")


@dataclass(frozen=True)
class ColumnMap:
    """Where each field comes from in one input. `page_from_id` derives the page from an id
    such as `246675545449582_1649696485147474` when there is no page column."""

    format: str
    text: str | None = None
    time: str | None = None
    page: str | None = None
    page_from_id: str | None = None
    media: str | None = None
    link: str | None = None
    link_text: str | None = None
    measured_at: str | None = None
    target: tuple[str, ...] = ()
    feedback: dict[str, str] = field(default_factory=dict)

    def source_columns(self) -> list[str]:
        named = [self.text, self.time, self.page, self.page_from_id, self.media, self.link,
                 self.link_text, self.measured_at, *self.target, *self.feedback.values()]
        return list(dict.fromkeys(c for c in named if c))

    def describe(self) -> dict[str, Any]:
        return {"format": self.format, "text": self.text, "time": self.time,
                "page": self.page or (f"prefix of {self.page_from_id}" if self.page_from_id
                                      else None),
                "media": self.media or (f"from {self.link}" if self.link else None),
                "measured_at": self.measured_at, "target": " + ".join(self.target) or None}


def _pick(lowered: dict[str, str], *candidates: str) -> str | None:
    for name in candidates:
        if name in lowered:
            return lowered[name]
    return None


def detect_columns(names: Sequence[str]) -> ColumnMap:
    """The ColumnMap for a header, by the format its column names give away."""
    lowered = {n.strip().lower(): n for n in names}
    if "status_published" in lowered or "num_reactions" in lowered or "status_id" in lowered:
        found = _page_scraper(lowered)
    elif "created_time" in lowered or any(n.startswith("react_") for n in lowered):
        found = _news(lowered)
    else:
        found = _fbopt(lowered)
    # The preview of a shared link (its headline or description) is text readers see too.
    preview = _pick(lowered, "description", "link_description", "link_name", "link_title")
    return replace(found, link_text=preview) if preview else found


def _feedback(lowered: dict[str, str]) -> dict[str, str]:
    return {name: lowered[name] for name in FEEDBACK_COLUMNS if name in lowered}


def _page_scraper(lowered: dict[str, str]) -> ColumnMap:
    page = _pick(lowered, "page", "page_id", "page_name")
    target = [lowered[n] for n in ("num_reactions", "num_comments", "num_shares") if n in lowered]
    if "num_reactions" not in lowered and "num_likes" in lowered:
        target.insert(0, lowered["num_likes"])
    return ColumnMap(
        "page-scraper", text=_pick(lowered, "status_message", "message", "text"),
        time=_pick(lowered, "status_published", "created_time"), page=page,
        page_from_id=None if page else _pick(lowered, "status_id"),
        media=_pick(lowered, "status_type"), link=_pick(lowered, "status_link", "link"),
        measured_at=_pick(lowered, "scrape_time", "scraped_at"), target=tuple(target),
        feedback=_feedback(lowered))


def _news(lowered: dict[str, str]) -> ColumnMap:
    reacts = [lowered[n] for n in sorted(lowered) if n.startswith("react_")]
    extra = [lowered[n] for n in ("comments", "num_comments", "shares") if n in lowered]
    page = _pick(lowered, "page_id", "page", "page_name")
    return ColumnMap(
        "news", text=_pick(lowered, "message", "text"), time=_pick(lowered, "created_time"),
        page=page, page_from_id=None if page else _pick(lowered, "post_id"),
        media=_pick(lowered, "type", "media_type", "status_type"), link=_pick(lowered, "link"),
        measured_at=_pick(lowered, "scrape_time", "scraped_at"), target=tuple(reacts + extra),
        feedback=_feedback(lowered))


def _fbopt(lowered: dict[str, str]) -> ColumnMap:
    first = _pick(lowered, "reactions", "likes", "num_reactions", "num_likes")
    rest = [lowered[n] for n in ("comments", "shares") if n in lowered]
    return ColumnMap(
        "fbopt", text=_pick(lowered, "text", "message", "post", "content"),
        time=_pick(lowered, "created_at", "published_at", "created_time", "time", "date"),
        page=_pick(lowered, "page", "page_id", "page_name", "account"),
        media=_pick(lowered, "media_type", "type", "status_type"), link=_pick(lowered, "link"),
        measured_at=_pick(lowered, "measured_at", "scrape_time", "scraped_at", "collected_at"),
        target=tuple([first] if first else []) + tuple(rest), feedback=_feedback(lowered))


def apply_overrides(columns: ColumnMap, names: Sequence[str], *, text: str | None = None,
                    time: str | None = None, page: str | None = None,
                    target: str | None = None) -> ColumnMap:
    """The detected map with the user's --text-column, --time-column, --page-column and
    --target (one column, or several joined with '+') put in; each must exist."""
    have = {n.strip().lower(): n for n in names}

    def need(name: str, flag: str) -> str:
        found = have.get(name.strip().lower())
        if found is None:
            raise UsageError(f"{flag} '{name}' is not a column of the input",
                             hint=f"columns are: {', '.join(list(names)[:20])}")
        return found

    changes: dict[str, Any] = {}
    if text:
        changes["text"] = need(text, "--text-column")
    if time:
        changes["time"] = need(time, "--time-column")
    if page:
        changes.update(page=need(page, "--page-column"), page_from_id=None)
    if target:
        changes["target"] = tuple(need(part, "--target") for part in target.split("+")
                                  if part.strip())
    return replace(columns, format=columns.format if not changes else columns.format + "+flags",
                   **changes) if changes else columns


def posts_schema(columns: ColumnMap, command: str, need_target: bool) -> Schema:
    """The Schema the pipeline validates: every field the map names, under its own name."""
    fields: list[Column] = []
    for role in ("text", "time", "page", "page_from_id", "media", "link", "link_text",
                 "measured_at"):
        source = getattr(columns, role)
        if source:
            fields.append(Column(role, "str", aliases=(source,)))
    for i, source in enumerate(columns.target):
        fields.append(Column(f"target_{i}", "float", required=need_target, minimum=0,
                             aliases=(source,)))
    for role, source in columns.feedback.items():
        fields.append(Column(f"feedback_{role}", "str", aliases=(source,)))
    return Schema(command=command, columns=tuple(fields))


@dataclass
class Posts:
    """One batch of posts as typed arrays. `time` is epoch seconds (NaN where unknown);
    `age_hours` is the age at measurement when the input says when it was measured."""

    text: pa.Array
    time: np.ndarray
    page: np.ndarray
    media: np.ndarray
    age_hours: np.ndarray | None
    target: np.ndarray | None
    feedback: dict[str, list[Any]] = field(default_factory=dict)
    link_text: pa.Array | None = None
    link: pa.Array | None = None
    # Minutes east of UTC that each time was written in (NaN: no zone written).
    utc_offset: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.time)

    def slice(self, start: int, stop: int) -> Posts:
        part = slice(start, stop)

        def cut(value: Any) -> Any:
            if value is None:
                return None
            return value.slice(start, stop - start) if isinstance(value, pa.Array) \
                else value[part]

        return Posts(cut(self.text), self.time[part], self.page[part], self.media[part],
                     cut(self.age_hours), cut(self.target),
                     {k: v[part] for k, v in self.feedback.items()}, cut(self.link_text),
                     cut(self.link), cut(self.utc_offset))


def to_posts(columns: dict[str, pa.Array], n: int, path: str, first_row: int) -> Posts:
    """Typed posts from a batch's validated columns (named by role, see posts_schema)."""
    text = columns.get("text")
    text = pa.nulls(n, pa.string()) if text is None else text
    time = parse_times(columns["time"], path, first_row, "time") if "time" in columns \
        else np.full(n, np.nan)
    measured = columns.get("measured_at")
    age = None
    if measured is not None:
        seen = parse_times(measured, path, first_row, "measured_at")
        # Not clipped: learn reads negative ages as a timezone-less measurement time.
        age = (seen - time) / 3600.0
    targets = [columns[k] for k in sorted(columns) if k.startswith("target_")]
    target = None
    if targets:
        target = np.sum([np.nan_to_num(t.to_numpy(zero_copy_only=False).astype(float))
                         for t in targets], axis=0)
    feedback = {k[len("feedback_"):]: v.to_pylist() for k, v in columns.items()
                if k.startswith("feedback_")}
    return Posts(text, time, page_keys(columns, n), media_codes(columns, n), age, target,
                 feedback, columns.get("link_text"), columns.get("link"))


def utc_offsets(array: pa.Array) -> np.ndarray:
    """Minutes east of UTC each time string was written in ("+0530", "-05:00", "Z"); NaN
    where it names no zone."""
    text = pc.fill_null(array.cast(pa.string()), "")
    parts = pc.extract_regex(text, r"(?P<sign>[+-])(?P<h>\d{2}):?(?P<m>\d{2})$")
    valid = parts.is_valid().to_numpy(zero_copy_only=False)
    out = np.full(len(text), np.nan)
    if valid.any():
        sign = np.where(pc.struct_field(parts, "sign").to_numpy(zero_copy_only=False) == "-",
                        -1.0, 1.0)
        hours = pc.cast(pc.fill_null(pc.struct_field(parts, "h"), "0"), pa.int64())
        minutes = pc.cast(pc.fill_null(pc.struct_field(parts, "m"), "0"), pa.int64())
        total = sign * (hours.to_numpy() * 60.0 + minutes.to_numpy())
        out[valid] = total[valid]
    zulu = pc.ends_with(pc.utf8_upper(text), "Z").to_numpy(zero_copy_only=False)
    out[zulu] = 0.0
    return out


def page_keys(columns: dict[str, pa.Array], n: int) -> np.ndarray:
    if "page" in columns:
        keys = pc.fill_null(columns["page"], "")
    elif "page_from_id" in columns:
        ids = pc.fill_null(columns["page_from_id"], "")
        keys = pc.list_element(pc.split_pattern(ids, "_", max_splits=1), 0)
    else:
        return np.full(n, "", dtype=object)
    return np.asarray(keys.to_numpy(zero_copy_only=False), dtype=object)


def media_codes(columns: dict[str, pa.Array], n: int) -> np.ndarray:
    """An index into MEDIA_TYPES per post: from the media column, else from the link (a
    facebook.com/.../videos/ link is a video post), else unknown."""
    unknown = MEDIA_TYPES.index("unknown")
    codes = np.full(n, unknown, dtype=np.int64)
    if "media" in columns:
        # Few distinct values: map the dictionary, not every row.
        words = pc.dictionary_encode(pc.utf8_lower(pc.fill_null(columns["media"], "")))
        lookup = np.array([_media_code(w) for w in words.dictionary.to_pylist()] or [0],
                          dtype=np.int64)
        codes = lookup[words.indices.to_numpy(zero_copy_only=False)]
    if "link" in columns:
        link = pc.fill_null(columns["link"], "")
        from_link = np.where(_contains(link, "/videos/"), 1,
                             np.where(_contains(link, "/photos/"), 0,
                                      np.where(pc.utf8_length(link).to_numpy() > 0, 2, 3)))
        codes = np.where(codes == unknown, from_link, codes)
    return codes


def _contains(array: pa.Array, pattern: str) -> np.ndarray:
    return pc.match_substring(array, pattern).to_numpy(zero_copy_only=False)


def _media_code(word: str) -> int:
    if not word:
        return MEDIA_TYPES.index("unknown")
    return MEDIA_TYPES.index(_MEDIA_WORDS.get(word.strip(), "other"))


def parse_times(array: pa.Array, path: str, first_row: int, column: str) -> np.ndarray:
    """Epoch seconds (float, NaN where empty) from ISO 8601 or common day-first/month-first
    text; a value that is not a time is an InputError naming its row. A time without a zone
    is read as UTC."""
    fast = _iso_seconds(array)
    if fast is not None:
        return fast
    import pandas as pd

    values = pd.Series(array.to_numpy(zero_copy_only=False), dtype=object)
    present = values.notna() & (values.astype(str).str.strip() != "")
    parsed = _to_datetime(pd, values.where(present, None))
    bad = present & parsed.isna()
    if bad.any():
        index = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"cannot read {values.iloc[index]!r} as a date and time",
                         path=path, row=first_row + index, column=column,
                         hint="use ISO 8601 such as 2024-03-01T18:30:00+00:00")
    seconds = parsed.to_numpy(dtype="datetime64[ns]").astype("int64") / 1e9
    return np.where(parsed.isna().to_numpy(), np.nan, seconds)


def _iso_seconds(array: pa.Array) -> np.ndarray | None:
    """Arrow's own ISO 8601 parser (with or without a zone), many times faster than pandas;
    None when some value is in another format."""
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        return None
    text = pc.if_else(pc.equal(array, ""), pa.scalar(None, array.type), array)
    for kind in (pa.timestamp("ns", tz="UTC"), pa.timestamp("ns")):
        try:
            stamps = pc.cast(text, kind)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        nanos = stamps.cast(pa.int64()).to_numpy(zero_copy_only=False)
        return np.asarray(nanos, dtype=np.float64) / 1e9
    return None


def _to_datetime(pd: Any, values: Any) -> Any:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(values, utc=True, errors="coerce")
        if parsed.isna().sum() > values.isna().sum():
            parsed = pd.to_datetime(values, utc=True, errors="coerce", format="mixed")
    return parsed
