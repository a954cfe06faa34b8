"""The keys the scenario format defines, declared in one place.

Every section of a scenario YAML has a table here: the keys the reference
loader (swarm-safety 1.9.0) reads there, the aliases that another key
shadows, and the switches it reads but never acts on. Two checks use it:

- an override or sweep-grid key must name a defined key
  (:func:`check_override_key`): a typo is an error with a "did you mean",
  never a lever that silently does nothing; an override of an alias that a
  key of the scenario shadows is an error saying which key wins
  (:func:`check_shadowed`);
- keys in a *file* that the format does not define, and inert switches, are
  accepted as the reference accepts them, with a
  :class:`~swarm_fast.ScenarioWarning` listing them (:func:`file_warnings`).

To add an agent family, add one entry to ``AGENT_FAMILIES``: the agent
``type:`` values and the keys of its spec (``config:`` keys and any
sub-mappings such as ``llm:``).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Union

from .awm import KEYS as AWM_KEYS
from .contracts import KEYS as CONTRACT_KEYS
from .errors import ScenarioError
from .families import FAMILY_PARAMS
from .limits import short, short_key
from .memory_tiers import KEYS as MEMORY_TIERS_KEYS
from .model import SWITCHES as MODEL_SWITCHES
from .model import model_switches
from .moltipedia import KEYS as MOLTIPEDIA_KEYS
from .resource_negotiation import KEYS as NEGOTIATION_KEYS
from .resource_negotiation import OTHER_KEYS as NEGOTIATION_OTHER_KEYS
from .rivals import KEYS as RIVALS_KEYS
from .scholar import KEYS as SCHOLAR_KEYS
from .spawn import KEYS as SPAWN_KEYS
from .tierra import KEYS as TIERRA_KEYS
from .unread_keys import unread_keys


class Leaf:
    """A value (number, string, flag, list): no sub-keys to check."""

    def __repr__(self) -> str:
        return "LEAF"


class Open:
    """A section swarm_fast does not read (an optional subsystem): any
    sub-keys are accepted, in files and overrides."""

    def __repr__(self) -> str:
        return "OPEN"


LEAF = Leaf()
OPEN = Open()


@dataclass(frozen=True)
class Alias:
    """A key read only when none of ``winners`` (sibling paths, dotted,
    relative to the section) is present."""

    winners: tuple[str, ...]


@dataclass(frozen=True)
class Inert:
    """A switch the reference reads but never acts on; set to ``true`` in a
    file it draws a warning (in an override, an error)."""

    why: str


@dataclass(frozen=True)
class Unported:
    """A section read only by a separate runner of the reference (not its
    orchestrator, which ignores it, as swarm_fast does): a file that has it
    draws a warning saying so; an override into it is an error."""

    why: str


@dataclass(frozen=True)
class Unread:
    """A real field of the reference's config that its loader never reads
    (``unread_keys``): in a file it draws a warning, unless ``switch`` (a
    corrected-model switch that reads it) is on."""

    why: str
    switch: str | None = None


@dataclass(frozen=True)
class Section:
    """A mapping with the given keys. ``any_keys``: unknown keys are
    accepted silently (none so far). ``unknown``: what a file's unknown key
    is told."""

    keys: Mapping[str, Node]
    any_keys: bool = False
    unknown: str = "not a key of the scenario format"


@dataclass(frozen=True)
class AgentList:
    """The ``agents:`` list: each entry's keys depend on its ``type:``."""

    families: Mapping[str, Section] = field(default_factory=dict)
    fallback: Section | None = None


Node = Union[Leaf, Open, Alias, Inert, Unported, Unread, Section, AgentList]


def _leaves(names: str) -> dict[str, Node]:
    return {name: LEAF for name in names.split()}


# ---------------------------------------------------------------- agents

# Policy parameters the core's scripted agents read (spec §11).
SCRIPTED_CONFIG = _leaves(
    """
    acceptance_threshold trust_weight post_probability vote_probability
    interact_probability risk_tolerance free_ride_probability trust_building_phase
    exploitation_threshold facade_probability attack_probability threshold
    base_threshold blacklist_threshold max_per_partner safety_margin
    exploitation_intensity warmup_interactions comfort_zone_floor
    max_consecutive_exploits target_honest
    """
)


