//! The security lever (governance spec §9.1): a threat analysis of the
//! interaction history at each epoch start that penalises and quarantines
//! agents, and an optional real-time surcharge per interaction.
//!
//! Of the analyser's five indicators only three can score in the core:
//! injection (low-p accepted interactions, rejections, misuse), laundering
//! (accepted-interaction paths towards more reputable agents) and contagion
//! (chains of low-p accepted interactions). Exfiltration needs two or more
//! misuse flags, which no core observable reaches, and manipulation scores
//! `success_rate × confidence` where success needs `r_a > 0` or `τ < −1`,
//! both 0 in the core; a zero risk never raises a score (a max over
//! indicators from 0). Exfiltration is kept for completeness; manipulation
//! is left out.
//!
//! Scores are a max over indicators, so the reference's set-ordered agent
//! list (string hashing) cannot change them.
//!
//! The analyser copies its thresholds (injection, laundering gap, contagion
//! velocity, chain length) at construction; the lever reads the others live
//! from the governance config (spec §5.5), so a parameter shock reaches them:
//! the hooks take the live values as `live`.

use serde::{Deserialize, Serialize};

use crate::observables::py_min;
use crate::types::AgentIdx;

/// The `security_*` keys of the `governance:` section (defaults as in the
/// reference's GovernanceConfig). Present only when `security_enabled`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityConfig {
    pub injection_threshold: f64,
    pub laundering_trust_gap: f64,
    pub contagion_velocity: f64,
    pub min_chain_length: u64,
    pub min_interactions: u64,
    pub penalty_threshold: f64,
    pub quarantine_threshold: f64,
    pub penalty_multiplier: f64,
    pub realtime_penalty: bool,
    pub realtime_threshold: f64,
    pub realtime_rate: f64,
    pub clear_history_on_epoch: bool,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        Self {
            injection_threshold: 0.3,
            laundering_trust_gap: 0.3,
            contagion_velocity: 2.0,
            min_chain_length: 3,
            min_interactions: 5,
            penalty_threshold: 0.3,
            quarantine_threshold: 0.7,
            penalty_multiplier: 1.0,
            realtime_penalty: false,
            realtime_threshold: 0.5,
            realtime_rate: 0.2,
            clear_history_on_epoch: false,
        }
    }
}

/// What the lever keeps of one interaction.
#[derive(Debug, Clone, Copy)]
pub struct Seen {
    pub initiator: AgentIdx,
    pub counterparty: AgentIdx,
    pub accepted: bool,
    pub p: f64,
    pub rejections: u32,
    pub misuse: u32,
}

impl Seen {
    /// Accepted with p < 0.3: the "low quality but accepted" signal.
    fn bad(&self) -> bool {
        self.accepted && self.p < 0.3
    }
}

/// The epoch-start outcome: penalties and new quarantines.
#[derive(Debug, Default)]
pub struct SecurityEffect {
    pub freeze: Vec<usize>,
    /// (agent, reputation delta, resource delta)
    pub penalties: Vec<(usize, f64, f64)>,
}

#[derive(Debug, Clone)]
pub struct Security {
    cfg: SecurityConfig,
    history: Vec<Seen>,
    /// Agents quarantined: refused admission for the rest of the run.
    quarantined: Vec<bool>,
    /// Each agent's score in the latest report (None: not in it), or no
    /// report yet.
    latest: Option<Vec<Option<f64>>>,
}

impl Security {
    pub fn new(cfg: SecurityConfig, n_agents: usize) -> Self {
        Security { cfg, history: Vec::new(), quarantined: vec![false; n_agents], latest: None }
    }

    pub fn admits(&self, agent: usize) -> bool {
        !self.quarantined[agent]
    }

    /// Record an interaction; with the real-time penalty on, the surcharge
    /// (c_a, c_b) it triggers, if any.
    pub fn on_interaction(&mut self, live: &SecurityConfig, seen: Seen) -> Option<(f64, f64)> {
        self.history.push(seen);
        if !live.realtime_penalty {
            return None;
        }
        let mut score = 0.0;
        if seen.bad() {
            score += 0.3;
        }
        score = add_flag_terms(score, &seen);
        if let Some(latest) = &self.latest {
            score += latest[seen.initiator as usize].unwrap_or(0.0) * 0.3;
        }
        let threat = py_min(1.0, score);
        if threat < live.realtime_threshold {
            return None;
        }
        let penalty = live.realtime_rate * threat;
        Some((penalty, penalty * 0.5))
    }

    /// Epoch start: analyse the history with the reputations as trust.
    pub fn on_epoch_start(&mut self, live: &SecurityConfig, reputations: &[f64]) -> SecurityEffect {
        let mut effect = SecurityEffect::default();
        if (self.history.len() as u64) < live.min_interactions {
            return effect;
        }
        let scores = self.analyse(reputations);
        for (i, score) in scores.iter().enumerate() {
            let Some(s) = *score else { continue };
            if s >= live.quarantine_threshold {
                effect.freeze.push(i);
                self.quarantined[i] = true;
            }
            if s >= live.penalty_threshold {
                let rep = -s * live.penalty_multiplier;
                effect.penalties.push((i, rep, rep * 5.0));
            }
        }
        self.latest = Some(scores);
        if live.clear_history_on_epoch {
            self.history.clear();
        }
        effect
    }

