"""Python-callback agents (issue 13, item 1).

Live parity: the same deterministic policy (tests/policy_probe.py) plugged
into swarm_fast as a Python policy and into the reference through its own
agent interface (LLM agents whose methods are replaced) gives the same
trace, metrics and final states, bit for bit, in mixed populations with
governance levers, a network and observation noise.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

import swarm_fast
from swarm_fast import ScenarioError
from swarm_fast.agents import Action, Observation, Policy

from reference_harness import run_reference

sys.path.insert(0, str(Path(__file__).parent))
from policy_probe import OursProbe, plug_into_reference  # noqa: E402

MIXED = {
    "scenario_id": "mixed_callbacks",
    "simulation": {"n_epochs": 4, "steps_per_epoch": 6, "seed": 7},
    "agents": [
        {"type": "honest", "count": 3},
        {"type": "CALLBACK", "count": 2},
        {"type": "opportunistic", "count": 1},
        {"type": "deceptive", "count": 1},
        {"type": "adversarial", "count": 1},
        {"type": "CALLBACK", "count": 1},
    ],
    "governance": {
        "transaction_tax_rate": 0.05,
        "reputation_decay_rate": 0.02,
        "audit_enabled": True,
        "audit_probability": 0.2,
        "circuit_breaker_enabled": True,
        "freeze_threshold_toxicity": 0.6,
        "freeze_threshold_violations": 2,
        "freeze_duration_epochs": 1,
    },
    "rate_limits": {"posts_per_epoch": 4, "votes_per_epoch": 6, "interactions_per_step": 2},
}


def _variants(data: dict) -> tuple[dict, dict]:
    """(ours, reference): callbacks as python agents with ids llm_k, and as
    the reference's llm agents (which the probe replaces)."""
    ours, ref = copy.deepcopy(data), copy.deepcopy(data)
    for o, r in zip(ours["agents"], ref["agents"]):
        if o["type"] == "CALLBACK":
            o.update(type="python", name="probe", id_prefix="llm")
            r.update(type="llm", llm={"provider": "anthropic", "api_key": "unused"})
    return ours, ref


def run_both(data: dict, seed: int, **kw):
    ours_data, ref_data = _variants(data)
    policy = OursProbe()
    ours = swarm_fast.run(
        ours_data, seed=seed, record_interactions=True, policies={"probe": policy}, **kw
    )
    probes: dict = {}
    ref = run_reference(ref_data, seed=seed, prepare=lambda o: plug_into_reference(o, probes))
    return ours, ref, policy, probes


def assert_same(ours, ref) -> None:
    assert ours.interactions.height > 0
    assert_frame_equal(ours.interactions, ref.interactions, check_exact=True)
    assert_frame_equal(ours.epochs, ref.epochs, check_exact=True)
    assert_frame_equal(ours.agents, ref.agents, check_exact=True)


@pytest.mark.parametrize("seed", [1, 7, 42])
@pytest.mark.filterwarnings("ignore:.*policy callback")
def test_mixed_population_matches_reference(seed: int) -> None:
    ours, ref, policy, probes = run_both(MIXED, seed)
    assert_same(ours, ref)
    # The probes really acted: they initiated interactions and failed now
    # and then, equally often on both sides.
    llm = ours.interactions.filter(ours.interactions["initiator"].str.starts_with("llm_"))
    assert llm.height > 0
    assert {k: p.failures for k, p in policy.by_agent.items()} == {
        k: p.failures for k, p in probes.items()
    }
    report = ours.policy_report
    assert report["act_errors"].to_list() == [probes[a].failures for a in report["agent_id"]]


@pytest.mark.filterwarnings("ignore:.*policy callback")
def test_with_network_and_noise_matches_reference() -> None:
    data = copy.deepcopy(MIXED)
    data["network"] = {"topology": "small_world", "params": {"k": 4, "p": 0.2}}
    data["simulation"]["observation_noise_probability"] = 0.3
    data["simulation"]["observation_noise_std"] = 0.1
    ours, ref, _, _ = run_both(data, 11)
    assert_same(ours, ref)


@pytest.mark.filterwarnings("ignore:.*policy callback")
def test_callbacks_take_no_rng_stream() -> None:
    """A python agent placed first does not shift the scripted agents'
    streams: with a policy that never acts and refuses everything, the
    scripted agents draw exactly as in the reference's run with an LLM
    agent that does the same."""

    class Idle:
        def act(self, obs):
            return Action.noop()

        def accept_interaction(self, proposal, obs):
            return False

    data = {
        "scenario_id": "idle_first",
        "simulation": {"n_epochs": 3, "steps_per_epoch": 5, "seed": 3},
        "agents": [{"type": "CALLBACK"}, {"type": "honest", "count": 3}, {"type": "deceptive"}],
    }
    ours_data, ref_data = _variants(data)
    ours = swarm_fast.run(ours_data, record_interactions=True, policies={"probe": Idle()})

    def idle(orch):
        from swarm.agents.llm_agent import LLMAgent

        for a in orch._agents.values():
            if isinstance(a, LLMAgent):
                a.act = lambda obs, a=a: a.create_noop_action()
                a.accept_interaction = lambda p, obs: False

    ref = run_reference(ref_data, prepare=idle)
    assert_same(ours, ref)


