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
//!
//! Adversaries remember every honest agent they ever saw qualify as a
//! target, and every adversary they ever saw (spec §11.4): sets that grow
//! on every turn by a scan of the whole list. Here an adversary keeps only
//! the times of its scans, and the index keeps, per agent, the spans of
//! time it was a qualifying target (or a live adversary). "Saw x" is then
//! "one of my scan times falls in one of x's spans" — the same sets,
//! without the scans.

use crate::types::{AgentIdx, StateType};

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
        (k < self.len()).then(|| self.descend(k, |count, _| count))
    }

    /// The k-th smallest position in `0..n` *not* in the set.
    pub fn kth_absent(&self, k: usize) -> Option<usize> {
        let n = self.tree.len() - 1;
        (k < n - self.len()).then(|| self.descend(k, |count, span| span as u32 - count))
    }

    /// The binary-lifting descent for the k-th position, counting what
    /// `count(node, span)` says a node of `span` positions holds.
    fn descend(&self, k: usize, count: impl Fn(u32, usize) -> u32) -> usize {
        let mut pos = 0usize;
        let mut rem = k as u32;
        let mut step = self.top;
        while step > 0 {
            let next = pos + step;
            if next < self.tree.len() {
                let c = count(self.tree[next], step);
                if c <= rem {
                    pos = next;
                    rem -= c;
                }
            }
            step >>= 1;
        }
        pos
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
    /// Live and an adversary's target (honest, resources > 50 or
    /// reputation > 0) or ally (adversarial): what an adversary's scan
    /// would record now.
    watched: bool,
    /// Live and honest but not a qualifying target.
    lapsed: bool,
}

/// Spans of [`Flags::watched`] over time, for adversaries' memories.
#[derive(Debug, Clone)]
struct History {
    /// Advances at every change of a `watched` flag.
    clock: u64,
    /// Per agent, `[from, to)` clock spans while watched; `to` is
    /// `u64::MAX` while it lasts.
    spans: Vec<Vec<(u64, u64)>>,
    targets: Fenwick,
    lapsed: Fenwick,
    /// Honest agents whose target or lapsed flag changed, oldest first:
    /// change number `changes_base + k` is `changes[k]`. Adversaries catch
    /// up on it (see [`LapsedSeen`]); the oldest half is dropped past
    /// `change_cap`, and an adversary that fell behind rebuilds.
    changes: Vec<AgentIdx>,
    changes_base: u64,
    change_cap: usize,
}

/// Honest and adversarial are the two types adversaries record.
fn watchable(t: StateType) -> bool {
    matches!(t, StateType::Honest | StateType::Adversarial)
}

/// The visible population of a network-free, noise-free run.
#[derive(Debug, Clone)]
pub struct VisibleIndex {
    types: Vec<StateType>,
    flags: Vec<Flags>,
    live: Fenwick,
    rich: Fenwick,
    history: Option<History>,
}

impl VisibleIndex {
    /// `with_history` when adversaries are about (see the module notes).
    pub fn new(
        types: &[StateType],
        frozen: &[bool],
        reputation: &[f64],
        resources: &[f64],
        with_history: bool,
    ) -> Self {
        let n = frozen.len();
        let mut ix = VisibleIndex {
            types: types.to_vec(),
            flags: vec![Flags::default(); n],
            live: Fenwick::new(n),
            rich: Fenwick::new(n),
            history: with_history.then(|| History {
                clock: 0,
                spans: vec![Vec::new(); n],
                targets: Fenwick::new(n),
                lapsed: Fenwick::new(n),
                changes: Vec::new(),
                changes_base: 0,
                change_cap: 1024.max(2 * n),
            }),
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
        let live = !frozen;
        let (watched, lapsed) = match self.types[i] {
            StateType::Honest => {
                let target = resources > 50.0 || reputation > 0.0;
                (live && target, live && !target)
            }
            StateType::Adversarial => (live, false),
            _ => (false, false),
        };
        let rich = live && (resources > 80.0 || reputation > 0.5);
        let new = Flags { live, rich, watched, lapsed };
        let old = self.flags[i];
        if new == old {
            return;
        }
        flip(&mut self.live, i, old.live, new.live);
        flip(&mut self.rich, i, old.rich, new.rich);
        if let Some(h) = self.history.as_mut() {
            let honest = self.types[i] == StateType::Honest;
            if honest {
                flip(&mut h.targets, i, old.watched, new.watched);
                flip(&mut h.lapsed, i, old.lapsed, new.lapsed);
                if old.watched != new.watched || old.lapsed != new.lapsed {
                    if h.changes.len() >= h.change_cap {
                        let half = h.changes.len() / 2;
                        h.changes.drain(..half);
                        h.changes_base += half as u64;
                    }
                    h.changes.push(i as AgentIdx);
                }
            }
            if old.watched != new.watched && watchable(self.types[i]) {
                h.clock += 1;
                if new.watched {
                    h.spans[i].push((h.clock, u64::MAX));
                } else if let Some(last) = h.spans[i].last_mut() {
                    last.1 = h.clock;
                }
            }
        }
        self.flags[i] = new;
    }

    /// The index as seen by agent `me`, who is never visible to itself.
    pub fn view(&self, me: AgentIdx) -> IndexView<'_> {
        IndexView { ix: self, me: me as usize }
    }
}

