//! Cautious reciprocator (spec §11.7). Registers as `honest`.
//!
//! Its ledger sums its own payoffs per partner, including the hypothetical
//! payoffs of rejected interactions (Q16).

use super::agent_map::AgentMap;
use super::memory::Memory;
use super::ranked::{ordered, Ranked};
use super::{
    accept_bid, answer, cheapest_bid, first_max_ranked, first_max_visible, post_or_upvote,
};
use crate::config::AgentParams;
use crate::observation::{Observation, ProposalView};
use crate::rng::PyRandom;
use crate::types::{Action, AgentIdx, InteractionType};

#[derive(Debug, Clone)]
pub struct CautiousReciprocator {
    base_threshold: f64,
    blacklist_threshold: f64,
    max_per_partner: f64,
    post_probability: f64,
    ledger: AgentMap<f64>,
    count: AgentMap<u64>,
    blacklist: AgentMap<()>,
    /// Partners ranked by (ledger, trust): every agent with a ledger or a
    /// trust entry (both only ever added together, at an outcome).
    ranked: Ranked<(u64, u64)>,
}

impl CautiousReciprocator {
    pub fn new(c: &AgentParams, me: AgentIdx, population: usize) -> Self {
        CautiousReciprocator {
            ranked: Ranked::new(me, population),
            base_threshold: c.base_threshold.unwrap_or(0.55),
            blacklist_threshold: c.blacklist_threshold.unwrap_or(-2.0),
            max_per_partner: c.max_per_partner.unwrap_or(8.0),
            post_probability: c.post_probability.unwrap_or(0.2),
            ledger: AgentMap::new(population),
            count: AgentMap::new(population),
            blacklist: AgentMap::new(population),
        }
    }

    fn ledger(&self, who: AgentIdx) -> f64 {
        self.ledger.get(who).copied().unwrap_or(0.0)
    }

    fn acceptable(&self, who: AgentIdx, mem: &Memory) -> bool {
        if self.blacklist.contains_key(who) {
            return false;
        }
        let count = self.count.get(who).copied().unwrap_or(0);
        if count as f64 >= self.max_per_partner {
            let avg = self.ledger(who) / count.max(1) as f64;
            if avg < 0.0 {
                return false;
            }
        }
        let ledger = self.ledger(who);
        let mut threshold = self.base_threshold;
        if ledger > 1.0 {
            threshold -= 0.15;
        } else if ledger < -0.5 {
            threshold += 0.2;
        }
        mem.trust(who) >= threshold
    }

    pub fn act(&mut self, obs: &Observation, rng: &mut PyRandom, mem: &mut Memory) -> Action {
        if let Some(p) = obs.pending {
            return answer(&p, self.acceptable(p.initiator, mem));
        }
        let m = obs.market;
        if let Some(b) = cheapest_bid(&m.bid_decisions) {
            return accept_bid(b);
        }
        if !m.available_bounties.is_empty() && rng.random() < 0.25 {
            let b = m.available_bounties[rng.choice_index(m.available_bounties.len())];
            return Action::PlaceBid { bounty: b.id, amount: b.reward * rng.uniform(0.85, 0.95) };
        }
        if obs.can_claim_task && !m.available_tasks.is_empty() {
            return Action::ClaimTask { task: m.available_tasks[0].id };
        }
        if obs.can_interact && obs.has_visible() {
            // Strangers: no ledger (0.0), neutral trust (0.5), never
            // blacklisted.
            let known = |i: AgentIdx| self.ledger.contains_key(i) || mem.knows(i);
            let keep = |i: AgentIdx| !self.blacklist.contains_key(i);
            let best = match obs.indexed() {
                Some(ix) => first_max_ranked(
                    ix,
                    &self.ranked,
                    keep,
                    |_| true,
                    Some((ordered(0.0), ordered(0.5))),
                ),
                _ => first_max_visible(
                    obs,
                    self.ledger.keys().chain(mem.trusted().map(|(b, _)| b)),
                    known,
                    keep,
                    |i| (self.ledger(i), mem.trust(i)),
                    Some((0.0, 0.5)),
                ),
            };
            if let Some(target) = best {
                if self.acceptable(target, mem) {
                    return Action::Propose { target, kind: InteractionType::Collaboration };
                }
            }
        }
        post_or_upvote(obs, rng, self.post_probability)
    }

    pub fn accept(&mut self, prop: &ProposalView, mem: &Memory) -> bool {
        self.acceptable(prop.initiator, mem)
    }

    /// After the base memory update: `trust` is the new T(other).
    pub fn on_outcome(&mut self, other: AgentIdx, payoff: f64, trust: f64) {
        let l = self.ledger.get_or_insert_with(other, || 0.0);
        *l += payoff;
        let (ledger, below) = (*l, *l < self.blacklist_threshold);
        self.ranked.set(other, (ordered(ledger), ordered(trust)));
        *self.count.get_or_insert_with(other, || 0) += 1;
        if below {
            self.blacklist.insert(other, ());
        }
    }
}
