//! The Sybil detection lever of swarm-safety 1.9.0
//! (`swarm/governance/identity_lever.py`, `sybil_detection_enabled`).
//!
//! Every interaction the governance engine sees adds one to both parties'
//! count of the other. At each epoch start, agents are clustered by the
//! similarity of their partner counts (agents in order of first appearance;
//! each unvisited agent gathers every later unvisited agent whose
//! similarity reaches the threshold); every member of a cluster of two or more loses
//! 0.1 x multiplier reputation and 1.0 x multiplier resources, and members
//! of a cluster larger than `sybil_max_cluster_size` may not act until the
//! next detection. With the realtime penalty, an interaction between two
//! flagged agents costs both `sybil_realtime_rate`.
//!
//! Similarity is (Jaccard + Σ over common partners of the two normalised
//! frequencies' products) / 2. The reference sums those products in the
//! order of a Python set of agent ids, which follows the process's string
//! hash seed; swarm_fast sums them in the second agent's partner order. The
//! two can differ only in the last bit, which matters only for a
//! similarity within rounding of the threshold.
//!
//! The detection compares every pair of agents seen (as the reference
//! does); each comparison walks one partner list against the other's
//! counts laid out by agent index, without allocating.

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use crate::types::AgentIdx;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SybilConfig {
    pub similarity_threshold: f64,
    pub penalty_multiplier: f64,
    pub realtime_penalty: bool,
    pub realtime_rate: f64,
    pub max_cluster_size: u64,
}

impl Default for SybilConfig {
    fn default() -> Self {
        SybilConfig {
            similarity_threshold: 0.8,
            penalty_multiplier: 1.0,
            realtime_penalty: false,
            realtime_rate: 0.1,
            max_cluster_size: 1,
        }
    }
}

/// One agent's partners and counts, in order of first interaction.
#[derive(Debug, Clone, Default)]
struct Pattern {
    partners: Vec<(AgentIdx, u64)>,
    at: HashMap<AgentIdx, usize>,
}

impl Pattern {
    fn bump(&mut self, other: AgentIdx) {
        match self.at.get(&other) {
            Some(&k) => self.partners[k].1 += 1,
            None => {
                self.at.insert(other, self.partners.len());
                self.partners.push((other, 1));
            }
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Sybil {
    /// Agents in order of first appearance, their patterns in that order,
    /// and each agent's position in it.
    order: Vec<AgentIdx>,
    patterns: Vec<Pattern>,
    position: HashMap<AgentIdx, usize>,
    /// Flagged by the latest detection; blocked: in a cluster too large.
    flagged: Vec<bool>,
    blocked: Vec<bool>,
}

impl Sybil {
    pub fn new() -> Self {
        Self::default()
    }

    fn pattern(&mut self, a: AgentIdx) -> &mut Pattern {
        let k = match self.position.get(&a) {
            Some(&k) => k,
            None => {
                self.position.insert(a, self.order.len());
                self.order.push(a);
                self.patterns.push(Pattern::default());
                self.order.len() - 1
            }
        };
        &mut self.patterns[k]
    }

    /// Record an interaction; the realtime penalty when both are flagged.
    pub fn on_interaction(
        &mut self,
        cfg: &SybilConfig,
        initiator: AgentIdx,
        counterparty: AgentIdx,
    ) -> Option<f64> {
        self.pattern(initiator).bump(counterparty);
        self.pattern(counterparty).bump(initiator);
        let flagged = |a: AgentIdx| self.flagged.get(a as usize).copied().unwrap_or(false);
        (cfg.realtime_penalty && flagged(initiator) && flagged(counterparty))
            .then_some(cfg.realtime_rate)
    }

    pub fn admits(&self, agent: usize) -> bool {
        !self.blocked.get(agent).copied().unwrap_or(false)
    }

    /// `a_counts`: a's count per partner index (0: not a partner).
    fn similarity(a: &Pattern, a_counts: &[u64], b: &Pattern) -> f64 {
        if a.partners.is_empty() || b.partners.is_empty() {
            return 0.0;
        }
        let count_a = |x: AgentIdx| a_counts.get(x as usize).copied().unwrap_or(0);
        let (mut common, mut total_a, mut total_b) = (0usize, 0u64, 0u64);
        for &(x, fb) in &b.partners {
            let fa = count_a(x);
            if fa > 0 {
                common += 1;
                total_a += fa;
                total_b += fb;
            }
        }
        let union = a.partners.len() + b.partners.len() - common;
        let jaccard = common as f64 / union as f64;
        if common == 0 {
            return jaccard;
        }
        let (ta, tb) = (total_a as f64, total_b as f64);
        let mut dot = 0.0;
        for &(x, fb) in &b.partners {
            let fa = count_a(x);
            if fa > 0 {
                dot += (fa as f64 / ta) * (fb as f64 / tb);
            }
        }
        (jaccard + dot) / 2.0
    }

    /// Epoch start: detect the clusters; each member's (reputation,
    /// resources) penalty, members in cluster order.
    pub fn on_epoch_start(&mut self, cfg: &SybilConfig, n_agents: usize) -> Vec<(usize, f64, f64)> {
        let n = self.order.len();
        let mut visited = vec![false; n];
        let mut clusters: Vec<Vec<usize>> = Vec::new();
        let width = self.order.iter().map(|&a| a as usize + 1).max().unwrap_or(0);
        let mut a_counts = vec![0u64; width];
        for i in 0..n {
            if visited[i] {
                continue;
            }
            let a = &self.patterns[i];
            for &(x, f) in &a.partners {
                a_counts[x as usize] = f;
            }
            let mut cluster = vec![i];
            for (j, b) in self.patterns.iter().enumerate().skip(i + 1) {
                if visited[j] {
                    continue;
                }
                if Self::similarity(a, &a_counts, b) >= cfg.similarity_threshold {
                    cluster.push(j);
                }
            }
            for &(x, _) in &a.partners {
                a_counts[x as usize] = 0;
            }
            if cluster.len() > 1 {
                for &k in &cluster {
                    visited[k] = true;
                }
                clusters.push(cluster);
            }
        }
        self.flagged = vec![false; n_agents];
        self.blocked = vec![false; n_agents];
        let mut out = Vec::new();
        for c in &clusters {
            let too_big = c.len() as u64 > cfg.max_cluster_size;
            for &k in c {
                let agent = self.order[k] as usize;
                if agent < n_agents {
                    self.flagged[agent] = true;
                    self.blocked[agent] = too_big;
                }
                out.push((agent, -cfg.penalty_multiplier * 0.1, -cfg.penalty_multiplier * 1.0));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_partners_form_a_blocked_cluster() {
        let cfg = SybilConfig::default();
        let mut s = Sybil::new();
        // 0 and 1 both deal only with 2; 2 deals with both.
        for _ in 0..3 {
            s.on_interaction(&cfg, 0, 2);
            s.on_interaction(&cfg, 1, 2);
        }
        let out = s.on_epoch_start(&cfg, 3);
        let members: Vec<usize> = out.iter().map(|o| o.0).collect();
        assert_eq!(members, vec![0, 1]);
        assert!(!s.admits(0) && !s.admits(1) && s.admits(2));
    }
}
