//! What an agent sees on its turn (spec §3.4). The engine builds one per
//! turn and per end-of-step answer; policies only read it.
//!
//! The visible-agent list is the one O(N) part of an observation, so it is
//! never built: policies walk it ([`Observation::visible_iter`]) or, in
//! large network-free runs, ask the engine's index. Only observation noise
//! builds it, because the noise draws happen at build time (§14).

use std::cell::OnceCell;

use crate::index::{IndexView, VisibleIndex};
use crate::marketplace::MarketView;
use crate::network::Network;
use crate::types::{Actor, AgentIdx, InteractionType, StateType};

/// One `visible_agents` record. Values are after observation noise (§14).
#[derive(Debug, Clone, Copy)]
pub struct VisibleAgent {
    pub idx: AgentIdx,
    pub state_type: StateType,
    pub reputation: f64,
    pub resources: f64,
}

/// One ranked post. The dict the reference shows has no `net_votes`, so
/// policies never see vote counts (spec Q5).
#[derive(Debug, Clone, Copy)]
pub struct PostView {
    pub idx: u32,
    pub author: Actor,
}

/// The first pending proposal addressed to this agent; policies only ever
/// answer the first one.
#[derive(Debug, Clone, Copy)]
pub struct ProposalView {
    pub id: u64,
    pub initiator: AgentIdx,
    pub kind: InteractionType,
    /// The offered transfer τ: 0 unless the corrected model's
    /// `transfers_in_payoff` is on (Q2).
    pub tau: f64,
}

/// The live population an observation lists agents from.
#[derive(Clone, Copy)]
pub struct Population<'w> {
    pub frozen: &'w [bool],
    pub reputation: &'w [f64],
    pub resources: &'w [f64],
    pub types: &'w [StateType],
    pub network: Option<&'w Network>,
    /// Present when the visible list is the same registration-order list
    /// for everyone (no network, no observation noise).
    pub index: Option<&'w VisibleIndex>,
}

impl Population<'_> {
    /// Agent `b` (a valid index) is not `me` and not frozen: visible to
    /// `me` if there is no network, or if it is a neighbour.
    fn shows(&self, me: AgentIdx, b: AgentIdx) -> bool {
        b != me && !self.frozen[b as usize]
    }

    /// Visible to `me`: not frozen, not self, a neighbour if there is a
    /// network.
    pub fn is_visible(&self, me: AgentIdx, b: AgentIdx) -> bool {
        (b as usize) < self.frozen.len()
            && self.shows(me, b)
            && self.network.is_none_or(|n| n.has_edge(me, b))
    }

    pub fn record(&self, b: AgentIdx) -> VisibleAgent {
        let j = b as usize;
        VisibleAgent {
            idx: b,
            state_type: self.types[j],
            reputation: self.reputation[j],
            resources: self.resources[j],
        }
    }
}

/// See [`Observation::visible_iter`]. Cloning restarts nothing: a clone
/// continues from the same place (for count-then-pick draws).
#[derive(Clone)]
pub enum VisibleIter<'a> {
    Listed(std::slice::Iter<'a, VisibleAgent>),
    Everyone { pop: Population<'a>, me: AgentIdx, next: AgentIdx },
    Neighbours { pop: Population<'a>, me: AgentIdx, inner: std::slice::Iter<'a, AgentIdx> },
}

impl Iterator for VisibleIter<'_> {
    type Item = VisibleAgent;

    #[inline]
    fn next(&mut self) -> Option<VisibleAgent> {
        match self {
            VisibleIter::Listed(it) => it.next().copied(),
            VisibleIter::Everyone { pop, me, next } => {
                while (*next as usize) < pop.frozen.len() {
                    let b = *next;
                    *next += 1;
                    if pop.shows(*me, b) {
                        return Some(pop.record(b));
                    }
                }
                None
            }
            VisibleIter::Neighbours { pop, me, inner } => {
                inner.find(|&&b| pop.shows(*me, b)).map(|&b| pop.record(b))
            }
        }
    }
}

pub struct Observation<'w> {
    pub me: AgentIdx,
    pub epoch: u32,
    /// The agent's own live state (never noisy).
    pub reputation: f64,
    pub resources: f64,
    pub can_post: bool,
    pub can_interact: bool,
    pub can_vote: bool,
    pub can_claim_task: bool,
    pub pending: Option<ProposalView>,
    /// Top 20 posts by (net votes, creation order) descending (spec §4.2).
    pub posts: &'w [PostView],
    /// Bounties, escrows, bid decisions and tasks (spec §13.3); empty
    /// without a marketplace.
    pub market: &'w MarketView,
    population: Population<'w>,
    /// Built only with observation noise, holding the noisy values.
    visible: OnceCell<Vec<VisibleAgent>>,
}

impl<'w> Observation<'w> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        me: AgentIdx,
        epoch: u32,
        (can_post, can_interact, can_vote, can_claim_task): (bool, bool, bool, bool),
        pending: Option<ProposalView>,
        posts: &'w [PostView],
        market: &'w MarketView,
        population: Population<'w>,
    ) -> Self {
        Observation {
            me,
            epoch,
            reputation: population.reputation[me as usize],
            resources: population.resources[me as usize],
            can_post,
            can_interact,
            can_vote,
            can_claim_task,
            pending,
            posts,
            market,
            population,
            visible: OnceCell::new(),
        }
    }

    /// Build the visible list now, passing each record (and its edge
    /// weight) through `noise` — for the noise draws, which must happen at
    /// build time in the reference's order.
    pub fn build_visible_with(&self, mut noise: impl FnMut(&mut VisibleAgent, f64)) {
        let (pop, me) = (self.population, self.me);
        let mut noisy = |mut rec: VisibleAgent, w: f64| {
            noise(&mut rec, w);
            rec
        };
        // With a network, its neighbour list holds the weights beside the
        // ids: the same walk as `visible_iter`, without a lookup per record.
        let list = match pop.network {
            Some(net) => net
                .neighbours(me)
                .filter(|&(b, _)| pop.shows(me, b))
                .map(|(b, w)| noisy(pop.record(b), w))
                .collect(),
            None => self.visible_iter().map(|rec| noisy(rec, 1.0)).collect(),
        };
        let _ = self.visible.set(list);
    }

    /// The visible records in order, without building the list (unless it
    /// was built for the noise draws, then from it).
    pub fn visible_iter(&self) -> VisibleIter<'_> {
        let pop = self.population;
        let me = self.me;
        if let Some(list) = self.visible.get() {
            return VisibleIter::Listed(list.iter());
        }
        match pop.network {
            Some(net) => VisibleIter::Neighbours { pop, me, inner: net.adjacent(me) },
            None => VisibleIter::Everyone { pop, me, next: 0 },
        }
    }

    /// The indexed form of the visible list, when the engine keeps one:
    /// policies ask it for counts and k-th elements instead of scanning.
    pub fn indexed(&self) -> Option<IndexView<'w>> {
        self.population.index.map(|ix| ix.view(self.me))
    }

    /// `len(visible_agents) > 0`.
    pub fn has_visible(&self) -> bool {
        match self.indexed() {
            Some(ix) => !ix.is_empty(),
            None => self.visible_iter().next().is_some(),
        }
    }

    /// The visible record of `idx`, if `idx` is visible.
    pub fn find_visible(&self, idx: AgentIdx) -> Option<VisibleAgent> {
        match self.visible.get() {
            Some(v) => v.iter().find(|r| r.idx == idx).copied(),
            None => self.population.is_visible(self.me, idx).then(|| self.population.record(idx)),
        }
    }
}
