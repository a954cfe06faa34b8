"""The ``spawn:`` section (swarm-safety 1.9.0's ``swarm/core/spawn.py``,
read by its loader's ``parse_spawn_config``): recursive subagent spawning,
run by ``rust/swarm-core/src/spawn.rs``.

The section is off when absent, empty or ``enabled: false``. Every key is
checked as the reference's ``SpawnConfig`` checks it (more strictly: no
strings or booleans for numbers, amounts within swarm_fast's bounds); the
keys no code path of the reference acts on (payoff attribution, depth
noise, cascades) are checked and then dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import ScenarioError
from .limits import MAX_AGENTS, short

ATTRIBUTION_MODES = ("leaf_only", "propagate_up", "root_absorbs")

# key -> (kind, default, (low, low_is_strict, high), read by the core)
KEYS: dict[str, tuple[str, Any, tuple[Any, bool, Any], bool]] = {
    "spawn_cost": ("float", 10.0, (0.0, False, 1e9), True),
    "max_depth": ("int", 3, (0, False, None), True),
    "max_children": ("int", 3, (0, False, None), True),
    # Each spawned child is an agent: bounded like the population.
    "max_total_spawned": ("int", 50, (0, False, MAX_AGENTS), True),
    "propagation_fraction": ("float", 0.3, (0.0, False, 1.0), False),
    "reputation_inheritance_factor": ("float", 0.5, (0.0, False, 1.0), True),
    "initial_child_resources": ("float", 50.0, (0.0, False, 1e9), True),
    "depth_noise_per_level": ("float", 0.05, (None, False, None), False),
    "cascade_ban": ("bool", True, (None, False, None), False),
    "cascade_freeze": ("bool", True, (None, False, None), False),
    "min_resources_to_spawn": ("float", 20.0, (-1e9, False, 1e9), True),
    "spawn_cooldown_steps": ("int", 5, (None, False, None), True),
}


def parse(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The core's ``SpawnConfig``, or None when the subsystem is off."""
    from .scenario import _value, enabled_section  # the shared checks (no cycle at import)

    section = enabled_section(data, "spawn")
    if section is None:
        return None
    mode = section.get("attribution_mode", "leaf_only")
    if not isinstance(mode, str) or mode.lower() not in ATTRIBUTION_MODES:
        raise ScenarioError(
            "spawn.attribution_mode",
            f"must be one of {', '.join(ATTRIBUTION_MODES)}; got {short(mode)}",
        )
    out: dict[str, Any] = {}
    for key, (kind, default, rng, read) in KEYS.items():
        value = _value(f"spawn.{key}", section.get(key, default), kind, rng)
        if read:
            out[key] = value
    return out
