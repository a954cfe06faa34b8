"""Live parity for the `rivals:` subsystem (issue 17): the reference's
team_of_rivals.yaml and variants of it (other seeds, the four modes, other
pipeline and agent parameters, more agents of other types, governance,
schedules and noise), each run by swarm_fast and by swarm-safety 1.9.0 side
by side and compared with exact float equality (every interaction — the
produce and review turns are interactions of an agent with itself —, epoch
row, final agent state and the summary). Then the checks on the section's
keys and the populations swarm_fast refuses.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import swarm_fast
from swarm_fast import ScenarioError, load_scenario

from parity_check import assert_same, run_both

FILE = Path(__file__).parent / "scenarios" / "library" / "team_of_rivals.yaml"


def both(overrides: dict | None = None, **run_args):
    return run_both(FILE, overrides, **run_args)


def rivals_turns(result) -> int:
    """The pipeline's interactions: an agent with itself."""
    df = result.interactions
    return int((df["initiator"] == df["counterparty"]).sum())


def team(**extra_counts: int) -> list[dict]:
    """The file's six agents (one per role), then other types."""
    roles = [
        ("rivals_producer", "coder", {"quality_level": 0.75, "trap_awareness": 0.6}),
        ("rivals_producer", "chart_maker", {"quality_level": 0.7}),
        ("rivals_producer", "writer", {"trap_awareness": 0.9}),
        ("rivals_critic", "critic_code", {"detection_rate": 0.75}),
        ("rivals_critic", "critic_chart", {"false_positive_rate": 0.3}),
        ("rivals_critic", "critic_output", {}),
    ]
    agents = [{"type": t, "count": 1, "config": {"role": r, **c}} for t, r, c in roles]
    agents += [{"type": t, "count": n} for t, n in extra_counts.items()]
    return agents


pytestmark = pytest.mark.filterwarnings("ignore:(?s).*success_criteria:swarm_fast.ScenarioWarning")


def test_team_of_rivals_file() -> None:
    """The file as written (20 x 10): staged vetoes with retries."""
    ours, ref = both()
    assert_same(ours, ref)
    assert rivals_turns(ours) == ours.interactions.height > 100
    # Vetoes happen: some turns carry the veto's observables (p below 0.5).
    assert (ours.interactions["p"] < 0.5).any()


@pytest.mark.parametrize("seed,rivals_seed", [(7, 42), (2024, 5), (31337, 123456789)])
def test_other_seeds(seed: int, rivals_seed: int) -> None:
    """The run's seed and the pipeline's own (`rivals.seed`, a stream apart)."""
    assert_same(*both({"rivals.seed": rivals_seed}, seed=seed, epochs=12, steps=10))


@pytest.mark.parametrize(
    "overrides",
    [
        {"rivals.mode": "advisory"},
        {"rivals.mode": "council"},
        {"rivals.mode": "council", "rivals.max_retries_per_stage": 1},
        {"rivals.mode": "single_agent"},
        {"rivals.mode": "single_agent", "rivals.tasks_per_epoch": 1},
        {"rivals.max_retries_per_stage": 0},
        {"rivals.max_retries_per_stage": 6, "rivals.tasks_per_epoch": 1},
        {"rivals.tasks_per_epoch": 16, "rivals.trap_probability": 0.0},
        {"rivals.tasks_per_epoch": 0},
        # Agents' own values: low quality, blind to traps, strict critics.
        {
            "agents.0.config.quality_level": 0.45,
            "agents.1.config.trap_awareness": 0.0,
            "agents.3.config.detection_rate": 1.0,
            "agents.4.config.false_positive_rate": 0.5,
        },
        # Defaults of the agents (the section's default_* are never read).
        {
            "agents.2.config": {"role": "writer"},
            "agents.5.config": {"role": "critic_output"},
            "rivals.default_quality_level": 0.1,
        },
    ],
)
def test_pipeline_variants(overrides: dict) -> None:
    assert_same(*both(overrides, seed=11, epochs=10, steps=10), nonempty=False)


@pytest.mark.parametrize("seed", [3, 99])
def test_among_other_agents_with_governance(seed: int) -> None:
    """More agents: honest, opportunistic, deceptive and adversarial agents
    propose to the rivals agents (who accept everything) while the pipeline
    runs, under taxes, decay, audits, the circuit breaker and collusion
    detection."""
    overrides = {
        "agents": team(honest=3, opportunistic=2, deceptive=1, adversarial=2),
        "governance": {
            "transaction_tax_rate": 0.1,
            "reputation_decay_rate": 0.95,
            "audit_enabled": True,
            "audit_probability": 0.2,
            "circuit_breaker_enabled": True,
            "freeze_threshold_toxicity": 0.6,
            "collusion_detection_enabled": True,
            "collusion_realtime_penalty": True,
        },
    }
    ours, ref = both(overrides, seed=seed, epochs=10, steps=10)
    assert_same(ours, ref)
    assert 0 < rivals_turns(ours) < ours.interactions.height


