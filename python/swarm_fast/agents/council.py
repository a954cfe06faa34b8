"""The reference's ``type: council`` agent as a swarm_fast policy: each
decision is a three-stage deliberation among LLM members (spec-ext, the
council agent): every member answers the question, every member that
answered ranks the anonymised answers (weighted Borda count), and a chairman
synthesises the verdict, which is parsed into an action or an accept
decision. Every model call goes through the LLM agents' providers (mock,
record / replay, live, usage accounting).

Reference quirks kept (swarm-safety 1.9.0):

- the chairman's own ``llm:`` is never called: the chairman speaks through
  the member of the same ``member_id``, else through the first member;
- ``anonymize_responses`` is read but unused (answers are always anonymised);
- the labels' shuffle is ``random.Random(seed)`` afresh at every ranking, so
  with a fixed ``seed`` it is the same permutation every time, and with no
  ``seed`` it is drawn from the OS (such a run is not reproducible, as in
  the reference);
- members that share a ``member_id`` collapse into one (the last one's
  model, the first one's place); a ranking's weight is the last such
  member's.

Not modelled: the per-member wall-clock timeout (``timeout_per_member``; a
live member's own ``llm.timeout`` bounds its calls instead), and members are
asked one after another rather than concurrently.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._core import Action
from ..errors import ScenarioError
from . import council_texts as T
from .llm.agent import INTERACTION_TYPES, parse_reply
from .llm.config import LLMConfig, parse_llm_config
from .llm.providers import Provider, TransportError, make_provider
from .llm.usage import PRICES, Usage

COUNCIL_KEYS = frozenset(
    {
        "members",
        "chairman",
        "min_members_required",
        "timeout_per_member",
        "anonymize_responses",
        "seed",
    }
)
MEMBER_KEYS = frozenset({"member_id", "weight", "llm"})
_BRACES = re.compile(r"\{[\s\S]*\}")
_NUMBERED = re.compile(r"\d+\.\s*([A-Z])")
_SEPARATORS = (re.compile(r"\s*>\s*"), re.compile(r"\s*,\s*"))
_LETTER = re.compile(r"\b([A-Z])\b")


@dataclass(frozen=True)
class Member:
    member_id: str
    llm: LLMConfig
    weight: float = 1.0


@dataclass(frozen=True)
class CouncilConfig:
    members: tuple[Member, ...]
    chairman: Member | None
    min_members_required: int = 2
    timeout_per_member: float = 30.0
    anonymize_responses: bool = True
    seed: int | None = None


def _mapping(where: str, v: Any) -> Mapping[str, Any]:
    if not isinstance(v, Mapping):
        raise ScenarioError(where, f"expected a mapping, got {v!r}")
    return v


def _member(where: str, data: Any, default_id: str) -> Member:
    data = _mapping(where, data)
    unknown = sorted(set(data) - MEMBER_KEYS)
    if unknown:
        raise ScenarioError(f"{where}.{unknown[0]}", "unknown council member key")
    mid = data.get("member_id", default_id)
    if not isinstance(mid, str) or not mid:
        raise ScenarioError(f"{where}.member_id", f"expected a non-empty string, got {mid!r}")
    w = data.get("weight", 1.0)
    if isinstance(w, bool) or not isinstance(w, (int, float)) or w != w:
        raise ScenarioError(f"{where}.weight", f"expected a number, got {w!r}")
    if w < 0:
        # The reference's CouncilMemberConfig raises the same.
        raise ScenarioError(f"{where}.weight", f"must be non-negative, got {w!r}")
    llm = parse_llm_config(f"{where}.llm", data.get("llm") or {})
    return Member(mid, llm, float(w))


def parse_council_config(where: str, data: Any) -> CouncilConfig:
    """Check a ``council:`` mapping (the reference's keys and defaults);
    errors name ``agents[i].council.KEY``."""
    data = _mapping(where, data if data is not None else {})
    unknown = sorted(set(data) - COUNCIL_KEYS)
    if unknown:
        raise ScenarioError(f"{where}.{unknown[0]}", "unknown council key")
    raw_members = data.get("members") or []
    if not isinstance(raw_members, list):
        raise ScenarioError(f"{where}.members", f"expected a list, got {raw_members!r}")
    members = tuple(
        _member(f"{where}.members[{i}]", m, f"member_{i}") for i, m in enumerate(raw_members)
    )
    chairman = None
    if data.get("chairman"):
        chairman = _member(f"{where}.chairman", data["chairman"], "chairman")
    elif members:
        chairman = members[0]
    quorum = data.get("min_members_required", 2)
    if isinstance(quorum, bool) or not isinstance(quorum, int) or quorum < 1:
        raise ScenarioError(
            f"{where}.min_members_required", f"expected an integer >= 1, got {quorum!r}"
        )
    timeout = data.get("timeout_per_member", 30.0)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ScenarioError(f"{where}.timeout_per_member", f"must be > 0, got {timeout!r}")
    anon = data.get("anonymize_responses", True)
    if not isinstance(anon, bool):
        raise ScenarioError(f"{where}.anonymize_responses", f"expected true or false, got {anon!r}")
    seed = data.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ScenarioError(f"{where}.seed", f"expected an integer, got {seed!r}")
    return CouncilConfig(members, chairman, quorum, float(timeout), anon, seed)


# The protocol's pure pieces ---------------------------------------------


def shuffled_labels(member_ids: list[str], seed: int | None) -> dict[str, str]:
    """Label ``A``, ``B``, ... -> member id, after the reference's shuffle
    (a fresh ``random.Random(seed)`` each time)."""
    ids = list(member_ids)
    random.Random(seed).shuffle(ids)
    return {chr(65 + i): mid for i, mid in enumerate(ids)}


def parse_ranking(text: str, n: int) -> list[str] | None:
    """A ranking of the labels ``A``.. (best first) out of free text: a
    numbered list, else ``A > B`` or ``A, B``, else the distinct capital
    letters in order; None when none of these names every label once."""
    labels = [chr(65 + i) for i in range(n)]
    want = set(labels)
    numbered = _NUMBERED.findall(text)
    if len(numbered) == n and set(numbered) == want:
        return numbered
    for sep in _SEPARATORS:
        parts = [p.strip().upper() for p in sep.split(text.strip())]
        kept = [p for p in parts if p in labels]
        if len(kept) == n and set(kept) == want:
            return kept
    ordered: list[str] = []
    for letter in _LETTER.findall(text):
        if letter in labels and letter not in ordered:
            ordered.append(letter)
    return ordered if len(ordered) == n else None


def borda(
    rankings: dict[str, list[str]], labels: dict[str, str], weights: dict[str, float]
) -> list[str]:
    """Member ids by weighted Borda score (best first), ties by label. The
    sums run in the rankers' order, as the reference adds them."""
    n = len(labels)
    score = dict.fromkeys(labels, 0.0)
    for ranker, ranking in rankings.items():
        w = weights.get(ranker, 1.0) if weights else 1.0
        for pos, label in enumerate(ranking):
            score[label] += w * (n - 1 - pos)
    return [labels[lb] for lb in sorted(score, key=lambda lb: (-score[lb], lb))]


def ranking_prompt(query: str, answers: dict[str, str]) -> tuple[str, str]:
    body = "".join(f"\n--- Response {lb} ---\n{answers[lb]}\n" for lb in sorted(answers))
    user = f"Original query: {query}\n\nResponses:{body}\n" + T.RANK_TAIL.format(n=len(answers))
    return T.RANK_SYSTEM, user


def synthesis_prompt(query: str, answers: dict[str, str], order: list[str]) -> tuple[str, str]:
    body = "".join(f"\n--- {mid} ---\n{text}\n" for mid, text in answers.items())
    user = f"Original query: {query}\n\nCouncil responses:{body}\n"
    if order:
        user += f"Aggregate ranking (best first): {', '.join(order)}\n\n"
    return T.SYNTH_SYSTEM, user + T.SYNTH_TAIL


def synthesis_to_action(text: str) -> Any:
    """The reference's reading of a verdict as an action: only POST and
    PROPOSE_INTERACTION do anything. Raises ParseError (no JSON) or
    AttributeError (JSON of the wrong shape): the caller's NOOP."""
    d = parse_reply(text)
    name = d.get("action_type", "NOOP").upper()
    params = d.get("params", {})
    if name == "POST":
        content = params.get("content", "")
        return Action.post(content if isinstance(content, str) else str(content))
    if name == "PROPOSE_INTERACTION":
        kind = params.get("interaction_type", "collaboration")
        target = params.get("counterparty_id", "")
        params.get("content", "")
        if kind not in INTERACTION_TYPES:
            kind = "collaboration"
        # Any id is accepted; one that names no agent stays pending.
        return Action.propose(target if isinstance(target, str) else f"\0{target!r}", kind)
    return Action.noop()


def synthesis_to_accept(text: str) -> bool:
    """The JSON's ``accept`` (truthiness), else: says "accept" and not
    "reject"."""
    m = _BRACES.search(text)
    if m:
        try:
            return bool(json.loads(m.group(0)).get("accept", False))
        except ValueError:
            pass
    low = text.lower()
    return "accept" in low and "reject" not in low


# The agent ----------------------------------------------------------------


class _Caller:
    """What a provider needs to know of its caller (record / replay key):
    the reference's member agent id, ``<council id>_member_<member_id>``."""

    def __init__(self, owner: CouncilAgent, member_id: str) -> None:
        self.owner = owner
        self.member_id = member_id

    @property
    def agent_id(self) -> str:
        return f"{self.owner.agent_id}_member_{self.member_id}"


class CouncilUsage(Usage):
    """A council agent's usage: the sum over its members (cost by each
    member's model)."""

    def __init__(self, members: dict[str, Usage]) -> None:
        names = ",".join(u.model for u in members.values())
        super().__init__(f"council[{names}]", "council")
        self.members = members

    def _sum(self, attr: str) -> int:
        return sum(getattr(u, attr) for u in self.members.values())

    def refresh(self) -> None:
        for attr in ("calls", "failed_calls", "retries", "input_tokens", "output_tokens"):
            setattr(self, attr, self._sum(attr))
        self.latencies = [x for u in self.members.values() for x in u.latencies]

    def cost(self) -> float:
        return sum(
            u.input_tokens / 1e6 * PRICES.get(u.model, (0.0, 0.0))[0]
            + u.output_tokens / 1e6 * PRICES.get(u.model, (0.0, 0.0))[1]
            for u in self.members.values()
        )


class QuorumError(TransportError):
    """Fewer members answered than ``min_members_required``."""


class CouncilAgent:
    """A ``type: council`` agent: one object per agent, one provider per
    member."""

    def __init__(self, cfg: CouncilConfig, context: dict[str, Any]) -> None:
        self.cfg = cfg
        self.agent_id: str | None = None
        member_mock = context.get("council_mock")
        # Members by id, in first-appearance order (a later duplicate
        # replaces the model, as the reference's dict does).
        self.members: dict[str, Member] = {}
        for m in cfg.members:
            self.members[m.member_id] = m
        self.weights = {m.member_id: m.weight for m in cfg.members}
        usages = {mid: Usage(m.llm.model, m.llm.provider) for mid, m in self.members.items()}
        self.providers: dict[str, Provider] = {}
        for mid, m in self.members.items():
            ctx = context
            if member_mock is not None:
                # A stand-in model told which member it answers for.
                ctx = {**context, "mock": _bind(member_mock, mid)}
            self.providers[mid] = make_provider(m.llm, ctx, usages[mid])
        self.callers = {mid: _Caller(self, mid) for mid in self.members}
        self.usage = CouncilUsage(usages)

    # The policy interface ------------------------------------------------

    def act(self, obs: Any) -> Any:
        self.agent_id = obs.agent_id
        try:
            verdict = self.deliberate("act", T.ACT_SYSTEM, self._act_prompt(obs), obs)
            return synthesis_to_action(verdict)
        except Exception as e:
            self.usage.fallback(e)
            return Action.noop()
        finally:
            self.usage.refresh()

    def accept_interaction(self, proposal: Any, obs: Any) -> bool:
        self.agent_id = obs.agent_id
        user = (
            f"Proposal from {proposal.initiator_id}:\n"
            f"- Type: {proposal.interaction_type}\n"
            # The core keeps neither the proposal's text nor its offered
            # transfer: the reference shows the proposer's canned text and
            # its tau here (docs/agents.md).
            f"- Content: \n"
            f"- Offered transfer: {getattr(proposal, 'offered_transfer', 0.0)}\n\n"
            f"Your reputation: {obs.reputation:.2f}\n"
            f"Your resources: {obs.resources:.2f}\n\n" + T.ACCEPT_TAIL
        )
        try:
            verdict = self.deliberate("accept", T.ACCEPT_SYSTEM, user, obs)
            return synthesis_to_accept(verdict)
        except Exception as e:
            self.usage.fallback(e)
            return False
        finally:
            self.usage.refresh()

    def close_run(self) -> None:
        for p in self.providers.values():
            p.close()

    # The protocol --------------------------------------------------------

    def _ask(self, mid: str, kind: str, system: str, user: str, obs: Any) -> str:
        text, _, _ = self.providers[mid].complete(
            kind, system, user, self.callers[mid], (obs.epoch, obs.step)
        )
        return text

    def deliberate(self, kind: str, system: str, query: str, obs: Any) -> str:
        """The verdict text; QuorumError when too few members answer."""
        answers: dict[str, str] = {}
        for mid in self.members:
            try:
                answers[mid] = self._ask(mid, f"{kind}_member", system, query, obs)
            except Exception:
                continue  # a member that fails is left out
        if len(answers) < self.cfg.min_members_required:
            raise QuorumError(f"Quorum not met: {len(answers)}/{self.cfg.min_members_required}")
        order: list[str] = []
        if len(answers) > 1:
            order = self._rank(kind, query, answers, obs)
        s_system, s_user = synthesis_prompt(query, answers, order)
        chair = self.cfg.chairman.member_id if self.cfg.chairman else next(iter(self.members))
        if chair not in self.members:
            chair = next(iter(self.members))
        try:
            return self._ask(chair, f"{kind}_chairman", s_system, s_user, obs)
        except Exception:
            if order:
                return answers.get(order[0], T.FAILED)
            return next(iter(answers.values()), T.FAILED)

    def _rank(self, kind: str, query: str, answers: dict[str, str], obs: Any) -> list[str]:
        labels = shuffled_labels(list(answers), self.cfg.seed)
        anon = {lb: answers[mid] for lb, mid in labels.items()}
        r_system, r_user = ranking_prompt(query, anon)
        rankings: dict[str, list[str]] = {}
        for mid in answers:
            try:
                text = self._ask(mid, f"{kind}_rank", r_system, r_user, obs)
            except Exception:
                continue
            parsed = parse_ranking(text, len(anon))
            if parsed is not None:
                rankings[mid] = parsed
        if not rankings:
            return list(answers)
        weights = {mid: w for mid, w in self.weights.items() if mid in rankings}
        return borda(rankings, labels, weights)

    def _act_prompt(self, obs: Any) -> str:
        lines = [
            f"Current epoch: {obs.epoch}, step: {obs.step}",
            f"Your reputation: {obs.reputation:.2f}",
            f"Your resources: {obs.resources:.2f}",
        ]
        if obs.pending_proposals:
            lines.append(f"Pending proposals: {len(obs.pending_proposals)}")
        if obs.available_tasks:
            lines.append(f"Available tasks: {len(obs.available_tasks)}")
        if obs.visible_agents:
            lines.append(f"Visible agents: {len(obs.visible_agents)}")
        lines.append(T.ACT_TAIL)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"CouncilAgent(id={self.agent_id}, members={list(self.members)})"


def _bind(fn: Any, member_id: str) -> Any:
    def call(system: str, user: str) -> Any:
        return fn(member_id, system, user)

    return call
