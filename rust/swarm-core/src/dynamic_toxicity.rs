//! The `dynamic_toxicity:` subsystem of swarm-safety 1.9.0
//! (`swarm/core/dynamic_toxicity.py`): three feedback loops from an epoch's
//! toxicity to the next epochs, run at epoch end after the network's edge
//! decay, in this fixed order whatever the order of `enabled:`:
//!
//! 1. proxy drift: the cumulative toxicity flattens the proxy's sigmoid;
//! 2. trust erosion: a high rolling toxicity freezes honest agents ("exit"),
//!    drawing from its own `Random(seed)`;
//! 3. quality contagion: every agent's trust memory moves by
//!    γ·(mean p of its accepted interactions − neutral).
//!
//! Each reads the epoch's interactions and does nothing in an epoch without
//! any (contagion: without an accepted one).

use serde::{Deserialize, Serialize};

use crate::metrics::EpochRow;
use crate::observables::{py_max, py_min};
use crate::rng::PyRandom;
use crate::types::AgentIdx;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProxyDriftConfig {
    pub alpha: f64,
    pub k_floor: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustErosionConfig {
    pub beta: f64,
    pub exit_threshold: f64,
    pub window: u64,
    pub min_honest: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityContagionConfig {
    pub gamma: f64,
    pub neutral: f64,
}

/// The mechanisms switched on (None: off), with their parameters.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DynamicToxicityConfig {
    pub proxy_drift: Option<ProxyDriftConfig>,
    pub trust_erosion: Option<TrustErosionConfig>,
    pub quality_contagion: Option<QualityContagionConfig>,
}

/// What the epoch-end pass changes in the engine.
pub struct EpochEnd<'a> {
    /// The proxy's sigmoid sharpness, to be replaced by proxy drift.
    pub sigmoid_k: &'a mut f64,
    /// Honest agents (the class's registered type), in creation order.
    pub honest: &'a [bool],
    pub frozen: &'a [bool],
    /// Agents frozen by trust erosion, in order.
    pub exited: Vec<usize>,
    /// (agent, trust shift) from quality contagion, in first-seen order.
    pub shifts: Vec<(usize, f64)>,
}

#[derive(Debug, Clone)]
pub struct DynamicToxicity {
    cfg: DynamicToxicityConfig,
    /// The sigmoid sharpness when the run started.
    k_initial: f64,
    cumulative: f64,
    erosion_rng: PyRandom,
    history: Vec<f64>,
    /// The epoch's accepted interactions (initiator, counterparty, p), kept
    /// only for quality contagion.
    accepted: Vec<(AgentIdx, AgentIdx, f64)>,
}

impl DynamicToxicity {
    /// `seed`: the run seed (trust erosion's `random.Random(seed)`).
    pub fn new(cfg: DynamicToxicityConfig, k_initial: f64, seed: i128) -> Self {
        DynamicToxicity {
            cfg,
            k_initial,
            cumulative: 0.0,
            erosion_rng: PyRandom::new(seed),
            history: Vec::new(),
            accepted: Vec::new(),
        }
    }

    pub fn on_interaction(&mut self, a: AgentIdx, b: AgentIdx, accepted: bool, p: f64) {
        if accepted && self.cfg.quality_contagion.is_some() {
            self.accepted.push((a, b, p));
        }
    }

