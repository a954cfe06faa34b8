//! The sybil-detection lever (swarm-safety 1.9.0,
//! `swarm/governance/identity_lever.py`, `SybilDetectionLever`).
//!
//! It counts, per agent, its interactions with each partner (both ways,
//! every completed interaction, accepted or not). At each epoch start it
//! clusters agents whose partner patterns look alike — similarity = mean
//! of the Jaccard index of the partner sets and the dot product of the
//! shared partners' normalised counts — greedily, in the order agents were
//! first seen: an unclustered agent takes every later unclustered agent at
//! or above `similarity_threshold`. Each clustered agent loses
//! 0.1·`penalty_multiplier` reputation and 1·`penalty_multiplier`
//! resources; agents of a cluster larger than `max_cluster_size` may not
//! act until the next epoch start. With `realtime_penalty`, an interaction
//! between two clustered agents costs each `realtime_rate`.
//!
//! Reference quirk: it sums the dot product over a Python `set` of agent-id
//! strings, whose order follows the process's string hashes; swarm_fast
//! sums in the first agent's partner order. The sums can differ in the last
//! bit, which matters only for a similarity within an ulp of the threshold.
//!
//! Detection compares every pair of agents seen so far: O(N²) per epoch,
//! as in the reference.

use serde::{Deserialize, Serialize};

use crate::types::AgentIdx;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SybilConfig {
    pub similarity_threshold: f64,
    pub penalty_multiplier: f64,
    pub realtime_penalty: bool,
    pub realtime_rate: f64,
    pub max_cluster_size: i64,
}

impl Default for SybilConfig {
    fn default() -> Self {
        Self {
            similarity_threshold: 0.8,
            penalty_multiplier: 1.0,
            realtime_penalty: false,
            realtime_rate: 0.1,
            max_cluster_size: 1,
        }
    }
}

/// One agent's partners in first-seen order, with their counts.
type Pattern = Vec<(AgentIdx, u64)>;

#[derive(Debug, Clone)]
pub struct Sybil {
    /// Agents in the order they were first seen (the pattern dict's keys).
    seen: Vec<AgentIdx>,
    patterns: Vec<Option<Pattern>>,
    flagged: Vec<bool>,
    /// In a cluster larger than the allowed size.
    blocked: Vec<bool>,
}

impl Sybil {
    pub fn new(n: usize) -> Self {
        Sybil {
            seen: Vec::new(),
            patterns: vec![None; n],
            flagged: vec![false; n],
            blocked: vec![false; n],
        }
    }

    fn count(&mut self, me: AgentIdx, other: AgentIdx) {
        let slot = &mut self.patterns[me as usize];
        if slot.is_none() {
            self.seen.push(me);
        }
        let pattern = slot.get_or_insert_with(Vec::new);
        match pattern.iter_mut().find(|(b, _)| *b == other) {
            Some((_, c)) => *c += 1,
            None => pattern.push((other, 1)),
        }
    }

    /// `on_interaction`: record the pair, then the realtime penalty (both
    /// costs) when both were flagged at the last epoch start.
    // Out of line: keeps the dispatch of the paper's policies lean.
    #[inline(never)]
    pub fn on_interaction(
        &mut self,
        cfg: &SybilConfig,
        initiator: AgentIdx,
        counterparty: AgentIdx,
    ) -> Option<f64> {
        self.count(initiator, counterparty);
        self.count(counterparty, initiator);
        let both = self.flagged[initiator as usize] && self.flagged[counterparty as usize];
        (cfg.realtime_penalty && both).then_some(cfg.realtime_rate)
    }

    /// `can_agent_act`.
    pub fn admits(&self, agent: usize) -> bool {
        !self.blocked[agent]
    }

    /// `on_epoch_start`: the clusters, and each clustered agent's
    /// (reputation delta, resource delta).
    // Out of line: keeps the dispatch of the paper's policies lean.
    #[inline(never)]
    pub fn on_epoch_start(&mut self, cfg: &SybilConfig) -> Vec<(usize, f64, f64)> {
        self.flagged.iter_mut().for_each(|f| *f = false);
        self.blocked.iter_mut().for_each(|b| *b = false);
        let mut visited = vec![false; self.patterns.len()];
        let mut out = Vec::new();
        for (i, &a) in self.seen.iter().enumerate() {
            if visited[a as usize] {
                continue;
            }
            let pa = self.patterns[a as usize].as_ref().expect("seen");
            let mut cluster = vec![a];
            for &b in &self.seen[i + 1..] {
                if visited[b as usize] {
                    continue;
                }
                let pb = self.patterns[b as usize].as_ref().expect("seen");
                if similarity(pa, pb) >= cfg.similarity_threshold {
                    cluster.push(b);
                }
            }
            if cluster.len() < 2 {
                continue;
            }
            let blocked = cluster.len() as i64 > cfg.max_cluster_size;
            for &c in &cluster {
                let c = c as usize;
                visited[c] = true;
                self.flagged[c] = true;
                self.blocked[c] = blocked;
                out.push((
                    c,
                    0.0 - cfg.penalty_multiplier * 0.1,
                    0.0 - cfg.penalty_multiplier * 1.0,
                ));
            }
        }
        out
    }
}

/// `_behavioral_similarity` of two non-empty patterns.
fn similarity(a: &Pattern, b: &Pattern) -> f64 {
    let count_in = |p: &Pattern, x: AgentIdx| p.iter().find(|(y, _)| *y == x).map(|&(_, c)| c);
    let shared: Vec<(u64, u64)> =
        a.iter().filter_map(|&(x, ca)| count_in(b, x).map(|cb| (ca, cb))).collect();
    let union = a.len() + b.len() - shared.len();
    let jaccard = shared.len() as f64 / union as f64;
    if shared.is_empty() {
        return jaccard;
    }
    let total_a: u64 = shared.iter().map(|s| s.0).sum();
    let total_b: u64 = shared.iter().map(|s| s.1).sum();
    let dot = shared
        .iter()
        .map(|&(ca, cb)| (ca as f64 / total_a as f64) * (cb as f64 / total_b as f64))
        .fold(0.0, |s, x| s + x);
    (jaccard + dot) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twins_cluster_and_strangers_do_not() {
        let cfg =
            SybilConfig { similarity_threshold: 0.75, max_cluster_size: 2, ..Default::default() };
        let mut s = Sybil::new(5);
        // 0 and 1 both deal only with 2, the same number of times.
        for _ in 0..3 {
            s.on_interaction(&cfg, 0, 2);
            s.on_interaction(&cfg, 1, 2);
        }
        s.on_interaction(&cfg, 3, 4);
        let hits = s.on_epoch_start(&cfg);
        // 0 and 1 (similarity 1), and 3 with... nobody: 4's pattern is {3}.
        let flagged: Vec<usize> = hits.iter().map(|h| h.0).collect();
        assert_eq!(flagged, vec![0, 1]);
        assert_eq!(hits[0].1, -0.1);
        assert!(s.admits(0) && s.admits(3));
        let tight = SybilConfig { max_cluster_size: 1, ..cfg };
        s.on_epoch_start(&tight);
        assert!(!s.admits(0) && !s.admits(1) && s.admits(2));
    }
}
