"""Live parity on the reference's scenario library (issue 17): the families
this project ports beyond the core, on the reference's own files (copied
into ``tests/scenarios/library/``) and on variants of them — other seeds,
other parameter values, more agents. Exact equality, as in test_parity.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import swarm_fast
from swarm_fast import load_scenario

from parity_check import assert_same as check
from parity_check import run_both

LIBRARY = Path(__file__).parent / "scenarios" / "library"


def both(name: str, overrides: dict | None = None, **run_args: Any):
    return run_both(LIBRARY / f"{name}.yaml", overrides, **run_args)


def assert_same(ours: swarm_fast.RunResult, ref: Any) -> None:
    # Empty populations (the domain files) are compared too.
    check(ours, ref, nonempty=False)


# ------------------------------------------------------------ security lever

SECURITY_FILES = [
    "security_evaluation",
    "chaoslab_mvp",
    "alignment_waltz_targeted_feedback",
    "security_model_personal",
]


@pytest.mark.parametrize("name", SECURITY_FILES)
def test_security_files_at_their_defaults(name: str) -> None:
    ours, ref = both(name)
    assert ours.interactions.height > 0
    assert_same(ours, ref)


@pytest.mark.parametrize("seed", [1, 99])
@pytest.mark.parametrize(
    "name,overrides",
    [
        # Quarantines early and often: low thresholds, short chains.
        (
            "security_evaluation",
            {
                "governance.security_quarantine_threshold": 0.3,
                "governance.security_penalty_threshold": 0.1,
                "governance.security_min_chain_length": 2,
                "governance.security_laundering_trust_gap": 0.05,
                "governance.security_min_interactions": 1,
            },
        ),
        # Real-time surcharges on every flagged interaction, history cleared.
        (
            "chaoslab_mvp",
            {
                "governance.security_realtime_penalty": True,
                "governance.security_realtime_threshold": 0.1,
                "governance.security_realtime_rate": 0.5,
                "governance.security_clear_history_on_epoch": True,
            },
        ),
        # More agents, and the injection indicator firing on any rejection.
        (
            "security_evaluation",
            {
                "agents.0.count": 12,
                "agents.2.count": 6,
                "governance.security_injection_threshold": 0.1,
            },
        ),
        (
            "alignment_waltz_targeted_feedback",
            {"governance.security_penalty_multiplier": 4.0, "simulation.schedule_mode": "random"},
        ),
    ],
)
def test_security_variants(name: str, overrides: dict, seed: int) -> None:
    assert_same(*both(name, overrides, seed=seed, epochs=12, steps=8))


def test_the_security_lever_acts() -> None:
    """Guard: the variants above exercise the lever (switched off, the same
    run ends with other reputations)."""
    lever = {
        "governance.security_quarantine_threshold": 0.3,
        "governance.security_penalty_threshold": 0.1,
        "governance.security_min_interactions": 1,
    }
    path = LIBRARY / "security_evaluation.yaml"
    on = swarm_fast.run(load_scenario(path).with_overrides(lever), seed=1, epochs=8, steps=8)
    off = swarm_fast.run(
        load_scenario(path).with_overrides({"governance.security_enabled": False}),
        seed=1,
        epochs=8,
        steps=8,
    )
    assert on.agents["frozen"].any()
    assert on.agents["reputation"].to_list() != off.agents["reputation"].to_list()


# --------------------------------------------------------- dynamic toxicity

DYNAMIC_TOXICITY_FILES = [
    "dynamic_toxicity_combined",
    "dynamic_toxicity_contagion",
    "dynamic_toxicity_contagion_aggressive",
    "dynamic_toxicity_proxy_drift",
    "dynamic_toxicity_trust_erosion",
    "dynamic_toxicity_trust_erosion_aggressive",
]


@pytest.mark.parametrize("name", DYNAMIC_TOXICITY_FILES)
def test_dynamic_toxicity_files_at_their_defaults(name: str) -> None:
    ours, ref = both(name)
    assert ours.interactions.height > 0
    assert_same(ours, ref)


@pytest.mark.parametrize("seed", [3, 2024])
@pytest.mark.parametrize(
    "name,overrides",
    [
        # Exits from the first epochs on; window 0 is the whole history.
        (
            "dynamic_toxicity_trust_erosion",
            {
                "dynamic_toxicity.trust_erosion.exit_threshold": 0.05,
                "dynamic_toxicity.trust_erosion.beta": 3.0,
                "dynamic_toxicity.trust_erosion.window": 0,
                "dynamic_toxicity.trust_erosion.min_honest": 0,
            },
        ),
        # A fast drift down to the floor, and a strong negative contagion.
        (
            "dynamic_toxicity_combined",
            {
                "dynamic_toxicity.proxy_drift.alpha": 2.0,
                "dynamic_toxicity.proxy_drift.k_floor": 0.2,
                "dynamic_toxicity.quality_contagion.gamma": -0.8,
                "dynamic_toxicity.quality_contagion.neutral": 0.7,
            },
        ),
        (
            "dynamic_toxicity_contagion",
            {"agents.0.count": 14, "simulation.schedule_mode": "random"},
        ),
    ],
)
def test_dynamic_toxicity_variants(name: str, overrides: dict, seed: int) -> None:
    assert_same(*both(name, overrides, seed=seed, epochs=12, steps=8))


def test_dynamic_toxicity_acts() -> None:
    path = LIBRARY / "dynamic_toxicity_combined.yaml"
    on = swarm_fast.run(path, seed=3, epochs=10, steps=8)
    off = swarm_fast.run(
        load_scenario(path).with_overrides({"dynamic_toxicity.enabled": []}),
        seed=3,
        epochs=10,
        steps=8,
    )
    assert on.epochs["toxicity_rate"].to_list() != off.epochs["toxicity_rate"].to_list()


def test_dynamic_toxicity_refuses_unknown_mechanisms() -> None:
    path = LIBRARY / "dynamic_toxicity_combined.yaml"
    with pytest.raises(swarm_fast.ScenarioError) as err:
        load_scenario(path).with_overrides({"dynamic_toxicity.enabled": ["proxy_drfit"]})
    assert err.value.key == "dynamic_toxicity.enabled"


# ------------------------------------------- domain files: empty populations

DOMAIN_FILES = sorted(
    p.stem for p in LIBRARY.glob("*.yaml") if p.stem.startswith(("escalation_", "csm_"))
)


@pytest.mark.parametrize("name", DOMAIN_FILES)
def test_domain_files_run_as_empty_populations(name: str) -> None:
    """No ``agents:``: the reference's orchestrator runs every epoch empty."""
    ours, ref = both(name, seed=5)
    assert ours.agents.height == 0
    assert ours.epochs.height == ref.epochs.height > 0
    assert_same(ours, ref)


