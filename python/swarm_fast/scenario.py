"""Scenario loading and validation.

Reads the reference's scenario YAML (swarm-safety 1.9.0) unchanged and turns
it into the normalised run configuration the Rust core reads
(``rust/swarm-core/src/config.rs``). The reading rules follow the reference
loader: missing keys take their defaults, unknown keys are ignored at every
level, ``transaction_tax``/``reputation_decay`` are aliases, network
parameters may sit under ``params:`` or flat, a null or empty optional section
means "defaults" or "off".

Anything the reference would refuse, and anything that cannot be run exactly,
raises :class:`ScenarioError` naming the dotted key. swarm_fast is stricter on
types than the reference's pydantic models: a number must be a YAML number (not
a bool or a quoted string), a flag must be ``true``/``false``, and NaN or an
infinity is refused everywhere. Switching on a feature swarm_fast does not
implement (spec §20.6) is an error too, never a silent change of semantics.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import sys
import warnings
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Union

from . import (
    awm,
    contracts,
    dynamic_toxicity,
    memory_tiers,
    moltbook,
    moltipedia,
    perturbations,
    resource_negotiation,
    rivals,
    scholar,
    spawn,
    tierra,
)
from .errors import ArgumentTypeError, ScenarioError, ScenarioWarning
from .families import FAMILY_PARAMS, family_params
from .levers import check_resample_agents, lever_configs
from .limits import (
    MAX_AGENTS,
    MAX_EPOCHS,
    MAX_STEPS,
    available_memory,
    check_structure,
    gib,
    read_scenario_file,
    run_memory,
    short,
    short_key,
    trace_bound,
    trace_row_budget,
)
from .model import core_model
from .schema import AGENT_FAMILIES, check_override_key, check_shadowed, file_warnings
from .unread_keys import controller_config

# The paper's seven scenarios, in the order of its Table 4; bundled.
PAPER_SCENARIOS = (
    "baseline",
    "strict_governance",
    "adaptive_governance",
    "adversarial_redteam",
    "misalignment_sweep",
    "threshold_dancer_vs_cautious",
    "collusion_detection",
)

# The agent types swarm_fast runs natively: one schema each (schema.py).
SUPPORTED_AGENTS = tuple(AGENT_FAMILIES)
# Agent types the reference knows (its scripted registry plus the LLM, council,
# concordia and framework adapters) that swarm_fast does not implement.
REFERENCE_ONLY_AGENTS = frozenset(
    """
    skill_honest skill_opportunistic
    adversarial_ralph coding_agent work_regime
    llm council concordia_entity crewai_adapter swarms_adapter letta
    """.split()
)

# Reference agent types that are not ported, with why (more precise than
# "out of scope").
_LETTA = (
    "Letta agents are LLM agents kept on a Letta server (letta.base_url; the "
    "reference reaches it through the letta_client package and the server calls "
    "an LLM provider), and swarm_fast does not call outside services"
)
NOT_PORTED_REASONS: dict[str, str] = {
    "letta": f"agent type 'letta' is refused: {_LETTA}",
    "crewai_adapter": "agent type 'crewai_adapter' is refused: its policy is a CrewAI "
    "crew (the crewai package) whose members call an LLM provider; swarm_fast's LLM "
    "agents are type 'llm' (a mock provider runs them offline)",
    "swarms_adapter": "agent type 'swarms_adapter' is refused: its policy is a swarms "
    "framework agent (the swarms package) that calls an LLM provider; swarm_fast's LLM "
    "agents are type 'llm' (a mock provider runs them offline)",
}

# Optional sections that are refused for a reason more precise than "out of
# scope".
SECTION_REFUSALS: dict[str, str] = {
    "letta": f"the letta subsystem is refused: {_LETTA}; remove the section and its "
    "'type: letta' agents",
}

# What swarm-safety 1.9.0 itself does with these: it fails, so swarm_fast
# refuses them and names the reference's failure.
REFERENCE_FAILURES = {
    "skill_honest": "TypeError: SkillEvolvingHonestAgent.__init__() got an unexpected "
    "keyword argument 'rng'",
    "skill_opportunistic": "TypeError: SkillEvolvingOpportunisticAgent.__init__() got an "
    "unexpected keyword argument 'rng'",
    "evo_game": "ModuleNotFoundError: No module named 'gamescape' (its evo_game handler "
    "imports it; swarm-safety does not depend on it)",
}


def _reference_fails(key: str, what: str) -> ScenarioError:
    why = REFERENCE_FAILURES[what]
    return ScenarioError(key, f"{what} is refused: swarm-safety 1.9.0 itself fails on it ({why})")


# Policy parameters the core agents read (spec §11): all numbers except the
# two switches.
AGENT_BOOL_PARAMS = frozenset({"target_honest", "optimize_per_epoch"})
AGENT_NUMBER_PARAMS = frozenset(
    """
    acceptance_threshold trust_weight post_probability vote_probability
    interact_probability risk_tolerance free_ride_probability trust_building_phase
    exploitation_threshold facade_probability attack_probability threshold
    base_threshold blacklist_threshold max_per_partner safety_margin
    exploitation_intensity warmup_interactions comfort_zone_floor
    max_consecutive_exploits optimization_rate quality_floor benchmark_threshold
    initial_quality initial_cost
    """.split()
)

TOPOLOGIES = ("complete", "ring", "star", "random_erdos_renyi", "small_world", "scale_free")
OUT_OF_SCOPE_TOPOLOGIES = ("custom",)
SCHEDULES = ("round_robin", "random", "priority")

# Optional subsystems (spec §19). Each is off when absent, empty, null or
# ``enabled: false``; otherwise it is refused. (contracts, perturbations and
# dynamic_toxicity are ported: contracts.py, perturbations.py,
# dynamic_toxicity.py; awm: awm.py.)
OPTIONAL_SECTIONS = (
    "kernel_oracle",
    "letta",
    "evo_game",
)

MAX_INT = 2**63 - 1  # every integer handed to Rust fits in an i64
MAX_U32 = 2**32 - 1

# ------------------------------------------------------------------ ranges
# A range is (low, low_is_strict, high); None means unbounded.
Range = tuple[Union[float, None], bool, Union[float, None]]
ANY: Range = (None, False, None)
UNIT: Range = (0.0, False, 1.0)
NONNEG: Range = (0.0, False, None)
POSITIVE: Range = (0.0, True, None)
AT_LEAST_1: Range = (1, False, None)
AT_LEAST_2: Range = (2, False, None)
# Amounts (payoffs, penalties, stakes, weights) are bounded so that no sum
# or product of a run can overflow float64: with at most 2**64 interactions,
# sums of products of two such amounts stay below 1e40.
MAX_AMOUNT = 1e9
AMOUNT: Range = (0.0, False, MAX_AMOUNT)

# ---------------------------------------------------------------- governance
# The governance keys the core implements: (key, kind, default, range). These
# are emitted, in this order, as config.rs's GovernanceConfig.
GOVERNANCE_CORE: tuple[tuple[str, str, Any, Range], ...] = (
    ("transaction_tax_rate", "float", 0.0, UNIT),
    ("transaction_tax_split", "float", 0.5, UNIT),
    ("reputation_decay_rate", "float", 1.0, UNIT),
    ("staking_enabled", "bool", False, ANY),
    ("min_stake_to_participate", "float", 0.0, AMOUNT),
    ("circuit_breaker_enabled", "bool", False, ANY),
    ("freeze_threshold_toxicity", "float", 0.7, UNIT),
    ("freeze_threshold_violations", "int", 3, AT_LEAST_1),
    ("freeze_duration_epochs", "int", 2, AT_LEAST_1),
    ("audit_enabled", "bool", False, ANY),
    ("audit_probability", "float", 0.1, UNIT),
    ("audit_penalty_multiplier", "float", 2.0, AMOUNT),
    ("audit_threshold_p", "float", 0.5, UNIT),
    ("collusion_detection_enabled", "bool", False, ANY),
    ("collusion_frequency_threshold", "float", 2.0, POSITIVE),
    ("collusion_min_interactions", "int", 3, AT_LEAST_1),
    ("collusion_score_threshold", "float", 0.5, UNIT),
    ("collusion_penalty_multiplier", "float", 1.0, AMOUNT),
    ("collusion_realtime_penalty", "bool", False, ANY),
    ("collusion_realtime_rate", "float", 0.1, AMOUNT),
    ("collusion_clear_history_on_epoch", "bool", False, ANY),
)

# Flags of levers swarm_fast does not implement: ``true`` is refused.
# (The security, RBAC and sybil levers are implemented: see levers.py.)
REFUSED_LEVERS = (
    "self_ensemble_enabled",
    "incoherence_breaker_enabled",
    "incoherence_friction_enabled",
    "decomposition_enabled",
    "hardware_trust_enabled",
)
# The memory levers: the write-rate limit acts on the memory_tiers
# subsystem's writes (memory_tiers.py); the other three never act (schema.py
# warns about them).


def _kinds(spec: str) -> dict[str, tuple[str, Range]]:
    """Parse a ``key kind range`` table (one key a line)."""
    ranges = {
        "any": ANY,
        "unit": UNIT,
        "nonneg": NONNEG,
        "pos": POSITIVE,
        "ge1": AT_LEAST_1,
        "ge2": AT_LEAST_2,
        "amount": AMOUNT,
        "signed": (-MAX_AMOUNT, False, MAX_AMOUNT),
    }
    table = {}
    for line in spec.strip().splitlines():
        key, kind, rng = line.split()
        table[key] = (kind, ranges[rng])
    return table


# Every other governance key the reference loader reads. swarm_fast checks
# them as the reference does (type, null, range) and then drops them: their
# levers are inert in the core, or off (a refused flag is checked first).
GOVERNANCE_OTHER = _kinds(
    """
    vote_normalization_enabled bool any
    max_vote_weight_per_agent float pos
    bandwidth_cap int nonneg
    stake_slash_rate float unit
    collusion_correlation_threshold float unit
    security_enabled bool any
    security_injection_threshold float unit
    security_manipulation_threshold float unit
    security_laundering_trust_gap float nonneg
    security_contagion_velocity float pos
    security_min_chain_length int ge2
    security_min_interactions int ge1
    security_penalty_threshold float unit
    security_quarantine_threshold float unit
    security_penalty_multiplier float amount
    security_realtime_penalty bool any
    security_realtime_threshold float unit
    security_realtime_rate float amount
    security_clear_history_on_epoch bool any
    sybil_detection_enabled bool any
    sybil_similarity_threshold float unit
    sybil_penalty_multiplier float amount
    sybil_realtime_penalty bool any
    sybil_realtime_rate float amount
    sybil_max_cluster_size int ge1
    council_lever_enabled bool any
    council_lever_review_probability float unit
    council_lever_penalty_multiplier float nonneg
    self_ensemble_enabled bool any
    self_ensemble_samples int ge1
    incoherence_breaker_enabled bool any
    incoherence_breaker_threshold float unit
    decomposition_enabled bool any
    decomposition_horizon_threshold int ge1
    incoherence_friction_enabled bool any
    incoherence_friction_rate float nonneg
    adaptive_governance_enabled bool any
    adaptive_incoherence_threshold float unit
    adaptive_use_behavioral_features bool any
    moltipedia_pair_cap_enabled bool any
    moltipedia_pair_cap_max int ge1
    moltipedia_page_cooldown_enabled bool any
    moltipedia_page_cooldown_steps int nonneg
    moltipedia_daily_cap_enabled bool any
    moltipedia_daily_policy_fix_cap float nonneg
    moltipedia_no_self_fix bool any
    moltbook_rate_limit_enabled bool any
    moltbook_post_cooldown_steps int nonneg
    moltbook_comment_cooldown_steps int nonneg
    moltbook_daily_comment_cap int nonneg
    moltbook_request_cap_per_step int nonneg
    moltbook_challenge_enabled bool any
    moltbook_challenge_difficulty float unit
    moltbook_challenge_window_steps int nonneg
    self_evolution_enabled bool any
    self_evolution_max_growth_rate float nonneg
    self_evolution_max_tools int ge1
    self_evolution_block_self_mod bool any
    self_evolution_divergence_threshold float unit
    self_evolution_tool_risk_threshold float unit
    self_evolution_growth_freeze_duration int ge1
    memory_promotion_gate_enabled bool any
    memory_promotion_min_quality float unit
    memory_promotion_min_verifications int nonneg
    memory_write_rate_limit_enabled bool any
    memory_write_rate_limit_per_epoch int nonneg
    memory_cross_verification_enabled bool any
    memory_cross_verification_k int ge1
    memory_provenance_enabled bool any
    memory_provenance_revert_penalty float nonneg
    rbac_enabled bool any
    rbac_violation_penalty float amount
    rbac_violation_reputation_penalty float signed
    rbac_high_stakes_actions strings any
    rbac_security_clearance_required int nonneg
    rbac_high_stakes_penalty_multiplier float amount
    rbac_role_action_map role_map any
    resample_enabled bool any
    resample_suspicion_threshold float unit
    resample_n_samples int ge1
    resample_trajectory_analysis bool any
    resample_trajectory_window int ge2
    resample_incrimination_threshold float pos
    resample_compute_cost float nonneg
    resample_evidence_decay float unit
    resample_evidence_rep_weight float nonneg
    self_modification_enabled bool any
    self_modification_max_per_epoch int ge1
    self_modification_tau_min_low float any
    self_modification_tau_min_medium float any
    self_modification_tau_min_high float any
    self_modification_k_max_low float nonneg
    self_modification_k_max_medium float nonneg
    self_modification_k_max_high float nonneg
    self_modification_window_days int ge1
    hardware_trust_enabled bool any
    hardware_trust_propagation_enabled bool any
    hardware_trust_recovery_max_steps int ge1
    """
)

PAYOFF_KEYS: tuple[tuple[str, float, Range], ...] = (
    ("s_plus", 2.0, AMOUNT),
    ("s_minus", 1.0, AMOUNT),
    ("h", 2.0, AMOUNT),
    ("theta", 0.5, UNIT),
    ("rho_a", 0.0, UNIT),
    ("rho_b", 0.0, UNIT),
    ("w_rep", 1.0, (0.0, False, 100.0)),
)
RATE_LIMIT_KEYS: tuple[tuple[str, int], ...] = (
    ("posts_per_epoch", 10),
    ("interactions_per_step", 5),
    ("votes_per_epoch", 50),
    ("tasks_per_epoch", 3),
    ("bounties_per_epoch", 3),
    ("bids_per_epoch", 5),
)
# The criteria the reference CLI checks; every other key is ignored by it.
CRITERIA_KEYS = (
    "min_epochs",
    "toxicity_threshold",
    "min_net_social_welfare",
    "min_separation_quality",
    "max_infiltration_rate",
    "min_welfare_delta",
    "min_attack_displacement",
)


# -------------------------------------------------------------------- values


def _fmt(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else repr(bound)


def _describe(rng: Range) -> str:
    lo, strict, hi = rng
    if lo is not None and hi is not None:
        return f"in [{_fmt(lo)}, {_fmt(hi)}]"
    if lo is not None:
        return f"{'>' if strict else '>='} {_fmt(lo)}"
    return f"<= {_fmt(hi)}" if hi is not None else "a number"


def _in_range(value: float, rng: Range) -> bool:
    lo, strict, hi = rng
    if lo is not None and (value <= lo if strict else value < lo):
        return False
    return hi is None or value <= hi


def _number(key: str, value: Any, kind: str = "float", rng: Range = ANY) -> Any:
    """A YAML number checked like the reference's models check it: an int is
    fine for a float and a whole float for an int. Unlike the reference,
    bools, quoted numbers, NaN and infinities are refused."""
    if value is None:
        raise ScenarioError(key, "must not be null")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(key, f"expected a number, got {short(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ScenarioError(key, f"must be a finite number, got {short(value)}")
    if kind == "int":
        if isinstance(value, float) and not value.is_integer():
            raise ScenarioError(key, f"expected a whole number, got {short(value)}")
        value = int(value)
        if abs(value) > MAX_INT:
            raise ScenarioError(key, f"is too large ({short(value)})")
    else:
        try:
            value = float(value)
        except OverflowError:
            raise ScenarioError(key, f"is too large ({short(value)})") from None
    if not _in_range(value, rng):
        raise ScenarioError(key, f"must be {_describe(rng)}, got {short(value)}")
    return value


def _bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ScenarioError(key, f"expected true or false, got {short(value)}")
    return value


def _strings(key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ScenarioError(key, f"expected a list of strings, got {short(value)}")
    return value


def _role_map(key: str, value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise ScenarioError(key, f"expected a mapping of lists, got {short(value)}")
    for role, actions in value.items():
        if not isinstance(role, str):
            raise ScenarioError(key, f"role names must be strings, got {short(role)}")
        _strings(f"{key}.{role}", actions)
    return value


def enabled_section(data: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    """An optional subsystem's section (``spawn:``, ``tierra:``): None when
    absent, empty or ``enabled: false``; a mapping otherwise, whose
    ``enabled`` (default true) is a checked bool."""
    section = data.get(name)
    if not section:
        return None
    if not isinstance(section, dict):
        raise ScenarioError(name, f"expected a mapping, got {short(section)}")
    enabled = section.get("enabled", True)
    if enabled is False:
        return None
    _value(f"{name}.enabled", enabled, "bool")
    return section


def _value(key: str, value: Any, kind: str, rng: Range = ANY) -> Any:
    """Check one value of the given kind (float, int, bool, strings, role_map)."""
    if kind == "bool":
        return _bool(key, value)
    if kind == "strings":
        return _strings(key, value)
    if kind == "role_map":
        return _role_map(key, value)
    return _number(key, value, kind, rng)


def _seed(key: str, seed: Any) -> int:
    """An integer seed. The reference fails on negative seeds (numpy's
    SeedSequence refuses them); swarm_fast's core keeps seeds in an i64."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ScenarioError(key, f"expected an integer seed, got {short(seed)}")
    if seed < 0:
        raise ScenarioError(key, f"must be >= 0 (the reference refuses it too), got {short(seed)}")
    if seed > MAX_INT:
        raise ScenarioError(key, f"must be < 2**63 for swarm_fast, got {short(seed)}")
    return seed


