"""Concordia entity agents (``type: concordia_entity``, spec-ext §3.7): a
Google DeepMind Concordia v2 entity drives a swarm_fast agent through the
Python-policy seam, as the reference's bridge drives one through its
orchestrator.

The entity is Concordia's own ``EntityAgent`` with one acting component
(written here) that asks a model, or, without one, answers canned
replies. What the agent sees is its observation rendered as text; what it
does is the entity's free-text reply, keyword-matched to an action. The
engine registers it as honest, with no random stream of its own, so
governance, observables and payoffs are the scripted agents' (ids
``concordia_k``).

Modes, as in the reference:

* ``provider: none``, or a provider whose API key is missing (a warning
  says so): canned replies, no model. Each turn posts
  ``"Pursuing my goal - <goal>"`` and every proposal is accepted, except
  an agent's very first call, which answers ``fallback_action``
  (``noop``): the reference sets the canned reply only once the entity
  exists, and builds it lazily on that first call.
* a live provider with a key: the model (``pip install
  'swarm_fast[llm]'``), through swarm_fast's LLM providers (retries,
  usage, record / replay).
* ``provider: mock`` (a swarm_fast extension): fixed replies
  (``mock_responses: {act: ..., accept: ...}``) or a function
  (``mock_callable: module:function``, or ``run(..., llm={"mock": fn})``)
  ``(system, user) -> text``; record and replay work as for LLM agents.

Needs ``gdm-concordia`` (``pip install 'swarm_fast[concordia]'``), as the
reference's bridge does.
"""

from __future__ import annotations

import os
import re
import string
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._core import Action
from ..errors import ScenarioError
from .llm.config import mock_responses

# The version the reference's bridge was run with (pyproject's extra pins it).
CONCORDIA_VERSION = "2.1.0"
INSTALL_HINT = "pip install 'swarm_fast[concordia]'"

# The bridge's providers: where each reads its key and its endpoint.
KEY_ENV = {
    "groq": "GROQ_API_KEY",
    "openrouter": "OPENROUTER_API_KEY",
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "ollama": None,
    "together": "TOGETHER_API_KEY",
    "deepseek": "DEEPSEEK_API_KEY",
    "google": "GOOGLE_API_KEY",
}
BASE_URL = {
    "groq": "https://api.groq.com/openai/v1",
    "openrouter": "https://openrouter.ai/api/v1",
    "openai": "https://api.openai.com/v1",
    "ollama": "http://localhost:11434/v1",
    "together": "https://api.together.xyz/v1",
    "deepseek": "https://api.deepseek.com/v1",
}
PROVIDERS = (*KEY_ENV, "none", "mock")

# The reference's default templates (facts of its bridge's config).
SYSTEM_PROMPT = (
    "You are {name}, an agent in a multi-agent governance simulation.\n"
    "Your goal: {goal}\n\n"
    "Recent observations:\n{observations}\n\n"
    "Respond concisely. Pick ONE action and state it clearly."
)
ACT_PROMPT = (
    "Given the current situation, what action do you take?\n\n"
    "{observation}\n\n"
    "Available actions: post <content>, vote <post_id>, "
    "propose to <agent_id>: <content>, claim_task <task_id>, noop\n\n"
    "Respond with your chosen action."
)
ACCEPT_PROMPT = (
    "Agent {initiator} proposes an interaction with you.\n"
    "Type: {interaction_type}\n"
    "Content: {content}\n"
    "Offered transfer: {transfer}\n\n"
    "Your reputation: {reputation:.2f}\n"
    "Do you accept or reject?"
)
PROPOSE_PROMPT = (
    "You can propose an interaction with agent {counterparty} "
    "(your trust in them: {trust:.2f}).\n"
    "Your reputation: {reputation:.2f}\n\n"
    "Would you like to propose an interaction? If so, describe what "
    "kind of collaboration or exchange you'd like.\n"
    "Say 'decline' if you don't want to interact."
)
TEMPLATE_FIELDS = {
    "system_prompt": ("name", "goal", "observations"),
    "act_prompt": ("observation",),
    "accept_prompt": ("initiator", "interaction_type", "content", "transfer", "reputation"),
    "propose_prompt": ("counterparty", "trust", "reputation"),
}


