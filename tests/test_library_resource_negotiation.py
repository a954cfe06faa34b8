"""Live parity for the `resource_negotiation:` subsystem and its three
negotiator agents (issue 17): the reference's resource_negotiation file and
variants (other seeds, other section values, more and other agents), each
run by swarm_fast and by swarm-safety 1.9.0 side by side and compared with
exact float equality (every interaction, epoch row, final agent state and
the summary). Then the checks on the section's keys.

In the reference the games never reach the agents' observations, so the
negotiators never move and the file itself records no interaction at all.
What a run shows of the subsystem is its set-up: the pairing shuffle and
each game's pool and valuations, drawn from the run's stream before the
first step, which moves every later draw (the schedule, the observables).
The variants therefore put agents that interact beside the negotiators:
their interactions are what the comparison sees, and
``test_the_games_draws_reach_the_run`` checks that they do depend on those
draws.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import swarm_fast
from swarm_fast import ScenarioError, load_scenario

from parity_check import assert_same, run_both

LIBRARY = Path(__file__).parent / "scenarios" / "library"
FILE = LIBRARY / "resource_negotiation.yaml"

NEGOTIATORS = [
    {"type": "strategic_negotiator", "count": 2},
    {"type": "fair_negotiator", "count": 2, "config": {"accept_threshold": 0.5}},
    {"type": "greedy_negotiator", "count": 2},
]
# Negotiators among agents that propose, post and vote.
MIXED = [
    {"type": "honest", "count": 3},
    *NEGOTIATORS,
    {"type": "opportunistic", "count": 2},
    {"type": "adversarial", "count": 1},
]


def both(overrides: dict | None = None, **run_args):
    return run_both(FILE, overrides, **run_args)


def test_library_file() -> None:
    """The file as written (5 x 10): the negotiators never move, in the
    reference as here, so both record no interaction."""
    ours, ref = both()
    assert_same(ours, ref, nonempty=False)
    assert ours.interactions.height == 0
    assert (ours.agents["resources"] == 100.0).all()


@pytest.mark.parametrize("seed", [7, 2024, 31337])
def test_library_file_other_seeds(seed: int) -> None:
    assert_same(*both(seed=seed, epochs=8, steps=12), nonempty=False)


@pytest.mark.parametrize("seed", [42, 5, 77])
@pytest.mark.parametrize(
    "overrides",
    [
        {"agents": MIXED},
        # An odd population: one agent gets no game.
        {"agents": [*MIXED, {"type": "cautious", "count": 2}]},
        # More agents; a random schedule draws from the same stream.
        {
            "agents": [{"type": "honest", "count": 12}, *NEGOTIATORS, {"type": "deceptive"}],
            "simulation.schedule_mode": "random",
        },
        # Other ranges: wider pools and quantities (more rejection draws).
        {
            "agents": MIXED,
            "resource_negotiation.min_resource_types": 1,
            "resource_negotiation.max_resource_types": 5,
            "resource_negotiation.min_quantity": 0,
            "resource_negotiation.max_quantity": 1000,
            "resource_negotiation.min_valuation": 0.5,
            "resource_negotiation.max_valuation": 3.0,
        },
        # More resource names than `random.sample`'s small-set limit (21
        # for up to five types, 85 for six to 21): it rejects repeats
        # against a set; a repeated name draws its quantity twice.
        {
            "agents": MIXED,
            "resource_negotiation.resource_names": [f"r{i}" for i in range(99)] + ["r3"],
            "resource_negotiation.min_resource_types": 3,
            "resource_negotiation.max_resource_types": 9,
        },
        # Between the two limits: a set for five types, a pool for six.
        {
            "agents": MIXED,
            "resource_negotiation.resource_names": [f"r{i}" for i in range(40)],
            "resource_negotiation.min_resource_types": 5,
            "resource_negotiation.max_resource_types": 6,
        },
        # Fewer names than types asked for: all of them, shuffled.
        {
            "agents": MIXED,
            "resource_negotiation.resource_names": ["gold", "silver", "gold"],
            "resource_negotiation.min_resource_types": 4,
            "resource_negotiation.max_resource_types": 6,
        },
        # The keys read only by moves that never happen, and the unused seed.
        {
            "agents": MIXED,
            "resource_negotiation.guaranteed_rounds": 0,
            "resource_negotiation.termination_probability": 1.0,
            "resource_negotiation.no_deal_score": -3.0,
            "resource_negotiation.max_rounds": 1,
            "resource_negotiation.seed": 99,
        },
        # Governance around it.
        {
            "agents": MIXED,
            "governance.transaction_tax_rate": 0.1,
            "governance.circuit_breaker_enabled": True,
            "governance.audit_enabled": True,
            "governance.audit_probability": 0.3,
        },
    ],
)
def test_variants(seed: int, overrides: dict) -> None:
    assert_same(*both(overrides, seed=seed, epochs=6, steps=8))


def test_negotiators_without_the_section() -> None:
    """The negotiators alone, the subsystem off: still noops that accept."""
    over = {"agents": MIXED, "resource_negotiation.enabled": False}
    ours, ref = both(over, seed=11, epochs=5, steps=8)
    assert_same(ours, ref)
    negotiators = ours.agents.filter(ours.agents["agent_id"].str.contains("negotiator"))
    assert (negotiators["interactions_initiated"] == 0).all()
    assert negotiators["interactions_received"].sum() > 0


def test_the_games_draws_reach_the_run() -> None:
    """With the section off the same population gives another run: the
    set-up's draws are part of what the parity cases compare."""
    sc = load_scenario(FILE).with_overrides({"agents": MIXED})
    on = swarm_fast.run(sc, seed=42, epochs=4, steps=8, record_interactions=True)
    off = swarm_fast.run(
        sc.with_overrides({"resource_negotiation.enabled": False}),
        seed=42,
        epochs=4,
        steps=8,
        record_interactions=True,
    )
    assert not on.interactions.equals(off.interactions)


