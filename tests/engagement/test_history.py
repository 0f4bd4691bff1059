"""Page history: leave-one-out levels, the prior for unseen pages, percentiles."""

from __future__ import annotations

import numpy as np
import pytest

from fbopt.engagement.history import PageHistory


def _history() -> tuple[PageHistory, np.ndarray, np.ndarray, np.ndarray]:
    page = np.array(["a", "a", "a", "b", "b"], dtype=object)
    time = np.array([1.0, 2.0, 3.0, 1.0, 2.0])
    y = np.array([1.0, 2.0, 9.0, 5.0, 5.0])
    hour = np.array([8, 8, 9, 20, 20])
    return PageHistory.fit(page, time, y, hour, prior_weight=2.0, halflife=1.0), page, time, y


def test_a_row_never_sees_its_own_outcome():
    history, page, time, y = _history()
    idx = history.lookup(page)
    loo = history.leave_one_out(idx, time, y)
    g = y.mean()
    # Row 2 (y=9) sees only rows 0 and 1 of page a: (1 + 2 + 2 * g) / (2 + 2).
    assert loo["page_level"][2] == pytest.approx((3.0 + 2.0 * g) / 4.0)
    y_changed = y.copy()
    y_changed[2] = 100.0
    again = PageHistory.fit(page, time, y_changed, np.array([8, 8, 9, 20, 20]),
                            prior_weight=2.0, halflife=1.0)
    moved = again.leave_one_out(idx, time, y_changed)["page_level"][2]
    # The global prior moves with the new value, the page's own part must not.
    assert moved == pytest.approx((3.0 + 2.0 * y_changed.mean()) / 4.0)
    # The trend of the first post of a page knows nothing earlier.
    assert loo["page_trend"][0] == pytest.approx(
        history.level_of(idx[:1])[0] - loo["page_level"][0])


def test_unseen_page_gets_the_prior():
    history, *_ = _history()
    idx = history.lookup(np.array(["zzz", "b"], dtype=object))
    assert idx[0] == -1
    found = history.features(idx)
    assert found["page_seen"].tolist() == [0.0, 1.0]
    assert found["page_level"][0] == pytest.approx(history.global_mean)
    assert found["page_log_posts"][0] == 0.0
    assert history.usual_hour(idx).tolist() == [history.global_hour, 20]


def test_percentile_is_monotone_and_bounded():
    history, *_ = _history()
    idx = history.lookup(np.array(["a"] * 5, dtype=object))
    values = np.array([-5.0, 1.0, 2.0, 5.0, 50.0])
    found = history.percentile(idx, values)
    assert np.all(np.diff(found) >= 0)
    assert found[0] == 0.0 and found[-1] == 100.0
    assert 0.0 < found[2] < 100.0
    restored = PageHistory.from_dict(history.to_dict())
    assert np.allclose(restored.percentile(idx, values), found)
