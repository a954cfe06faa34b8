"""The ``awm:`` section (swarm-safety 1.9.0's ``swarm/core/awm_handler.py``
with ``swarm/bridges/awm/``, ``AWMConfig``, read by its loader's
``parse_awm_config``): Agent World Model tool-use tasks, worked by the agent
type ``awm_agent`` (``families.py``).

Off when absent, empty or ``enabled: false``. Switched on without
``live_mode``, the reference never starts or asks an AWM server: it
simulates each tool call and the verification with its handler's own
stream, and no file is read (``envs_path`` and ``data_path`` are never
opened, whether they exist or not). That is what
``rust/swarm-core/src/awm.rs`` runs. Keys the simulated handler never reads
(server, timeout, live-mode and LLM settings, ``environment_id``,
``verification_confidence``, which only reaches the event log, and ``seed``:
the handler is seeded with the run's seed) are checked as ``AWMConfig``
checks them and dropped. ``live_mode: true`` is refused: it needs AWM
servers, which swarm_fast does not run.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

from .combinations import EVERY_FEATURE, refuse_beside
from .errors import ScenarioError
from .limits import short

# The counts' weights (awm.rs's MAX_WEIGHT) and a plan's length
# (agents/awm_agent.rs's MAX_CALLS).
MAX_WEIGHT = 1000.0
MAX_CALLS = 1_000_000
# Steps are divided as floats: exact up to 2**53.
MAX_STEPS = 2**53

ANY = (None, False, None)

# key -> (kind, default, range, read by the core). Kinds: int, float, bool,
# "str" (a string), "path" (a string), "str?" (a string or null), "int?".
KEYS: dict[str, tuple[str, Any, tuple[Any, bool, Any], bool]] = {
    "max_steps_per_task": ("int", 20, (-MAX_STEPS, False, MAX_STEPS), True),
    "max_tasks_per_epoch": ("int", 5, ANY, True),
    "error_weight": ("float", 1.0, (0.0, False, MAX_WEIGHT), True),
    "misuse_weight": ("float", 1.0, (0.0, False, MAX_WEIGHT), True),
    "shared_database": ("bool", False, ANY, True),
    "conflict_probability": ("float", 0.3, (0.0, False, 1.0), True),
    # Never read by the simulated handler.
    "envs_path": ("path", "external/awm-envs", ANY, False),
    "data_path": ("path", "data/awm-1k", ANY, False),
    "environment_id": ("str", "ecommerce_001", ANY, False),
    "base_port": ("int", 9100, ANY, False),
    "host": ("str", "127.0.0.1", ANY, False),
    "verification_timeout": ("float", 10.0, ANY, False),
    "verification_confidence": ("float", 0.8, ANY, False),
    "seed": ("int?", None, ANY, False),
    "server_startup_timeout": ("float", 30.0, ANY, False),
    "reset_between_epochs": ("bool", True, ANY, False),
    "max_concurrent_servers": ("int", 10, (1, False, None), False),
    "server_command_template": ("str", "", ANY, False),
    "health_check_interval": ("float", 0.5, ANY, False),
    "step_mode": ("bool", False, ANY, False),
    "isolation_level": ("str", "read_committed", ANY, False),
    "live_mode": ("bool", False, ANY, False),
    "llm_planning": ("bool", False, ANY, False),
    "llm_provider": ("str?", None, ANY, False),
    "llm_model": ("str?", None, ANY, False),
    "llm_api_key": ("str?", None, ANY, False),
    "llm_base_url": ("str?", None, ANY, False),
    "llm_temperature": ("float", 0.3, ANY, False),
    "llm_max_tokens": ("int", 1024, ANY, False),
    "llm_timeout": ("float", 30.0, ANY, False),
    "llm_max_retries": ("int", 2, ANY, False),
    "llm_system_prompt": ("str?", None, ANY, False),
    "llm_cost_tracking": ("bool", True, ANY, False),
    "llm_prompt_audit_path": ("str?", None, ANY, False),
    "llm_fallback_to_scripted": ("bool", True, ANY, False),
    "llm_max_calls_per_plan": ("int", 10, ANY, False),
}


def _private_url(url: str) -> bool:
    """``AWMConfig``'s check: a literal private, loopback or link-local IP."""
    try:
        addr = ipaddress.ip_address(urlparse(url).hostname or "")
    except ValueError:
        return False
    return addr.is_private or addr.is_loopback or addr.is_link_local


def parse(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The core's ``AwmConfig``, or None when the subsystem is off."""
    from .scenario import _value, enabled_section  # shared checks (no cycle at import)

    section = enabled_section(data, "awm")
    if section is None:
        return None
    out: dict[str, Any] = {}
    for key, (kind, default, rng, read) in KEYS.items():
        where = f"awm.{key}"
        value = section.get(key, default)
        if kind in ("str", "path", "str?"):
            if not isinstance(value, str) and not (kind == "str?" and value is None):
                raise ScenarioError(where, f"expected a string, got {short(value)}")
        elif kind == "int?":
            if value is not None:
                value = _value(where, value, "int", rng)
        else:
            value = _value(where, value, kind, rng)
        if read:
            out[key] = value
    if section.get("live_mode", False):
        raise ScenarioError(
            "awm.live_mode",
            "live mode is refused: it starts AWM environment servers and calls them over "
            "HTTP, which swarm_fast does not do (leave it false: the reference then "
            "simulates the tool calls, as swarm_fast does)",
        )
    url = section.get("llm_base_url")
    if url is not None and _private_url(url):
        raise ScenarioError(
            "awm.llm_base_url",
            "must not target private/loopback addresses (swarm-safety 1.9.0 refuses it too)",
        )
    return out


def check_agents(data: Mapping[str, Any], config: Mapping[str, Any]) -> None:
    """With the section on, an ``awm_agent`` planning with an LLM is refused
    (its calls would come from a provider); the scripted planner is ported.
    Without the section no task reaches it and it never plans."""
    if config.get("awm") is None:
        return
    for i, spec in enumerate(data.get("agents") or ()):
        if not isinstance(spec, Mapping) or spec.get("type") != "awm_agent":
            continue
        params = spec.get("config") or {}
        if isinstance(params, Mapping) and params.get("llm_planning"):
            raise ScenarioError(
                f"agents[{i}].config.llm_planning",
                "LLM tool planning is refused: its tool calls come from an LLM provider, "
                "which swarm_fast's awm_agent does not call (leave it false for the "
                "scripted planner)",
            )


def check_compat(config: Mapping[str, Any]) -> None:
    """What the ported handler does not run with, refused naming the key:
    the features its self-interactions were not checked against the
    reference beside."""
    if config.get("awm") is None:
        return
    refuse_beside(
        config,
        EVERY_FEATURE,
        lambda key: (
            "not supported by swarm_fast together with the awm handler (its interactions "
            "are a worker's with itself, checked against the reference without it); "
            "switch one of them off"
        ),
    )
