"""Format detection, overrides and typed posts."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from fbopt.engagement.formats import (
    MEDIA_TYPES,
    apply_overrides,
    detect_columns,
    media_codes,
    page_keys,
    parse_times,
)
from fbopt.errors import InputError, UsageError

NEWS = ["created_time", "description", "link", "message", "page_id", "post_id", "react_angry",
        "react_haha", "react_like", "react_love", "react_sad", "react_wow", "scrape_time",
        "shares"]
SCRAPER = ["status_id", "status_type", "status_published", "num_reactions", "num_comments",
           "num_shares", "num_likes", "num_loves"]
OWN = ["post_id", "page", "created_at", "media_type", "text", "likes", "comments", "shares"]


def test_news_format_sums_reactions_and_shares():
    found = detect_columns(NEWS)
    assert found.format == "news"
    assert (found.text, found.time, found.page) == ("message", "created_time", "page_id")
    assert set(found.target) == {"react_angry", "react_haha", "react_like", "react_love",
                                 "react_sad", "react_wow", "shares"}
    assert (found.link, found.link_text, found.measured_at) == ("link", "description",
                                                                "scrape_time")


def test_page_scraper_without_text_takes_page_from_the_id():
    found = detect_columns(SCRAPER)
    assert found.format == "page-scraper"
    assert found.text is None
    assert found.page is None and found.page_from_id == "status_id"
    # num_reactions already holds the likes: they must not count twice.
    assert found.target == ("num_reactions", "num_comments", "num_shares")
    ids = pa.array(["246675545449582_1649696485147474", "999_1", None])
    assert list(page_keys({"page_from_id": ids}, 3)) == ["246675545449582", "999", ""]


def test_own_format_and_overrides():
    found = detect_columns(OWN)
    assert found.format == "fbopt"
    assert found.target == ("likes", "comments", "shares")
    changed = apply_overrides(found, OWN, target="likes+shares", page="post_id")
    assert changed.target == ("likes", "shares")
    assert changed.page == "post_id"
    with pytest.raises(UsageError, match="--text-column 'body'"):
        apply_overrides(found, OWN, text="body")


def test_media_from_the_column_else_from_the_link():
    columns = {"media": pa.array(["Photo", "live_video", "", None, "carousel", "poll"]),
               "link": pa.array(["", "", "https://www.facebook.com/x/videos/1/",
                                 "http://bbc.in/abc", "", ""])}
    names = [MEDIA_TYPES[c] for c in media_codes(columns, 6)]
    assert names == ["photo", "video", "video", "link", "photo", "other"]


def test_times_parse_iso_and_month_first_and_name_a_bad_row():
    iso = parse_times(pa.array(["2017-07-14T14:30:59+0000", None, ""]), "f.csv", 1, "t")
    assert iso[0] == pytest.approx(1500042659.0)
    assert np.isnan(iso[1]) and np.isnan(iso[2])
    us = parse_times(pa.array(["4/22/2018 6:00", "4/21/2018 22:45"]), "f.csv", 1, "t")
    assert us[0] - us[1] == pytest.approx(7.25 * 3600)
    with pytest.raises(InputError) as caught:
        parse_times(pa.array(["2024-01-01T10:00:00Z", "next tuesday"]), "f.csv", 10, "t")
    assert caught.value.row == 11 and "next tuesday" in caught.value.message()


def test_time_zones_written_in_the_times_are_read_as_minutes_east_of_utc():
    import pyarrow as pa

    from fbopt.engagement.formats import utc_offsets

    found = utc_offsets(pa.array(["2017-07-14T14:30:59+0000", "2018-01-01T10:00:00-05:00",
                                  "2018-01-01 10:00", "2018-01-01T10:00:00Z", None,
                                  "2018-01-01T10:00:00+05:30"]))
    assert found[[0, 1, 3, 5]].tolist() == [0.0, -300.0, 0.0, 330.0]
    assert np.isnan(found[[2, 4]]).all()
