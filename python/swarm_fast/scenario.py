"""Scenario loading and validation.

Reads the reference's scenario YAML (swarm-safety 1.9.0) unchanged, with the
reference loader's rules: missing keys take their defaults, unknown keys are
ignored, ``transaction_tax``/``reputation_decay`` are aliases, network
parameters may sit under ``params:`` or flat. The result is the normalised
run configuration the Rust core reads (``rust/swarm-core/src/config.rs``).

Anything invalid raises :class:`ScenarioError` naming the dotted key; so does
switching on a feature swarm_fast does not implement (spec §20.6), rather
than running it with different semantics.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .errors import ScenarioError

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
SUPPORTED_AGENTS = (
    "honest",
    "opportunistic",
    "deceptive",
    "adversarial",
    "adaptive_adversary",
    "cautious",
    "cautious_reciprocator",
    "threshold_dancer",
)
# Types the reference registers that swarm_fast does not implement.
REFERENCE_ONLY_AGENTS = frozenset(
    "ldt modeling_adversary diligent_editor point_farmer collusive_editor vandal "
    "diligent_moltbook spam_bot human_pretender collusive_voter diligent_recorder "
    "memory_poisoner cache_gamer collusive_verifier retriever synthesizer verifier "
    "adversarial_retriever adversarial_synthesizer rlm skill_honest skill_opportunistic "
    "skillrl self_optimizer hyperagent_self_mod rivals_producer rivals_critic obfuscating "
    "awm_agent rain river ralph_loop adversarial_ralph coding_agent tierra work_regime "
    "fair_negotiator greedy_negotiator strategic_negotiator llm council concordia_entity "
    "crewai swarms letta".split()
)

# Policy parameters the core agents read (spec §11), with their kind.
AGENT_PARAMS: dict[str, str] = {
    **{
        k: "float"
        for k in (
            "acceptance_threshold trust_weight post_probability vote_probability "
            "interact_probability risk_tolerance free_ride_probability trust_building_phase "
            "exploitation_threshold facade_probability attack_probability threshold "
            "base_threshold blacklist_threshold max_per_partner safety_margin "
            "exploitation_intensity warmup_interactions comfort_zone_floor "
            "max_consecutive_exploits"
        ).split()
    },
    "target_honest": "bool",
}

# Governance levers whose semantics swarm_fast does not implement: switching
# one on is refused. (Levers that are inert in the reference's core path —
# moltipedia, moltbook, memory, decomposition, hardware trust, council,
# adaptive gating, vote normalisation — are accepted: they change nothing.)
REFUSED_LEVERS = (
    "security_enabled",
    "sybil_detection_enabled",
    "self_ensemble_enabled",
    "resample_enabled",
    "incoherence_breaker_enabled",
    "incoherence_friction_enabled",
    "rbac_enabled",
)
# Optional subsystems (spec §19): refused when present and switched on.
REFUSED_SECTIONS = (
    "moltipedia",
    "moltbook",
    "memory_tiers",
    "scholar",
    "kernel_oracle",
    "spawn",
    "rivals",
    "awm",
    "letta",
    "perturbations",
    "contracts",
    "evo_game",
    "resource_negotiation",
    "tierra",
    "dynamic_toxicity",
)
TOPOLOGIES = ("complete", "ring", "star", "random_erdos_renyi", "small_world")
SCHEDULES = ("round_robin", "random", "priority")

# (key, kind, default, lo, hi) for the governance keys the core uses; kind
# "float" | "int" | "bool"; lo/hi inclusive bounds (None = open).
GOVERNANCE_KEYS: list[tuple[str, str, Any, float | None, float | None]] = [
    ("transaction_tax_rate", "float", 0.0, 0.0, 1.0),
    ("transaction_tax_split", "float", 0.5, 0.0, 1.0),
    ("reputation_decay_rate", "float", 1.0, 0.0, 1.0),
    ("staking_enabled", "bool", False, None, None),
    ("min_stake_to_participate", "float", 0.0, 0.0, None),
    ("circuit_breaker_enabled", "bool", False, None, None),
    ("freeze_threshold_toxicity", "float", 0.7, 0.0, 1.0),
    ("freeze_threshold_violations", "int", 3, 1, None),
    ("freeze_duration_epochs", "int", 2, 1, None),
    ("audit_enabled", "bool", False, None, None),
    ("audit_probability", "float", 0.1, 0.0, 1.0),
    ("audit_penalty_multiplier", "float", 2.0, 0.0, None),
    ("audit_threshold_p", "float", 0.5, 0.0, 1.0),
    ("collusion_detection_enabled", "bool", False, None, None),
    ("collusion_frequency_threshold", "float", 2.0, 0.0, None),
    ("collusion_min_interactions", "int", 3, 1, None),
    ("collusion_score_threshold", "float", 0.5, 0.0, 1.0),
    ("collusion_penalty_multiplier", "float", 1.0, 0.0, None),
    ("collusion_realtime_penalty", "bool", False, None, None),
    ("collusion_realtime_rate", "float", 0.1, 0.0, None),
    ("collusion_clear_history_on_epoch", "bool", False, None, None),
]
# Read and range-checked by the reference, but inert in the core (spec §10.5).
INERT_GOVERNANCE_KEYS: list[tuple[str, str, Any, float | None, float | None]] = [
    ("vote_normalization_enabled", "bool", False, None, None),
    ("max_vote_weight_per_agent", "float", 10.0, 0.0, None),
    ("bandwidth_cap", "int", 10, 0, None),
    ("stake_slash_rate", "float", 0.1, 0.0, 1.0),
    ("collusion_correlation_threshold", "float", 0.7, 0.0, 1.0),
]
PAYOFF_KEYS = [
    ("s_plus", 2.0, 0.0, None),
    ("s_minus", 1.0, 0.0, None),
    ("h", 2.0, 0.0, None),
    ("theta", 0.5, 0.0, 1.0),
    ("rho_a", 0.0, 0.0, 1.0),
    ("rho_b", 0.0, 0.0, 1.0),
    ("w_rep", 1.0, 0.0, 100.0),
]
RATE_LIMIT_KEYS = [
    ("posts_per_epoch", 10),
    ("interactions_per_step", 5),
    ("votes_per_epoch", 50),
    ("tasks_per_epoch", 3),
    ("bounties_per_epoch", 3),
    ("bids_per_epoch", 5),
]
CRITERIA_KEYS = (
    "min_epochs",
    "toxicity_threshold",
    "min_net_social_welfare",
    "min_separation_quality",
    "max_infiltration_rate",
    "min_welfare_delta",
    "min_attack_displacement",
)
MAX_SEED = 2**63 - 1


# --------------------------------------------------------------------- values


def _number(key: str, value: Any, kind: str = "float", lo=None, hi=None) -> float | int:
    """Check a number like the reference's pydantic models do (an int is
    accepted for a float, a whole float for an int), but refuse bools,
    strings, NaN and infinities outright."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(key, f"expected a number, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ScenarioError(key, f"must be a finite number, got {value!r}")
    if kind == "int":
        if isinstance(value, float):
            if not value.is_integer():
                raise ScenarioError(key, f"expected a whole number, got {value!r}")
            value = int(value)
    else:
        value = float(value)
    if lo is not None and value < lo:
        bound = f"in [{lo}, {hi}]" if hi is not None else f">= {lo}"
        raise ScenarioError(key, f"must be {bound}, got {value!r}")
    if hi is not None and value > hi:
        bound = f"in [{lo}, {hi}]" if lo is not None else f"<= {hi}"
        raise ScenarioError(key, f"must be {bound}, got {value!r}")
    return value


