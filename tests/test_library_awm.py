"""Live parity for the `awm` subsystem (issue 17): awm_demo.yaml and variants
of our own, run by swarm_fast and by swarm-safety 1.9.0 side by side and
compared with exact float equality.

Without ``live_mode`` the reference simulates the AWM environment: each
epoch the first min(max_tasks_per_epoch, agents) agents hold a task; an
``awm_agent`` holding one plans its tool calls from its own stream, the
handler simulates them and the verification from its stream (seeded with
the run's seed) and the worker's interaction with itself is finalised
(rust/swarm-core/src/awm.rs). The variants cover the three modes, other
tool-call counts and malformed rates, step mode, the shared database's
write conflicts, other weights, more agents beside other types, other task
counts and step limits, random order with observation noise, and the
levers checked beside it; then the checks on the section's keys and what
is refused.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

import swarm_fast
from swarm_fast import ScenarioError, load_scenario

from parity_check import assert_same
from reference_harness import run_reference

LIBRARY = Path(__file__).parent / "scenarios" / "library"
DEMO = LIBRARY / "awm_demo.yaml"
LIVE = LIBRARY / "awm_live.yaml"


def data_of(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    data.pop("outputs", None)
    return data


def both(
    change: Callable[[dict[str, Any]], None] | None = None, **run_args: Any
) -> tuple[Any, Any]:
    """awm_demo, changed in place by ``change``, run by swarm_fast (its
    trace kept) and by the reference."""
    data = data_of(DEMO)
    if change is not None:
        change(data)
    ours = swarm_fast.run(load_scenario(copy.deepcopy(data)), record_interactions=True, **run_args)
    return ours, run_reference(data, **run_args)


def self_interactions(result) -> int:
    inter = result.interactions
    return inter.filter(inter["initiator"] == inter["counterparty"]).height


@pytest.mark.parametrize("seed", [None, 1, 7, 2024])
def test_demo_file(seed: int | None) -> None:
    """The file as written (3 x 10): each of the four workers does the
    epoch's one task on its first turn, an interaction with itself."""
    run_args = {} if seed is None else {"seed": seed}
    ours, ref = both(**run_args)
    assert_same(ours, ref)
    assert self_interactions(ours) == ours.interactions.height == 3 * 4


def _workers(data: dict[str, Any], **config: Any) -> None:
    for spec in data["agents"]:
        spec["config"].update(config)


def _modes(data: dict[str, Any]) -> None:
    data["agents"] = [
        {"type": "awm_agent", "count": 3, "config": {"mode": "lazy", "tool_call_count": 10}},
        {
            "type": "awm_agent",
            "count": 2,
            "config": {"mode": "adversarial", "tool_call_count": 2, "malformed_rate": 1.0},
        },
        {"type": "awm_agent", "count": 1, "config": {"tool_call_count": 0}},
        {"type": "awm_agent", "count": 1, "config": {"mode": "lazy", "tool_call_count": -4}},
        {"type": "awm_agent", "count": 1, "config": {"malformed_rate": 0.5}},
    ]
    data["awm"]["max_tasks_per_epoch"] = 8


def _mixed_population(data: dict[str, Any]) -> None:
    """Tasks reach the other types too (who ignore them); their proposals
    to the workers are answered with a draw of the worker's stream."""
    data["agents"] += [
        {"type": "honest", "count": 3},
        {"type": "opportunistic", "count": 2},
        {"type": "adversarial", "count": 2},
        {"type": "deceptive", "count": 1},
    ]
    data["awm"]["max_tasks_per_epoch"] = 9


def _more_tasks_than_agents(data: dict[str, Any]) -> None:
    data["awm"]["max_tasks_per_epoch"] = 11


def _two_tasks(data: dict[str, Any]) -> None:
    data["awm"]["max_tasks_per_epoch"] = 2


def _short_tasks(data: dict[str, Any]) -> None:
    data["awm"]["max_steps_per_task"] = 3


def _step_mode(data: dict[str, Any]) -> None:
    _workers(data, step_mode=True)


def _step_mode_no_steps(data: dict[str, Any]) -> None:
    _workers(data, step_mode=True)
    data["awm"]["max_steps_per_task"] = 0


def _shared_database(data: dict[str, Any]) -> None:
    data["awm"].update(shared_database=True, conflict_probability=0.5)
    data["agents"][0]["count"] = 5
    data["awm"]["max_tasks_per_epoch"] = 7


