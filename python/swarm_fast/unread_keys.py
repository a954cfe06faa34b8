"""The 46 governance keys swarm-safety 1.9.0's loader never reads (spec
G9/Q20), and the adaptive controller that nine of them configure.

They are real fields of the reference's ``GovernanceConfig`` (settable from
Python there), but its YAML loader passes a fixed list of keys that omits
them, so a scenario file cannot switch their levers on. A file that sets one
draws a :class:`~swarm_fast.ScenarioWarning` line naming the reason.

The nine ``adaptive_controller_*`` keys are read when the corrected model's
``adaptive_controller`` switch is on (``model: corrected`` includes it): the
run then has the reference's controller (``rust/swarm-core/src/governance/
adaptive_controller.rs``), configured by them. The other 37 configure
levers that are out of scope (no semantics in the core), so they stay
unread, with or without the corrected model: ``docs/corrected-model.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# key -> (kind, range name of scenario._kinds, reference default)
ADAPTIVE_CONTROLLER_KEYS: dict[str, tuple[str, str, Any]] = {
    "adaptive_controller_enabled": ("bool", "any", False),
    "adaptive_controller_evidence_window": ("int", "ge1", 20),
    "adaptive_controller_contemplation_interval": ("int", "ge1", 5),
    "adaptive_controller_min_evidence_epochs": ("int", "ge1", 10),
    "adaptive_controller_confidence_threshold": ("float", "unit", 0.8),
    "adaptive_controller_crystallization_min_epochs": ("int", "ge1", 5),
    "adaptive_controller_require_human_review": ("bool", "any", True),
    "adaptive_controller_max_degradation_tolerance": ("float", "nonneg", 0.05),
    "adaptive_controller_max_active_proposals": ("int", "ge1", 3),
}

# The other unread families: prefix -> (lever, its keys after the prefix).
OTHER_UNREAD: dict[str, tuple[str, tuple[str, ...]]] = {
    "transparency_": ("transparency", ("enabled", "bonus_rate", "threshold_p")),
    "moderator_": (
        "moderator",
        ("enabled", "review_probability", "penalty_multiplier", "threshold_p"),
    ),
    "refinery_": ("refinery", ("enabled", "p_threshold")),
    "loop_detector_": (
        "loop detector",
        (
            "enabled",
            "quality_threshold",
            "tool_misuse_threshold",
            "rework_threshold",
            "penalty_multiplier",
            "replan_threshold",
            "freeze_threshold",
            "freeze_duration",
        ),
    ),
    "attestation_heartbeat_": (
        "attestation heartbeat",
        ("enabled", "interval", "reputation_penalty", "reset_on_epoch"),
    ),
    "diversity_": (
        "diversity defence",
        (
            "enabled",
            "rho_max",
            "entropy_min",
            "adversarial_fraction_min",
            "disagreement_tau",
            "error_threshold_p",
            "correlation_penalty_rate",
            "entropy_penalty_rate",
            "audit_cost",
            "correlation_window",
        ),
    ),
    "cascade_risk_": (
        "cascade risk",
        ("enabled", "threshold", "penalty_scale", "reputation_scale", "p_threshold", "window"),
    ),
}

CONTROLLER_SWITCH = "adaptive_controller"


def unread_keys() -> dict[str, tuple[str, str | None]]:
    """Every unread key -> (why it is ignored, the model switch that reads
    it, if any)."""
    out: dict[str, tuple[str, str | None]] = {}
    why = (
        "the reference's loader never reads it, so its adaptive controller never runs "
        "(spec G9); model: {adaptive_controller: true} (part of model: corrected) runs it"
    )
    for key in ADAPTIVE_CONTROLLER_KEYS:
        out[key] = (why, CONTROLLER_SWITCH)
    for prefix, (lever, names) in OTHER_UNREAD.items():
        for name in names:
            out[prefix + name] = (
                f"the reference's loader never reads it (spec G9), so the {lever} lever "
                "cannot be switched on from a file; swarm_fast does not implement that lever",
                None,
            )
    return out


def controller_config(gov: Mapping[str, Any]) -> dict[str, Any] | None:
    """The core's ``governance.adaptive_controller`` for a ``governance:``
    mapping, checked key by key as the reference's config checks them;
    None when ``adaptive_controller_enabled`` is not true."""
    from .scenario import GOVERNANCE_OTHER, _kinds, _value

    ranges = {name: _kinds(f"k float {name}")["k"][1] for name in ("any", "ge1", "unit", "nonneg")}
    values = {
        key: _value(f"governance.{key}", gov.get(key, default), kind, ranges[rng])
        for key, (kind, rng, default) in ADAPTIVE_CONTROLLER_KEYS.items()
    }
    if not values.pop("adaptive_controller_enabled"):
        return None
    out: dict[str, Any] = {k.removeprefix("adaptive_controller_"): v for k, v in values.items()}
    # The controller also adapts this threshold, which only it reads.
    kind, rng = GOVERNANCE_OTHER["collusion_correlation_threshold"]
    out["collusion_correlation_threshold"] = float(
        _value(
            "governance.collusion_correlation_threshold",
            gov.get("collusion_correlation_threshold", 0.7),
            kind,
            rng,
        )
    )
    for key in ("confidence_threshold", "max_degradation_tolerance"):
        out[key] = float(out[key])
    return out
