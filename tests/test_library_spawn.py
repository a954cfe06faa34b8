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
