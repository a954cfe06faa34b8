//! The engine's side of the memory_tiers subsystem (memory_tiers.rs): the
//! memory-tier agents' turns and the interactions their writes make.
//!
//! A write is a handler action (`Orchestrator._execute_action`): the
//! handler's observables give v̂ and p, and the interaction, accepted, of
//! type collaboration, with τ = 0 and the pseudo-counterparty
//! `memory_system`, is finalised as any other: governance, payoffs, the
//! initiator's reputation and counts, metrics. `memory_system` is no
//! agent: nothing of it is updated, the circuit breaker and the collusion
//! lever see only the initiator (the collusion detector counts the
//! interaction but analyses only the run's agents), and its realtime risk
//! is 0.

use super::{Engine, NO_MARKET};
use crate::config::RunConfig;
use crate::error::{SwarmError, SwarmResult};
use crate::observation::{Observation, Population, ProposalView};
use crate::types::AgentIdx;

/// The combinations swarm_fast has not checked against the reference with
/// the memory tiers (Python refuses them first, naming the key).
pub(super) fn compatible(cfg: &RunConfig, network: bool) -> SwarmResult<()> {
    if cfg.memory_tiers.is_none() {
        return Ok(());
    }
    let g = &cfg.governance;
    let clash = [
        (network, "network"),
        (cfg.spawn.is_some() || cfg.tierra.is_some(), "spawn/tierra"),
        (cfg.marketplace.is_some(), "marketplace"),
        (cfg.dynamic_toxicity.is_some(), "dynamic_toxicity"),
        (cfg.perturbations.is_some(), "perturbations"),
        (g.security.is_some() || g.sybil.is_some(), "governance.security/sybil"),
        (g.rbac.is_some() || g.resample.is_some(), "governance.rbac/resample"),
        (!cfg.model.is_reference(), "model"),
        (cfg.agents.iter().any(|a| a.kind == crate::agents::EXTERNAL), "agents (external)"),
    ];
    match clash.iter().find(|c| c.0) {
        Some((_, key)) => Err(SwarmError::Config(format!(
            "memory_tiers: not run together with {key} (not checked against the reference)"
        ))),
        None => Ok(()),
    }
}

impl Engine {
    /// Agent `a`'s turn with the memory tiers on: the compaction test of
    /// its observation, then, for a memory-tier agent, its turn (true);
    /// any other agent's turn goes on as usual (false).
    #[cold]
    #[inline(never)]
    pub(super) fn memory_turn(&mut self, a: AgentIdx) -> bool {
        let Some(m) = self.memory_tiers.as_mut() else { return false };
        m.before_observation(a);
        let remaining = m.writes_remaining(a);
        let Some(writes) = self.agents[a as usize].memory_turn(remaining) else {
            return false;
        };
        // Observation noise draws from R_o whoever reads the observation.
        if self.cfg.observation_noise_probability > 0.0 && self.cfg.observation_noise_std > 0.0 {
            observe!(self, a, true, obs);
            drop(obs);
        }
        if writes {
            self.memory_write(a);
        }
        true
    }

    /// The compaction test of the observation built for `c`'s end-of-step
    /// answer. Out of line: the answer loop keeps its size.
    #[cold]
    #[inline(never)]
    pub(super) fn memory_before_answer(&mut self, c: AgentIdx) {
        if let Some(m) = self.memory_tiers.as_mut() {
            m.before_observation(c);
        }
    }

    /// A WRITE by `a`, finalised (`_finalize_interaction`, in its order).
    fn memory_write(&mut self, a: AgentIdx) {
        let i = a as usize;
        let system = self.agents.len() as AgentIdx;
        let Some(m) = self.memory_tiers.as_mut() else { return };
        let signals = m.write(a, self.types[i]);
        // The write-rate lever comes after every core lever; its counter is
        // the handler's own, apart from governance's.
        let write_cost = m.write_cost(a);
        self.finalize_handled(a, (system, false), signals, 0.0, &[write_cost]);
    }
}
