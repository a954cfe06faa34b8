"""The ``tierra:`` section (swarm-safety 1.9.0's
``swarm/core/tierra_handler.py``, read by its loader's
``parse_tierra_config``): the artificial-life resource pool, metabolism,
death and reaper, run by ``rust/swarm-core/src/tierra.rs``.

Off when absent, empty or ``enabled: false``. The reference builds its
``TierraConfig(**section)`` without checking a value (an unknown key makes it
fail); swarm_fast checks each value and names the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .combinations import refuse_beside
from .errors import ScenarioError
from .limits import short

REAPER_MODES = ("lowest_fitness", "oldest", "random", "diversity_preserving")

# key -> (kind, default, (low, low_is_strict, high))
KEYS: dict[str, tuple[str, Any, tuple[Any, bool, Any]]] = {
    "total_resource_pool": ("float", 10000.0, (-1e12, False, 1e12)),
    "resource_replenishment_rate": ("float", 50.0, (-1e9, False, 1e9)),
    "base_metabolism_cost": ("float", 2.0, (0.0, False, 1e9)),
    "population_cap": ("int", 100, (0, False, None)),
    "reaper_diversity_min": ("int", 1, (0, False, None)),
    "mutation_std": ("float", 0.05, (0.0, False, 1e6)),
    "death_threshold": ("float", 0.0, (-1e9, False, 1e9)),
    "pool_distribution_rate": ("float", 0.1, (0.0, False, 1.0)),
    "max_efficiency_weight": ("float", 0.0, (0.0, False, 1e9)),
}


def parse(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The core's ``TierraConfig``, or None when the subsystem is off."""
    from .scenario import _value, enabled_section  # the shared checks (no cycle at import)

    section = enabled_section(data, "tierra")
    if section is None:
        return None
    for key in section:
        if key != "enabled" and key != "reaper_mode" and key not in KEYS:
            # The reference fails too: TierraConfig(**section) takes no such key.
            raise ScenarioError(
                f"tierra.{key}", "not a key of the tierra section (the reference fails on it too)"
            )
    mode = section.get("reaper_mode", "lowest_fitness")
    if mode not in REAPER_MODES:
        raise ScenarioError(
            "tierra.reaper_mode", f"must be one of {', '.join(REAPER_MODES)}; got {short(mode)}"
        )
    out: dict[str, Any] = {"reaper_mode": mode}
    for key, (kind, default, rng) in KEYS.items():
        out[key] = _value(f"tierra.{key}", section.get(key, default), kind, rng)
    return out


# Sections and keys a run whose population grows cannot have (see
# spawn_compatible in engine.rs): their per-agent state is sized or ordered
# once, at the start.
def grows(config: Mapping[str, Any]) -> bool:
    """Whether agents may join mid-run: a spawn section and tierra agents
    (the only type that spawns)."""
    return config.get("spawn") is not None and any(a["type"] == "tierra" for a in config["agents"])


def check_growth(config: Mapping[str, Any]) -> None:
    """Refuse what spawning tierra agents (children joining mid-run) does
    not support, naming the key."""
    if not grows(config):
        return
    refuse_beside(
        config,
        (
            "network",
            "perturbations",
            "marketplace",
            "dynamic_toxicity",
            "governance.security_enabled",
            "agents",
        ),
        lambda key: (
            "not supported by swarm_fast with spawning tierra agents (a spawn: section "
            "and type tierra), whose children join the population mid-run"
        ),
    )
