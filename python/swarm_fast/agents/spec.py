"""Validation of the agent specs whose policy is Python (``type: python``,
``type: llm``) and the policy objects of a run.

``swarm_fast.scenario`` hands such specs here; they reach the core as
``type: external`` with the ids' prefix and the declared AgentState type,
while the Python-side settings (the policy, the ``llm:`` mapping) are read
again from the scenario's YAML when a run builds its policy objects.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from ..errors import ScenarioError

EXTERNAL_TYPES = ("python", "llm", "concordia_entity", "council")
# The AgentState types an agent can declare (the reference's five).
DECLARABLE_TYPES = ("honest", "opportunistic", "deceptive", "adversarial", "cautious")
PYTHON_KEYS = frozenset(
    {"type", "count", "name", "policy", "policy_args", "agent_type", "id_prefix"}
)
# `id` and `strategy` appear in the reference's social_dilemma_* files; its
# loader never reads them (ids are llm_k), so they are accepted and unused.
LLM_SPEC_KEYS = frozenset({"type", "count", "name", "llm", "id", "strategy"})
# `config` is handed to the reference's BaseAgent, which this agent never reads.
CONCORDIA_SPEC_KEYS = frozenset({"type", "count", "name", "concordia", "config"})
COUNCIL_SPEC_KEYS = frozenset({"type", "count", "name", "council"})


def _count(where: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ScenarioError(f"{where}.count", f"expected an integer >= 0, got {value!r}")
    return value


def _string(where: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ScenarioError(where, f"expected a non-empty string, got {value!r}")
    return value


def external_agent(where: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    """The core's agent entry for a ``python`` or ``llm`` spec."""
    kind = spec.get("type")
    count = _count(where, spec.get("count", 1))
    name = spec.get("name")
    if name is not None and not isinstance(name, str):
        raise ScenarioError(f"{where}.name", f"expected a string, got {name!r}")
    if kind == "llm":
        from .llm.config import parse_llm_config

        unknown = sorted(set(spec) - LLM_SPEC_KEYS)
        if unknown:
            raise ScenarioError(f"{where}.{unknown[0]}", "unknown key for an llm agent")
        parse_llm_config(f"{where}.llm", spec.get("llm") or {})
        # Ids llm_k, registered honest, no RNG (spec-ext §3.2).
        external = {"id_prefix": "llm", "agent_type": "honest"}
    elif kind == "concordia_entity":
        from .concordia import parse_concordia_config

        unknown = sorted(set(spec) - CONCORDIA_SPEC_KEYS)
        if unknown:
            raise ScenarioError(f"{where}.{unknown[0]}", "unknown key for a concordia_entity agent")
        parse_concordia_config(f"{where}.concordia", spec.get("concordia"))
        # Ids concordia_k, registered honest, no RNG (spec-ext §3.7).
        external = {"id_prefix": "concordia", "agent_type": "honest"}
    elif kind == "council":
        from .council import parse_council_config

        unknown = sorted(set(spec) - COUNCIL_SPEC_KEYS)
        if unknown:
            raise ScenarioError(f"{where}.{unknown[0]}", "unknown key for a council agent")
        parse_council_config(f"{where}.council", spec.get("council"))
        # Ids council_k, registered honest, no RNG of the run's.
        external = {"id_prefix": "council", "agent_type": "honest"}
    else:
        unknown = sorted(set(spec) - PYTHON_KEYS)
        if unknown:
            raise ScenarioError(
                f"{where}.{unknown[0]}",
                f"unknown key for a python agent (known: {', '.join(sorted(PYTHON_KEYS))})",
            )
        agent_type = spec.get("agent_type", "honest")
        if agent_type not in DECLARABLE_TYPES:
            raise ScenarioError(
                f"{where}.agent_type",
                f"expected one of {', '.join(DECLARABLE_TYPES)}, got {agent_type!r}",
            )
        policy = spec.get("policy")
        if policy is not None:
            _string(f"{where}.policy", policy)
            if ":" not in policy:
                raise ScenarioError(f"{where}.policy", f"expected 'module:Class', got {policy!r}")
        args = spec.get("policy_args")
        if args is not None and not isinstance(args, Mapping):
            raise ScenarioError(f"{where}.policy_args", f"expected a mapping, got {args!r}")
        prefix = _string(f"{where}.id_prefix", spec.get("id_prefix", "python"))
        external = {"id_prefix": prefix, "agent_type": agent_type}
    return {"type": "external", "count": count, "name": name, "config": {}, "external": external}


