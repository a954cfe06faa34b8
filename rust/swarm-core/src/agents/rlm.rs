//! Recursive-reasoning agent, YAML type `rlm` (swarm-safety 1.9.0,
//! `swarm/agents/rlm_agent.py`): level-k scoring of candidate actions
//! with a model per counterparty. It registers as type `rlm`, which has an
//! observable profile of its own (spec §6).
//!
//! Despite the name nothing recurses: the act scores every candidate once
//! at `recursion_depth`. The reference's working-memory entries, patterns
//! and traces are written but never read, so they are not kept.
//! Counterparty models are capped at 500 in the reference, evicting the
//! least-used (fewest outcomes, then oldest) to make room. With at most
//! 501 agents the cap is never reached, and a model then only matters once
//! it has an outcome, so models are made at the first outcome and choices
//! go through the visible index. Past 501 agents every look-up that makes a
//! model in the reference makes it here too, in the same order, with the
//! same evictions (`Eviction`); a turn then scores every visible agent.

use super::agent_map::AgentMap;
use super::memory::Memory;
use super::{answer, first_max_visible, most_trusted};
use crate::config::AgentParams;
use crate::observables::{py_max, py_min};
use crate::observation::{Observation, ProposalView};
use crate::rng::PyRandom;
use crate::types::{Action, AgentIdx, InteractionType};

/// The reference's cap on counterparty models.
pub const MAX_MODELS: usize = 500;
/// Payoff and cooperation history kept per model.
const MAX_HISTORY: usize = 100;

