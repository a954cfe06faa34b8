//! Circuit breaker (governance spec §6.2).
//!
//! Tracks only initiators, counts rejected interactions too, keeps the
//! toxicity window across a release, and every violation while over the
//! limit moves the end of the freeze (G4).

use crate::config::GovernanceConfig;

const WINDOW: usize = 10;

#[derive(Debug, Clone)]
struct Tracker {
    violations: u64,
    /// −1 when not frozen.
    freeze_until: i64,
    /// The last `len` toxicities (1 − p), oldest at `head`, in a ring.
    window: [f64; WINDOW],
    head: usize,
    len: usize,
}

impl Default for Tracker {
    fn default() -> Self {
        Tracker { violations: 0, freeze_until: -1, window: [0.0; WINDOW], head: 0, len: 0 }
    }
}

impl Tracker {
    /// Append a toxicity, dropping the oldest past `WINDOW`; return the
    /// window's mean, summed oldest first from 0.0 like the reference.
    fn push_mean(&mut self, x: f64) -> f64 {
        if self.len < WINDOW {
            self.window[(self.head + self.len) % WINDOW] = x;
            self.len += 1;
        } else {
            self.window[self.head] = x;
            self.head = (self.head + 1) % WINDOW;
        }
        let (newer, older) = self.window[..self.len].split_at(self.head.min(self.len));
        let sum = older.iter().chain(newer).fold(0.0, |s, &v| s + v);
        sum / self.len as f64
    }
}

#[derive(Debug, Clone, Default)]
pub struct CircuitBreaker {
    trackers: Vec<Tracker>,
}

impl CircuitBreaker {
    /// Trackers only when the lever is on (112 bytes an agent); every
    /// method returns before reading them when it is off.
    pub fn new(cfg: &GovernanceConfig, n_agents: usize) -> Self {
        let tracked = if cfg.circuit_breaker_enabled { n_agents } else { 0 };
        CircuitBreaker { trackers: vec![Tracker::default(); tracked] }
    }

    /// A spawned agent joins (spawn subsystem): a fresh tracker.
    pub fn add_agent(&mut self, cfg: &GovernanceConfig) {
        if cfg.circuit_breaker_enabled {
            self.trackers.push(Tracker::default());
        }
    }

    /// Returns true if the initiator must be frozen now.
    #[inline(always)]
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
        let avg = t.push_mean(1.0 - p);
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// The ring gives the same means, bit for bit, as a deque summed
    /// oldest first, before and long after it fills.
    #[test]
    fn ring_mean_matches_deque() {
        let mut t = Tracker::default();
        let mut dq: VecDeque<f64> = VecDeque::new();
        let mut rng = crate::rng::PyRandom::new(11);
        for k in 0..200 {
            let x = rng.random();
            dq.push_back(x);
            if dq.len() > WINDOW {
                dq.pop_front();
            }
            let want = dq.iter().fold(0.0, |s, &v| s + v) / dq.len() as f64;
            assert_eq!(t.push_mean(x).to_bits(), want.to_bits(), "push {k}");
        }
    }
}
