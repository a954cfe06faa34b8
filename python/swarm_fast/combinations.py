"""Features a subsystem is not yet run beside, refused naming the key.

Several ported subsystems (tierra's growth, the memory tiers, the scholar
handler) were checked against the reference only without some other
feature; each lists those features' keys, and ``refuse_beside`` names the
first one a scenario switches on. One table says what "on" means for each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .errors import ScenarioError


def _section(name: str) -> Callable[[Mapping[str, Any]], bool]:
    return lambda config: config.get(name) is not None


def _lever(name: str) -> Callable[[Mapping[str, Any]], bool]:
    return lambda config: config["governance"].get(name) is not None


# A parsed scenario configuration's features, by the key an error names.
FEATURES: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    **{
        name: _section(name)
        for name in (
            "network",
            "perturbations",
            "marketplace",
            "dynamic_toxicity",
            "spawn",
            "tierra",
            "model",
        )
    },
    "governance.security_enabled": _lever("security"),
    "governance.sybil_detection_enabled": _lever("sybil"),
    "governance.rbac_enabled": _lever("rbac"),
    "governance.resample_enabled": _lever("resample"),
    # Python, LLM and other outside agents.
    "agents": lambda config: any(a["type"] == "external" for a in config["agents"]),
}


# Every feature of the table, in its order: for a subsystem checked against
# the reference beside none of them.
EVERY_FEATURE: tuple[str, ...] = tuple(FEATURES)


def refuse_beside(
    config: Mapping[str, Any], keys: Iterable[str], message: Callable[[str], str]
) -> None:
    """Raise for the first of ``keys`` (in their order) switched on in
    ``config``, with ``message(key)``."""
    for key in keys:
        if FEATURES[key](config):
            raise ScenarioError(key, message(key))