@dataclass(frozen=True)
class ConcordiaConfig:
    """The ``concordia:`` mapping: the reference's keys and defaults."""

    prefab: str = "basic"  # read by nothing in the reference either
    goal: str = "Be helpful and cooperative."
    provider: str = "groq"
    model: str = "llama-3.1-8b-instant"
    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    temperature: float = 0.7
    max_tokens: int = 256
    timeout: float = 30.0
    max_retries: int = 2
    system_prompt: str = SYSTEM_PROMPT
    act_prompt: str = ACT_PROMPT
    accept_prompt: str = ACCEPT_PROMPT
    # Only for the reference's propose_interaction, which its loop never calls.
    propose_prompt: str = PROPOSE_PROMPT
    fallback_action: str = "noop"
    observation_memory_depth: int = 10
    max_visible_posts: int = 5
    max_visible_agents: int = 5
    max_available_tasks: int = 3
    max_prompt_chars: int = 4000
    response_format: str = "free"  # read by nothing in the reference either
    use_concordia_memory: bool = True
    memory_capacity: int = 1000  # read by nothing in the reference either
    # provider: mock (swarm_fast): fixed replies per call kind, or a function.
    mock_responses: Mapping[str, str] | None = None
    mock_callable: str | None = None

    def key(self) -> str | None:
        """The API key: the file's, else the provider's environment variable
        (ollama needs none). Never logged or printed."""
        if self.api_key:
            return self.api_key
        env = KEY_ENV.get(self.provider)
        if env is None:
            return "ollama"
        return os.environ.get(env) or None

    def canned(self, context: Mapping[str, Any]) -> bool:
        """No model: ``provider: none``, or a live provider with no key."""
        if self.provider == "mock" or context.get("mock") is not None or context.get("replay"):
            return False
        return self.provider == "none" or not self.key()


_STR_KEYS = (
    "prefab",
    "goal",
    "model",
    "api_key",
    "base_url",
    "fallback_action",
    "mock_callable",
    *TEMPLATE_FIELDS,
)
_INT_KEYS = {
    "max_tokens": 1,
    "max_retries": 0,
    "observation_memory_depth": 0,
    "max_visible_posts": 0,
    "max_visible_agents": 0,
    "max_available_tasks": 0,
    "max_prompt_chars": 0,
    "memory_capacity": 1,
}
KNOWN_KEYS = frozenset(
    {*_STR_KEYS, *_INT_KEYS, "provider", "temperature", "timeout", "response_format"}
    | {"use_concordia_memory", "mock_responses"}
)


def _check_template(where: str, text: str, allowed: tuple[str, ...]) -> None:
    try:
        names = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError as e:
        raise ScenarioError(where, f"not a valid template: {e}") from None
    for name in names:
        base = re.split(r"[.\[]", name, maxsplit=1)[0]
        if base not in allowed:
            raise ScenarioError(
                where,
                f"unknown placeholder {{{name}}} (known: {', '.join(allowed)}); "
                "the reference fails on it when the template is used",
            )