@pytest.mark.parametrize(
    "overrides",
    [
        {"simulation.schedule_mode": "random", "simulation.max_actions_per_step": 4},
        {"simulation.schedule_mode": "priority", "agents": team(honest=4)},
        {"simulation.observation_noise_probability": 0.5, "simulation.observation_noise_std": 0.2},
        # One producer role filled by three agents (one draw among them).
        {
            "agents": [
                {"type": "rivals_producer", "count": 3, "config": {"role": "coder"}},
                {"type": "rivals_critic", "count": 1},
                {"type": "honest", "count": 2},
            ]
        },
        # single_agent draws among every producer, whatever the roles.
        {
            "rivals.mode": "single_agent",
            "agents": team(honest=2) + [{"type": "rivals_producer", "count": 3}],
        },
    ],
)
def test_schedules_noise_and_populations(overrides: dict) -> None:
    assert_same(*both(overrides, seed=5, epochs=8, steps=10))


MIXED = team(honest=3, adversarial=2, opportunistic=1)


@pytest.mark.parametrize(
    "overrides",
    [
        {"network": {"topology": "ring", "params": {"k": 2}}},
        {
            "network": {
                "topology": "small_world",
                "params": {"k": 4, "p": 0.2},
                "dynamic": True,
                "edge_decay_rate": 0.1,
            }
        },
        {"dynamic_toxicity": {"enabled": ["proxy_drift", "trust_erosion", "quality_contagion"]}},
        {
            "perturbations": {
                "enabled": True,
                "seed": 3,
                "agent_dropout": {"enabled": True, "probability": 0.3},
            }
        },
        {"marketplace": {"enabled": True}},
        {"governance": {"security_enabled": True}},
        {"governance": {"sybil_detection_enabled": True, "sybil_realtime_penalty": True}},
        {"governance": {"staking_enabled": True, "min_stake_to_participate": 50.0}},
        # RBAC charges core interactions only: the pipeline's carry no action type.
        {"governance": {"rbac_enabled": True}},
        # Spawned children join mid-run, without a role.
        {
            "agents": MIXED + [{"type": "tierra", "count": 5}],
            "spawn": {"enabled": True},
            "tierra": {"enabled": True, "population_cap": 20},
        },
    ],
)
def test_with_other_subsystems_and_levers(overrides: dict) -> None:
    ours, ref = both({"agents": MIXED, **overrides}, seed=9, epochs=8, steps=10)
    assert_same(ours, ref)
    assert rivals_turns(ours) > 0


def test_off_is_a_noop_turn() -> None:
    """Without the section the agents' turns do nothing (no handler)."""
    sc = load_scenario(FILE).with_overrides({"rivals.enabled": False})
    assert swarm_fast.run(sc, epochs=3, steps=5, record_interactions=True).interactions.height == 0


@pytest.mark.parametrize(
    "key,value",
    [
        ("rivals.mode", "vetocracy"),
        ("rivals.max_retries_per_stage", 1.5),
        ("rivals.tasks_per_epoch", -1),
        ("rivals.tasks_per_epoch", 10**6),
        ("rivals.trap_probability", "half"),
        ("rivals.default_detection_rate", float("nan")),
        ("rivals.seed", "forty-two"),
        ("rivals.enabled", "yes"),
        ("agents.0.config.role", "tester"),
        ("agents.0.config.quality_level", "high"),
        ("agents.3.config.detection_rate", None),
    ],
)
def test_bad_values_name_the_key(key: str, value) -> None:
    # Agent keys are named as the loader names them: agents[0].config.role.
    where = re.sub(r"^agents\.(\d+)", r"agents[\1]", key)
    with pytest.raises(ScenarioError, match=re.escape(where)):
        load_scenario(FILE).with_overrides({key: value})


def test_misspelt_key_is_refused() -> None:
    with pytest.raises(ScenarioError, match="rivals"):
        load_scenario(FILE).with_overrides({"rivals.max_retry_per_stage": 2})


def test_a_seedless_pipeline_is_refused() -> None:
    """The reference seeds it from OS entropy: nothing to reproduce."""
    with pytest.raises(ScenarioError, match=r"rivals\.seed.*entropy"):
        load_scenario(FILE).with_overrides({"rivals.seed": None})


def test_role_draws_in_hash_order_are_refused() -> None:
    """Two coders beside a chart maker: the reference visits the roles in a
    Python set's order, which changes with the hash seed."""
    crowded = {"agents.0.count": 2}
    with pytest.raises(ScenarioError, match="hash seed"):
        load_scenario(FILE).with_overrides(crowded)
    # single_agent mode draws in registration order: accepted.
    load_scenario(FILE).with_overrides({**crowded, "rivals.mode": "single_agent"})
