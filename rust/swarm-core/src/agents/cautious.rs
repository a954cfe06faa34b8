//! Cautious agent (spec §11.6). Registers as type `cautious`, which the
//! observable generator treats as adversarial (Q4).

use super::memory::Memory;
use super::{accept_bid, answer, cheapest_bid, most_trusted, post_or_upvote};
use crate::config::AgentParams;
use crate::observation::{Observation, ProposalView};
use crate::rng::PyRandom;
use crate::types::{Action, InteractionType};

#[derive(Debug, Clone)]
pub struct Cautious {
    threshold: f64,
    post_probability: f64,
}

impl Cautious {
    pub fn new(c: &AgentParams) -> Self {
        Cautious {
            threshold: c.threshold.unwrap_or(0.7),
            post_probability: c.post_probability.unwrap_or(0.2),
        }
    }

    pub fn act(&mut self, obs: &Observation, rng: &mut PyRandom, mem: &mut Memory) -> Action {
        if let Some(p) = obs.pending {
            return answer(&p, mem.trust(p.initiator) >= self.threshold);
        }
        let bids = &obs.market.bid_decisions;
        if !bids.is_empty() {
            let trusted: Vec<_> =
                bids.iter().filter(|b| mem.trust(b.bidder) >= self.threshold).copied().collect();
            let pool = if trusted.is_empty() { &bids[..] } else { &trusted[..] };
            return accept_bid(cheapest_bid(pool).expect("non-empty"));
        }
        // Only trivial or easy tasks are claimed; marketplace tasks are medium.
        if obs.can_interact && obs.has_visible() {
            if let Some(target) = most_trusted(obs, mem, self.threshold) {
                return Action::Propose { target, kind: InteractionType::Collaboration };
            }
        }
        post_or_upvote(obs, rng, self.post_probability)
    }

    pub fn accept(&mut self, prop: &ProposalView, mem: &Memory) -> bool {
        mem.trust(prop.initiator) >= self.threshold
    }
}
