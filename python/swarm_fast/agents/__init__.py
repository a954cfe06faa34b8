"""Agents whose policy is Python code: your own policy object, or the
reference's LLM agent (``type: llm``), in the same feed, proposals,
governance and payoffs as the scripted agents.

A policy is any object with::

    act(observation: Observation) -> Action
    accept_interaction(proposal: Proposal, observation: Observation) -> bool
    update_from_outcome(interaction: Interaction, payoff: float) -> None   # optional

Plug it in from Python, ``swarm_fast.run("baseline", seed=1,
policies={"mine": MyPolicy()})``, or from YAML with an agent spec
``{type: python, policy: "my_module:MyPolicy"}``. See docs/agents.md.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from .._core import Action, Interaction, Observation, Proposal

__all__ = ["Action", "Interaction", "Observation", "Policy", "Proposal"]


@runtime_checkable
class Policy(Protocol):
    """What swarm_fast calls on a Python agent (the reference's agent
    interface, spec-ext §3.1). ``update_from_outcome`` is optional."""

    def act(self, observation: Observation) -> Action: ...

    def accept_interaction(self, proposal: Proposal, observation: Observation) -> bool: ...
