"""The ``memory_tiers:`` section (swarm-safety 1.9.0's
``swarm/core/memory_handler.py`` ``MemoryTierConfig``, read by its loader's
``parse_memory_tier_config``): shared three-tier memory that the
memory-tier agents write to, run by ``rust/swarm-core/src/memory_tiers.rs``.

Off when absent, empty or ``enabled: false``. The keys and defaults are the
reference's; its checks (``initial_entries >= 0``, ``hot_cache_size >= 1``,
``compaction_probability`` in [0, 1]) are kept, naming the key.
``memory_tiers.seed`` is required: the reference seeds the memory streams
with it and, without it, from OS entropy, which no run can reproduce.

The governance lever that acts with the subsystem is the write-rate limit
(``memory_write_rate_limit_enabled``, ``memory_write_rate_limit_per_epoch``),
handed to the core with the section. The promotion gate, cross-verification
and provenance levers never see an interaction they act on: no entry is ever
verified, so none is promoted or reverted (see memory_tiers.rs).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .combinations import refuse_beside
from .errors import ScenarioError
from .limits import short

# key -> (kind, default, (low, low_is_strict, high))
KEYS: dict[str, tuple[str, Any, tuple[Any, bool, Any]]] = {
    # Each initial entry is kept for the run: bounded like a population.
    "initial_entries": ("int", 100, (0, False, 10_000_000)),
    "hot_cache_size": ("int", 20, (1, False, None)),
    "compaction_probability": ("float", 0.05, (0.0, False, 1.0)),
}


def parse(data: Mapping[str, Any], governance: Mapping[str, Any]) -> dict[str, Any] | None:
    """The core's ``MemoryTiersConfig``, or None when the subsystem is off.
    ``governance``: the checked governance section (the rate lever's keys)."""
    from .scenario import _seed, _value, enabled_section  # shared checks (no cycle at import)

    section = enabled_section(data, "memory_tiers")
    if section is None:
        return None
    out: dict[str, Any] = {
        key: _value(f"memory_tiers.{key}", section.get(key, default), kind, rng)
        for key, (kind, default, rng) in KEYS.items()
    }
    if section.get("seed") is None:
        raise ScenarioError(
            "memory_tiers.seed",
            "required by swarm_fast: without it the reference seeds the memory streams from "
            "OS entropy, so its runs cannot be reproduced",
        )
    out["seed"] = _seed("memory_tiers.seed", section["seed"])
    # The raw governance keys (scenario.py checked their kinds already).
    on = _value(
        "governance.memory_write_rate_limit_enabled",
        governance.get("memory_write_rate_limit_enabled", False),
        "bool",
    )
    cap = _value(
        "governance.memory_write_rate_limit_per_epoch",
        governance.get("memory_write_rate_limit_per_epoch", 20),
        "int",
        (0, False, None),
    )
    out["write_rate_limit"] = cap if on else None
    return out


def check_combinations(config: Mapping[str, Any]) -> None:
    """Refuse what has not been checked against the reference together with
    the memory tiers, naming the key."""
    if config.get("memory_tiers") is None:
        return
    refuse_beside(
        config,
        (
            "network",
            "spawn",
            "tierra",
            "marketplace",
            "dynamic_toxicity",
            "perturbations",
            "governance.security_enabled",
            "governance.sybil_detection_enabled",
            "governance.rbac_enabled",
            "governance.resample_enabled",
            "model",
            "agents",
        ),
        lambda key: (
            "not supported by swarm_fast together with the memory_tiers subsystem "
            f"(not yet checked against the reference); got {short(key)} with memory_tiers"
        ),
    )