def import_object(where: str, path: str) -> Any:
    """``module:attribute`` (dots allowed in both)."""
    module_name, _, attr = path.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as e:
        raise ScenarioError(where, f"cannot import {path!r}: {e}") from None
    return obj


def add_policy_agents(raw: dict[str, Any], policies: Mapping[str, Any]) -> dict[str, Any] | None:
    """For ``run(..., policies=...)``: keys that name no ``type: python``
    spec (by its ``name``) each add one agent at the end, ids ``KEY_1``.
    Returns the new mapping, or None if every key names a spec."""
    specs = list(raw.get("agents") or [])
    named = _python_names(specs)
    extra = []
    for key in policies:
        if not isinstance(key, str) or not key:
            raise ScenarioError("policies", f"keys must be non-empty strings, got {key!r}")
        if key not in named:
            extra.append({"type": "python", "name": key, "id_prefix": key})
    if not extra:
        return None
    return {**raw, "agents": specs + extra}


def check_sweepable(raw_specs: list[Any]) -> None:
    """A sweep (or a Dask worker) builds every run's policies from the spec,
    so a python agent must name its policy as ``module:Class``."""
    for i, spec in enumerate(raw_specs):
        if isinstance(spec, Mapping) and spec.get("type") == "python" and not spec.get("policy"):
            raise ScenarioError(
                f"agents[{i}].policy",
                "a sweep builds each run's policy objects from the spec (on every worker): "
                "give the python agent 'policy: module:Class' (with policy_args), importable "
                "where the runs execute; objects passed as run(..., policies=...) are for "
                "single runs",
            )


def _python_names(specs: list[Any]) -> set[str]:
    return {
        s["name"]
        for s in specs
        if isinstance(s, Mapping) and s.get("type") == "python" and isinstance(s.get("name"), str)
    }


def build_policies(
    raw_specs: list[Any], policies: Mapping[str, Any] | None, context: dict[str, Any]
) -> list[Any]:
    """One policy object per external agent, in registration order: the
    object ``policies`` gives for a python spec's name (shared by its
    agents), else a new ``policy: module:Class`` instance per agent.
    ``context`` carries run-wide settings for LLM agents."""
    policies = policies or {}
    out: list[Any] = []
    concordia_k = 0
    for i, spec in enumerate(raw_specs):
        if not isinstance(spec, Mapping) or spec.get("type") not in EXTERNAL_TYPES:
            continue
        where = f"agents[{i}]"
        count = int(spec.get("count", 1))
        if spec["type"] == "llm":
            from .llm.agent import LLMAgent
            from .llm.config import parse_llm_config

            cfg = parse_llm_config(f"{where}.llm", spec.get("llm") or {})
            for _ in range(count):
                out.append(LLMAgent(cfg, context))
            continue
        if spec["type"] == "council":
            from .council import CouncilAgent, parse_council_config

            council = parse_council_config(f"{where}.council", spec.get("council"))
            out.extend(CouncilAgent(council, context) for _ in range(count))
            continue
        if spec["type"] == "concordia_entity":
            from .concordia import ConcordiaEntityAgent, parse_concordia_config

            ccfg = parse_concordia_config(f"{where}.concordia", spec.get("concordia"))
            base = spec.get("name")
            for _ in range(count):
                concordia_k += 1
                # The reference's names: NAME_k (k counts every concordia
                # agent so far) when a spec makes several, else NAME.
                name = f"{base}_{concordia_k}" if base and count > 1 else base
                out.append(ConcordiaEntityAgent(ccfg, name, context, f"{where}.type"))
            continue
        if spec.get("type") == "python" and spec.get("name") in policies:
            out.extend([policies[spec["name"]]] * count)
            continue
        path = spec.get("policy")
        if path is None:
            raise ScenarioError(
                f"{where}.policy",
                "a python agent needs a policy: 'policy: module:Class' in the spec, or "
                f"run(..., policies={{{spec.get('name') or 'NAME'!r}: obj}}) with the spec's name",
            )
        factory = import_object(f"{where}.policy", path)
        kwargs = dict(spec.get("policy_args") or {})
        for _ in range(count):
            try:
                out.append(factory(**kwargs))
            except Exception as e:
                raise ScenarioError(f"{where}.policy", f"{path}(**policy_args) failed: {e}") from e
    return out