def agent_spec(config: Mapping[str, Node], **extra: Node) -> Section:
    """An agent spec: ``type``, ``count``, ``name``, ``config`` (with the
    family's keys) and any extra sub-mappings of the family."""
    return Section(
        {
            "type": LEAF,
            "count": LEAF,
            "name": LEAF,
            "config": Section(dict(config)),
            **extra,
        }
    )


_SCRIPTED = agent_spec(SCRIPTED_CONFIG)

# Agent families by ``type:``. One entry per family.
AGENT_FAMILIES: dict[str, Section] = {
    kind: _SCRIPTED
    for kind in (
        "honest",
        "opportunistic",
        "deceptive",
        "adversarial",
        "adaptive_adversary",
        "cautious",
        "cautious_reciprocator",
        "threshold_dancer",
    )
}
# The self-optimizer (ext. spec §1.2): benchmark_threshold and initial_cost
# are read by the reference and reach nothing the engine computes.
AGENT_FAMILIES["self_optimizer"] = agent_spec(
    {
        **SCRIPTED_CONFIG,
        **_leaves(
            "optimization_rate quality_floor benchmark_threshold initial_quality "
            "initial_cost optimize_per_epoch"
        ),
    }
)
# The families ported for issue 17: their keys are declared in families.py.
AGENT_FAMILIES.update(
    {kind: agent_spec(dict.fromkeys(params, LEAF)) for kind, params in FAMILY_PARAMS.items()}
)

# ---------------------------------------------------------------- governance


def _governance() -> Section:
    # Imported here: scenario.py owns the governance tables (kinds, ranges).
    from .scenario import GOVERNANCE_CORE, GOVERNANCE_OTHER

    keys: dict[str, Node] = {key: LEAF for key, *_ in GOVERNANCE_CORE}
    keys.update({key: LEAF for key in GOVERNANCE_OTHER})
    keys["transaction_tax"] = Alias(("transaction_tax_rate",))
    keys["reputation_decay"] = Alias(("reputation_decay_rate",))
    inert = "the reference reads this switch but its runs never act on it"
    for key, (why, switch) in unread_keys().items():
        keys[key] = Unread(why, switch)
    for key in (
        "council_lever_enabled",
        "adaptive_governance_enabled",
        "adaptive_use_behavioral_features",
        "vote_normalization_enabled",
    ):
        keys[key] = Inert(inert)
    # The memory levers act only on interactions the memory_tiers subsystem
    # makes (governance spec §9.7). The write-rate limit acts on its writes
    # (memory_tiers.py); the other three act on promotions, verifications and
    # reverts, which never happen: no entry is ever verified (memory_tiers.rs).
    memory = (
        "acts only on memory_tiers promotions, verifications or reverts, and no run has "
        "any (no entry is ever verified)"
    )
    for key in (
        "memory_promotion_gate_enabled",
        "memory_cross_verification_enabled",
        "memory_provenance_enabled",
    ):
        keys[key] = Inert(memory)
    # The self-modification lever acts only on interactions whose metadata
    # marks a self-modification; no agent of the core path marks one.
    keys["self_modification_enabled"] = Inert(
        "acts only on interactions marked as self-modifications, and no agent here makes one"
    )
    return Section(keys)


# ---------------------------------------------------------------- network

_NETWORK_PARAMS: dict[str, Node] = {
    "k": LEAF,
    "k_neighbors": Alias(("k",)),
    "p": LEAF,
    "rewire_probability": Alias(("p",)),
    "edge_probability": LEAF,
    "m": LEAF,
    "m_edges": Alias(("m",)),
}

