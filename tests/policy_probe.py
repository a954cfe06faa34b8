"""A deterministic test policy, written once against a neutral view of an
observation, and its two adapters: one that plugs it into swarm_fast as a
Python policy, one that plugs it into the reference's agent interface
(an LLMAgent whose act / accept_interaction / update_from_outcome are
replaced). The policy draws no random numbers; every branch is a function
of what it observes and of the outcomes it was told about, so equal traces
mean equal observations, outcomes and execution.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any


class Probe:
    """Uses every action type, unknown targets, own-turn answers, and
    raises now and then (the fallback must be NOOP / reject)."""

    def __init__(self) -> None:
        self.trust: dict[str, float] = {}
        self.failures = 0

    def decide(self, o: SimpleNamespace) -> tuple:
        eco = o.ecosystem
        me = int(o.agent_id.rsplit("_", 1)[1])
        k = (o.epoch * 7 + o.step * 3 + me + int(eco["completed_interactions"])) % 10
        if o.pending and k % 3 == 0:
            p = o.pending[0]
            good = self.trust.get(p["initiator_id"], 0.5) >= 0.45
            return ("accept" if good else "reject", p["proposal_id"])
        if k == 1 and o.can_post:
            return ("post",)
        if k == 2 and o.posts:
            post = o.posts[o.step % len(o.posts)]
            return ("vote", post["post_id"], 1 if post["net_votes"] >= 0 else -1)
        if k == 3:
            self.failures += 1
            raise RuntimeError("probe act failure")
        if k == 4:
            return ("propose", "nobody_1", "trade")
        if k in (5, 6, 7) and o.can_interact and o.visible:
            trust = self.trust
            best = max(o.visible, key=lambda a: a["reputation"] + trust.get(a["agent_id"], 0.5))
            return ("propose", best["agent_id"], ("collaboration", "trade", "reply")[k - 5])
        if k == 8 and o.visible and eco["pending_proposals"] >= 1:
            return ("propose", o.visible[-1]["agent_id"], "collaboration")
        if k == 9 and o.posts:
            return ("vote", o.posts[0]["post_id"], -1)
        if k == 9 and round(eco["avg_reputation"], 6) > 0.1 and o.visible:
            return ("propose", o.visible[0]["agent_id"], "collaboration")
        return ("noop",)

    def answer(self, initiator: str, kind: str, o: SimpleNamespace) -> bool:
        rec = next((a for a in o.visible if a["agent_id"] == initiator), None)
        if rec is None:
            return False
        if o.step % 5 == 4 and kind == "trade":
            raise ValueError("probe accept failure")
        return rec["reputation"] + self.trust.get(initiator, 0.5) + 0.1 * o.reputation >= 0.4

    def learn(self, me: str, initiator: str, counterparty: str, accepted: bool, p: float) -> None:
        other = counterparty if initiator == me else initiator
        t = self.trust.get(other, 0.5)
        self.trust[other] = 0.6 * t + 0.4 * p if accepted else 0.9 * t + 0.05


# ------------------------------------------------------------------ swarm_fast


def _ours_view(obs: Any) -> SimpleNamespace:
    return SimpleNamespace(
        agent_id=obs.agent_id,
        epoch=obs.epoch,
        step=obs.step,
        reputation=obs.reputation,
        can_post=obs.can_post,
        can_interact=obs.can_interact,
        posts=obs.visible_posts,
        pending=obs.pending_proposals,
        visible=obs.visible_agents,
        ecosystem=obs.ecosystem_metrics,
    )


class OursProbe:
    """Probe as a swarm_fast policy (one object serves every agent)."""

    def __init__(self) -> None:
        self.by_agent: dict[str, Probe] = {}

    def _probe(self, agent_id: str) -> Probe:
        return self.by_agent.setdefault(agent_id, Probe())

    def act(self, obs: Any) -> Any:
        from swarm_fast.agents import Action

        d = self._probe(obs.agent_id).decide(_ours_view(obs))
        if d[0] == "accept":
            return Action.accept(d[1])
        if d[0] == "reject":
            return Action.reject(d[1])
        if d[0] == "post":
            return Action.post("probe")
        if d[0] == "vote":
            return Action.vote(d[1], d[2])
        if d[0] == "propose":
            return Action.propose(d[1], d[2])
        return Action.noop()

    def accept_interaction(self, proposal: Any, obs: Any) -> bool:
        return self._probe(obs.agent_id).answer(
            proposal.initiator_id, proposal.interaction_type, _ours_view(obs)
        )

    def update_from_outcome(self, interaction: Any, payoff: float) -> None:
        me = interaction.agent_id
        self._probe(me).learn(
            me, interaction.initiator, interaction.counterparty, interaction.accepted, interaction.p
        )


# ------------------------------------------------------------------ reference


def _ref_view(obs: Any) -> SimpleNamespace:
    st = obs.agent_state
    return SimpleNamespace(
        agent_id=st.agent_id,
        epoch=obs.current_epoch,
        step=obs.current_step,
        reputation=st.reputation,
        can_post=obs.can_post,
        can_interact=obs.can_interact,
        posts=[
            {"post_id": p["post_id"], "net_votes": p["upvotes"] - p["downvotes"]}
            for p in obs.visible_posts
        ],
        pending=obs.pending_proposals,
        visible=obs.visible_agents,
        ecosystem=obs.ecosystem_metrics,
    )


def plug_into_reference(orch: Any, probes: dict[str, Probe]) -> None:
    """Give every LLMAgent of the orchestrator Probe's behaviour through
    the reference's own agent interface, with the reference LLM agent's
    fallbacks (an exception is NOOP / reject)."""
    from swarm.agents.base import ActionType
    from swarm.agents.llm_agent import LLMAgent
    from swarm.models.interaction import InteractionType

    for agent in orch._agents.values():
        if not isinstance(agent, LLMAgent):
            continue
        probe = probes.setdefault(agent.agent_id, Probe())

        def act(obs: Any, agent: Any = agent, probe: Probe = probe) -> Any:
            try:
                d = probe.decide(_ref_view(obs))
            except Exception:
                return agent.create_noop_action()
            if d[0] == "accept":
                return agent.create_accept_action(d[1])
            if d[0] == "reject":
                return agent.create_reject_action(d[1])
            if d[0] == "post":
                return agent.create_post_action("probe")
            if d[0] == "vote":
                return agent.create_vote_action(d[1], d[2])
            if d[0] == "propose":
                return agent.create_propose_action(
                    counterparty_id=d[1], interaction_type=InteractionType(d[2]), content=""
                )
            assert d[0] == "noop"
            return agent.create_noop_action()

        def accept(proposal: Any, obs: Any, probe: Probe = probe) -> bool:
            try:
                return probe.answer(
                    proposal.initiator_id, proposal.interaction_type.value, _ref_view(obs)
                )
            except Exception:
                return False

        base_update = agent.update_from_outcome

        def update(interaction: Any, payoff: float, agent=agent, probe=probe, base=base_update):
            base(interaction, payoff)
            probe.learn(
                agent.agent_id,
                interaction.initiator,
                interaction.counterparty,
                interaction.accepted,
                interaction.p,
            )

        agent.act = act
        agent.accept_interaction = accept
        agent.update_from_outcome = update
    assert ActionType.NOOP  # the import is the interface being used
