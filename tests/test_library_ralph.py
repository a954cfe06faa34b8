"""Live parity for the `ralph_loop` agent family and the `rain` and `river`
agents beside it (issue 17): the reference's ralph_loop file and variants
of it (other seeds, task queues, quality gates, consolidation intervals,
learning boosts, several tasks an epoch, more agents — past the size where
trust is kept ranked — a network), each run by swarm_fast and by
swarm-safety 1.9.0 side by side and compared with exact float equality.
Then the checks on its config keys.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import swarm_fast
from swarm_fast import ScenarioError

from parity_check import assert_same, run_both

FILE = Path(__file__).parent / "scenarios" / "library" / "ralph_loop.yaml"


@pytest.mark.parametrize("seed", [None, 7, 2024])
def test_library_file(seed: int | None) -> None:
    assert_same(*run_both(FILE, seed=seed))


@pytest.mark.parametrize(
    "overrides",
    [
        # A queue of names and prioritised mappings (ties, floats, an item
        # the reference skips).
        {
            "agents.0.config.tasks": [
                "first",
                {"name": "urgent", "priority": 0},
                {"priority": 2.5},
                7,
                {"name": "tie", "priority": 0},
            ]
        },
        {"agents.0.config.tasks": []},
        {
            "agents.0.config.quality_gate_threshold": 0.3,
            "agents.0.config.consolidation_interval": 1,
            "agents.0.config.learning_boost": 0.5,
        },
        {
            "agents.0.config.quality_gate_threshold": 0.9,
            "agents.0.config.max_task_attempts": 1,
            "agents.0.config.consolidation_interval": 2,
        },
        {"agents.0.config.one_task_per_epoch": False, "agents.0.config.consolidation_interval": 3},
        {"agents.0.config": {"acceptance_threshold": 0.6, "interact_probability": 0.8}},
        # Rain and river alone, and large populations (ranked trust).
        {"agents.0.count": 0},
        {"agents.0.count": 30, "agents.1.count": 30, "agents.2.count": 10},
        {"network.topology": "small_world", "network.params.k": 4, "network.params.p": 0.2},
    ],
)
@pytest.mark.parametrize("seed", [3, 99])
def test_variants(overrides: dict, seed: int) -> None:
    assert_same(*run_both(FILE, overrides, seed=seed, epochs=12, steps=8))


def test_long_run() -> None:
    """Past 500 interactions each: the trust bootstrap's history is a
    bounded deque."""
    assert_same(*run_both(FILE, {"agents.2.count": 0}, seed=5, epochs=60, steps=10))


def _with(config: dict, kind: str = "ralph_loop") -> dict:
    return {"simulation": {"seed": 1}, "agents": [{"type": kind, "count": 2, "config": config}]}


@pytest.mark.parametrize(
    "config,key,message",
    [
        ({"consolidation_interval": 0}, "consolidation_interval", "ZeroDivisionError"),
        ({"quality_gate_threshold": "high"}, "quality_gate_threshold", "expected a number"),
        ({"one_task_per_epoch": 1}, "one_task_per_epoch", "true or false"),
        ({"tasks": "all"}, "tasks", "list of tasks"),
        ({"tasks": [{"priority": "low"}]}, r"tasks\[0\]\.priority", "expected a number"),
        ({"learning_boost": None}, "learning_boost", "null"),
    ],
)
def test_bad_config_names_the_key(config: dict, key: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=rf"agents\[0\]\.config\.{key}: .*{message}"):
        swarm_fast.run(_with(config), epochs=1, steps=1)


def test_river_is_the_honest_agent() -> None:
    sc = {"simulation": {"seed": 4}, "agents": [{"type": "river", "count": 5}]}
    honest = {"simulation": {"seed": 4}, "agents": [{"type": "honest", "count": 5}]}
    a, b = swarm_fast.run(sc), swarm_fast.run(honest)
    assert a.epochs.equals(b.epochs)
    assert a.agents["agent_type"].to_list() == ["honest"] * 5
