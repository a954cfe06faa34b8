"""Live parity for the `skillrl` agent family (issue 17): the reference's
skillrl file and variants (other seeds, refinement and promotion reached,
other GRPO windows and temperatures, more agents, mixed with other
families), each run by swarm_fast and by swarm-safety 1.9.0 side by side
and compared with exact float equality. Then the checks on its config keys.

The reference picks a skill with draws from Python's unseeded global
`random` module and breaks ties in the order of a set of uuid4 strings, so
its own results are reproducible only while those choices cannot change a
decision (rust/swarm-core/src/agents/skillrl.rs). Every case here was
checked to give one trace in four executions of the reference. Long runs
whose libraries fill up and evict for many epochs are not: with
`test_long_run_evicts`'s settings run for 60 epochs, five executions of the
reference split at epoch 28 (row 592), so no parity test can cover them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

import swarm_fast
from swarm_fast import ScenarioError, load_scenario

from parity_check import assert_same, run_both

LIBRARY = Path(__file__).parent / "scenarios" / "library"
FILE = LIBRARY / "skillrl.yaml"

VARIANTS = [
    # Refinement reached: skills failing below 90% are refined.
    {"agents.0.config.refinement_success_threshold": 0.9, "agents.0.config.refinement_interval": 1},
    # Promotion reached early: skills become general after 2 invocations.
    {
        "agents.0.config.tier_promotion_min_invocations": 2,
        "agents.0.config.tier_promotion_min_success_rate": 0.3,
        "agents.0.config.promotion_interval": 1,
    },
    # A short, sharp GRPO window: more extractions.
    {"agents.0.config.grpo_window_size": 3, "agents.0.config.grpo_temperature": 0.2},
    # Other thresholds and probabilities.
    {
        "agents.0.config.acceptance_threshold": 0.55,
        "agents.0.config.trust_weight": 0.6,
        "agents.0.config.post_probability": 0.5,
        "agents.0.config.vote_probability": 0.6,
        "agents.0.config.interact_probability": 0.8,
    },
    # More agents, more trades and harm.
    {"agents.0.count": 6, "agents.2.count": 3, "agents.3.count": 2},
    # Mixed with other families, with a network.
    {
        "agents.1.type": "obfuscating",
        "agents.1.count": 3,
        "network": {"topology": "small_world", "params": {"k": 4, "p": 0.2}},
    },
    # A marketplace and the audit.
    {
        "marketplace": {"escrow_fee_rate": 0.05},
        "governance.audit_enabled": True,
        "governance.audit_probability": 0.3,
    },
]


def test_library_file() -> None:
    """The file as written: its own seed (42), 20 epochs x 10 steps."""
    assert_same(*run_both(FILE))


@pytest.mark.parametrize("seed", [7, 2024, 31337])
def test_library_file_other_seeds(seed: int) -> None:
    assert_same(*run_both(FILE, seed=seed, epochs=12, steps=10))


@pytest.mark.parametrize("overrides", VARIANTS)
@pytest.mark.parametrize("seed", [3, 99])
def test_variants(overrides: dict, seed: int) -> None:
    assert_same(*run_both(FILE, overrides, seed=seed, epochs=12, steps=10))


def test_long_run_evicts() -> None:
    """A sharp GRPO window: the libraries are full (50 skills) from epoch
    11 and evict the weakest at each extraction after that (110 evictions
    by epoch 25 in the reference)."""
    overrides = {"agents.0.config.grpo_window_size": 2, "agents.0.config.grpo_temperature": 0.1}
    assert_same(*run_both(FILE, overrides, seed=5, epochs=25, steps=10))


# ------------------------------------------------------------------ keys


def _with(config: dict) -> dict:
    return {
        "simulation": {"seed": 1},
        "agents": [{"type": "skillrl", "count": 2, "config": config}, {"type": "honest"}],
    }


@pytest.mark.parametrize(
    "config,key,message",
    [
        ({"grpo_window_size": 2.5}, "grpo_window_size", "whole number"),
        ({"grpo_window_size": "20"}, "grpo_window_size", "expected a number"),
        ({"refinement_interval": None}, "refinement_interval", "null"),
        ({"skill_exploration_rate": float("nan")}, "skill_exploration_rate", "finite"),
        ({"acceptance_threshold": True}, "acceptance_threshold", "expected a number"),
        ({"tier_promotion_min_success_rate": "x"}, "tier_promotion_min_success_rate", "number"),
    ],
)
def test_bad_config_names_the_key(config: dict, key: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=rf"agents\[0\]\.config\.{key}: .*{message}"):
        load_scenario(_with(config))


def test_exploration_rate_is_accepted_and_not_applied() -> None:
    base = swarm_fast.run(FILE, seed=5, epochs=4, steps=5)
    sc = load_scenario(FILE).with_overrides({"agents.0.config.skill_exploration_rate": 0.9})
    other = swarm_fast.run(sc, seed=5, epochs=4, steps=5)
    assert_frame_equal(base.epochs, other.epochs, check_exact=True)


def test_registers_as_honest() -> None:
    agents = swarm_fast.run(FILE, seed=1, epochs=1, steps=1).agents
    skillrl = agents.filter(agents["agent_id"].str.starts_with("skillrl"))
    assert skillrl.height == 3 and set(skillrl["agent_type"]) == {"honest"}
