"""Live parity for the `rlm` agent family (issue 17): the reference's four
scenario files with rlm agents (rlm_governance_lag, rlm_memory_as_power,
rlm_recursive_collusion, phylogeny_demo) and variants (other seeds, depths,
horizons, more agents, no network), each run by swarm_fast and by
swarm-safety 1.9.0 side by side and compared with exact float equality.
Then the checks on its config keys and population.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import swarm_fast
from swarm_fast import ScenarioError, load_scenario

from parity_check import assert_same, run_both
from reference_harness import run_reference

LIBRARY = Path(__file__).parent / "scenarios" / "library"
FILES = ["rlm_governance_lag", "rlm_memory_as_power", "rlm_recursive_collusion", "phylogeny_demo"]


def both(name: str, overrides: dict | None = None, **run_args):
    return run_both(LIBRARY / f"{name}.yaml", overrides, **run_args)


# phylogeny_demo's 50 agents take the reference about 4 minutes for the
# file's 20 x 20; its runs here are shortened (its own steps per epoch).
SHORT = {"phylogeny_demo": {"epochs": 4}}


@pytest.mark.parametrize("name", FILES)
def test_library_file(name: str) -> None:
    """Each file as written: its own seed, epochs and steps."""
    assert_same(*both(name, **SHORT.get(name, {})))


@pytest.mark.parametrize("seed", [7, 2024, 31337])
@pytest.mark.parametrize("name", FILES)
def test_library_file_other_seeds(name: str, seed: int) -> None:
    run = {"epochs": 12, "steps": 10, **SHORT.get(name, {})}
    assert_same(*both(name, seed=seed, **run))


@pytest.mark.parametrize(
    "name,overrides",
    [
        # Depth 0 (the naive level), 1 and 2, short and long horizons.
        ("rlm_recursive_collusion", {"agents.0.config.recursion_depth": 0}),
        (
            "rlm_recursive_collusion",
            {"agents.1.config.recursion_depth": 2, "agents.1.config.planning_horizon": 1},
        ),
        (
            "rlm_memory_as_power",
            {"agents.0.config.planning_horizon": 12, "agents.0.config.discount_factor": 0.5},
        ),
        ("rlm_memory_as_power", {"agents.2.config.recursion_depth": -1}),
        # More agents, and the governance-lag file without its network.
        ("rlm_governance_lag", {"agents.0.count": 12, "agents.1.count": 9}),
        ("rlm_governance_lag", {"network": None}),
        # A marketplace: tasks to claim among the candidates.
        ("rlm_recursive_collusion", {"marketplace": {"escrow_fee_rate": 0.05}}),
        (
            "rlm_memory_as_power",
            {"agents.0.config.recursion_depth": 0, "marketplace": {"min_bounty_amount": 2.0}},
        ),
        (
            "phylogeny_demo",
            {"agents.0.count": 5, "agents.4.count": 15, "simulation.schedule_mode": "round_robin"},
        ),
    ],
)
@pytest.mark.parametrize("seed", [5, 77])
def test_variants(name: str, overrides: dict, seed: int) -> None:
    assert_same(*both(name, overrides, seed=seed, epochs=10, steps=10))


def _with(config: dict, count: int = 2, others: int = 1) -> dict:
    return {
        "simulation": {"seed": 1},
        "agents": [
            {"type": "rlm", "count": count, "config": config},
            {"type": "honest", "count": others},
        ],
    }


@pytest.mark.parametrize(
    "config,key,message",
    [
        ({"recursion_depth": 1.5}, "recursion_depth", "whole number"),
        ({"planning_horizon": "5"}, "planning_horizon", "expected a number"),
        ({"memory_budget": -1}, "memory_budget", ">= 0"),
        ({"discount_factor": None}, "discount_factor", "null"),
    ],
)
def test_bad_config_names_the_key(config: dict, key: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=rf"agents\[0\]\.config\.{key}: .*{message}"):
        load_scenario(_with(config))


def test_past_the_model_cap() -> None:
    """509 agents: each rlm agent meets more than 500 others, so the
    reference evicts its least-used counterparty models (fewest outcomes,
    then oldest) as it looks at every visible agent."""
    overrides = {"agents.3.count": 500, "simulation.max_actions_per_step": 30}
    assert_same(*both("rlm_recursive_collusion", overrides, seed=3, epochs=3, steps=4))


def test_evicting_models_with_outcomes() -> None:
    """One rlm agent among 520 adversaries meets more than 500 distinct
    parties, so models with outcomes are evicted too (and re-made fresh)."""
    data = {
        "scenario_id": "rlm_eviction",
        "simulation": {"seed": 5, "n_epochs": 1, "steps_per_epoch": 900, "max_actions_per_step": 3},
        "agents": [
            {"type": "rlm", "count": 1, "config": {"recursion_depth": 2}},
            {"type": "adversarial", "count": 520},
        ],
    }
    ours = swarm_fast.run(load_scenario(data), record_interactions=True)
    it = ours.interactions
    met = set(it.filter(it["initiator"] == "rlm_1")["counterparty"])
    met |= set(it.filter(it["counterparty"] == "rlm_1")["initiator"])
    assert len(met) > 500, "the case must fill the 500 models with parties met"
    assert_same(ours, run_reference(data))