def _bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ScenarioError(key, f"expected true or false, got {value!r}")
    return value


def _field(
    section: str,
    sec: Mapping[str, Any],
    key: str,
    default: Any,
    kind: str = "float",
    lo: float | None = None,
    hi: float | None = None,
) -> Any:
    """Read ``section.key`` (default when missing) and check it."""
    return _number(f"{section}.{key}", sec.get(key, default), kind, lo, hi)


def _section(data: Mapping[str, Any], name: str) -> dict[str, Any]:
    """A top-level mapping; missing, null or empty means defaults."""
    value = data.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ScenarioError(name, f"expected a mapping, got {type(value).__name__}")
    return value


def _switched_on(value: Any) -> bool:
    if value is None or value == {} or value is False:
        return False
    if isinstance(value, dict) and value.get("enabled") is False:
        return False
    return True


# ------------------------------------------------------------------- sections


def _simulation(data: Mapping[str, Any]) -> dict[str, Any]:
    sim = _section(data, "simulation")
    out = {
        "n_epochs": _field("simulation", sim, "n_epochs", 10, "int", 0),
        "steps_per_epoch": _field("simulation", sim, "steps_per_epoch", 10, "int", 0),
        "max_actions_per_step": _field("simulation", sim, "max_actions_per_step", 20, "int", 0),
        "observation_noise_probability": _field(
            "simulation", sim, "observation_noise_probability", 0.0, "float", 0.0, 1.0
        ),
        "observation_noise_std": _field(
            "simulation", sim, "observation_noise_std", 0.0, "float", 0.0
        ),
    }
    mode = sim.get("schedule_mode", "round_robin")
    if mode not in SCHEDULES:
        raise ScenarioError(
            "simulation.schedule_mode", f"must be one of {', '.join(SCHEDULES)}; got {mode!r}"
        )
    out["schedule_mode"] = mode
    seed = sim.get("seed")
    out["seed"] = None if seed is None else _seed("simulation.seed", seed)
    for key in ("n_epochs", "steps_per_epoch", "max_actions_per_step"):
        if out[key] > 2**32 - 1:
            raise ScenarioError(f"simulation.{key}", "is too large")
    return out


