"""The ``perturbations:`` section (swarm-safety 1.9.0's
``swarm/core/perturbation.py``), run by ``rust/swarm-core/src/perturbation.rs``.

Ported: ``parameter_shocks`` (governance values set at an epoch or on a
condition, reverted later) and ``resource_shock``. ``agent_dropout`` (per step,
from the section's own ``seed``). ``signal_corruption`` is accepted and has
no effect, as in the reference, whose ``perturb_observables`` is never
called. ``network_partition`` (epoch trigger; ``bisect``, ``isolate_type`` and
``random_fragment``, whose draws follow the reference's edge-dict order).

The reference parses every part whenever the section is non-empty (an
unknown mode or trigger fails there); a part acts only when ``enabled``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .errors import ScenarioError
from .limits import short, short_key

TRIGGERS = ("epoch", "condition")
CORRUPTION_MODES = ("zero_out", "invert", "random", "sticky")
PARTITION_MODES = ("bisect", "isolate_type", "random_fragment")
RESOURCE_MODES = ("drain_all", "redistribute", "inflate")
UNPORTED: tuple[str, ...] = ()

# Governance keys a shock may set: the ones the core reads live (governance
# spec §5.5) -> kind. The security analyser's copies, and levers registered
# only at start, are not among them.
SHOCKABLE = {
    "transaction_tax_rate": "float",
    "transaction_tax_split": "float",
    "reputation_decay_rate": "float",
    "staking_enabled": "bool",
    "min_stake_to_participate": "float",
    "freeze_threshold_toxicity": "float",
    "freeze_threshold_violations": "int",
    "freeze_duration_epochs": "int",
    "audit_enabled": "bool",
    "audit_probability": "float",
    "audit_penalty_multiplier": "float",
    "audit_threshold_p": "float",
    # The collusion lever is always registered and reads these from the
    # config at each use, so a shock acts (turning detection on mid-run too).
    "collusion_detection_enabled": "bool",
    "collusion_penalty_multiplier": "float",
    "collusion_realtime_penalty": "bool",
    "collusion_realtime_rate": "float",
    "collusion_clear_history_on_epoch": "bool",
}
# The RBAC lever's live values: shockable when the lever is on (it is
# registered only if rbac_enabled at the start), inert otherwise.
SHOCKABLE_RBAC = {
    "rbac_violation_penalty": "float",
    "rbac_violation_reputation_penalty": "float",
    "rbac_high_stakes_penalty_multiplier": "float",
}
# The security lever's live values (its analyser copies the others):
# shockable when the lever is on, inert otherwise.
SHOCKABLE_SECURITY = {
    "security_min_interactions": "int",
    "security_penalty_threshold": "float",
    "security_quarantine_threshold": "float",
    "security_penalty_multiplier": "float",
    "security_realtime_penalty": "bool",
    "security_realtime_threshold": "float",
    "security_realtime_rate": "float",
    "security_clear_history_on_epoch": "bool",
}
# Keys no lever acts on in the core (governance spec §8): a shock to them is
# accepted and changes nothing.
SHOCK_INERT = ("stake_slash_rate", "bandwidth_cap", "max_vote_weight_per_agent")
# The collusion detector's thresholds: the reference's lever copies them into
# its detector when it is built, so a shock sets the config and the detector
# never sees it (the flagging threshold included). Accepted, checked, inert.
SHOCK_COPIED_COLLUSION = {
    "collusion_frequency_threshold": "float",
    "collusion_correlation_threshold": "float",
    "collusion_min_interactions": "int",
    "collusion_score_threshold": "float",
}
CONDITION_FIELDS = ("epoch", "toxicity_rate", "quality_gap")
CONDITION_OPS = (">", ">=", "<", "<=", "==", "!=")


def _part(section: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = section.get(name, {})
    if not isinstance(value, dict):
        raise ScenarioError(f"perturbations.{name}", f"expected a mapping, got {short(value)}")
    return value


def _choice(key: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ScenarioError(key, f"must be one of {', '.join(choices)}; got {short(value)}")
    return value


def _optional_int(key: str, value: Any) -> int | None:
    from .scenario import _number

    return None if value is None else _number(key, value, "int")


def _condition(key: str, when: Any) -> dict[str, Any] | None:
    """The reference's ``_evaluate_condition`` parse: "field op value";
    anything else never fires (None)."""
    if when is None:
        return None
    if not isinstance(when, str):
        raise ScenarioError(key, f"expected a condition string, got {short(when)}")
    parts = when.strip().split()
    if len(parts) != 3 or parts[0] not in CONDITION_FIELDS or parts[1] not in CONDITION_OPS:
        return None
    try:
        threshold = float(parts[2])
    except ValueError:
        return None
    if not math.isfinite(threshold):
        raise ScenarioError(key, f"the threshold must be a finite number, got {short(parts[2])}")
    return {"metric": parts[0], "op": parts[1], "threshold": threshold}


def _shock(where: str, spec: Any, levers_on: dict[str, bool]) -> dict[str, Any]:
    from .scenario import _value

    if not isinstance(spec, dict):
        raise ScenarioError(where, f"expected a mapping, got {short(spec)}")
    trigger = _choice(f"{where}.trigger", spec.get("trigger", "epoch"), TRIGGERS)
    params = spec.get("params", {})
    if not isinstance(params, dict):
        raise ScenarioError(f"{where}.params", f"expected a mapping, got {short(params)}")
    core: list[tuple[str, Any]] = []
    for key, value in params.items():
        at = short_key(f"{where}.params.{key if isinstance(key, str) else short(key, 60)}")
        if key in SHOCKABLE:
            kind = SHOCKABLE[key]
            rng = (1, False, None) if kind == "int" else (None, False, None)
            checked = _value(at, value, kind, rng)
            core.append((key, float(checked) if kind != "bool" else checked))
        elif key in SHOCKABLE_RBAC or key in SHOCKABLE_SECURITY:
            lever = "rbac" if key in SHOCKABLE_RBAC else "security"
            kind = {**SHOCKABLE_RBAC, **SHOCKABLE_SECURITY}[key]
            rng = (1, False, None) if kind == "int" else (None, False, None)
            checked = _value(at, value, kind, rng)
            if levers_on[lever]:
                core.append((key, float(checked) if kind != "bool" else checked))
        elif key in SHOCK_INERT:
            _value(at, value, "float")
        elif key in SHOCK_COPIED_COLLUSION:
            kind = SHOCK_COPIED_COLLUSION[key]
            _value(at, value, kind, (1, False, None) if kind == "int" else (None, False, None))
        else:
            inert = (*SHOCK_INERT, *SHOCK_COPIED_COLLUSION)
            raise ScenarioError(
                at,
                "swarm_fast cannot shock this parameter (it shocks "
                f"{', '.join(SHOCKABLE)}, and accepts {', '.join(inert)} as inert)",
            )
    return {
        "at_epoch": _optional_int(f"{where}.at_epoch", spec.get("at_epoch")),
        "condition": _condition(f"{where}.when", spec.get("when")),
        "on_condition": trigger == "condition",
        "params": core,
        "revert_after_epochs": _optional_int(
            f"{where}.revert_after_epochs", spec.get("revert_after_epochs")
        ),
    }


def parse(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The core's ``PerturbationConfig``, or None when nothing acts."""
    from .scenario import _bool, _number

    section = data.get("perturbations")
    if not section:
        return None
    if not isinstance(section, dict):
        raise ScenarioError("perturbations", f"expected a mapping, got {short(section)}")
    parts = {
        name: _part(section, name)
        for name in (
            *UNPORTED,
            "network_partition",
            "agent_dropout",
            "signal_corruption",
            "parameter_shocks",
            "resource_shock",
        )
    }

    def enabled(name: str) -> bool:
        value = parts[name].get("enabled", False)
        return _bool(f"perturbations.{name}.enabled", value)

    for name in UNPORTED:
        if enabled(name):
            raise ScenarioError(
                f"perturbations.{name}",
                "this perturbation is not ported to swarm_fast yet; remove it or set "
                "enabled: false",
            )
    out_partition = _partition(parts["network_partition"], enabled("network_partition"))
    corruption = parts["signal_corruption"]
    _choice(
        "perturbations.signal_corruption.mode", corruption.get("mode", "zero_out"), CORRUPTION_MODES
    )
    enabled("signal_corruption")  # checked; inert, as in the reference

    shocks_part = parts["parameter_shocks"]
    shocks = shocks_part.get("shocks", [])
    if not isinstance(shocks, list):
        raise ScenarioError(
            "perturbations.parameter_shocks.shocks", f"expected a list, got {short(shocks)}"
        )
    gov = data.get("governance")
    levers_on = {
        lever: isinstance(gov, dict) and gov.get(f"{lever}_enabled") is True
        for lever in ("rbac", "security")
    }
    parsed = [
        _shock(f"perturbations.parameter_shocks.shocks[{i}]", s, levers_on)
        for i, s in enumerate(shocks)
    ]
    out: dict[str, Any] = {"parameter_shocks": parsed if enabled("parameter_shocks") else []}

    resource = parts["resource_shock"]
    mode = _choice(
        "perturbations.resource_shock.mode", resource.get("mode", "drain_all"), RESOURCE_MODES
    )
    trigger = _choice(
        "perturbations.resource_shock.trigger", resource.get("trigger", "epoch"), TRIGGERS
    )
    magnitude = _number(
        "perturbations.resource_shock.magnitude",
        resource.get("magnitude", 0.5),
        "float",
        (0.0, False, 1e3),
    )
    at_epoch = _optional_int("perturbations.resource_shock.at_epoch", resource.get("at_epoch"))
    if enabled("resource_shock") and trigger == "epoch":
        out["resource_shock"] = {"at_epoch": at_epoch, "mode": mode, "magnitude": magnitude}
    else:
        out["resource_shock"] = None
    out["network_partition"] = out_partition
    dropout = enabled("agent_dropout")
    out["agent_dropout"] = _dropout(section, parts["agent_dropout"]) if dropout else None
    out["seed"] = section.get("seed") if dropout else None
    if not out["parameter_shocks"] and out["resource_shock"] is None and not dropout:
        if out_partition is None:
            return None
    if out["seed"] is None and out_partition and out_partition["mode"] != "isolate_type":
        what = f"a {out_partition['mode']} network partition"
        out["seed"] = _require_seed(section, what.replace("_", " "))
    return out