def parse_concordia_config(where: str, data: Any) -> ConcordiaConfig:
    """Check a ``concordia:`` mapping; errors name ``agents[i].concordia.KEY``.
    Unknown keys are refused (the reference drops them silently)."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ScenarioError(where, f"expected a mapping, got {data!r}")
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        raise ScenarioError(
            f"{where}.{unknown[0]}",
            f"unknown concordia key (known: {', '.join(sorted(KNOWN_KEYS))})",
        )
    kw: dict[str, Any] = {}
    provider = data.get("provider", "groq")
    if not isinstance(provider, str) or provider not in PROVIDERS:
        # The reference warns and falls back to canned replies; a misspelt
        # provider is refused here instead of running without a model.
        raise ScenarioError(
            f"{where}.provider", f"unknown provider {provider!r} (one of {', '.join(PROVIDERS)})"
        )
    kw["provider"] = provider
    for k in _STR_KEYS:
        if data.get(k) is not None:
            if not isinstance(data[k], str):
                raise ScenarioError(f"{where}.{k}", f"expected a string, got {data[k]!r}")
            kw[k] = data[k]
    for k, fields in TEMPLATE_FIELDS.items():
        if k in kw:
            _check_template(f"{where}.{k}", kw[k], fields)
    for k, low in _INT_KEYS.items():
        if k in data:
            v = data[k]
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise ScenarioError(f"{where}.{k}", f"expected an integer >= {low}, got {v!r}")
            kw[k] = v
    for k, ok, msg in (
        ("temperature", lambda v: v >= 0, ">= 0"),
        ("timeout", lambda v: v > 0, "> 0"),
    ):
        if k in data:
            v = data[k]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v or not ok(v):
                raise ScenarioError(f"{where}.{k}", f"expected a number {msg}, got {v!r}")
            kw[k] = float(v)
    fmt = data.get("response_format", "free")
    if fmt not in ("free", "json"):
        raise ScenarioError(f"{where}.response_format", f"expected free or json, got {fmt!r}")
    kw["response_format"] = fmt
    if "use_concordia_memory" in data:
        if not isinstance(data["use_concordia_memory"], bool):
            raise ScenarioError(f"{where}.use_concordia_memory", "expected true or false")
        kw["use_concordia_memory"] = data["use_concordia_memory"]
    mock = mock_responses(data, where)
    if mock is not None:
        kw["mock_responses"] = mock
    if provider == "mock" and mock is None and "mock_callable" not in kw:
        raise ScenarioError(
            f"{where}.provider",
            "provider: mock needs mock_responses {act: ..., accept: ...} or "
            "mock_callable: module:function (or run(..., llm={'mock': fn}))",
        )
    return ConcordiaConfig(**kw)


# --------------------------------------------------------------- rendering

# Per-section caps (characters) of the rendered observation (the reference's).
SECTION_CAPS = {"posts": 800, "agents": 400, "proposals": 400, "ecosystem": 300}


def render_observation(obs: Any, cfg: ConcordiaConfig) -> str:
    """The observation as the reference's bridge writes it for the entity.
    swarm_fast's feed keeps no texts and numbers its posts: post and
    proposal contents are empty here and post ids are integers (the
    reference shows canned texts and uuids). Posts show author ``?``, as
    in the reference (it reads a key its post dicts do not have). Core runs
    have no tasks and no ``recent_interactions``, so those sections never
    appear, in either."""
    sections: list[str] = []
    budget = cfg.max_prompt_chars

    def add(header: str, body: str, cap: int) -> None:
        nonlocal budget
        if not body or budget <= 0:
            return
        text = f"## {header}\n{body[:cap]}"
        sections.append(text)
        budget -= len(text)

    add(
        "Your status",
        f"You are agent {obs.agent_id or '(unknown)'}. Reputation: {obs.reputation:.2f}. "
        f"Epoch {obs.epoch}, step {obs.step}.",
        300,
    )
    posts = obs.visible_posts[: cfg.max_visible_posts]
    if posts:
        body = "\n".join(f"- [{p['post_id']}] by ?: " for p in posts)
        add("Recent posts", body, SECTION_CAPS["posts"])
    agents = obs.visible_agents[: cfg.max_visible_agents]
    if agents:
        body = "\n".join(f"- {a['agent_id']} (rep {a['reputation']})" for a in agents)
        add("Other agents", body, SECTION_CAPS["agents"])
    proposals = obs.pending_proposals
    if proposals:
        body = "\n".join(f"- from {p['initiator_id']}: " for p in proposals)
        add("Pending proposals", body, SECTION_CAPS["proposals"])
    metrics = obs.ecosystem_metrics
    if metrics:
        body = ", ".join(f"{k}={v}" for k, v in list(metrics.items())[:6])
        add("Ecosystem", body, SECTION_CAPS["ecosystem"])
    caps = [n for n, ok in (("post", obs.can_post), ("interact", obs.can_interact)) if ok]
    if obs.can_vote:
        caps.append("vote")
    if caps:
        add("You can", ", ".join(caps), 200)
    return "\n\n".join(sections)[: cfg.max_prompt_chars]


# ----------------------------------------------------------------- parsing

# Keyword -> action, tried in this order on the lower-cased reply.
_KEYWORDS = (
    (re.compile(r"\bpost\b", re.I), "post"),
    (re.compile(r"\bvote\b", re.I), "vote"),
    (re.compile(r"\bpropose\b", re.I), "propose_interaction"),
    (re.compile(r"\bclaim[_ ]?task\b", re.I), "claim_task"),
    (re.compile(r"\bnoop\b", re.I), "noop"),
    (re.compile(r"\bdo nothing\b", re.I), "noop"),
    (re.compile(r"\bpass\b", re.I), "noop"),
)
_POST_TEXT = re.compile(r"post[:\s]+(.+)", re.I | re.S)
_VOTE_TARGET = re.compile(r"vote\s+(?:on\s+)?(\S+)")
_PROPOSE_TO = re.compile(r"propose\s+(?:to\s+)?(\S+)")
_PROPOSE_TEXT = re.compile(r"propose[^:]*:\s*(.+)", re.I | re.S)
_TASK = re.compile(r"claim[_ ]?task\s+(\S+)")


@dataclass
class Parsed:
    """A reply read as the reference's bridge reads it."""

    kind: str  # post | vote | propose_interaction | claim_task | noop
    content: str = ""
    target: str = ""  # vote: the post id as written; claim_task: the task id
    direction: int = 1
    counterparty: str = ""


