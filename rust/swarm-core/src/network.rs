//! The interaction network (spec §12): a symmetric weighted graph over the
//! registered agents. Built once at run start from numpy's PCG64 stream G.

use crate::config::{NetworkConfig, Topology};
use crate::observables::py_min;
use crate::rng::NumpyPcg64;
use crate::types::AgentIdx;

#[derive(Debug, Clone)]
pub struct Network {
    cfg: NetworkConfig,
    /// Neighbours per agent, in registration order (as the observation
    /// lists them).
    adj: Vec<Neighbours>,
    /// The next insertion stamp, when the reference's per-agent insertion
    /// order of neighbours is kept (see [`Network::neighbours_in_insertion_order`]);
    /// None otherwise (no stamps are stored).
    stamp: Option<u64>,
}

/// One agent's neighbours: ids ascending, with the edge weights beside
/// them. Sorted vectors rather than a tree map: observations walk these
/// lists on every turn, and a slice walks several times faster; edges
/// change only when a dynamic network creates or prunes one.
#[derive(Debug, Clone, Default)]
struct Neighbours {
    ids: Vec<AgentIdx>,
    weights: Vec<f64>,
    /// Insertion stamps beside the ids, when the network keeps them.
    stamps: Vec<u64>,
}

impl Neighbours {
    fn get(&self, b: AgentIdx) -> Option<f64> {
        self.ids.binary_search(&b).ok().map(|i| self.weights[i])
    }

    /// Set b's weight; a new neighbour takes `stamp` (if stamps are kept),
    /// an existing one keeps its place, as in a Python dict.
    fn insert(&mut self, b: AgentIdx, w: f64, stamp: Option<u64>) {
        // Builds add ids mostly in ascending order: check the end first.
        if self.ids.last().is_none_or(|&last| last < b) {
            self.ids.push(b);
            self.weights.push(w);
            self.stamps.extend(stamp);
            return;
        }
        match self.ids.binary_search(&b) {
            Ok(i) => self.weights[i] = w,
            Err(i) => {
                self.ids.insert(i, b);
                self.weights.insert(i, w);
                if let Some(s) = stamp {
                    self.stamps.insert(i, s);
                }
            }
        }
    }

    fn remove(&mut self, b: AgentIdx) {
        if let Ok(i) = self.ids.binary_search(&b) {
            self.ids.remove(i);
            self.weights.remove(i);
            if !self.stamps.is_empty() {
                self.stamps.remove(i);
            }
        }
    }
}

impl Network {
    pub fn build(cfg: &NetworkConfig, n: usize, seed: u64) -> Self {
        Self::build_keeping_order(cfg, n, seed, false)
    }

    /// [`Network::build`]; `keep_order`: keep each agent's neighbours'
    /// insertion order too (a `random_fragment` partition draws in it).
    pub fn build_keeping_order(cfg: &NetworkConfig, n: usize, seed: u64, keep_order: bool) -> Self {
        let mut net = Network {
            cfg: cfg.clone(),
            adj: vec![Neighbours::default(); n],
            stamp: keep_order.then_some(0),
        };
        if n < 2 {
            return net;
        }
        match cfg.topology {
            Topology::Complete => {
                for a in 0..n {
                    for b in 0..n {
                        if a != b {
                            let s = net.next_stamp();
                            net.adj[a].insert(b as AgentIdx, 1.0, s);
                        }
                    }
                }
            }
            Topology::Ring => {
                for a in 0..n {
                    let s = net.next_stamp();
                    net.adj[a].insert(((a + 1) % n) as AgentIdx, 1.0, s);
                    let s = net.next_stamp();
                    net.adj[a].insert(((a + n - 1) % n) as AgentIdx, 1.0, s);
                }
            }
            Topology::Star => {
                for s in 1..n {
                    net.link(0, s as AgentIdx, 1.0);
                }
            }
            Topology::RandomErdosRenyi => {
                let mut g = NumpyPcg64::new(seed);
                for a in 0..n {
                    for b in (a + 1)..n {
                        if g.random() < cfg.edge_probability {
                            net.link(a as AgentIdx, b as AgentIdx, 1.0);
                        }
                    }
                }
            }
            Topology::SmallWorld => net.build_small_world(n, seed),
            Topology::ScaleFree => net.build_scale_free(n, seed),
        }
        net
    }

