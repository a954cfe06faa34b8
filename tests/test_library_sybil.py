"""Live parity for the sybil-detection lever (`governance.sybil_detection_
enabled`, swarm/governance/identity_lever.py), ported for research_swarm:
that file and others with the lever switched on, at other thresholds,
cluster sizes, penalties and with its realtime penalty, run by swarm_fast
and by swarm-safety 1.9.0 side by side and compared with exact float
equality. On research_swarm at its own settings the reference finds 16
clusters (46 agent-flags), 10 of them too large to act."""

from __future__ import annotations

from pathlib import Path

import pytest

from swarm_fast import ScenarioError, load_scenario

from parity_check import assert_same, run_both

LIBRARY = Path(__file__).parent / "scenarios" / "library"


@pytest.mark.parametrize(
    "name,overrides",
    [
        ("research_swarm", {"governance.sybil_max_cluster_size": 1}),
        ("research_swarm", {"governance.sybil_similarity_threshold": 0.5}),
        (
            "research_swarm",
            {
                "governance.sybil_realtime_penalty": True,
                "governance.sybil_realtime_rate": 0.3,
                "governance.sybil_penalty_multiplier": 0.5,
            },
        ),
        (
            "baseline",
            {
                "governance.sybil_detection_enabled": True,
                "governance.sybil_similarity_threshold": 0.6,
                "governance.sybil_max_cluster_size": 2,
            },
        ),
        (
            "obfuscation_atlas",
            {
                "governance.sybil_detection_enabled": True,
                "governance.sybil_realtime_penalty": True,
                "governance.sybil_similarity_threshold": 0.7,
            },
        ),
        (
            "skillrl",
            {"governance.sybil_detection_enabled": True, "governance.sybil_max_cluster_size": 3},
        ),
    ],
)
@pytest.mark.parametrize("seed", [4, 61])
def test_sybil_variants(name: str, overrides: dict, seed: int) -> None:
    path = LIBRARY / f"{name}.yaml"
    assert_same(*run_both(path, overrides, seed=seed, epochs=10, steps=8))


@pytest.mark.parametrize(
    "key,value,message",
    [
        ("sybil_similarity_threshold", 1.5, r"\[0, 1\]|must"),
        ("sybil_max_cluster_size", 0, ">= 1|at least"),
        ("sybil_penalty_multiplier", -1.0, ""),
        ("sybil_realtime_penalty", "yes", ""),
    ],
)
def test_bad_sybil_keys_name_the_key(key: str, value: object, message: str) -> None:
    data = {
        "simulation": {"seed": 1},
        "agents": [{"type": "honest", "count": 3}],
        "governance": {"sybil_detection_enabled": True, key: value},
    }
    with pytest.raises(ScenarioError, match=rf"governance\.{key}: .*{message}"):
        load_scenario(data)
