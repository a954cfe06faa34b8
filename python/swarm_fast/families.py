"""The ``config:`` keys of the agent families ported beyond the core eight
(issue 17), with how each value is checked.

Each family maps its keys to a :class:`Param`: the kind of value and its
range. Keys the reference reads but never acts on are declared ``unused``:
they are checked and accepted, then dropped, as the reference's policies
never look at them. ``schema.py`` declares these keys for the family
(``AGENT_FAMILIES``); ``scenario.py`` checks a spec's values here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Union

from .errors import ScenarioError
from .limits import short

Bound = Union[float, None]

# A horizon is the length of the vectors the agent builds per decision.
MAX_HORIZON = 1_000_000
MAX_U32 = 2**32 - 1


@dataclass(frozen=True)
class Param:
    kind: str  # "float", "int", "choice", "str" (any string, or null), "bool" or "tasks"
    lo: Bound = None
    hi: Bound = None
    choices: tuple[str, ...] = ()
    unused: bool = False
    nonzero: bool = False


FLOAT = Param("float")
_CRITIC_ROLES = ("critic_code", "critic_chart", "critic_output")
PROBABILITY = Param("float", 0.0, 1.0)


def _count(lo: int = 0, hi: int = MAX_U32) -> Param:
    return Param("int", lo, hi)


# The honest agent's keys, read by the families built on it.
HONEST: dict[str, Param] = dict.fromkeys(
    (
        "acceptance_threshold",
        "trust_weight",
        "post_probability",
        "vote_probability",
        "interact_probability",
    ),
    FLOAT,
)

FAMILY_PARAMS: dict[str, dict[str, Param]] = {
    # swarm/agents/ldt_agent.py
    "ldt": {
        "cooperation_prior": FLOAT,
        "similarity_threshold": FLOAT,
        "welfare_weight": FLOAT,
        "updateless_commitment": FLOAT,
        "defection_memory_weight": Param("float", unused=True),
        "counterfactual_horizon": _count(1, MAX_HORIZON),
        "post_probability": FLOAT,
        "vote_probability": FLOAT,
        "interact_probability": FLOAT,
        "acausality_depth": _count(),
        "max_recursion_depth": _count(),
        "convergence_epsilon": FLOAT,
        "mirror_prior_weight": FLOAT,
        "introspection_discount": FLOAT,
        "twin_graph_min_edge": FLOAT,
        "twin_graph_traversal_depth": _count(),
        "twin_graph_decay": FLOAT,
        "n_counterfactual_samples": _count(0, 1_000_000),
        "counterfactual_noise_std": FLOAT,
        "acausal_bonus_weight": FLOAT,
        "decision_theory": Param("choice", choices=("tdt", "fdt", "udt")),
        "subjunctive_weight": FLOAT,
        "precommitment_strength": FLOAT,
        "proof_threshold": FLOAT,
    },
    # swarm/agents/modeling_adversary.py
    "modeling_adversary": {
        "modeling_horizon": Param("float", unused=True),
        "mimicry_probability": FLOAT,
        "exploitation_threshold": FLOAT,
        "ldt_detection_sensitivity": FLOAT,
        "aggression_level": FLOAT,
        "post_probability": FLOAT,
    },
    # swarm/agents/rlm_agent.py
    "rlm": {
        "recursion_depth": Param("int", -MAX_U32, MAX_U32),
        "planning_horizon": Param("int", -MAX_U32, MAX_U32),
        # Sizes a working memory that is written but never read.
        "memory_budget": Param("int", 0, None, unused=True),
        "discount_factor": FLOAT,
    },
    # swarm/agents/memory_agent.py (CollusiveVerifierAgent): its partner is
    # read only by the branches on pending entries, which never run (no
    # entry is ever pending, with or without the memory_tiers subsystem).
    "collusive_verifier": {
        "partner_id": Param("str", unused=True),
    },
    # swarm/agents/memory_agent.py: the memory-tier writers. The recorder's
    # verify_probability gates a branch that needs a pending entry, and no
    # entry is ever pending (rust/swarm-core/src/memory_tiers.rs).
    "diligent_recorder": {
        "write_probability": FLOAT,
        "verify_probability": Param("float", unused=True),
    },
    "memory_poisoner": {},
    "cache_gamer": {},
    # swarm/agents/obfuscating.py: the strategy and its four parameters only
    # shape signal offsets and proposal metadata the reference never reads
    # (see rust/swarm-core/src/agents/obfuscating.rs); the strategy is
    # checked as the reference's enum checks it.
    "obfuscating": {
        "obfuscation_strategy": Param(
            "choice",
            choices=("blatant", "policy_obfuscation", "activation_obfuscation", "adaptive"),
            unused=True,
        ),
        "trust_building_phase": FLOAT,
        "rationalization_strength": Param("float", unused=True),
        "signal_inflation_cap": Param("float", unused=True),
        "drift_rate": Param("float", unused=True),
        "activation_noise_scale": Param("float", unused=True),
    },
    # swarm/agents/skillrl_agent.py (with swarm/skills/). The exploration rate
    # drives draws from Python's unseeded process-wide random module in the
    # reference: checked, not applied (see rust/swarm-core/src/agents/skillrl.rs).
    "skillrl": {
        "acceptance_threshold": FLOAT,
        "trust_weight": FLOAT,
        "post_probability": FLOAT,
        "vote_probability": FLOAT,
        "interact_probability": FLOAT,
        "skill_exploration_rate": Param("float", unused=True),
        "refinement_interval": FLOAT,
        "promotion_interval": FLOAT,
        # A deque's maxlen: a whole number (at least 1 is kept).
        "grpo_window_size": Param("int", -MAX_U32, MAX_U32),
        "grpo_temperature": FLOAT,
        "refinement_min_invocations": FLOAT,
        "refinement_success_threshold": FLOAT,
        "max_refinements_per_epoch": FLOAT,
        "tier_promotion_min_invocations": FLOAT,
        "tier_promotion_min_success_rate": FLOAT,
    },
    # swarm/agents/tierra_agent.py: its behaviour is its genome, which
    # starts at the defaults; no config key is read.
    "tierra": {},
    # swarm/agents/hyperagent_self_mod.py. Its proxy weights and quality feed
    # only a governance-gap estimate the reference logs, never the run.
    "hyperagent_self_mod": {
        "modification_rate": FLOAT,
        "min_acceptance_threshold": FLOAT,
        "initial_acceptance_threshold": FLOAT,
        "initial_quality": Param("float", unused=True),
        "quality_decay_rate": Param("float", unused=True),
        "quality_floor": Param("float", unused=True),
        "weight_gaming_target": Param("str", unused=True),
    },
    # swarm/agents/ralph_agent.py: an honest agent with a task queue.
    "ralph_loop": {
        **HONEST,
        "quality_gate_threshold": FLOAT,
        # The reference divides the epoch by it (0 fails there).
        "consolidation_interval": Param("float", nonzero=True),
        "max_task_attempts": FLOAT,
        "learning_boost": FLOAT,
        "one_task_per_epoch": Param("bool"),
        "tasks": Param("tasks"),
    },
    # swarm/agents/rain_river.py: honest agents that forget every
    # counterparty at each epoch end (rain) or never (river).
    "rain": dict(HONEST),
    "river": dict(HONEST),
    # swarm/agents/negotiation_agent.py: they play only resource-negotiation
    # games, which never reach their observation (resource_negotiation.py), so
    # every turn is a noop. The fair one reads accept_threshold for that play.
    "fair_negotiator": {"accept_threshold": Param("float", unused=True)},
    "greedy_negotiator": {},
    "strategic_negotiator": {},
    # swarm/agents/moltbook_agent.py (moltbook.py): fixed challenge skills;
    # the collusive voter upvotes the posts of the agent named partner_id.
    "diligent_moltbook": {},
    "spam_bot": {},
    "human_pretender": {},
    "collusive_voter": {"partner_id": Param("str")},
    # swarm/agents/rivals_agent.py: the rivals pipeline's agents (rivals.py).
    # The role is checked against the pipeline's six (the reference accepts
    # any value and never assigns an agent with another).
    "rivals_producer": {
        "role": Param("choice", choices=("coder", "chart_maker", "writer", *_CRITIC_ROLES)),
        "quality_level": FLOAT,
        "trap_awareness": FLOAT,
    },
    "rivals_critic": {
        "role": Param("choice", choices=("coder", "chart_maker", "writer", *_CRITIC_ROLES)),
        "detection_rate": FLOAT,
        "false_positive_rate": FLOAT,
    },
    # swarm/agents/wiki_editor.py: the Moltipedia editors (moltipedia.py).
    # Their probabilities are compared with random() as they come.
    "diligent_editor": {"create_probability": FLOAT},
    "point_farmer": {"stub_probability": FLOAT},
    "collusive_editor": {"partner_id": Param("str")},
    "vandal": {},
    # swarm/agents/scholar_agent.py: the loader builds them with config=
    # only, which they never read (their own keywords keep their defaults),
    # so no config key reaches them (rust/swarm-core/src/agents/scholar.rs).
    **{
        kind: {}
        for kind in (
            "retriever",
            "synthesizer",
            "verifier",
            "adversarial_retriever",
            "adversarial_synthesizer",
        )
    },
}


# swarm/agents/awm_agent.py: the awm: subsystem's worker (awm.py). Its mode
# is checked against the three it knows (the reference takes any string and
# plans as diligent for an unknown one); llm_planning true is refused with
# the section on (awm.py).
FAMILY_PARAMS["awm_agent"] = {
    "mode": Param("choice", choices=("diligent", "lazy", "adversarial")),
    "tool_call_count": Param("int", -1_000_000, 1_000_000),
    "malformed_rate": FLOAT,
    "step_mode": Param("bool"),
    "llm_planning": Param("bool", unused=True),
}


def _check(key: str, value: Any, param: Param) -> Any:
    if param.kind == "str":
        if value is not None and not isinstance(value, str):
            raise ScenarioError(key, f"expected a string, got {short(value)}")
        return value
    if param.kind == "choice":
        if not isinstance(value, str) or value not in param.choices:
            raise ScenarioError(
                key, f"must be one of {', '.join(param.choices)}; got {short(value)}"
            )
        return value
    if param.kind == "bool":
        if not isinstance(value, bool):
            raise ScenarioError(key, f"expected true or false, got {short(value)}")
        return value
    if param.kind == "tasks":
        return _task_priorities(key, value)
    if value is None:
        raise ScenarioError(key, "must not be null")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(key, f"expected a number, got {short(value)}")
    if isinstance(value, float) and not (value == value and abs(value) != float("inf")):
        raise ScenarioError(key, f"must be a finite number, got {short(value)}")
    if param.kind == "int":
        if isinstance(value, float) and not value.is_integer():
            raise ScenarioError(key, f"expected a whole number, got {short(value)}")
        value = int(value)
    else:
        try:
            value = float(value)
        except OverflowError:
            raise ScenarioError(key, f"is too large ({short(value)})") from None
    if param.nonzero and value == 0:
        raise ScenarioError(
            key, "must not be 0 (swarm-safety 1.9.0 fails on it: ZeroDivisionError)"
        )
    if (param.lo is not None and value < param.lo) or (param.hi is not None and value > param.hi):
        lo = "" if param.lo is None else f">= {param.lo:g}"
        hi = "" if param.hi is None else f"<= {param.hi:g}"
        raise ScenarioError(key, f"must be {' and '.join(x for x in (lo, hi) if x)}, got {value}")
    return value


def _task_priorities(key: str, value: Any) -> list[float]:
    """A Ralph queue as the core reads it: each task's priority, in queue
    order. A string is a task of priority (position + 1); a mapping's
    ``priority`` defaults to that too; other items are skipped, as there."""
    if not isinstance(value, list):
        raise ScenarioError(key, f"expected a list of tasks, got {short(value)}")
    out: list[float] = []
    for i, item in enumerate(value):
        if isinstance(item, str):
            out.append(float(i + 1))
        elif isinstance(item, Mapping):
            out.append(_check(f"{key}[{i}].priority", item.get("priority", i + 1), FLOAT))
    return out


def family_params(where: str, kind: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The checked ``config:`` of a family's spec, as the core reads it: keys
    the family does not read are dropped (the schema warns about them),
    unused ones after their check."""
    table = FAMILY_PARAMS[kind]
    out: dict[str, Any] = {}
    for key, value in params.items():
        param = table.get(key)
        if param is None:
            continue
        checked = _check(f"{where}.config.{key}", value, param)
        if not param.unused:
            out[key] = checked
    return out
