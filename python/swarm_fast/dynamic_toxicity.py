"""The ``dynamic_toxicity:`` section (swarm-safety 1.9.0's
``swarm/core/dynamic_toxicity.py``): feedback loops from an epoch's
toxicity to later epochs, run by ``rust/swarm-core/src/dynamic_toxicity.rs``.

The reference reads the section only when it is non-empty; ``enabled:``
lists the mechanisms, and each enabled mechanism reads its own sub-mapping
(defaults below). Sub-mappings of mechanisms not enabled are never read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import ScenarioError
from .limits import short

# mechanism -> {key: (kind, default, (low, low_is_strict, high))}
MECHANISMS: dict[str, dict[str, tuple[str, Any, tuple[Any, bool, Any]]]] = {
    "proxy_drift": {
        "alpha": ("float", 0.5, (0.0, False, None)),
        "k_floor": ("float", 0.5, (0.0, False, 100.0)),
    },
    "trust_erosion": {
        "beta": ("float", 0.3, (0.0, False, None)),
        "exit_threshold": ("float", 0.35, (None, False, None)),
        # 0 is Python's history[-0:], the whole history (kept as a quirk).
        "window": ("int", 3, (0, False, None)),
        "min_honest": ("int", 1, (0, False, None)),
    },
    "quality_contagion": {
        "gamma": ("float", 0.1, (None, False, None)),
        "neutral": ("float", 0.5, (None, False, None)),
    },
}


def parse(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The core's ``DynamicToxicityConfig``, or None when the section is
    absent, empty or enables nothing."""
    from .scenario import _number  # the shared number check (no cycle at import)

    section = data.get("dynamic_toxicity")
    if not section:
        return None
    if not isinstance(section, dict):
        raise ScenarioError("dynamic_toxicity", f"expected a mapping, got {short(section)}")
    enabled = section.get("enabled", [])
    if not isinstance(enabled, list) or not all(isinstance(e, str) for e in enabled):
        raise ScenarioError(
            "dynamic_toxicity.enabled",
            f"expected a list of mechanism names, got {short(enabled)}",
        )
    for name in enabled:
        if name not in MECHANISMS:
            raise ScenarioError(
                "dynamic_toxicity.enabled",
                f"unknown mechanism {short(name)} (known: {', '.join(MECHANISMS)})",
            )
    out: dict[str, Any] = {}
    for name, keys in MECHANISMS.items():
        if name not in enabled:
            continue
        params = section.get(name, {})
        if not isinstance(params, dict):
            raise ScenarioError(
                f"dynamic_toxicity.{name}", f"expected a mapping, got {short(params)}"
            )
        out[name] = {
            key: _number(f"dynamic_toxicity.{name}.{key}", params.get(key, default), kind, rng)
            for key, (kind, default, rng) in keys.items()
        }
    return out or None
