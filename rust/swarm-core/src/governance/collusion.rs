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

/// Up to this many agents, pairs' lists start with room (see `pair_room`).
const SMALL_POPULATION: usize = 64;

/// What the detector reads of a finalised interaction: its final costs
/// (the reference keeps references, so it sees c_a and c_b after every
/// lever has charged).
#[derive(Debug, Clone, Copy)]
pub struct Record {
    pub initiator: AgentIdx,
    pub counterparty: AgentIdx,
    pub accepted: bool,
    pub p: f64,
    /// The transfer τ (0 unless the corrected model attaches transfers).
    pub tau: f64,
    pub c_a: f64,
    pub c_b: f64,
}

/// One unordered pair, (a, b) with a < b in the string order of the ids.
#[derive(Debug, Clone)]
struct Pair {
    a: AgentIdx,
    b: AgentIdx,
    /// The pair's records in history order, as the score reads them: each
    /// side's benefit, and p split by who initiated. Kept here, not looked
    /// up in the history, so a pair is re-read from contiguous memory.
    ben_a: Vec<f64>,
    ben_b: Vec<f64>,
    p_a: Vec<f64>,
    p_b: Vec<f64>,
    accepted: usize,
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

/// What the group step reads of each record: the parties and p (the
/// rest of a record is folded into its pair as it arrives).
#[derive(Debug, Clone, Copy)]
struct Link {
    initiator: AgentIdx,
    counterparty: AgentIdx,
    p: f64,
}

#[derive(Debug, Clone, Default)]
pub struct Collusion {
    history: Vec<Link>,
    pairs: Vec<Pair>,
    pair_of: HashMap<(AgentIdx, AgentIdx), usize>,
    /// Per-agent risk from the latest report; None before the first one.
    latest_risk: Option<Vec<f64>>,
    /// The groups' p lists from the last report, kept while the grouping
    /// stays the same (see [`GroupLists`]).
    group_lists: Option<GroupLists>,
    /// Rank of each agent id in Python string order (for `sorted([a, b])`).
    rank: Vec<u32>,
    /// Interactions recorded, all of them (the `min_interactions` check).
    /// `history` keeps only those between agents of the run's start: the
    /// reference hands the detector the ids registered when the run starts
    /// and it filters out the rest, so spawned agents are never analysed.
    seen: usize,
    /// Records a new pair has room for: in small populations each pair
    /// that interacts does so dozens of times, so its lists start past
    /// the first growths; in large ones most pairs stay short.
    pair_room: usize,
    /// Corrected model (G6): benefits are the transfers only.
    benefit_transfers_only: bool,
}

impl Collusion {
    pub fn new(rank: Vec<u32>) -> Self {
        let pair_room = if rank.len() <= SMALL_POPULATION { 16 } else { 0 };
        Collusion { rank, pair_room, ..Default::default() }
    }

    pub fn set_benefit_transfers_only(&mut self, on: bool) {
        self.benefit_transfers_only = on;
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
        // An agent spawned since the report has no risk: 0.0, the report's `.get`.
        let at = |a: AgentIdx| risk.get(a as usize).copied().unwrap_or(0.0);
        let (ri, rc) = (at(initiator), at(counterparty));
        let thr = cfg.collusion_score_threshold;
        if ri < thr || rc < thr {
            return None;
        }
        Some(cfg.collusion_realtime_rate * (ri + rc) / 2.0)
    }

