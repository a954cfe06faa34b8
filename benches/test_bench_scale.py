"""Benchmarks of the Python API at scale (issue 4): one step of 10,000 and
100,000 agents all acting, 100 steps of 10,000 agents, and 10,000 epochs of
the baseline. The reference cannot run these in a benchmark's time; see
``benches/compare.py`` for the side-by-side points where it can.

Run with ``pytest benches/test_bench_scale.py --benchmark-columns=median,ops``.
"""

from __future__ import annotations

import pytest
from compare import scaled_baseline

import swarm_fast
from swarm_fast import load_scenario


@pytest.mark.parametrize("n_agents", [10_000, 100_000])
def test_one_step_all_acting(benchmark, n_agents: int) -> None:
    sc = scaled_baseline(n_agents)
    r = benchmark.pedantic(
        swarm_fast.run,
        args=(sc,),
        kwargs=dict(seed=1, epochs=1, steps=1, record_interactions=False),
        rounds=5,
    )
    assert r.agents.height == n_agents


def test_hundred_steps_of_ten_thousand(benchmark) -> None:
    sc = scaled_baseline(10_000)
    r = benchmark.pedantic(
        swarm_fast.run,
        args=(sc,),
        kwargs=dict(seed=1, epochs=1, steps=100, record_interactions=False),
        rounds=3,
    )
    assert r.summary["interactions"] > 100_000


def test_ten_thousand_epochs(benchmark) -> None:
    sc = load_scenario("baseline")
    r = benchmark.pedantic(
        swarm_fast.run,
        args=(sc,),
        kwargs=dict(seed=1, epochs=10_000, steps=15, record_interactions=False),
        rounds=3,
    )
    assert r.epochs.height == 10_000