def test_negotiator_types() -> None:
    ours = swarm_fast.run(load_scenario(FILE), seed=1, epochs=1, steps=1)
    types = dict(zip(ours.agents["agent_id"], ours.agents["agent_type"]))
    assert types["strategic_negotiator_1"] == "honest"
    assert types["fair_negotiator_2"] == "honest"
    assert types["greedy_negotiator_1"] == "opportunistic"


@pytest.mark.parametrize(
    "key,value",
    [
        ("resource_negotiation.min_resource_types", -1),
        ("resource_negotiation.max_resource_types", 1),  # below the minimum, 3
        ("resource_negotiation.max_quantity", 0),  # below the minimum, 1
        ("resource_negotiation.min_quantity", 2.5),
        ("resource_negotiation.min_valuation", float("nan")),
        ("resource_negotiation.termination_probability", 1.5),
        ("resource_negotiation.resource_names", "apples"),
        ("resource_negotiation.resource_names", ["apples", 3]),
        ("resource_negotiation.seed", "x"),
        ("resource_negotiation.enabled", "yes"),
        ("resource_negotiation.max_round", 3),  # misspelt
    ],
)
def test_bad_values_name_the_key(key: str, value) -> None:
    with pytest.raises(ScenarioError, match=key.replace(".", r"\.")):
        load_scenario(FILE).with_overrides({key: value})


def test_section_must_be_a_mapping() -> None:
    with pytest.raises(ScenarioError, match="resource_negotiation"):
        load_scenario(FILE).with_overrides({"resource_negotiation": [1, 2]})


def test_fair_negotiator_config_is_checked() -> None:
    with pytest.raises(ScenarioError, match="accept_threshold"):
        load_scenario(FILE).with_overrides({"agents.1.config": {"accept_threshold": "high"}})
    with pytest.raises(ScenarioError, match="agents"):
        load_scenario(FILE).with_overrides({"agents.2.config": {"accept_threshold": 0.2}})


def test_with_python_agents() -> None:
    """Python-callback agents are paired into games too (the shuffle runs
    over every agent id): the probe policy of test_policies.py plugged into
    both sides, beside negotiators, with the section on."""
    from test_policies import MIXED as CALLBACKS
    from test_policies import assert_same as assert_same_callbacks
    from test_policies import run_both as run_with_callbacks

    data = {
        **CALLBACKS,
        "agents": [*CALLBACKS["agents"], *NEGOTIATORS],
        "resource_negotiation": {"enabled": True, "min_resource_types": 1},
    }
    ours, ref, _, _ = run_with_callbacks(data, seed=13)
    assert_same_callbacks(ours, ref)
