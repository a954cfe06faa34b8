"""Live parity for the `hyperagent_self_mod` agent family (issue 17): the
reference's hyperagent_self_mod file and variants of it (other seeds, other
modification rates and thresholds, more agents, a marketplace, a network,
the resample protocol beside it), each run by swarm_fast and by
swarm-safety 1.9.0 side by side and compared with exact float equality.
Then the checks on its config keys.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import swarm_fast
from swarm_fast import ScenarioError

from parity_check import assert_same, run_both

FILE = Path(__file__).parent / "scenarios" / "library" / "hyperagent_self_mod.yaml"


@pytest.mark.parametrize("seed", [None, 7, 2024])
def test_library_file(seed: int | None) -> None:
    assert_same(*run_both(FILE, seed=seed))


@pytest.mark.parametrize(
    "overrides",
    [
        # Fast modification: the floor is reached within the run.
        {"agents.1.config.modification_rate": 0.3, "agents.1.config.min_acceptance_threshold": 0.0},
        # Threshold above every trust: it never accepts at the end of a step.
        {"agents.1.config.initial_acceptance_threshold": 2, "agents.1.config.modification_rate": 0},
        # Its defaults.
        {"agents.1.config": None},
        {"agents.0.count": 12, "agents.1.count": 8, "agents.2.count": 3},
        {"marketplace": {"escrow_fee_rate": 0.05}},
        {"network.topology": "ring"},
        {"governance.circuit_breaker_enabled": False, "governance.audit_enabled": False},
        # The resample protocol re-asking it (the cautious agent made honest).
        {
            "agents.2.type": "honest",
            "governance.resample_enabled": True,
            "governance.resample_suspicion_threshold": 0.5,
        },
    ],
)
@pytest.mark.parametrize("seed", [3, 99])
def test_variants(overrides: dict, seed: int) -> None:
    assert_same(*run_both(FILE, overrides, seed=seed, epochs=12, steps=8))


def _with(config: dict) -> dict:
    return {
        "simulation": {"seed": 1},
        "agents": [{"type": "hyperagent_self_mod", "count": 2, "config": config}],
    }


@pytest.mark.parametrize(
    "config,key,message",
    [
        ({"modification_rate": "fast"}, "modification_rate", "expected a number"),
        ({"min_acceptance_threshold": None}, "min_acceptance_threshold", "null"),
        ({"initial_acceptance_threshold": float("inf")}, "initial_acceptance_threshold", "finite"),
        ({"quality_floor": True}, "quality_floor", "expected a number"),
        ({"weight_gaming_target": 3}, "weight_gaming_target", "expected a string"),
    ],
)
def test_bad_config_names_the_key(config: dict, key: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=rf"agents\[0\]\.config\.{key}: .*{message}"):
        swarm_fast.run(_with(config), epochs=1, steps=1)


def test_unused_keys_change_nothing() -> None:
    """Quality and proxy weights never reach the run, as in the reference."""
    base = swarm_fast.run(_with({}), epochs=5, steps=5)
    other = swarm_fast.run(
        _with({"initial_quality": 0.1, "quality_floor": 0.0, "weight_gaming_target": "x"}),
        epochs=5,
        steps=5,
    )
    assert base.epochs.equals(other.epochs) and base.agents.equals(other.agents)
    assert base.agents["agent_type"].to_list() == ["self_modifying"] * 2
