"""Sweeps on a Dask LocalCluster give exactly the local sweep's frame."""

from __future__ import annotations

import os
import signal
from concurrent.futures import ThreadPoolExecutor

import pytest
from polars.testing import assert_frame_equal

from swarm_fast.sweeps import sweep

distributed = pytest.importorskip("distributed")

GRID = {"governance.transaction_tax_rate": [0.0, 0.1], "governance.audit_probability": [0.1, 0.4]}


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_two_worker_cluster_equals_local(client) -> None:
    local = sweep("strict_governance", GRID, seeds=range(10), epochs=8, steps=10)
    remote = sweep(
        "strict_governance",
        GRID,
        seeds=range(10),
        epochs=8,
        steps=10,
        executor=client,
        chunk_size=3,
    )
    assert_frame_equal(remote, local, check_exact=True)


def test_concurrent_futures_executor_equals_local() -> None:
    local = sweep("baseline", GRID, seeds=range(4), epochs=4, steps=6, per_epoch=True)
    with ThreadPoolExecutor(2) as ex:
        remote = sweep(
            "baseline",
            GRID,
            seeds=range(4),
            epochs=4,
            steps=6,
            per_epoch=True,
            executor=ex,
            chunk_size=2,
        )
    assert_frame_equal(remote, local, check_exact=True)


def test_killed_worker_loses_no_rows(client) -> None:
    """A worker is SIGKILLed as soon as the first chunk comes back, with
    every other chunk still outstanding."""
    args = dict(seeds=range(40), epochs=20, steps=15)
    local = sweep("misalignment_sweep", GRID, **args)
    pids = list(client.run(os.getpid).values())
    seen: list[int] = []

    def kill_on_first(chunk) -> None:
        if not seen:
            os.kill(pids[0], signal.SIGKILL)
        seen.append(chunk.height)

    remote = sweep(
        "misalignment_sweep", GRID, executor=client, chunk_size=1, on_chunk=kill_on_first, **args
    )
    assert len(seen) == 160 and sum(seen) == 160
    assert remote.select("cell", "seed").n_unique() == remote.height == local.height
    assert_frame_equal(remote, local, check_exact=True)


def test_cli_sweep_on_a_local_dask_cluster(tmp_path) -> None:
    import subprocess
    import sys

    import polars as pl

    out = tmp_path / "d.parquet"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "swarm_fast.cli",
            "sweep",
            "baseline",
            "--grid",
            "payoff.rho_a=0,0.5",
            "--seeds",
            "0:6",
            "--epochs",
            "3",
            "--steps",
            "4",
            "--dask",
            "local",
            "--out",
            str(out),
            "-q",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    local = sweep("baseline", {"payoff.rho_a": [0, 0.5]}, seeds=range(6), epochs=3, steps=4)
    assert_frame_equal(pl.read_parquet(out), local, check_exact=True)