    /// Per-agent threat scores: the max over indicators of severity ×
    /// confidence for the source, 0.3 × that for the targets; agents that
    /// appear in no interaction have none.
    fn analyse(&self, trust: &[f64]) -> Vec<Option<f64>> {
        let n = trust.len();
        let mut scores: Vec<Option<f64>> = vec![None; n];
        for s in &self.history {
            scores[s.initiator as usize] = Some(0.0);
            scores[s.counterparty as usize] = Some(0.0);
        }
        let raise = |scores: &mut Vec<Option<f64>>, agent: usize, risk: f64| {
            if let Some(cur) = scores[agent] {
                // Python's max(cur, risk): the first unless the second is larger.
                if risk > cur {
                    scores[agent] = Some(risk);
                }
            }
        };
        // Injection and exfiltration, per interaction.
        for s in &self.history {
            let inj = self.injection_score(s);
            if inj >= self.cfg.injection_threshold {
                let risk = inj * py_min(0.9, inj + 0.2);
                raise(&mut scores, s.initiator as usize, risk);
                raise(&mut scores, s.counterparty as usize, risk * 0.3);
            }
            if s.misuse >= 2 {
                let risk = py_min(1.0, 0.3 * f64::from(s.misuse)) * 0.6;
                raise(&mut scores, s.initiator as usize, risk);
                raise(&mut scores, s.counterparty as usize, risk * 0.3);
            }
        }
        for (source, dest, gain) in self.laundering(trust) {
            let risk = py_min(1.0, gain / 0.5) * py_min(0.8, 0.4 + gain);
            raise(&mut scores, source, risk);
            raise(&mut scores, dest, risk * 0.3);
        }
        for chain in self.contagion() {
            let depth = (chain.path.len() - 1) as f64;
            let risk = py_min(1.0, depth / 5.0) * py_min(0.9, 0.5 + chain.velocity / 10.0);
            raise(&mut scores, chain.path[0], risk);
            for &t in &chain.path[1..] {
                raise(&mut scores, t, risk * 0.3);
            }
        }
        scores
    }

    fn injection_score(&self, s: &Seen) -> f64 {
        let mut score = 0.0;
        if s.bad() {
            score += 0.3 * (0.3 - s.p) / 0.3;
        }
        py_min(1.0, add_flag_terms(score, s))
    }

    /// Laundering paths (source, destination, trust gain): a breadth-first
    /// walk from every source along accepted interactions, each agent
    /// reached once at its shortest distance; a reached agent more trusted
    /// than the source by more than the gap, on a path of at least
    /// `min_chain_length` agents, is one path.
    fn laundering(&self, trust: &[f64]) -> Vec<(usize, usize, f64)> {
        let n = trust.len();
        // Out-neighbours in first-appearance order (the reference's dict).
        let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut sources: Vec<bool> = vec![false; n];
        for s in &self.history {
            sources[s.initiator as usize] = true;
            sources[s.counterparty as usize] = true;
            if s.accepted {
                let list = &mut out[s.initiator as usize];
                if !list.contains(&(s.counterparty as usize)) {
                    list.push(s.counterparty as usize);
                }
            }
        }
        let mut paths = Vec::new();
        let mut depth: Vec<u64> = vec![u64::MAX; n];
        let mut queue = std::collections::VecDeque::new();
        for source in (0..n).filter(|&i| sources[i]) {
            let start = trust[source];
            let bar = start + self.cfg.laundering_trust_gap;
            let mut reached = vec![source];
            depth[source] = 0;
            queue.push_back(source);
            while let Some(cur) = queue.pop_front() {
                for &next in &out[cur] {
                    if depth[next] != u64::MAX {
                        continue;
                    }
                    depth[next] = depth[cur] + 1;
                    reached.push(next);
                    // A path of depth d has d + 1 agents.
                    if trust[next] > bar && depth[next] + 1 >= self.cfg.min_chain_length {
                        paths.push((source, next, trust[next] - start));
                    }
                    queue.push_back(next);
                }
            }
            for r in reached {
                depth[r] = u64::MAX;
            }
        }
        paths
    }

