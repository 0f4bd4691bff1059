"""Retry policy, rate limiter and budget: the rules around every provider call."""

from __future__ import annotations

import asyncio
import random

import pytest

from fbopt.drafts.limits import Budget, RateLimiter, RetryPolicy, tokens_upper_bound
from fbopt.errors import AuthenticationError, ProviderError, RateLimitError


def test_retry_policy_backs_off_exponentially_and_honours_retry_after():
    policy = RetryPolicy(max_attempts=5, base_delay=1.0, max_delay=5.0, rng=random.Random(0))
    server_error = ProviderError("500", retryable=True)
    delays = [policy.delay(n, server_error) for n in range(1, 5)]
    for n, d in enumerate(delays, start=1):
        ceiling = min(5.0, 2 ** (n - 1))
        assert ceiling / 2 <= d <= ceiling
    assert policy.delay(5, server_error) is None  # attempts used up
    told = policy.delay(1, RateLimitError("429", retry_after=7.0))
    assert 7.0 <= told <= 7.1
    assert policy.delay(1, RateLimitError("429", retry_after=500.0)) is None
    assert policy.delay(1, AuthenticationError("401")) is None


def test_rate_limiter_waits_for_requests_and_tokens():
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    async def go() -> None:
        limiter = RateLimiter(rpm=2, tpm=1000, clock=lambda: now[0], sleep=sleep)
        assert await limiter.acquire(100) == 0.0
        assert await limiter.acquire(100) == 0.0
        waited = await limiter.acquire(100)  # third request in the minute: wait for refill
        assert waited == pytest.approx(30.0)
        waited = await limiter.acquire(900)  # tokens now short
        assert waited > 0

    asyncio.run(go())
    assert slept


def test_unlimited_rate_limiter_never_waits():
    async def go() -> float:
        limiter = RateLimiter(rpm=0, tpm=0)
        return sum([await limiter.acquire(10**9) for _ in range(100)])

    assert asyncio.run(go()) == 0.0


def test_budget_never_lets_reservations_cross_the_cap():
    async def go() -> tuple[list[bool], Budget]:
        budget = Budget(1.0)

        async def one(cost: float) -> bool:
            if not await budget.reserve(0.3):
                return False
            await asyncio.sleep(0)
            assert budget.spent + budget.reserved <= 1.0 + 1e-12
            await budget.settle(0.3, cost)
            return True

        results = await asyncio.gather(*(one(0.25) for _ in range(10)))
        return list(results), budget

    results, budget = asyncio.run(go())
    assert budget.spent <= 1.0
    assert results.count(True) == 3  # 0.25 actual each; the fourth reservation of 0.3 > 0.25 left
    assert budget.exhausted and results[-1] is False


def test_tokens_upper_bound_counts_bytes():
    assert tokens_upper_bound("abcd") >= 4
    assert tokens_upper_bound("ไทย") >= 9  # three bytes per Thai character
