"""Live parity for the `spawn:` subsystem (issue 17): the reference's
scenario files with a spawn section, and variants (other seeds, other spawn
parameters, more agents), each run by swarm_fast and by swarm-safety 1.9.0
side by side and compared with exact float equality, spawn metrics
included. Then the checks on the section's keys.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from swarm_fast import ScenarioError, load_scenario

from parity_check import assert_same, run_both

LIBRARY = Path(__file__).parent / "scenarios" / "library"


def both(name: str, overrides: dict | None = None, **run_args):
    return run_both(LIBRARY / f"{name}.yaml", overrides, **run_args)


def assert_same_spawn(ours, ref) -> None:
    assert_same(ours, ref)
    assert ref.spawn_metrics is not None
    assert ours.spawn_metrics == ref.spawn_metrics


def test_recursive_spawn_file() -> None:
    """The file as written. None of its agent types ever spawns: the tree
    stays five roots, which its metrics show every epoch."""
    ours, ref = both("recursive_spawn")
    assert_same_spawn(ours, ref)
    assert ours.spawn_metrics[-1]["depth_distribution"] == {0: 5}


@pytest.mark.parametrize("seed", [7, 2024])
@pytest.mark.parametrize(
    "overrides",
    [
        None,
        {"agents.0.count": 8, "agents.2.count": 4, "spawn.max_depth": 0},
        {"spawn.attribution_mode": "root_absorbs", "spawn.spawn_cooldown_steps": 0},
    ],
)
def test_recursive_spawn_variants(seed: int, overrides: dict | None) -> None:
    assert_same_spawn(*both("recursive_spawn", overrides, seed=seed, epochs=8, steps=10))


def test_spawn_off_has_no_metrics() -> None:
    sc = load_scenario(LIBRARY / "recursive_spawn.yaml").with_overrides({"spawn.enabled": False})
    import swarm_fast

    assert swarm_fast.run(sc, epochs=2, steps=2).spawn_metrics is None


@pytest.mark.parametrize(
    "key,value,message",
    [
        ("spawn.max_depth", -1, "spawn.max_depth"),
        ("spawn.max_children", 1.5, "spawn.max_children"),
        ("spawn.propagation_fraction", 1.5, "spawn.propagation_fraction"),
        ("spawn.reputation_inheritance_factor", -0.1, "spawn.reputation_inheritance_factor"),
        ("spawn.attribution_mode", "sideways", "spawn.attribution_mode"),
        ("spawn.cascade_ban", "yes", "spawn.cascade_ban"),
        ("spawn.enabled", "on", "spawn.enabled"),
        ("spawn.spawn_cost", float("nan"), "spawn.spawn_cost"),
        ("spawn.max_total_spawned", 10**12, "spawn.max_total_spawned"),
    ],
)
def test_bad_spawn_values_name_the_key(key: str, value, message: str) -> None:
    with pytest.raises(ScenarioError, match=message.replace(".", r"\.")):
        load_scenario(LIBRARY / "recursive_spawn.yaml").with_overrides({key: value})


def test_misspelt_spawn_key_is_refused() -> None:
    with pytest.raises(ScenarioError, match="spawn"):
        load_scenario(LIBRARY / "recursive_spawn.yaml").with_overrides({"spawn.max_dept": 2})


# ----------------------------------------------------------------- tierra


def test_tierra_file() -> None:
    """tierra.yaml as written (50 x 20, about 40 s of reference time): 500
    children spawned up to depth 4, most of the population reaped or
    starved by the end."""
    ours, ref = both("tierra")
    assert_same_spawn(ours, ref)
    assert ours.spawn_metrics[-1]["total_spawned"] == 500
    assert ours.agents.height == 520
    assert ours.agents["frozen"].sum() > 0


@pytest.mark.parametrize("seed", [7, 2024, 31337])
def test_tierra_other_seeds(seed: int) -> None:
    assert_same_spawn(*both("tierra", seed=seed, epochs=12, steps=20))


@pytest.mark.parametrize(
    "overrides",
    [
        # The reapers, with a cap low enough to reap every step.
        {"tierra.population_cap": 30},
        {"tierra.population_cap": 30, "tierra.reaper_mode": "random"},
        {"tierra.population_cap": 30, "tierra.reaper_mode": "oldest"},
        {"tierra.population_cap": 30, "tierra.reaper_mode": "diversity_preserving"},
        {
            "tierra.population_cap": 25,
            "tierra.reaper_mode": "diversity_preserving",
            "tierra.reaper_diversity_min": 3,
            "tierra.mutation_std": 0.3,
            "tierra.max_efficiency_weight": 1.5,
        },
        # Scarcer resources: deaths by starvation.
        {
            "tierra.total_resource_pool": 500.0,
            "tierra.resource_replenishment_rate": 5.0,
            "tierra.base_metabolism_cost": 6.0,
            "tierra.death_threshold": 10.0,
        },
        # Other spawn parameters.
        {
            "spawn.max_depth": 2,
            "spawn.max_children": 2,
            "spawn.spawn_cooldown_steps": 7,
            "spawn.spawn_cost": 15.0,
            "spawn.reputation_inheritance_factor": 0.9,
        },
        {"spawn.max_total_spawned": 40, "spawn.min_resources_to_spawn": 400.0},
        # Governance, schedules and noise around a growing population.
        {
            "governance.circuit_breaker_enabled": True,
            "governance.freeze_threshold_toxicity": 0.5,
            "governance.freeze_threshold_violations": 2,
            "governance.transaction_tax_rate": 0.1,
            "governance.reputation_decay_rate": 0.9,
            "governance.audit_enabled": True,
            "governance.staking_enabled": True,
            "governance.min_stake_to_participate": 60.0,
        },
        {"simulation.schedule_mode": "random", "simulation.max_actions_per_step": 12},
        {"simulation.schedule_mode": "priority"},
        {"simulation.observation_noise_probability": 0.5, "simulation.observation_noise_std": 0.2},
        # The subsystems apart: no spawning, and spawning without the pool.
        {"spawn.enabled": False},
        {"tierra.enabled": False, "agents.0.count": 6},
    ],
)
def test_tierra_variants(overrides: dict) -> None:
    ours, ref = both("tierra", overrides, seed=11, epochs=10, steps=15)
    assert_same(ours, ref)
    assert ours.spawn_metrics == ref.spawn_metrics


@pytest.mark.parametrize("seed", [3, 99])
def test_tierra_among_other_agents(seed: int) -> None:
    """More agents, of several types: tierra agents replicate among honest,
    opportunistic and adversarial ones (who never spawn)."""
    overrides = {
        "agents": [
            {"type": "honest", "count": 4},
            {"type": "tierra", "count": 12},
            {"type": "opportunistic", "count": 2},
            {"type": "adversarial", "count": 3},
            {"type": "adaptive_adversary", "count": 1},
        ],
        "governance.circuit_breaker_enabled": True,
    }
    ours, ref = both("tierra", overrides, seed=seed, epochs=10, steps=12)
    assert_same_spawn(ours, ref)
    assert ours.spawn_metrics[-1]["total_spawned"] > 0


def test_recursive_spawn_with_tierra_agents() -> None:
    """recursive_spawn's governance and spawn limits (cooldown 5, depth 3,
    spawn cost 10) with a tierra population and pool."""
    overrides = {"agents.1.type": "tierra", "agents.1.count": 6, "tierra": {"enabled": True}}
    ours, ref = both("recursive_spawn", overrides, seed=5, epochs=10, steps=15)
    assert_same_spawn(ours, ref)
    assert ours.spawn_metrics[-1]["total_spawned"] > 0


@pytest.mark.parametrize(
    "key,value",
    [
        ("tierra.reaper_mode", "youngest"),
        ("tierra.population_cap", -1),
        ("tierra.pool_distribution_rate", 2.0),
        ("tierra.mutation_std", "wide"),
        ("tierra.metabolism", 1.0),
    ],
)
def test_bad_tierra_values_name_the_key(key: str, value) -> None:
    with pytest.raises(ScenarioError, match=key.replace(".", r"\.")):
        load_scenario(LIBRARY / "tierra.yaml").with_overrides({key: value})


@pytest.mark.parametrize(
    "overrides,key",
    [
        ({"network": {"topology": "ring"}}, "network"),
        ({"governance.security_enabled": True}, "security_enabled"),
        ({"dynamic_toxicity": {"enabled": ["proxy_drift"]}}, "dynamic_toxicity"),
    ],
)
def test_growth_refuses_what_it_cannot_grow(overrides: dict, key: str) -> None:
    with pytest.raises(ScenarioError, match=key):
        load_scenario(LIBRARY / "tierra.yaml").with_overrides(overrides)


# ------------------------------------------------- tierra_governed, sybil


def test_tierra_governed_file() -> None:
    """tierra_governed.yaml as written (50 x 20, about a minute of reference
    time): breaker, collusion detection (on the 20 initial agents only, as
    in the reference), Sybil detection, tax, decay, audits, staking and the
    diversity-preserving reaper."""
    ours, ref = both("tierra_governed")
    assert_same_spawn(ours, ref)
    assert ours.spawn_metrics[-1]["total_spawned"] == 500


@pytest.mark.parametrize("seed", [7, 2024])
def test_tierra_governed_other_seeds(seed: int) -> None:
    assert_same_spawn(*both("tierra_governed", seed=seed, epochs=12, steps=20))


@pytest.mark.parametrize(
    "overrides",
    [
        {"governance.sybil_realtime_penalty": True, "governance.sybil_realtime_rate": 0.3},
        {"governance.sybil_similarity_threshold": 0.5, "governance.sybil_max_cluster_size": 4},
        {
            "governance.collusion_realtime_penalty": True,
            "governance.collusion_score_threshold": 0.3,
        },
        {"tierra.population_cap": 40, "tierra.reaper_diversity_min": 2},
    ],
)
def test_tierra_governed_variants(overrides: dict) -> None:
    assert_same_spawn(*both("tierra_governed", overrides, seed=21, epochs=10, steps=15))


SYBIL = {
    "governance.sybil_detection_enabled": True,
    "governance.sybil_similarity_threshold": 0.6,
    "governance.sybil_realtime_penalty": True,
    "governance.sybil_penalty_multiplier": 2.0,
}


@pytest.mark.parametrize("name", ["baseline", "adversarial_redteam", "collusion_detection"])
@pytest.mark.parametrize("seed", [42, 8])
def test_sybil_lever_on_the_paper_scenarios(name: str, seed: int) -> None:
    """The Sybil detection lever without spawning, on the bundled scenarios."""
    from swarm_fast.scenario import bundled_scenarios

    path = bundled_scenarios()[name]
    assert_same(*run_both(path, SYBIL, seed=seed, epochs=10, steps=10))


# ------------------------------------------ runaway_intelligence, fragments


def test_runaway_intelligence_file() -> None:
    """runaway_intelligence.yaml as written (30 x 15): spawn on (nobody
    spawns), self-optimizers and adaptive adversaries on a small world,
    condition-triggered shocks, and at epoch 20 a random_fragment partition
    (healed at 25) with a resource drain."""
    assert_same_spawn(*both("runaway_intelligence"))


@pytest.mark.parametrize("seed", [7, 2024])
def test_runaway_intelligence_other_seeds(seed: int) -> None:
    overrides = {
        "perturbations.network_partition.at_epoch": 4,
        "perturbations.network_partition.heal_after_epochs": 3,
    }
    assert_same_spawn(*both("runaway_intelligence", overrides, seed=seed, epochs=10, steps=10))


FRAGMENT = {
    "perturbations.network_partition.at_epoch": 3,
    "perturbations.network_partition.heal_after_epochs": 2,
}


@pytest.mark.parametrize(
    "overrides",
    [
        # Other topologies: each one's edge-dict order.
        {"network.topology": "ring"},
        {"network.topology": "random_erdos_renyi", "network.params.edge_probability": 0.4},
        {"network.topology": "complete"},
        {"network.params.k": 6, "network.params.p": 0.5},
        # A dynamic network: edges made and pruned before the cut.
        {
            "network.dynamic": True,
            "network.edge_decay_rate": 0.4,
            "network.min_edge_weight": 0.5,
        },
        # No heal; more agents.
        {"perturbations.network_partition.heal_after_epochs": None, "agents.0.count": 9},
    ],
)
def test_random_fragment_variants(overrides: dict) -> None:
    ours, ref = both("runaway_intelligence", {**FRAGMENT, **overrides}, seed=13, epochs=8, steps=8)
    assert_same_spawn(ours, ref)
