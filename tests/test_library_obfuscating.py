"""Live parity for the `obfuscating` agent family (issue 17): the reference's
obfuscation_atlas file and variants (other seeds, trust-building phases,
strategies, more agents, no network, a marketplace, mixed with other
families), each run by swarm_fast and by swarm-safety 1.9.0 side by side and
compared with exact float equality. Then the checks on its config keys.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

import swarm_fast
from swarm_fast import ScenarioError, load_scenario

from parity_check import assert_same, run_both

LIBRARY = Path(__file__).parent / "scenarios" / "library"
FILE = LIBRARY / "obfuscation_atlas.yaml"


def test_library_file() -> None:
    """The file as written: its own seed (42), 30 epochs x 10 steps."""
    assert_same(*run_both(FILE))


@pytest.mark.parametrize("seed", [7, 2024, 31337])
def test_library_file_other_seeds(seed: int) -> None:
    assert_same(*run_both(FILE, seed=seed, epochs=12, steps=10))


@pytest.mark.parametrize(
    "overrides",
    [
        # Trust-building phases: none, a long one, a fractional one.
        {"agents.1.config.trust_building_phase": 0, "agents.2.config.trust_building_phase": 40},
        {"agents.3.config.trust_building_phase": 2.5, "agents.4.config.trust_building_phase": 1},
        # Every strategy swapped (they change nothing in the reference).
        {
            "agents.1.config.obfuscation_strategy": "adaptive",
            "agents.2.config.obfuscation_strategy": "activation_obfuscation",
            "agents.3.config.drift_rate": 0.5,
            "agents.3.config.activation_noise_scale": 2.0,
        },
        # More agents, no network, a random schedule.
        {"agents.0.count": 10, "agents.2.count": 9, "network": None},
        {"simulation.schedule_mode": "random", "agents.4.count": 4},
        # A marketplace: tasks to claim and submit in the honest mimicry.
        {"marketplace": {"escrow_fee_rate": 0.05, "min_bounty_amount": 2.0}},
        # Mixed with other families, with the circuit breaker biting.
        {
            "agents.0.type": "ldt",
            "agents.0.count": 3,
            "governance.freeze_threshold_toxicity": 0.3,
            "governance.freeze_threshold_violations": 1,
        },
        # Observation noise: the visible list is built, not indexed.
        {
            "simulation.observation_noise_probability": 0.4,
            "simulation.observation_noise_std": 0.2,
        },
    ],
)
@pytest.mark.parametrize("seed", [3, 99])
def test_variants(overrides: dict, seed: int) -> None:
    assert_same(*run_both(FILE, overrides, seed=seed, epochs=10, steps=8))


def test_obfuscating_among_the_paper_agents() -> None:
    """Obfuscating agents added to the baseline population."""
    data = {
        "simulation": {"seed": 17, "n_epochs": 10, "steps_per_epoch": 10},
        "agents": [
            {"type": "honest", "count": 3},
            {"type": "obfuscating", "count": 3, "config": {"trust_building_phase": 2}},
            {"type": "opportunistic", "count": 1},
            {"type": "adversarial", "count": 1},
        ],
        "governance": {"audit_enabled": True, "audit_probability": 0.2},
    }
    ours = swarm_fast.run(load_scenario(data), record_interactions=True)
    from reference_harness import run_reference

    assert_same(ours, run_reference(data))


# ------------------------------------------------------------------ keys


def _with(config: dict) -> dict:
    return {
        "simulation": {"seed": 1},
        "agents": [{"type": "obfuscating", "count": 2, "config": config}, {"type": "honest"}],
    }


@pytest.mark.parametrize(
    "config,key,message",
    [
        ({"obfuscation_strategy": "stealth"}, "obfuscation_strategy", "blatant, policy_obf"),
        ({"obfuscation_strategy": 3}, "obfuscation_strategy", "must be one of"),
        ({"trust_building_phase": "5"}, "trust_building_phase", "expected a number"),
        ({"trust_building_phase": float("inf")}, "trust_building_phase", "finite"),
        ({"drift_rate": None}, "drift_rate", "null"),
        ({"signal_inflation_cap": True}, "signal_inflation_cap", "expected a number"),
    ],
)
def test_bad_config_names_the_key(config: dict, key: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=rf"agents\[0\]\.config\.{key}: .*{message}"):
        load_scenario(_with(config))


def test_strategy_parameters_change_nothing() -> None:
    """The strategy and its parameters shape only signal offsets the
    reference never applies: accepted, checked, with no effect."""
    base = swarm_fast.run(FILE, seed=5, epochs=4, steps=5)
    sc = load_scenario(FILE).with_overrides(
        {
            "agents.1.config.obfuscation_strategy": "policy_obfuscation",
            "agents.2.config.signal_inflation_cap": 0.9,
            "agents.3.config.drift_rate": 0.9,
        }
    )
    other = swarm_fast.run(sc, seed=5, epochs=4, steps=5)
    assert_frame_equal(base.epochs, other.epochs, check_exact=True)
    assert_frame_equal(base.agents, other.agents, check_exact=True)


def test_trust_building_phase_matters() -> None:
    """The one key that acts: a different phase gives a different run."""
    base = swarm_fast.run(FILE, seed=5, epochs=6, steps=6)
    sc = load_scenario(FILE).with_overrides({"agents.2.config.trust_building_phase": 0})
    other = swarm_fast.run(sc, seed=5, epochs=6, steps=6)
    assert not base.epochs.equals(other.epochs)


def test_registers_as_deceptive() -> None:
    agents = swarm_fast.run(FILE, seed=1, epochs=1, steps=1).agents
    assert set(agents.filter(agents["agent_id"].str.starts_with("obfuscating"))["agent_type"]) == {
        "deceptive"
    }
