//! The self-modifying hyperagent (`hyperagent_self_mod`, swarm-safety's
//! `HyperagentSelfModAgent`; Zhang et al., Hyperagents).
//!
//! Its turn: accept the first pending proposal (whoever sent it), else
//! claim the first available task, else submit output on the first active
//! task, else propose a TRADE to a random other visible agent (one draw).
//! It answers a proposal at the end of the step when its trust in the
//! initiator exceeds its acceptance threshold.
//!
//! The reference's orchestrator calls its `self_modify` at every epoch
//! start, before the steps: the threshold drops by `modification_rate / 2`
//! to at least `min_acceptance_threshold`. Nothing else it changes (proxy
//! weights, quality, the gaming target) reaches the core's run: they feed
//! only a governance-gap estimate the orchestrator logs. `self_modify`
//! draws nothing and reads nothing of the run, so the threshold is brought
//! up to date lazily, when it is read: at epoch e it has been lowered e + 1
//! times, one subtraction at a time as there.
//!
//! It registers as type `self_modifying`, which the observable generator
//! gives the adversarial profile (spec Q4).

use crate::config::AgentParams;
use crate::observables::py_max;
use crate::observation::{Observation, ProposalView};
use crate::rng::PyRandom;
use crate::types::Action;

#[derive(Debug, Clone)]
pub struct HyperagentSelfMod {
    modification_rate: f64,
    min_acceptance_threshold: f64,
    acceptance_threshold: f64,
    /// How many `self_modify` passes the threshold has had.
    depth: u32,
}

impl HyperagentSelfMod {
    pub fn new(c: &AgentParams) -> Self {
        HyperagentSelfMod {
            modification_rate: c.modification_rate.unwrap_or(0.10),
            min_acceptance_threshold: c.min_acceptance_threshold.unwrap_or(0.2),
            acceptance_threshold: c.initial_acceptance_threshold.unwrap_or(0.6),
            depth: 0,
        }
    }

    /// The passes of epochs 0..=epoch.
    fn catch_up(&mut self, epoch: u32) {
        while self.depth <= epoch {
            self.depth += 1;
            self.acceptance_threshold = py_max(
                self.min_acceptance_threshold,
                self.acceptance_threshold - self.modification_rate * 0.5,
            );
        }
    }

    // Out of line, to keep `Agent::act` (the paper agents' turn) small.
    #[inline(never)]
    pub fn act(&mut self, obs: &Observation, rng: &mut PyRandom) -> Action {
        // The self-optimizer's turn: the same checks in the same order.
        super::self_optimizer::work_or_trade(obs, rng)
    }

    /// `trust > acceptance_threshold`, the threshold of this epoch.
    pub fn accept(&mut self, prop: &ProposalView, obs: &Observation, trust: f64) -> bool {
        let _ = prop;
        self.catch_up(obs.epoch);
        trust > self.acceptance_threshold
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_falls_once_per_epoch_to_its_floor() {
        let c = AgentParams {
            modification_rate: Some(0.1),
            min_acceptance_threshold: Some(0.2),
            initial_acceptance_threshold: Some(0.6),
            ..AgentParams::default()
        };
        let mut h = HyperagentSelfMod::new(&c);
        h.catch_up(0);
        assert_eq!(h.acceptance_threshold, 0.6 - 0.1 * 0.5);
        h.catch_up(0);
        assert_eq!(h.depth, 1);
        h.catch_up(20);
        assert_eq!((h.depth, h.acceptance_threshold), (21, 0.2));
    }
}