NETWORK = Section(
    {
        "enabled": LEAF,
        "topology": LEAF,
        "params": Section(_NETWORK_PARAMS),
        "edge_probability": Alias(("params.edge_probability",)),
        "k_neighbors": Alias(("params.k", "params.k_neighbors")),
        "rewire_probability": Alias(("params.p", "params.rewire_probability")),
        "m_edges": Alias(("params.m", "params.m_edges")),
        "dynamic": LEAF,
        "edge_strengthen_rate": LEAF,
        "edge_decay_rate": LEAF,
        "min_edge_weight": LEAF,
        "max_edge_weight": LEAF,
        "reputation_disconnect_threshold": LEAF,
    }
)

# ---------------------------------------------------------------- the rest

SIMULATION = Section(
    _leaves(
        """
        n_epochs steps_per_epoch seed schedule_mode max_actions_per_step
        observation_noise_probability observation_noise_std
        """
    )
)
PAYOFF = Section(_leaves("s_plus s_minus h theta rho_a rho_b w_rep"))
RATE_LIMITS = Section(
    _leaves(
        "posts_per_epoch interactions_per_step votes_per_epoch tasks_per_epoch "
        "bounties_per_epoch bids_per_epoch"
    )
)
MARKETPLACE = Section(
    _leaves(
        """
        enabled escrow_fee_rate min_bounty_amount max_bids_per_bounty
        bid_deadline_epochs dispute_resolution_epochs auto_expire_bounties
        dispute_default_split
        """
    )
)
SUCCESS_CRITERIA = Section(
    _leaves(
        """
        min_epochs toxicity_threshold min_net_social_welfare min_separation_quality
        max_infiltration_rate min_welfare_delta min_attack_displacement
        """
    ),
    unknown="not a criterion the run checks (the reference CLI does not check it either)",
)
# The corrected model's switches (swarm_fast's own key; see model.py).
MODEL = Section({"preset": LEAF, **{name: LEAF for name in MODEL_SWITCHES}})
OUTPUTS = Section(_leaves("graph_memory_path event_log metrics_csv"))

# Optional subsystems swarm_fast refuses when switched on (spec §19).
SUBSYSTEMS = ("kernel_oracle letta perturbations evo_game").split()

# The dynamic toxicity subsystem (dynamic_toxicity.py).
DYNAMIC_TOXICITY = Section(
    {
        "enabled": LEAF,
        "proxy_drift": Section(_leaves("alpha k_floor")),
        "trust_erosion": Section(_leaves("beta exit_threshold window min_honest")),
        "quality_contagion": Section(_leaves("gamma neutral")),
    }
)


# The spawn subsystem (spawn.py).
TIERRA = Section({"enabled": LEAF, "reaper_mode": LEAF, **{key: LEAF for key in TIERRA_KEYS}})
RESOURCE_NEGOTIATION = Section({key: LEAF for key in (*NEGOTIATION_KEYS, *NEGOTIATION_OTHER_KEYS)})
# The memory tiers subsystem (memory_tiers.py).
MEMORY_TIERS = Section({"enabled": LEAF, "seed": LEAF, **{key: LEAF for key in MEMORY_TIERS_KEYS}})
MOLTIPEDIA = Section(
    {"enabled": LEAF, "seed": LEAF, "seed_mode": LEAF, **{key: LEAF for key in MOLTIPEDIA_KEYS}}
)
SPAWN = Section({"enabled": LEAF, "attribution_mode": LEAF, **{key: LEAF for key in SPAWN_KEYS}})
# The moltbook subsystem (moltbook.py): checked, inert without moltbook agents.
MOLTBOOK = Section(
    _leaves("enabled default_submolt max_content_length seed seed_mode initial_posts")
)
# The rivals subsystem (rivals.py).
RIVALS = Section(
    {"enabled": LEAF, "mode": LEAF, "seed": LEAF, **{key: LEAF for key in RIVALS_KEYS}}
)
# The scholar subsystem (scholar.py).
SCHOLAR = Section({"enabled": LEAF, **{key: LEAF for key in SCHOLAR_KEYS}})
# The AWM subsystem (awm.py); AWMConfig ignores unknown keys.
AWM = Section({"enabled": LEAF, **{key: LEAF for key in AWM_KEYS}})


