"""Live parity for the `ldt` and `modeling_adversary` agent families (issue 17):
the reference's six ldt scenario files, and variants of them (other seeds,
depths, decision theories, parameter values, more agents, a network), each
run by swarm_fast and by swarm-safety 1.9.0 side by side and compared with
exact float equality. Then the checks on their config keys.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

import swarm_fast
from swarm_fast import ScenarioError, load_scenario

from parity_check import assert_same, run_both

LIBRARY = Path(__file__).parent / "scenarios" / "library"
FILES = [
    "ldt_cooperation",
    "ldt_depth_sweep",
    "ldt_large_population",
    "ldt_low_prior",
    "ldt_modeling_adversary",
    "ldt_short_horizon",
]


def both(name: str, overrides: dict | None = None, **run_args):
    return run_both(LIBRARY / f"{name}.yaml", overrides, **run_args)


@pytest.mark.parametrize("seed", [None, 7, 2024])
@pytest.mark.parametrize("name", FILES)
def test_library_file(name: str, seed: int | None) -> None:
    """Each file at its own epochs and steps, at its seed and two others."""
    assert_same(*both(name, seed=seed))


DEPTH_SWEEP_LDT = {"agents.0.count": 1, "agents.1.count": 1, "agents.2.count": 1}


@pytest.mark.parametrize(
    "name,overrides",
    [
        # Every depth under each decision theory.
        ("ldt_cooperation", {"agents.0.config.acausality_depth": 1}),
        ("ldt_cooperation", {"agents.0.config.acausality_depth": 3}),
        ("ldt_cooperation", {"agents.0.config.acausality_depth": 4}),
        (
            "ldt_cooperation",
            {
                "agents.0.config.acausality_depth": 4,
                "agents.0.config.twin_graph_traversal_depth": 3,
            },
        ),
        (
            "ldt_cooperation",
            {"agents.0.config.acausality_depth": 5, "agents.0.config.n_counterfactual_samples": 7},
        ),
        ("ldt_cooperation", {"agents.0.config.decision_theory": "tdt"}),
        (
            "ldt_cooperation",
            {"agents.0.config.decision_theory": "tdt", "agents.0.config.acausality_depth": 3},
        ),
        ("ldt_cooperation", {"agents.0.config.decision_theory": "udt"}),
        (
            "ldt_cooperation",
            {
                "agents.0.config.decision_theory": "udt",
                "agents.0.config.precommitment_strength": 0.4,
                "agents.0.config.acausality_depth": 3,
            },
        ),
        # Parameter values: thresholds that make twins and proofs common or rare.
        (
            "ldt_low_prior",
            {"agents.0.config.similarity_threshold": 0.3, "agents.0.config.proof_threshold": 0.5},
        ),
        (
            "ldt_low_prior",
            {
                "agents.0.config.welfare_weight": 0.9,
                "agents.0.config.updateless_commitment": 0.2,
                "agents.0.config.acausality_depth": 2,
            },
        ),
        (
            "ldt_short_horizon",
            {"agents.0.config.counterfactual_horizon": 2, "agents.0.config.acausality_depth": 3},
        ),
        (
            "ldt_depth_sweep",
            {
                **DEPTH_SWEEP_LDT,
                "agents.2.config.counterfactual_noise_std": 0.4,
                "agents.2.config.twin_graph_min_edge": 0.1,
                "agents.2.config.acausal_bonus_weight": 0.5,
            },
        ),
        # The adversary: exploitation reachable, other sensitivities.
        (
            "ldt_modeling_adversary",
            {
                "agents.2.config.exploitation_threshold": 0,
                "agents.2.config.ldt_detection_sensitivity": 0.4,
                "agents.2.config.aggression_level": 0.9,
            },
        ),
        # More agents, a random schedule, and a network.
        ("ldt_large_population", {"agents.0.count": 14, "agents.3.count": 8}),
        (
            "ldt_modeling_adversary",
            {"agents.0.count": 6, "agents.2.count": 5, "simulation.schedule_mode": "random"},
        ),
        (
            "ldt_cooperation",
            {
                "agents.0.config.acausality_depth": 4,
                "network": {"topology": "small_world", "params": {"k": 4, "p": 0.2}},
            },
        ),
        # Observation noise: the visible list is built, not indexed.
        (
            "ldt_modeling_adversary",
            {
                "simulation.observation_noise_probability": 0.3,
                "simulation.observation_noise_std": 0.1,
                "agents.0.config.acausality_depth": 3,
            },
        ),
        # A marketplace: bounties to bid on, bids to accept, tasks to claim.
        (
            "ldt_cooperation",
            {
                "agents.1.count": 4,
                "marketplace": {"escrow_fee_rate": 0.05, "min_bounty_amount": 2.0},
            },
        ),
        (
            "ldt_modeling_adversary",
            {"agents.1.count": 4, "marketplace": {"max_bids_per_bounty": 3}},
        ),
        # Allies (adversarial agents) frozen and released by the circuit
        # breaker while modeling adversaries record them.
        (
            "ldt_large_population",
            {
                "agents.2.type": "modeling_adversary",
                "governance.circuit_breaker_enabled": True,
                "governance.freeze_threshold_toxicity": 0.3,
                "governance.freeze_threshold_violations": 1,
                "governance.freeze_duration_epochs": 2,
            },
        ),
        # Governance acting on them.
        (
            "ldt_modeling_adversary",
            {
                "governance.circuit_breaker_enabled": True,
                "governance.freeze_threshold_toxicity": 0.5,
                "governance.audit_enabled": True,
                "governance.audit_probability": 0.3,
            },
        ),
    ],
)
@pytest.mark.parametrize("seed", [3, 99])
def test_variants(name: str, overrides: dict, seed: int) -> None:
    assert_same(*both(name, overrides, seed=seed, epochs=8, steps=8))


def test_long_run_depth_sweep() -> None:
    """Longer histories: profiles, the twin graph and the Monte Carlo draws
    grow with every outcome."""
    assert_same(*both("ldt_depth_sweep", DEPTH_SWEEP_LDT, seed=11, epochs=25, steps=10))


# ------------------------------------------------------------------ keys


def _with(config: dict, kind: str = "ldt") -> dict:
    return {
        "simulation": {"seed": 1},
        "agents": [{"type": kind, "count": 2, "config": config}, {"type": "honest"}],
    }


@pytest.mark.parametrize(
    "kind,config,key,message",
    [
        ("ldt", {"decision_theory": "edt"}, "decision_theory", "tdt, fdt, udt"),
        ("ldt", {"counterfactual_horizon": 0}, "counterfactual_horizon", ">= 1"),
        ("ldt", {"counterfactual_horizon": 2.5}, "counterfactual_horizon", "whole number"),
        ("ldt", {"acausality_depth": True}, "acausality_depth", "expected a number"),
        ("ldt", {"cooperation_prior": None}, "cooperation_prior", "null"),
        ("ldt", {"welfare_weight": float("nan")}, "welfare_weight", "finite"),
        ("ldt", {"n_counterfactual_samples": -1}, "n_counterfactual_samples", ">= 0"),
        ("ldt", {"defection_memory_weight": "high"}, "defection_memory_weight", "number"),
        ("modeling_adversary", {"mimicry_probability": "x"}, "mimicry_probability", "number"),
        ("modeling_adversary", {"modeling_horizon": None}, "modeling_horizon", "null"),
    ],
)
def test_bad_config_names_the_key(kind: str, config: dict, key: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=rf"agents\[0\]\.config\.{key}: .*{message}"):
        load_scenario(_with(config, kind))


def test_override_of_a_family_key_is_checked() -> None:
    sc = load_scenario(LIBRARY / "ldt_cooperation.yaml")
    with pytest.raises(ScenarioError, match=r"agents\.0\.config\.acausality_depth|acausality"):
        sc.with_overrides({"agents.0.config.acausality_depth": -2})
    # A key the family does not define is refused with a suggestion.
    with pytest.raises(ScenarioError, match="cooperation_prior"):
        sc.with_overrides({"agents.0.config.cooperation_prio": 0.5})


def test_read_but_unused_keys_change_nothing() -> None:
    """defection_memory_weight and modeling_horizon are read by the
    reference's agents but never used: accepted, with no effect."""
    base = swarm_fast.run(LIBRARY / "ldt_modeling_adversary.yaml", seed=5, epochs=3, steps=5)
    sc = load_scenario(LIBRARY / "ldt_modeling_adversary.yaml").with_overrides(
        {"agents.0.config.defection_memory_weight": 0.9, "agents.2.config.modeling_horizon": 2}
    )
    other = swarm_fast.run(sc, seed=5, epochs=3, steps=5)
    assert_frame_equal(base.epochs, other.epochs, check_exact=True)
