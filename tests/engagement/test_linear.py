"""The linear head and the page's rolling level: ridge by conjugate gradients against numpy's
exact solution, the level of each post from earlier posts only, and recency weights."""

from __future__ import annotations

import numpy as np

from fbopt.engagement import linear
from fbopt.engagement.history import PageHistory
from fbopt.engagement.text import Bag


def _problem(n: int = 300, buckets: int = 64, seed: int = 0):
    rng = np.random.default_rng(seed)
    per_post = rng.integers(1, 6, n)
    ids = rng.integers(0, buckets, per_post.sum())
    offsets = np.r_[0, np.cumsum(per_post)[:-1]].astype(np.int64)
    weights = np.repeat(1.0 / np.sqrt(per_post), per_post).astype(np.float32)
    dense = rng.normal(size=(n, 3))
    keys = [rng.integers(0, buckets, n)]
    x = linear.design([Bag(ids, offsets, weights)], keys, dense)
    full = np.zeros((n, buckets))
    np.add.at(full, (x.doc, x.ids), x.values)
    return x, np.hstack([full, dense, np.ones((n, 1))]), rng


def test_ridge_by_conjugate_gradients_matches_the_exact_solution():
    x, matrix, rng = _problem()
    truth = rng.normal(size=matrix.shape[1])
    y = matrix @ truth + rng.normal(scale=0.1, size=len(matrix))
    w = rng.uniform(0.5, 2.0, len(matrix))
    alpha = 0.7
    penalty = np.full(matrix.shape[1], alpha)
    penalty[-1] = 0.0
    exact = np.linalg.solve(matrix.T @ (w[:, None] * matrix) + np.diag(penalty),
                            matrix.T @ (w * y))
    head = linear.fit(x, y, w, 64, alpha, iterations=500, tolerance=1e-10)
    found = np.r_[head.sparse, head.dense, head.bias]
    assert np.allclose(found, exact, atol=1e-6)
    assert np.allclose(head.predict(x), matrix @ exact, atol=1e-6)


def test_the_blend_drops_a_part_that_does_not_help():
    rng = np.random.default_rng(1)
    level = rng.normal(size=500)
    good = rng.normal(size=500)
    y = level + 0.8 * good + rng.normal(scale=0.1, size=500)
    a, b, _ = linear.stack(y, level, good, level - 2.0 * good)  # the "network" is wrong
    assert abs(a - 0.8) < 0.05 and b == 0.0


def test_rolling_level_uses_only_earlier_posts_of_the_same_page():
    page = np.array(["a", "a", "b", "a", "b"])
    when = np.array([1.0, 2, 3, 4, 5])
    y = np.array([1.0, 2, 3, 4, 5])
    history = PageHistory.fit(page, when, y, np.zeros(5, np.int64), prior_weight=20,
                              halflife=20, window=2)
    before = history.rolling_before(history.lookup(page), when, y)
    # Shrunk by two posts' worth of the mean of all (3.0).
    assert np.allclose(before, [3.0, (1 + 6) / 3, 3.0, (1 + 2 + 6) / 4, (3 + 6) / 3])
    # The level now: a's last two posts (2 and 4), b's (3 and 5); an unseen page: all pages.
    now = history.level_now(history.lookup(np.array(["a", "b", "new"])))
    assert np.allclose(now, [(6 + 6) / 4, (8 + 6) / 4, 3.0])


def test_recency_weights_grow_with_each_pages_time_rank():
    page = np.array(["a", "b", "a", "a", "b"])
    when = np.array([3.0, 1, 1, 2, 2])
    w = linear.recency_weights(page, when, 3.0)
    assert np.isclose(w.mean(), 1.0)
    assert w[2] < w[3] < w[0] and w[1] < w[4]
    assert np.isclose(w[0] / w[2], np.exp(3.0))


def test_the_blend_falls_back_to_the_member_that_ranks_unseen_posts_best():
    rng = np.random.default_rng(2)
    n = 800
    page = np.repeat(np.array(["a", "b", "c", "d"]), n // 4)
    level = np.repeat(rng.normal(size=4), n // 4)
    signal = rng.normal(size=n)
    y = level + signal + rng.normal(scale=0.5, size=n)
    weak = 0.5 * signal + rng.normal(scale=1.0, size=n)
    # The network tracks the outcome on every other post and its opposite on the rest: fitted
    # and scored on the same posts it earns a weight, on the other half it hurts.
    flip = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    net = level + flip * (signal + rng.normal(scale=0.3, size=n))
    (a, b, _), chosen = linear.choose_stack(y, level, weak, net, page)
    assert chosen == "linear" and b == 0.0 and a > 0.0
    # With an honest network the blend of both wins.
    honest = level + signal + rng.normal(scale=0.8, size=n)
    (a, b, _), chosen = linear.choose_stack(y, level, weak, honest, page)
    assert chosen == "blend" and a > 0.0 and b > 0.0
