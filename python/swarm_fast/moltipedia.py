"""The ``moltipedia:`` section (swarm-safety 1.9.0's ``MoltipediaConfig`` in
``swarm/core/moltipedia_handler.py``, read by its loader's
``parse_moltipedia_config``) and the ``governance.moltipedia_*`` levers: the
wiki run by ``rust/swarm-core/src/moltipedia.rs``.

The section is off when absent, empty or ``enabled: false``. Its keys are
checked as the reference's model checks them (more strictly: no strings or
booleans for numbers). Two things are refused, naming the key:

- ``moltipedia.seed`` unset (the reference's default): the reference then
  seeds the wiki's two random streams from the operating system
  (``random.Random(None)``), so no two of its runs agree, not even with
  each other; a run of swarm_fast can match it only given a seed;
- what the wiki's interactions cannot go through yet: their counterparty
  is often not an agent (the wiki itself, ``"moltipedia"``, or the
  catalog's seeder, ``"catalog_seed"``), and the levers and subsystems that
  key state on both parties are not ported for such parties. (Collusion
  detection is: the reference's detector counts those interactions towards
  its minimum, then analyses agents only.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import ScenarioError
from .limits import short

MAX_PAGES = 10_000_000
MAX_QUEUE = 1_000_000
MAX_I64 = 2**63 - 1

# key -> (kind, default, range)
KEYS: dict[str, tuple[str, Any, tuple[Any, bool, Any]]] = {
    "initial_pages": ("int", 50, (0, False, MAX_PAGES)),
    "contested_queue_size": ("int", 6, (0, False, MAX_QUEUE)),
    "random_queue_size": ("int", 6, (0, False, MAX_QUEUE)),
    "search_queue_size": ("int", 6, (0, False, MAX_QUEUE)),
    "page_cooldown_steps": ("int", 3, (0, False, 2**40)),
    "stub_length_threshold": ("int", 120, (1, False, 2**40)),
}
SEED_MODES = ("generic", "catalog")

# governance key -> (the core's field, kind, default, range)
LEVER_KEYS: dict[str, tuple[str, str, Any, tuple[Any, bool, Any]]] = {
    "moltipedia_pair_cap_enabled": ("pair_cap_enabled", "bool", False, (None, False, None)),
    "moltipedia_pair_cap_max": ("pair_cap_max", "int", 2, (1, False, MAX_I64)),
    "moltipedia_page_cooldown_enabled": (
        "page_cooldown_enabled",
        "bool",
        False,
        (None, False, None),
    ),
    "moltipedia_page_cooldown_steps": ("page_cooldown_steps", "int", 3, (0, False, 2**40)),
    "moltipedia_daily_cap_enabled": ("daily_cap_enabled", "bool", False, (None, False, None)),
    "moltipedia_daily_policy_fix_cap": ("daily_policy_fix_cap", "float", 24.0, (0.0, False, 1e12)),
    "moltipedia_no_self_fix": ("no_self_fix", "bool", False, (None, False, None)),
}

# Governance levers whose state keys on both parties (or whose place in the
# reference's lever order comes after the moltipedia levers'): not ported
# for the wiki's interactions.
REFUSED_GOVERNANCE = (
    "security_enabled",
    "sybil_detection_enabled",
    "rbac_enabled",
    "resample_enabled",
)
WHY_PARTIES = (
    'the wiki\'s interactions have parties that are not agents ("moltipedia", '
    '"catalog_seed"), which swarm_fast does not pass through this yet'
)


def parse(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The core's ``MoltipediaConfig``, or None when the subsystem is off."""
    from .scenario import _value, enabled_section  # the shared checks (no cycle at import)

    section = enabled_section(data, "moltipedia")
    if section is None:
        return None
    out: dict[str, Any] = {}
    for key, (kind, default, rng) in KEYS.items():
        out[key] = _value(f"moltipedia.{key}", section.get(key, default), kind, rng)
    mode = section.get("seed_mode", "generic")
    if mode not in SEED_MODES:
        raise ScenarioError(
            "moltipedia.seed_mode", f"must be one of {', '.join(SEED_MODES)}; got {short(mode)}"
        )
    out["catalog"] = mode == "catalog"
    seed = section.get("seed")
    if seed is None:
        raise ScenarioError(
            "moltipedia.seed",
            "unset, the reference seeds the wiki's random streams from the operating "
            "system (random.Random(None)), so its runs differ from each other and none "
            "can be reproduced; set moltipedia.seed to an integer",
        )
    out["seed"] = _value("moltipedia.seed", seed, "int", (-MAX_I64, False, MAX_I64))
    gov = data.get("governance") or {}
    levers: dict[str, Any] = {}
    for key, (field, kind, default, rng) in LEVER_KEYS.items():
        value = _value(f"governance.{key}", gov.get(key, default), kind, rng)
        levers[field] = float(value) if kind == "float" else value
    out["levers"] = levers
    return out


def check_compatible(config: Mapping[str, Any], data: Mapping[str, Any]) -> None:
    """Refuse, naming the key, what the wiki's interactions cannot go
    through yet (see the module's docstring)."""
    if config.get("moltipedia") is None:
        return
    gov = data.get("governance") or {}
    for key in REFUSED_GOVERNANCE:
        if gov.get(key) is True:
            raise ScenarioError(
                f"governance.{key}", f"not supported with the moltipedia subsystem: {WHY_PARTIES}"
            )
    for key in ("network", "marketplace", "dynamic_toxicity", "perturbations", "spawn", "tierra"):
        if config.get(key) is not None:
            raise ScenarioError(key, f"not supported with the moltipedia subsystem: {WHY_PARTIES}")
    if any(a["type"] == "external" for a in config["agents"]):
        raise ScenarioError(
            "agents",
            "python, llm and other outside agents are not supported with the moltipedia "
            "subsystem (their observations would need the wiki's queues)",
        )
