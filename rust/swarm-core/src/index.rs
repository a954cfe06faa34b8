//! Ordered indexes of the visible population (issue 4).
//!
//! A policy's target choice reads the visible list (spec §3.4): every
//! non-frozen agent but itself, in registration order. Scanning that list
//! makes one step O(N²) in agents. Without a network and without
//! observation noise the list is the same for everyone except "self", so
//! the engine keeps it as Fenwick trees over registration order and the
//! policies ask for exactly what they read — a count, the k-th qualifying
//! agent, the first agent outside a small set — in O(log N). The answers,
//! and so the draws, are the ones the scan would give.

use crate::types::AgentIdx;

/// Counts over `0..n` with point updates, prefix counts and k-th element.
#[derive(Debug, Clone)]
pub struct Fenwick {
    tree: Vec<u32>,
    total: u32,
    /// Highest power of two ≤ n, for the k-th descent.
    top: usize,
}

impl Fenwick {
    pub fn new(n: usize) -> Self {
        let top = if n == 0 { 0 } else { 1 << (usize::BITS - 1 - n.leading_zeros()) };
        Fenwick { tree: vec![0; n + 1], total: 0, top }
    }

    /// Build with every element in `0..n` present, in O(n).
    pub fn full(n: usize) -> Self {
        let mut f = Fenwick::new(n);
        for i in 1..=n {
            f.tree[i] += 1;
            let parent = i + (i & i.wrapping_neg());
            if parent <= n {
                f.tree[parent] += f.tree[i];
            }
        }
        f.total = n as u32;
        f
    }

    fn add(&mut self, i: usize, delta: i32) {
        let mut j = i + 1;
        while j < self.tree.len() {
            self.tree[j] = self.tree[j].wrapping_add_signed(delta);
            j += j & j.wrapping_neg();
        }
        self.total = self.total.wrapping_add_signed(delta);
    }

    pub fn insert(&mut self, i: usize) {
        self.add(i, 1);
    }

    pub fn remove(&mut self, i: usize) {
        self.add(i, -1);
    }

    pub fn len(&self) -> usize {
        self.total as usize
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Number of elements `< i`.
    pub fn rank(&self, i: usize) -> usize {
        let mut j = i.min(self.tree.len() - 1);
        let mut s = 0u32;
        while j > 0 {
            s += self.tree[j];
            j &= j - 1;
        }
        s as usize
    }

    /// The k-th smallest element (0-based), if there are more than k.
    pub fn kth(&self, k: usize) -> Option<usize> {
        if k >= self.len() {
            return None;
        }
        let mut pos = 0usize;
        let mut rem = k as u32;
        let mut step = self.top;
        while step > 0 {
            let next = pos + step;
            if next < self.tree.len() && self.tree[next] <= rem {
                pos = next;
                rem -= self.tree[next];
            }
            step >>= 1;
        }
        Some(pos)
    }

    /// The k-th smallest element of the set minus `excluded`, which must be
    /// ascending and a subset of the set.
    pub fn kth_excluding(&self, k: usize, excluded: &[usize]) -> Option<usize> {
        let mut t = k;
        for &x in excluded {
            if self.rank(x) <= t {
                t += 1;
            } else {
                break;
            }
        }
        self.kth(t)
    }
}

/// The agent properties the indexed queries filter on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Flags {
    live: bool,
    /// The opportunistic target filter: resources > 80 or reputation > 0.5
    /// (spec §11.2), on a live agent.
    rich: bool,
}

/// The visible population of a network-free, noise-free run.
#[derive(Debug, Clone)]
pub struct VisibleIndex {
    flags: Vec<Flags>,
    live: Fenwick,
    rich: Fenwick,
}

impl VisibleIndex {
    pub fn new(frozen: &[bool], reputation: &[f64], resources: &[f64]) -> Self {
        let n = frozen.len();
        let mut ix = VisibleIndex {
            flags: vec![Flags::default(); n],
            live: Fenwick::new(n),
            rich: Fenwick::new(n),
        };
        if frozen.iter().all(|f| !f) {
            ix.live = Fenwick::full(n);
            ix.flags.iter_mut().for_each(|f| f.live = true);
        }
        for i in 0..n {
            ix.refresh(i, frozen[i], reputation[i], resources[i]);
        }
        ix
    }