# ------------------------------------------------------------------ sections


def _mapping(name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ScenarioError(name, f"expected a mapping, got {short(value)}")
    return value


def _optional_section(data: Mapping[str, Any], name: str) -> dict[str, Any]:
    """A section the reference reads with ``if not data: defaults``: absent,
    null or empty means defaults; anything else must be a mapping."""
    value = data.get(name)
    return _mapping(name, value) if value else {}


def _required_mapping(data: Mapping[str, Any], name: str) -> dict[str, Any]:
    """A section the reference reads with ``.get`` directly (``simulation``,
    ``outputs``): absent means defaults, but null or a non-mapping makes the
    reference loader fail, so it is refused here too."""
    if name not in data:
        return {}
    value = data[name]
    if not isinstance(value, dict):
        raise ScenarioError(
            name, f"expected a mapping, got {short(value)} (remove the key for the defaults)"
        )
    return value


def _scenario_id(data: Mapping[str, Any]) -> str:
    value = data.get("scenario_id", "unnamed")
    if value is None:  # the reference accepts null (and runs with None)
        return "unnamed"
    if not isinstance(value, str):
        raise ScenarioError("scenario_id", f"expected a string, got {short(value)}")
    return value


def _simulation(data: Mapping[str, Any]) -> dict[str, Any]:
    sim = _required_mapping(data, "simulation")

    def count(key: str, default: int, limit: int = MAX_U32) -> int:
        return _number(f"simulation.{key}", sim.get(key, default), "int", (0, False, limit))

    seed = sim.get("seed")
    mode = sim.get("schedule_mode", "round_robin")
    if not isinstance(mode, str) or mode not in SCHEDULES:
        raise ScenarioError(
            "simulation.schedule_mode", f"must be one of {', '.join(SCHEDULES)}; got {short(mode)}"
        )
    return {
        "seed": None if seed is None else _seed("simulation.seed", seed),
        "n_epochs": count("n_epochs", 10, MAX_EPOCHS),
        "steps_per_epoch": count("steps_per_epoch", 10, MAX_STEPS),
        "schedule_mode": mode,
        "max_actions_per_step": count("max_actions_per_step", 20),
        "observation_noise_probability": _number(
            "simulation.observation_noise_probability",
            sim.get("observation_noise_probability", 0.0),
            "float",
            UNIT,
        ),
        "observation_noise_std": _number(
            "simulation.observation_noise_std",
            sim.get("observation_noise_std", 0.0),
            "float",
            NONNEG,
        ),
    }


def _agent_type(where: str, kind: Any) -> str:
    supported = ", ".join(SUPPORTED_AGENTS)
    if not isinstance(kind, str):
        raise ScenarioError(f"{where}.type", f"expected a string, got {short(kind)}")
    if kind in SUPPORTED_AGENTS:
        return kind
    if kind in REFERENCE_FAILURES:
        raise _reference_fails(f"{where}.type", kind)
    if kind in NOT_PORTED_REASONS:
        raise ScenarioError(f"{where}.type", NOT_PORTED_REASONS[kind])
    if kind in REFERENCE_ONLY_AGENTS:
        raise ScenarioError(
            f"{where}.type",
            f"agent type {short(kind)} exists in swarm-safety but is out of scope for swarm_fast "
            f"(supported: {supported})",
        )
    raise ScenarioError(
        f"{where}.type", f"unknown agent type {short(kind)} (supported: {supported})"
    )


def _agent_params(where: str, params: Any, kind: str = "honest") -> dict[str, Any]:
    """The policy parameters of one spec. Keys the core policies do not read
    are dropped, as the reference's policies never look at them."""
    if not params:  # null, {} (the reference's agents use ``config or {}``)
        return {}
    params = _mapping(f"{where}.config", params)
    if kind in FAMILY_PARAMS:
        return family_params(where, kind, params)
    out: dict[str, Any] = {}
    for key, value in params.items():
        if key in AGENT_BOOL_PARAMS:
            out[key] = _bool(f"{where}.config.{key}", value)
        elif key in AGENT_NUMBER_PARAMS:
            out[key] = _number(f"{where}.config.{key}", value)
    return out


def _agent(i: int, spec: Any) -> dict[str, Any]:
    where = f"agents[{i}]"
    spec = _mapping(where, spec)
    if spec.get("type") in ("python", "llm", "concordia_entity", "council"):
        # Agents whose policy is Python code (issue 13): checked there.
        from .agents.spec import external_agent

        return external_agent(where, spec)
    kind = _agent_type(where, spec.get("type", "honest"))
    # The reference makes range(count) agents: a negative count silently
    # makes none; swarm_fast refuses it. 0 is fine, as in the reference.
    count = _number(f"{where}.count", spec.get("count", 1), "int", (0, False, MAX_AGENTS))
    name = spec.get("name")
    if name is not None and not isinstance(name, str):
        raise ScenarioError(f"{where}.name", f"expected a string, got {short(name)}")
    return {
        "type": kind,
        "count": count,
        "name": name,
        "config": _agent_params(where, spec.get("config"), kind),
    }


def _agents(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    # No ``agents:`` (the escalation sandbox and CSM domain files) or an
    # empty list: the reference's orchestrator runs an empty population, and
    # so does swarm_fast. Null makes the reference fail.
    if "agents" not in data:
        return []
    specs = data["agents"]
    if specs is None:
        raise ScenarioError(
            "agents", "expected a list of agent specs, got null (remove the key for no agents)"
        )
    if not isinstance(specs, list):
        raise ScenarioError("agents", f"expected a list of agent specs, got {short(specs)}")
    out = [_agent(i, spec) for i, spec in enumerate(specs)]
    total = sum(a["count"] for a in out)
    if total > MAX_AGENTS:
        raise ScenarioError("agents", f"{total} agents; swarm_fast runs at most {MAX_AGENTS}")
    return out


def _payoff(data: Mapping[str, Any]) -> dict[str, float]:
    sec = _optional_section(data, "payoff")
    return {
        key: _number(f"payoff.{key}", sec.get(key, default), "float", rng)
        for key, default, rng in PAYOFF_KEYS
    }


def _rate_limits(data: Mapping[str, Any]) -> dict[str, int]:
    sec = _optional_section(data, "rate_limits")
    return {
        key: _number(f"rate_limits.{key}", sec.get(key, default), "int", NONNEG)
        for key, default in RATE_LIMIT_KEYS
    }


def _refuse_levers(gov: Mapping[str, Any]) -> None:
    for flag in REFUSED_LEVERS:
        if gov.get(flag) is True:
            raise ScenarioError(
                f"governance.{flag}",
                "this lever is out of scope for swarm_fast (its semantics are not "
                "implemented); remove the key or set it to false",
            )


def _governance(data: Mapping[str, Any]) -> dict[str, Any]:
    """The flat ``governance:`` mapping. Nested mappings and unknown keys are
    ignored, as by the reference."""
    gov = dict(_optional_section(data, "governance"))
    _refuse_levers(gov)
    # An alias is read only when the real key is absent (even a null real key wins).
    for key, alias in (
        ("transaction_tax_rate", "transaction_tax"),
        ("reputation_decay_rate", "reputation_decay"),
    ):
        if key not in gov and alias in gov:
            gov[key] = gov[alias]
    out = {
        key: _value(f"governance.{key}", gov.get(key, default), kind, rng)
        for key, kind, default, rng in GOVERNANCE_CORE
    }
    for key, (kind, rng) in GOVERNANCE_OTHER.items():
        if key in gov:  # checked like the reference, then dropped
            _value(f"governance.{key}", gov[key], kind, rng)
    out.update(lever_configs(gov))
    return out


def _network_params(net: Mapping[str, Any]) -> dict[str, Any]:
    """``params:`` must be a mapping when present (the reference fails on null)."""
    if "params" not in net:
        return {}
    return _mapping("network.params", net["params"])


def _network_value(
    net: Mapping[str, Any],
    params: Mapping[str, Any],
    nested: tuple[str, ...],
    flat: str,
    default: Any,
) -> tuple[str, Any]:
    """The first of ``params.<nested...>``, then ``<flat>``, then the default."""
    for name in nested:
        if name in params:
            return f"network.params.{name}", params[name]
    return f"network.{flat}", net.get(flat, default)


def _topology(net: Mapping[str, Any]) -> str:
    value = net.get("topology", "complete")
    if not isinstance(value, str):
        raise ScenarioError("network.topology", f"expected a string, got {short(value)}")
    topology = value.lower()
    supported = ", ".join(TOPOLOGIES)
    if topology in OUT_OF_SCOPE_TOPOLOGIES:
        raise ScenarioError(
            "network.topology",
            f"{short(topology)} is out of scope for swarm_fast (supported: {supported})",
        )
    if topology not in TOPOLOGIES:
        raise ScenarioError("network.topology", f"unknown topology {short(value)} ({supported})")
    return topology


def _network(data: Mapping[str, Any]) -> dict[str, Any] | None:
    net = data.get("network")
    if not net:
        return None
    net = _mapping("network", net)
    if net.get("enabled") is False:
        return None
    topology = _topology(net)
    params = _network_params(net)

    def param(nested: tuple[str, ...], flat: str, default: Any, kind: str, rng: Range) -> Any:
        key, value = _network_value(net, params, nested, flat, default)
        return _number(key, value, kind, rng)

    def flat(key: str, default: Any, rng: Range = ANY) -> float:
        return _number(f"network.{key}", net.get(key, default), "float", rng)

    threshold = net.get("reputation_disconnect_threshold")
    if threshold is not None:  # read by the reference, never used
        _number("network.reputation_disconnect_threshold", threshold)
    return {
        "topology": topology,
        "edge_probability": param(("edge_probability",), "edge_probability", 0.5, "float", UNIT),
        "k": param(("k", "k_neighbors"), "k_neighbors", 4, "int", AT_LEAST_2),
        "p": param(("p", "rewire_probability"), "rewire_probability", 0.1, "float", UNIT),
        "m": param(("m", "m_edges"), "m_edges", 2, "int", AT_LEAST_1),
        "dynamic": _bool("network.dynamic", net.get("dynamic", False)),
        "edge_strengthen_rate": flat("edge_strengthen_rate", 0.1),
        "edge_decay_rate": flat("edge_decay_rate", 0.05, UNIT),
        "min_edge_weight": flat("min_edge_weight", 0.1),
        "max_edge_weight": flat("max_edge_weight", 1.0),
    }


def _marketplace(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """Spec §13.1: a non-empty section switches the marketplace on unless it
    says ``enabled: false``."""
    sec = data.get("marketplace")
    if not sec:
        return None
    sec = _mapping("marketplace", sec)
    if sec.get("enabled") is False:
        return None
    if "enabled" in sec:
        _bool("marketplace.enabled", sec["enabled"])

    def get(key: str, default: Any, kind: str = "float", rng: Range = ANY) -> Any:
        return _number(f"marketplace.{key}", sec.get(key, default), kind, rng)

    get("bid_deadline_epochs", 3, "int")  # read by the reference, never used
    return {
        "escrow_fee_rate": get("escrow_fee_rate", 0.02, "float", UNIT),
        "min_bounty_amount": get("min_bounty_amount", 1.0, "float", AMOUNT),
        "max_bids_per_bounty": get("max_bids_per_bounty", 10, "int", AT_LEAST_1),
        "dispute_resolution_epochs": get("dispute_resolution_epochs", 2, "int"),
        "auto_expire_bounties": _bool(
            "marketplace.auto_expire_bounties", sec.get("auto_expire_bounties", True)
        ),
        "dispute_default_split": get("dispute_default_split", 0.5, "float", UNIT),
    }


def _criteria(data: Mapping[str, Any]) -> dict[str, float | None]:
    """The criteria the CLI checks; null or absent means "not checked"."""
    sec = _optional_section(data, "success_criteria")
    return {
        key: None if sec.get(key) is None else _number(f"success_criteria.{key}", sec[key])
        for key in CRITERIA_KEYS
    }


# ------------------------------------------------------- out-of-scope features


def _subsystem_on(name: str, value: Any) -> bool:
    """Whether an optional top-level section switches its subsystem on, by
    the reference loader's rule for that section."""
    if not value:
        return False
    if not isinstance(value, dict):
        return True  # the reference fails on it; refusing is as good
    return value.get("enabled") is not False


# The handler subsystems of issue 17 item 5, each checked against the
# reference on its own; they share the trace's codes for parties that are no
# agent, so two in one run are refused until checked together.
HANDLER_SUBSYSTEMS = (
    "resource_negotiation",
    "moltbook",
    "memory_tiers",
    "rivals",
    "contracts",
    "moltipedia",
    "scholar",
    "awm",
)


def _one_handler_subsystem(config: Mapping[str, Any]) -> None:
    on = [name for name in HANDLER_SUBSYSTEMS if config.get(name)]
    if len(on) > 1:
        raise ScenarioError(
            on[1],
            f"not supported together with {on[0]}: in one run yet (each subsystem is "
            "checked against the reference on its own)",
        )


def _refuse_subsystems(data: Mapping[str, Any]) -> None:
    for name in OPTIONAL_SECTIONS:
        if name in REFERENCE_FAILURES and _subsystem_on(name, data.get(name)):
            raise _reference_fails(name, name)
        if name in SECTION_REFUSALS and _subsystem_on(name, data.get(name)):
            raise ScenarioError(name, SECTION_REFUSALS[name])
        if _subsystem_on(name, data.get(name)):
            raise ScenarioError(
                name,
                f"the {short(name)} subsystem is out of scope for swarm_fast; remove the section "
                "or switch it off",
            )
    outputs = _required_mapping(data, "outputs")
    if outputs.get("graph_memory_path") is not None:
        raise ScenarioError(
            "outputs.graph_memory_path",
            "graph memory (cross-run trust priors) is out of scope for swarm_fast",
        )


# ------------------------------------------------------------------ normalise


def normalize(data: Any) -> dict[str, Any]:
    """Validate a scenario mapping and return the Rust core's configuration
    (the shape of config.rs's ``RunConfig`` minus ``record_interactions``)."""
    if not isinstance(data, dict):
        raise ScenarioError("<scenario>", f"expected a YAML mapping, got {type(data).__name__}")
    _refuse_subsystems(data)
    config: dict[str, Any] = {"scenario_id": _scenario_id(data)}
    config.update(_simulation(data))
    config["agents"] = _agents(data)
    config["payoff"] = _payoff(data)
    config["rate_limits"] = _rate_limits(data)
    config["governance"] = _governance(data)
    check_resample_agents(config)
    config["network"] = _network(data)
    config["marketplace"] = _marketplace(data)
    config["dynamic_toxicity"] = dynamic_toxicity.parse(data)
    config["perturbations"] = perturbations.parse(data)
    config["spawn"] = spawn.parse(data)
    config["tierra"] = tierra.parse(data)
    config["resource_negotiation"] = resource_negotiation.parse(data)
    config["moltbook"] = moltbook.parse(data, config)
    config["memory_tiers"] = memory_tiers.parse(data, _optional_section(data, "governance"))
    config["rivals"] = rivals.parse(data)
    rivals.check_roles(config)
    config["contracts"] = contracts.parse(data)
    config["moltipedia"] = moltipedia.parse(data)
    config["scholar"] = scholar.parse(data)
    config["awm"] = awm.parse(data)
    awm.check_agents(data, config)
    config["success_criteria"] = _criteria(data)
    tierra.check_growth(config)
    memory_tiers.check_combinations(config)
    moltipedia.check_compatible(config, data)
    _one_handler_subsystem(config)
    model = core_model(data)
    if model is not None:  # absent: the reference model, bit for bit
        config["model"] = model
        if model["adaptive_controller"]:
            gov = _optional_section(data, "governance")
            config["governance"]["adaptive_controller"] = controller_config(gov)
    contracts.check_compatible(config)
    scholar.check_compat(config)
    awm.check_compat(config)
    return config


# ------------------------------------------------------------------ overrides

_INDEX = re.compile(r"\[([0-9]+)\]")
MAX_KEY_LENGTH = 1000  # characters of an override key


def _split_key(key: Any) -> list[str]:
    """``agents[0].count`` and ``agents.0.count`` both give the same path."""
    if not isinstance(key, str):
        raise ArgumentTypeError(
            "overrides", f"override keys are dotted YAML paths (strings), got {short(key)}"
        )
    if len(key) > MAX_KEY_LENGTH:
        raise ScenarioError(short_key(key), f"override key longer than {MAX_KEY_LENGTH} characters")
    parts = _INDEX.sub(r".\1", key).split(".")
    if not key or any(not part for part in parts):
        raise ScenarioError(
            "overrides",
            f"{short(key)} is not a dotted YAML path (e.g. governance.audit_probability)",
        )
    return parts


def _set_path(data: dict[str, Any], parts: list[str], value: Any) -> None:
    node: Any = data
    for depth, part in enumerate(parts):
        where = ".".join(parts[: depth + 1])
        last = depth == len(parts) - 1
        if isinstance(node, list):
            if not (part.isdecimal() and part.isascii()) or int(part) >= len(node):
                raise ScenarioError(
                    where, f"no list entry {short(part)} (the list has {len(node)})"
                )
            index: Any = int(part)
        elif isinstance(node, dict):
            index = part
            if not last and node.get(part) is None:
                node[part] = {}  # create missing mappings on the way
        else:
            raise ScenarioError(where, f"cannot set a key inside {type(node).__name__}")
        if last:
            node[index] = copy.deepcopy(value)
        else:
            node = node[index]


def apply_overrides(raw: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Set dotted YAML paths (``governance.transaction_tax_rate``,
    ``agents.0.count`` or ``agents[0].count``) on a deep copy of ``raw``.

    Every key must name a key the scenario format defines (see
    ``swarm_fast.schema``): a misspelt key is an error with a suggestion,
    and so is an alias that another key of the result shadows."""
    if not isinstance(overrides, Mapping):
        raise ArgumentTypeError(
            "overrides", f"expected a mapping of dotted keys to values, got {short(overrides)}"
        )
    data = copy.deepcopy(dict(raw))
    nodes = []
    for key, value in overrides.items():
        parts = _split_key(key)
        check_structure(value, key)
        node = check_override_key(data, parts)
        _set_path(data, parts, value)
        nodes.append((parts, node))
    for parts, node in nodes:
        check_shadowed(data, parts, node)
    return data


# ------------------------------------------------------------------ scenarios


# Config keys a run can set (seed, epochs, steps, trace); the rest is fixed.
_PER_RUN = ("seed", "n_epochs", "steps_per_epoch", "record_interactions")


class Scenario:
    """A validated scenario: its YAML mapping and the normalised config.

    Treat it as immutable: :meth:`with_overrides` returns a new one, and
    ``raw``/``config`` hand out copies.
    """

    def __init__(
        self,
        raw: Mapping[str, Any],
        path: Path | None = None,
        _known_warnings: frozenset[str] = frozenset(),
        _overridden: bool = False,
    ) -> None:
        where = short_key(str(path)) if path else "<scenario>"
        if not isinstance(raw, Mapping):
            raise ScenarioError(where, f"expected a YAML mapping, got {type(raw).__name__}")
        # Bounded before anything walks or copies it (deep nesting, aliases).
        check_structure(raw, where)
        self._path = path
        self._raw = copy.deepcopy(dict(raw))
        self._config = normalize(self._raw)
        # Keys accepted but ignored: told once per scenario, not per override.
        self._warnings = frozenset(file_warnings(self._raw))
        new = sorted(self._warnings - _known_warnings)
        if new and _overridden:
            # Only the overrides changed the mapping: an override (or a key
            # inside an override's value) that would be ignored is an error.
            key, _, why = new[0].partition(": ignored, ")
            raise ScenarioError(key, f"set by an override but {why}")
        if new:
            _warn_ignored(where, new)
        # The JSON of everything a run cannot override, encoded once: small
        # runs are short enough for re-encoding to show (issue 4).
        fixed = {k: v for k, v in self._config.items() if k not in _PER_RUN}
        self._fixed_json = json.dumps(fixed)
        # The core's parsed copy, made at the first run (not pickled).
        self._core_config: Any = None
        # Epoch counts whose memory estimate was checked (see to_json).
        self._fits: set[int] = set()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_core_config"] = None
        return state

    @property
    def path(self) -> Path | None:
        """The file the scenario was read from, or None."""
        return self._path

    @property
    def raw(self) -> dict[str, Any]:
        """A copy of the scenario's YAML mapping."""
        return copy.deepcopy(self._raw)

    @property
    def config(self) -> dict[str, Any]:
        """A copy of the normalised configuration (config.rs's shape)."""
        return copy.deepcopy(self._config)

    @property
    def scenario_id(self) -> str:
        return str(self._config["scenario_id"])

    @property
    def n_agents(self) -> int:
        return sum(int(a["count"]) for a in self._config["agents"])

    def with_overrides(self, overrides: Mapping[str, Any]) -> Scenario:
        """A new scenario with dotted YAML overrides applied to the raw
        mapping, then validated again."""
        return Scenario(apply_overrides(self._raw, overrides), self._path, self._warnings, True)

    def to_json(
        self,
        seed: int | None = None,
        epochs: int | None = None,
        steps: int | None = None,
        record_interactions: bool = False,
    ) -> str:
        """The configuration of one run as JSON for the core. ``seed``,
        ``epochs`` and ``steps`` override ``simulation.seed``/``n_epochs``/
        ``steps_per_epoch`` as the reference CLI's flags do."""
        seed_, epochs_, steps_, record = self._run_args(seed, epochs, steps, record_interactions)
        if epochs_ not in self._fits:  # once per scenario and epoch count
            self._memory_budget(epochs_, epochs is not None)
            self._fits.add(epochs_)
        # One JSON object: the per-run keys (validated integers, written out
        # directly: json.dumps costs more than a small run's set-up), then
        # the fixed ones.
        return (
            f'{{"seed": {seed_}, "n_epochs": {epochs_}, "steps_per_epoch": {steps_}, '
            f'"record_interactions": {"true" if record else "false"}, '
        ) + self._fixed_json[1:]

    def _run_args(
        self, seed: Any, epochs: Any, steps: Any, record_interactions: Any
    ) -> tuple[int, int, int, bool]:
        """The per-run keys, validated: the file's values unless given."""
        cfg = {k: self._config.get(k) for k in _PER_RUN}
        if seed is not None:
            cfg["seed"] = _seed("seed", seed)
        if epochs is not None:
            cfg["n_epochs"] = _number("epochs", epochs, "int", (0, False, MAX_EPOCHS))
        if steps is not None:
            cfg["steps_per_epoch"] = _number("steps", steps, "int", (0, False, MAX_STEPS))
        if cfg["seed"] is None:
            raise ScenarioError(
                "simulation.seed",
                "the scenario sets no seed: pass seed=... (swarm_fast runs are reproducible)",
            )
        record = _bool("record_interactions", record_interactions)
        return int(cfg["seed"]), int(cfg["n_epochs"]), int(cfg["steps_per_epoch"]), record

    def _memory_budget(
        self, epochs: int, epochs_given: bool, record: bool = False, steps: int | None = None
    ) -> int | None:
        """Check that a run with ``epochs`` epochs fits in this machine's
        available memory (see ``swarm_fast.limits``); with ``record``,
        return how many interaction-trace rows the rest leaves room for
        (None: no limit known or needed). ``steps``: the run's steps per
        epoch, which bound its trace."""
        if not record and epochs in self._fits:
            return None  # checked before (see to_json)
        agents, epoch_rows, overhead = run_memory(self._config, epochs)
        small = agents + epoch_rows <= SMALL_RUN_BYTES
        if not record and small:
            self._fits.add(epochs)
            return None  # reading the machine's state would cost more than the run
        if record and small and steps is not None:
            bound = trace_bound(self._config, epochs, steps)
            if bound is not None and bound <= SMALL_RUN_BYTES:
                # Even its largest trace is small: no limit needed, and
                # reading the machine's state would cost more than the run.
                return None
        free = available_memory()
        if free is None:
            return None
        have = f"this machine has {gib(free)} available"
        if agents + overhead > free:
            n = sum(int(a["count"]) for a in self._config["agents"])
            counts = [i for i, a in enumerate(self._config["agents"]) if a["count"]]
            key = f"agents[{counts[0]}].count" if len(counts) == 1 else "agents"
            raise ScenarioError(key, f"{n} agents need ≈ {gib(agents + overhead)}; {have}")
        if agents + epoch_rows + overhead > free:
            key = "epochs" if epochs_given else "simulation.n_epochs"
            raise ScenarioError(
                key, f"{epochs} epochs of metrics need ≈ {gib(epoch_rows)} more; {have}"
            )
        return trace_row_budget(free - agents - epoch_rows - overhead)

    def _core(self) -> Any:
        """The core's parsed copy of the fixed configuration, made once:
        a small run is short enough for re-parsing its JSON to show."""
        if self._core_config is None:
            from . import _core

            # Placeholder per-run keys: every run sets its own.
            self._core_config = _core.Config(self.to_json(seed=0, epochs=0, steps=0))
        return self._core_config

    def _summary_config(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """success_criteria and payoff, read (not copied) for summaries."""
        return self._config.get("success_criteria") or {}, self._config.get("payoff") or {}

    def __repr__(self) -> str:
        where = f", path={str(self._path)!r}" if self._path else ""
        return f"Scenario({self.scenario_id!r}, agents={self.n_agents}{where})"


def bundled_scenarios() -> dict[str, Path]:
    """The scenario files shipped inside swarm_fast (the paper's seven)."""
    folder = resources.files("swarm_fast") / "scenarios"
    return {
        Path(str(p)).stem: Path(str(p))
        for p in sorted(folder.iterdir(), key=lambda p: p.name)
        if p.name.endswith(".yaml")
    }


MAX_WARNING_LINES = 50
# A run whose agents and epoch rows take less than this is not checked
# against the machine's memory (the check costs about as much as a small run).
SMALL_RUN_BYTES = 64 * 1024 * 1024


def _warn_ignored(where: str, lines: list[str]) -> None:
    shown = lines[:MAX_WARNING_LINES]
    if len(lines) > MAX_WARNING_LINES:
        shown.append(f"... and {len(lines) - MAX_WARNING_LINES} more")
    body = "\n  ".join(shown)
    warnings.warn(
        ScenarioWarning(f"{where}: keys accepted but ignored (as by swarm-safety):\n  {body}"),
        stacklevel=_caller_level(),
    )


def _caller_level() -> int:
    """The stack level of the first frame outside swarm_fast, so that the
    warning points at the user's call."""
    package = os.path.dirname(os.path.abspath(__file__))
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def load_scenario(source: str | Path | Mapping[str, Any]) -> Scenario:
    """Load a scenario from a YAML file path, a bundled scenario name
    (``"baseline"``) or a mapping with the YAML's content.

    Files must be regular files of at most ``limits.MAX_FILE_BYTES``; see
    ``swarm_fast.limits`` for the other bounds."""
    if isinstance(source, Mapping):
        return Scenario(source)
    if not isinstance(source, (str, Path)):
        raise ArgumentTypeError(
            "scenario", f"expected a path, a name or a mapping, got {short(source)}"
        )
    path = Path(source)
    try:
        exists = os.path.lexists(path)
    except (OSError, ValueError):  # ValueError: an embedded NUL byte
        exists = True  # let the read say why it cannot be opened
    if not exists:
        bundled = bundled_scenarios()
        if isinstance(source, str) and source in bundled:
            path = bundled[source]
        else:
            raise ScenarioError(
                short_key(str(source)),
                f"no such file, and not a bundled scenario ({', '.join(sorted(bundled))})",
            )
    return Scenario(read_scenario_file(path), path)
