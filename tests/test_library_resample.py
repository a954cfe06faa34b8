"""Live parity for the resample protocol (`governance.resample_enabled`,
issue 17): the reference's resample_protocol file and variants of it (other
seeds, thresholds that resample honest agents too, that incriminate and
freeze, one and five samples, no decay, no trajectory analysis, more
agents, a network, other levers beside it), each run by swarm_fast and by
swarm-safety 1.9.0 side by side and compared with exact float equality.
Then the checks on its keys and on the agent types it accepts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import swarm_fast
from swarm_fast import ScenarioError, load_scenario

from parity_check import assert_same, run_both

LIBRARY = Path(__file__).parent / "scenarios" / "library"
FILE = LIBRARY / "resample_protocol.yaml"


@pytest.mark.parametrize("seed", [None, 7, 2024])
def test_library_file(seed: int | None) -> None:
    assert_same(*run_both(FILE, seed=seed))


@pytest.mark.parametrize(
    "overrides",
    [
        # Honest agents resampled too (suspicion 0.5 at reputation 0).
        {"governance.resample_suspicion_threshold": 0.45},
        # Incrimination and freezing early; no decay.
        {
            "governance.resample_incrimination_threshold": 0.3,
            "governance.resample_evidence_decay": 1.0,
        },
        {"governance.resample_n_samples": 1, "governance.resample_suspicion_threshold": 0.5},
        {
            "governance.resample_n_samples": 5,
            "governance.resample_compute_cost": 0.2,
            "governance.resample_evidence_rep_weight": 2.0,
        },
        {"governance.resample_trajectory_analysis": False},
        {
            "governance.resample_trajectory_window": 2,
            "governance.resample_suspicion_threshold": 0.5,
        },
        # More agents, and a sparser network.
        {"agents.0.count": 20, "agents.1.count": 6, "agents.2.count": 4},
        {"network.topology": "small_world", "network.params.k": 4, "network.params.p": 0.2},
        # Other levers beside it.
        {
            "governance.audit_enabled": True,
            "governance.audit_probability": 0.3,
            "governance.transaction_tax_rate": 0.1,
            "governance.resample_suspicion_threshold": 0.5,
        },
    ],
)
@pytest.mark.parametrize("seed", [3, 99])
def test_variants(overrides: dict, seed: int) -> None:
    assert_same(*run_both(FILE, overrides, seed=seed, epochs=10, steps=8))


def test_the_lever_changes_the_run() -> None:
    """The file's adversaries are resampled: with the lever off the run differs."""
    on = swarm_fast.run(load_scenario(FILE), seed=5, epochs=10, steps=8)
    off = swarm_fast.run(
        load_scenario(FILE).with_overrides({"governance.resample_enabled": False}),
        seed=5,
        epochs=10,
        steps=8,
    )
    assert on.agents["reputation"].to_list() != off.agents["reputation"].to_list()


def _scenario(gov: dict, kind: str = "honest") -> dict:
    return {
        "simulation": {"seed": 1},
        "agents": [{"type": kind, "count": 2}, {"type": "adversarial"}],
        "governance": {"resample_enabled": True, **gov},
    }


@pytest.mark.parametrize(
    "key,value,message",
    [
        ("resample_suspicion_threshold", 1.5, r"\[0, 1\]"),
        ("resample_n_samples", 0, ">= 1"),
        ("resample_trajectory_window", 1, ">= 2"),
        ("resample_incrimination_threshold", 0, "> 0"),
        ("resample_compute_cost", -1, ">= 0"),
        ("resample_evidence_decay", 2, r"\[0, 1\]"),
        ("resample_evidence_rep_weight", "x", "number"),
        ("resample_trajectory_analysis", 1, "true or false"),
    ],
)
def test_bad_key_is_named(key: str, value, message: str) -> None:
    with pytest.raises(ScenarioError, match=rf"governance\.{key}: .*{message}"):
        swarm_fast.run(_scenario({key: value}), epochs=1, steps=1)


def test_unported_agent_types_are_refused() -> None:
    with pytest.raises(ScenarioError, match=r"governance\.resample_enabled: .*'deceptive'"):
        swarm_fast.run(_scenario({}, kind="deceptive"), epochs=1, steps=1)


def test_python_agents_are_refused() -> None:
    class Idle:
        def act(self, obs):
            return swarm_fast.agents.Action.noop()

        def accept_interaction(self, proposal, obs):
            return False

    with pytest.raises(ScenarioError, match=r"governance\.resample_enabled"):
        swarm_fast.run(_scenario({}), policies={"idle": Idle()}, epochs=1, steps=1)