def _require_seed(section: Mapping[str, Any], what: str) -> int:
    from .scenario import _seed

    seed = section.get("seed")
    if seed is None:
        raise ScenarioError(
            "perturbations.seed",
            f"{what} needs a seed (without one the reference draws from OS entropy, "
            "and no two runs agree)",
        )
    return _seed("perturbations.seed", seed)


def _partition(part: Mapping[str, Any], on: bool) -> dict[str, Any] | None:
    where = "perturbations.network_partition"
    mode = _choice(f"{where}.mode", part.get("mode", "bisect"), PARTITION_MODES)
    trigger = _choice(f"{where}.trigger", part.get("trigger", "epoch"), TRIGGERS)
    if not on or trigger != "epoch":  # the reference fires partitions on epochs only
        return None
    isolate = part.get("isolate_type")
    if isolate is not None and not isinstance(isolate, str):
        raise ScenarioError(f"{where}.isolate_type", f"expected a string, got {short(isolate)}")
    return {
        "at_epoch": _optional_int(f"{where}.at_epoch", part.get("at_epoch")),
        "mode": mode,
        "isolate_type": isolate,
        "heal_after_epochs": _optional_int(
            f"{where}.heal_after_epochs", part.get("heal_after_epochs")
        ),
    }


def _dropout(section: Mapping[str, Any], part: Mapping[str, Any]) -> dict[str, Any]:
    from .scenario import _number, _seed, _strings

    where = "perturbations.agent_dropout"
    seed = section.get("seed")
    if seed is None:
        raise ScenarioError(
            "perturbations.seed",
            "agent dropout needs a seed (without one the reference draws from OS entropy, "
            "and no two runs agree)",
        )
    _seed("perturbations.seed", seed)
    lo = _number(f"{where}.min_duration_steps", part.get("min_duration_steps", 1), "int")
    hi = _number(f"{where}.max_duration_steps", part.get("max_duration_steps", 3), "int")
    if lo > hi:
        raise ScenarioError(
            f"{where}.min_duration_steps", f"must be <= max_duration_steps ({hi}), got {lo}"
        )
    return {
        "probability_per_step": _number(
            f"{where}.probability_per_step", part.get("probability_per_step", 0.1)
        ),
        "min_duration_steps": lo,
        "max_duration_steps": hi,
        "exempt_types": _strings(f"{where}.exempt_types", part.get("exempt_types", [])),
    }
