"""Sweeps across machines on Dask (``pip install "swarm_fast[dask]"``).

``swarm_fast.sweep(..., executor=client)`` ships chunks of runs to Dask
workers; each chunk runs in Rust on all of that worker's cores. Every run is
deterministic and rows are reassembled in (cell, seed) order, so the result
is bit-identical to a local sweep. A chunk lost with a worker is re-run
(by Dask's retries, or locally as a last resort), never counted twice.

On a cluster, start the scheduler and workers as usual (dask-jobqueue on
SLURM, ``distributed.SSHCluster``, ``dask scheduler`` + ``dask worker``) with
swarm_fast installed on every worker, then pass the client, or use
``swarm-fast sweep ... --dask tcp://HOST:8786``.
"""

from __future__ import annotations

from typing import Any


def connect(address: str, n_workers: int = 2, timeout: float = 10.0) -> tuple[Any, Any]:
    """A ``distributed.Client`` for ``address``, or for a new LocalCluster
    when ``address == "local"``. Returns (client, cluster or None). An
    unreachable scheduler raises ``OSError`` after ``timeout`` seconds."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as e:  # pragma: no cover - depends on the extra
        raise ImportError('Dask sweeps need: pip install "swarm_fast[dask]"') from e
    if address == "local":
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True)
        return Client(cluster), cluster
    return Client(address, timeout=timeout), None
