//! Collusion penalty lever and its detector (governance spec §7.2).
//!
//! The detector reads numpy reductions (`np.mean`, `np.std`,
//! `np.corrcoef`); `numpy_compat` reproduces them bit for bit so scores
//! near the threshold agree with the reference (spec §20.5).

use std::collections::VecDeque;

use rustc_hash::FxHashMap as HashMap;

use crate::config::GovernanceConfig;
use crate::numpy_compat as np;
use crate::observables::py_max;
use crate::types::AgentIdx;

/// What the detector reads of a finalised interaction: its final costs
/// (the reference keeps references, so it sees c_a and c_b after every
/// lever has charged).
#[derive(Debug, Clone, Copy)]
pub struct Record {
    pub initiator: AgentIdx,
    pub counterparty: AgentIdx,
    pub accepted: bool,
    pub p: f64,
    pub c_a: f64,
    pub c_b: f64,
}

/// One unordered pair, (a, b) with a < b in the string order of the ids.
#[derive(Debug, Clone)]
struct Pair {
    a: AgentIdx,
    b: AgentIdx,
    items: Vec<usize>,
    /// What the score reads of the pair's own records, from the last
    /// report; `None` once a record has been added since. Only pairs that
    /// interacted are read again, so a report does not cost the whole
    /// history (the z-score still uses every pair's count).
    stats: Option<PairStats>,
}

#[derive(Debug, Clone, Copy)]
struct PairStats {
    acceptance: f64,
    corr: f64,
    avg_p: f64,
}

#[derive(Debug, Clone, Default)]
pub struct Collusion {
    history: Vec<Record>,
    pairs: Vec<Pair>,
    pair_of: HashMap<(AgentIdx, AgentIdx), usize>,
    /// Per-agent risk from the latest report; None before the first one.
    latest_risk: Option<Vec<f64>>,
    /// Rank of each agent id in Python string order (for `sorted([a, b])`).
    rank: Vec<u32>,
}

impl Collusion {
    pub fn new(rank: Vec<u32>) -> Self {
        Collusion { rank, ..Default::default() }
    }

    pub fn latest_risk(&self) -> Option<&[f64]> {
        self.latest_risk.as_deref()
    }

    /// Realtime penalty for a new interaction, from the latest report
    /// (charged to both sides, accepted or not).
    pub fn realtime_penalty(
        &self,
        cfg: &GovernanceConfig,
        initiator: AgentIdx,
        counterparty: AgentIdx,
    ) -> Option<f64> {
        if !cfg.collusion_detection_enabled || !cfg.collusion_realtime_penalty {
            return None;
        }
        let risk = self.latest_risk.as_ref()?;
        let (ri, rc) = (risk[initiator as usize], risk[counterparty as usize]);
        let thr = cfg.collusion_score_threshold;
        if ri < thr || rc < thr {
            return None;
        }
        Some(cfg.collusion_realtime_rate * (ri + rc) / 2.0)
    }

    /// Append a finalised interaction to the history.
    pub fn record(&mut self, cfg: &GovernanceConfig, r: Record) {
        if !cfg.collusion_detection_enabled {
            return;
        }
        let (x, y) = (r.initiator, r.counterparty);
        let key = if self.rank[x as usize] <= self.rank[y as usize] { (x, y) } else { (y, x) };
        let idx = self.history.len();
        self.history.push(r);
        let next = self.pairs.len();
        let pair = *self.pair_of.entry(key).or_insert(next);
        if pair == next {
            self.pairs.push(Pair { a: key.0, b: key.1, items: Vec::new(), stats: None });
        }
        let pair = &mut self.pairs[pair];
        pair.items.push(idx);
        pair.stats = None;
    }

