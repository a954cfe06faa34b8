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

# The Sybil detection lever (swarm/governance/identity_lever.py).
SYBIL_KEYS: dict[str, tuple[str, Any]] = {
    "sybil_similarity_threshold": ("similarity_threshold", 0.8),
    "sybil_penalty_multiplier": ("penalty_multiplier", 1.0),
    "sybil_realtime_penalty": ("realtime_penalty", False),
    "sybil_realtime_rate": ("realtime_rate", 0.1),
    "sybil_max_cluster_size": ("max_cluster_size", 1),
}

# The implemented levers: the flag that switches each on, and its keys.
LEVERS: dict[str, tuple[str, dict[str, tuple[str, Any]]]] = {
    "security": ("security_enabled", SECURITY_KEYS),
    "rbac": ("rbac_enabled", RBAC_KEYS),
    "sybil": ("sybil_detection_enabled", SYBIL_KEYS),
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
