"""Type stub for the compiled core (private: use the ``swarm_fast`` API)."""

from typing import Any, Callable

import numpy as np

__version__: str

ProgressCallback = Callable[[int, int], Any]

def run(config_json: str, progress: ProgressCallback | None = ...) -> dict[str, Any]:
    """Run one normalised configuration; columns come back as numpy arrays.
    ``progress(epochs_done, n_epochs)`` is called about every 50 ms."""

class Config:
    """A configuration parsed and checked once, for repeated runs."""

    def __init__(self, config_json: str) -> None: ...

def run_config(
    config: Config,
    seed: int,
    n_epochs: int,
    steps_per_epoch: int,
    record_interactions: bool,
    progress: ProgressCallback | None = ...,
    max_trace_rows: int | None = ...,
    record_agent_epochs: bool = ...,
) -> dict[str, Any]:
    """Run a parsed configuration with these per-run keys;
    ``progress(epochs_done, n_epochs)`` as for :func:`run`.
    ``record_agent_epochs`` adds ``agent_epochs``: every agent's reputation,
    resources and frozen flag at each epoch's end, epoch-major."""

def run_policies(
    config: Config,
    seed: int,
    n_epochs: int,
    steps_per_epoch: int,
    record_interactions: bool,
    policies: list[Any],
    simulation_id: str,
) -> dict[str, Any]:
    """Run with one Python policy object per external (python / llm) agent."""

class Observation:
    """What an agent sees on its turn or when answering a proposal (the
    reference's Observation). List fields are built when first read."""

    @property
    def agent_id(self) -> str: ...
    @property
    def epoch(self) -> int: ...
    @property
    def step(self) -> int:
        """The step within the epoch."""
    @property
    def reputation(self) -> float: ...
    @property
    def resources(self) -> float: ...
    @property
    def total_payoff(self) -> float: ...
    @property
    def can_post(self) -> bool: ...
    @property
    def can_interact(self) -> bool: ...
    @property
    def can_vote(self) -> bool: ...
    @property
    def can_claim_task(self) -> bool: ...
    @property
    def visible_posts(self) -> list[dict[str, Any]]:
        """Ranked feed, best first: post_id (int), author_id, net_votes."""
    @property
    def pending_proposals(self) -> list[dict[str, Any]]:
        """Proposals to this agent, oldest first: proposal_id (int),
        initiator_id, interaction_type."""
    @property
    def visible_agents(self) -> list[dict[str, Any]]:
        """Other visible agents in registration order (after observation
        noise): agent_id, agent_type, reputation, resources."""
    @property
    def ecosystem_metrics(self) -> dict[str, Any]:
        """The reference's epoch metrics snapshot: simulation_id, epoch,
        step, total_agents, active_agents, frozen_agents,
        pending_proposals, completed_interactions, is_paused,
        avg_reputation, total_resources."""
    @property
    def available_bounties(self) -> list[dict[str, Any]]:
        """Marketplace (empty without one): open bounties this agent may
        bid on: bounty_id (int), reward_amount."""
    @property
    def active_escrows(self) -> list[dict[str, Any]]:
        """Marketplace: this agent's escrows still held: escrow_id (int)."""
    @property
    def pending_bid_decisions(self) -> list[dict[str, Any]]:
        """Marketplace: pending bids on this agent's open bounties: bid_id,
        bounty_id, bidder_id, bid_amount."""
    @property
    def available_tasks(self) -> list[dict[str, Any]]:
        """Marketplace: claimable tasks: task_id, bounty, min_reputation,
        status."""
    @property
    def active_tasks(self) -> list[dict[str, Any]]:
        """Marketplace: this agent's claimed tasks (same fields)."""
    def agent_type_of(self, agent_id: str) -> str | None:
        """The registered AgentState type of any agent, by id."""

class Action:
    """What an agent does on its turn; build one with the static methods.
    Unknown targets fail silently, as in the reference."""

    @staticmethod
    def noop() -> Action: ...
    @staticmethod
    def post(content: str = ...) -> Action: ...
    @staticmethod
    def vote(post_id: int | None, direction: int = ...) -> Action:
        """direction > 0 upvotes, otherwise downvotes."""
    @staticmethod
    def propose(counterparty_id: str, interaction_type: str = ..., content: str = ...) -> Action:
        """interaction_type: reply, vote, trade or collaboration."""
    @staticmethod
    def accept(proposal_id: int | None) -> Action: ...
    @staticmethod
    def reject(proposal_id: int | None) -> Action: ...
    @staticmethod
    def post_bounty(
        reward_amount: float, min_reputation: float = ..., deadline_epoch: int | None = ...
    ) -> Action:
        """Marketplace: post a bounty (rate limit, resources and the
        market's minimum apply)."""
    @staticmethod
    def place_bid(bounty_id: int | None, bid_amount: float) -> Action: ...
    @staticmethod
    def accept_bid(bounty_id: int | None, bid_id: int | None) -> Action: ...
    @staticmethod
    def file_dispute(escrow_id: int | None) -> Action: ...
    @staticmethod
    def claim_task(task_id: int | None) -> Action: ...
    @staticmethod
    def submit_output(task_id: int | None) -> Action: ...
    @property
    def action_type(self) -> str: ...
    @property
    def content(self) -> str: ...
    @property
    def target(self) -> int | str | None: ...
    @property
    def interaction_type(self) -> str | None: ...
    @property
    def vote_direction(self) -> int | None: ...

class Proposal:
    """A proposal to answer at the end of a step."""

    proposal_id: int
    initiator_id: str
    interaction_type: str

class Interaction:
    """A finished interaction, for update_from_outcome; agent_id is the
    party being told."""

    agent_id: str
    epoch: int
    step: int
    initiator: str
    counterparty: str
    interaction_type: str
    accepted: bool
    v_hat: float
    p: float

def run_batch(
    config_jsons: list[str], threads: int = ..., progress: ProgressCallback | None = ...
) -> list[dict[str, Any]]:
    """Run many configurations in parallel; results in input order.
    ``progress(runs_done, runs)``."""

def interaction_type_names() -> list[str]: ...
def _py_random_ops(seed: int, ops: list[tuple[Any, ...]]) -> list[Any]: ...
def _pcg64_ops(seed: int, ops: list[tuple[Any, ...]]) -> list[Any]: ...
def _np_pairwise_sum(a: list[float]) -> float: ...
def _np_mean(a: list[float]) -> float: ...
def _np_std(a: list[float]) -> float: ...
def _np_corrcoef_01(x: list[float], y: list[float]) -> float: ...

_Array = np.ndarray