    /// Contagion chains, subsets of longer chains removed. Each accepted
    /// interaction with p < 0.3 "infects" its counterparty; when that agent
    /// initiates at least two later such interactions, the chain is the
    /// pair plus the new counterparties of the first five of them.
    ///
    /// The reference divides the chain's interaction count by the
    /// wall-clock span in minutes + 0.01; an in-process run spans well
    /// under a second, so the span is taken as 0 (velocity = count / 0.01),
    /// which passes any threshold up to 200 and gives confidence 0.9.
    fn contagion(&self) -> Vec<Chain> {
        let h = &self.history;
        if (h.len() as u64) < self.cfg.min_chain_length {
            return Vec::new();
        }
        let n = self.quarantined.len();
        // Each agent's later low-p accepted interactions as initiator.
        let mut spreads: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (idx, s) in h.iter().enumerate() {
            if s.bad() {
                spreads[s.initiator as usize].push(idx);
            }
        }
        let mut chains = Vec::new();
        for (idx, s) in h.iter().enumerate() {
            if !s.bad() {
                continue;
            }
            let list = &spreads[s.counterparty as usize];
            let later = &list[list.partition_point(|&j| j <= idx)..];
            if later.len() < 2 {
                continue;
            }
            let mut path = vec![s.initiator as usize, s.counterparty as usize];
            let mut ints = 1usize;
            for &j in later.iter().take(5) {
                let c = h[j].counterparty as usize;
                if !path.contains(&c) {
                    path.push(c);
                    ints += 1;
                }
            }
            if (path.len() as u64) < self.cfg.min_chain_length {
                continue;
            }
            let velocity = ints as f64 / (0.0 / 60.0 + 0.01);
            if velocity >= self.cfg.contagion_velocity {
                chains.push(Chain { path, velocity });
            }
        }
        // Deepest first (a stable sort), then drop subsets of kept chains.
        chains.sort_by_key(|c| std::cmp::Reverse(c.path.len()));
        let mut kept: Vec<Chain> = Vec::new();
        for chain in chains {
            let subset = kept.iter().any(|k| chain.path.iter().all(|a| k.path.contains(a)));
            if !subset {
                kept.push(chain);
            }
        }
        kept
    }
}

struct Chain {
    path: Vec<usize>,
    velocity: f64,
}

/// The rejection and misuse terms shared by the injection and real-time
/// scores, added in the reference's order.
fn add_flag_terms(mut score: f64, s: &Seen) -> f64 {
    if s.misuse > 0 {
        score += py_min(0.4, 0.2 * f64::from(s.misuse));
    }
    if s.rejections > 0 {
        score += py_min(0.3, 0.15 * f64::from(s.rejections));
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(a: AgentIdx, b: AgentIdx, accepted: bool, p: f64) -> Seen {
        Seen { initiator: a, counterparty: b, accepted, p, rejections: 0, misuse: 0 }
    }

    #[test]
    fn laundering_needs_the_chain_length_and_the_trust_gap() {
        let cfg = SecurityConfig { min_interactions: 1, ..SecurityConfig::default() };
        let mut sec = Security::new(cfg.clone(), 3);
        // 0 -> 1 -> 2, all accepted with a harmless p.
        sec.history = vec![seen(0, 1, true, 0.9), seen(1, 2, true, 0.9)];
        // Only 2 is more trusted than 0 by more than 0.3, at depth 2 (3 agents).
        assert_eq!(sec.laundering(&[0.0, 0.2, 0.5]), vec![(0, 2, 0.5)]);
        // 1 is reached at depth 1: a 2-agent path is too short.
        assert!(sec.laundering(&[0.0, 0.9, 0.0]).is_empty());
    }

    #[test]
    fn contagion_chains_are_deduplicated() {
        let cfg = SecurityConfig { min_interactions: 1, ..SecurityConfig::default() };
        let mut sec = Security::new(cfg.clone(), 4);
        // 0 infects 1, which spreads to 2 and 3.
        sec.history = vec![seen(0, 1, true, 0.1), seen(1, 2, true, 0.1), seen(1, 3, true, 0.1)];
        let chains = sec.contagion();
        assert_eq!(chains.len(), 1);
        assert_eq!(chains[0].path, vec![0, 1, 2, 3]);
        // Quarantine at epoch start for the origin: depth 3/5 x 0.9 = 0.54.
        let effect = sec.on_epoch_start(&cfg, &[0.0; 4]);
        assert!(effect.penalties.iter().any(|&(i, rep, _)| i == 0 && rep < 0.0));
        // 0.54 is under the quarantine threshold (0.7): penalised, not frozen.
        assert!(effect.freeze.is_empty() && sec.admits(0));
    }

    #[test]
    fn quarantined_agents_are_refused_for_good() {
        let cfg = SecurityConfig {
            min_interactions: 1,
            quarantine_threshold: 0.1,
            ..SecurityConfig::default()
        };
        let mut sec = Security::new(cfg.clone(), 2);
        sec.on_interaction(&cfg, seen(0, 1, true, 0.0));
        let effect = sec.on_epoch_start(&cfg, &[0.0, 0.0]);
        // Injection 0.3 x confidence 0.5 = 0.15 for the initiator; the
        // counterparty's 0.3 x 0.15 stays under the threshold.
        assert_eq!(effect.freeze, vec![0]);
        assert!(!sec.admits(0) && sec.admits(1));
        sec.on_epoch_start(&cfg, &[0.0, 0.0]);
        assert!(!sec.admits(0));
    }
}
