"""Runs the planned calls for `generate`: cache first, then the budget, the model's rate limit,
the concurrency bound and the retry policy around each provider call.

Not for choosing models or prompts (fbopt.drafts.selector, .prompts) or for any provider's wire
protocol (fbopt.providers). A failed call becomes a row with status=failed, never an exception.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from fbopt.cache import PostCache, cache_key, completion_of, semantic_group
from fbopt.checkpoint import CallJournal
from fbopt.drafts.catalog import Catalog
from fbopt.drafts.limits import Budget, RateLimiter, RetryPolicy, tokens_upper_bound
from fbopt.drafts.records import Assignment, Outcome
from fbopt.errors import ProviderError
from fbopt.providers.base import Completion, CompletionRequest
from fbopt.providers.offline import OfflineProvider
from fbopt.providers.registry import OFFLINE, ProviderSettings, load_adapter, redact
from fbopt.providers.remote import RemoteProvider, timeout_error


@dataclass
class CallStats:
    calls: int = 0
    attempts: int = 0
    retries: int = 0
    failed: int = 0
    skipped_budget: int = 0
    max_in_flight: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    retry_wait_s: float = 0.0
    errors: Counter[str] = field(default_factory=Counter)
    by_model: Counter[str] = field(default_factory=Counter)


class ProviderPool:
    """One adapter per provider, built on first use and closed at the end of the run."""

    def __init__(self, settings: dict[str, ProviderSettings], catalog: Catalog) -> None:
        self.settings = settings
        self.catalog = catalog
        self.adapters: dict[str, RemoteProvider] = {}

    def get(self, name: str) -> RemoteProvider:
        if name not in self.adapters:
            cls = load_adapter(name)
            self.adapters[name] = cls(self.settings[name], self.catalog.prices(name))
        return self.adapters[name]

    async def aclose(self) -> None:
        for adapter in self.adapters.values():
            await adapter.aclose()
        self.adapters.clear()


class LLMDispatcher:
    """The Dispatcher for LLM-backed runs (offline assignments are composed in place)."""

    def __init__(self, pool: ProviderPool, catalog: Catalog, *, concurrency: int = 16,
                 cache: PostCache | None = None, max_cost: float | None = None,
                 retry: RetryPolicy | None = None, timeout: float = 60.0) -> None:
        self.pool = pool
        self.catalog = catalog
        self.concurrency = concurrency
        self.cache = cache
        self.max_cost = max_cost
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.offline = OfflineProvider()
        self.limiters = {m.name: RateLimiter(m.rpm, m.tpm) for m in catalog.models.values()}
        self.stats = CallStats()
        self.call_seconds = 0.0
        # Set by a resumable run: answers that arrived before a restart (fbopt.checkpoint).
        self.journal: CallJournal | None = None
        # Set when posts are scored: hears each post's cache entry (fbopt.drafts.scoring).
        self.memo: Any = None
        self.prior_spent = 0.0
        self._budget: Budget | None = None
        self._slots: asyncio.Semaphore | None = None
        self._in_flight = 0

    async def run(self, assignments: Sequence[Assignment]) -> list[Outcome]:
        if self._slots is None:  # made inside the running loop
            self._slots = asyncio.Semaphore(self.concurrency)
            self._budget = Budget(self.max_cost) if self.max_cost is not None else None
            if self._budget is not None:
                self._budget.spent = self.prior_spent
        outcomes: list[Outcome | None] = [None] * len(assignments)
        if self.memo is not None:
            self.memo.clear()
        groups: dict[str, list[int]] = {}  # identical requests in one batch share one answer
        for i, a in enumerate(assignments):
            self.stats.by_model[a.model] += 1
            if a.provider == OFFLINE:
                outcomes[i] = Outcome(self.offline.complete_one(a.request), "ok", "none")
            else:
                groups.setdefault(cache_key(a.provider, a.request), []).append(i)
        pending = []
        for key, rows in groups.items():
            hit = self._resumed(key) or self._lookup(key, assignments[rows[0]])
            if hit is None:
                pending.append(key)
            else:
                _share(outcomes, rows, hit)
        if pending:
            start = time.perf_counter()
            done = await self._run_calls([(k, assignments[groups[k][0]]) for k in pending])
            self.call_seconds += time.perf_counter() - start
            for key, outcome in zip(pending, done, strict=True):
                _share(outcomes, groups[key], outcome)
        if self.cache is not None:
            self.cache.flush()
        return [o for o in outcomes if o is not None]

    async def _run_calls(self, calls: Sequence[tuple[str, Assignment]]) -> list[Outcome]:
        """One outcome per (call key, assignment), in order: here one online call each
        (fbopt.drafts.batch sends them through the providers' batch APIs instead)."""
        return list(await asyncio.gather(*(self._call(a, k) for k, a in calls)))

    def _resumed(self, key: str) -> Outcome | None:
        """The answer this run got before it was stopped: the row reads as it would have."""
        completion = self.journal.get(key) if self.journal is not None else None
        if completion is None:
            return None
        self.add_prior_spend(completion.cost_usd)
        self._offer(key, completion.text, None)
        return Outcome(completion, "ok", "miss" if self.cache is not None else "off")

    def add_prior_spend(self, usd: float) -> None:
        """Book what this run spent before a restart, so --max-cost caps the whole run."""
        self.prior_spent += usd
        if self._budget is not None:
            self._budget.spent += usd

    def _lookup(self, key: str, a: Assignment) -> Outcome | None:
        if self.cache is None:
            return None
        start = time.perf_counter()
        found = self.cache.entry(key)
        if found is not None:
            completion, level = completion_of(found[0]), found[1]
            self._offer(key, completion.text, found[0])
        elif self.cache.semantic:
            completion = self.cache.semantic_get(semantic_group(a.provider, a.request), a.row.topic)
            level = "semantic"
            if completion is None:
                return None
        else:
            return None
        # Nothing was spent on this run for a reused post; tokens still describe the post.
        completion.cost_usd = 0.0
        completion.latency_ms = (time.perf_counter() - start) * 1000.0
        return Outcome(completion, "ok", level)

    def _offer(self, key: str, text: str, entry: dict[str, Any] | None) -> None:
        if self.memo is not None:
            self.memo.offer(text, key, entry)

    async def _call(self, a: Assignment, key: str) -> Outcome:
        req = a.request
        spec = self.catalog.get(a.model)
        tokens_in = tokens_upper_bound(req.system, req.prompt)
        worst = spec.max_cost(tokens_in, req.max_tokens)
        budget = self._budget
        if budget is not None and not await budget.reserve(worst):
            self.stats.skipped_budget += 1
            return Outcome(Completion(error="not written: the next call could cross --max-cost"),
                           "skipped_budget", "miss")
        completion = Completion(error="not attempted")
        try:
            completion = await self._with_retries(a.provider, req, tokens_in)
        except ProviderError as exc:
            self.stats.failed += 1
            self.stats.errors[type(exc).__name__] += 1
            return Outcome(Completion(error=redact(exc.message())), "failed", "miss")
        finally:
            if budget is not None:
                await budget.settle(worst, completion.cost_usd if completion.ok else 0.0)
        return self._book(key, a, completion)

    def _book(self, key: str, a: Assignment, completion: Completion) -> Outcome:
        """A paid answer: counted, journalled for a restart, cached, and the row's outcome."""
        self.stats.tokens_in += completion.tokens_in
        self.stats.tokens_out += completion.tokens_out
        self.stats.cost_usd += completion.cost_usd
        if self.journal is not None:
            self.journal.put(key, completion)
        if self.cache is not None:
            group = semantic_group(a.provider, a.request) if self.cache.semantic else None
            self.cache.put(key, completion, group, a.row.topic)
            self._offer(key, completion.text, None)
        return Outcome(completion, "ok", "miss" if self.cache is not None else "off")

    async def _with_retries(self, provider: str, req: CompletionRequest,
                            tokens_in: int) -> Completion:
        adapter = self.pool.get(provider)
        limiter = self.limiters[req.model]
        self.stats.calls += 1
        attempt = 0
        while True:
            attempt += 1
            await limiter.acquire(tokens_in + req.max_tokens)
            try:
                completion = await self._attempt(adapter, req)
                completion.attempts = attempt
                return completion
            except ProviderError as exc:
                wait = self.retry.delay(attempt, exc)
                if wait is None:
                    raise
                self.stats.retries += 1
                self.stats.retry_wait_s += wait
                await asyncio.sleep(wait)

    async def _attempt(self, adapter: RemoteProvider, req: CompletionRequest) -> Completion:
        assert self._slots is not None
        async with self._slots:
            self.stats.attempts += 1
            self._in_flight += 1
            self.stats.max_in_flight = max(self.stats.max_in_flight, self._in_flight)
            try:
                # The SDK has the same timeout; this bounds the whole call, body included.
                return await asyncio.wait_for(adapter.call(req), self.timeout + 1.0)
            except asyncio.TimeoutError as exc:
                raise timeout_error(adapter.name, self.timeout) from exc
            finally:
                self._in_flight -= 1

    def metrics(self) -> dict[str, Any]:
        s = self.stats
        calls = {
            "calls": s.calls, "attempts": s.attempts, "retries": s.retries, "failed": s.failed,
            "skipped_budget": s.skipped_budget, "concurrency": self.concurrency,
            "max_in_flight": s.max_in_flight, "tokens_in": s.tokens_in,
            "tokens_out": s.tokens_out, "cost_usd": round(s.cost_usd, 6),
            "call_seconds": round(self.call_seconds, 3),
            "calls_per_second": (round(s.calls / self.call_seconds, 2)
                                 if self.call_seconds else None),
            "retry_wait_seconds": round(s.retry_wait_s, 3),
            "cost_usd_before_resume": round(self.prior_spent, 6),
            "rate_limit_wait_seconds": round(sum(r.waited for r in self.limiters.values()), 3),
            "errors": dict(s.errors),
        }
        if self.max_cost is not None:
            calls["max_cost_usd"] = self.max_cost
            calls["budget_exhausted"] = bool(self._budget and self._budget.exhausted)
        out: dict[str, Any] = {"llm": calls, "posts_by_model": dict(s.by_model)}
        out["cache"] = self.cache.stats.as_dict() if self.cache is not None else {"enabled": False}
        return out

    @property
    def notes(self) -> list[str]:
        """What the user should hear once at the end of the run."""
        notes = []
        if self.stats.skipped_budget:
            notes.append(f"{self.stats.skipped_budget} posts not written (status=skipped_budget): "
                         f"the next call could have crossed --max-cost ${self.max_cost:g}")
        if self.stats.failed:
            kinds = ", ".join(f"{n} {k}" for k, n in self.stats.errors.most_common())
            notes.append(f"{self.stats.failed} calls failed after retries ({kinds}); "
                         "see the error column")
        return notes

    async def aclose(self) -> None:
        await self.pool.aclose()
        if self.cache is not None:
            self.cache.close()


def _share(outcomes: list[Outcome | None], rows: list[int], outcome: Outcome) -> None:
    """One answer for every row that asked the same thing; the first row carries its cost and
    the others cost nothing, so per-row costs add up to what was spent (and a resumed run books
    a journalled answer once, not once per row)."""
    outcomes[rows[0]] = outcome
    for i in rows[1:]:
        outcomes[i] = Outcome(replace(outcome.completion, cost_usd=0.0), outcome.status,
                              outcome.cache)
