"""Builds `generate`'s Planner and Dispatcher from the config: credentials, catalog, selector,
prompt book, cache, budget and retry policy, and the planner that assigns each post.

Not for the pipeline stage itself (fbopt.drafts.stage) or the calls (fbopt.drafts.dispatch).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from pathlib import Path

from fbopt.cache import PostCache
from fbopt.config import Config
from fbopt.drafts.batch import FALLBACKS, BatchDispatcher, BatchSettings
from fbopt.drafts.catalog import CONTENT_TYPES, load_catalog
from fbopt.drafts.dispatch import LLMDispatcher, ProviderPool
from fbopt.drafts.limits import RetryPolicy, tokens_upper_bound
from fbopt.drafts.prompts import PromptBook, load_prompts
from fbopt.drafts.records import Assignment, TopicRow
from fbopt.drafts.selector import Selector, Weights, classify
from fbopt.errors import UsageError
from fbopt.providers.base import CompletionRequest
from fbopt.providers.registry import (
    OFFLINE,
    PROVIDERS,
    install_log_redaction,
    key_hint,
    provider_settings,
)

NO_KEYS_NOTE = ("no API keys found ({}): every post was written by the built-in offline "
                "composer")


class LLMPlanner:
    """Assigns each post a content type, a prompt variant and a model, deterministically for a
    given seed and history, so a rerun asks for the same posts and hits the cache."""

    def __init__(self, selector: Selector, prompts: PromptBook, config: Config,
                 notes: list[str]) -> None:
        self.selector = selector
        self.prompts = prompts
        self.notes = notes
        self.seed = int(config.get("generate.seed"))
        self.min_chars = int(config.get("generate.min_chars"))
        self.max_chars = int(config.get("generate.max_chars"))
        # A post of max_chars is about max_chars/4 tokens in English; leave room for others.
        self.max_tokens = min(int(config.get("llm.max_tokens")), self.max_chars // 2 + 32)
        self.temperature = float(config.get("llm.temperature"))

    def assign(self, row: TopicRow, variant: int) -> Assignment:
        content_type, how = self._content_type(row)
        row_seed = _row_seed(self.seed, row, variant)
        rng = LazyRandom(row_seed)
        base = dict(topic=row.topic, audience=row.audience, tone=row.tone,
                    content_type=content_type, language=row.language, variant=variant,
                    min_chars=self.min_chars, max_chars=self.max_chars)
        if self.selector.forced_provider == OFFLINE or not self.selector.available:
            return self._offline(row, variant, base, content_type,
                                 "built-in offline composer" + how)
        history = self.selector.prompt_history(content_type)
        prompt_variant = self.prompts.choose(content_type, rng, history, row_seed >> 16)
        system, prompt = self.prompts.render(prompt_variant, base)
        tokens_in = tokens_upper_bound(system, prompt)
        choice = self.selector.choose(content_type, row.quality_requirement, row.urgency,
                                      row.budget, tokens_in, self.max_tokens, rng)
        if choice.provider == OFFLINE:
            return self._offline(row, variant, base, content_type, choice.reason + how)
        request = CompletionRequest(model=choice.model, prompt=prompt, system=system,
                                    max_tokens=self.max_tokens, temperature=self.temperature,
                                    seed=row_seed % 2**31, **base)
        return Assignment(row, variant, choice.provider, choice.model, content_type,
                          prompt_variant.name, choice.reason + how, request)

    def _content_type(self, row: TopicRow) -> tuple[str, str]:
        given = row.content_type.strip().lower()
        if given in CONTENT_TYPES:
            return given, ""
        found = classify(row.topic, row.audience)
        if given:
            return found, f" (content_type '{given}' is unknown; classified as {found})"
        return found, ""

    def _offline(self, row: TopicRow, variant: int, base: dict, content_type: str,
                 reason: str) -> Assignment:
        request = CompletionRequest(model=OFFLINE, prompt=row.topic, seed=self.seed, **base)
        return Assignment(row, variant, OFFLINE, OFFLINE, content_type, "offline-default",
                          reason, request)


class LazyRandom(random.Random):
    """A seeded random.Random that seeds itself on its first draw: seeding costs more than
    the rest of planning a row, and a row that needs no draw (a forced model, no history)
    never pays it. Every draw goes through random() or getrandbits(), both overridden."""

    def __init__(self, seed: int) -> None:  # deliberately no Random.__init__: that seeds now
        self._pending: int | None = seed
        self.gauss_next = None

    def _ensure(self) -> None:
        if self._pending is not None:
            seed, self._pending = self._pending, None
            super().seed(seed)

    def random(self) -> float:
        self._ensure()
        return super().random()

    def getrandbits(self, k: int) -> int:
        self._ensure()
        return super().getrandbits(k)


def _row_seed(seed: int, row: TopicRow, variant: int) -> int:
    key = f"{seed}|{row.topic_id}|{row.topic}|{variant}".encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big")


def _forced(config: Config, catalog_models: Mapping[str, object]) -> tuple[str, str]:
    provider = str(config.get("llm.provider") or "").strip().lower()
    model = str(config.get("llm.model") or "").strip()
    if provider and provider != OFFLINE and provider not in PROVIDERS:
        raise UsageError(f"unknown provider '{provider}'",
                         hint=f"use one of {', '.join([*PROVIDERS, OFFLINE])}")
    if model and model != OFFLINE and model not in catalog_models:
        raise UsageError(f"model '{model}' is not in the catalog",
                         hint="add it to models.toml (llm.models_file) or pick one of "
                              + ", ".join(sorted(catalog_models)))
    if model == OFFLINE:
        return OFFLINE, ""
    return provider, model


def build_routing(config: Config,
                  environ: Mapping[str, str] | None = None) -> tuple[LLMPlanner, LLMDispatcher]:
    """The planner and dispatcher for one `generate` run."""
    install_log_redaction()
    catalog = load_catalog(config)
    forced_provider, forced_model = _forced(config, catalog.models)
    settings = {name: s for name in PROVIDERS
                if (s := provider_settings(name, config, environ)) is not None}
    _check_forced(forced_provider, forced_model, catalog.models, settings)
    notes = []
    if not settings and forced_provider != OFFLINE:
        keys = ", ".join(v for info in PROVIDERS.values() for v in info.key_envs[:1])
        notes.append(NO_KEYS_NOTE.format(keys))
    weights = Weights(float(config.get("selector.quality_weight")),
                      float(config.get("selector.cost_weight")),
                      float(config.get("selector.latency_weight")))
    selector = Selector(catalog, set(settings), weights, forced_provider, forced_model)
    planner = LLMPlanner(selector, load_prompts(config), config, notes)
    max_cost = float(config.get("llm.max_cost"))
    kind, extra = LLMDispatcher, {}
    if bool(config.get("llm.batch")):
        kind, extra = BatchDispatcher, {"batch": _batch(config)}
    dispatcher = kind(
        ProviderPool(settings, catalog), catalog,
        concurrency=max(1, int(config.get("llm.concurrency"))), cache=_cache(config),
        max_cost=max_cost if max_cost >= 0 else None, retry=_retry(config),
        timeout=float(config.get("llm.timeout")), **extra)
    return planner, dispatcher


def _batch(config: Config) -> BatchSettings:
    fallback = str(config.get("llm.batch_fallback")).strip().lower()
    if fallback not in FALLBACKS:
        raise UsageError(f"llm.batch_fallback '{fallback}' is unknown",
                         hint="use --batch-fallback none or --batch-fallback online")
    return BatchSettings(wait=float(config.get("llm.batch_wait")),
                         poll=max(0.01, float(config.get("llm.batch_poll"))),
                         poll_max=float(config.get("llm.batch_poll_max")),
                         no_wait=bool(config.get("llm.batch_no_wait")), fallback=fallback)


def _check_forced(provider: str, model: str, models: Mapping[str, object],
                  settings: Mapping[str, object]) -> None:
    wanted = getattr(models.get(model), "provider", provider) if model else provider
    if wanted and wanted != OFFLINE and wanted not in settings:
        what = f"--model {model}" if model else f"--provider {provider}"
        raise UsageError(f"{what} needs {wanted} credentials", hint=key_hint(wanted))


def _retry(config: Config) -> RetryPolicy:
    return RetryPolicy(max_attempts=max(1, int(config.get("llm.max_attempts"))),
                       base_delay=float(config.get("llm.retry_base_delay")),
                       max_delay=float(config.get("llm.retry_max_delay")),
                       retry_after_max=float(config.get("llm.retry_after_max")))


def _cache(config: Config) -> PostCache | None:
    if not bool(config.get("cache.enabled")):
        return None
    from fbopt.home import home_path

    folder = str(config.get("cache.dir") or "").strip()
    directory = Path(folder).expanduser() if folder else home_path("cache", "posts")
    return PostCache(directory, int(config.get("cache.memory_items")),
                     float(config.get("cache.ttl_days")) * 86400.0,
                     float(config.get("cache.semantic_threshold")),
                     url=str(config.get("cache.url")).strip())
