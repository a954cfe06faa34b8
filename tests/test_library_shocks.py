"""Parameter shocks on the collusion lever's keys (issue 17), live against
the reference.

The reference's collusion lever reads its enable flag, penalty multiplier,
realtime penalty, realtime rate and clear-history flag from the governance
config at each use, so a shock to them acts; it copies the detector's
thresholds (score, frequency, correlation, minimum interactions) into its
detector when it is built, so a shock to those sets the config and changes
nothing. casestudy_dual_use_coordination's shock (epoch 22) touches both
kinds.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from test_library_moltbook import data, without_moltbook_agents

import swarm_fast
from swarm_fast import load_scenario

from parity_check import assert_same
from reference_harness import run_reference

FILE = "casestudy_dual_use_coordination"


def both(d: dict[str, Any], **run_args: Any):
    ours = swarm_fast.run(load_scenario(d), record_interactions=True, **run_args)
    return ours, run_reference(d, **run_args)


def core_file() -> dict[str, Any]:
    """The file with core stand-ins for its moltbook agents (which swarm_fast
    does not run beside its levers); its shocks unchanged."""
    return without_moltbook_agents(data(FILE))


def flagging() -> dict[str, Any]:
    """The file with the detector's thresholds low enough that agents are
    flagged within a few epochs, so the collusion keys matter."""
    d = core_file()
    d["governance"].update(
        collusion_score_threshold=0.2,
        collusion_frequency_threshold=0.5,
        collusion_correlation_threshold=0.1,
        collusion_min_interactions=2,
    )
    return d


def shocked(d: dict[str, Any], params: dict[str, Any], at: int = 3, revert: Any = 3):
    d = copy.deepcopy(d)
    d["perturbations"]["parameter_shocks"]["shocks"] = [
        {"trigger": "epoch", "at_epoch": at, "params": params, "revert_after_epochs": revert}
    ]
    return d


@pytest.mark.parametrize("seed", [7, 1234])
def test_file_shock_fires_and_reverts(seed: int) -> None:
    """Past epoch 22 (the shock) and 27 (its revert)."""
    d = core_file()
    params = d["perturbations"]["parameter_shocks"]["shocks"][0]["params"]
    assert "collusion_score_threshold" in params
    assert_same(*both(d, seed=seed, epochs=28, steps=10))


COLLUSION_KEYS = [
    # Copied into the detector at the start: inert.
    {"collusion_score_threshold": 0.99},
    {"collusion_score_threshold": 0.0},
    {"collusion_min_interactions": 1000},
    {"collusion_frequency_threshold": 50.0},
    {"collusion_correlation_threshold": 1.0},
    # Read live.
    {"collusion_penalty_multiplier": 9.0},
    {"collusion_realtime_rate": 5.0},
    {"collusion_realtime_penalty": False},
    {"collusion_detection_enabled": False},
    {"collusion_clear_history_on_epoch": True},
]


@pytest.mark.parametrize("params", COLLUSION_KEYS, ids=lambda p: next(iter(p)))
def test_each_collusion_key_alone(params: dict[str, Any]) -> None:
    assert_same(*both(shocked(flagging(), params), seed=5, epochs=8, steps=10))


@pytest.mark.parametrize(
    "at,revert,params",
    [
        (1, 1, {"collusion_score_threshold": 0.9, "collusion_penalty_multiplier": 0.0}),
        (5, None, {"collusion_realtime_rate": 0.0, "collusion_detection_enabled": False}),
    ],
)
def test_collusion_shock_at_other_epochs(at: int, revert: Any, params: dict[str, Any]) -> None:
    assert_same(*both(shocked(flagging(), params, at, revert), seed=13, epochs=9, steps=10))


@pytest.mark.parametrize(
    "params",
    [
        # Detection switched on mid-run: history starts at the shock.
        {"collusion_detection_enabled": True, "collusion_realtime_penalty": True},
        # Detection off throughout: the other keys change nothing.
        {"collusion_score_threshold": 0.0, "collusion_penalty_multiplier": 9.0},
    ],
)
def test_collusion_detection_off_at_start(params: dict[str, Any]) -> None:
    d = flagging()
    d["governance"]["collusion_detection_enabled"] = False
    assert_same(*both(shocked(d, params, at=2, revert=4), seed=8, epochs=9, steps=10))


def test_live_keys_act_and_copied_keys_do_not() -> None:
    """The variants above are not vacuous: with agents flagged, a shock to a
    live key changes the run and one to a copied threshold does not."""

    def agents(params: dict[str, Any]) -> list[tuple]:
        d = shocked(flagging(), params)
        return swarm_fast.run(load_scenario(d), seed=5, epochs=8, steps=10).agents.rows()

    plain = agents({})
    assert agents({"collusion_penalty_multiplier": 9.0}) != plain
    assert agents({"collusion_score_threshold": 0.99}) == plain


@pytest.mark.parametrize(
    "key,value",
    [
        ("collusion_min_interactions", 0),
        ("collusion_score_threshold", "high"),
        ("collusion_detection_enabled", 1),
        ("collusion_realtime_rate", None),
    ],
)
def test_bad_collusion_shock_values_name_the_key(key: str, value: Any) -> None:
    with pytest.raises(swarm_fast.ScenarioError) as err:
        load_scenario(shocked(core_file(), {key: value}))
    assert err.value.key.endswith(f"params.{key}")
