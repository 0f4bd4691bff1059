"""The post cache's level 2: a diskcache folder (the default) or a Redis server that every
machine pointed at it shares. Both store text under a key with a TTL.

Not for what is stored or how keys are made (fbopt.cache) or for the in-process L1.
A Redis that does not answer at start is a ConfigError; one that goes away mid-run is
dropped for the rest of the run (`lost` says why) and the run goes on uncached.
"""

from __future__ import annotations

import logging
import zlib
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from fbopt.errors import ConfigError

# Bump when the way a value is stored in Redis changes (compression, prefix), so old entries
# are never read back as something else.
REDIS_FORMAT = 1
REDIS_PREFIX = f"fbopt:cache:v{REDIS_FORMAT}:"
_LOG = logging.getLogger("fbopt.cache")


class Level2(Protocol):
    name: str  # what identifies this store's contents (the L1 in front of it is shared by name)
    description: str  # what the report says: "disk" or the Redis URL without its password
    lost: str  # empty while the store answers

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str, ttl: float | None) -> None: ...

    def close(self) -> None: ...


class DiskStore:
    """A diskcache folder, opened on first use."""

    description = "disk"
    lost = ""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.name = str(self.directory.resolve())
        self._disk: Any = None

    @property
    def disk(self) -> Any:
        if self._disk is None:
            import diskcache  # late: a run with the cache off never opens it

            self.directory.mkdir(parents=True, exist_ok=True)
            self._disk = diskcache.Cache(str(self.directory))
        return self._disk

    def get(self, key: str) -> str | None:
        value: str | None = self.disk.get(key, default=None, retry=True)
        return value

    def set(self, key: str, value: str, ttl: float | None) -> None:
        self.disk.set(key, value, expire=ttl, retry=True)

    def close(self) -> None:
        if self._disk is not None:
            self._disk.close()
            self._disk = None


class RedisStore:
    """Redis through redis-py: keys under REDIS_PREFIX, values zlib-compressed UTF-8, the TTL as
    Redis's own expiry. Connects (and checks with PING) when made."""

    def __init__(self, url: str, timeout: float = 5.0) -> None:
        import redis  # late: only runs with a cache URL need it

        self.description = redact(url)
        self.name = f"redis:{self.description}"
        self.lost = ""
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        try:
            self.client = redis.Redis.from_url(url, socket_timeout=timeout,
                                               socket_connect_timeout=timeout)
            self.client.ping()
        except (ValueError, *self._errors) as exc:
            raise ConfigError(f"cache.url {self.description}: cannot reach Redis ({exc})",
                              hint="start redis-server, fix --cache-url / cache.url, or leave "
                                   "it empty for the disk cache") from exc

    def get(self, key: str) -> str | None:
        if self.lost:
            return None
        try:
            raw = self.client.get(REDIS_PREFIX + key)
        except self._errors as exc:
            self._lose(exc)
            return None
        return zlib.decompress(raw).decode("utf-8") if raw is not None else None

    def set(self, key: str, value: str, ttl: float | None) -> None:
        if self.lost:
            return
        data = zlib.compress(value.encode("utf-8"), 6)
        expire = max(1, round(ttl)) if ttl else None
        try:
            self.client.set(REDIS_PREFIX + key, data, ex=expire)
        except self._errors as exc:
            self._lose(exc)

    def _lose(self, exc: BaseException) -> None:
        self.lost = (f"Redis at {self.description} stopped answering "
                     f"({type(exc).__name__}: {exc}); the rest of the run was not cached")
        _LOG.warning("cache: %s", self.lost)

    def close(self) -> None:
        try:
            self.client.close()
        except self._errors:
            pass


def redact(url: str) -> str:
    """The URL without its password (a report or log line must never show one)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))
