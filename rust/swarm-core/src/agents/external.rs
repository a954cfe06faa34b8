//! Agents whose policy lives outside the core: a Python object, an LLM, an
//! RL policy (spec-ext §3.1, §4 item 2). The core knows them only through
//! [`ExternalPolicy`]; the bindings implement it (holding the GIL for one
//! call at a time), and a pure-Rust implementation works as well (tests).
//!
//! Rules the engine keeps for them (spec-ext §4 item 2):
//! * no simulation random number is drawn for them and they take no j:
//!   scripted agents after them keep R_j = Random(seed + j);
//! * governance and observables see their declared type (default honest);
//! * an error becomes the reference's fallback (NOOP for a turn, reject for
//!   an answer), is counted per agent and call, and its first message kept;
//! * calls are synchronous, in schedule order (the reference's sync `run()`).
//!
//! Scripted agents never come here: the engine asks
//! [`super::Agent::external_slot`] (one branch) and keeps its enum dispatch.

use crate::marketplace::MarketView;
use crate::observation::{PostView, ProposalView, VisibleAgent};
use crate::types::{Action, AgentIdx, InteractionType, StateType};

/// A target the policy named that is no agent (an unknown id). Proposals to
/// it are queued and never resolved, as the reference does with any id
/// (core spec §4.1); it never matches a real agent.
pub const UNKNOWN_AGENT: AgentIdx = AgentIdx::MAX;
/// A post or proposal id that names nothing: the vote / answer fails
/// silently (core spec §4.1).
pub const UNKNOWN_POST: u32 = u32::MAX;
pub const UNKNOWN_PROPOSAL: u64 = u64::MAX;

/// Who the external agents are, given once before the first call.
#[derive(Debug, Clone)]
pub struct Roster<'a> {
    /// Every agent's id, in registration order.
    pub ids: &'a [String],
    /// Every agent's `AgentState.agent_type`.
    pub types: &'a [StateType],
    /// The agent index of each external slot, in registration order.
    pub slots: &'a [AgentIdx],
}

/// `state.get_epoch_metrics_snapshot()` (the `ecosystem_metrics` field),
/// minus the run's uuid. With observation noise a field the reference
/// jittered holds `Some(noisy value)` in `noisy` (it is then a float).
#[derive(Debug, Clone, Default)]
pub struct Ecosystem {
    pub epoch: u32,
    pub step: u32,
    pub total_agents: u64,
    pub active_agents: u64,
    pub frozen_agents: u64,
    pub pending_proposals: u64,
    /// Interactions completed this epoch so far.
    pub completed_interactions: u64,
    pub avg_reputation: f64,
    pub total_resources: f64,
    /// The nine numeric fields above in order, after noise, for the ones
    /// the noise changed.
    pub noisy: [Option<f64>; 9],
}

/// A post as an external agent sees it.
#[derive(Debug, Clone, Copy)]
pub struct PostInfo {
    pub post: PostView,
    pub net_votes: i64,
}

/// Everything an external agent's observation carries (spec-ext §3.1),
/// owned and handed over, so that an implementation may keep or ship it
/// without a copy.
#[derive(Debug, Clone, Default)]
pub struct ExternalObservation {
    pub agent: AgentIdx,
    pub epoch: u32,
    pub step: u32,
    pub reputation: f64,
    pub resources: f64,
    pub total_payoff: f64,
    pub can_post: bool,
    pub can_interact: bool,
    pub can_vote: bool,
    pub can_claim_task: bool,
    /// The ranked feed, best first (at most 20).
    pub posts: Vec<PostInfo>,
    /// Every proposal pending for this agent, oldest first.
    pub pending: Vec<ProposalView>,
    /// The visible agents in registration order, after observation noise.
    pub visible: Vec<VisibleAgent>,
    pub ecosystem: Ecosystem,
    /// The marketplace fields (bounties open to this agent, its held
    /// escrows, bids on its open bounties, tasks) when the run has a
    /// marketplace, on turns and answers alike (spec §13.3).
    pub market: Option<MarketView>,
}

/// One finished interaction as `update_from_outcome` reports it.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    pub epoch: u32,
    pub step: u32,
    pub initiator: AgentIdx,
    pub counterparty: AgentIdx,
    pub kind: InteractionType,
    pub accepted: bool,
    pub v_hat: f64,
    pub p: f64,
    /// This agent's payoff from it.
    pub payoff: f64,
}