/// The first `x` in `0..end` for which `holds(x)`, or `end` if none, for a
/// `holds` that once true stays true (a bisection).
fn first_where(end: usize, holds: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, end);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if holds(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

fn flip(set: &mut Fenwick, i: usize, was: bool, is: bool) {
    match (was, is) {
        (false, true) => set.insert(i),
        (true, false) => set.remove(i),
        _ => {}
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

    /// The first visible agent from `from` on that is not in `skip` (a
    /// small set).
    pub fn first_not_in(
        &self,
        from: AgentIdx,
        skip: impl Fn(AgentIdx) -> bool,
    ) -> Option<AgentIdx> {
        let mut b = from as usize;
        loop {
            // Step along live agents; jump over frozen ones with the tree.
            if !self.ix.flags.get(b)?.live {
                b = self.ix.live.kth(self.ix.live.rank(b))?;
            }
            if b != self.me && !skip(b as AgentIdx) {
                return Some(b as AgentIdx);
            }
            b += 1;
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

    /// The visible agents minus `excluded` (ascending, distinct agents,
    /// possibly frozen, possibly `me`): their number, and through
    /// [`IndexView::nth_without`] the k-th of them, both without walking
    /// `excluded` — only the frozen agents, when they are fewer.
    pub fn without<'e>(&self, excluded: &'e [AgentIdx]) -> Without<'e> {
        let live = &self.ix.live;
        let n = self.ix.flags.len();
        let is_excluded = |b: usize| excluded.binary_search(&(b as AgentIdx)).is_ok();
        // The excluded agents that are frozen, ascending.
        let frozen: Vec<AgentIdx> = if n - live.len() < excluded.len() {
            (0..n - live.len())
                .filter_map(|j| live.kth_absent(j))
                .filter(|&b| is_excluded(b))
                .map(|b| b as AgentIdx)
                .collect()
        } else {
            excluded.iter().copied().filter(|&b| !self.ix.flags[b as usize].live).collect()
        };
        let me_extra = self.me_live() && !is_excluded(self.me);
        let gone = excluded.len() - frozen.len() + usize::from(me_extra);
        Without { len: live.len() - gone, excluded, frozen, me_extra }
    }

    /// The k-th agent of [`IndexView::without`]'s list: a binary search for
    /// the first position with k + 1 of them at or below it.
    pub fn nth_without(&self, w: &Without, k: usize) -> Option<AgentIdx> {
        if k >= w.len {
            return None;
        }
        let below = |list: &[AgentIdx], x: usize| list.partition_point(|&b| (b as usize) <= x);
        let kept_up_to = |x: usize| {
            self.ix.live.rank(x + 1)
                - (below(w.excluded, x) - below(&w.frozen, x))
                - usize::from(w.me_extra && self.me <= x)
        };
        Some(first_where(self.ix.flags.len() - 1, |x| kept_up_to(x) > k) as AgentIdx)
    }
}

/// An adversary's memory of what its scans saw (see the module notes).
impl IndexView<'_> {
    /// The time stamp a scan made now records, if the index keeps history.
    pub fn scan_time(&self) -> Option<u64> {
        self.ix.history.as_ref().map(|h| h.clock)
    }

    /// Did a scan at one of `scans` (ascending) record `b`, as a target if
    /// `b` is honest, as an ally if adversarial? Never the observer itself.
    pub fn seen(&self, b: AgentIdx, scans: &[u64]) -> bool {
        let Some(h) = self.ix.history.as_ref() else { return false };
        let b = b as usize;
        if b == self.me || b >= h.spans.len() {
            return false;
        }
        h.spans[b].iter().any(|&(from, to)| {
            let i = scans.partition_point(|&s| s < from);
            i < scans.len() && scans[i] < to
        })
    }

    pub fn is_honest(&self, b: AgentIdx) -> bool {
        self.ix.types.get(b as usize) == Some(&StateType::Honest)
    }

    /// The visible agents an adversary has recorded as targets, right after
    /// a scan: every qualifying target now, plus the live honest agents
    /// that qualified at an earlier scan but not now (`lapsed`, brought up
    /// to date here). Their number.
    pub fn recorded_targets(&self, scans: &[u64], lapsed: &mut LapsedSeen) -> usize {
        let Some(h) = self.ix.history.as_ref() else {
            return 0;
        };
        let end = h.changes_base + h.changes.len() as u64;
        // Whether b, lapsed now, was seen by a scan: it cannot change
        // while b stays lapsed (b is no target at later scans), so only
        // agents in the change log need a second look.
        let keep = |b: usize| self.ix.flags[b].lapsed && self.seen(b as AgentIdx, scans);
        match lapsed.synced_to {
            Some(at) if at >= h.changes_base => {
                for &b in &h.changes[(at - h.changes_base) as usize..] {
                    let want = keep(b as usize);
                    match (lapsed.agents.binary_search(&b), want) {
                        (Ok(i), false) => {
                            lapsed.agents.remove(i);
                        }
                        (Err(i), true) => lapsed.agents.insert(i, b),
                        _ => {}
                    }
                }
            }
            // First use, or the changes it missed were dropped: read every
            // lapsed agent once.
            _ => {
                lapsed.agents = (0..h.lapsed.len())
                    .filter_map(|k| h.lapsed.kth(k))
                    .filter(|&b| keep(b))
                    .map(|b| b as AgentIdx)
                    .collect();
            }
        }
        lapsed.synced_to = Some(end);
        h.targets.len() + lapsed.agents.len()
    }

    /// The k-th recorded target in visible order: the qualifying targets
    /// and the adversary's lapsed ones are disjoint and both ordered, so
    /// count how many lapsed ones come before the answer by bisection.
    pub fn nth_recorded(&self, lapsed: &LapsedSeen, k: usize) -> Option<AgentIdx> {
        let h = self.ix.history.as_ref()?;
        let l = &lapsed.agents;
        // Position of l[j] among all recorded targets.
        let pos = |j: usize| h.targets.rank(l[j] as usize) + j;
        let before = first_where(l.len(), |j| pos(j) >= k);
        if before < l.len() && pos(before) == k {
            return Some(l[before]);
        }
        h.targets.kth(k - before).map(|b| b as AgentIdx)
    }
}

/// An adversary's recorded targets that no longer qualify (see
/// [`IndexView::recorded_targets`]): kept sorted, and in step with the
/// index's change log up to change `synced_to`.
#[derive(Debug, Clone, Default)]
pub struct LapsedSeen {
    agents: Vec<AgentIdx>,
    synced_to: Option<u64>,
}

/// A visible list minus some agents (see [`IndexView::without`]).
pub struct Without<'e> {
    pub len: usize,
    excluded: &'e [AgentIdx],
    /// The members of `excluded` that are frozen (not visible anyway).
    frozen: Vec<AgentIdx>,
    /// `me` is visible to the index but not in `excluded`.
    me_extra: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator: `rand(m)` is in `0..m`.
    fn lcg(mut x: u64) -> impl FnMut(u64) -> u64 {
        move |m| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (x >> 33) % m
        }
    }

    #[test]
    fn fenwick_matches_a_sorted_set() {
        let n = 37;
        let mut f = Fenwick::new(n);
        let mut set = std::collections::BTreeSet::new();
        let mut rand = lcg(12345);
        for _ in 0..500 {
            let i = rand(n as u64) as usize;
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

    /// The adversary memory against the sets a scan would build, over
    /// random freezes, thaws and resource/reputation moves; with a change
    /// log long enough to catch up on, and one so short that adversaries
    /// often fall behind and rebuild.
    #[test]
    fn adversary_memory_matches_scanned_sets() {
        for cap in [None, Some(4)] {
            adversary_memory_with_change_cap(cap);
        }
    }

    fn adversary_memory_with_change_cap(cap: Option<usize>) {
        use std::collections::BTreeSet;
        let n = 30;
        let mut rand = lcg(99);
        let types: Vec<StateType> = (0..n)
            .map(|_| match rand(3) {
                0 => StateType::Honest,
                1 => StateType::Adversarial,
                _ => StateType::Opportunistic,
            })
            .collect();
        let mut frozen = vec![false; n];
        let mut rep = vec![0.0; n];
        let mut res = vec![100.0; n];
        let mut ix = VisibleIndex::new(&types, &frozen, &rep, &res, true);
        if let (Some(cap), Some(h)) = (cap, ix.history.as_mut()) {
            h.change_cap = cap;
        }
        let mut lapsed: Vec<LapsedSeen> = vec![LapsedSeen::default(); n];
        let mut rebuilt = 0;
        let advs: Vec<usize> = (0..n).filter(|&i| types[i] == StateType::Adversarial).collect();
        let mut scans: Vec<Vec<u64>> = vec![Vec::new(); n];
        let mut targets: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
        let mut allies: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
        for _ in 0..3000 {
            if rand(3) > 0 {
                let i = rand(n as u64) as usize;
                frozen[i] = rand(4) == 0;
                rep[i] = [-0.5, 0.0, 0.2][rand(3) as usize];
                res[i] = [20.0, 50.0, 60.0, 100.0][rand(4) as usize];
                ix.refresh(i, frozen[i], rep[i], res[i]);
                continue;
            }
            let a = advs[rand(advs.len() as u64) as usize];
            for b in (0..n).filter(|&b| b != a && !frozen[b]) {
                if types[b] == StateType::Honest && (res[b] > 50.0 || rep[b] > 0.0) {
                    targets[a].insert(b);
                }
                if types[b] == StateType::Adversarial {
                    allies[a].insert(b);
                }
            }
            let v = ix.view(a as AgentIdx);
            let t = v.scan_time().expect("history");
            if scans[a].last() != Some(&t) {
                scans[a].push(t);
            }
            for b in 0..n {
                let seen = v.seen(b as AgentIdx, &scans[a]);
                assert_eq!(seen, targets[a].contains(&b) || allies[a].contains(&b), "{a} {b}");
            }
            let want: Vec<usize> =
                targets[a].iter().copied().filter(|&b| b != a && !frozen[b]).collect();
            let h = ix.history.as_ref().expect("history");
            let behind = lapsed[a].synced_to.is_some_and(|at| at < h.changes_base);
            rebuilt += usize::from(behind);
            let len = v.recorded_targets(&scans[a], &mut lapsed[a]);
            assert_eq!(len, want.len());
            for (k, &b) in want.iter().enumerate() {
                assert_eq!(v.nth_recorded(&lapsed[a], k), Some(b as AgentIdx));
            }
            assert_eq!(v.nth_recorded(&lapsed[a], want.len()), None);
        }
        assert_eq!(rebuilt > 0, cap.is_some(), "rebuilds: {rebuilt}");
    }

    /// `without`/`nth_without` against a brute-force list, over random
    /// frozen sets and exclusion lists (with and without `me`, frozen
    /// members, and more or fewer excluded than frozen agents).
    #[test]
    fn without_matches_brute_force() {
        let n = 40;
        let mut rand = lcg(7);
        let types = vec![StateType::Opportunistic; n];
        let (rep, res) = (vec![0.0; n], vec![100.0; n]);
        let mut frozen = vec![false; n];
        let mut ix = VisibleIndex::new(&types, &frozen, &rep, &res, false);
        for round in 0..400 {
            let i = rand(n as u64) as usize;
            frozen[i] = rand(3) == 0;
            ix.refresh(i, frozen[i], 0.0, 100.0);
            let me = rand(n as u64) as usize;
            let density = if round % 2 == 0 { 2 } else { 6 };
            let excluded: Vec<AgentIdx> =
                (0..n as AgentIdx).filter(|_| rand(density) == 0).collect();
            let want: Vec<AgentIdx> = (0..n as AgentIdx)
                .filter(|&b| b as usize != me && !frozen[b as usize] && !excluded.contains(&b))
                .collect();
            let v = ix.view(me as AgentIdx);
            let w = v.without(&excluded);
            assert_eq!(w.len, want.len(), "round {round}");
            for (k, &b) in want.iter().enumerate() {
                assert_eq!(v.nth_without(&w, k), Some(b), "round {round} k {k}");
            }
            assert_eq!(v.nth_without(&w, want.len()), None);
            let absent: Vec<usize> = (0..n).filter(|&b| frozen[b]).collect();
            for (k, &b) in absent.iter().enumerate() {
                assert_eq!(ix.live.kth_absent(k), Some(b));
            }
            assert_eq!(ix.live.kth_absent(absent.len()), None);
        }
    }
}
