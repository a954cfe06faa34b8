"""The ``rivals:`` section (swarm-safety 1.9.0's ``swarm/core/rivals_handler.py``,
read by its loader's ``parse_rivals_config``): the Team-of-Rivals staged
pipeline of producers and critics with vetoes and retries, run by
``rust/swarm-core/src/rivals.rs`` with the agent types ``rivals_producer``
and ``rivals_critic``.

Off when absent, empty or ``enabled: false``. The reference builds its
``RivalsConfig(**section)`` (pydantic: unknown keys are ignored, which the
schema's warning reports). Keys it never reads are checked and dropped:
``trap_probability`` (its task sampler ignores it) and the four
``default_*`` values (every rivals agent sends its own in its action).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import ScenarioError
from .limits import short

MODES = ("single_agent", "advisory", "council", "team_of_rivals")
PRODUCER_ROLES = ("coder", "chart_maker", "writer")
CRITIC_ROLES = ("critic_code", "critic_chart", "critic_output")
AGENT_TYPES = {"rivals_producer": "coder", "rivals_critic": "critic_code"}  # -> default role

# An epoch's episodes are held at once (rivals.rs's MAX_TASKS).
MAX_TASKS = 100_000

# key -> (kind, default, (low, low_is_strict, high), read by the core)
KEYS: dict[str, tuple[str, Any, tuple[Any, bool, Any], bool]] = {
    "max_retries_per_stage": ("int", 3, (None, False, None), True),
    "tasks_per_epoch": ("int", 4, (0, False, MAX_TASKS), True),
    "trap_probability": ("float", 0.5, (None, False, None), False),
    "default_detection_rate": ("float", 0.7, (None, False, None), False),
    "default_false_positive_rate": ("float", 0.1, (None, False, None), False),
    "default_quality_level": ("float", 0.7, (None, False, None), False),
    "default_trap_awareness": ("float", 0.5, (None, False, None), False),
}


def parse(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The core's ``RivalsConfig``, or None when the subsystem is off."""
    from .scenario import _seed, _value, enabled_section  # shared checks (no cycle at import)

    section = enabled_section(data, "rivals")
    if section is None:
        return None
    mode = section.get("mode", "team_of_rivals")
    if mode not in MODES:
        raise ScenarioError("rivals.mode", f"must be one of {', '.join(MODES)}; got {short(mode)}")
    if section.get("seed") is None:
        raise ScenarioError(
            "rivals.seed",
            "required: without it swarm-safety 1.9.0 seeds the pipeline's stream from OS "
            "entropy, so its runs cannot be reproduced (set an integer seed)",
        )
    out: dict[str, Any] = {"mode": mode, "seed": _seed("rivals.seed", section["seed"])}
    for key, (kind, default, rng, read) in KEYS.items():
        value = _value(f"rivals.{key}", section.get(key, default), kind, rng)
        if read:
            out[key] = value
    return out


def check_roles(config: Mapping[str, Any]) -> None:
    """Refuse a population whose role assignments the reference draws in a
    per-process order: outside ``single_agent`` mode it visits each role set
    (producers, critics) in the iteration order of a Python set of strings,
    which follows the hash seed. Reproducible only when, per set, no role
    has two agents or a single role has any."""
    rivals = config.get("rivals")
    if rivals is None or rivals["mode"] == "single_agent":
        return
    counts: dict[str, int] = {}
    for agent in config["agents"]:
        default = AGENT_TYPES.get(agent["type"])
        if default is not None:
            role = agent["config"].get("role", default)
            counts[role] = counts.get(role, 0) + agent["count"]
    for name, roles in (("producer", PRODUCER_ROLES), ("critic", CRITIC_ROLES)):
        filled = [r for r in roles if counts.get(r, 0) > 0]
        crowded = [r for r in filled if counts[r] > 1]
        if len(filled) > 1 and crowded:
            raise ScenarioError(
                "agents",
                f"{len(filled)} {name} roles are filled and {crowded[0]!r} by "
                f"{counts[crowded[0]]} agents: swarm-safety 1.9.0 then draws the role "
                "assignments in the iteration order of a Python set of strings, which changes "
                "with the process's hash seed, so none of its runs can be reproduced; give "
                f"each {name} role at most one agent (or fill only one), or use "
                "rivals.mode single_agent",
            )