    /// Epoch start: analyse the whole history and return per-agent
    /// (reputation delta, resource delta) penalties in agent order.
    pub fn on_epoch_start(
        &mut self,
        cfg: &GovernanceConfig,
        n_agents: usize,
    ) -> Vec<(usize, f64, f64)> {
        let mut out = Vec::new();
        if !cfg.collusion_detection_enabled {
            return out;
        }
        if (self.history.len() as u64) < cfg.collusion_min_interactions {
            return out;
        }
        let risk = self.analyze(cfg, n_agents);
        let mult = cfg.collusion_penalty_multiplier;
        for (i, &r) in risk.iter().enumerate() {
            if r >= cfg.collusion_score_threshold {
                out.push((i, -r * mult, -r * mult * 10.0));
            }
        }
        self.latest_risk = Some(risk);
        if cfg.collusion_clear_history_on_epoch {
            self.history.clear();
            self.pairs.clear();
            self.pair_of.clear();
        }
        out
    }

    /// The detector's per-agent risk (spec §10.6 steps 2–6).
    fn analyze(&mut self, cfg: &GovernanceConfig, n_agents: usize) -> Vec<f64> {
        let mut risk = vec![0.0; n_agents];
        let counts: Vec<f64> = self.pairs.iter().map(|p| p.items.len() as f64).collect();
        let (count_mean, count_std) =
            if counts.len() >= 2 { (np::mean(&counts), np::std(&counts)) } else { (0.0, 0.0) };
        let thr = cfg.collusion_score_threshold;
        let mut suspicious: Vec<(AgentIdx, AgentIdx)> = Vec::new();
        let mut scratch = Scratch::default();
        for pair in &mut self.pairs {
            let n = pair.items.len();
            if (n as u64) < cfg.collusion_min_interactions {
                continue;
            }
            let stats = match pair.stats {
                Some(s) => s,
                None => {
                    let s = scratch.stats(pair, &self.history);
                    pair.stats = Some(s);
                    s
                }
            };
            let z = if counts.len() >= 2 && count_std > 0.0 {
                (n as f64 - count_mean) / count_std
            } else {
                0.0
            };
            let score = pair_score(cfg, z, stats.corr, stats.acceptance, stats.avg_p, n);
            for who in [pair.a, pair.b] {
                let r = &mut risk[who as usize];
                *r = py_max(*r, score);
            }
            if score >= thr {
                suspicious.push((pair.a, pair.b));
            }
        }
        for (members, score) in self.groups(&suspicious, n_agents) {
            if score >= thr {
                for m in members {
                    risk[m as usize] = py_max(risk[m as usize], score);
                }
            }
        }
        risk
    }

    /// Connected components of the suspicious-pair graph with their group
    /// scores (spec §10.6 step 5).
    fn groups(
        &self,
        suspicious: &[(AgentIdx, AgentIdx)],
        n_agents: usize,
    ) -> Vec<(Vec<AgentIdx>, f64)> {
        if suspicious.is_empty() {
            return Vec::new();
        }
        let mut adj: HashMap<AgentIdx, Vec<AgentIdx>> = HashMap::default();
        let mut order: Vec<AgentIdx> = Vec::new();
        for &(a, b) in suspicious {
            for (x, y) in [(a, b), (b, a)] {
                adj.entry(x)
                    .or_insert_with(|| {
                        order.push(x);
                        Vec::new()
                    })
                    .push(y);
            }
        }
        let mut component_of = vec![usize::MAX; n_agents];
        let mut out = Vec::new();
        for &start in &order {
            if component_of[start as usize] != usize::MAX {
                continue;
            }
            let id = out.len();
            let mut members = Vec::new();
            let mut queue = VecDeque::from([start]);
            component_of[start as usize] = id;
            while let Some(node) = queue.pop_front() {
                members.push(node);
                for &nb in &adj[&node] {
                    if component_of[nb as usize] == usize::MAX {
                        component_of[nb as usize] = id;
                        queue.push_back(nb);
                    }
                }
            }
            out.push((members, 0.0));
        }
        let mut internal: Vec<Vec<f64>> = vec![Vec::new(); out.len()];
        let mut external: Vec<Vec<f64>> = vec![Vec::new(); out.len()];
        for r in &self.history {
            let gi = component_of[r.initiator as usize];
            let gc = component_of[r.counterparty as usize];
            if gi != usize::MAX && gi == gc {
                internal[gi].push(r.p);
            } else {
                if gi != usize::MAX {
                    external[gi].push(r.p);
                }
                if gc != usize::MAX {
                    external[gc].push(r.p);
                }
            }
        }
        for (g, (members, score)) in out.iter_mut().enumerate() {
            let (ni, ne) = (internal[g].len(), external[g].len());
            let total = ni + ne;
            let rate = if total > 0 { ni as f64 / total as f64 } else { 0.0 };
            let avg_int = if ni > 0 { np::mean(&internal[g]) } else { 0.5 };
            let avg_ext = if ne > 0 { np::mean(&external[g]) } else { 0.5 };
            let bias = py_max(0.0, rate - 0.5) * 2.0;
            let asym = py_max(0.0, avg_int - avg_ext);
            let mut s = bias * 0.4 + asym * 0.6;
            let size_factor = crate::observables::py_min(1.0, members.len() as f64 / 5.0);
            s *= 0.5 + 0.5 * size_factor;
            *score = s;
        }
        out
    }
}

