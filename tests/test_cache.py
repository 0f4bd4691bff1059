"""The post cache: versioned keys, L1 then L2, TTL, no errors stored, semantic reuse."""

from __future__ import annotations

import math
import time

import pytest

from fbopt import cache as cache_mod
from fbopt.cache import PostCache, SemanticIndex, cache_key, embed, semantic_group
from fbopt.providers.base import Completion, CompletionRequest


def req(**kw) -> CompletionRequest:
    base = dict(model="m", prompt="Topic: bees", system="s", topic="bees", audience="gardeners")
    return CompletionRequest(**(base | kw))


def test_keys_are_versioned_and_change_with_what_changes_the_answer(monkeypatch):
    key = cache_key("openai", req())
    assert key.startswith(f"post-v{cache_mod.CACHE_FORMAT}-")
    assert key == cache_key("openai", req())
    assert key != cache_key("anthropic", req())
    assert key != cache_key("openai", req(prompt="Topic: wasps"))
    assert key != cache_key("openai", req(variant=2))
    assert key != cache_key("openai", req(temperature=0.2))
    monkeypatch.setattr(cache_mod, "CACHE_FORMAT", cache_mod.CACHE_FORMAT + 1)
    assert cache_key("openai", req()) != key


def test_l1_then_l2_and_errors_never_stored(tmp_path):
    folder = tmp_path / "c"
    first = PostCache(folder, memory_items=10)
    first.put("k1", Completion(text="hello", tokens_in=3, tokens_out=2, cost_usd=0.1))
    first.put("bad", Completion(error="HTTP 500"))
    hit, level = first.get("k1")
    assert (hit.text, hit.tokens_out, level) == ("hello", 2, "l1")
    assert first.get("bad") is None
    first.close()
    cache_mod._MEMORY.clear()  # a new process: memory is gone, the disk remains
    second = PostCache(folder)
    hit, level = second.get("k1")
    assert (hit.text, level) == ("hello", "l2")
    assert second.get("k1")[1] == "l1"
    stats = second.stats.as_dict()
    assert stats["lookups"] == 2 and stats["l1_hit_rate"] == 0.5 and stats["l2_hit_rate"] == 0.5
    second.close()


def test_ttl_expires_disk_entries(tmp_path):
    store = PostCache(tmp_path / "c", memory_items=0, ttl_seconds=0.05)
    store.put("k", Completion(text="soon gone"))
    assert store.get("k") is not None
    time.sleep(0.1)
    assert store.get("k") is None
    store.close()


def test_semantic_reuse_for_near_duplicates_only(tmp_path):
    assert float(embed("benefits of remote work") @ embed("remote work benefits")) > 0.7
    assert float(embed("benefits of remote work") @ embed("sourdough bread recipe")) < 0.3
    store = PostCache(tmp_path / "c", semantic_threshold=0.7)
    group = semantic_group("openai", req())
    store.put("k-remote", Completion(text="Remote work post"), group, "benefits of remote work")
    store.flush()
    found = store.semantic_get(group, "remote work benefits")
    assert found is not None and found.text == "Remote work post"
    assert store.semantic_get(group, "sourdough bread recipe") is None
    other_audience = semantic_group("openai", req(audience="students"))
    assert store.semantic_get(other_audience, "remote work benefits") is None
    store.close()
    cache_mod._MEMORY.clear()
    again = PostCache(tmp_path / "c", semantic_threshold=0.7)  # the index persisted
    assert again.semantic_get(group, "remote work benefits").text == "Remote work post"
    again.close()


def many_topics(n: int) -> list[str]:
    subjects = ["bees", "sourdough", "remote work", "cycling", "tax returns", "jazz", "orchids"]
    return [f"{subjects[i % len(subjects)]} tip {i}: week {i // 7} of {i * 37 % 101} ideas"
            for i in range(n)]


def test_semantic_index_lookups_match_a_full_restack_across_growth(tmp_path):
    """300 adds cross several buffer growths; every lookup equals a brute-force search over
    freshly stacked embeddings (what the index did before it had a growable buffer)."""
    import numpy as np

    topics = many_topics(300)
    index = SemanticIndex([])
    for i, topic in enumerate(topics):
        index.add(topic, f"k{i}")
    reference = np.stack([embed(t) for t in topics])
    for query in topics[::7] + ["sourdough tip 12: week 1 of 40 ideas", "quantum chromodynamics"]:
        scores = reference @ embed(query)
        score, key = index.best(query)
        assert key == f"k{int(scores.argmax())}" and score == float(scores.max())
    for i, topic in enumerate(topics):  # each topic is its own nearest neighbour
        assert index.best(topic) == (pytest.approx(1.0), f"k{i}")

    store = PostCache(tmp_path / "c", semantic_threshold=0.9)
    group = semantic_group("openai", req())
    for i, topic in enumerate(topics):
        store.put(f"k{i}", Completion(text=f"post {i}"), group, topic)
    store.close()
    cache_mod._MEMORY.clear()
    again = PostCache(tmp_path / "c", semantic_threshold=0.9)  # reloaded, then grown again
    again.put("k-new", Completion(text="post new"), group, "orchids under grow lights")
    for i in (0, 1, 150, 299):
        assert again.semantic_get(group, topics[i]).text == f"post {i}"
    assert again.semantic_get(group, "orchids under grow lights").text == "post new"
    assert again.semantic_get(group, "quantum chromodynamics lecture notes") is None
    again.close()


def test_semantic_index_buffer_grows_geometrically():
    index = SemanticIndex([])
    buffers: list[object] = []
    n = 1000
    for i, topic in enumerate(many_topics(n)):
        index.add(topic, f"k{i}")
        buffer = index.matrix.base if index.matrix.base is not None else index.matrix
        if not buffers or buffers[-1] is not buffer:
            buffers.append(buffer)
    assert index.matrix.shape == (n, embed("x").shape[0])
    # doubling from 16: 16, 32, ..., 1024 is 7 buffers; one row per add would be 1000
    assert len(buffers) <= 2 + math.ceil(math.log2(n))
    assert n <= index.capacity < 2 * n