    /// Watts–Strogatz as the reference does it (spec §12.2): ring lattice,
    /// then rewire each lattice edge with probability p to a uniformly
    /// chosen non-neighbour.
    fn build_small_world(&mut self, n: usize, seed: u64) {
        let mut g = NumpyPcg64::new(seed);
        let k = (self.cfg.k as usize).min(n - 1);
        let half = k / 2;
        for a in 0..n {
            for j in 1..=half {
                self.link(a as AgentIdx, ((a + j) % n) as AgentIdx, 1.0);
            }
        }
        for a in 0..n {
            for j in 1..=half {
                if g.random() < self.cfg.p {
                    let old = ((a + j) % n) as AgentIdx;
                    self.unlink(a as AgentIdx, old);
                    // The candidates are every id but a and its neighbours,
                    // in id order; the draw needs only how many there are,
                    // and the pick is found among the few ids left out
                    // (O(degree), not a list of N ids per rewiring).
                    let me = a as AgentIdx;
                    let left_out = left_out(self.adj[a].ids.iter().copied(), me);
                    let count = n - left_out.len();
                    if count > 0 {
                        let r = g.integers(count as u64) as usize;
                        self.link(me, nth_not_in(r, &left_out), 1.0);
                    }
                }
            }
        }
    }

    /// Barabási–Albert as the reference builds it (spec §12.2; swarm/env/network.py,
    /// `_build_scale_free`): with n <= m the complete graph; otherwise a
    /// complete core of the first m+1 agents, then each later agent links to
    /// m distinct earlier agents drawn with probability degree / total
    /// degree by numpy's `Generator.choice(replace=False, p=...)`.
    fn build_scale_free(&mut self, n: usize, seed: u64) {
        let m = self.cfg.m as usize;
        if n <= m {
            for a in 0..n {
                for b in 0..n {
                    if a != b {
                        let s = self.next_stamp();
                        self.adj[a].insert(b as AgentIdx, 1.0, s);
                    }
                }
            }
            return;
        }
        for a in 0..=m {
            for b in (a + 1)..=m {
                self.link(a as AgentIdx, b as AgentIdx, 1.0);
            }
        }
        let mut g = NumpyPcg64::new(seed);
        for new in (m + 1)..n {
            // Every earlier agent has degree >= m >= 1 here, so the
            // reference's uniform fallback (total degree 0) never runs.
            let total: usize = self.adj[..new].iter().map(|a| a.ids.len()).sum();
            let p: Vec<f64> =
                self.adj[..new].iter().map(|a| a.ids.len() as f64 / total as f64).collect();
            for t in choice_without_replacement(&mut g, &p, m) {
                self.link(new as AgentIdx, t as AgentIdx, 1.0);
            }
        }
    }

    fn next_stamp(&mut self) -> Option<u64> {
        let s = self.stamp?;
        self.stamp = Some(s + 1);
        Some(s)
    }

    fn link(&mut self, a: AgentIdx, b: AgentIdx, w: f64) {
        let s = self.next_stamp();
        self.adj[a as usize].insert(b, w, s);
        let s = self.next_stamp();
        self.adj[b as usize].insert(a, w, s);
    }

    /// Agent `a`'s neighbours with their weights in the order the
    /// reference's adjacency dict holds them (insertion order); ascending
    /// ids when the network does not keep that order.
    pub fn neighbours_in_insertion_order(&self, a: AgentIdx) -> Vec<(AgentIdx, f64)> {
        let n = &self.adj[a as usize];
        let mut out: Vec<(AgentIdx, f64)> = self.neighbours(a).collect();
        if n.stamps.len() == n.ids.len() && !n.stamps.is_empty() {
            let mut order: Vec<usize> = (0..n.ids.len()).collect();
            order.sort_by_key(|&i| n.stamps[i]);
            out = order.into_iter().map(|i| (n.ids[i], n.weights[i])).collect();
        }
        out
    }

    fn unlink(&mut self, a: AgentIdx, b: AgentIdx) {
        self.adj[a as usize].remove(b);
        self.adj[b as usize].remove(a);
    }

    /// The reference's `add_edge`: set both directions, capped at the
    /// maximum weight (perturbations heal a partition with it).
    pub fn add_edge(&mut self, a: AgentIdx, b: AgentIdx, w: f64) {
        self.link(a, b, py_min(w, self.cfg.max_edge_weight));
    }

    pub fn remove_edge(&mut self, a: AgentIdx, b: AgentIdx) {
        self.unlink(a, b);
    }

    pub fn n_agents(&self) -> usize {
        self.adj.len()
    }

