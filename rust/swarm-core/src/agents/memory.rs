//! The memory every scripted agent keeps (spec §1.7): a trust map, and for
//! the two policies that read them, the interaction history and the honest
//! agent's vote records.

use std::collections::VecDeque;

#[cfg(test)]
use rustc_hash::FxHashMap as HashMap;

use super::agent_map::AgentMap;
use super::ranked::{ordered, unordered, Ranked};
use crate::types::AgentIdx;

/// `_interaction_history` length (a deque with maxlen 500 in the reference).
const HISTORY_LEN: usize = 500;
/// `_memory` length: interaction outcomes and vote records share it, so old
/// vote records are evicted in long runs and re-votes become possible (Q24).
const MEMORY_LEN: usize = 1000;

#[derive(Debug, Clone)]
struct History {
    parties: VecDeque<AgentIdx>,
    by_party: AgentMap<VecDeque<f64>>,
}

impl History {
    fn push(&mut self, other: AgentIdx, p: f64) {
        if self.parties.len() == HISTORY_LEN {
            let oldest = self.parties.pop_front().expect("full");
            // The globally oldest entry is its party's oldest.
            if let Some(ps) = self.by_party.get_mut(oldest) {
                ps.pop_front();
                if ps.is_empty() {
                    self.by_party.remove(oldest);
                }
            }
        }
        self.parties.push_back(other);
        self.by_party.get_or_insert_with(other, VecDeque::new).push_back(p);
    }
}

#[derive(Debug, Clone)]
pub struct Memory {
    /// T(x) per known party; in `ranked` instead when that is kept.
    trust: AgentMap<f64>,
    /// The trust map ordered best first, kept for the policies that pick
    /// the most trusted agent in large populations (see `ranked`).
    ranked: Option<Ranked<u64>>,
    /// The last 500 finalised interactions, kept only for the opportunistic
    /// policy, the one reader: their parties in order, and per party its p
    /// values in order — the same values the reference's filter over the
    /// whole deque visits, in the same order, so the same sums.
    history: Option<Box<History>>,
    /// Kept only for the honest policy (boxed, like `history`, so that the
    /// other policies' agents stay small in large populations).
    votes: Option<Box<Votes>>,
}

/// The shared `_memory` deque: `None` = an interaction-outcome record,
/// `Some(post)` = a vote record; and how many vote records each post has.
#[derive(Debug, Default, Clone)]
struct Votes {
    records: VecDeque<Option<u32>>,
    voted: VoteCounts,
}

/// Post → number of its vote records in memory, as an open-addressing
/// table with linear probing, at most half full (`EMPTY` marks a free
/// slot; post indices never reach it). The honest policy asks about all 20
/// visible posts whenever it votes, so this lookup is hot: a multiply, a
/// load and a compare or two, where a general-purpose map costs several
/// times that. Slots are (post, count) pairs, 8 at first.
#[derive(Debug, Default, Clone)]
struct VoteCounts {
    slots: Vec<(u32, u32)>,
    len: usize,
    /// 32 − log2(capacity): Fibonacci hashing takes the top bits.
    shift: u32,
}

const EMPTY: u32 = u32::MAX;

impl VoteCounts {
    #[inline]
    fn home(&self, key: u32) -> usize {
        (key.wrapping_mul(0x9E37_79B9) >> self.shift) as usize
    }

    /// Ok(slot of `key`) or Err(the free slot where it would go).
    #[inline]
    fn find(&self, key: u32) -> Result<usize, usize> {
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        loop {
            let k = self.slots[i].0;
            if k == key {
                return Ok(i);
            }
            if k == EMPTY {
                return Err(i);
            }
            i = (i + 1) & mask;
        }
    }

    #[inline]
    fn contains(&self, key: u32) -> bool {
        self.len > 0 && self.find(key).is_ok()
    }

    fn add(&mut self, key: u32) {
        debug_assert_ne!(key, EMPTY);
        if self.slots.is_empty() {
            self.resize(8);
        }
        match self.find(key) {
            Ok(i) => self.slots[i].1 += 1,
            Err(i) => {
                self.slots[i] = (key, 1);
                self.len += 1;
                if 2 * self.len > self.slots.len() {
                    self.resize(2 * self.slots.len());
                }
            }
        }
    }

    /// One record of `key` left memory.
    fn remove_one(&mut self, key: u32) {
        if self.len == 0 {
            return;
        }
        if let Ok(i) = self.find(key) {
            self.slots[i].1 -= 1;
            if self.slots[i].1 == 0 {
                self.delete_at(i);
            }
        }
    }

    /// Free slot `hole`, pulling back later entries of its run whose home
    /// is not between the hole and them (so every probe still finds them).
    fn delete_at(&mut self, mut hole: usize) {
        let mask = self.slots.len() - 1;
        self.len -= 1;
        let mut j = hole;
        loop {
            j = (j + 1) & mask;
            let k = self.slots[j].0;
            if k == EMPTY {
                break;
            }
            let home = self.home(k);
            let reachable =
                if hole <= j { hole < home && home <= j } else { hole < home || home <= j };
            if !reachable {
                self.slots[hole] = self.slots[j];
                hole = j;
            }
        }
        self.slots[hole] = (EMPTY, 0);
    }

