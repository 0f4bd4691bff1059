"""The one executor layer every CPU-bound stage uses: maps a function over chunks of work, in
this process, on joblib's loky workers (the default), on threads, or on a Dask cluster.

Not for the work itself or for I/O concurrency (LLM calls are asyncio in fbopt.dispatch).
Results always come back in input order, so the output is the same whatever the backend.
loky workers start clean (they never re-run the caller's script, so no `__main__` guard is
needed) and are reused across calls; per-worker state (a Harper linter) is built once per
worker with `borrowed`.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from fbopt.config import Config
from fbopt.errors import ConfigError

T = TypeVar("T")
R = TypeVar("R")
BACKENDS = ("loky", "threading", "dask")
DASK_HINT = "pip install 'fbopt[dask]' (dask[distributed]), or use --backend loky"
_LOG = logging.getLogger("fbopt.parallel")


@dataclass(frozen=True)
class ParallelSettings:
    """`jobs`: workers (0 = every core; on Dask, ignored: the cluster's threads count);
    `backend`: loky, threading or dask; `scheduler`: a Dask scheduler address (empty: the
    DASK_SCHEDULER_ADDRESS variable, else a LocalCluster of `jobs` worker processes)."""

    jobs: int = 0
    backend: str = "loky"
    scheduler: str = ""

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ConfigError(f"unknown parallel backend {self.backend!r}",
                              hint=f"choose from {', '.join(BACKENDS)} (run.backend, --backend)")
        if self.jobs < 0:
            raise ConfigError(f"run.jobs must be >= 0, got {self.jobs}",
                              hint="0 uses every core")
        if self.backend == "dask":
            _require_distributed()  # say so before any work starts, not at the first big batch

    @classmethod
    def from_config(cls, config: Config) -> ParallelSettings:
        return cls(int(config.get("run.jobs")), str(config.get("run.backend")).strip().lower(),
                   str(config.get("run.scheduler")).strip())

    def local_jobs(self) -> int:
        return self.jobs or os.cpu_count() or 1

    def address(self) -> str:
        return self.scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS", "").strip()


class Executor:
    """Maps a function over chunks with the configured backend. Cheap to make: the pools it
    uses (loky's reusable executor, a Dask client) are shared by every Executor of a process."""

    def __init__(self, settings: ParallelSettings | None = None) -> None:
        self.settings = settings or ParallelSettings()
        self.chunks_done = 0

    def workers(self) -> int:
        """How many chunks run at once: jobs for loky and threading, the cluster's threads for
        Dask (which connects, or starts the LocalCluster, to find out)."""
        if self.settings.backend == "dask":
            return max(1, sum(dask_client(self.settings).ncores().values()))
        return self.settings.local_jobs()

    def map(self, func: Callable[[T], R], chunks: Sequence[T],
            progress: Callable[[int], None] | None = None) -> list[R]:
        """func(chunk) for every chunk, results in input order. `progress(i)` is called as each
        chunk's result arrives (in order). At most about two chunks per worker are in flight,
        so memory does not grow with the input."""
        results = []
        for i, result in enumerate(self._run(func, chunks), 1):
            results.append(result)
            self.chunks_done += 1
            if progress is not None:
                progress(i)
        return results

    def _run(self, func: Callable[[T], R], chunks: Sequence[T]) -> Iterator[R]:
        import joblib  # late: only runs that use a pool pay for importing it

        calls = (joblib.delayed(func)(chunk) for chunk in chunks)
        if self.settings.backend == "dask":
            client = dask_client(self.settings)
            # joblib needs the backend configured for as long as results arrive.
            with joblib.parallel_config(backend="dask", client=client):
                yield from joblib.Parallel(n_jobs=-1, return_as="generator",
                                           pre_dispatch="2 * n_jobs")(calls)
            return
        # Always the same n_jobs: loky resizes (kills or starts workers) when it changes.
        yield from joblib.Parallel(n_jobs=self.settings.local_jobs(), backend=self.settings.backend,
                                   return_as="generator", pre_dispatch="2 * n_jobs")(calls)

    def describe(self) -> dict[str, Any]:
        """What the report says about the layer: backend, workers and chunks run."""
        out: dict[str, Any] = {"backend": self.settings.backend, "chunks": self.chunks_done}
        if self.settings.backend == "dask":
            out["scheduler"] = self.settings.address() or "LocalCluster"
            if self.chunks_done:
                out["workers"] = self.workers()
        else:
            out["workers"] = self.settings.local_jobs()
        return out


def chunked(items: Sequence[T], workers: int, smallest: int = 16, largest: int = 256
            ) -> list[Sequence[T]]:
    """Items cut into about four chunks per worker (so a slow chunk does not hold the others
    up), each between `smallest` and `largest` items (a task costs ~1 ms to send)."""
    size = max(smallest, min(largest, len(items) // (max(workers, 1) * 4) or 1))
    return [items[i:i + size] for i in range(0, len(items), size)]


# Per-worker state. A Harper Linter costs about a second to build and is not thread-safe, so a
# worker borrows one for the length of a chunk: a process worker builds exactly one; threads
# share a few, never one at a time by two.
_FREE: dict[Any, list[Any]] = {}
_FREE_LOCK = threading.Lock()


@contextmanager
def borrowed(key: Any, build: Callable[[], T]) -> Iterator[T]:
    """An object for `key` that no other thread is using, built by `build` only when every one
    already built is in use; it goes back for the next chunk afterwards."""
    with _FREE_LOCK:
        free = _FREE.setdefault(key, [])
        item = free.pop() if free else None
    if item is None:
        item = build()
    try:
        yield item
    finally:
        with _FREE_LOCK:
            _FREE[key].append(item)


# Dask clients, one per scheduler address ("" = this process's LocalCluster), kept for the
# process's life so repeated runs (the Python API) connect once.
_CLIENTS: dict[str, Any] = {}
_CLIENTS_LOCK = threading.Lock()


def dask_client(settings: ParallelSettings) -> Any:
    """A connected distributed.Client: to the scheduler address, else to a LocalCluster."""
    address = settings.address()
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(address)
        if client is None or client.status in ("closing", "closed"):
            client = _CLIENTS[address] = _connect(address, settings.local_jobs())
        return client


def _require_distributed() -> Any:
    try:
        import distributed  # late: dask is an optional extra and slow to import
    except ImportError as exc:
        raise ConfigError("--backend dask needs dask.distributed, which is not installed",
                          hint=DASK_HINT) from exc
    return distributed


def _connect(address: str, jobs: int) -> Any:
    distributed = _require_distributed()
    Client, LocalCluster = distributed.Client, distributed.LocalCluster
    if not _LOG.isEnabledFor(logging.DEBUG):  # dask logs every connection at INFO
        logging.getLogger("distributed").setLevel(logging.WARNING)
    if not address:
        _LOG.info("dask: no scheduler address: starting a LocalCluster of %d workers", jobs)
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                               scheduler_kwargs={"dashboard": False})
        atexit.register(_close, cluster)
        return Client(cluster, set_as_default=False)
    try:
        client = Client(address, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {address}: {exc}",
                          hint="start it with `dask scheduler` or fix --scheduler / "
                               "DASK_SCHEDULER_ADDRESS") from exc
    _LOG.info("dask: connected to %s (%d worker threads)", address,
              sum(client.ncores().values()))
    return client


def _close(cluster: Any) -> None:
    for address, client in list(_CLIENTS.items()):
        if getattr(client, "cluster", None) is cluster:
            client.close()
            _CLIENTS.pop(address, None)
    cluster.close()
