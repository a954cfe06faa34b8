//! Self-optimizing agent (spec reference-agents-ext §1).
//!
//! In the reference this is a stationary scripted agent: its optimisation
//! step is never called during a run (§1.4, Q-E1), so by default it is here
//! too. The swarm_fast extension `optimize_per_epoch: true` calls
//! [`SelfOptimizer::optimize_step`] at every epoch end and lets the quality
//! it loses reach the observables of the interactions it initiates (see
//! [`SelfOptimizer::quality_loss`] and `docs/proxy-gaming.md`).

use super::anyone;
use super::memory::Memory;
use crate::config::AgentParams;
use crate::observation::{Observation, ProposalView};
use crate::rng::PyRandom;
use crate::types::{Action, InteractionType};

#[derive(Debug, Clone)]
pub struct SelfOptimizer {
    optimization_rate: f64,
    quality_floor: f64,
    initial_quality: f64,
    /// swarm_fast extension: run `optimize_step` at each epoch end.
    optimize_per_epoch: bool,
    cost_multiplier: f64,
    current_quality: f64,
    depth: u32,
}

impl SelfOptimizer {
    pub fn new(c: &AgentParams) -> Self {
        // `benchmark_threshold` and `initial_cost` are read by the reference
        // but reach nothing the engine computes (§1.2).
        let initial_quality = c.initial_quality.unwrap_or(0.85);
        SelfOptimizer {
            optimization_rate: c.optimization_rate.unwrap_or(0.15),
            quality_floor: c.quality_floor.unwrap_or(0.35),
            initial_quality,
            optimize_per_epoch: c.optimize_per_epoch.unwrap_or(false),
            cost_multiplier: 1.0,
            current_quality: initial_quality,
            depth: 0,
        }
    }

    /// §1.5 (see [`work_or_trade`]).
    pub fn act(&mut self, obs: &Observation, rng: &mut PyRandom) -> Action {
        work_or_trade(obs, rng)
    }

    /// §1.6: no draw; once costs are cut below half everything is accepted.
    pub fn accept(&self, prop: &ProposalView, mem: &Memory) -> bool {
        if self.cost_multiplier < 0.5 {
            return true;
        }
        mem.trust(prop.initiator) > 0.3
    }

    /// `optimize_step` (§1.4): costs fall by the rate, quality by
    /// rate · 0.5 · q_0 down to the floor. Evaluated in the reference's
    /// operation order.
    pub fn optimize_step(&mut self) {
        self.depth += 1;
        self.cost_multiplier *= 1.0 - self.optimization_rate;
        let loss = self.optimization_rate * 0.5 * self.initial_quality;
        let q = self.current_quality - loss;
        self.current_quality = if q > self.quality_floor { q } else { self.quality_floor };
    }

    /// Epoch end: the extension's hook; a no-op by default (parity).
    pub fn on_epoch_end(&mut self) {
        if self.optimize_per_epoch {
            self.optimize_step();
        }
    }

    /// With the extension on, the quality lost so far, q_0 − q (≥ 0); the
    /// engine shifts this agent's observables by it. None by default.
    pub fn quality_loss(&self) -> Option<f64> {
        self.optimize_per_epoch.then_some(self.initial_quality - self.current_quality)
    }

    pub fn state(&self) -> (f64, f64, u32) {
        (self.cost_multiplier, self.current_quality, self.depth)
    }
}

/// The self-optimizer's turn (spec-ext §1.5), which `hyperagent_self_mod`
/// takes too: accept the first pending proposal, claim or work on tasks,
/// else propose a trade to any visible agent (the only draw).
#[inline(always)]
pub(super) fn work_or_trade(obs: &Observation, rng: &mut PyRandom) -> Action {
    if let Some(p) = obs.pending {
        return Action::Accept { proposal: p.id };
    }
    let m = obs.market;
    if obs.can_claim_task {
        if let Some(t) = m.available_tasks.first() {
            return Action::ClaimTask { task: t.id };
        }
    }
    if let Some(t) = m.active_tasks.first() {
        return Action::SubmitOutput { task: t.id };
    }
    // The reference filters out its own id, which visibility already
    // excludes: the choice is over the whole visible list. `anyone` draws
    // nothing from an empty list, so the guard only saves its count.
    if obs.can_interact && obs.has_visible() {
        if let Some(target) = anyone(obs, rng) {
            return Action::Propose { target, kind: InteractionType::Trade };
        }
    }
    Action::Noop
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(optimize: bool) -> AgentParams {
        AgentParams { optimize_per_epoch: Some(optimize), ..AgentParams::default() }
    }

    #[test]
    fn optimize_step_follows_the_reference_sequence() {
        let mut a = SelfOptimizer::new(&params(true));
        let mut q = 0.85;
        let mut cm = 1.0;
        for k in 1..=10 {
            a.optimize_step();
            cm *= 1.0 - 0.15;
            let next: f64 = q - 0.15 * 0.5 * 0.85;
            q = next.max(0.35);
            assert_eq!(a.state(), (cm, q, k));
        }
        // q_k = 0.85 - 0.06375 k hits the floor at k = 8 (spec §1.4).
        assert_eq!(a.state().1, 0.35);
        assert!((a.quality_loss().unwrap() - 0.5).abs() < 1e-12);
    }

    #[test]
    fn default_never_optimizes() {
        let mut a = SelfOptimizer::new(&params(false));
        for _ in 0..5 {
            a.on_epoch_end();
        }
        assert_eq!(a.state(), (1.0, 0.85, 0));
        assert_eq!(a.quality_loss(), None);
        let mut b = SelfOptimizer::new(&params(true));
        b.on_epoch_end();
        assert_eq!(b.state().2, 1);
    }
}