def parse_response(response: str) -> Parsed:
    """The first keyword found (post, vote, propose, claim task, noop / do
    nothing / pass) decides; its target is read with a regex. Anything
    else is a NOOP."""
    text = response.strip().lower()
    for pattern, kind in _KEYWORDS:
        if not pattern.search(text):
            continue
        if kind == "post":
            m = _POST_TEXT.search(response)
            return Parsed("post", content=(m.group(1).strip() if m else response.strip())[:500])
        if kind == "vote":
            m = _VOTE_TARGET.search(text)
            return Parsed(
                "vote", target=m.group(1) if m else "", direction=-1 if "down" in text else 1
            )
        if kind == "propose_interaction":
            m = _PROPOSE_TO.search(text)
            c = _PROPOSE_TEXT.search(response)
            return Parsed(
                "propose_interaction",
                counterparty=m.group(1) if m else "",
                content=(c.group(1).strip() if c else "")[:500],
            )
        if kind == "claim_task":
            m = _TASK.search(text)
            return Parsed("claim_task", target=m.group(1) if m else "")
        return Parsed("noop")
    return Parsed("noop")


def to_action(p: Parsed, shown_posts: Mapping[str, int]) -> Any:
    """swarm_fast's action for a parsed reply. A vote names a post by the id
    the entity was shown (``shown_posts``: text -> post id); any other
    target names no post and fails silently, as a reference vote on an id
    it never showed does. Core runs have no tasks: a task claim fails, a
    NOOP."""
    if p.kind == "post":
        return Action.post(p.content)
    if p.kind == "vote":
        return Action.vote(shown_posts.get(p.target), p.direction)
    if p.kind == "propose_interaction":
        # Any id is accepted; one that names no agent stays pending (§4.1).
        return Action.propose(p.counterparty, "collaboration", p.content)
    return Action.noop()


# ------------------------------------------------------------------- agent


def _require_concordia(where: str = "agents") -> Any:
    try:
        from concordia.agents import entity_agent
        from concordia.typing import entity, entity_component
    except ImportError as e:
        raise ScenarioError(
            where,
            f"concordia_entity agents need the gdm-concordia package ({e}): {INSTALL_HINT} "
            "(Python >= 3.11); the reference's bridge needs it too",
        ) from None
    return entity_agent, entity, entity_component


