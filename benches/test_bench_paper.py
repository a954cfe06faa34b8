"""Benchmarks: swarm_fast against swarm-safety 1.9.0, in the same session.

Run with ``pytest benches/ --benchmark-columns=median,ops``; the ratio of the
two medians is the speed-up. Not part of the test suite (timings are not
assertions).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import swarm_fast
from swarm_fast import PAPER_SCENARIOS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from reference_harness import run_reference  # noqa: E402

PAPER = list(PAPER_SCENARIOS)


@pytest.mark.parametrize("name", PAPER)
def test_swarm_fast(benchmark, name: str) -> None:
    benchmark.group = name
    path = swarm_fast.bundled_scenarios()[name]
    sc = swarm_fast.load_scenario(path)
    # With the trace, like the reference, which always keeps it.
    result = benchmark(swarm_fast.run, sc, seed=42, epochs=20, steps=15, record_interactions=True)
    assert result.summary["interactions"] > 0


@pytest.mark.parametrize("name", PAPER)
def test_reference(benchmark, name: str) -> None:
    benchmark.group = name
    path = swarm_fast.bundled_scenarios()[name]
    ref = benchmark.pedantic(
        run_reference,
        args=(path,),
        kwargs=dict(seed=42, epochs=20, steps=15, pin_post_ages=False),
        rounds=3,
    )
    assert ref.summary["interactions"] > 0
