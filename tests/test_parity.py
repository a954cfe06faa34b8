"""Live parity: swarm_fast against swarm-safety 1.9.0, run side by side.

Every interaction (parties, type, acceptance, v_hat, p, costs, payoffs),
every EpochMetrics field and every final agent state must be equal, with
exact float equality. The reference runs in-process from the same scenario
file (the project's own copies of the paper's scenarios).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

import swarm_fast
from swarm_fast import PAPER_SCENARIOS, bundled_scenarios, load_scenario

from parity_check import assert_same, run_both
from reference_harness import run_reference

PAPER = list(PAPER_SCENARIOS)
SEEDS = [42, 123, 456, 789, 1024]


def both(name: str, overrides: dict | None = None, **run_args):
    return run_both(bundled_scenarios()[name], overrides, **run_args)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", PAPER)
def test_paper_protocol(name: str, seed: int) -> None:
    """The paper's runs: 20 epochs x 15 steps at the five paper seeds."""
    assert_same(*both(name, seed=seed, epochs=20, steps=15))


@pytest.mark.parametrize("name", PAPER)
def test_file_defaults(name: str) -> None:
    """Each scenario at its own file's seed, epochs and steps."""
    assert_same(*both(name))


@pytest.mark.parametrize("seed", [42, 123])
@pytest.mark.parametrize("mode", ["random", "priority"])
@pytest.mark.parametrize(
    "name", ["baseline", "strict_governance", "misalignment_sweep", "collusion_detection"]
)
def test_schedule_modes(name: str, mode: str, seed: int) -> None:
    overrides = {"simulation.schedule_mode": mode}
    assert_same(*both(name, overrides, seed=seed, epochs=12, steps=10))


@pytest.mark.parametrize("seed", [42, 7])
@pytest.mark.parametrize(
    "name,overrides",
    [
        # 27 agents: the 21st and later never act in round_robin (Q10).
        ("baseline", {"agents.0.count": 25}),
        ("adversarial_redteam", {"agents.0.count": 20}),
        ("strict_governance", {"agents.1.count": 12, "simulation.max_actions_per_step": 9}),
        (
            "threshold_dancer_vs_cautious",
            {"agents.2.count": 20, "simulation.schedule_mode": "random"},
        ),
    ],
)
def test_more_agents_than_actions(name: str, overrides: dict, seed: int) -> None:
    assert_same(*both(name, overrides, seed=seed, epochs=8, steps=10))


def test_interactions_are_compared_column_by_column() -> None:
    """Guard the guard: a single flipped bit in p must fail the comparison."""
    ours, ref = both("baseline", seed=42, epochs=2, steps=5)
    p = ours.interactions["p"].to_numpy().copy()
    p[0] = np.nextafter(p[0], 1.0)
    tampered = ours.interactions.with_columns(pl.Series("p", p))
    with pytest.raises(AssertionError):
        assert_frame_equal(tampered, ref.interactions, check_exact=True)


FEATURES = Path(__file__).parent / "scenarios"


@pytest.mark.parametrize("seed", [None, 2024])
@pytest.mark.parametrize(
    "name",
    [
        "noise",
        "agent_overrides",
        "staking_breaker",
        "star_history",
        "marketplace",
        "marketplace_network",
        "scaled_mix",
        "lapsing_targets",
        "pruning_network",
    ],
)
def test_feature_scenarios(name: str, seed: int | None) -> None:
    """The project's own scenarios for features the paper does not use:
    observation noise, per-agent policy parameters, high stakes, one-epoch
    freezes, realtime collusion penalties, ring/star/ER networks, cleared
    collusion history, random and priority schedules, and the marketplace
    (bounties, bids, escrow, disputes, tasks) alone and on a dynamic
    network; every policy at 600 agents without a network, where the
    visible-population index and windowed agent streams are in use;
    adversaries choosing among targets that have stopped qualifying; and a
    dynamic network that prunes most of its edges."""
    path = FEATURES / f"{name}.yaml"
    ours = swarm_fast.run(load_scenario(path), seed=seed, record_interactions=True)
    ref = run_reference(path, seed=seed)
    assert_same(ours, ref)


@pytest.mark.parametrize(
    "name,overrides",
    [
        # The baseline's mix at 1,000 agents, every one acting each step.
        (
            "baseline",
            {
                "agents.0.count": 600,
                "agents.1.count": 200,
                "agents.2.count": 200,
                "simulation.max_actions_per_step": 1000,
            },
        ),
        # A dynamic small-world network and collusion detection at 400 agents.
        (
            "collusion_detection",
            {
                "agents.0.count": 150,
                "agents.1.count": 100,
                "agents.2.count": 150,
                "simulation.max_actions_per_step": 400,
            },
        ),
        # The priority schedule at 210 agents, 60 acting per step: the
        # order is kept sorted by reputation (from 64 agents) and walked
        # past frozen and unstaked agents.
        (
            "strict_governance",
            {
                "agents.0.count": 90,
                "agents.1.count": 60,
                "agents.2.count": 30,
                "agents.3.count": 30,
                "simulation.schedule_mode": "priority",
                "simulation.max_actions_per_step": 60,
            },
        ),
        # A static complete network at 260 agents, with adversaries: left
        # implicit, the run uses the visible-population index.
        (
            "adversarial_redteam",
            {
                "agents.0.count": 160,
                "agents.1.count": 60,
                "agents.2.count": 40,
                "network.topology": "complete",
                "network.dynamic": False,
                "simulation.max_actions_per_step": 260,
            },
        ),
        # Dense rewiring (k = 6, p = 0.9) at 300 agents: most lattice edges
        # move to a pick among ~300 candidates.
        (
            "misalignment_sweep",
            {
                "agents.0.count": 120,
                "agents.1.count": 60,
                "agents.2.count": 60,
                "agents.3.count": 30,
                "agents.4.count": 30,
                "network.params.k": 6,
                "network.params.p": 0.9,
                "simulation.max_actions_per_step": 300,
            },
        ),
    ],
)
def test_scaled_up_populations(name: str, overrides: dict) -> None:
    assert_same(*both(name, overrides, seed=77, epochs=2, steps=2))