_ACT_COMPONENT: Any = None


def _act_component_class() -> Any:
    """A Concordia ActingComponent whose attempts the agent answers."""
    global _ACT_COMPONENT
    if _ACT_COMPONENT is None:
        _, _, entity_component = _require_concordia()

        class SwarmActing(entity_component.ActingComponent):
            def __init__(self, owner: ConcordiaEntityAgent) -> None:
                super().__init__()
                self._owner = owner
                self._state: dict[str, Any] = {}

            def get_action_attempt(self, context: Any, action_spec: Any) -> str:
                return self._owner._attempt(action_spec)

            def get_state(self) -> Mapping[str, Any]:
                return dict(self._state)

            def set_state(self, state: Mapping[str, Any]) -> None:
                self._state = dict(state)

        _ACT_COMPONENT = SwarmActing
    return _ACT_COMPONENT


class ConcordiaEntityAgent:
    """One ``concordia_entity`` agent: a policy object for the engine.

    ``entity`` is the Concordia ``EntityAgent`` (built on the first call),
    ``memory_bank`` its associative memory (with ``use_concordia_memory``;
    embeddings are zeros, as in the reference, so it is a plain log)."""

    def __init__(
        self,
        cfg: ConcordiaConfig,
        name: str | None,
        context: dict[str, Any],
        where: str = "agents",
    ) -> None:
        _require_concordia(where)
        self.cfg = cfg
        self.name = name
        self.agent_id: str | None = None
        self.canned = cfg.canned(context)
        self.observations: list[str] = []
        self.memory_bank: Any = None
        self._entity: Any = None
        self._next_response = ""
        self._where = (0, 0)
        self.usage: Any = None
        self.provider: Any = None
        if not self.canned:
            from .llm.config import LLMConfig
            from .llm.providers import make_provider
            from .llm.usage import Usage

            # groq, openrouter, together, deepseek, ollama: the OpenAI
            # client with the bridge's base_url. A replay miss is a
            # BaseException: it stops the run rather than falling back.
            llm_cfg = LLMConfig(
                provider=cfg.provider,
                model=cfg.model,
                api_key=cfg.key(),
                base_url=cfg.base_url or BASE_URL.get(cfg.provider),
                temperature=cfg.temperature,
                max_tokens=cfg.max_tokens,
                timeout=cfg.timeout,
                max_retries=cfg.max_retries,
                # The bridge sleeps 0.5 s * 2**attempt between tries.
                retry_base_delay=0.5,
                mock_responses=cfg.mock_responses,
                mock_callable=cfg.mock_callable,
            )
            self.usage = Usage(cfg.model, cfg.provider)
            self.provider = make_provider(llm_cfg, context, self.usage)
        elif cfg.provider != "none":
            warnings.warn(
                f"concordia_entity: no API key for provider {cfg.provider} "
                f"({KEY_ENV.get(cfg.provider)} is not set): canned replies, as the reference "
                "does (every turn posts the goal, every proposal is accepted)",
                RuntimeWarning,
                stacklevel=2,
            )

    # The entity ------------------------------------------------------------

    @property
    def entity(self) -> Any:
        if self._entity is None:
            entity_agent, _, _ = _require_concordia()
            if self.cfg.use_concordia_memory:
                import numpy as np
                from concordia.associative_memory.basic_associative_memory import (
                    AssociativeMemoryBank,
                )

                self.memory_bank = AssociativeMemoryBank(
                    sentence_embedder=lambda _text: np.zeros(64, dtype=np.float32)
                )
                self.memory_bank.add(self.cfg.goal)
            self._entity = entity_agent.EntityAgent(
                agent_name=self.name or self.agent_id or "concordia",
                act_component=_act_component_class()(self),
            )
        return self._entity

    def _attempt(self, spec: Any) -> str:
        """The acting component's answer to one action spec."""
        cfg = self.cfg
        if self.canned:
            return self._next_response or cfg.fallback_action
        depth = cfg.observation_memory_depth
        recent = self.observations[-depth:]
        system = cfg.system_prompt.format(
            name=self.name or self.agent_id,
            goal=cfg.goal,
            observations="\n".join(f"- {o}" for o in recent) if recent else "(none yet)",
        )
        user = spec.call_to_action
        if spec.options:
            user += f"\n\nYou MUST respond with exactly one of: {', '.join(spec.options)}"
        kind = "accept" if spec.options else "act"
        try:
            text = self.provider.complete(kind, system, user, self, self._where)[0]
        except Exception as e:  # transport failure, mock exception: the fallback
            self.usage.fallback(e)
            return self._next_response or cfg.fallback_action
        return text if text else cfg.fallback_action

    def _observe(self, text: str) -> None:
        try:
            self.entity.observe(text)
        except Exception:  # the reference ignores it too
            pass
        self.observations.append(text)
        # Kept to twice the depth the prompt shows (the reference's bound).
        cap = self.cfg.observation_memory_depth * 2
        if len(self.observations) > cap:
            self.observations = self.observations[-cap:]
        if self.memory_bank is not None:
            try:
                self.memory_bank.add(text)
            except Exception:  # the reference ignores it too
                pass

    # The policy interface ------------------------------------------------

    def act(self, obs: Any) -> Any:
        self.agent_id = obs.agent_id
        self._where = (obs.epoch, obs.step)
        _, entity, _ = _require_concordia()
        rendered = render_observation(obs, self.cfg)
        spec = entity.ActionSpec(
            call_to_action=self.cfg.act_prompt.format(observation=rendered),
            output_type=entity.OutputType.FREE,
        )
        if self.canned and self._entity is not None:
            # Not on the first call: the reference sets it only once its
            # lazily built entity exists (so a first turn is the fallback).
            self._next_response = f"post: Pursuing my goal - {self.cfg.goal}"
        try:
            response = self.entity.act(spec)
        except Exception:
            return Action.noop()
        parsed = parse_response(response)
        shown = {str(p["post_id"]): p["post_id"] for p in obs.visible_posts}
        shown = {k: v for k, v in shown.items() if f"[{k}]" in spec.call_to_action}
        summary = f"{parsed.kind}: {parsed.content[:100]}" if parsed.content else parsed.kind
        self._observe(f"You decided to: {summary}")
        return to_action(parsed, shown)

    def accept_interaction(self, proposal: Any, obs: Any) -> bool:
        self.agent_id = obs.agent_id
        self._where = (obs.epoch, obs.step)
        _, entity, _ = _require_concordia()
        # swarm_fast's proposals carry no text; the core offers no transfer.
        prompt = self.cfg.accept_prompt.format(
            initiator=proposal.initiator_id,
            interaction_type=proposal.interaction_type,
            content="",
            transfer=0,
            reputation=obs.reputation,
        )
        spec = entity.ActionSpec(
            call_to_action=prompt,
            output_type=entity.OutputType.CHOICE,
            options=("accept", "reject"),
        )
        if self.canned and self._entity is not None:
            self._next_response = "accept"
        try:
            response = self.entity.act(spec)
        except Exception:
            return False
        accepted = response.strip().lower() == "accept"
        verb = "accepted" if accepted else "rejected"
        self._observe(f"You {verb} a proposal from {proposal.initiator_id}.")
        return accepted

    def update_from_outcome(self, interaction: Any, payoff: float) -> None:
        me = interaction.agent_id
        self.agent_id = me
        other = interaction.counterparty if interaction.initiator == me else interaction.initiator
        status = "accepted" if interaction.accepted else "rejected"
        self._observe(
            f"Interaction with {other} was {status}. "
            f"Quality score: {interaction.p:.2f}, payoff: {payoff:.2f}."
        )

    def close_run(self) -> None:
        if self.provider is not None:
            self.provider.close()

    def __repr__(self) -> str:
        mode = "canned" if self.canned else f"{self.cfg.provider}/{self.cfg.model}"
        return f"ConcordiaEntityAgent(id={self.agent_id}, name={self.name}, {mode})"
