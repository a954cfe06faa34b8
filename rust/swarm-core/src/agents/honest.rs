//! Honest agent (spec §11.1).

use super::memory::Memory;
use super::{
    accept_bid, answer, cheapest_bid, claim_best_task, most_trusted, post_or_vote_unvoted,
};
use crate::config::AgentParams;
use crate::observation::{Observation, ProposalView};
use crate::rng::PyRandom;
use crate::types::{Action, InteractionType};

#[derive(Debug, Clone)]
pub struct Honest {
    /// Moved by the Ralph loop agent's learning boosts.
    pub(super) acceptance_threshold: f64,
    trust_weight: f64,
    post_probability: f64,
    vote_probability: f64,
    pub(super) interact_probability: f64,
}

impl Honest {
    pub fn new(c: &AgentParams) -> Self {
        Honest {
            acceptance_threshold: c.acceptance_threshold.unwrap_or(0.4),
            trust_weight: c.trust_weight.unwrap_or(0.3),
            post_probability: c.post_probability.unwrap_or(0.3),
            vote_probability: c.vote_probability.unwrap_or(0.5),
            interact_probability: c.interact_probability.unwrap_or(0.4),
        }
    }

    pub fn act(&mut self, obs: &Observation, rng: &mut PyRandom, mem: &mut Memory) -> Action {
        self.act_as::<false>(obs, rng, mem)
    }

    /// The turn; `FORGETS`: for an agent whose trust may need the
    /// bootstrap (`rain`, `ralph_loop`), every trust the reference computes
    /// is consulted (a separate copy: the paper's honest turn is unchanged).
    #[inline(always)]
    pub fn act_as<const FORGETS: bool>(
        &mut self,
        obs: &Observation,
        rng: &mut PyRandom,
        mem: &mut Memory,
    ) -> Action {
        if let Some(p) = obs.pending {
            let trust = if FORGETS { mem.consult(p.initiator) } else { mem.trust(p.initiator) };
            // 0.4 - 0.1 is 0.30000000000000004: computed, not written as 0.3.
            return answer(&p, trust >= self.acceptance_threshold - 0.1);
        }
        let m = obs.market;
        if let Some(b) = cheapest_bid(&m.bid_decisions) {
            return accept_bid(b);
        }
        if !m.available_bounties.is_empty() && rng.random() < 0.3 {
            let b = m.available_bounties[rng.choice_index(m.available_bounties.len())];
            return Action::PlaceBid { bounty: b.id, amount: b.reward * rng.uniform(0.8, 0.95) };
        }
        // Without a marketplace this is a wasted turn after two draws (Q1).
        if obs.resources > 20.0 && rng.random() < 0.15 && m.available_bounties.is_empty() {
            let reward = rng.uniform(5.0, 15.0);
            return Action::PostBounty { reward, min_reputation: 0.0, deadline: None };
        }
        // Claimed tasks never become in_progress, so none is ever worked on.
        if let Some(action) = claim_best_task(obs) {
            return action;
        }
        if let Some(action) =
            post_or_vote_unvoted(obs, rng, mem, self.post_probability, self.vote_probability)
        {
            return action;
        }
        if obs.can_interact && rng.random() < self.interact_probability && obs.has_visible() {
            if FORGETS {
                // The reference computes the trust of every candidate.
                mem.consult_visible(obs);
            }
            return match most_trusted(obs, mem, 0.3) {
                Some(target) => Action::Propose { target, kind: InteractionType::Collaboration },
                None => Action::Noop,
            };
        }
        Action::Noop
    }

    pub fn accept(&mut self, prop: &ProposalView, mem: &Memory) -> bool {
        let trust = mem.trust(prop.initiator);
        let mut threshold = self.acceptance_threshold;
        match prop.kind {
            InteractionType::Collaboration => threshold -= 0.1,
            InteractionType::Trade => threshold += 0.1,
            _ => {}
        }
        let effective = trust * self.trust_weight + 0.5 * (1.0 - self.trust_weight);
        effective >= threshold
    }
}
