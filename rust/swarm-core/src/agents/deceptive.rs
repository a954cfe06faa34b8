//! Deceptive agent (spec §11.3, Q14).

use super::agent_map::AgentMap;
use super::ranked::{ordered, unordered, Ranked};
use super::{accept_bid, answer, cheapest_bid, choose_where, first_max_by, richest_bounty};
use crate::config::AgentParams;
use crate::observables::py_max;
use crate::observation::{Observation, ProposalView};
use crate::rng::PyRandom;
use crate::types::{Action, AgentIdx, InteractionType};

#[derive(Debug, Clone)]
pub struct Deceptive {
    trust_building_phase: f64,
    exploitation_threshold: f64,
    facade_probability: f64,
    post_probability: f64,
    /// S: own trust scores, raised by 0.1 per accepted interaction, kept
    /// ranked so that the exploitation target is found from the top.
    scores: Ranked<u64>,
    /// #{S values > exploitation_threshold}, kept incrementally.
    high_scores: usize,
    /// C: proposals received at end of step, per initiator.
    received: AgentMap<u64>,
    received_total: u64,
    /// Initiators with C ≥ trust_building_phase, ascending: the agents the
    /// trust-building pick leaves out (each enters once, never leaves).
    familiar: Vec<AgentIdx>,
}

impl Deceptive {
    pub fn new(c: &AgentParams, me: AgentIdx, population: usize) -> Self {
        Deceptive {
            trust_building_phase: c.trust_building_phase.unwrap_or(5.0),
            exploitation_threshold: c.exploitation_threshold.unwrap_or(0.7),
            facade_probability: c.facade_probability.unwrap_or(0.8),
            post_probability: c.post_probability.unwrap_or(0.35),
            scores: Ranked::new(me, population),
            high_scores: 0,
            received: AgentMap::new(population),
            received_total: 0,
            familiar: Vec::new(),
        }
    }

    fn score(&self, who: AgentIdx) -> Option<f64> {
        self.scores.get(who).map(unordered)
    }

    /// `propose_interaction`'s transfer to `target`: +0.1 while fewer than
    /// `trust_building_phase` proposals came from it, −0.5 once its trust
    /// score (0.5 unscored) exceeds the exploitation threshold, else none.
    pub fn offer(&self, target: AgentIdx) -> f64 {
        if self.count(target) < self.trust_building_phase {
            0.1
        } else if self.score(target).unwrap_or(0.5) > self.exploitation_threshold {
            -0.5
        } else {
            0.0
        }
    }

    fn count(&self, who: AgentIdx) -> f64 {
        self.received.get(who).copied().unwrap_or(0) as f64
    }

    pub fn act(&mut self, obs: &Observation, rng: &mut PyRandom) -> Action {
        let m = obs.market;
        if !m.bid_decisions.is_empty() && rng.random() < 0.7 {
            return accept_bid(cheapest_bid(&m.bid_decisions).expect("non-empty"));
        }
        if !m.available_bounties.is_empty() && rng.random() < 0.4 {
            let b = *richest_bounty(&m.available_bounties).expect("non-empty");
            let amount = py_max(b.reward * rng.uniform(0.7, 0.9), 1.0);
            return Action::PlaceBid { bounty: b.id, amount };
        }
        if let Some(p) = obs.pending {
            let bar = if self.count(p.initiator) < self.trust_building_phase { 0.9 } else { 0.6 };
            return answer(&p, rng.random() < bar);
        }
        let exploit = self.high_scores >= 2 && self.received_total > 10;
        if exploit && obs.can_interact {
            if let Some(target) = self.mark(obs) {
                return Action::Propose { target, kind: InteractionType::Trade };
            }
        }
        if let Some(t) = m.active_tasks.first() {
            if exploit {
                // Subtly poor or careful work: only the text differs.
                let _poor = rng.random() < 0.4;
            }
            return Action::SubmitOutput { task: t.id };
        }
        // The honest facade.
        if obs.can_claim_task && !m.available_tasks.is_empty() {
            // The first easy or medium task; marketplace tasks are medium.
            return Action::ClaimTask { task: m.available_tasks[0].id };
        }
        if obs.can_post && rng.random() < self.post_probability {
            rng.choice_index(5);
            return Action::Post;
        }
        if obs.can_vote && !obs.posts.is_empty() {
            // No probability gate: deceptive agents vote until the budget
            // runs out (Q14).
            let post = obs.posts[rng.choice_index(obs.posts.len())].idx;
            return Action::Vote { post, up: true };
        }
        if obs.can_interact && obs.has_visible() {
            return match self.unfamiliar(obs, rng) {
                Some(target) => Action::Propose { target, kind: InteractionType::Collaboration },
                None => Action::Noop,
            };
        }
        Action::Noop
    }