def _seed(key: str, seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ScenarioError(key, f"expected an integer seed, got {seed!r}")
    if abs(seed) > MAX_SEED:
        raise ScenarioError(key, f"must fit in 64 bits, got {seed}")
    return seed


def _agents(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    specs = data.get("agents")
    if specs is None or specs == []:
        raise ScenarioError("agents", "at least one agent is required")
    if not isinstance(specs, list):
        raise ScenarioError("agents", f"expected a list, got {type(specs).__name__}")
    out = []
    for i, spec in enumerate(specs):
        where = f"agents[{i}]"
        if not isinstance(spec, dict):
            raise ScenarioError(where, f"expected a mapping, got {spec!r}")
        kind = spec.get("type", "honest")
        if kind not in SUPPORTED_AGENTS:
            if kind in REFERENCE_ONLY_AGENTS:
                raise ScenarioError(
                    f"{where}.type",
                    f"agent type {kind!r} exists in swarm-safety but is out of scope for "
                    f"swarm_fast (supported: {', '.join(SUPPORTED_AGENTS)})",
                )
            raise ScenarioError(
                f"{where}.type",
                f"unknown agent type {kind!r} (supported: {', '.join(SUPPORTED_AGENTS)})",
            )
        count = _number(f"{where}.count", spec.get("count", 1), "int", 0)
        name = spec.get("name")
        if name is not None and not isinstance(name, str):
            raise ScenarioError(f"{where}.name", f"expected a string, got {name!r}")
        params = spec.get("config") or {}
        if not isinstance(params, dict):
            raise ScenarioError(f"{where}.config", f"expected a mapping, got {params!r}")
        config = {}
        for key, value in params.items():
            kind_ = AGENT_PARAMS.get(key)
            if kind_ == "bool":
                config[key] = _bool(f"{where}.config.{key}", value)
            elif kind_ == "float":
                config[key] = _number(f"{where}.config.{key}", value)
            # Other keys are ignored, as the reference's policies ignore them.
        out.append({"type": kind, "count": count, "name": name, "config": config})
    if sum(a["count"] for a in out) == 0:
        raise ScenarioError("agents", "every agent count is 0: the scenario has no agents")
    return out


def _payoff(data: Mapping[str, Any]) -> dict[str, float]:
    sec = _section(data, "payoff")
    return {
        key: _number(f"payoff.{key}", sec.get(key, default), "float", lo, hi)
        for key, default, lo, hi in PAYOFF_KEYS
    }


def _rate_limits(data: Mapping[str, Any]) -> dict[str, int]:
    sec = _section(data, "rate_limits")
    return {
        key: _number(f"rate_limits.{key}", sec.get(key, default), "int", 0, 2**63 - 1)
        for key, default in RATE_LIMIT_KEYS
    }


def _governance(data: Mapping[str, Any]) -> dict[str, Any]:
    gov = _section(data, "governance")
    for flag in REFUSED_LEVERS:
        if gov.get(flag) is True:
            raise ScenarioError(
                f"governance.{flag}",
                "this lever is out of scope for swarm_fast (its semantics are not "
                "implemented); remove it or set it to false",
            )
    if "transaction_tax_rate" not in gov and "transaction_tax" in gov:
        gov = {**gov, "transaction_tax_rate": gov["transaction_tax"]}
    if "reputation_decay_rate" not in gov and "reputation_decay" in gov:
        gov = {**gov, "reputation_decay_rate": gov["reputation_decay"]}

    def read(spec: tuple[str, str, Any, float | None, float | None]) -> Any:
        key, kind, default, lo, hi = spec
        value, dotted = gov.get(key, default), f"governance.{key}"
        if value is None:
            raise ScenarioError(dotted, "must not be null")
        return _bool(dotted, value) if kind == "bool" else _number(dotted, value, kind, lo, hi)

    out = {spec[0]: read(spec) for spec in GOVERNANCE_KEYS}
    for spec in INERT_GOVERNANCE_KEYS:  # validated like the reference, then dropped
        read(spec)
    if out["collusion_frequency_threshold"] <= 0:
        raise ScenarioError("governance.collusion_frequency_threshold", "must be > 0")
    return out


def _network(data: Mapping[str, Any]) -> dict[str, Any] | None:
    net = data.get("network")
    if not net:
        return None
    if not isinstance(net, dict):
        raise ScenarioError("network", f"expected a mapping, got {net!r}")
    if net.get("enabled") is False:
        return None
    topology = net.get("topology", "complete")
    if not isinstance(topology, str):
        raise ScenarioError("network.topology", f"expected a string, got {topology!r}")
    topology = topology.lower()
    if topology in ("scale_free", "custom"):
        raise ScenarioError(
            "network.topology",
            f"{topology!r} is out of scope for swarm_fast (supported: {', '.join(TOPOLOGIES)})",
        )
    if topology not in TOPOLOGIES:
        raise ScenarioError(
            "network.topology",
            f"unknown topology {topology!r} (supported: {', '.join(TOPOLOGIES)})",
        )
    params = net.get("params") or {}
    if not isinstance(params, dict):
        raise ScenarioError("network.params", f"expected a mapping, got {params!r}")

    def param(names: tuple[str, ...], flat: str, default: Any) -> tuple[str, Any]:
        for n in names:
            if n in params:
                return f"network.params.{n}", params[n]
        return f"network.{flat}", net.get(flat, default)

    k_key, k = param(("k", "k_neighbors"), "k_neighbors", 4)
    p_key, p = param(("p", "rewire_probability"), "rewire_probability", 0.1)
    e_key, e = param(("edge_probability",), "edge_probability", 0.5)
    m_key, m = param(("m", "m_edges"), "m_edges", 2)
    _number(m_key, m, "int", 1)
    return {
        "topology": topology,
        "edge_probability": _number(e_key, e, "float", 0.0, 1.0),
        "k": _number(k_key, k, "int", 2),
        "p": _number(p_key, p, "float", 0.0, 1.0),
        "dynamic": _bool("network.dynamic", net.get("dynamic", False)),
        "edge_strengthen_rate": _number(
            "network.edge_strengthen_rate", net.get("edge_strengthen_rate", 0.1)
        ),
        "edge_decay_rate": _number(
            "network.edge_decay_rate", net.get("edge_decay_rate", 0.05), "float", 0.0, 1.0
        ),
        "min_edge_weight": _number("network.min_edge_weight", net.get("min_edge_weight", 0.1)),
        "max_edge_weight": _number("network.max_edge_weight", net.get("max_edge_weight", 1.0)),
    }


def _marketplace(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """Spec §13.1: present and not ``enabled: false`` switches it on."""
    sec = data.get("marketplace")
    if not sec:
        return None
    if not isinstance(sec, dict):
        raise ScenarioError("marketplace", f"expected a mapping, got {sec!r}")
    if sec.get("enabled") is False:
        return None
    if "enabled" in sec:
        _bool("marketplace.enabled", sec["enabled"])
    _field("marketplace", sec, "bid_deadline_epochs", 3, "int")  # read, never used
    return {
        "escrow_fee_rate": _field("marketplace", sec, "escrow_fee_rate", 0.02, "float", 0.0, 1.0),
        "min_bounty_amount": _field("marketplace", sec, "min_bounty_amount", 1.0, "float", 0.0),
        "max_bids_per_bounty": _field("marketplace", sec, "max_bids_per_bounty", 10, "int", 1),
        "dispute_resolution_epochs": _field(
            "marketplace", sec, "dispute_resolution_epochs", 2, "int"
        ),
        "auto_expire_bounties": _bool(
            "marketplace.auto_expire_bounties", sec.get("auto_expire_bounties", True)
        ),
        "dispute_default_split": _field(
            "marketplace", sec, "dispute_default_split", 0.5, "float", 0.0, 1.0
        ),
    }


def _criteria(data: Mapping[str, Any]) -> dict[str, float | None]:
    sec = _section(data, "success_criteria")
    return {
        k: None if sec.get(k) is None else _number(f"success_criteria.{k}", sec[k])
        for k in CRITERIA_KEYS
    }


def normalize(data: Any) -> dict[str, Any]:
    """Validate a scenario mapping and return the Rust core's configuration."""
    if not isinstance(data, dict):
        raise ScenarioError("<scenario>", f"expected a YAML mapping, got {type(data).__name__}")
    for name in REFUSED_SECTIONS:
        if _switched_on(data.get(name)):
            raise ScenarioError(
                name, f"the {name!r} subsystem is out of scope for swarm_fast; remove the section"
            )
    scenario_id = data.get("scenario_id", "unnamed")
    if not isinstance(scenario_id, (str, int, float)) or isinstance(scenario_id, bool):
        raise ScenarioError("scenario_id", f"expected a string, got {scenario_id!r}")
    config: dict[str, Any] = {"scenario_id": str(scenario_id)}
    config.update(_simulation(data))
    config["agents"] = _agents(data)
    config["payoff"] = _payoff(data)
    config["rate_limits"] = _rate_limits(data)
    config["governance"] = _governance(data)
    config["network"] = _network(data)
    config["marketplace"] = _marketplace(data)
    if config["network"] is not None and config["seed"] is not None and config["seed"] < 0:
        raise ScenarioError(
            "simulation.seed", "must be >= 0 with a network (numpy's SeedSequence needs it)"
        )
    config["success_criteria"] = _criteria(data)
    return config


# ------------------------------------------------------------------ overrides

_INDEX = re.compile(r"\[(\d+)\]")


def _split_key(key: str) -> list[str]:
    return [p for p in _INDEX.sub(r".\1", key).split(".") if p != ""]


def apply_overrides(raw: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Set dotted YAML paths (``governance.transaction_tax_rate``,
    ``agents.0.count`` or ``agents[0].count``) on a deep copy of ``raw``.
    Missing mappings on the way are created; list indexes must exist."""
    data = copy.deepcopy(dict(raw))
    for key, value in overrides.items():
        if not isinstance(key, str) or not key:
            raise ScenarioError(str(key), "override keys are dotted YAML paths")
        parts = _split_key(key)
        node: Any = data
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            where = ".".join(parts[: depth + 1])
            if isinstance(node, list):
                if not part.isdigit() or int(part) >= len(node):
                    raise ScenarioError(where, f"no list entry {part!r} (length {len(node)})")
                if last:
                    node[int(part)] = copy.deepcopy(value)
                else:
                    node = node[int(part)]
            elif isinstance(node, dict):
                if last:
                    node[part] = copy.deepcopy(value)
                else:
                    if node.get(part) is None:
                        node[part] = {}
                    node = node[part]
            else:
                raise ScenarioError(where, f"cannot set a key inside {type(node).__name__}")
    return data


# ------------------------------------------------------------------ scenarios


class Scenario:
    """A validated scenario: the YAML mapping and its normalised config."""

    def __init__(self, raw: Mapping[str, Any], path: Path | None = None) -> None:
        self.path = path
        if not isinstance(raw, Mapping):
            where = str(path) if path else "<scenario>"
            raise ScenarioError(where, f"expected a YAML mapping, got {type(raw).__name__}")
        self._raw = copy.deepcopy(dict(raw))
        self.config = normalize(self._raw)

    @property
    def raw(self) -> dict[str, Any]:
        """A copy of the scenario's YAML mapping."""
        return copy.deepcopy(self._raw)

    @property
    def scenario_id(self) -> str:
        return self.config["scenario_id"]

    @property
    def n_agents(self) -> int:
        return sum(a["count"] for a in self.config["agents"])

    def with_overrides(self, overrides: Mapping[str, Any]) -> Scenario:
        """A new scenario with dotted YAML overrides applied, then validated."""
        return Scenario(apply_overrides(self._raw, overrides), self.path)

    def to_json(
        self,
        seed: int | None = None,
        epochs: int | None = None,
        steps: int | None = None,
        record_interactions: bool = True,
    ) -> str:
        """The configuration for one run, with the CLI-style overrides."""
        cfg = dict(self.config)
        if seed is not None:
            cfg["seed"] = _seed("seed", seed)
        if epochs is not None:
            cfg["n_epochs"] = _number("epochs", epochs, "int", 0, 2**32 - 1)
        if steps is not None:
            cfg["steps_per_epoch"] = _number("steps", steps, "int", 0, 2**32 - 1)
        if cfg["seed"] is None:
            raise ScenarioError(
                "simulation.seed",
                "the scenario sets no seed: pass seed=... (swarm_fast runs are reproducible)",
            )
        if cfg["network"] is not None and cfg["seed"] < 0:
            raise ScenarioError("seed", "must be >= 0 with a network")
        cfg["record_interactions"] = bool(record_interactions)
        return json.dumps(cfg)

    def __repr__(self) -> str:
        where = f", path={str(self.path)!r}" if self.path else ""
        return f"Scenario({self.scenario_id!r}, agents={self.n_agents}{where})"


def bundled_scenarios() -> dict[str, Path]:
    """The scenario files shipped with swarm_fast (the paper's seven)."""
    folder = resources.files("swarm_fast") / "scenarios"
    return {Path(str(p)).stem: Path(str(p)) for p in folder.iterdir() if p.name.endswith(".yaml")}


def load_scenario(source: str | Path | Mapping[str, Any]) -> Scenario:
    """Load a scenario from a YAML path, a bundled scenario name
    (``"baseline"``) or a mapping with the YAML's content."""
    if isinstance(source, Mapping):
        return Scenario(source)
    if not isinstance(source, (str, Path)):
        raise ScenarioError("<scenario>", f"expected a path, a name or a mapping, got {source!r}")
    path = Path(source)
    if not path.exists():
        bundled = bundled_scenarios()
        if isinstance(source, str) and source in bundled:
            path = bundled[source]
        else:
            raise ScenarioError(
                str(source),
                f"no such file, and not a bundled scenario ({', '.join(sorted(bundled))})",
            )
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        raise ScenarioError(str(path), f"malformed YAML: {e}") from None
    except OSError as e:
        raise ScenarioError(str(path), f"cannot read: {e}") from None
    return Scenario(data, path)