# The contracts subsystem (contracts.py).
CONTRACTS = Section(
    {
        "truthful_auction": Section({k: LEAF for k in CONTRACT_KEYS["truthful_auction"]}),
        "fair_division": Section({k: LEAF for k in CONTRACT_KEYS["fair_division"]}),
        "default_market": Section(
            {
                "friction_premium": Unread(
                    "the reference's contract market always builds its own default market "
                    "(friction premium 0.05)"
                )
            }
        ),
        "market": Section(
            {k: LEAF for k in CONTRACT_KEYS["market"]},
            unknown="not a key of the reference's ContractMarketConfig, which ignores it",
        ),
    },
    unknown="not read by the reference (any non-empty contracts: section switches "
    "contract screening on)",
)


def scenario_schema() -> Section:
    """The whole format: one table per section."""
    return Section(
        {
            "scenario_id": LEAF,
            "description": LEAF,
            "motif": LEAF,
            "simulation": SIMULATION,
            "agents": AgentList(AGENT_FAMILIES),
            "governance": _governance(),
            "payoff": PAYOFF,
            "rate_limits": RATE_LIMITS,
            "network": NETWORK,
            "marketplace": MARKETPLACE,
            "success_criteria": SUCCESS_CRITERIA,
            "outputs": OUTPUTS,
            "model": MODEL,
            "dynamic_toxicity": DYNAMIC_TOXICITY,
            "spawn": SPAWN,
            "moltipedia": MOLTIPEDIA,
            "tierra": TIERRA,
            "resource_negotiation": RESOURCE_NEGOTIATION,
            "moltbook": MOLTBOOK,
            "memory_tiers": MEMORY_TIERS,
            "rivals": RIVALS,
            "contracts": CONTRACTS,
            "scholar": SCHOLAR,
            "awm": AWM,
            "domain": Unported(
                "the escalation sandbox's own simulator (swarm.domains.escalation_sandbox."
                "run_scenario) is not ported; the reference's orchestrator ignores this "
                "section too and runs no agents"
            ),
            "csm": Unported(
                "the CSM benchmark's own runner (swarm.csm) is not ported; the reference's "
                "orchestrator ignores this section too and runs no agents"
            ),
            **{name: OPEN for name in SUBSYSTEMS},
        }
    )


_SCHEMA: Section | None = None


def schema() -> Section:
    global _SCHEMA
    if _SCHEMA is None:
        _SCHEMA = scenario_schema()
    return _SCHEMA


# ---------------------------------------------------------------- checks


def _suggest(where: str, word: str, choices: list[str], cutoff: float = 0.6) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
    if not close:
        return ""
    return f"; did you mean {where + '.' if where else ''}{close[0]}?"


def _family(spec: Any) -> Section | None:
    kind = spec.get("type", "honest") if isinstance(spec, dict) else None
    if isinstance(kind, str) and kind in AGENT_FAMILIES:
        return AGENT_FAMILIES[kind]
    return None


def _unknown_key(where: str, part: str, section: Section) -> ScenarioError:
    choices = sorted(section.keys)
    dotted = f"{where}.{part}" if where else part
    listed = ", ".join(choices) if len(choices) <= 12 else f"{len(choices)} keys"
    return ScenarioError(
        short_key(dotted),
        f"not a key of the scenario format{_suggest(where, part, choices)} "
        f"({'known keys' if where == '' else where + ' has'}: {listed})",
    )


