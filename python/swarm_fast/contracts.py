"""The ``contracts:`` section (swarm-safety 1.9.0's ``swarm/contracts/``,
read by its loader's ``parse_contracts_config`` and ``build_contract_market``):
contract screening, run by ``rust/swarm-core/src/contracts.rs``.

Any non-empty section switches the market on, whatever it holds (the
reference has no ``enabled`` key: ``contracts: {enabled: false}`` runs the
market with its defaults). Its four sub-sections:

- ``truthful_auction`` and ``fair_division``: the contracts' keyword
  arguments; the reference fails on an unknown key and checks the ranges
  below, and so does swarm_fast (naming the key);
- ``default_market``: never reaches a run — the reference's market always
  builds its own default market (friction premium 0.05); its keys are
  checked and a warning says they are ignored;
- ``market``: ``ContractMarketConfig``, which ignores unknown keys (a
  warning lists them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import ScenarioError
from .limits import short, short_key

UNIT = (0.0, False, 1.0)
NON_NEGATIVE = (0.0, False, 1e9)

# section -> key -> (kind, default, (low, low_is_strict, high)), as the
# reference's constructors and validators have them.
KEYS: dict[str, dict[str, tuple[str, Any, tuple[Any, bool, Any]]]] = {
    "truthful_auction": {
        "stake_fraction": ("float", 0.05, UNIT),
        "audit_probability": ("float", 0.2, UNIT),
        "audit_threshold_p": ("float", 0.4, UNIT),
        "penalty_multiplier": ("float", 3.0, NON_NEGATIVE),
        "surplus_bonus": ("float", 0.1, NON_NEGATIVE),
        "min_bond": ("float", 0.5, NON_NEGATIVE),
    },
    "fair_division": {
        "entry_fee": ("float", 2.0, NON_NEGATIVE),
        "fairness_bonus": ("float", 0.05, NON_NEGATIVE),
        "redistribution_rate": ("float", 0.1, UNIT),
    },
    "default_market": {
        "friction_premium": ("float", 0.05, NON_NEGATIVE),
    },
    "market": {
        "allow_switching": ("bool", True, (None, False, None)),
        "switching_cost_multiplier": ("float", 0.5, NON_NEGATIVE),
        "belief_update_rate": ("float", 0.3, NON_NEGATIVE),
        "honest_truthful_preference": ("float", 0.8, NON_NEGATIVE),
        "honest_fair_preference": ("float", 0.6, NON_NEGATIVE),
        "opportunistic_truthful_preference": ("float", 0.3, NON_NEGATIVE),
        "opportunistic_fair_preference": ("float", 0.4, NON_NEGATIVE),
        "adversarial_truthful_preference": ("float", 0.1, NON_NEGATIVE),
        "adversarial_fair_preference": ("float", 0.15, NON_NEGATIVE),
    },
}

# Sub-sections whose unknown keys make the reference fail (keyword
# arguments of a constructor it calls).
STRICT = ("truthful_auction", "fair_division")

# What a run with contracts cannot have yet (contracts_compatible in
# engine.rs): the key that switches it on, whether it is on, and why.
NOT_YET = "not checked against the reference with contracts yet"
REFUSED_WITH = (
    (
        "marketplace",
        lambda c: c.get("marketplace") is not None,
        "the reference routes the marketplace handlers' interactions through the "
        "contract market too; " + NOT_YET,
    ),
    ("spawn", lambda c: c.get("spawn") is not None, NOT_YET),
    ("tierra", lambda c: c.get("tierra") is not None, NOT_YET),
    (
        "governance.security_enabled",
        lambda c: c["governance"].get("security") is not None,
        "the security lever's manipulation indicator reads the contracts' reputation "
        "bonus (r_a), which swarm_fast's security lever does not port",
    ),
    ("model", lambda c: c.get("model") is not None, "contracts run under the reference model only"),
)


def parse(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The core's ``ContractsConfig``, or None when the section is absent,
    null or empty."""
    from .scenario import _value  # the shared checks (no cycle at import)

    section = data.get("contracts")
    if not section:
        return None
    if not isinstance(section, dict):
        raise ScenarioError("contracts", f"expected a mapping, got {short(section)}")
    out: dict[str, Any] = {}
    for name, keys in KEYS.items():
        sub = section.get(name, {})
        if not isinstance(sub, dict):
            # The reference fails too (it unpacks it as keyword arguments).
            raise ScenarioError(f"contracts.{name}", f"expected a mapping, got {short(sub)}")
        if name in STRICT:
            for key in sub:
                if key not in keys:
                    raise ScenarioError(
                        short_key(f"contracts.{name}.{key}"),
                        f"not a key of {name} (the reference fails on it too; keys: "
                        f"{', '.join(keys)})",
                    )
        values = {
            key: _value(f"contracts.{name}.{key}", sub.get(key, default), kind, rng)
            for key, (kind, default, rng) in keys.items()
        }
        if name != "default_market":  # checked, then ignored (see the module notes)
            out[name] = values
    return out


def check_compatible(config: Mapping[str, Any]) -> None:
    """Refuse, naming the key, what the contract market does not run with
    yet."""
    if config.get("contracts") is None:
        return
    for key, on, why in REFUSED_WITH:
        if on(config):
            raise ScenarioError(
                key,
                "not supported by swarm_fast together with the contracts subsystem "
                f"(contracts:): {why}; remove one of them",
            )
    if any(a["type"] == "external" for a in config["agents"]):
        raise ScenarioError(
            "agents",
            "Python and LLM agents are not supported by swarm_fast together with the "
            "contracts subsystem (contracts:) yet",
        )
