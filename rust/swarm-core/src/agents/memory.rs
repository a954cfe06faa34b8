//! The memory every scripted agent keeps (spec §1.7): a trust map, and for
//! the two policies that read them, the interaction history and the honest
//! agent's vote records.

use std::collections::VecDeque;

use super::agent_map::AgentMap;
use super::ranked::{ordered, unordered, Ranked};
use crate::observables::{py_max, py_min};
use crate::post_map::PostMap;
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

/// What `compute_counterparty_trust` falls back on for a party with no
/// trust entry (after a rain-like agent forgot it): the EMA from 0.5 over
/// the accepted interactions with that party among the last 500 the agent
/// took part in (`_interaction_history`). Kept only for agents that forget.
#[derive(Debug, Clone)]
struct Recall {
    /// The last 500 interactions: the party, and p if accepted.
    entries: VecDeque<(AgentIdx, Option<f64>)>,
    /// Per party, the accepted p's among them, in order.
    accepted: AgentMap<VecDeque<f64>>,
}

impl Recall {
    // Out of line: only forgetting agents keep a recall, and inlined it
    // grew every agent's `update_from_outcome`.
    #[cold]
    #[inline(never)]
    fn push(&mut self, other: AgentIdx, accepted: bool, p: f64) {
        if self.entries.len() == HISTORY_LEN {
            if let Some((oldest, Some(_))) = self.entries.pop_front() {
                if let Some(ps) = self.accepted.get_mut(oldest) {
                    ps.pop_front();
                }
            }
        }
        let p = accepted.then_some(p);
        self.entries.push_back((other, p));
        if let Some(p) = p {
            self.accepted.get_or_insert_with(other, VecDeque::new).push_back(p);
        }
    }

    /// The bootstrap trust, None without an accepted interaction.
    fn bootstrap(&self, other: AgentIdx) -> Option<f64> {
        let ps = self.accepted.get(other).filter(|ps| !ps.is_empty())?;
        let alpha = 0.3;
        Some(ps.iter().fold(0.5, |t, p| t * (1.0 - alpha) + p * alpha))
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
    /// Kept only for agents that forget trust (`rain`, `ralph_loop`).
    recall: Option<Box<Recall>>,
}

/// The shared `_memory` deque: `None` = an interaction-outcome record,
/// `Some(post)` = a vote record; and how many vote records each post has.
#[derive(Debug, Default, Clone)]
struct Votes {
    records: VecDeque<Option<u32>>,
    voted: PostMap<u32>,
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
            recall: None,
        }
    }

    /// This memory also keeps what the trust bootstrap reads (for agents
    /// that forget trust; see `Recall`).
    pub fn with_recall(mut self, population: usize) -> Self {
        self.recall = Some(Box::new(Recall {
            entries: VecDeque::new(),
            accepted: AgentMap::new(population),
        }));
        self
    }

    /// Whether this memory forgets and bootstraps trust.
    #[inline]
    pub fn recalls(&self) -> bool {
        self.recall.is_some()
    }

    /// `compute_counterparty_trust(other)`: T(x), and for an agent that
    /// forgets, a party without an entry gets (and keeps) the bootstrap
    /// from its accepted history, if any. Elsewhere the same as `trust`.
    #[inline]
    pub fn consult(&mut self, other: AgentIdx) -> f64 {
        if self.recall.is_some() {
            self.bootstrap(other);
        }
        self.trust(other)
    }

    /// `consult` every visible agent (a forgetting agent's candidates).
    #[cold]
    #[inline(never)]
    pub fn consult_visible(&mut self, obs: &crate::observation::Observation<'_>) {
        for v in obs.visible_iter() {
            self.consult(v.idx);
        }
    }

    #[cold]
    #[inline(never)]
    fn bootstrap(&mut self, other: AgentIdx) {
        if self.knows(other) {
            return;
        }
        let Some(t) = self.recall.as_ref().and_then(|r| r.bootstrap(other)) else { return };
        match self.ranked.as_mut() {
            Some(ranked) => ranked.set(other, ordered(t)),
            None => {
                self.trust.insert(other, t);
            }
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

    /// Forget every counterparty's trust: `apply_memory_decay` with
    /// epistemic persistence 0 (each entry goes to 0.5, then the map is
    /// cleared).
    pub fn forget_trust(&mut self) {
        let known: Vec<AgentIdx> = self.trust.keys().collect();
        for other in known {
            self.trust.remove(other);
        }
        if let Some(r) = self.ranked.as_mut() {
            r.clear();
        }
    }

    /// Move every trust entry by `delta`, clamped to [0, 1] (dynamic
    /// toxicity's quality contagion).
    pub fn shift_trust(&mut self, delta: f64) {
        let entries: Vec<(AgentIdx, f64)> = self.trusted().collect();
        for (other, t) in entries {
            let shifted = py_max(0.0, py_min(1.0, t + delta));
            match self.ranked.as_mut() {
                Some(ranked) => ranked.set(other, ordered(shifted)),
                None => {
                    self.trust.insert(other, shifted);
                }
            }
        }
    }

    /// The base `update_from_outcome`: history, trust EMA, memory record.
    pub fn record_outcome(&mut self, other: AgentIdx, accepted: bool, p: f64) {
        if let Some(h) = self.history.as_mut() {
            h.push(other, p);
        }
        if let Some(r) = self.recall.as_mut() {
            r.push(other, accepted, p);
        }
        // `.get(other, 0.5)`: no bootstrap here, even for agents that forget.
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
                if let Some(c) = v.voted.get_mut(old) {
                    *c -= 1;
                    if *c == 0 {
                        v.voted.remove(old);
                    }
                }
            }
        }
        v.records.push_back(record);
        if let Some(post) = record {
            match v.voted.get_mut(post) {
                Some(c) => *c += 1,
                None => {
                    v.voted.insert(post, 1);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Vote records are evicted after MEMORY_LEN records (outcomes count
    /// too), and a post stays "voted" while any of its records remains
    /// (Q24): against counts over the plain list of the last MEMORY_LEN
    /// records. Posts are many, so most votes age out; a few are frequent,
    /// so some posts hold several records at once.
    #[test]
    fn vote_records_evict_like_a_bounded_list() {
        const POSTS: u32 = 1500;
        let mut mem = Memory::new(0, 5, false, true, false);
        let mut last: VecDeque<Option<u32>> = VecDeque::new();
        let mut held: HashMap<u32, usize> = HashMap::new();
        let mut rng = crate::rng::PyRandom::new(4);
        for step in 0..6 * MEMORY_LEN {
            let r = rng.random();
            let record = if r < 0.3 {
                mem.record_outcome(1, true, 0.7);
                None
            } else {
                let post = if r < 0.4 { rng.randbelow(5) } else { rng.randbelow(POSTS.into()) };
                mem.remember_vote(post as u32);
                Some(post as u32)
            };
            last.push_back(record);
            *held.entry(record.unwrap_or(POSTS)).or_insert(0) += 1;
            if last.len() > MEMORY_LEN {
                let old = last.pop_front().flatten().unwrap_or(POSTS);
                *held.get_mut(&old).expect("held") -= 1;
            }
            if step % 97 == 0 {
                for post in 0..POSTS {
                    let want = held.get(&post).is_some_and(|&c| c > 0);
                    assert_eq!(mem.has_voted(post), want, "step {step} post {post}");
                }
            }
        }
    }
}