    /// The three loops, on the closing epoch's metrics row (its toxicity is
    /// the reference's `toxicity_rate` over the same interactions).
    pub fn on_epoch_end(&mut self, row: &EpochRow, out: &mut EpochEnd<'_>) {
        let any = row.total_interactions > 0;
        let toxicity = row.toxicity_rate;
        if let (Some(c), true) = (&self.cfg.proxy_drift, any) {
            self.cumulative += toxicity;
            let factor = py_max(c.k_floor / self.k_initial, 1.0 - c.alpha * self.cumulative);
            *out.sigmoid_k = self.k_initial * factor;
        }
        if let (Some(c), true) = (&self.cfg.trust_erosion, any) {
            self.history.push(toxicity);
            // Python's history[-window:]; window 0 is [-0:], the whole list.
            let from = match c.window as usize {
                0 => 0,
                w => self.history.len().saturating_sub(w),
            };
            let recent = &self.history[from..];
            let rolling = recent.iter().fold(0.0, |s, &t| s + t) / recent.len() as f64;
            if rolling > c.exit_threshold {
                let excess = rolling - c.exit_threshold;
                let exit_prob = py_min(1.0, c.beta * excess);
                let candidates: Vec<usize> =
                    (0..out.honest.len()).filter(|&i| out.honest[i] && !out.frozen[i]).collect();
                let max_exits = (candidates.len() as u64).saturating_sub(c.min_honest) as usize;
                for &i in &candidates {
                    if out.exited.len() >= max_exits {
                        break;
                    }
                    if self.erosion_rng.random() < exit_prob {
                        out.exited.push(i);
                    }
                }
            }
        }
        let accepted = std::mem::take(&mut self.accepted);
        if let (Some(c), true) = (&self.cfg.quality_contagion, any && !accepted.is_empty()) {
            // Per agent, the p of each accepted interaction it was party to,
            // summed in order; agents in first-seen order.
            let n = out.honest.len();
            let mut slot: Vec<u32> = vec![u32::MAX; n];
            let mut sums: Vec<(usize, f64, u64)> = Vec::new();
            for &(a, b, p) in &accepted {
                for who in [a as usize, b as usize] {
                    if slot[who] == u32::MAX {
                        slot[who] = sums.len() as u32;
                        sums.push((who, 0.0, 0));
                    }
                    let e = &mut sums[slot[who] as usize];
                    e.1 += p;
                    e.2 += 1;
                }
            }
            for (who, sum, count) in sums {
                let mean = sum / count as f64;
                out.shifts.push((who, c.gamma * (mean - c.neutral)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(total: u64, toxicity: f64) -> EpochRow {
        EpochRow { total_interactions: total, toxicity_rate: toxicity, ..Default::default() }
    }

    #[test]
    fn proxy_drift_stops_at_the_floor_and_skips_empty_epochs() {
        let cfg = DynamicToxicityConfig {
            proxy_drift: Some(ProxyDriftConfig { alpha: 1.0, k_floor: 0.5 }),
            ..Default::default()
        };
        let mut dt = DynamicToxicity::new(cfg, 2.0, 1);
        let mut k = 2.0;
        let (honest, frozen) = (vec![], vec![]);
        let mut out = EpochEnd {
            sigmoid_k: &mut k,
            honest: &honest,
            frozen: &frozen,
            exited: vec![],
            shifts: vec![],
        };
        dt.on_epoch_end(&row(4, 0.25), &mut out);
        assert_eq!(*out.sigmoid_k, 1.5);
        dt.on_epoch_end(&row(0, 0.0), &mut out);
        assert_eq!(*out.sigmoid_k, 1.5);
        dt.on_epoch_end(&row(4, 0.9), &mut out);
        assert_eq!(*out.sigmoid_k, 0.5);
    }

    #[test]
    fn trust_erosion_keeps_min_honest() {
        let cfg = DynamicToxicityConfig {
            trust_erosion: Some(TrustErosionConfig {
                beta: 100.0,
                exit_threshold: 0.0,
                window: 0,
                min_honest: 1,
            }),
            ..Default::default()
        };
        let mut dt = DynamicToxicity::new(cfg, 2.0, 7);
        let mut k = 2.0;
        let (honest, frozen) = (vec![true, false, true, true], vec![false, false, false, true]);
        let mut out = EpochEnd {
            sigmoid_k: &mut k,
            honest: &honest,
            frozen: &frozen,
            exited: vec![],
            shifts: vec![],
        };
        dt.on_epoch_end(&row(3, 0.5), &mut out);
        // Candidates 0 and 2 (3 is frozen); exit probability 1; one stays.
        assert_eq!(out.exited, vec![0]);
    }
}
