//! Modeling adversary, YAML type `modeling_adversary` (swarm-safety 1.9.0,
//! `swarm/agents/modeling_adversary.py`): an adversary that models each
//! counterparty's decision procedure from their outcomes together and
//! plays trust-building or exploitation against it.
//!
//! Two quirks of the reference are kept: a party's phase (trust-building
//! or exploitation) is fixed the first time it is asked for and never
//! revisited, so a party first met before `exploitation_threshold`
//! outcomes is never exploited; and `modeling_horizon` is read but unused
//! (models use every outcome).

use super::agent_map::AgentMap;
use super::{accept_bid, answer, cheapest_bid, first_max_visible};
use crate::config::AgentParams;
use crate::observables::{py_max, py_min};
use crate::observation::{Observation, ProposalView};
use crate::rng::PyRandom;
use crate::types::{Action, Actor, AgentIdx, InteractionType, StateType};

/// The parts of a counterparty model a decision reads.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Estimate {
    Unknown,
    Ldt,
    Cooperative,
    Selective,
    Adversarial,
    Mixed,
}

impl Estimate {
    /// Proposal preference: LDT-like parties first.
    fn score(self) -> f64 {
        match self {
            Estimate::Ldt => 1.0,
            Estimate::Cooperative => 0.8,
            Estimate::Selective => 0.5,
            _ => 0.2,
        }
    }
}

#[derive(Debug, Clone)]
struct History {
    entries: Vec<(bool, f64)>,
    /// The model as of the last outcome (the reference rebuilds it then).
    estimate: Estimate,
}

#[derive(Debug, Clone)]
pub struct ModelingAdversary {
    mimicry_probability: f64,
    exploitation_threshold: f64,
    ldt_detection_sensitivity: f64,
    aggression_level: f64,
    post_probability: f64,
    /// Recorded parties, in first-outcome order.
    order: Vec<AgentIdx>,
    histories: AgentMap<History>,
    /// Visible adversarial-type agents seen at the start of any turn; kept
    /// by scanning when the engine has no index history, otherwise
    /// `scans` stands for them (the index's time stamps of this agent's
    /// scans, as for the adversarial agent): O(log) instead of O(N).
    allies: AgentMap<()>,
    scans: Vec<u64>,
    /// A party's phase once asked for: true = exploit.
    phase: AgentMap<bool>,
}

impl ModelingAdversary {
    pub fn new(c: &AgentParams, population: usize) -> Self {
        ModelingAdversary {
            mimicry_probability: c.mimicry_probability.unwrap_or(0.6),
            exploitation_threshold: c.exploitation_threshold.unwrap_or(5.0),
            ldt_detection_sensitivity: c.ldt_detection_sensitivity.unwrap_or(0.7),
            aggression_level: c.aggression_level.unwrap_or(0.6),
            post_probability: c.post_probability.unwrap_or(0.3),
            order: Vec::new(),
            histories: AgentMap::new(population),
            allies: AgentMap::new(population),
            scans: Vec::new(),
            phase: AgentMap::new(population),
        }
    }

    fn estimate(&self, who: AgentIdx) -> Estimate {
        self.histories.get(who).map_or(Estimate::Unknown, |h| h.estimate)
    }

    fn outcomes(&self, who: AgentIdx) -> usize {
        self.histories.get(who).map_or(0, |h| h.entries.len())
    }

    /// The model of a party from all its outcomes with this agent.
    fn model(&self, entries: &[(bool, f64)]) -> Estimate {
        let n = entries.len();
        if n == 0 {
            return Estimate::Unknown;
        }
        let accepted = || entries.iter().filter(|e| e.0).map(|e| e.1);
        let k = accepted().count();
        let coop_rate = k as f64 / n as f64;
        let selectivity = if k >= 2 {
            let mut sum = 0.0;
            for x in accepted() {
                sum += x;
            }
            let mean = sum / k as f64;
            let mut var = 0.0;
            for x in accepted() {
                var += super::ldt::py_square(x - mean);
            }
            py_max(0.0, py_min(1.0, 1.0 - (var / k as f64).sqrt()))
        } else {
            0.5
        };
        let half = n / 2;
        let stability = if half >= 2 {
            let early = entries[..half].iter().filter(|e| e.0).count() as f64 / half as f64;
            let late = entries[half..].iter().filter(|e| e.0).count() as f64 / (n - half) as f64;
            py_max(0.0, py_min(1.0, 1.0 - (late - early).abs()))
        } else {
            0.5
        };
        let ldt_score = 0.4 * selectivity + 0.3 * stability + 0.3 * coop_rate;
        if ldt_score >= self.ldt_detection_sensitivity {
            Estimate::Ldt
        } else if coop_rate > 0.8 {
            Estimate::Cooperative
        } else if selectivity > 0.7 {
            Estimate::Selective
        } else if coop_rate < 0.3 {
            Estimate::Adversarial
        } else {
            Estimate::Mixed
        }
    }

