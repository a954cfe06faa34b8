"""The ``moltbook:`` section, its ``governance.moltbook_*`` levers and the
four moltbook agent types (swarm-safety 1.9.0's
``swarm/core/moltbook_handler.py``, read by its loader's
``parse_moltbook_config``; ``swarm/governance/moltbook.py``;
``swarm/agents/moltbook_agent.py``), run by
``rust/swarm-core/src/moltbook.rs``.

Without moltbook agents the subsystem is inert in the reference: only those
agents act on its feed, no other agent reads its observation fields, its
handler draws from its own ``random.Random`` only (the catalog sample and
each published post's quality jitter), and its two levers cost nothing and
admit every agent (the rate-limit lever's ``can_agent_act`` reads a state
field, ``moltbook_action_type``, that no reference state has). The section
is then checked and dropped.

With moltbook agents it runs, given ``moltbook.seed``. Without that seed
the reference seeds the handler from OS entropy, so its own runs do not
repeat (none of its three moltbook files sets it): refused, naming the key.
Levers and subsystems that would see the handler's interactions (whose
counterparty is the platform, ``moltbook``, or the catalog's author,
``seed_bot``) are refused beside moltbook agents (``_NOT_WITH_AGENTS``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import ScenarioError
from .limits import short

SEED_MODES = ("none", "catalog")

# key -> (kind, default, (low, low_is_strict, high)); MoltbookConfig's fields.
KEYS: dict[str, tuple[str, Any, tuple[Any, bool, Any]]] = {
    "max_content_length": ("int", 10000, (1, False, None)),
    "initial_posts": ("int", 0, (0, False, None)),
}

AGENT_TYPES = ("diligent_moltbook", "spam_bot", "human_pretender", "collusive_voter")

# The governance.moltbook_* keys the handler reads, with the reference's
# defaults (GovernanceConfig); scenario.py has checked their values.
LEVER_KEYS = {
    "moltbook_rate_limit_enabled": ("rate_limit_enabled", False),
    "moltbook_post_cooldown_steps": ("post_cooldown_steps", 5),
    "moltbook_comment_cooldown_steps": ("comment_cooldown_steps", 1),
    "moltbook_daily_comment_cap": ("daily_comment_cap", 50),
    "moltbook_request_cap_per_step": ("request_cap_per_step", 100),
    "moltbook_challenge_enabled": ("challenge_enabled", False),
    "moltbook_challenge_window_steps": ("challenge_window_steps", 1),
}

# What swarm_fast does not run beside moltbook agents: each would see the
# handler's interactions, whose counterparty is the platform ("moltbook")
# or the catalog's author ("seed_bot"), no agent of the core's. Refused
# rather than run with a guess. (governance key or section, how it is on)
_NOT_WITH_AGENTS = (
    ("governance.transaction_tax_rate", lambda c: c["governance"]["transaction_tax_rate"] != 0),
    ("governance.audit_enabled", lambda c: c["governance"]["audit_enabled"]),
    ("governance.circuit_breaker_enabled", lambda c: c["governance"]["circuit_breaker_enabled"]),
    (
        "governance.collusion_detection_enabled",
        lambda c: c["governance"]["collusion_detection_enabled"],
    ),
    ("governance.staking_enabled", lambda c: c["governance"]["staking_enabled"]),
    ("governance.security_enabled", lambda c: c["governance"].get("security") is not None),
    ("governance.sybil_detection_enabled", lambda c: c["governance"].get("sybil") is not None),
    ("governance.rbac_enabled", lambda c: c["governance"].get("rbac") is not None),
    ("governance.resample_enabled", lambda c: c["governance"].get("resample") is not None),
    ("network", lambda c: c.get("network") is not None),
    (
        "simulation.observation_noise_probability",
        lambda c: c["observation_noise_probability"] > 0 and c["observation_noise_std"] > 0,
    ),
    ("marketplace", lambda c: c.get("marketplace") is not None),
    ("dynamic_toxicity", lambda c: c.get("dynamic_toxicity") is not None),
    ("perturbations", lambda c: c.get("perturbations") is not None),
    ("spawn", lambda c: c.get("spawn") is not None),
    ("tierra", lambda c: c.get("tierra") is not None),
    ("model", lambda c: c.get("model") is not None),
)
_CORE_TYPES_ONLY = "external agents (llm, python, council, ...)"


def parse(data: Mapping[str, Any], config: Mapping[str, Any]) -> dict[str, Any] | None:
    """Check the ``moltbook:`` section as the reference's ``MoltbookConfig``
    does (more strictly: no strings or floats for integers), and return the
    core's ``MoltbookConfig``: None when the section is off, or when no
    agent is of a moltbook type (the subsystem then changes nothing).
    ``config``: the core configuration normalised so far."""
    from .scenario import _seed, _value, enabled_section  # no cycle at import

    section = enabled_section(data, "moltbook")
    if section is None:
        return None
    submolt = section.get("default_submolt", "general")
    if not isinstance(submolt, str):
        raise ScenarioError("moltbook.default_submolt", f"expected a string, got {short(submolt)}")
    mode = section.get("seed_mode", "none")
    if mode not in SEED_MODES:
        raise ScenarioError(
            "moltbook.seed_mode", f"must be one of {', '.join(SEED_MODES)}; got {short(mode)}"
        )
    seed = section.get("seed")
    if seed is not None:
        # random.Random takes any integer (a negative one by its absolute
        # value); swarm_fast's bound on seeds is kept for uniformity.
        if isinstance(seed, int) and not isinstance(seed, bool) and seed < 0:
            seed = -seed
        seed = _seed("moltbook.seed", seed)
    values = {
        key: _value(f"moltbook.{key}", section.get(key, default), kind, rng)
        for key, (kind, default, rng) in KEYS.items()
    }
    agents = [
        i
        for i, spec in enumerate(config["agents"])
        if spec["type"] in AGENT_TYPES and spec.get("count", 1) > 0
    ]
    if not agents:
        return None
    if seed is None:
        raise ScenarioError(
            "moltbook.seed",
            f"agents[{agents[0]}] act on the moltbook feed, whose handler draws each "
            "published post's quality jitter (and so its p) from random.Random(moltbook.seed); "
            "without the seed the reference seeds it from OS entropy and no two of its runs "
            "agree. Set moltbook.seed",
        )
    for key, on in _NOT_WITH_AGENTS:
        if on(config):
            raise ScenarioError(
                key,
                f"is not run beside moltbook agents (agents[{agents[0]}]): its lever or "
                "subsystem would see the moltbook handler's interactions, whose counterparty "
                "is the platform ('moltbook'), which swarm_fast does not model; switch it off",
            )
    if any(spec["type"] not in _core_types() for spec in config["agents"]):
        raise ScenarioError("agents", f"{_CORE_TYPES_ONLY} are not run beside moltbook agents")
    gov = data.get("governance") or {}
    out: dict[str, Any] = {
        "seed": seed,
        "initial_posts": values["initial_posts"] if mode == "catalog" else 0,
    }
    for key, (name, default) in LEVER_KEYS.items():
        value = gov.get(key, default)
        out[name] = value if isinstance(value, bool) else int(value)
    return out


def _core_types() -> frozenset[str]:
    from .scenario import SUPPORTED_AGENTS

    return frozenset(SUPPORTED_AGENTS) - {"llm", "python", "external"}