def test_yaml_policy_path_and_declared_type(tmp_path: Path) -> None:
    """``policy: module:Class`` makes one object per agent; the declared
    type is what the agents table (and the observables) see."""
    data = {
        "scenario_id": "yaml_policy",
        "simulation": {"n_epochs": 2, "steps_per_epoch": 4, "seed": 5},
        "agents": [
            {"type": "honest", "count": 2},
            {
                "type": "python",
                "count": 2,
                "policy": "policy_probe:OursProbe",
                "agent_type": "adversarial",
            },
        ],
    }
    with pytest.warns(RuntimeWarning, match="policy callback"):
        r = swarm_fast.run(data, record_interactions=True)
    agents = r.agents
    assert agents["agent_id"].to_list()[-2:] == ["python_1", "python_2"]
    assert agents["agent_type"].to_list()[-2:] == ["adversarial", "adversarial"]
    assert r.policy_report["act_calls"].to_list() == [8, 8]


def test_exceptions_are_counted_and_reported() -> None:
    class Broken:
        def act(self, obs):
            raise KeyError("nope")

        def accept_interaction(self, proposal, obs):
            raise RuntimeError("no answer")

    with pytest.warns(RuntimeWarning, match="policy callback"):
        r = swarm_fast.run("baseline", seed=1, epochs=2, steps=3, policies={"b": Broken()})
    rep = r.policy_report.row(0, named=True)
    assert rep["agent_id"] == "b_1"
    assert rep["act_calls"] == rep["act_errors"] == 6
    assert rep["first_act_error"] == "KeyError: 'nope'"
    # Scripted agents propose to it; each answer failed and was a reject.
    assert rep["accept_errors"] == rep["accept_calls"]
    received = r.agents.filter(agent_id="b_1")["interactions_received"][0]
    assert received == 0


def test_wrong_return_type_is_a_counted_fallback() -> None:
    class Wrong:
        def act(self, obs):
            return "POST"

        def accept_interaction(self, proposal, obs):
            return True

    with pytest.warns(RuntimeWarning):
        r = swarm_fast.run("baseline", seed=1, epochs=1, steps=2, policies={"w": Wrong()})
    rep = r.policy_report.row(0, named=True)
    assert rep["act_errors"] == 2
    assert "not a swarm_fast.Action" in rep["first_act_error"]


def test_keyboard_interrupt_in_a_callback_stops_the_run() -> None:
    class Stop:
        def act(self, obs):
            raise KeyboardInterrupt

        def accept_interaction(self, proposal, obs):
            return True

    with pytest.raises(KeyboardInterrupt):
        swarm_fast.run("baseline", seed=1, epochs=2, steps=2, policies={"s": Stop()})


def test_observation_fields() -> None:
    seen: list[Observation] = []

    class Look:
        def act(self, obs):
            seen.append(obs)
            return Action.noop()

        def accept_interaction(self, proposal, obs):
            return True

    assert isinstance(Look(), Policy)
    swarm_fast.run("baseline", seed=2, epochs=2, steps=2, policies={"look": Look()})
    o = seen[-1]
    assert o.agent_id == "look_1" and o.epoch == 1 and o.step == 1
    ids = [a["agent_id"] for a in o.visible_agents]
    assert ids == ["honest_1", "honest_2", "honest_3", "opportunistic_1", "deceptive_1"]
    eco = o.ecosystem_metrics
    assert eco["total_agents"] == 6 and eco["epoch"] == 1 and eco["is_paused"] is False
    for post in o.visible_posts:
        assert set(post) == {"post_id", "author_id", "net_votes"}


def test_unknown_targets_fail_silently() -> None:
    class Odd:
        def act(self, obs):
            return [
                Action.vote(10**9),
                Action.accept(12345),
                Action.reject(None),
                Action.propose("ghost"),
            ][obs.step % 4]

        def accept_interaction(self, proposal, obs):
            return True

    r = swarm_fast.run("baseline", seed=3, epochs=2, steps=4, policies={"odd": Odd()})
    assert r.policy_report["act_errors"].to_list() == [0]
    assert r.agents.filter(agent_id="odd_1")["interactions_initiated"][0] == 0


def test_bad_specs_name_the_key() -> None:
    base = {"simulation": {"seed": 1}, "agents": [{"type": "honest"}]}
    cases = [
        ({"type": "python", "agent_type": "saint"}, "agents[1].agent_type"),
        ({"type": "python", "policy": "no_colon"}, "agents[1].policy"),
        ({"type": "python", "polcy": "x:y"}, "agents[1].polcy"),
        ({"type": "python", "count": -1}, "agents[1].count"),
    ]
    for spec, key in cases:
        data = {**base, "agents": [{"type": "honest"}, spec]}
        with pytest.raises(ScenarioError) as e:
            swarm_fast.run(data)
        assert e.value.key == key
    with pytest.raises(ScenarioError, match="needs a policy"):
        swarm_fast.run({**base, "agents": [{"type": "honest"}, {"type": "python"}]})
    with pytest.raises(ScenarioError, match="cannot import"):
        swarm_fast.run({**base, "agents": [{"type": "python", "policy": "nowhere_x:Y"}]})
    with pytest.raises(ValueError, match="interaction_type"):
        Action.propose("a", "delegation")
