//! Opportunistic agent (spec §11.2).

use super::memory::Memory;
use super::{accept_bid, answer, cheapest_bid, choose_where, first_max_by, richest_bounty};
use crate::config::AgentParams;
use crate::observables::py_max;
use crate::observation::{Observation, ProposalView};
use crate::rng::PyRandom;
use crate::types::{Action, InteractionType};

#[derive(Debug, Clone)]
pub struct Opportunistic {
    free_ride_probability: f64,
    risk_tolerance: f64,
    post_probability: f64,
    vote_probability: f64,
}

impl Opportunistic {
    pub fn new(c: &AgentParams) -> Self {
        // `payoff_threshold` is read by the reference but never used.
        Opportunistic {
            free_ride_probability: c.free_ride_probability.unwrap_or(0.3),
            risk_tolerance: c.risk_tolerance.unwrap_or(0.6),
            post_probability: c.post_probability.unwrap_or(0.4),
            vote_probability: c.vote_probability.unwrap_or(0.6),
        }
    }

    pub fn act(&mut self, obs: &Observation, rng: &mut PyRandom, _mem: &mut Memory) -> Action {
        let m = obs.market;
        if let Some(b) = cheapest_bid(&m.bid_decisions) {
            return accept_bid(b);
        }
        if !m.available_bounties.is_empty() && rng.random() < 0.5 {
            let b = *richest_bounty(&m.available_bounties).expect("non-empty");
            let amount = py_max(b.reward * rng.uniform(0.5, 0.7), 1.0);
            return Action::PlaceBid { bounty: b.id, amount };
        }
        if let Some(p) = obs.pending {
            let known_good = obs.find_visible(p.initiator).is_some_and(|v| v.reputation > 0.0);
            // "Accept if we receive a transfer" comes first (never with τ = 0).
            return answer(&p, p.tau > 0.0 || known_good || rng.random() < 0.4);
        }
        if obs.can_claim_task && !m.available_tasks.is_empty() {
            // Return on investment: bounty / difficulty, "medium" weighs 2.
            let t = first_max_by(m.available_tasks.iter(), |t| t.bounty / 2.0).expect("non-empty");
            return Action::ClaimTask { task: t.id };
        }
        if let Some(t) = m.active_tasks.first() {
            // Free-riding or not, the output is submitted; only the text differs.
            let _free_ride = rng.random() < self.free_ride_probability;
            return Action::SubmitOutput { task: t.id };
        }
        if obs.can_post && rng.random() < self.post_probability {
            rng.choice_index(5);
            return Action::Post;
        }
        if obs.can_vote && !obs.posts.is_empty() && rng.random() < self.vote_probability {
            // The momentum rule reads the missing net_votes (Q5): posts[0], up.
            return Action::Vote { post: obs.posts[0].idx, up: true };
        }
        if obs.can_interact && obs.has_visible() {
            let target = match obs.indexed() {
                // The index keeps this very filter (resources > 80 or
                // reputation > 0.5) as its own set.
                Some(ix) => match ix.rich_len() {
                    0 => None,
                    n => ix.rich_kth(rng.choice_index(n)),
                },
                None => choose_where(rng, obs.visible_iter(), |v| {
                    v.resources > 80.0 || v.reputation > 0.5
                })
                .map(|v| v.idx),
            };
            return match target {
                Some(target) => Action::Propose { target, kind: InteractionType::Trade },
                None => Action::Noop,
            };
        }
        Action::Noop
    }

    pub fn accept(&mut self, prop: &ProposalView, rng: &mut PyRandom, mem: &Memory) -> bool {
        if prop.tau > 0.0 {
            return true;
        }
        match mem.mean_p_with(prop.initiator) {
            Some(avg) => avg > 0.5,
            None => rng.random() < self.risk_tolerance,
        }
    }
}