def check_override_key(data: Mapping[str, Any], parts: list[str]) -> Node:
    """Resolve an override's path against the format; raise ScenarioError
    (naming the key, with a suggestion) when it names nothing the format
    defines. ``data`` is the scenario's mapping, for the agents' types."""
    node: Node = schema()
    value: Any = data
    where = ""
    for part in parts:
        if isinstance(node, Open):
            return node
        if isinstance(node, Unported):
            raise ScenarioError(short_key(".".join(parts)), f"overrides nothing: {node.why}")
        if isinstance(node, AgentList):
            if not part.isdecimal() or not part.isascii():
                raise ScenarioError(
                    short_key(f"{where}.{part}"),
                    "agents are addressed by their list index (agents.0.count or agents[0].count)",
                )
            index = int(part)
            entries = value if isinstance(value, list) else []
            if index >= len(entries):
                raise ScenarioError(
                    short_key(f"{where}.{part}"),
                    f"no list entry {index} (the list has {len(entries)})",
                )
            value = entries[index]
            family = _family(value)
            if family is None:  # an unsupported type: normalisation names it
                return OPEN
            node = family
            where = f"{where}[{index}]"
            continue
        if not isinstance(node, Section):  # a leaf given sub-keys
            raise ScenarioError(
                short_key(f"{where}.{part}"),
                f"{where} is a single value, it has no key {short(part, 60)}",
            )
        if part not in node.keys and not node.any_keys:
            raise _unknown_key(where, part, node)
        node = node.keys.get(part, LEAF)
        value = value.get(part) if isinstance(value, dict) else None
        where = f"{where}.{part}" if where else part
    if isinstance(node, Unported):
        raise ScenarioError(short_key(".".join(parts)), f"overrides nothing: {node.why}")
    return node


def check_shadowed(data: Mapping[str, Any], parts: list[str], node: Node) -> None:
    """An override of an alias is a no-op when a key it yields to is
    present in the (overridden) scenario: refuse it, naming the winner."""
    if not isinstance(node, Alias):
        return
    section_parts = parts[:-1]
    section: Any = data
    for part in section_parts:
        if isinstance(section, list):
            section = section[int(part)] if part.isdecimal() and int(part) < len(section) else {}
        elif isinstance(section, dict):
            section = section.get(part) or {}
    for winner in node.winners:
        here: Any = section
        for part in winner.split("."):
            here = here.get(part, _MISSING) if isinstance(here, dict) else _MISSING
        if here is not _MISSING:
            dotted = ".".join([*section_parts, winner])
            raise ScenarioError(
                short_key(".".join(parts)),
                f"is an alias that {dotted} shadows: the scenario sets {dotted}, "
                f"which wins; override {dotted} instead",
            )


_MISSING = object()


def file_warnings(data: Mapping[str, Any]) -> list[str]:
    """One line per key of a scenario mapping that the format does not
    define, or that the reference reads but never acts on."""
    out: list[str] = []
    on: list[dict[str, bool]] = []

    def switches_on() -> dict[str, bool]:
        if not on:  # the model key was checked by normalisation already
            try:
                on.append(model_switches(data.get("model")))
            except ScenarioError:
                on.append({})
        return on[0]

    def walk(value: Any, section: Section, where: str) -> None:
        for key, sub in value.items():
            label = key if isinstance(key, str) else short(key, 60)
            dotted = short_key(f"{where}.{label}" if where else label, 120)
            node = section.keys.get(key) if isinstance(key, str) else None
            if node is None:
                if not section.any_keys:
                    choices = sorted(section.keys)
                    # A file's key is more often deliberate (another
                    # version's, a note) than a typo: suggest only close
                    # matches (min_agents is not a misspelt min_epochs).
                    hint = _suggest(where, key, choices, 0.8) if isinstance(key, str) else ""
                    out.append(f"{dotted}: ignored, {section.unknown}{hint}")
                continue
            if isinstance(node, Unread):
                if node.switch is None or not switches_on().get(node.switch):
                    out.append(f"{dotted}: ignored, {node.why}")
            elif isinstance(node, Inert) and sub is True:
                out.append(f"{dotted}: ignored, {node.why}")
            elif isinstance(node, Unported):
                out.append(f"{dotted}: ignored, {node.why}")
            elif isinstance(node, Section) and isinstance(sub, dict):
                walk(sub, node, dotted)
            elif isinstance(node, AgentList) and isinstance(sub, list):
                for i, spec in enumerate(sub):
                    family = _family(spec)
                    if family is not None:
                        walk(spec, family, f"{dotted}[{i}]")

    walk(data, schema(), "")
    return out
