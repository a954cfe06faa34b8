"""Observation -> prompt, as the reference's LLM agent builds it
(spec-ext §3.3), from swarm_fast's :class:`~swarm_fast.agents.Observation`.

The core feed keeps no text, so post and proposal contents are empty here
(the reference shows other agents' canned texts); ids are swarm_fast's
integers where the reference shows uuid prefixes. Both are noise to a
model; everything else matches the reference character for character.
"""

from __future__ import annotations

import re
from typing import Any

from .texts import ACCEPT_INTERACTION_SCHEMA, ACTION_SCHEMA, PERSONAS

_HEADING = re.compile(r"^#{1,4}\s", flags=re.MULTILINE)
_NEWLINES = re.compile(r"\n+")


def sanitize(text: str) -> str:
    """Other agents' text, defused: no headings, no fences, one line."""
    return _NEWLINES.sub(" ", _HEADING.sub("", text).replace("```", ""))


def _system(persona: str, custom: str | None, schema: str) -> str:
    return (custom or PERSONAS[persona]) + "\n\n" + schema


def format_observation(obs: Any) -> str:
    lines = [
        "## Current State",
        f"- Epoch: {obs.epoch}, Step: {obs.step}",
        f"- Your ID: {obs.agent_id}",
        f"- Reputation: {obs.reputation:.2f}",
        f"- Resources: {obs.resources:.2f}",
        f"- Total Payoff: {obs.total_payoff:.2f}",
        "",
        "## Rate Limits",
        f"- Can post: {obs.can_post}",
        f"- Can interact: {obs.can_interact}",
        f"- Can vote: {obs.can_vote}",
        f"- Can claim task: {obs.can_claim_task}",
    ]
    posts = obs.visible_posts
    if posts:
        lines += ["", "## Visible Posts (top 5)"]
        for p in posts[:5]:
            # The reference reads a "score" key its post dicts lack: always 0.
            lines.append(f"- [{str(p['post_id'])[:8]}] by {p['author_id']}: [] (votes: 0)")
    pending = obs.pending_proposals
    if pending:
        lines += ["", "## Pending Proposals (interactions proposed to you)"]
        for p in pending:
            lines.append(
                f"- [{str(p['proposal_id'])[:8]}] from {p['initiator_id']}: "
                f"{p['interaction_type']} - []"
            )
    visible = obs.visible_agents
    if visible:
        lines += ["", "## Other Agents"]
        for a in visible[:10]:
            lines.append(
                f"- {a['agent_id']}: rep={a['reputation']:.2f}, resources={a['resources']:.1f}"
            )
    eco = obs.ecosystem_metrics
    if eco:
        lines += ["", "## Ecosystem Health"]
        for k, v in eco.items():
            lines.append(f"- {k}: {v:.3f}" if isinstance(v, float) else f"- {k}: {v}")
    return "\n".join(lines)


def _outcome(item: dict) -> str:
    verdict = "accepted" if item.get("accepted") else "rejected"
    return f"p={item.get('p', 0):.2f}, payoff={item.get('payoff', 0):.2f}, {verdict}"


def build_action_prompt(
    persona: str, obs: Any, custom: str | None, memory: list[dict]
) -> tuple[str, str]:
    parts = [format_observation(obs)]
    if memory:
        parts.append("\n## Recent Memory")
        for item in memory[-5:]:
            if item.get("type") == "interaction_outcome":
                parts.append(
                    f"- Interaction with {item.get('counterparty', 'unknown')}: " + _outcome(item)
                )
    parts.append("\n## Your Turn")
    parts.append("Decide your action and respond with the JSON format specified above.")
    return _system(persona, custom, ACTION_SCHEMA), "\n".join(parts)


def build_accept_prompt(
    persona: str, proposal: Any, obs: Any, custom: str | None, memory: list[dict]
) -> tuple[str, str]:
    parts = [
        format_observation(obs),
        "",
        "\n".join(
            [
                "## Interaction Proposal",
                f"- Proposal ID: {proposal.proposal_id}",
                f"- From: {proposal.initiator_id}",
                f"- Type: {proposal.interaction_type}",
                "- Content: []",
            ]
        ),
    ]
    if memory:
        mine = [
            m
            for m in memory
            if m.get("type") == "interaction_outcome"
            and m.get("counterparty") == proposal.initiator_id
        ]
        if mine:
            parts.append("\n## History with this agent")
            parts.extend(f"- {_outcome(m)}" for m in mine[-3:])
    parts.append("\n## Your Decision")
    parts.append("Accept or reject this interaction proposal. Respond with JSON.")
    return _system(persona, custom, ACCEPT_INTERACTION_SCHEMA), "\n".join(parts)