    /// Re-read agent `i` after its frozen flag, reputation or resources
    /// changed. The engine calls this at every such write.
    #[inline]
    pub fn refresh(&mut self, i: usize, frozen: bool, reputation: f64, resources: f64) {
        let new = Flags { live: !frozen, rich: !frozen && (resources > 80.0 || reputation > 0.5) };
        let old = self.flags[i];
        if new == old {
            return;
        }
        match (old.live, new.live) {
            (false, true) => self.live.insert(i),
            (true, false) => self.live.remove(i),
            _ => {}
        }
        match (old.rich, new.rich) {
            (false, true) => self.rich.insert(i),
            (true, false) => self.rich.remove(i),
            _ => {}
        }
        self.flags[i] = new;
    }

    /// The index as seen by agent `me`, who is never visible to itself.
    pub fn view(&self, me: AgentIdx) -> IndexView<'_> {
        IndexView { ix: self, me: me as usize }
    }
}

/// Visible-list queries for one observer.
#[derive(Clone, Copy)]
pub struct IndexView<'a> {
    ix: &'a VisibleIndex,
    me: usize,
}

impl IndexView<'_> {
    fn me_live(&self) -> bool {
        self.ix.flags[self.me].live
    }

    pub fn is_visible(&self, b: AgentIdx) -> bool {
        let b = b as usize;
        b != self.me && self.ix.flags.get(b).is_some_and(|f| f.live)
    }

    /// `len(visible_agents)`.
    pub fn len(&self) -> usize {
        self.ix.live.len() - usize::from(self.me_live())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first visible agent not in `skip` (a small set).
    pub fn first_not_in(&self, skip: impl Fn(AgentIdx) -> bool) -> Option<AgentIdx> {
        let mut from = 0usize;
        loop {
            let b = self.ix.live.kth(self.ix.live.rank(from))?;
            if b != self.me && !skip(b as AgentIdx) {
                return Some(b as AgentIdx);
            }
            from = b + 1;
        }
    }

    /// Number of visible agents passing the opportunistic filter, and the
    /// k-th of them in visible order.
    pub fn rich_len(&self) -> usize {
        self.ix.rich.len() - usize::from(self.ix.flags[self.me].rich)
    }

    pub fn rich_kth(&self, k: usize) -> Option<AgentIdx> {
        let skip: &[usize] = if self.ix.flags[self.me].rich { &[self.me] } else { &[] };
        self.ix.rich.kth_excluding(k, skip).map(|b| b as AgentIdx)
    }

    /// The visible agents minus `excluded` (ascending, any agents): their
    /// number and the k-th of them. Only visible members of `excluded`
    /// count, and `me` is always out.
    pub fn without(&self, excluded: &[AgentIdx]) -> Without {
        let mut out: Vec<usize> = Vec::with_capacity(excluded.len() + 1);
        let mut me_done = !self.me_live();
        for &x in excluded {
            let x = x as usize;
            if !me_done && self.me <= x {
                out.push(self.me);
                me_done = true;
                if x == self.me {
                    continue;
                }
            }
            if self.ix.flags.get(x).is_some_and(|f| f.live) {
                out.push(x);
            }
        }
        if !me_done {
            out.push(self.me);
        }
        Without { len: self.ix.live.len() - out.len(), excluded: out }
    }

    pub fn nth_without(&self, w: &Without, k: usize) -> Option<AgentIdx> {
        self.ix.live.kth_excluding(k, &w.excluded).map(|b| b as AgentIdx)
    }
}

/// A visible list minus a few agents (see [`IndexView::without`]).
pub struct Without {
    pub len: usize,
    excluded: Vec<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fenwick_matches_a_sorted_set() {
        let n = 37;
        let mut f = Fenwick::new(n);
        let mut set = std::collections::BTreeSet::new();
        let mut x = 12345u64;
        for _ in 0..500 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let i = (x >> 33) as usize % n;
            if set.contains(&i) {
                set.remove(&i);
                f.remove(i);
            } else {
                set.insert(i);
                f.insert(i);
            }
            let v: Vec<usize> = set.iter().copied().collect();
            assert_eq!(f.len(), v.len());
            for (k, &e) in v.iter().enumerate() {
                assert_eq!(f.kth(k), Some(e));
                assert_eq!(f.rank(e), k);
            }
            assert_eq!(f.kth(v.len()), None);
            let ex: Vec<usize> = v.iter().copied().step_by(3).collect();
            let rest: Vec<usize> = v.iter().copied().filter(|e| !ex.contains(e)).collect();
            for (k, &e) in rest.iter().enumerate() {
                assert_eq!(f.kth_excluding(k, &ex), Some(e));
            }
            assert_eq!(f.kth_excluding(rest.len(), &ex), None);
        }
        let full = Fenwick::full(n);
        assert!((0..n).all(|k| full.kth(k) == Some(k)));
    }
}
