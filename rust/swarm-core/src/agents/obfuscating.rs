//! The obfuscating agent (issue 17; swarm/agents/obfuscating.py,
//! `ObfuscatingAgent`, the Obfuscation Atlas taxonomy).
//!
//! Reference quirk: the four strategies (blatant, policy and activation
//! obfuscation, adaptive) differ only in the signal offsets
//! (`get_signal_manipulation`) and the proposal metadata
//! (`get_rationalization_metadata`, reached through `propose_interaction`)
//! they produce. The orchestrator calls neither: its observable generator
//! is the default one (the `ObfuscationObservableGenerator` that would
//! apply the offsets is never installed), and it builds proposals from the
//! PROPOSE action, never through `propose_interaction`. So the strategy,
//! `rationalization_strength`, `signal_inflation_cap`, `drift_rate` and
//! `activation_noise_scale` change no draw and no number: every
//! obfuscating agent acts as below, and its observables are those of its
//! registered type, deceptive. What the strategy does not touch is the
//! trust-building phase: the first `trust_building_phase` outcomes (accepted
//! or not, as initiator or counterparty) it mimics an honest agent.

use super::anyone;
use crate::config::AgentParams;
use crate::observation::Observation;
use crate::rng::PyRandom;
use crate::types::{Action, InteractionType};

#[derive(Debug, Clone)]
pub struct Obfuscating {
    trust_building_phase: f64,
    /// Outcomes seen (`_interaction_count`).
    interactions: u64,
}

impl Obfuscating {
    pub fn new(c: &AgentParams) -> Self {
        Obfuscating { trust_building_phase: c.trust_building_phase.unwrap_or(5.0), interactions: 0 }
    }

    fn trust_building(&self) -> bool {
        (self.interactions as f64) < self.trust_building_phase
    }

    // Out of line: keeps the dispatch of the paper's policies lean.
    #[inline(never)]
    pub fn act(&mut self, obs: &Observation, rng: &mut PyRandom) -> Action {
        if let Some(p) = obs.pending {
            return super::answer(&p, rng.random() < 0.8);
        }
        let m = obs.market;
        if self.trust_building() {
            if let Some(t) = m.active_tasks.first() {
                return Action::SubmitOutput { task: t.id };
            }
            if obs.can_claim_task && !m.available_tasks.is_empty() {
                return Action::ClaimTask { task: m.available_tasks[0].id };
            }
            if obs.can_post && rng.random() < 0.3 {
                return Action::Post;
            }
            if obs.can_interact {
                if let Some(target) = anyone(obs, rng) {
                    return Action::Propose { target, kind: InteractionType::Collaboration };
                }
            }
            return Action::Noop;
        }
        // Past the phase every strategy proposes first, "for maximum impact".
        if obs.can_interact {
            if let Some(target) = anyone(obs, rng) {
                return Action::Propose { target, kind: InteractionType::Trade };
            }
        }
        if let Some(t) = m.active_tasks.first() {
            return Action::SubmitOutput { task: t.id };
        }
        if obs.can_post && rng.random() < 0.2 {
            return Action::Post;
        }
        Action::Noop
    }

    /// `accept_interaction`: one draw, against 0.85 in the trust-building
    /// phase and 0.75 after it.
    pub fn accept(&self, rng: &mut PyRandom) -> bool {
        let bar = if self.trust_building() { 0.85 } else { 0.75 };
        rng.random() < bar
    }

    /// `update_from_outcome`: counts the outcome. (The adaptive strategy's
    /// detection count also moves here; it reaches nothing, see above.)
    pub fn on_outcome(&mut self) {
        self.interactions += 1;
    }
}