# -------------------------------------------- perturbations: shocks (partial)

PERTURBATION_FILES = ["flash_crash", "casestudy_disproportionate_response"]


@pytest.mark.parametrize("name", PERTURBATION_FILES)
def test_perturbation_files_at_their_defaults(name: str) -> None:
    ours, ref = both(name)
    assert ours.interactions.height > 0
    assert_same(ours, ref)


SHOCKS = "perturbations.parameter_shocks"
PARTITION = "perturbations.network_partition"


@pytest.mark.parametrize("seed", [11, 404])
@pytest.mark.parametrize(
    "name,overrides",
    [
        ("flash_crash", {"perturbations.resource_shock.mode": "redistribute"}),
        (
            "flash_crash",
            {
                "perturbations.resource_shock.mode": "inflate",
                "perturbations.resource_shock.at_epoch": 2,
                "perturbations.resource_shock.magnitude": 2.5,
            },
        ),
        # Shocks early, reverted after one epoch; a condition-triggered one.
        (
            "casestudy_disproportionate_response",
            {
                f"{SHOCKS}.shocks": [
                    {
                        "trigger": "epoch",
                        "at_epoch": 2,
                        "params": {"audit_probability": 0.9, "audit_penalty_multiplier": 5.0},
                        "revert_after_epochs": 2,
                    },
                    {
                        "trigger": "condition",
                        "when": "toxicity_rate > 0.2",
                        "params": {"freeze_threshold_toxicity": 0.3, "transaction_tax_rate": 0.2},
                        "revert_after_epochs": 3,
                    },
                    {
                        "trigger": "condition",
                        "when": "epoch >= 5",
                        "params": {"audit_enabled": False},
                    },
                ]
            },
        ),
    ],
)
def test_perturbation_variants(name: str, overrides: dict, seed: int) -> None:
    assert_same(*both(name, overrides, seed=seed, epochs=10, steps=8))


def test_unported_perturbations_are_refused() -> None:
    with pytest.raises(swarm_fast.ScenarioError) as err:
        load_scenario(LIBRARY / "flash_crash.yaml").with_overrides(
            {
                f"{SHOCKS}.enabled": True,
                f"{SHOCKS}.shocks": [
                    {"at_epoch": 1, "params": {"vote_normalization_enabled": True}}
                ],
            }
        )
    assert err.value.key.endswith("params.vote_normalization_enabled")


def test_parameter_shocks_act() -> None:
    path = LIBRARY / "casestudy_disproportionate_response.yaml"
    off = {f"{SHOCKS}.enabled": False, "perturbations.resource_shock.enabled": False}
    on = swarm_fast.run(path, seed=11, epochs=14, steps=8)
    without = swarm_fast.run(load_scenario(path).with_overrides(off), seed=11, epochs=14, steps=8)
    assert on.agents["resources"].to_list() != without.agents["resources"].to_list()


# -------------------------------------------------------------- RBAC lever