    /// Append a finalised interaction to the history.
    #[inline(always)]
    /// `PLAIN`: the reference model (no transfers-only benefits).
    pub fn record<const PLAIN: bool>(&mut self, cfg: &GovernanceConfig, r: Record) {
        if !cfg.collusion_detection_enabled {
            return;
        }
        let (x, y) = (r.initiator, r.counterparty);
        self.seen += 1;
        let known = self.rank.len() as AgentIdx;
        if x >= known || y >= known {
            return;
        }
        let key = if self.rank[x as usize] <= self.rank[y as usize] { (x, y) } else { (y, x) };
        self.history.push(Link { initiator: x, counterparty: y, p: r.p });
        let next = self.pairs.len();
        let pair = *self.pair_of.entry(key).or_insert(next);
        if pair == next {
            let room = || Vec::with_capacity(self.pair_room);
            self.pairs.push(Pair {
                a: key.0,
                b: key.1,
                ben_a: room(),
                ben_b: room(),
                p_a: room(),
                p_b: room(),
                accepted: 0,
                stats: None,
            });
        }
        let pair = &mut self.pairs[pair];
        pair.accepted += usize::from(r.accepted);
        // τ = 0, so the benefits are −0.0 − c_a and 0.0 − c_b: governance
        // charges that both sides pay in proportion to the same p, so for
        // any busy pair the two series move together and ρ ≈ 1 (G6). The
        // corrected model keeps what one side gains from the other, the
        // transfer τ; with no transfers both series are constant and the
        // detector's own rule (std = 0) gives ρ = 0.
        let (ben_init, ben_counter) = if !PLAIN && self.benefit_transfers_only {
            (-r.tau, r.tau)
        } else {
            (-r.tau - r.c_a, r.tau - r.c_b)
        };
        if r.initiator == pair.a {
            pair.ben_a.push(ben_init);
            pair.ben_b.push(ben_counter);
            pair.p_a.push(r.p);
        } else {
            pair.ben_b.push(ben_init);
            pair.ben_a.push(ben_counter);
            pair.p_b.push(r.p);
        }
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
        if (self.seen as u64) < cfg.collusion_min_interactions {
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
            self.seen = 0;
            self.group_lists = None;
            self.pairs.clear();
            self.pair_of.clear();
        }
        out
    }

