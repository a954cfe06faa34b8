//! A policy's own per-agent keys kept best first (issue 4).
//!
//! Several policies pick "the first visible agent with the highest key",
//! where the key comes from their own records (trust, ledgers) and every
//! agent without a record shares one key. Scanning their records costs
//! O(records) per turn, which grows with the run. [`Ranked`] keeps the
//! records ordered by (key descending, agent ascending) — the scan's order
//! of preference, ties to the earlier agent — and where the first agent
//! without a record can be (the prefix of known agents is skipped).

use std::cmp::Reverse;
use std::collections::BTreeSet;

use super::agent_map::AgentMap;
use crate::types::AgentIdx;

/// An f64 key as a u64 with the same order. Keys here are finite; -0.0 is
/// folded into 0.0 so that the two compare equal, as floats do.
pub(crate) fn ordered(x: f64) -> u64 {
    let b = if x == 0.0 { 0.0f64.to_bits() } else { x.to_bits() };
    if b >> 63 == 0 {
        b | (1 << 63)
    } else {
        !b
    }
}

/// The f64 back from [`ordered`].
pub(crate) fn unordered(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

#[derive(Debug, Clone)]
pub(crate) struct Ranked<K: Ord + Copy> {
    me: AgentIdx,
    keys: AgentMap<K>,
    order: BTreeSet<(Reverse<K>, AgentIdx)>,
    /// Every agent below this one has a record or is `me`. Records are
    /// only removed all at once (`clear`), so otherwise it only moves up.
    strangers_from: AgentIdx,
}

impl<K: Ord + Copy> Ranked<K> {
    pub(crate) fn new(me: AgentIdx, population: usize) -> Self {
        let mut r = Ranked {
            me,
            keys: AgentMap::new(population),
            order: BTreeSet::new(),
            strangers_from: 0,
        };
        r.advance();
        r
    }

    /// Record (or re-key) `who`.
    pub(crate) fn set(&mut self, who: AgentIdx, key: K) {
        match self.keys.insert(who, key) {
            Some(old) if old == key => return,
            Some(old) => {
                self.order.remove(&(Reverse(old), who));
            }
            None => {}
        }
        self.order.insert((Reverse(key), who));
        self.advance();
    }

    fn advance(&mut self) {
        while self.strangers_from == self.me || self.keys.contains_key(self.strangers_from) {
            self.strangers_from += 1;
        }
    }

    /// Forget every record (a rain-like agent's epoch end).
    pub(crate) fn clear(&mut self) {
        let known: Vec<AgentIdx> = self.keys.keys().collect();
        for who in known {
            self.keys.remove(who);
        }
        self.order.clear();
        self.strangers_from = 0;
        self.advance();
    }

    pub(crate) fn get(&self, who: AgentIdx) -> Option<K> {
        self.keys.get(who).copied()
    }

    pub(crate) fn knows(&self, who: AgentIdx) -> bool {
        self.keys.contains_key(who)
    }

    pub(crate) fn strangers_from(&self) -> AgentIdx {
        self.strangers_from
    }

    /// Recorded agents, best first.
    pub(crate) fn best(&self) -> impl Iterator<Item = (AgentIdx, K)> + '_ {
        self.order.iter().map(|&(Reverse(k), b)| (b, k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_bits_keep_float_order() {
        let xs = [-3.5, -1.0, -1e-300, -0.0, 0.0, 1e-300, 0.5, 1.0, 7.25];
        for (i, &a) in xs.iter().enumerate() {
            for &b in &xs[i..] {
                assert_eq!(a < b, ordered(a) < ordered(b), "{a} {b}");
                assert_eq!(a == b, ordered(a) == ordered(b), "{a} {b}");
                assert_eq!(unordered(ordered(a)), a, "{a}");
            }
        }
    }

    #[test]
    fn best_first_and_stranger_cursor() {
        let mut r: Ranked<u64> = Ranked::new(1, 10);
        assert_eq!(r.strangers_from(), 0);
        r.set(0, ordered(0.5));
        assert_eq!(r.strangers_from(), 2, "0 known, 1 is me");
        r.set(3, ordered(0.9));
        r.set(2, ordered(0.9));
        r.set(0, ordered(0.95));
        let order: Vec<AgentIdx> = r.best().map(|(b, _)| b).collect();
        assert_eq!(order, vec![0, 2, 3]);
        assert_eq!(r.strangers_from(), 4);
    }
}