/// A failed call. `abort` stops the run (the user asked for it, e.g.
/// Ctrl-C inside a callback); otherwise the fallback applies and the error
/// is counted.
#[derive(Debug, Clone)]
pub struct ExternalError {
    pub message: String,
    pub abort: bool,
}

impl ExternalError {
    pub fn fallback(message: impl Into<String>) -> Self {
        ExternalError { message: message.into(), abort: false }
    }
}

pub type ExternalResult<T> = Result<T, ExternalError>;

/// The seam between the engine and policies it does not own. `slot` is the
/// external agent's index among the external agents (registration order).
///
/// Designed for what builds on it (see docs/agents.md): `act_batch` lets a
/// vectorised policy take several agents' turns in one call (the engine's
/// sync mode calls it with one turn at a time, as the reference's sync loop
/// requires; a batched mode hands it a step's turns at once); `begin`
/// carries the roster a step-wise environment needs; an implementation that
/// can copy its state supports forking a run via `fork`.
pub trait ExternalPolicy: Send {
    /// Called once, before the first epoch.
    fn begin(&mut self, _roster: &Roster<'_>) -> ExternalResult<()> {
        Ok(())
    }

    /// `act(observation)` for the agent in `slot`.
    fn act(&mut self, slot: usize, obs: ExternalObservation) -> ExternalResult<Action>;

    /// Several turns at once, answers in order. The default takes them one
    /// by one; a vectorised policy overrides it.
    fn act_batch(
        &mut self,
        turns: Vec<(usize, ExternalObservation)>,
        out: &mut Vec<ExternalResult<Action>>,
    ) {
        out.extend(turns.into_iter().map(|(slot, obs)| self.act(slot, obs)));
    }

    /// `accept_interaction(proposal, observation)` at end-of-step resolution.
    fn accept(
        &mut self,
        slot: usize,
        proposal: &ProposalView,
        obs: ExternalObservation,
    ) -> ExternalResult<bool>;

    /// Several end-of-step answers at once (the batched mode), in order.
    /// The default answers them one by one.
    fn accept_batch(
        &mut self,
        asks: Vec<(usize, ProposalView, ExternalObservation)>,
        out: &mut Vec<ExternalResult<bool>>,
    ) {
        out.extend(asks.into_iter().map(|(slot, p, obs)| self.accept(slot, &p, obs)));
    }

    /// `update_from_outcome(interaction, payoff)`, for both parties of every
    /// finished interaction, accepted or not.
    fn update_from_outcome(&mut self, _slot: usize, _outcome: &Outcome) -> ExternalResult<()> {
        Ok(())
    }

    /// A copy of this policy in its current state, if it can make one (for
    /// checkpointing or forking a run at an epoch boundary).
    fn fork(&self) -> Option<Box<dyn ExternalPolicy>> {
        None
    }
}

/// Which call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    Act,
    Accept,
    Update,
}

impl Call {
    pub fn as_str(self) -> &'static str {
        match self {
            Call::Act => "act",
            Call::Accept => "accept_interaction",
            Call::Update => "update_from_outcome",
        }
    }
}

/// Failed calls of one external agent: counts per call, and the first
/// message of each (never lost, never printed by the core).
#[derive(Debug, Clone, Default)]
pub struct CallErrors {
    pub act: u64,
    pub accept: u64,
    pub update: u64,
    pub first_act: Option<String>,
    pub first_accept: Option<String>,
    pub first_update: Option<String>,
}

impl CallErrors {
    pub fn record(&mut self, call: Call, message: String) {
        let (n, first) = match call {
            Call::Act => (&mut self.act, &mut self.first_act),
            Call::Accept => (&mut self.accept, &mut self.first_accept),
            Call::Update => (&mut self.update, &mut self.first_update),
        };
        *n += 1;
        first.get_or_insert(message);
    }
}

/// What a run with external agents reports about them.
#[derive(Debug, Clone, Default)]
pub struct ExternalReport {
    /// Agent index of each slot.
    pub agents: Vec<AgentIdx>,
    /// Calls made per slot: (act, accept, update).
    pub calls: Vec<[u64; 3]>,
    pub errors: Vec<CallErrors>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_keep_counts_and_first_message() {
        let mut e = CallErrors::default();
        e.record(Call::Act, "boom".into());
        e.record(Call::Act, "again".into());
        e.record(Call::Accept, "no".into());
        assert_eq!((e.act, e.accept, e.update), (2, 1, 0));
        assert_eq!(e.first_act.as_deref(), Some("boom"));
        assert_eq!(e.first_accept.as_deref(), Some("no"));
    }
}
