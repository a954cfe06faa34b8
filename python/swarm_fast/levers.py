"""Governance levers beyond the core six that swarm_fast runs (issue 17).

Each lever's keys are validated with the rest of ``governance:`` (see
``scenario.GOVERNANCE_OTHER``); here a lever that is switched on becomes its
sub-mapping of the core's ``GovernanceConfig`` (``rust/swarm-core/src/
governance/<lever>.rs``), with the reference's defaults for missing keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The security lever (governance spec §9.1): YAML key -> (core field, default).
SECURITY_KEYS: dict[str, tuple[str, Any]] = {
    "security_injection_threshold": ("injection_threshold", 0.3),
    "security_laundering_trust_gap": ("laundering_trust_gap", 0.3),
    "security_contagion_velocity": ("contagion_velocity", 2.0),
    "security_min_chain_length": ("min_chain_length", 3),
    "security_min_interactions": ("min_interactions", 5),
    "security_penalty_threshold": ("penalty_threshold", 0.3),
    "security_quarantine_threshold": ("quarantine_threshold", 0.7),
    "security_penalty_multiplier": ("penalty_multiplier", 1.0),
    "security_realtime_penalty": ("realtime_penalty", False),
    "security_realtime_threshold": ("realtime_threshold", 0.5),
    "security_realtime_rate": ("realtime_rate", 0.2),
    "security_clear_history_on_epoch": ("clear_history_on_epoch", False),
}

# The RBAC lever (governance spec §9.8). Its role map and clearance level
# are never reached in the reference (no agent has a role).
RBAC_KEYS: dict[str, tuple[str, Any]] = {
    "rbac_violation_penalty": ("violation_penalty", 0.5),
    "rbac_violation_reputation_penalty": ("violation_reputation_penalty", -0.2),
    "rbac_high_stakes_actions": ("high_stakes_actions", []),
    "rbac_high_stakes_penalty_multiplier": ("high_stakes_penalty_multiplier", 2.0),
}

# The sybil-detection lever (swarm/governance/identity_lever.py).
SYBIL_KEYS: dict[str, tuple[str, Any]] = {
    "sybil_similarity_threshold": ("similarity_threshold", 0.8),
    "sybil_penalty_multiplier": ("penalty_multiplier", 1.0),
    "sybil_realtime_penalty": ("realtime_penalty", False),
    "sybil_realtime_rate": ("realtime_rate", 0.1),
    "sybil_max_cluster_size": ("max_cluster_size", 1),
}

# The resample protocol (rust/swarm-core/src/governance/resample.rs).
RESAMPLE_KEYS: dict[str, tuple[str, Any]] = {
    "resample_suspicion_threshold": ("suspicion_threshold", 0.6),
    "resample_n_samples": ("n_samples", 3),
    "resample_trajectory_analysis": ("trajectory_analysis", False),
    "resample_trajectory_window": ("trajectory_window", 5),
    "resample_incrimination_threshold": ("incrimination_threshold", 2.0),
    "resample_compute_cost": ("compute_cost", 0.01),
    "resample_evidence_decay": ("evidence_decay", 0.9),
    "resample_evidence_rep_weight": ("evidence_rep_weight", 0.5),
}

# The agent types whose repeated `act` calls the resample protocol makes are
# ported with the texts its action signature compares. Other types (and
# Python/LLM agents, whose `act` the core cannot call again) are refused.
RESAMPLE_AGENT_TYPES = ("honest", "adversarial", "adaptive_adversary", "hyperagent_self_mod")

# The implemented levers: the flag that switches each on, and its keys.
LEVERS: dict[str, tuple[str, dict[str, tuple[str, Any]]]] = {
    "security": ("security_enabled", SECURITY_KEYS),
    "rbac": ("rbac_enabled", RBAC_KEYS),
    "sybil": ("sybil_detection_enabled", SYBIL_KEYS),
    "resample": ("resample_enabled", RESAMPLE_KEYS),
}


def lever_configs(gov: Mapping[str, Any]) -> dict[str, Any]:
    """The core's sub-mapping for each implemented lever (None when off).
    ``gov`` has already been checked key by key; ints are kept for counts
    and floats made floats, as the reference's pydantic model does."""
    out: dict[str, Any] = {}
    for name, (flag, keys) in LEVERS.items():
        if gov.get(flag) is not True:
            out[name] = None
            continue
        out[name] = {}
        for key, (field, default) in keys.items():
            value = gov.get(key, default)
            if isinstance(default, float):
                value = float(value)
            elif isinstance(default, int) and not isinstance(default, bool):
                value = int(value)
            out[name][field] = value
    return out


def check_resample_agents(config: Mapping[str, Any]) -> None:
    """The resample protocol re-asks agents for actions: refuse the types
    for which swarm_fast does not reproduce that (see RESAMPLE_AGENT_TYPES)."""
    if config["governance"].get("resample") is None:
        return
    from .errors import ScenarioError

    for i, agent in enumerate(config["agents"]):
        kind = agent.get("type")
        if kind not in RESAMPLE_AGENT_TYPES:
            raise ScenarioError(
                "governance.resample_enabled",
                f"the resample protocol is implemented for agent types "
                f"{', '.join(RESAMPLE_AGENT_TYPES)} only; agents[{i}] is {kind!r}",
            )