    /// The detector's per-agent risk (spec §10.6 steps 2–6).
    fn analyze(&mut self, cfg: &GovernanceConfig, n_agents: usize) -> Vec<f64> {
        let mut risk = vec![0.0; n_agents];
        let counts: Vec<f64> = self.pairs.iter().map(|p| p.len() as f64).collect();
        let (count_mean, count_std) =
            if counts.len() >= 2 { (np::mean(&counts), np::std(&counts)) } else { (0.0, 0.0) };
        let thr = cfg.collusion_score_threshold;
        let mut suspicious: Vec<(AgentIdx, AgentIdx)> = Vec::new();
        for pair in &mut self.pairs {
            let n = pair.len();
            if (n as u64) < cfg.collusion_min_interactions {
                continue;
            }
            let stats = match pair.stats {
                Some(s) => s,
                None => {
                    let s = pair.read();
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
        &mut self,
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
            // A lone agent (its only suspicious pair is with itself: the
            // AWM and rivals handlers' self-interactions) is no group: the
            // reference keeps components of two or more.
            if members.len() < 2 {
                component_of[start as usize] = usize::MAX;
                continue;
            }
            out.push((members, 0.0));
        }
        // Each group's p values in history order, internal and external:
        // with the same grouping as last report only the records since are
        // sorted in, so a report does not re-read the whole history.
        let mut lists = match self.group_lists.take() {
            Some(l) if l.component_of == component_of => l,
            // A new grouping: start over, in the old lists' buffers.
            Some(mut l) => {
                for v in [&mut l.internal, &mut l.external] {
                    v.resize_with(out.len(), Vec::new);
                    v.iter_mut().for_each(Vec::clear);
                }
                GroupLists { component_of, upto: 0, ..l }
            }
            None => GroupLists {
                internal: vec![Vec::new(); out.len()],
                external: vec![Vec::new(); out.len()],
                component_of,
                upto: 0,
            },
        };
        for r in &self.history[lists.upto..] {
            let gi = lists.component_of[r.initiator as usize];
            let gc = lists.component_of[r.counterparty as usize];
            if gi != usize::MAX && gi == gc {
                lists.internal[gi].push(r.p);
            } else {
                if gi != usize::MAX {
                    lists.external[gi].push(r.p);
                }
                if gc != usize::MAX {
                    lists.external[gc].push(r.p);
                }
            }
        }
        lists.upto = self.history.len();
        let (internal, external) = (&lists.internal, &lists.external);
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
        self.group_lists = Some(lists);
        out
    }
}

/// Per group of the last report, the p of its internal records (both
/// parties in it) and external ones (one party in it), in history order,
/// for the first `upto` records; valid while `component_of` (each agent's
/// group, `usize::MAX` for none) is unchanged. The history only grows
/// between reports (it is cleared with these lists).
#[derive(Debug, Clone)]
struct GroupLists {
    component_of: Vec<usize>,
    internal: Vec<Vec<f64>>,
    external: Vec<Vec<f64>>,
    upto: usize,
}

impl Pair {
    fn len(&self) -> usize {
        self.ben_a.len()
    }

    /// The pair's acceptance rate, benefit correlation and mean p, with
    /// numpy's reductions over its records in history order.
    fn read(&self) -> PairStats {
        let acceptance = self.accepted as f64 / self.len() as f64;
        let (ben_a, ben_b) = (&self.ben_a, &self.ben_b);
        let mut corr = 0.0;
        if ben_a.len() >= 2 && np::std(ben_a) > 0.0 && np::std(ben_b) > 0.0 {
            corr = np::corrcoef_01(ben_a, ben_b);
            if corr.is_nan() {
                corr = 0.0;
            }
        }
        let avg_pa = if self.p_a.is_empty() { 0.5 } else { np::mean(&self.p_a) };
        let avg_pb = if self.p_b.is_empty() { 0.5 } else { np::mean(&self.p_b) };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::PyRandom;

    /// Reports from the kept pair statistics and group lists equal reports
    /// computed afresh from the whole history, epoch after epoch, while a
    /// ring of colluders keeps its group and others come and go.
    #[test]
    fn kept_statistics_match_a_fresh_analysis() {
        let cfg = GovernanceConfig {
            collusion_detection_enabled: true,
            collusion_score_threshold: 0.3,
            ..Default::default()
        };
        let n = 40;
        let mut det = Collusion::new((0..n as u32).collect());
        let mut rng = PyRandom::new(3);
        let (mut reused, mut grouped) = (0, 0);
        for epoch in 0..30 {
            for _ in 0..60 {
                // Agents 0..6 trade among themselves, cheaply and often;
                // a few outsiders join the ring for a while now and then.
                let ring = 6 + (epoch / 7) as usize; // as the chain below
                let colluding = rng.random() < 0.6;
                let pick = |rng: &mut PyRandom, m: usize| rng.choice_index(m) as AgentIdx;
                let (x, y) = if colluding {
                    (pick(&mut rng, ring), pick(&mut rng, ring))
                } else {
                    (pick(&mut rng, n), pick(&mut rng, n))
                };
                let p = if colluding { 0.2 + 0.1 * rng.random() } else { rng.random() };
                let r = Record {
                    initiator: x,
                    counterparty: y,
                    accepted: colluding || rng.random() < 0.5,
                    p,
                    tau: 0.0,
                    c_a: 0.05 * rng.random(),
                    c_b: 0.05 * rng.random(),
                };
                det.record::<false>(&cfg, r);
            }
            let mut fresh = det.clone();
            fresh.group_lists = None;
            for pair in &mut fresh.pairs {
                pair.stats = None;
            }
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            let kept = det.analyze(&cfg, n);
            let want = fresh.analyze(&cfg, n);
            assert_eq!(bits(&kept), bits(&want), "epoch {epoch}");
            // The group step on its own, with the ring as the suspicious
            // pairs (a chain through it): group scores must match too.
            let ring = 6 + (epoch / 7) as AgentIdx;
            let chain: Vec<_> = (1..ring).map(|b| (b - 1, b)).collect();
            let before = det.group_lists.as_ref().map(|l| l.component_of.clone());
            let scores =
                |g: Vec<(Vec<AgentIdx>, f64)>| bits(&g.iter().map(|x| x.1).collect::<Vec<_>>());
            fresh.group_lists = None;
            let (kept, want) = (det.groups(&chain, n), fresh.groups(&chain, n));
            assert_eq!(scores(kept), scores(want), "epoch {epoch}: groups");
            grouped += 1;
            let after = &det.group_lists.as_ref().expect("lists kept").component_of;
            reused += usize::from(before.as_ref() == Some(after));
        }
        assert!(grouped > 10 && reused > 5, "groups formed {grouped}, lists reused {reused}");
    }
}