/// Python's `x ** n` for a float x and an int n: libm `pow` (black_box
/// keeps LLVM from turning it into multiplications).
fn py_pow(x: f64, n: usize) -> f64 {
    std::hint::black_box(x).powf(std::hint::black_box(n as f64))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Estimate {
    Unknown,
    Honest,
    Adversarial,
    Strategic,
}

/// A counterparty model, created at the first outcome (a model created by
/// a mere look-up reads exactly as no model).
#[derive(Debug, Clone)]
struct Model {
    count: u64,
    cooperation_rate: f64,
    cooperated: std::collections::VecDeque<bool>,
    payoffs: std::collections::VecDeque<f64>,
    estimate: Estimate,
    /// `expected_payoff()`, recomputed at each update.
    expected: f64,
}

impl Model {
    fn new() -> Self {
        Model {
            count: 0,
            cooperation_rate: 0.5,
            cooperated: Default::default(),
            payoffs: Default::default(),
            estimate: Estimate::Unknown,
            expected: 0.0,
        }
    }

    fn update(&mut self, cooperated: bool, payoff: f64, weights: &[f64]) {
        self.count += 1;
        self.cooperated.push_back(cooperated);
        self.payoffs.push_back(payoff);
        if self.cooperated.len() > MAX_HISTORY {
            self.cooperated.pop_front();
        }
        if self.payoffs.len() > MAX_HISTORY {
            self.payoffs.pop_front();
        }
        let alpha = 0.3;
        let c = if cooperated { 1.0 } else { 0.0 };
        self.cooperation_rate = self.cooperation_rate * (1.0 - alpha) + c * alpha;
        if self.count >= 3 {
            let recent = self.cooperated.iter().rev().take(3);
            let yes = recent.filter(|&&c| c).count();
            self.estimate = match yes {
                3 => Estimate::Honest,
                0 => Estimate::Adversarial,
                _ => Estimate::Strategic,
            };
        }
        // Exponential weights 0.7**i, the newest payoff weighing 1.
        let n = self.payoffs.len();
        let w = &weights[MAX_HISTORY - n..];
        let (mut total, mut sum) = (0.0, 0.0);
        for &x in w {
            total += x;
        }
        for (&x, &p) in w.iter().zip(&self.payoffs) {
            sum += x * p;
        }
        self.expected = if total == 0.0 { 0.0 } else { sum / total };
    }

    fn acceptance_probability(&self) -> f64 {
        if self.count == 0 {
            0.5
        } else {
            self.cooperation_rate
        }
    }
}

/// The model store's eviction order, kept in populations past the cap:
/// (outcomes, insertion number, agent) of every stored model. The
/// reference evicts `min(models, key=count)`, the first least-used model
/// in insertion order (a re-made model counts as inserted anew).
#[derive(Debug, Clone, Default)]
struct Eviction {
    order: std::collections::BTreeSet<(u64, u64, AgentIdx)>,
    inserted: rustc_hash::FxHashMap<AgentIdx, u64>,
    next: u64,
}

#[derive(Debug, Clone)]
pub struct Rlm {
    eviction: Option<Box<Eviction>>,
    recursion_depth: i64,
    planning_horizon: i64,
    discount_factor: f64,
    models: AgentMap<Model>,
    /// `[0.7**99, ..., 0.7**0]`: the weights of a full history, oldest first.
    weights: Vec<f64>,
    /// `discount_factor**t` for the look-ahead steps t = 1, 2, ... (at most
    /// five), computed once.
    discounts: Vec<f64>,
}

impl Rlm {
    pub fn new(c: &AgentParams, population: usize) -> Self {
        let planning_horizon = c.planning_horizon.unwrap_or(5);
        let discount_factor = c.discount_factor.unwrap_or(0.9);
        Rlm {
            eviction: (population > MAX_MODELS + 1).then(Box::default),
            recursion_depth: c.recursion_depth.unwrap_or(3),
            planning_horizon,
            discount_factor,
            models: AgentMap::new(population),
            weights: (0..MAX_HISTORY).rev().map(|i| py_pow(0.7, i)).collect(),
            discounts: (1..planning_horizon.clamp(1, 6))
                .map(|t| py_pow(discount_factor, t as usize))
                .collect(),
        }
    }

    fn model(&self, who: AgentIdx) -> Option<&Model> {
        self.models.get(who)
    }

    /// `get_or_create_model(who)` for its side effect, in populations past
    /// the cap: make the model, evicting the least-used one if full.
    fn touch(&mut self, who: AgentIdx) {
        let Some(ev) = self.eviction.as_mut() else { return };
        if self.models.contains_key(who) {
            return;
        }
        if ev.order.len() >= MAX_MODELS {
            let (_, _, old) = ev.order.pop_first().expect("full");
            ev.inserted.remove(&old);
            self.models.remove(old);
        }
        ev.order.insert((0, ev.next, who));
        ev.inserted.insert(who, ev.next);
        ev.next += 1;
        self.models.insert(who, Model::new());
    }

    fn cooperation_rate(&self, who: AgentIdx) -> f64 {
        self.model(who).map_or(0.5, |m| m.cooperation_rate)
    }

    pub fn act(&mut self, obs: &Observation, rng: &mut PyRandom, mem: &Memory) -> Action {
        if let Some(p) = obs.pending {
            let trust = mem.trust(p.initiator);
            self.touch(p.initiator);
            let d = self.recursion_depth.min(5) as f64;
            let prob = 0.5 + 0.1 * d * (trust - 0.5);
            let prob = py_max(0.0, py_min(1.0, prob + 0.1 * self.cooperation_rate(p.initiator)));
            return answer(&p, rng.random() < prob);
        }
        if self.recursion_depth <= 0 {
            return self.naive(obs, rng, mem);
        }
        self.level_k(obs, rng, mem)
    }

    /// Level 0: propose to the most trusted visible agent, else post or
    /// claim the first task.
    fn naive(&self, obs: &Observation, rng: &mut PyRandom, mem: &Memory) -> Action {
        if obs.has_visible() {
            let target = most_trusted(obs, mem, f64::NEG_INFINITY).expect("someone is visible");
            return Action::Propose { target, kind: InteractionType::Collaboration };
        }
        if obs.can_post && rng.random() < 0.3 {
            return Action::Post;
        }
        if let (Some(t), true) = (obs.market.available_tasks.first(), obs.can_claim_task) {
            return Action::ClaimTask { task: t.id };
        }
        Action::Noop
    }

    /// The discounted future of proposing to a party: acceptance
    /// probability times expected payoff over the planning horizon (at
    /// most five steps).
    fn proposal_future(&self, who: Option<AgentIdx>) -> f64 {
        let m = who.and_then(|b| self.model(b));
        // estimated_recursion_depth is always 0: the depth factor is 1.
        let accept = py_min(1.0, m.map_or(0.5, |m| m.acceptance_probability()) * 1.0);
        let expected = m.map_or(0.0, |m| m.expected);
        // An expected payoff of exactly 0 reads as the optimistic prior.
        let expected = if expected == 0.0 { 0.5 } else { expected };
        let mut future = 0.0;
        for &d in &self.discounts {
            future += d * accept * expected;
        }
        future
    }

    /// Score every candidate (noop, a proposal to each visible agent, a
    /// post, up to two task claims, up to two upvotes) and take the first
    /// best; with probability 0.1 / (depth + 1), a random candidate instead.
    fn level_k(&mut self, obs: &Observation, rng: &mut PyRandom, mem: &Memory) -> Action {
        let ph = self.planning_horizon as f64;
        let df = self.discount_factor;
        let proposals = obs.can_interact && obs.has_visible();
        let tasks = if obs.can_claim_task { &obs.market.available_tasks[..] } else { &[] };
        let tasks = &tasks[..tasks.len().min(2)];
        let posts = if obs.can_vote { &obs.posts[..obs.posts.len().min(2)] } else { &[] };

        let mut best = Action::Noop;
        let mut best_score = 0.0;
        if proposals && self.eviction.is_some() {
            // Past the cap: each candidate's look-up may evict another's model.
            for v in obs.visible_iter() {
                self.touch(v.idx);
                let score = mem.trust(v.idx) * 0.5 + self.proposal_future(Some(v.idx));
                if score > best_score {
                    best_score = score;
                    best = Action::Propose { target: v.idx, kind: InteractionType::Collaboration };
                }
            }
        } else if proposals {
            // A party without outcomes scores as the neutral stranger.
            let stranger = 0.5 * 0.5 + self.proposal_future(None);
            let key = |b: AgentIdx| mem.trust(b) * 0.5 + self.proposal_future(Some(b));
            let target = first_max_visible(
                obs,
                mem.trusted().map(|(b, _)| b),
                |b| mem.knows(b),
                |_| true,
                key,
                Some(stranger),
            )
            .expect("someone is visible");
            let score = key(target);
            if score > best_score {
                best_score = score;
                best = Action::Propose { target, kind: InteractionType::Collaboration };
            }
        }
        if obs.can_post {
            let score = 0.15 + 0.1 * ph * df;
            if score > best_score {
                best_score = score;
                best = Action::Post;
            }
        }
        for t in tasks {
            let score = 0.25 + 0.3 * ph * df;
            if score > best_score {
                best_score = score;
                best = Action::ClaimTask { task: t.id };
            }
        }
        for p in posts {
            if 0.05 > best_score {
                best_score = 0.05;
                best = Action::Vote { post: p.idx, up: true };
            }
        }
        let depth = self.recursion_depth as f64;
        let visible = if proposals { visible_len(obs) } else { 0 };
        let n = 1 + visible + usize::from(obs.can_post) + tasks.len() + posts.len();
        if rng.random() < 0.1 / (depth + 1.0) && n > 1 {
            let mut k = rng.choice_index(n);
            if k == 0 {
                return Action::Noop;
            }
            k -= 1;
            if k < visible {
                let target = nth_visible(obs, k).expect("k < visible");
                return Action::Propose { target, kind: InteractionType::Collaboration };
            }
            k -= visible;
            if obs.can_post {
                if k == 0 {
                    return Action::Post;
                }
                k -= 1;
            }
            if k < tasks.len() {
                return Action::ClaimTask { task: tasks[k].id };
            }
            k -= tasks.len();
            return Action::Vote { post: posts[k].idx, up: true };
        }
        best
    }

    /// The end-of-step answer: trust adjusted by the party's estimated type
    /// and the planning horizon.
    pub fn accept(&mut self, prop: &ProposalView, rng: &mut PyRandom, mem: &Memory) -> bool {
        let mut prob = mem.trust(prop.initiator);
        self.touch(prop.initiator);
        if let Some(m) = self.model(prop.initiator) {
            match m.estimate {
                Estimate::Honest => prob += 0.15,
                Estimate::Adversarial => prob -= 0.2,
                Estimate::Strategic if self.recursion_depth >= 2 => {
                    prob += 0.05 * m.cooperation_rate
                }
                _ => {}
            }
        }
        prob += 0.02 * self.planning_horizon.min(10) as f64;
        rng.random() < py_max(0.0, py_min(1.0, prob))
    }

    pub fn on_outcome(&mut self, other: AgentIdx, accepted: bool, payoff: f64) {
        self.touch(other);
        let weights = &self.weights;
        let model = self.models.get_or_insert_with(other, Model::new);
        let before = model.count;
        model.update(accepted, payoff, weights);
        if let Some(ev) = self.eviction.as_mut() {
            let seq = ev.inserted[&other];
            ev.order.remove(&(before, seq, other));
            ev.order.insert((before + 1, seq, other));
        }
    }
}

/// `len(visible_agents)`.
fn visible_len(obs: &Observation) -> usize {
    match obs.indexed() {
        Some(ix) => ix.len(),
        None => obs.visible_iter().count(),
    }
}

/// The k-th visible agent, in visible order.
fn nth_visible(obs: &Observation, k: usize) -> Option<AgentIdx> {
    match obs.indexed() {
        Some(ix) => ix.nth_without(&ix.without(&[]), k),
        None => obs.visible_iter().nth(k).map(|v| v.idx),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected payoff: exponential weights, newest weighing 1; the history
    /// is capped at 100 payoffs.
    #[test]
    fn expected_payoff_weights_recent_outcomes() {
        let rlm = Rlm::new(&AgentParams::default(), 4);
        let mut m = Model::new();
        m.update(true, 1.0, &rlm.weights);
        assert_eq!(m.expected, 1.0);
        m.update(false, 0.0, &rlm.weights);
        assert!((m.expected - 0.7 / 1.7).abs() < 1e-15);
        for _ in 0..150 {
            m.update(true, 2.0, &rlm.weights);
        }
        assert_eq!(m.payoffs.len(), MAX_HISTORY);
        assert!((m.expected - 2.0).abs() < 1e-12);
        assert_eq!(m.estimate, Estimate::Honest);
    }
}