def _always_conflicting(data: dict[str, Any]) -> None:
    data["awm"].update(shared_database=True, conflict_probability=1.0, isolation_level="none")


def _weights(data: dict[str, Any]) -> None:
    data["awm"].update(error_weight=2.5, misuse_weight=0.5)
    _workers(data, malformed_rate=0.4)


def _random_order_and_noise(data: dict[str, Any]) -> None:
    data["simulation"].update(
        schedule_mode="random",
        observation_noise_probability=0.3,
        observation_noise_std=0.1,
        max_actions_per_step=2,
    )
    data["agents"].append({"type": "honest", "count": 3})


def _levers(data: dict[str, Any]) -> None:
    data["governance"] = {
        "transaction_tax_rate": 0.1,
        "reputation_decay_rate": 0.05,
        "audit_enabled": True,
        "audit_probability": 0.3,
        "circuit_breaker_enabled": True,
        "freeze_threshold_toxicity": 0.3,
        "freeze_threshold_violations": 1,
        "staking_enabled": True,
        "min_stake_to_participate": 0.0,
    }
    data["agents"].append({"type": "honest", "count": 2})


def _collusion(data: dict[str, Any]) -> None:
    """Each worker's self-interactions are a pair of the detector; a pair
    alone is no group (the reference keeps components of two or more)."""
    data["governance"] = {
        "collusion_detection_enabled": True,
        "collusion_score_threshold": 0.1,
        "collusion_min_interactions": 2,
        "collusion_realtime_penalty": True,
        "collusion_realtime_rate": 0.3,
    }
    data["agents"] += [{"type": "honest", "count": 2}, {"type": "deceptive", "count": 2}]


def _collusion_groups(data: dict[str, Any]) -> None:
    data["governance"] = {
        "collusion_detection_enabled": True,
        "collusion_score_threshold": 0.05,
        "collusion_min_interactions": 1,
        "collusion_frequency_threshold": 0.5,
    }
    data["awm"]["max_tasks_per_epoch"] = 2
    data["agents"] += [{"type": "adversarial", "count": 2}, {"type": "opportunistic", "count": 2}]


def _defaults(data: dict[str, Any]) -> None:
    data["awm"] = {"enabled": True}
    for spec in data["agents"]:
        spec.pop("config")


def _no_steps_allowed(data: dict[str, Any]) -> None:
    """max_steps_per_task 0: every worker's action fails before a call, its
    task stays, and it plans (draws) again on every turn, among proposals
    from honest and opportunistic agents."""
    data["awm"]["max_steps_per_task"] = 0
    data["agents"] += [{"type": "honest", "count": 3}, {"type": "opportunistic", "count": 2}]


def _no_tasks(data: dict[str, Any]) -> None:
    data["awm"]["max_tasks_per_epoch"] = 0
    data["agents"] += [{"type": "honest", "count": 3}]


def _section_off(data: dict[str, Any]) -> None:
    """The workers without the handler: no task, a NOOP every turn."""
    data["awm"]["enabled"] = False
    data["agents"] += [{"type": "honest", "count": 3}]


def _existing_envs_path(data: dict[str, Any]) -> None:
    """The simulated handler never opens envs_path, existing or not."""
    data["awm"]["envs_path"] = str(LIBRARY)
    data["awm"]["data_path"] = str(LIBRARY)


WITH_WORK = [
    _modes,
    _mixed_population,
    _more_tasks_than_agents,
    _two_tasks,
    _short_tasks,
    _step_mode,
    _step_mode_no_steps,
    _shared_database,
    _always_conflicting,
    _weights,
    _random_order_and_noise,
    _levers,
    _collusion,
    _collusion_groups,
    _defaults,
    _existing_envs_path,
]


@pytest.mark.parametrize("seed", [3, 99])
@pytest.mark.parametrize("change", WITH_WORK)
def test_variants(change: Callable[[dict[str, Any]], None], seed: int) -> None:
    ours, ref = both(change, seed=seed, epochs=5, steps=6)
    assert_same(ours, ref)
    assert self_interactions(ours) > 0


@pytest.mark.parametrize("seed", [3, 99])
@pytest.mark.parametrize("change", [_no_steps_allowed, _no_tasks, _section_off])
def test_without_self_interactions(change: Callable[[dict[str, Any]], None], seed: int) -> None:
    ours, ref = both(change, seed=seed, epochs=5, steps=6)
    assert_same(ours, ref)
    assert self_interactions(ours) == 0


