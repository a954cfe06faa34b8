//! Circuit breaker (governance spec §6.2).
//!
//! Tracks only initiators, counts rejected interactions too, keeps the
//! toxicity window across a release, and every violation while over the
//! limit moves the end of the freeze (G4).

use std::collections::VecDeque;

use crate::config::GovernanceConfig;

const WINDOW: usize = 10;

#[derive(Debug, Clone)]
struct Tracker {
    violations: u64,
    /// −1 when not frozen.
    freeze_until: i64,
    window: VecDeque<f64>,
}

impl Default for Tracker {
    fn default() -> Self {
        Tracker { violations: 0, freeze_until: -1, window: VecDeque::with_capacity(WINDOW + 1) }
    }
}

#[derive(Debug, Clone, Default)]
pub struct CircuitBreaker {
    trackers: Vec<Tracker>,
}

impl CircuitBreaker {
    pub fn new(n_agents: usize) -> Self {
        CircuitBreaker { trackers: vec![Tracker::default(); n_agents] }
    }

    /// Returns true if the initiator must be frozen now.
    pub fn on_interaction(
        &mut self,
        cfg: &GovernanceConfig,
        initiator: usize,
        p: f64,
        epoch: u32,
    ) -> bool {
        if !cfg.circuit_breaker_enabled {
            return false;
        }
        let t = &mut self.trackers[initiator];
        t.window.push_back(1.0 - p);
        if t.window.len() > WINDOW {
            t.window.pop_front();
        }
        let avg = t.window.iter().fold(0.0, |s, &x| s + x) / t.window.len() as f64;
        if avg >= cfg.freeze_threshold_toxicity {
            t.violations += 1;
            if t.violations >= cfg.freeze_threshold_violations {
                t.freeze_until = i64::from(epoch) + cfg.freeze_duration_epochs as i64;
                return true;
            }
        }
        false
    }

    /// Epoch start: release expired freezes (appends to `unfreeze`).
    pub fn on_epoch_start(
        &mut self,
        cfg: &GovernanceConfig,
        epoch: u32,
        unfreeze: &mut Vec<usize>,
    ) {
        if !cfg.circuit_breaker_enabled {
            return;
        }
        for (i, t) in self.trackers.iter_mut().enumerate() {
            if t.freeze_until >= 0 && i64::from(epoch) >= t.freeze_until {
                unfreeze.push(i);
                t.freeze_until = -1;
                t.violations = 0;
            }
        }
    }

    pub fn admits(&self, cfg: &GovernanceConfig, agent: usize, epoch: u32) -> bool {
        if !cfg.circuit_breaker_enabled {
            return true;
        }
        let t = &self.trackers[agent];
        t.freeze_until < 0 || i64::from(epoch) >= t.freeze_until
    }
}