    /// The exploitation target: the first visible agent with the highest
    /// score above the threshold and resources > 50. With a threshold ≥ 0
    /// only scored agents qualify, so the index path reads the score map.
    fn mark(&self, obs: &Observation) -> Option<AgentIdx> {
        let x = self.exploitation_threshold;
        // Strangers score 0.0: with a negative threshold they qualify too,
        // each on its own resources, and only the scan can tell.
        if obs.indexed().is_none() || 0.0 > x {
            let target = first_max_by(
                obs.visible_iter().filter_map(|v| {
                    let s = self.score(v.idx).unwrap_or(0.0);
                    (s > x && v.resources > 50.0).then_some((v.idx, s))
                }),
                |&(_, s)| s,
            );
            return target.map(|(b, _)| b);
        }
        // Best first: the first qualifying entry is the first of the maxima.
        self.scores
            .best()
            .map(|(b, k)| (b, unordered(k)))
            .take_while(|&(_, s)| s > x)
            .find(|&(b, _)| obs.find_visible(b).is_some_and(|v| v.resources > 50.0))
            .map(|(b, _)| b)
    }

    /// The trust-building target: `CH` over visible agents that proposed
    /// fewer than `trust_building_phase` times. The index path takes the
    /// visible population minus the (sorted) familiar ones, without
    /// walking either.
    fn unfamiliar(&self, obs: &Observation, rng: &mut PyRandom) -> Option<AgentIdx> {
        let k = self.trust_building_phase;
        let Some(ix) = obs.indexed() else {
            return choose_where(rng, obs.visible_iter(), |v| self.count(v.idx) < k).map(|v| v.idx);
        };
        // The scan's filter, NaN and all.
        let unfamiliar = |count: f64| count < k;
        if !unfamiliar(0.0) {
            // Strangers count 0, so nobody qualifies and nothing is drawn.
            return None;
        }
        let rest = ix.without(&self.familiar);
        if rest.len == 0 {
            return None;
        }
        let pick = rng.choice_index(rest.len);
        ix.nth_without(&rest, pick)
    }

    pub fn accept(&mut self, prop: &ProposalView, rng: &mut PyRandom) -> bool {
        let c = self.count(prop.initiator);
        *self.received.get_or_insert_with(prop.initiator, || 0) += 1;
        self.received_total += 1;
        let unfamiliar = |count: f64| count < self.trust_building_phase;
        if unfamiliar(c) && !unfamiliar(c + 1.0) {
            // Just left the trust-building phase with this initiator.
            let at = self.familiar.partition_point(|&b| b < prop.initiator);
            self.familiar.insert(at, prop.initiator);
        }
        if unfamiliar(c) {
            rng.random() < self.facade_probability
        } else {
            self.score(prop.initiator).unwrap_or(0.5) > 0.6
        }
    }

    pub fn on_outcome(&mut self, other: AgentIdx, accepted: bool) {
        if !accepted {
            return;
        }
        let old = self.score(other);
        let new = f64::min(1.0, old.unwrap_or(0.5) + 0.1);
        self.scores.set(other, ordered(new));
        let x = self.exploitation_threshold;
        let was_high = old.is_some_and(|s| s > x);
        if new > x && !was_high {
            self.high_scores += 1;
        } else if was_high && new <= x {
            self.high_scores -= 1;
        }
    }
}