def test_conflicts_and_weights_reach_the_observables() -> None:
    """Not a parity check: the shared database's conflicts and the weights
    change the run (so the variants above exercise them)."""

    def run(change: Callable[[dict[str, Any]], None] | None) -> Any:
        data = data_of(DEMO)
        if change is not None:
            change(data)
        result = swarm_fast.run(load_scenario(data), seed=5, record_interactions=True)
        return result.interactions["p"].to_list()

    plain = run(None)
    assert run(_always_conflicting) != plain
    assert run(lambda d: d["awm"].update(error_weight=3.0)) != plain


def test_collusion_detection_penalises_the_self_pairs() -> None:
    """Not a parity check: with workers only, the detector's pairs are the
    workers' self-pairs, and its penalties reach their reputations (so the
    collusion variants above exercise them)."""
    data = data_of(DEMO)
    data["governance"] = {
        "collusion_detection_enabled": True,
        "collusion_score_threshold": 0.1,
        "collusion_min_interactions": 2,
    }
    on = swarm_fast.run(load_scenario(copy.deepcopy(data)), seed=3, epochs=8, steps=6)
    data["governance"]["collusion_detection_enabled"] = False
    off = swarm_fast.run(load_scenario(data), seed=3, epochs=8, steps=6)
    assert on.agents["reputation"].to_list() != off.agents["reputation"].to_list()
    ours, ref = both(
        lambda d: d.update(governance={**data["governance"], "collusion_detection_enabled": True}),
        seed=3,
        epochs=8,
        steps=6,
    )
    assert_same(ours, ref)


# ------------------------------------------------------------ keys and refusals


def _error(data: dict[str, Any]) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(data)
    return info.value


def test_live_file_is_refused_naming_live_mode() -> None:
    err = _error(data_of(LIVE))
    assert err.key == "awm.live_mode"
    assert "AWM environment servers" in str(err)


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ({"live_mode": True}, "awm.live_mode"),
        ({"max_steps_per_task": 2.5}, "awm.max_steps_per_task"),
        ({"max_tasks_per_epoch": "4"}, "awm.max_tasks_per_epoch"),
        ({"error_weight": -1.0}, "awm.error_weight"),
        ({"misuse_weight": 1e9}, "awm.misuse_weight"),
        ({"conflict_probability": 1.5}, "awm.conflict_probability"),
        ({"shared_database": "yes"}, "awm.shared_database"),
        ({"max_concurrent_servers": 0}, "awm.max_concurrent_servers"),
        ({"envs_path": 3}, "awm.envs_path"),
        ({"seed": "x"}, "awm.seed"),
        ({"llm_base_url": "http://127.0.0.1:8000"}, "awm.llm_base_url"),
        ({"enabled": "yes"}, "awm.enabled"),
    ],
)
def test_bad_section_keys(section: dict[str, Any], key: str) -> None:
    data = data_of(DEMO)
    data["awm"].update(section)
    assert _error(data).key == key


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"mode": "sloppy"}, "agents[0].config.mode"),
        ({"tool_call_count": 2.5}, "agents[0].config.tool_call_count"),
        ({"tool_call_count": 10**7}, "agents[0].config.tool_call_count"),
        ({"malformed_rate": "x"}, "agents[0].config.malformed_rate"),
        ({"step_mode": 1}, "agents[0].config.step_mode"),
        ({"llm_planning": True}, "agents[0].config.llm_planning"),
    ],
)
def test_bad_agent_keys(config: dict[str, Any], key: str) -> None:
    data = data_of(DEMO)
    data["agents"][0]["config"].update(config)
    assert _error(data).key == key


def test_llm_planning_is_inert_without_the_section() -> None:
    """No task reaches a worker without the handler, so it never plans."""
    data = data_of(DEMO)
    data["awm"]["enabled"] = False
    data["agents"][0]["config"]["llm_planning"] = True
    load_scenario(data)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (
            lambda d: d.update(governance={"security_enabled": True}),
            "governance.security_enabled",
        ),
        (lambda d: d.update(network={"topology": "ring"}), "network"),
        (lambda d: d.update(scholar={"top_k": 2}), "awm"),
    ],
)
def test_refused_beside(change: Callable[[dict[str, Any]], None], key: str) -> None:
    data = data_of(DEMO)
    change(data)
    assert _error(data).key == key


def test_section_off_or_empty_builds_no_handler() -> None:
    for section in (None, {}, {"enabled": False, "live_mode": True}):
        data = data_of(DEMO)
        data["awm"] = section
        assert load_scenario(data).config["awm"] is None
