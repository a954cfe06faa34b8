"""The ``resource_negotiation:`` section (swarm-safety 1.9.0's
``swarm/core/resource_negotiation_handler.py``, read by its loader's
``parse_resource_negotiation_config``): the alternating-offer games the
negotiator agents are built for, run by
``rust/swarm-core/src/resource_negotiation.rs``.

Off when absent, empty or ``enabled: false``. When on, the reference pairs
every agent into a game once, at build, drawing the pairs, pools and
valuations from the run's stream; its observation builder never shows the
games to the agents, so none is ever played (see the Rust module). Those
draws are all a run sees of it, and all swarm_fast reproduces.

The reference builds ``ResourceNegotiationConfig(**section)`` without
checking a value (an unknown key makes it fail); swarm_fast checks each
value and names the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import ScenarioError

LIMIT = 2**40  # quantities and type counts: far beyond any pool, safe in an i64

# key -> (kind, default, (low, low_is_strict, high))
KEYS: dict[str, tuple[str, Any, tuple[Any, bool, Any]]] = {
    "min_resource_types": ("int", 2, (0, False, LIMIT)),
    "max_resource_types": ("int", 4, (0, False, LIMIT)),
    "min_quantity": ("int", 1, (-LIMIT, False, LIMIT)),
    "max_quantity": ("int", 5, (-LIMIT, False, LIMIT)),
    "min_valuation": ("float", 1.0, (-1e9, False, 1e9)),
    "max_valuation": ("float", 10.0, (-1e9, False, 1e9)),
    # Read only when a game's round ends, which never happens (no move is
    # ever made): checked, then carried along.
    "guaranteed_rounds": ("int", 4, (0, False, LIMIT)),
    "termination_probability": ("float", 0.3, (0.0, False, 1.0)),
    "no_deal_score": ("float", -0.5, (-1e9, False, 1e9)),
    "max_rounds": ("int", 20, (0, False, LIMIT)),
}
DEFAULT_NAMES = ["apples", "bananas", "cherries", "dates", "elderberries"]
OTHER_KEYS = ("enabled", "resource_names", "seed")


def parse(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The core's ``ResourceNegotiationConfig``, or None when off."""
    from .scenario import _value, enabled_section  # the shared checks (no cycle at import)

    section = enabled_section(data, "resource_negotiation")
    if section is None:
        return None
    for key in section:
        if key not in KEYS and key not in OTHER_KEYS:
            # The reference fails too: ResourceNegotiationConfig(**section)
            # takes no such key.
            raise ScenarioError(
                f"resource_negotiation.{key}",
                "not a key of the resource_negotiation section (the reference fails on it too)",
            )
    out: dict[str, Any] = {
        key: _value(f"resource_negotiation.{key}", section.get(key, default), kind, rng)
        for key, (kind, default, rng) in KEYS.items()
    }
    # The reference's own failures: randint() on an empty range.
    for low, high in (
        ("min_resource_types", "max_resource_types"),
        ("min_quantity", "max_quantity"),
    ):
        if out[high] < out[low]:
            raise ScenarioError(
                f"resource_negotiation.{high}",
                f"must be >= {low} ({out[low]}); got {out[high]} (the reference fails on it too)",
            )
    out["resource_names"] = _value(
        "resource_negotiation.resource_names",
        section.get("resource_names", DEFAULT_NAMES),
        "strings",
    )
    seed = section.get("seed")
    # Never read: the handler draws from the orchestrator's stream.
    out["seed"] = None if seed is None else _value("resource_negotiation.seed", seed, "int")
    return out