    fn resize(&mut self, capacity: usize) {
        let old = std::mem::replace(&mut self.slots, vec![(EMPTY, 0); capacity]);
        self.shift = 32 - capacity.trailing_zeros();
        for (k, c) in old {
            if k != EMPTY {
                let Err(i) = self.find(k) else { unreachable!("keys are distinct") };
                self.slots[i] = (k, c);
            }
        }
    }
}

impl Memory {
    /// The memory of agent `me` in a run of `population` agents.
    pub fn new(
        me: AgentIdx,
        population: usize,
        keep_history: bool,
        keep_votes: bool,
        ranked: bool,
    ) -> Self {
        Memory {
            trust: AgentMap::new(population),
            history: keep_history.then(|| {
                Box::new(History { parties: VecDeque::new(), by_party: AgentMap::new(population) })
            }),
            votes: keep_votes.then(Box::default),
            ranked: ranked.then(|| Ranked::new(me, population)),
        }
    }

    /// The trust map ranked best first (keys from `ranked::ordered`), when
    /// this memory keeps the order.
    pub(crate) fn ranked(&self) -> Option<&Ranked<u64>> {
        self.ranked.as_ref()
    }

    /// Trust read T(x). The history bootstrap of the reference never runs
    /// for core agents (every finalised interaction writes an entry), so an
    /// unknown party reads as the neutral 0.5.
    pub fn trust(&self, other: AgentIdx) -> f64 {
        match &self.ranked {
            Some(r) => r.get(other).map(unordered),
            None => self.trust.get(other).copied(),
        }
        .unwrap_or(0.5)
    }

    /// Every party with a trust entry, in no particular order.
    pub fn trusted(&self) -> impl Iterator<Item = (AgentIdx, f64)> + '_ {
        // Only one of the two holds entries.
        let ranked = self.ranked.iter().flat_map(|r| r.best().map(|(b, k)| (b, unordered(k))));
        ranked.chain(self.trust.iter().map(|(b, &t)| (b, t)))
    }

    pub fn knows(&self, other: AgentIdx) -> bool {
        match &self.ranked {
            Some(r) => r.knows(other),
            None => self.trust.contains_key(other),
        }
    }

    /// The base `update_from_outcome`: history, trust EMA, memory record.
    pub fn record_outcome(&mut self, other: AgentIdx, accepted: bool, p: f64) {
        if let Some(h) = self.history.as_mut() {
            h.push(other, p);
        }
        let current = self.trust(other);
        let updated = if accepted {
            let alpha = 0.3;
            current * (1.0 - alpha) + p * alpha
        } else {
            let alpha = 0.1;
            current * (1.0 - alpha) + 0.5 * alpha
        };
        match self.ranked.as_mut() {
            Some(ranked) => ranked.set(other, ordered(updated)),
            None => {
                self.trust.insert(other, updated);
            }
        }
        self.push_record(None);
    }

    /// Mean p over the history entries involving `other`, or None if none
    /// (opportunistic `accept_interaction`, Python `sum(...) / len(...)`).
    pub fn mean_p_with(&self, other: AgentIdx) -> Option<f64> {
        let ps = self.history.as_ref()?.by_party.get(other)?;
        let mut sum = 0.0;
        for &p in ps {
            sum += p;
        }
        Some(sum / ps.len() as f64)
    }

    pub fn has_voted(&self, post: u32) -> bool {
        self.votes.as_ref().is_some_and(|v| v.voted.contains(post))
    }

    pub fn remember_vote(&mut self, post: u32) {
        self.push_record(Some(post));
    }

    fn push_record(&mut self, record: Option<u32>) {
        let Some(v) = self.votes.as_mut() else {
            return;
        };
        if v.records.len() == MEMORY_LEN {
            if let Some(Some(old)) = v.records.pop_front() {
                v.voted.remove_one(old);
            }
        }
        v.records.push_back(record);
        if let Some(post) = record {
            v.voted.add(post);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vote-count table against a hash map, under adds and removals
    /// over few keys (long probe runs, wrap-around, backward shifts) and
    /// growth, checking every key's membership after each change.
    #[test]
    fn vote_counts_match_a_map() {
        let mut rng = crate::rng::PyRandom::new(5);
        for span in [8u64, 40, 300] {
            let mut t = VoteCounts::default();
            let mut m: HashMap<u32, u32> = HashMap::default();
            for step in 0..20_000 {
                let key = rng.randbelow(span) as u32 * 7;
                if rng.random() < 0.55 {
                    t.add(key);
                    *m.entry(key).or_insert(0) += 1;
                } else {
                    t.remove_one(key);
                    if let Some(c) = m.get_mut(&key) {
                        *c -= 1;
                        if *c == 0 {
                            m.remove(&key);
                        }
                    }
                }
                assert_eq!(t.len, m.len(), "span {span} step {step}");
                for k in 0..span as u32 {
                    let k = k * 7;
                    assert_eq!(
                        t.contains(k),
                        m.contains_key(&k),
                        "span {span} step {step} key {k}"
                    );
                    if t.contains(k) {
                        let Ok(i) = t.find(k) else { unreachable!() };
                        assert_eq!(t.slots[i].1, m[&k]);
                    }
                }
            }
        }
    }
}
