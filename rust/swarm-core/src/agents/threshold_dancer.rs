//! Threshold dancer (spec §11.8). Registers as `adversarial`.
//!
//! Without transfers its "exploit" phase can only reject (Q16).

use super::agent_map::AgentMap;
use super::ranked::{ordered, Ranked};
use super::{accept_bid, answer, cheapest_bid, first_max_ranked, first_max_visible};
use crate::config::AgentParams;
use crate::observation::{Observation, ProposalView};
use crate::rng::PyRandom;
use crate::types::{Action, AgentIdx, InteractionType};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Phase {
    #[default]
    Cooperative,
    Exploit,
    Recover,
}

#[derive(Debug, Clone, Copy, Default)]
struct Ledger {
    estimate: f64,
    phase: Phase,
    interactions: u64,
    consecutive_exploit: u64,
}

#[derive(Debug, Clone)]
pub struct ThresholdDancer {
    safety_margin: f64,
    exploitation_intensity: f64,
    warmup_interactions: f64,
    comfort_zone_floor: f64,
    max_consecutive_exploits: f64,
    post_probability: f64,
    blacklist_threshold: f64,
    ledgers: AgentMap<Ledger>,
    /// The ledgers ranked by target score: cheaper to keep than to read
    /// whole even among a handful of partners.
    ranked: Ranked<u64>,
}

impl ThresholdDancer {
    pub fn new(c: &AgentParams, me: AgentIdx, population: usize) -> Self {
        ThresholdDancer {
            ranked: Ranked::new(me, population),
            safety_margin: c.safety_margin.unwrap_or(0.5),
            exploitation_intensity: c.exploitation_intensity.unwrap_or(0.6),
            warmup_interactions: c.warmup_interactions.unwrap_or(3.0),
            comfort_zone_floor: c.comfort_zone_floor.unwrap_or(-0.3),
            max_consecutive_exploits: c.max_consecutive_exploits.unwrap_or(2.0),
            post_probability: c.post_probability.unwrap_or(0.2),
            blacklist_threshold: c.blacklist_threshold.unwrap_or(-2.0),
            ledgers: AgentMap::new(population),
        }
    }

    fn room(&self, l: &Ledger) -> f64 {
        l.estimate - (self.blacklist_threshold + self.safety_margin)
    }

    /// At most one phase transition (spec §11.8 update_phase), stored.
    fn update_phase(&mut self, who: AgentIdx) -> Ledger {
        let mut l = self.ledgers.get(who).copied().unwrap_or_default();
        self.next_phase(&mut l);
        self.put(who, l);
        l
    }

    /// The transition itself, on a ledger not yet stored.
    fn next_phase(&self, l: &mut Ledger) {
        let floor = self.comfort_zone_floor;
        match l.phase {
            Phase::Cooperative => {
                if l.interactions as f64 >= self.warmup_interactions && l.estimate > floor + 0.5 {
                    l.phase = Phase::Exploit;
                    l.consecutive_exploit = 0;
                }
            }
            Phase::Exploit => {
                if self.room(l) < self.exploitation_intensity
                    || l.consecutive_exploit as f64 >= self.max_consecutive_exploits
                {
                    l.phase = Phase::Recover;
                }
            }
            Phase::Recover => {
                if l.estimate > floor + 0.3 {
                    l.phase = Phase::Cooperative;
                }
            }
        }
    }

    /// The target score of a ledger: room, plus 1 before any interaction.
    fn score(&self, l: &Ledger) -> f64 {
        self.room(l) + if l.interactions == 0 { 1.0 } else { 0.0 }
    }

    fn put(&mut self, who: AgentIdx, l: Ledger) {
        self.ledgers.insert(who, l);
        let score = ordered(self.score(&l));
        self.ranked.set(who, score);
    }

    fn cooperate(&mut self, who: AgentIdx) -> bool {
        let l = self.update_phase(who);
        match l.phase {
            Phase::Cooperative | Phase::Recover => true,
            Phase::Exploit => self.room(&l) < self.exploitation_intensity,
        }
    }

    pub fn act(&mut self, obs: &Observation, rng: &mut PyRandom) -> Action {
        if let Some(p) = obs.pending {
            return answer(&p, self.cooperate(p.initiator));
        }
        if let Some(b) = cheapest_bid(&obs.market.bid_decisions) {
            return accept_bid(b);
        }
        if obs.can_post && rng.random() < self.post_probability {
            return Action::Post;
        }
        if obs.can_interact && obs.has_visible() {
            let stranger = self.score(&Ledger::default());
            let best = match obs.indexed() {
                Some(ix) => {
                    first_max_ranked(ix, &self.ranked, |_| true, |_| true, Some(ordered(stranger)))
                }
                _ => first_max_visible(
                    obs,
                    self.ledgers.keys(),
                    |i| self.ledgers.contains_key(i),
                    |_| true,
                    |i| self.score(&self.ledgers.get(i).copied().unwrap_or_default()),
                    Some(stranger),
                ),
            };
            if let Some(target) = best {
                return Action::Propose { target, kind: InteractionType::Collaboration };
            }
        }
        Action::Noop
    }

    pub fn accept(&mut self, prop: &ProposalView) -> bool {
        self.cooperate(prop.initiator)
    }

    pub fn on_outcome(&mut self, other: AgentIdx, payoff: f64) {
        let mut l = self.ledgers.get(other).copied().unwrap_or_default();
        l.interactions += 1;
        let delta = if payoff > 0.0 {
            match l.phase {
                Phase::Cooperative | Phase::Recover => payoff * 0.8,
                Phase::Exploit => -payoff * 0.7,
            }
        } else {
            payoff.abs() * 0.5
        };
        l.estimate += delta;
        if l.phase == Phase::Exploit {
            l.consecutive_exploit += 1;
        } else {
            l.consecutive_exploit = 0;
        }
        // The outcome, then at most one transition: stored once.
        self.next_phase(&mut l);
        self.put(other, l);
    }
}