/// Buffers for reading one pair's records.
#[derive(Default)]
struct Scratch {
    ben_a: Vec<f64>,
    ben_b: Vec<f64>,
    p_a: Vec<f64>,
    p_b: Vec<f64>,
}

impl Scratch {
    /// The pair's acceptance rate, benefit correlation and mean p, with
    /// numpy's reductions over its records in history order.
    fn stats(&mut self, pair: &Pair, history: &[Record]) -> PairStats {
        let Scratch { ben_a, ben_b, p_a, p_b } = self;
        ben_a.clear();
        ben_b.clear();
        p_a.clear();
        p_b.clear();
        let mut n_acc = 0usize;
        for &i in &pair.items {
            let r = &history[i];
            n_acc += usize::from(r.accepted);
            // τ = 0, so the benefits are −0.0 − c_a and 0.0 − c_b.
            if r.initiator == pair.a {
                ben_a.push(-0.0 - r.c_a);
                ben_b.push(0.0 - r.c_b);
                p_a.push(r.p);
            } else {
                ben_b.push(-0.0 - r.c_a);
                ben_a.push(0.0 - r.c_b);
                p_b.push(r.p);
            }
        }
        let acceptance = n_acc as f64 / pair.items.len() as f64;
        let mut corr = 0.0;
        if ben_a.len() >= 2 && np::std(ben_a) > 0.0 && np::std(ben_b) > 0.0 {
            corr = np::corrcoef_01(ben_a, ben_b);
            if corr.is_nan() {
                corr = 0.0;
            }
        }
        let avg_pa = if p_a.is_empty() { 0.5 } else { np::mean(p_a) };
        let avg_pb = if p_b.is_empty() { 0.5 } else { np::mean(p_b) };
        PairStats { acceptance, corr, avg_p: np::mean(&[avg_pa, avg_pb]) }
    }
}

fn pair_score(
    cfg: &GovernanceConfig,
    z: f64,
    corr: f64,
    acceptance: f64,
    avg_p: f64,
    n: usize,
) -> f64 {
    let freq = if z > 0.0 {
        crate::observables::py_min(1.0, py_max(0.0, z / cfg.collusion_frequency_threshold))
    } else {
        0.0
    };
    let corr = py_max(0.0, corr);
    let accept = py_max(0.0, (acceptance - 0.5) * 2.0);
    let quality = if acceptance > 0.5 { py_max(0.0, (0.5 - avg_p) * 2.0) } else { 0.0 };
    let score = 0.25 * freq + 0.30 * corr + 0.20 * accept + 0.25 * quality;
    let confidence = crate::observables::py_min(1.0, n as f64 / 10.0);
    score * confidence
}