@pytest.mark.parametrize("seed", [None, 7])
def test_rbac_market_at_its_defaults(seed: int | None) -> None:
    """Every interaction is a violation (no agent has a role); the file's
    parameter shock at epoch 10 raises the penalties."""
    ours, ref = both("rbac_market", seed=seed)
    assert ours.interactions.height > 0
    assert_same(ours, ref)


@pytest.mark.parametrize(
    "overrides",
    [
        {"governance.rbac_high_stakes_actions": ["propose_interaction"]},
        {
            "governance.rbac_violation_reputation_penalty": -0.05,
            "governance.audit_enabled": True,
            "governance.audit_probability": 0.5,
            "agents.0.count": 9,
        },
        {
            f"{SHOCKS}.shocks": [
                {
                    "at_epoch": 3,
                    "params": {
                        "rbac_violation_reputation_penalty": -1.0,
                        "rbac_high_stakes_penalty_multiplier": 0.5,
                    },
                    "revert_after_epochs": 2,
                }
            ],
            "governance.rbac_high_stakes_actions": ["propose_interaction", "post"],
        },
    ],
)
def test_rbac_variants(overrides: dict) -> None:
    assert_same(*both("rbac_market", overrides, seed=21, epochs=8, steps=8))


DROPOUT = "perturbations.agent_dropout"


@pytest.mark.parametrize("seed", [5, 77])
@pytest.mark.parametrize(
    "name,overrides",
    [
        (
            "casestudy_disproportionate_response",
            {
                f"{DROPOUT}.enabled": True,
                f"{DROPOUT}.probability_per_step": 0.2,
                f"{DROPOUT}.min_duration_steps": 0,
                f"{DROPOUT}.max_duration_steps": 3,
                f"{DROPOUT}.exempt_types": ["honest"],
            },
        ),
        (
            "flash_crash",
            {
                "perturbations.seed": 9,
                f"{DROPOUT}.enabled": True,
                f"{DROPOUT}.probability_per_step": 0.5,
                "simulation.schedule_mode": "random",
            },
        ),
    ],
)
def test_agent_dropout(name: str, overrides: dict, seed: int) -> None:
    assert_same(*both(name, overrides, seed=seed, epochs=8, steps=8))


def test_agent_dropout_needs_a_seed() -> None:
    with pytest.raises(swarm_fast.ScenarioError) as err:
        load_scenario(LIBRARY / "flash_crash.yaml").with_overrides({f"{DROPOUT}.enabled": True})
    assert err.value.key == "perturbations.seed"


def test_agent_dropout_acts() -> None:
    path = LIBRARY / "flash_crash.yaml"
    on = {
        "perturbations.seed": 9,
        f"{DROPOUT}.enabled": True,
        f"{DROPOUT}.probability_per_step": 0.5,
    }
    a = swarm_fast.run(load_scenario(path).with_overrides(on), seed=5, epochs=4, steps=8)
    b = swarm_fast.run(path, seed=5, epochs=4, steps=8)
    assert a.epochs["total_interactions"].sum() < b.epochs["total_interactions"].sum()


def test_casestudy_proxy_corruption_at_its_defaults() -> None:
    """Dropout, security shocks at epoch 12, the adversaries cut off the
    small-world network at epoch 14 and healed at 20."""
    ours, ref = both("casestudy_proxy_corruption")
    assert ours.interactions.height > 0
    assert_same(ours, ref)


@pytest.mark.parametrize("seed", [8, 123])
@pytest.mark.parametrize(
    "overrides",
    [
        {f"{PARTITION}.at_epoch": 2, f"{PARTITION}.heal_after_epochs": 3},
        {
            f"{PARTITION}.mode": "bisect",
            f"{PARTITION}.at_epoch": 1,
            f"{PARTITION}.heal_after_epochs": None,
            "perturbations.parameter_shocks.shocks.0.at_epoch": 3,
        },
        {
            f"{PARTITION}.mode": "isolate_type",
            f"{PARTITION}.isolate_type": "honest",
            f"{PARTITION}.at_epoch": 3,
            f"{PARTITION}.heal_after_epochs": 0,
        },
    ],
)
def test_network_partition_variants(overrides: dict, seed: int) -> None:
    assert_same(*both("casestudy_proxy_corruption", overrides, seed=seed, epochs=9, steps=8))


def test_network_partition_acts() -> None:
    path = LIBRARY / "casestudy_proxy_corruption.yaml"
    cut = {f"{PARTITION}.mode": "bisect", f"{PARTITION}.at_epoch": 1}
    off = {f"{PARTITION}.enabled": False}
    a = swarm_fast.run(load_scenario(path).with_overrides(cut), seed=8, epochs=6, steps=8)
    b = swarm_fast.run(load_scenario(path).with_overrides(off), seed=8, epochs=6, steps=8)
    assert a.epochs["total_interactions"].to_list() != b.epochs["total_interactions"].to_list()
