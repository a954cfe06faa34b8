"""The reference's ``type: llm`` agent as a swarm_fast policy: prompts
(spec-ext §3.3), parsing, mapping and fallbacks (§3.4). It only produces
actions; governance, observables and payoffs are the engine's, with the
agent registered as honest.
"""

from __future__ import annotations

import json
import re
import time
from collections import deque
from typing import Any

from ..._core import Action
from ...errors import ScenarioError
from .config import LLMConfig
from .prompts import build_accept_prompt, build_action_prompt
from .providers import Provider, make_provider
from .usage import AuditLog, Usage

_FENCED = re.compile(r"```(?:json)?\s*([\s\S]*?)```")
_BRACES = re.compile(r"\{[\s\S]*\}")
# The reference's memory: the last 1,000 items; prompts read the last 10.
MEMORY_SIZE = 1000
PROMPT_MEMORY = 10

# ActionType names of the reference (upper case). A reply naming an unknown
# name is a NOOP; of the known ones, only these do anything in a core run.
KNOWN_ACTIONS = frozenset(
    """
    POST REPLY VOTE PROPOSE_INTERACTION ACCEPT_INTERACTION REJECT_INTERACTION CLAIM_TASK
    SUBMIT_OUTPUT VERIFY_OUTPUT POST_BOUNTY PLACE_BID ACCEPT_BID REJECT_BID WITHDRAW_BID
    FILE_DISPUTE CREATE_PAGE EDIT_PAGE FILE_OBJECTION POLICY_FLAG MOLTBOOK_POST
    MOLTBOOK_COMMENT MOLTBOOK_VERIFY MOLTBOOK_VOTE WRITE_MEMORY PROMOTE_MEMORY VERIFY_MEMORY
    SEARCH_MEMORY CHALLENGE_MEMORY RETRIEVE_PASSAGES SYNTHESIZE_ANSWER VERIFY_CITATION
    SUBMIT_KERNEL VERIFY_KERNEL AUDIT_KERNEL SPAWN_SUBAGENT RIVALS_PRODUCE RIVALS_REVIEW
    AWM_EXECUTE_TASK AWM_TOOL_CALL AWM_FINISH_TASK EVO_GAME_MOVE RESOURCE_NEGOTIATE NOOP
    """.split()
)
INTERACTION_TYPES = ("reply", "vote", "trade", "collaboration")


class ParseError(ValueError):
    """The reply holds no JSON object, or invalid JSON."""


def parse_reply(text: str) -> Any:
    """The first fenced block, else the span from the first ``{`` to the
    last ``}``, as JSON."""
    m = _FENCED.search(text)
    if m:
        body = m.group(1).strip()
    else:
        m = _BRACES.search(text)
        if not m:
            raise ParseError("No JSON found in response")
        body = m.group(0)
    try:
        return json.loads(body)
    except json.JSONDecodeError as e:
        raise ParseError(f"Invalid JSON: {e}") from e


def to_action(d: Any) -> Any:
    """The reference's mapping of a parsed reply. Actions that cannot
    succeed in a core run (a reply or vote on a post id the model only saw
    truncated, a task claim with no tasks, kernel actions) are NOOPs here,
    after the same checks of their parameters."""
    name = d.get("action_type", "NOOP").upper()
    params = d.get("params", {})
    if name not in KNOWN_ACTIONS or name == "NOOP":
        return Action.noop()
    if name == "POST":
        content = params.get("content", "")
        return Action.post(content if isinstance(content, str) else str(content))
    if name == "REPLY":
        params.get("post_id", "")
        params.get("content", "")
        return Action.noop()
    if name == "VOTE":
        params.get("post_id", "")
        direction = int(params.get("direction", 1))
        # The ids in the prompt are truncated: the vote names no post.
        return Action.vote(None, direction)
    if name == "PROPOSE_INTERACTION":
        kind = params.get("interaction_type", "collaboration")
        if kind not in INTERACTION_TYPES:
            kind = "collaboration"
        target = params.get("counterparty_id", "")
        params.get("content", "")
        params.get("task_id")
        # Any id is accepted; one that names no agent stays pending.
        return Action.propose(target if isinstance(target, str) else f"\0{target!r}", kind)
    if name in ("CLAIM_TASK", "SUBMIT_OUTPUT"):
        params.get("task_id", "")
        return Action.noop()
    if name in ("SUBMIT_KERNEL", "VERIFY_KERNEL", "AUDIT_KERNEL"):
        params.get("challenge_id" if name == "SUBMIT_KERNEL" else "submission_id", "")
        return Action.noop()
    # ACCEPT/REJECT_INTERACTION and the rest: "unhandled", NOOP (Q-E6).
    return Action.noop()


