"""Batch mode for `generate` (--batch): the calls a record batch still needs go to each
provider's batch API in one submission, at the catalog's batch prices, and come back by call key.

Not for the online path (fbopt.drafts.dispatch, which this extends and falls back to) nor any
wire protocol (fbopt.providers.openai_batch). Submitted batch ids live in the run's checkpoint
(fbopt.checkpoint.BatchLedger), so a restarted run polls them instead of submitting again.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fbopt.checkpoint import BatchLedger
from fbopt.drafts.dispatch import LLMDispatcher
from fbopt.drafts.limits import tokens_upper_bound
from fbopt.drafts.records import Assignment, Outcome
from fbopt.errors import BatchPending, ProviderError
from fbopt.providers.anthropic_batch import AnthropicBatches
from fbopt.providers.base import Completion
from fbopt.providers.batches import BatchState
from fbopt.providers.openai_batch import OpenAIBatches
from fbopt.providers.registry import redact
from fbopt.providers.remote import Reply

# Providers whose batch API fbopt speaks; the others run online and the report says so.
BATCH_APIS: dict[str, Any] = {"openai": OpenAIBatches, "anthropic": AnthropicBatches}
FALLBACKS = ("none", "online")


@dataclass
class BatchSettings:
    wait: float = 86400.0
    poll: float = 5.0
    poll_max: float = 300.0
    no_wait: bool = False
    fallback: str = "none"


@dataclass
class _Submitted:
    provider: str
    batch_id: str
    calls: list[tuple[str, Assignment]]
    worst: list[float]


class BatchDispatcher(LLMDispatcher):
    """LLMDispatcher whose uncached calls go through batch APIs where the provider has one."""

    def __init__(self, *args: Any, batch: BatchSettings | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.batch = batch or BatchSettings()
        # Set by a resumable run (fbopt.pipeline.resume_checkpoint); else kept in memory.
        self.ledger: BatchLedger | None = None
        self.counts: Counter[str] = Counter()
        self.online_providers: Counter[str] = Counter()
        self.submitted: list[str] = []

    async def _run_calls(self, calls: Sequence[tuple[str, Assignment]]) -> list[Outcome]:
        outcomes: dict[str, Outcome] = {}
        online = [(k, a) for k, a in calls if a.provider not in BATCH_APIS]
        for _, a in online:
            self.online_providers[a.provider] += 1
        batches: dict[str, list[tuple[str, Assignment]]] = {}
        for key, a in calls:
            if a.provider in BATCH_APIS:
                batches.setdefault(a.provider, []).append((key, a))
        submitted = []
        for provider, group in batches.items():
            admitted = self._admit(group, outcomes)
            if admitted:
                found = await self._submit(provider, admitted, outcomes)
                if found is not None:
                    submitted.append(found)
        states = await self._wait_all(submitted)
        for sub in submitted:
            await self._collect(sub, states[sub.batch_id], outcomes)
        for (key, _), outcome in zip(online, await super()._run_calls(online), strict=True):
            outcomes[key] = outcome
        return [outcomes[key] for key, _ in calls]

    def _admit(self, group: list[tuple[str, Assignment]],
               outcomes: dict[str, Outcome]) -> list[tuple[str, Assignment, float]]:
        """Each call with its worst-case batch cost, checked against --max-cost before anything
        is submitted: a call that could cross the cap is not sent (status=skipped_budget)."""
        budget = self._budget
        admitted = []
        for key, a in group:
            spec = self.catalog.get(a.model)
            req = a.request
            worst = spec.batch_price.cost(tokens_upper_bound(req.system, req.prompt),
                                          min(req.max_tokens, spec.max_output_tokens))
            if budget is not None and budget.spent + budget.reserved + worst > budget.cap:
                budget.exhausted = True
                self.stats.skipped_budget += 1
                outcomes[key] = Outcome(
                    Completion(error="not written: the next call could cross --max-cost"),
                    "skipped_budget", "miss")
                continue
            if budget is not None:  # held until the batch's real cost is known
                budget.reserved += worst
            admitted.append((key, a, worst))
        return admitted

    async def _submit(self, provider: str, admitted: list[tuple[str, Assignment, float]],
                      outcomes: dict[str, Outcome]) -> _Submitted | None:
        calls = [(k, a) for k, a, _ in admitted]
        worst = [w for _, _, w in admitted]
        name = _submission_key(provider, [k for k, _ in calls])
        known = self.ledger.get(name) if self.ledger is not None else None
        if known is not None:
            self.counts["resumed"] += 1
            self.counts["requests"] += len(calls)
            return _Submitted(provider, str(known["id"]), calls, worst)
        api = BATCH_APIS[provider](self.pool.get(provider))
        try:
            batch_id = await api.submit([(k, a.request) for k, a in calls])
        except ProviderError as exc:
            self._release(worst)
            await self._failed_all(calls, redact(exc.message()), outcomes)
            return None
        if self.ledger is not None:
            self.ledger.put(name, provider, batch_id, len(calls))
        self.counts["submitted"] += 1
        self.counts["requests"] += len(calls)
        self.submitted.append(f"{provider} {batch_id} ({len(calls)} requests)")
        return _Submitted(provider, batch_id, calls, worst)

    async def _wait_all(self, submitted: list[_Submitted]) -> dict[str, BatchState]:
        """Every batch's final state, or one BatchPending naming all that are not done."""
        states, pending = {}, []
        for sub in submitted:
            state = await self._wait(sub)
            if state.done:
                states[sub.batch_id] = state
            else:
                pending.append(f"{sub.provider} batch {sub.batch_id} ({len(sub.calls)} "
                               f"requests, {state.status})")
        if pending:
            why = "--no-wait" if self.batch.no_wait else f"llm.batch_wait {self.batch.wait:g}s"
            raise BatchPending(f"not finished yet ({why}): {', '.join(pending)}",
                               hint="run the same command again later to collect; nothing is "
                                    "submitted twice")
        return states

    async def _wait(self, sub: _Submitted) -> BatchState:
        """Poll with backoff until the batch ends, or until --no-wait or llm.batch_wait says
        stop (the state is then not done; the checkpoint keeps the id for the next run)."""
        api = BATCH_APIS[sub.provider](self.pool.get(sub.provider))
        start = time.monotonic()
        delay = self.batch.poll
        while True:
            state = await api.poll(sub.batch_id)
            if state.done:
                self.counts[f"batches_{state.status}"] += 1
                return state
            if self.batch.no_wait or time.monotonic() - start + delay > self.batch.wait:
                return state
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.batch.poll_max)

    async def _collect(self, sub: _Submitted, state: BatchState,
                       outcomes: dict[str, Outcome]) -> None:
        api = BATCH_APIS[sub.provider](self.pool.get(sub.provider))
        self._release(sub.worst)
        try:
            answers = await api.results(state)
        except ProviderError as exc:
            await self._failed_all(sub.calls, redact(exc.message()), outcomes)
            return
        retry = []
        missing = f"batch {state.status}" + (f": {state.error}" if state.error else "")
        for key, a in sub.calls:
            answer = answers.get(key, missing)  # a key the batch never answered
            if isinstance(answer, Reply):
                outcomes[key] = self._book(key, a, self._completion(a, answer))
                self.stats.calls += 1
            else:
                retry.append((key, a, redact(str(answer))))
        await self._fail_or_retry(retry, outcomes)

    def _completion(self, a: Assignment, reply: Reply) -> Completion:
        price = self.catalog.get(a.model).batch_price
        cost = price.cost(reply.tokens_in, reply.tokens_out)
        if self._budget is not None:
            self._budget.spent += cost
        return Completion(text=reply.text.strip(), tokens_in=reply.tokens_in,
                          tokens_out=reply.tokens_out, cost_usd=cost,
                          finish_reason=reply.finish_reason)

    async def _failed_all(self, calls: list[tuple[str, Assignment]], error: str,
                          outcomes: dict[str, Outcome]) -> None:
        await self._fail_or_retry([(k, a, error) for k, a in calls], outcomes)

    async def _fail_or_retry(self, rows: list[tuple[str, Assignment, str]],
                             outcomes: dict[str, Outcome]) -> None:
        """Rows the batch did not answer: once online with --batch-fallback online, else
        status=failed with the provider's error."""
        if self.batch.fallback == "online" and rows:
            self.counts["fallback_online"] += len(rows)
            done = await super()._run_calls([(k, a) for k, a, _ in rows])
            for (key, _, _), outcome in zip(rows, done, strict=True):
                outcomes[key] = outcome
            return
        for key, _, error in rows:
            self.stats.failed += 1
            self.stats.errors["BatchRequestError"] += 1
            outcomes[key] = Outcome(Completion(error=error), "failed", "miss")

    def _release(self, worst: list[float]) -> None:
        if self._budget is not None:
            self._budget.reserved = max(0.0, self._budget.reserved - sum(worst))

    def metrics(self) -> dict[str, Any]:
        out = super().metrics()
        out["batch"] = {**dict(self.counts), "submitted_ids": list(self.submitted),
                        "online_no_batch_api": dict(self.online_providers),
                        "fallback": self.batch.fallback}
        return out

    @property
    def notes(self) -> list[str]:
        notes = list(super().notes)
        if self.counts["requests"]:
            earlier = (f" ({self.counts['resumed']} submitted by an earlier run)"
                       if self.counts["resumed"] else "")
            batches = self.counts["submitted"] + self.counts["resumed"]
            notes.append(f"batch mode: {self.counts['requests']} requests in {batches} provider "
                         f"batches{earlier}, at batch prices")
        for provider, n in sorted(self.online_providers.items()):
            notes.append(f"batch mode: {provider} has no batch API here; its {n} calls ran "
                         "online at online prices")
        if self.counts["fallback_online"]:
            notes.append(f"batch mode: {self.counts['fallback_online']} rows the batch did not "
                         "answer were retried online (--batch-fallback online)")
        return notes


def _submission_key(provider: str, keys: Sequence[str]) -> str:
    """The same calls give the same key on a rerun, whatever order they were planned in."""
    digest = hashlib.sha256("\n".join([provider, *sorted(keys)]).encode()).hexdigest()
    return digest[:24]