    pub fn has_edge(&self, a: AgentIdx, b: AgentIdx) -> bool {
        self.adj[a as usize].get(b).is_some()
    }

    pub fn edge_weight(&self, a: AgentIdx, b: AgentIdx) -> f64 {
        self.adj[a as usize].get(b).unwrap_or(0.0)
    }

    /// Neighbour ids in registration order.
    pub fn adjacent(&self, a: AgentIdx) -> std::slice::Iter<'_, AgentIdx> {
        self.adj[a as usize].ids.iter()
    }

    /// Neighbours with their edge weights, in registration order.
    pub fn neighbours(&self, a: AgentIdx) -> impl Iterator<Item = (AgentIdx, f64)> + '_ {
        let n = &self.adj[a as usize];
        n.ids.iter().copied().zip(n.weights.iter().copied())
    }

    /// After an accepted interaction (dynamic networks only): strengthen or
    /// create the edge.
    pub fn strengthen(&mut self, a: AgentIdx, b: AgentIdx) {
        if !self.cfg.dynamic {
            return;
        }
        let current = self.edge_weight(a, b);
        let w = py_min(current + self.cfg.edge_strengthen_rate, self.cfg.max_edge_weight);
        self.link(a, b, py_min(w, self.cfg.max_edge_weight));
    }

    /// Epoch-end decay; returns the number of undirected edges pruned.
    pub fn decay(&mut self) -> usize {
        if !self.cfg.dynamic {
            return 0;
        }
        let factor = 1.0 - self.cfg.edge_decay_rate;
        let min = self.cfg.min_edge_weight;
        // Weights are symmetric (every write sets both directions), so each
        // side prunes the same edges on its own: one pass per list instead
        // of a removal from the middle of two lists per pruned edge.
        let mut pruned = 0;
        for (a, nbrs) in self.adj.iter_mut().enumerate() {
            let mut kept = 0;
            for i in 0..nbrs.ids.len() {
                let (b, w) = (nbrs.ids[i], nbrs.weights[i] * factor);
                if w < min {
                    pruned += usize::from((a as AgentIdx) < b);
                } else {
                    nbrs.ids[kept] = b;
                    nbrs.weights[kept] = w;
                    if !nbrs.stamps.is_empty() {
                        nbrs.stamps[kept] = nbrs.stamps[i];
                    }
                    kept += 1;
                }
            }
            nbrs.ids.truncate(kept);
            nbrs.weights.truncate(kept);
            nbrs.stamps.truncate(kept);
        }
        pruned
    }
}

/// `me` and its neighbours (ascending, unique), ascending: the ids a
/// rewiring of `me` cannot pick.
fn left_out(neighbours: impl Iterator<Item = AgentIdx>, me: AgentIdx) -> Vec<AgentIdx> {
    let mut out: Vec<AgentIdx> = neighbours.filter(|&b| b != me).collect();
    let at = out.partition_point(|&b| b < me);
    out.insert(at, me);
    out
}

/// The `r`-th id (from 0) in id order that is not in `left_out`
/// (ascending, unique): each left-out id at or before the answer moves it
/// one on.
fn nth_not_in(r: usize, left_out: &[AgentIdx]) -> AgentIdx {
    let mut ans = r as AgentIdx;
    for &b in left_out {
        if b <= ans {
            ans += 1;
        } else {
            break;
        }
    }
    ans
}