    /// `_get_phase`: fixed at the first ask (true = exploit).
    fn exploit_phase(&mut self, who: AgentIdx) -> bool {
        if let Some(&p) = self.phase.get(who) {
            return p;
        }
        let exploit = self.outcomes(who) as f64 >= self.exploitation_threshold;
        self.phase.insert(who, exploit);
        exploit
    }

    /// The scan of the visible list every turn starts with.
    fn scan(&mut self, obs: &Observation) {
        if let Some(t) = obs.indexed().and_then(|ix| ix.scan_time()) {
            if self.scans.last() != Some(&t) {
                self.scans.push(t);
            }
            return;
        }
        for v in obs.visible_iter() {
            if v.state_type == StateType::Adversarial {
                self.allies.insert(v.idx, ());
            }
        }
    }

    /// Did a scan see `who` as an adversarial-type agent?
    fn ally(&self, obs: &Observation, who: AgentIdx) -> bool {
        match obs.indexed().filter(|ix| ix.scan_time().is_some()) {
            // Adversarial agents are recorded while live; honest ones, as
            // targets, are not allies.
            Some(ix) => !ix.is_honest(who) && ix.seen(who, &self.scans),
            None => self.allies.contains_key(who),
        }
    }

    /// `_cooperate_decision`: allies always; mimic while building trust;
    /// else exploit by chance.
    fn cooperate(&mut self, obs: &Observation, who: AgentIdx, rng: &mut PyRandom) -> bool {
        if self.ally(obs, who) {
            return true;
        }
        let ldt = self.estimate(who) == Estimate::Ldt;
        let mimic = if !self.exploit_phase(who) {
            true
        } else if ldt {
            rng.random() < self.mimicry_probability
        } else {
            rng.random() < 0.2
        };
        if mimic {
            return true;
        }
        if ldt {
            rng.random() < 0.4
        } else {
            rng.random() < 1.0 - self.aggression_level
        }
    }

    pub fn act(&mut self, obs: &Observation, rng: &mut PyRandom) -> Action {
        self.scan(obs);
        if let Some(p) = obs.pending {
            return answer(&p, self.cooperate(obs, p.initiator, rng));
        }
        if let Some(b) = cheapest_bid(&obs.market.bid_decisions) {
            return accept_bid(b);
        }
        // Claimed tasks never become in_progress: no output is submitted.
        if obs.can_post && rng.random() < self.post_probability {
            // The text only: constructive or disruptive.
            let _ = rng.random() < self.mimicry_probability;
            return Action::Post;
        }
        if obs.can_vote && !obs.posts.is_empty() {
            for post in obs.posts {
                let Actor::Agent(author) = post.author else { continue };
                if self.ally(obs, author) {
                    return Action::Vote { post: post.idx, up: true };
                }
                if self.estimate(author) == Estimate::Ldt && self.exploit_phase(author) {
                    return Action::Vote { post: post.idx, up: false };
                }
            }
            // Sorted by the missing net_votes (Q5): the first post.
            return Action::Vote { post: obs.posts[0].idx, up: false };
        }
        if obs.can_interact && obs.has_visible() {
            let best = first_max_visible(
                obs,
                self.order.iter().copied(),
                |b| self.histories.contains_key(b),
                |_| true,
                |b| self.estimate(b).score(),
                Some(Estimate::Unknown.score()),
            );
            let Some(target) = best else { return Action::Noop };
            if !self.cooperate(obs, target, rng) {
                return Action::Noop;
            }
            let kind = if self.estimate(target) == Estimate::Ldt {
                InteractionType::Collaboration
            } else {
                InteractionType::Trade
            };
            return Action::Propose { target, kind };
        }
        Action::Noop
    }

    pub fn accept(&mut self, prop: &ProposalView, obs: &Observation, rng: &mut PyRandom) -> bool {
        self.cooperate(obs, prop.initiator, rng)
    }

    pub fn on_outcome(&mut self, other: AgentIdx, accepted: bool, p: f64) {
        if !self.histories.contains_key(other) {
            self.order.push(other);
        }
        let h = self.histories.get_or_insert_with(other, || History {
            entries: Vec::new(),
            estimate: Estimate::Unknown,
        });
        h.entries.push((accepted, p));
        let entries = std::mem::take(&mut h.entries);
        let estimate = self.model(&entries);
        let h = self.histories.get_mut(other).expect("just inserted");
        h.entries = entries;
        h.estimate = estimate;
    }
}