class LLMAgent:
    """A ``type: llm`` agent: one object per agent."""

    def __init__(self, cfg: LLMConfig, context: dict[str, Any]) -> None:
        offline = cfg.provider == "mock" or context.get("mock") or context.get("replay")
        if cfg.memori and not offline:
            # The reference's Memori patches the live client to inject
            # recalled facts into requests; swarm_fast has no such client.
            raise ScenarioError(
                "llm.memori",
                "Memori memory is out of scope with a live model (it rewrites the "
                "requests); it is inert, as in the reference, with provider: mock or replay",
            )
        self.cfg = cfg
        self.agent_id: str | None = None
        self.memory: deque[dict[str, Any]] = deque(maxlen=MEMORY_SIZE)
        self.usage = Usage(cfg.model, cfg.provider)
        self.provider: Provider = make_provider(cfg, context, self.usage)
        audit_path = context.get("prompt_audit") or cfg.prompt_audit_path
        self.audit = AuditLog.shared(audit_path, cfg) if audit_path else None

    # The policy interface ------------------------------------------------

    def act(self, obs: Any) -> Any:
        self.agent_id = obs.agent_id
        system = user = ""
        where = (obs.epoch, obs.step)
        try:
            system, user = build_action_prompt(
                self.cfg.persona, obs, self.cfg.system_prompt, self._recent()
            )
            text, tin, tout = self.provider.complete("act", system, user, self, where)
            self._audit("act", where, system, user, text, tin, tout)
            d = self._parse(text)
            if d.get("reasoning"):
                self.memory.append(
                    {
                        "type": "action_reasoning",
                        "action_type": d.get("action_type"),
                        "reasoning": d["reasoning"],
                    }
                )
            return self._map(d)
        except Exception as e:
            self._audit("act_error", where, system, user, None, None, None, error=str(e))
            self.usage.fallback(e)
            return Action.noop()

    def accept_interaction(self, proposal: Any, obs: Any) -> bool:
        self.agent_id = obs.agent_id
        system = user = ""
        where = (obs.epoch, obs.step)
        extra = {"proposal_id": proposal.proposal_id, "initiator_id": proposal.initiator_id}
        try:
            system, user = build_accept_prompt(
                self.cfg.persona, proposal, obs, self.cfg.system_prompt, self._recent()
            )
            text, tin, tout = self.provider.complete("accept", system, user, self, where)
            self._audit("accept", where, system, user, text, tin, tout, extra=extra)
            d = self._parse(text)
            if d.get("reasoning"):
                self.memory.append(
                    {
                        "type": "accept_decision",
                        "proposal_id": proposal.proposal_id,
                        "initiator_id": proposal.initiator_id,
                        "accepted": d.get("accept", False),
                        "reasoning": d["reasoning"],
                    }
                )
            return bool(d.get("accept", False))
        except Exception as e:
            self._audit(
                "accept_error", where, system, user, None, None, None, error=str(e), extra=extra
            )
            self.usage.fallback(e)
            return False

    def update_from_outcome(self, interaction: Any, payoff: float) -> None:
        me = interaction.agent_id
        other = interaction.counterparty if interaction.initiator == me else interaction.initiator
        self.memory.append(
            {
                "type": "interaction_outcome",
                "counterparty": other,
                "p": interaction.p,
                "payoff": payoff,
                "accepted": interaction.accepted,
            }
        )

    def close_run(self) -> None:
        if self.audit is not None:
            self.audit.flush()
        self.provider.close()

    # ----------------------------------------------------------------------

    def _recent(self) -> list[dict[str, Any]]:
        n = len(self.memory)
        return [self.memory[i] for i in range(max(0, n - PROMPT_MEMORY), n)]

    def _parse(self, text: str) -> Any:
        try:
            return parse_reply(text)
        except ParseError:
            raise
        except Exception as e:  # a non-string reply, say
            raise ParseError(str(e)) from e

    def _map(self, d: Any) -> Any:
        return to_action(d)

    def _audit(
        self,
        kind: str,
        where: tuple[int, int],
        system: str,
        user: str,
        text: str | None,
        tin: int | None,
        tout: int | None,
        error: str | None = None,
        extra: dict | None = None,
    ) -> None:
        if self.audit is not None:
            self.audit.append(
                self.agent_id, kind, where, self.cfg, system, user, text, tin, tout, error, extra
            )

    def __repr__(self) -> str:
        return (
            f"LLMAgent(id={self.agent_id}, provider={self.cfg.provider}, "
            f"model={self.cfg.model}, persona={self.cfg.persona})"
        )


def now() -> float:
    return time.perf_counter()