/// numpy's `Generator.choice(len(p), size, replace=False, p=p)` (numpy 2.x):
/// draw `size - found` uniforms at once, zero the found entries' weights,
/// map each uniform through the renormalised cumulative sum (first cdf
/// value above it), keep the new indices in first-seen order, repeat until
/// `size` are found. Needs more than `size` positive weights (always true
/// for the scale-free build).
fn choice_without_replacement(g: &mut NumpyPcg64, p: &[f64], size: usize) -> Vec<usize> {
    let mut p = p.to_vec();
    let mut found: Vec<usize> = Vec::with_capacity(size);
    let mut cdf = vec![0.0; p.len()];
    while found.len() < size {
        let xs: Vec<f64> = (0..size - found.len()).map(|_| g.random()).collect();
        for &f in &found {
            p[f] = 0.0;
        }
        // Sequential sums, as np.cumsum does, then divided by the last.
        let mut acc = 0.0;
        for (c, &w) in cdf.iter_mut().zip(&p) {
            acc += w;
            *c = acc;
        }
        let last = acc;
        for c in cdf.iter_mut() {
            *c /= last;
        }
        let before = found.len();
        for x in xs {
            let i = cdf.partition_point(|&c| c <= x);
            if !found[before..].contains(&i) {
                found.push(i);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pick without the candidate list is the pick from the list, for
    /// every rank, with `me` and neighbours anywhere (ends included).
    #[test]
    fn nth_not_in_matches_the_list() {
        let n: AgentIdx = 12;
        for me in 0..n {
            for mask in 0u32..(1 << n) {
                if mask.count_ones() > 4 {
                    continue;
                }
                let nbrs: Vec<AgentIdx> = (0..n).filter(|b| mask >> b & 1 == 1).collect();
                let list: Vec<AgentIdx> =
                    (0..n).filter(|&c| c != me && !nbrs.contains(&c)).collect();
                for (r, &want) in list.iter().enumerate() {
                    let out = left_out(nbrs.iter().copied(), me);
                    assert_eq!(n as usize - out.len(), list.len(), "{me} {nbrs:?}");
                    assert_eq!(nth_not_in(r, &out), want, "{me} {nbrs:?} {r}");
                }
            }
        }
    }

    /// The spec's form of the rewiring (§12.2: build the candidate list,
    /// pick from it) gives the same graph, dense rewiring and k >= n included.
    #[test]
    fn small_world_matches_the_candidate_list() {
        use crate::config::Topology;
        for (n, k, p, seed) in [(40, 4, 0.3, 1), (300, 6, 0.9, 7), (9, 20, 1.0, 3), (2, 4, 1.0, 5)]
        {
            let cfg = NetworkConfig { topology: Topology::SmallWorld, k, p, ..Default::default() };
            let net = Network::build(&cfg, n, seed);
            let mut want =
                Network { cfg: cfg.clone(), adj: vec![Neighbours::default(); n], stamp: None };
            let mut g = NumpyPcg64::new(seed);
            let half = (k as usize).min(n - 1) / 2;
            for a in 0..n {
                for j in 1..=half {
                    want.link(a as AgentIdx, ((a + j) % n) as AgentIdx, 1.0);
                }
            }
            for a in 0..n {
                for j in 1..=half {
                    if g.random() < p {
                        want.unlink(a as AgentIdx, ((a + j) % n) as AgentIdx);
                        let list: Vec<AgentIdx> = (0..n as AgentIdx)
                            .filter(|&c| c as usize != a && want.adj[a].get(c).is_none())
                            .collect();
                        if !list.is_empty() {
                            let pick = list[g.integers(list.len() as u64) as usize];
                            want.link(a as AgentIdx, pick, 1.0);
                        }
                    }
                }
            }
            assert_eq!(format!("{:?}", net.adj), format!("{:?}", want.adj), "n={n} k={k} p={p}");
        }
    }

    /// The Barabási–Albert shape: a complete core of m+1 agents, then each
    /// newcomer with exactly m distinct earlier neighbours; with n <= m the
    /// complete graph.
    #[test]
    fn scale_free_has_the_reference_shape() {
        use crate::config::Topology;
        for (n, m, seed) in [(12, 2, 42), (50, 1, 3), (200, 5, 9), (3, 3, 1), (4, 3, 2)] {
            let cfg = NetworkConfig { topology: Topology::ScaleFree, m, ..Default::default() };
            let net = Network::build(&cfg, n, seed);
            let m = m as usize;
            if n <= m {
                assert!((0..n).all(|a| net.adj[a].ids.len() == n - 1));
                continue;
            }
            for a in 0..n {
                let earlier = net.adj[a].ids.iter().filter(|&&b| (b as usize) < a).count();
                assert_eq!(earlier, if a <= m { a } else { m }, "n={n} m={m} agent {a}");
                for &b in &net.adj[a].ids {
                    assert!(net.adj[b as usize].get(a as AgentIdx).is_some());
                }
            }
        }
    }

    /// Picks are distinct, never a zero-weight entry, and come in draw order.
    #[test]
    fn choice_without_replacement_skips_found_and_empty_entries() {
        let p = [0.0, 0.5, 0.0, 0.25, 0.25];
        for seed in 0..200 {
            let got = choice_without_replacement(&mut NumpyPcg64::new(seed), &p, 3);
            let mut sorted = got.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, vec![1, 3, 4]);
            let first = NumpyPcg64::new(seed).random();
            let want = [(0.5, 1), (0.75, 3), (1.0, 4)].iter().find(|&&(c, _)| first < c);
            assert_eq!(got[0], want.unwrap().1);
        }
    }
}
