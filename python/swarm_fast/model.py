"""The corrected model: swarm-safety 1.9.0's defects as named switches.

A scenario's optional top-level ``model:`` key picks the model a run
follows. Absent (or ``model: reference``) a run is bit for bit the
reference's. ``model: corrected`` turns every switch on; a mapping turns
them on one by one, optionally on top of a preset (and then off again)::

    model: corrected                       # every correction
    model: {tax_base_from_payoff: true}    # just one
    model: {preset: corrected, audit_once: false}
    model: {preset: corrected, transfers_in_payoff: false}

The switches, the reference behaviour each replaces and why:
``docs/corrected-model.md``. They are implemented in the Rust core
(``rust/swarm-core/src/model.rs`` and the modules of each concept).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import ScenarioError
from .limits import short, short_key

# name -> (spec reference, one-line description); the order of the docs.
SWITCHES: dict[str, tuple[str, str]] = {
    "tax_base_from_payoff": (
        "Q7/G1",
        "the tax base is p*s_plus - (1-p)*s_minus from the payoff section, not 2 and 1",
    ),
    "reputation_in_payoff": (
        "Q3",
        "the payoff's w_rep*r terms use the reputation change the interaction causes "
        "(always 0 in the reference, so w_rep is inert there)",
    ),
    "collusion_benefit_transfers_only": (
        "G6",
        "the collusion detector's benefit series are the transfers between the parties, "
        "not the governance charges -c_a and -c_b (driven by the same p, so rho ~ 1)",
    ),
    "audit_once": (
        "G2",
        "audits inspect accepted interactions only and charge the penalty once "
        "(as a cost), not again as a reputation delta",
    ),
    "adaptive_controller": (
        "G9",
        "the reference's adaptive governance controller runs, configured by the "
        "scenario's adaptive_controller_* keys (its loader never reads them)",
    ),
    "transfers_in_payoff": (
        "Q2",
        "proposals carry the transfer tau their initiator's policy offers (never attached "
        "in the reference), so tau enters payoffs, the tax base and the collusion benefits",
    ),
}

PRESETS = ("reference", "corrected")


def _preset(key: str, value: Any) -> dict[str, bool]:
    if value not in PRESETS:
        raise ScenarioError(
            key,
            f"must be one of {', '.join(PRESETS)} (or a mapping of switches), got {short(value)}",
        )
    on = value == "corrected"
    return dict.fromkeys(SWITCHES, on)


def model_switches(value: Any) -> dict[str, bool]:
    """The switches of a ``model:`` value (a preset name, a mapping, or
    None), every one present; ScenarioError naming the key otherwise."""
    if value is None:
        return _preset("model", "reference")
    if isinstance(value, str):
        return _preset("model", value)
    if not isinstance(value, Mapping):
        raise ScenarioError(
            "model", f"expected 'reference', 'corrected' or a mapping, got {short(value)}"
        )
    out = _preset("model.preset", value.get("preset", "reference"))
    for key, flag in value.items():
        if key == "preset":
            continue
        if key not in SWITCHES:
            raise ScenarioError(
                short_key(f"model.{key}") if isinstance(key, str) else f"model.{short(key, 60)}",
                f"not a switch of the corrected model (switches: preset, {', '.join(SWITCHES)})",
            )
        if not isinstance(flag, bool):
            raise ScenarioError(f"model.{key}", f"must be true or false, got {short(flag)}")
        out[key] = flag
    return out


def core_model(data: Mapping[str, Any]) -> dict[str, bool] | None:
    """The core's ``model`` config for a scenario mapping: None when every
    switch is off (the reference model, the core's default)."""
    switches = model_switches(data.get("model"))
    return switches if any(switches.values()) else None


def describe(switches: Mapping[str, bool]) -> str:
    """'reference', 'corrected' or the list of switches that are on."""
    on = [k for k, v in switches.items() if v]
    if not on:
        return "reference"
    if len(on) == len(SWITCHES):
        return "corrected"
    return "+".join(on)
