"""What wraps every provider call: the retry policy, per-model rate limits (requests and tokens
per minute) and the run's hard budget cap.

Not for making calls (fbopt.drafts.dispatch) or for any provider's protocol (fbopt.providers).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from fbopt.errors import ProviderError

# Chat templates add a few tokens per message around the text itself.
_MESSAGE_OVERHEAD_TOKENS = 16


def tokens_upper_bound(*texts: str) -> int:
    """A count no tokenizer exceeds: byte-level BPE never makes a token of less than one byte."""
    return sum(len(t.encode("utf-8")) for t in texts) + _MESSAGE_OVERHEAD_TOKENS * len(texts)


@dataclass
class RetryPolicy:
    """Exponential backoff with jitter on retryable errors (429, 5xx, timeouts), honouring the
    provider's Retry-After when it sends one."""

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 20.0
    retry_after_max: float = 120.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int, error: ProviderError) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None to give up."""
        if not error.retryable or attempt >= self.max_attempts:
            return None
        if error.retry_after is not None:
            if error.retry_after > self.retry_after_max:
                return None
            # A little jitter on top, so callers told the same second do not return together.
            return error.retry_after + self.rng.uniform(0, min(0.1, self.base_delay))
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return self.rng.uniform(ceiling / 2, ceiling)


class RateLimiter:
    """Token buckets for one model: `rpm` requests and `tpm` tokens per minute (0 = no limit).
    Each bucket holds up to a minute's allowance and refills continuously."""

    def __init__(self, rpm: int, tpm: int, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.rpm, self.tpm = rpm, tpm
        self.requests, self.tokens = float(rpm), float(tpm)
        self.clock, self.sleep = clock, sleep
        self.updated = clock()
        self.waited = 0.0

    def _refill(self) -> None:
        now = self.clock()
        elapsed, self.updated = now - self.updated, now
        self.requests = min(self.rpm, self.requests + elapsed * self.rpm / 60.0)
        self.tokens = min(self.tpm, self.tokens + elapsed * self.tpm / 60.0)

    def _wait_needed(self, tokens: float) -> float:
        wait = 0.0
        if self.rpm and self.requests < 1.0:
            wait = (1.0 - self.requests) * 60.0 / self.rpm
        if self.tpm and self.tokens < tokens:
            wait = max(wait, (tokens - self.tokens) * 60.0 / self.tpm)
        return wait

    async def acquire(self, tokens: int) -> float:
        """Wait until one request of `tokens` fits; returns the seconds waited."""
        need = float(min(tokens, self.tpm)) if self.tpm else 0.0
        waited = 0.0
        while True:
            self._refill()
            wait = self._wait_needed(need)
            if wait <= 0:
                self.requests -= 1.0 if self.rpm else 0.0
                self.tokens -= need
                self.waited += waited
                return waited
            await self.sleep(wait)
            waited += wait


class Budget:
    """The run's hard cap in USD. A call reserves its worst-case cost before it starts and
    settles to the real cost when it ends, so spend plus reservations never passes the cap.
    When a call cannot fit even with nothing else in flight, the budget is exhausted and every
    later call is refused."""

    def __init__(self, cap: float) -> None:
        self.cap = cap
        self.spent = 0.0
        self.reserved = 0.0
        self.outstanding = 0
        self.exhausted = False
        self._changed = asyncio.Condition()

    async def reserve(self, amount: float) -> bool:
        async with self._changed:
            while not self.exhausted:
                if self.spent + self.reserved + amount <= self.cap:
                    self.reserved += amount
                    self.outstanding += 1
                    return True
                if self.outstanding == 0:
                    self.exhausted = True
                    self._changed.notify_all()
                    break
                await self._changed.wait()
            return False

    async def settle(self, reserved: float, actual: float) -> None:
        """Release a reservation and book what the call really cost (0 when it failed)."""
        async with self._changed:
            self.outstanding -= 1
            # Exactly zero when nothing is in flight, so float residue never blocks a call.
            self.reserved = self.reserved - reserved if self.outstanding else 0.0
            self.spent += actual
            self._changed.notify_all()
