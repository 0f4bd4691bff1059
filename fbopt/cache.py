"""The post cache: an in-process LRU (L1) over a level 2 with a TTL, a diskcache folder under
FBOPT_HOME or a Redis shared by every machine (fbopt.cache_store), keyed by a versioned hash of
canonical JSON, plus optional semantic reuse of a post for a near-duplicate topic.

Not for deciding what to call or for failures: only successful completions are ever stored.
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from collections import OrderedDict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from fbopt.cache_store import DiskStore, Level2, RedisStore
from fbopt.providers.base import Completion, CompletionRequest

# Bump when the key recipe or the stored value changes, so no stale entry is ever served.
# 2: an entry may also hold "analysis", the per-text analysis behind the post's scores, tagged
# with the analyser that made it (fbopt.drafts.scoring).
CACHE_FORMAT = 2
_STORED = ("text", "tokens_in", "tokens_out", "cost_usd", "latency_ms", "finish_reason")
_EMBED_DIM = 1024
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def canonical_hash(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cache_key(provider: str, req: CompletionRequest) -> str:
    """The key for one request: everything that changes the answer, nothing that does not
    (and never a credential). A JSON array in fixed order is as canonical as sorted keys and
    cheaper, which matters at tens of thousands of lookups a second."""
    payload = [CACHE_FORMAT, provider, req.model, req.system, req.prompt, req.max_tokens,
               req.temperature, req.seed, req.variant]
    return f"post-v{CACHE_FORMAT}-{canonical_hash(payload)}"


def semantic_group(provider: str, req: CompletionRequest) -> str:
    """Posts are only reused between requests to the same model for the same audience (and
    language and variant number)."""
    payload = {"format": CACHE_FORMAT, "provider": provider, "model": req.model,
               "audience": req.audience.strip().lower(), "language": req.language,
               "variant": req.variant}
    return f"semantic-v{CACHE_FORMAT}-{canonical_hash(payload)[:32]}"


def completion_of(value: dict[str, Any]) -> Completion:
    """The Completion in a stored value (which may hold more than its fields)."""
    return Completion(**{name: value[name] for name in _STORED if name in value})


class LRU:
    def __init__(self, size: int) -> None:
        self.size = max(size, 0)
        self.items: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def get(self, key: str) -> dict[str, Any] | None:
        value = self.items.get(key)
        if value is not None:
            self.items.move_to_end(key)
        return value

    def put(self, key: str, value: dict[str, Any]) -> None:
        if not self.size:
            return
        self.items[key] = value
        self.items.move_to_end(key)
        while len(self.items) > self.size:
            self.items.popitem(last=False)


# One L1 per cache folder and process, so repeated runs in one process (the Python API) share it.
_MEMORY: dict[str, LRU] = {}


def embed(text: str) -> Any:
    """A cheap local embedding: signed hashed character trigrams and words, unit length."""
    import numpy as np

    words = _WORD.findall(text.lower())
    padded = " " + " ".join(words) + " "
    grams = [padded[i:i + 3] for i in range(len(padded) - 2)] + [f"w:{w}" for w in words]
    vector = np.zeros(_EMBED_DIM, dtype=np.float32)
    for gram in grams:
        h = zlib.crc32(gram.encode("utf-8"))
        vector[h % _EMBED_DIM] += 1.0 if (h >> 20) & 1 else -1.0
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


class SemanticIndex:
    """Topics already answered in one group, their embeddings and cache keys.

    The embeddings live in a buffer that doubles when full (only the first `count` rows are
    filled), so filling an index of n topics copies O(n) rows, not O(n^2) as re-stacking did.
    """

    def __init__(self, entries: list[list[str]]) -> None:
        import numpy as np

        self.entries = entries
        self.count = len(entries)
        self._rows = (np.stack([embed(t) for t, _ in entries]) if entries
                      else np.empty((0, _EMBED_DIM), dtype=np.float32))
        self.dirty = False

    @property
    def capacity(self) -> int:
        """Rows the buffer holds before it must grow again."""
        return self._rows.shape[0]

    @property
    def matrix(self) -> Any:
        """The filled rows (a view, not a copy), or None while the index is empty."""
        return self._rows[:self.count] if self.count else None

    def best(self, topic: str) -> tuple[float, str] | None:
        if not self.count:
            return None
        scores = self.matrix @ embed(topic)
        i = int(scores.argmax())
        return float(scores[i]), self.entries[i][1]

    def add(self, topic: str, key: str) -> None:
        if self.count == self.capacity:
            self._grow()
        self._rows[self.count] = embed(topic)
        self.entries.append([topic, key])
        self.count += 1
        self.dirty = True

    def _grow(self) -> None:
        import numpy as np

        rows = np.empty((max(16, 2 * self.capacity), _EMBED_DIM), dtype=np.float32)
        rows[:self.count] = self._rows[:self.count]
        self._rows = rows


@dataclass
class CacheStats:
    lookups: int = 0
    l1_hits: int = 0
    l2_hits: int = 0
    semantic_hits: int = 0
    level2: str = "disk"
    level2_lost: str = ""  # why level 2 stopped answering mid-run; the rest went uncached

    def as_dict(self) -> dict[str, Any]:
        n = self.lookups or 1
        hits = self.l1_hits + self.l2_hits + self.semantic_hits
        return {**asdict(self), "misses": self.lookups - hits,
                "l1_hit_rate": round(self.l1_hits / n, 4),
                "l2_hit_rate": round(self.l2_hits / n, 4),
                "semantic_hit_rate": round(self.semantic_hits / n, 4),
                "hit_rate": round(hits / n, 4)}


class PostCache:
    """L1 + L2 (+ semantic). `get` says which level answered: 'l1' or 'l2'. With `url`
    (redis://...) level 2 is that Redis, else the diskcache folder `directory`."""

    def __init__(self, directory: Path, memory_items: int = 10000, ttl_seconds: float = 0.0,
                 semantic_threshold: float = 0.0, url: str = "") -> None:
        self.directory = Path(directory)
        self.store: Level2 = RedisStore(url) if url else DiskStore(self.directory)
        self.memory = _MEMORY.setdefault(self.store.name, LRU(memory_items))
        self.ttl = ttl_seconds if ttl_seconds > 0 else None
        self.threshold = semantic_threshold
        self.stats = CacheStats(level2=self.store.description)
        self._indexes: dict[str, SemanticIndex] = {}

    @property
    def semantic(self) -> bool:
        """Semantic reuse is on. Off by default: callers then skip hashing each request's
        semantic group."""
        return self.threshold > 0

    def _read(self, key: str) -> tuple[dict[str, Any], str] | None:
        """The stored value and the level it came from ("l1" memory, "l2" disk or Redis)."""
        value = self.memory.get(key)
        if value is not None:
            return value, "l1"
        raw = self.store.get(key)
        self.stats.level2_lost = self.store.lost
        return (json.loads(raw), "l2") if raw is not None else None

    def get(self, key: str) -> tuple[Completion, str] | None:
        found = self.entry(key)
        return (completion_of(found[0]), found[1]) if found is not None else None

    def entry(self, key: str) -> tuple[dict[str, Any], str] | None:
        """The stored value (the completion's fields, and "analysis" when kept) and its level."""
        self.stats.lookups += 1
        found = self._read(key)
        if found is None:
            return None
        value, level = found
        if level == "l1":
            self.stats.l1_hits += 1
        else:
            self.memory.put(key, value)
            self.stats.l2_hits += 1
        return value, level

    def put(self, key: str, completion: Completion, group: str | None = None,
            topic: str = "") -> None:
        if not completion.ok:  # errors are never cached
            return
        self._write(key, {name: getattr(completion, name) for name in _STORED})
        if self.semantic and group and topic:
            self._index(group).add(topic, key)

    def annotate(self, key: str, extra: dict[str, Any]) -> None:
        """Add fields to a stored entry (the post's analysis, once it is scored)."""
        found = self._read(key)
        if found is not None:
            self._write(key, {**found[0], **extra})

    def _write(self, key: str, value: dict[str, Any]) -> None:
        self.memory.put(key, value)
        self.store.set(key, json.dumps(value, ensure_ascii=False), self.ttl)

    def semantic_get(self, group: str, topic: str) -> Completion | None:
        """A stored post for a topic at least `threshold` similar, in the same group."""
        if not self.semantic or not topic:
            return None
        found = self._index(group).best(topic)
        if found is None or found[0] < self.threshold:
            return None
        stored = self._read(found[1])
        if stored is None:
            return None
        self.stats.semantic_hits += 1
        return completion_of(stored[0])

    def _index(self, group: str) -> SemanticIndex:
        if group not in self._indexes:
            stored = self.store.get(group)
            self._indexes[group] = SemanticIndex(json.loads(stored) if stored else [])
        return self._indexes[group]

    def flush(self) -> None:
        """Write the semantic indexes that changed (once per batch, not per post)."""
        for group, index in self._indexes.items():
            if index.dirty:
                self.store.set(group, json.dumps(index.entries, ensure_ascii=False), None)
                index.dirty = False

    def close(self) -> None:
        self.flush()
        self.stats.level2_lost = self.store.lost
        self.store.close()
