"""The ``moltbook:`` section and the moltbook agent types (swarm-safety
1.9.0's ``swarm/core/moltbook_handler.py``, read by its loader's
``parse_moltbook_config``; the agents are ``swarm/agents/moltbook_agent.py``).

What is ported: the section and the ``governance.moltbook_*`` keys are
checked as the reference checks them, and a run whose agents are all of
other types runs exactly as the reference runs it. There the subsystem is
inert: only the four moltbook agent types post, comment, verify or vote on
the moltbook feed; no other agent reads its observation fields; its handler
draws from its own ``random.Random`` only (the seeded catalog posts and each
published post's quality jitter), never from a stream the core shares; and
its two levers (rate limit, challenge) give no cost and admit every agent
(the rate-limit lever's ``can_agent_act`` reads a state field,
``moltbook_action_type``, that no reference state has). The section is
therefore checked, then dropped.

What is not: the four moltbook agent types, refused with ``AGENT_REASONS``.
Their handler is not in swarm_fast; and the reference's own runs of the
three library files that use it (moltbook_captcha,
casestudy_dual_use_coordination, casestudy_libel_cascade) do not repeat:
none sets ``moltbook.seed``, so the handler's generator is seeded from OS
entropy, and the quality jitter it draws for every published post or comment
moves p (tests/test_library_moltbook.py shows two reference runs at one
seed disagree).
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

_WHY = (
    "acts through the moltbook subsystem, which swarm_fast does not run: the "
    "reference's moltbook handler (posts behind CAPTCHA challenges, rate limits, "
    "karma votes) is not ported, and the reference does not repeat its own runs "
    "unless moltbook.seed is set (without it the handler's generator, which draws "
    "every published post's quality jitter and so its p, is seeded from OS "
    "entropy; none of the reference's moltbook files sets it)"
)
AGENT_REASONS = {kind: f"agent type {kind!r} {_WHY}" for kind in AGENT_TYPES}


def parse(data: Mapping[str, Any]) -> None:
    """Check the ``moltbook:`` section as the reference's ``MoltbookConfig``
    does (more strictly: no strings or floats for integers). Nothing reaches
    the core: without moltbook agents the subsystem changes nothing."""
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
        _seed("moltbook.seed", seed)
    for key, (kind, default, rng) in KEYS.items():
        _value(f"moltbook.{key}", section.get(key, default), kind, rng)
    return None
