//! Logical-decision-theory agent, YAML type `ldt` (swarm-safety 1.9.0,
//! `swarm/agents/ldt_agent.py`).
//!
//! It registers as an honest agent. Whether it cooperates with a party is a
//! pure function of what it has recorded (its own last `horizon` outcomes,
//! every outcome with each party) except at depth 5, whose Monte Carlo
//! draws come from a second stream seeded from R_j when the agent is made.
//! The reference caches intermediate results per party and clears every
//! cache at each outcome; since the results are pure, this port simply
//! recomputes them (and builds the depth-4 twin graph only when a decision
//! reads it, at most once per outcome).

use super::agent_map::AgentMap;
use super::memory::Memory;
use super::{
    accept_bid, answer, cheapest_bid, claim_best_task, first_max_visible, post_or_vote_unvoted,
};
use crate::config::AgentParams;
use crate::observables::{py_max, py_min};
use crate::observation::{Observation, ProposalView};
use crate::rng::PyRandom;
use crate::types::{Action, AgentIdx, InteractionType};

/// `max(0.0, min(1.0, x))` with Python's tie rules (-0.0 becomes 0.0).
fn clamp01(x: f64) -> f64 {
    py_max(0.0, py_min(1.0, x))
}

/// Cosine similarity of two vectors; 0 for different lengths, empty or
/// zero vectors. Sums run left to right from 0, as Python's `sum`.
fn cosine(a: &[f64], b: &[f64]) -> f64 {
    if a.len() != b.len() || a.is_empty() {
        return 0.0;
    }
    let (mut dot, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        dot += x * y;
    }
    for &x in a {
        aa += x * x;
    }
    for &y in b {
        bb += y * y;
    }
    let (ma, mb) = (f64::sqrt(aa), f64::sqrt(bb));
    if ma == 0.0 || mb == 0.0 {
        return 0.0;
    }
    dot / (ma * mb)
}

/// Python's `x ** 2`: libm's `pow`, which is not always `x * x` to the
/// last bit. black_box keeps LLVM from rewriting the call into `x * x`.
pub(crate) fn py_square(x: f64) -> f64 {
    std::hint::black_box(x).powf(std::hint::black_box(2.0))
}

/// `sqrt(sum(x * x))`, summed left to right.
fn magnitude(xs: impl Iterator<Item = f64>) -> f64 {
    let mut sum = 0.0;
    for x in xs {
        sum += x * x;
    }
    sum.sqrt()
}

fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let ex = x.exp();
        ex / (1.0 + ex)
    }
}

/// A signed quality signal: p when accepted, -(1 - p) when rejected.
fn signal(accepted: bool, p: f64) -> f64 {
    if accepted {
        p
    } else {
        -(1.0 - p)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theory {
    Tdt,
    Fdt,
    Udt,
}

impl Theory {
    pub fn from_yaml(s: &str) -> Option<Self> {
        Some(match s {
            "tdt" => Theory::Tdt,
            "fdt" => Theory::Fdt,
            "udt" => Theory::Udt,
            _ => return None,
        })
    }
}

/// What Python's loader already checks, re-checked for hand-written JSON:
/// a known decision theory and a horizon of at least one outcome.
pub fn check_params(c: &AgentParams) -> Result<(), String> {
    if let Some(t) = c.decision_theory.as_deref() {
        if Theory::from_yaml(t).is_none() {
            return Err(format!("decision_theory: must be one of tdt, fdt, udt; got {t:?}"));
        }
    }
    if c.counterfactual_horizon == Some(0) {
        return Err("counterfactual_horizon: must be >= 1".into());
    }
    Ok(())
}

/// The policy parameters (defaults as in the reference).
#[derive(Debug, Clone)]
struct Params {
    cooperation_prior: f64,
    similarity_threshold: f64,
    welfare_weight: f64,
    updateless_commitment: f64,
    horizon: usize,
    post_probability: f64,
    vote_probability: f64,
    interact_probability: f64,
    depth: u32,
    max_recursion_depth: u32,
    convergence_epsilon: f64,
    mirror_prior_weight: f64,
    introspection_discount: f64,
    twin_graph_min_edge: f64,
    twin_graph_traversal_depth: u32,
    twin_graph_decay: f64,
    n_counterfactual_samples: u32,
    counterfactual_noise_std: f64,
    acausal_bonus_weight: f64,
    theory: Theory,
    subjunctive_weight: f64,
    precommitment_strength: f64,
    proof_threshold: f64,
}

/// Everything recorded about one counterparty: its outcomes in order.
#[derive(Debug, Clone)]
struct Profile {
    /// Position in first-outcome order (the reference's dict order).
    pos: usize,
    entries: Vec<(bool, f64)>,
    /// `accepted_before[i]`: accepted outcomes among `entries[..i]`.
    accepted_before: Vec<u32>,
    /// Sum of accepted p, left to right (`sum(accepted)`).
    accepted_p_sum: f64,
}

impl Profile {
    fn accepted(&self) -> u32 {
        *self.accepted_before.last().expect("starts with 0")
    }

    fn coop_rate(&self) -> f64 {
        f64::from(self.accepted()) / self.entries.len() as f64
    }
}

/// A party's level-2 model: its inferred policy parameters.
#[derive(Debug, Clone, Copy)]
struct Inferred {
    cooperation_prior: f64,
    similarity_threshold: f64,
    welfare_weight: f64,
    updateless_commitment: f64,
    confidence: f64,
}

/// Subjunctive dependence: its combined score and conditional agreement.
#[derive(Debug, Clone, Copy)]
struct Dependence {
    score: f64,
    agreement: f64,
}

/// `gauss(0, sigma)` draws of a stream that draws nothing else, computing
/// only the deviates that are used: Box–Muller makes deviates in pairs
/// from two `random()` draws, and most of the Monte Carlo noise is drawn
/// only to advance the stream. The pair's uniforms are kept and its
/// deviates computed when read, with exactly `PyRandom::gauss`'s formulas.
#[derive(Debug, Clone)]
struct LazyGauss {
    rng: PyRandom,
    /// The pair whose second (sine) deviate is still to be read.
    pending: Option<(f64, f64)>,
}

impl LazyGauss {
    fn pair(u: f64, v: f64) -> (f64, f64) {
        let x2pi = u * std::f64::consts::TAU;
        let g2rad = (-2.0 * (1.0 - v).ln()).sqrt();
        (x2pi, g2rad)
    }

    /// `gauss(0, sigma)`.
    fn gauss(&mut self, sigma: f64) -> f64 {
        let z = match self.pending.take() {
            Some((u, v)) => {
                let (x2pi, g2rad) = Self::pair(u, v);
                x2pi.sin() * g2rad
            }
            None => {
                let (u, v) = (self.rng.random(), self.rng.random());
                self.pending = Some((u, v));
                let (x2pi, g2rad) = Self::pair(u, v);
                x2pi.cos() * g2rad
            }
        };
        0.0 + z * sigma
    }

    /// A `gauss` call whose value is not read.
    fn skip(&mut self) {
        if self.pending.take().is_none() {
            self.pending = Some((self.rng.random(), self.rng.random()));
        }
    }
}

/// The self node of the twin graph.
const SELF: usize = usize::MAX;

#[derive(Debug, Clone)]
pub struct Ldt {
    p: Params,
    /// Counterparties in first-outcome order.
    order: Vec<AgentIdx>,
    profiles: AgentMap<Profile>,
    /// The agent's own last `horizon` outcomes (only these are ever read).
    own: std::collections::VecDeque<(bool, f64)>,
    /// The Monte Carlo stream (`random.Random(R_j.randint(0, 2**32 - 1))`),
    /// seeded at its first use (only depth 5 draws from it): its seed is
    /// drawn from R_j at construction whatever the depth.
    mc_seed: i64,
    mc: Option<LazyGauss>,
    /// The twin graph (adjacency by profile position; the last list is the
    /// self node's), built when read; dropped at each outcome.
    graph: Option<Vec<Vec<(usize, f64)>>>,
}

impl Ldt {
    /// Construction draws the Monte Carlo seed from R_j, whatever the depth.
    pub fn new(c: &AgentParams, rng: &mut PyRandom, population: usize) -> Self {
        let theory =
            c.decision_theory.as_deref().and_then(Theory::from_yaml).unwrap_or(Theory::Fdt);
        let seed = rng.randint(0, (1i64 << 32) - 1);
        let p =
            Params {
                cooperation_prior: c.cooperation_prior.unwrap_or(0.65),
                similarity_threshold: c.similarity_threshold.unwrap_or(0.7),
                welfare_weight: c.welfare_weight.unwrap_or(0.3),
                updateless_commitment: c.updateless_commitment.unwrap_or(0.8),
                horizon: c.counterfactual_horizon.unwrap_or(20).max(1) as usize,
                post_probability: c.post_probability.unwrap_or(0.25),
                vote_probability: c.vote_probability.unwrap_or(0.4),
                interact_probability: c.interact_probability.unwrap_or(0.5),
                depth: c.acausality_depth.unwrap_or(1),
                max_recursion_depth: c.max_recursion_depth.unwrap_or(8),
                convergence_epsilon: c.convergence_epsilon.unwrap_or(0.01),
                mirror_prior_weight: c.mirror_prior_weight.unwrap_or(0.6),
                introspection_discount: c.introspection_discount.unwrap_or(0.9),
                twin_graph_min_edge: c.twin_graph_min_edge.unwrap_or(0.3),
                twin_graph_traversal_depth: c.twin_graph_traversal_depth.unwrap_or(2),
                twin_graph_decay: c.twin_graph_decay.unwrap_or(0.9),
                n_counterfactual_samples: c.n_counterfactual_samples.unwrap_or(50),
                counterfactual_noise_std: c.counterfactual_noise_std.unwrap_or(0.1),
                acausal_bonus_weight: c.acausal_bonus_weight.unwrap_or(0.1),
                theory,
                subjunctive_weight: c.subjunctive_weight.unwrap_or(0.6),
                // Defaults to full precommitment only when the file says "udt".
                precommitment_strength: c
                    .precommitment_strength
                    .unwrap_or(if theory == Theory::Udt { 1.0 } else { 0.0 }),
                proof_threshold: c.proof_threshold.unwrap_or(0.85),
            };
        Ldt {
            p,
            order: Vec::new(),
            profiles: AgentMap::new(population),
            own: std::collections::VecDeque::new(),
            mc_seed: seed,
            mc: None,
            graph: None,
        }
    }

    pub fn act(&mut self, obs: &Observation, rng: &mut PyRandom, mem: &mut Memory) -> Action {
        if let Some(p) = obs.pending {
            return answer(&p, self.cooperate(p.initiator));
        }
        let m = obs.market;
        if let Some(b) = cheapest_bid(&m.bid_decisions) {
            return accept_bid(b);
        }
        if !m.available_bounties.is_empty() && rng.random() < 0.25 {
            let b = m.available_bounties[rng.choice_index(m.available_bounties.len())];
            return Action::PlaceBid { bounty: b.id, amount: b.reward * rng.uniform(0.8, 0.95) };
        }
        // Claimed tasks never become in_progress, so none is ever worked on.
        if let Some(action) = claim_best_task(obs) {
            return action;
        }
        // The honest agent's posting and voting, draw for draw.
        if let Some(action) =
            post_or_vote_unvoted(obs, rng, mem, self.p.post_probability, self.p.vote_probability)
        {
            return action;
        }
        if obs.can_interact && obs.has_visible() && rng.random() < self.p.interact_probability {
            return self.propose(obs, mem);
        }
        Action::Noop
    }

    pub fn accept(&mut self, prop: &ProposalView) -> bool {
        self.cooperate(prop.initiator)
    }

    /// `update_from_outcome` after the base update: record the outcome in
    /// the party's profile and in the agent's own trace.
    pub fn on_outcome(&mut self, other: AgentIdx, accepted: bool, p: f64) {
        let pos = self.order.len();
        let prof = self.profiles.get_or_insert_with(other, || Profile {
            pos,
            entries: Vec::new(),
            accepted_before: vec![0],
            accepted_p_sum: 0.0,
        });
        if prof.pos == pos {
            self.order.push(other);
        }
        prof.entries.push((accepted, p));
        let before = prof.accepted();
        prof.accepted_before.push(before + u32::from(accepted));
        if accepted {
            prof.accepted_p_sum += p;
        }
        if self.own.len() == self.p.horizon {
            self.own.pop_front();
        }
        self.own.push_back((accepted, p));
        self.graph = None;
    }

    /// Propose a collaboration to the visible agent with the best blend of
    /// twin score and trust, if LDT reasoning cooperates with it.
    fn propose(&mut self, obs: &Observation, mem: &Memory) -> Action {
        let own = self.own_vector();
        let own_mag = magnitude(own.iter().copied());
        let stranger = 0.6 * self.twin_against(&own, own_mag, None) + 0.4 * 0.5;
        let key = |b: AgentIdx| {
            let twin = self.twin_against(&own, own_mag, self.profiles.get(b));
            0.6 * twin + 0.4 * mem.trust(b)
        };
        let best = first_max_visible(
            obs,
            self.order.iter().copied(),
            |b| self.profiles.contains_key(b),
            |_| true,
            key,
            Some(stranger),
        );
        match best {
            Some(target) if self.cooperate(target) => {
                Action::Propose { target, kind: InteractionType::Collaboration }
            }
            _ => Action::Noop,
        }
    }

    // ------------------------------------------------------------ vectors

    /// The own behaviour vector: last `horizon` signals, padded with the
    /// cooperation prior.
    fn own_vector(&self) -> Vec<f64> {
        let mut v: Vec<f64> = self.own.iter().map(|&(a, p)| signal(a, p)).collect();
        v.resize(self.p.horizon, self.p.cooperation_prior);
        v
    }

    /// A party's behaviour vector: last `horizon` signals, padded with 0.5.
    fn party_vector(&self, prof: Option<&Profile>) -> Vec<f64> {
        let entries = prof.map_or(&[][..], |p| &p.entries[..]);
        let recent = &entries[entries.len().saturating_sub(self.p.horizon)..];
        let mut v: Vec<f64> = recent.iter().map(|&(a, p)| signal(a, p)).collect();
        v.resize(self.p.horizon, 0.5);
        v
    }

    fn twin_score(&self, c: AgentIdx) -> f64 {
        let own = self.own_vector();
        self.twin_against(&own, magnitude(own.iter().copied()), self.profiles.get(c))
    }

    /// The twin score `clamp(cosine(own, party vector))` without building
    /// the party's vector (proposing computes one per party met): the
    /// same products summed in the same order, so the same bits.
    fn twin_against(&self, own: &[f64], own_mag: f64, prof: Option<&Profile>) -> f64 {
        let entries = prof.map_or(&[][..], |p| &p.entries[..]);
        let recent = &entries[entries.len().saturating_sub(self.p.horizon)..];
        let party = recent
            .iter()
            .map(|&(a, p)| signal(a, p))
            .chain(std::iter::repeat(0.5))
            .take(self.p.horizon);
        let mut dot = 0.0;
        for (&x, y) in own.iter().zip(party.clone()) {
            dot += x * y;
        }
        let party_mag = magnitude(party);
        if own_mag == 0.0 || party_mag == 0.0 {
            return 0.0;
        }
        clamp01(dot / (own_mag * party_mag))
    }

    // ------------------------------------------------------------ decision

    /// `_ldt_cooperate_decision`: the levels the depth asks for. Levels
    /// whose result a depth does not use are pure and skipped.
    fn cooperate(&mut self, c: AgentIdx) -> bool {
        match self.p.depth {
            0 | 1 => self.level1(c),
            2 => {
                let l1 = self.level1(c);
                let l2 = self.level2(c);
                let confidence = self.infer(c).confidence;
                match (l1, l2) {
                    (true, true) => true,
                    (true, false) => confidence < 0.5,
                    (false, true) => confidence >= 0.5,
                    (false, false) => false,
                }
            }
            3 => {
                let l1 = if self.level1(c) { 1.0 } else { 0.0 };
                let l2 = if self.level2(c) { 1.0 } else { 0.0 };
                let l3 = self.level3(c);
                0.2 * l1 + 0.3 * l2 + 0.5 * l3 > 0.5
            }
            4 => self.level4(c) > 0.5,
            _ => self.monte_carlo(c) > 0.5,
        }
    }

    /// Level 1: twin detection (TDT: cosine; FDT/UDT: subjunctive
    /// dependence and proof-based cooperation), then the counterfactual
    /// payoff comparison, blended with the precommitted policy under UDT.
    fn level1(&self, c: AgentIdx) -> bool {
        let twin = self.twin_score(c);
        let effective_twin = if self.p.theory == Theory::Tdt {
            twin
        } else {
            let dep = self.dependence(c, twin);
            if dep.score >= self.p.proof_threshold {
                return true;
            }
            if dep.score < 0.2 && dep.agreement < 0.3 {
                return false;
            }
            self.p.subjunctive_weight * dep.score + (1.0 - self.p.subjunctive_weight) * twin
        };
        if effective_twin >= self.p.similarity_threshold {
            return true;
        }
        let cf_coop = self.cf_cooperate(c);
        let cf_defect = -0.5 * py_max(0.0, cf_coop - 0.5);
        let coop_value = cf_coop + self.p.welfare_weight * cf_coop;
        let effective = self.p.updateless_commitment * self.p.cooperation_prior
            + (1.0 - self.p.updateless_commitment) * coop_value;
        if self.p.theory == Theory::Udt && self.p.precommitment_strength > 0.0 {
            let precommit = if self.precommitted() { 1.0 } else { 0.0 };
            let greedy = if effective > cf_defect { 1.0 } else { 0.0 };
            let s = self.p.precommitment_strength;
            return s * precommit + (1.0 - s) * greedy > 0.5;
        }
        effective > cf_defect
    }

    /// UDT's policy fixed by the prior alone.
    fn precommitted(&self) -> bool {
        let cf = self.p.cooperation_prior;
        let coop_value = cf + self.p.welfare_weight * cf;
        coop_value > -0.5 * py_max(0.0, cf - 0.5)
    }

    /// Mean p of the party's accepted outcomes, or the prior.
    fn cf_cooperate(&self, c: AgentIdx) -> f64 {
        match self.profiles.get(c) {
            Some(prof) if prof.accepted() > 0 => prof.accepted_p_sum / f64::from(prof.accepted()),
            _ => self.p.cooperation_prior,
        }
    }

    /// Subjunctive dependence with party `c` (`twin` its cosine score):
    /// conditional agreement, conditional defection and mutual information
    /// of the paired last n decisions (n ≤ horizon).
    fn dependence(&self, c: AgentIdx, twin: f64) -> Dependence {
        let entries = self.profiles.get(c).map_or(&[][..], |p| &p.entries[..]);
        let n = entries.len().min(self.own.len());
        if n < 3 {
            return Dependence { score: twin, agreement: twin };
        }
        let ours = self.own.iter().skip(self.own.len() - n).map(|x| x.0);
        let theirs = entries[entries.len() - n..].iter().map(|x| x.0);
        let (mut aa, mut rr, mut ar, mut ra) = (0u32, 0u32, 0u32, 0u32);
        for (o, t) in ours.zip(theirs) {
            match (o, t) {
                (true, true) => aa += 1,
                (false, false) => rr += 1,
                (true, false) => ar += 1,
                (false, true) => ra += 1,
            }
        }
        let f = f64::from;
        let agreement = if aa + ar > 0 { f(aa) / f(aa + ar) } else { 0.5 };
        let defection = if rr + ra > 0 { f(rr) / f(rr + ra) } else { 0.5 };
        let nf = n as f64;
        let our_rate = f(aa + ar) / nf;
        let their_rate = f(aa + ra) / nf;
        let eps = 1e-10;
        let mut mi = 0.0;
        for (p_xy, p_x, p_y) in [
            (f(aa) / nf, our_rate, their_rate),
            (f(rr) / nf, 1.0 - our_rate, 1.0 - their_rate),
            (f(ar) / nf, our_rate, 1.0 - their_rate),
            (f(ra) / nf, 1.0 - our_rate, their_rate),
        ] {
            if p_xy > eps && p_x > eps && p_y > eps {
                mi += p_xy * (p_xy / (p_x * p_y)).log2();
            }
        }
        let mi = clamp01(mi);
        let score = clamp01(0.3 * twin + 0.3 * agreement + 0.15 * defection + 0.25 * mi);
        Dependence { score, agreement }
    }

    /// Level 2: the party's policy parameters inferred from its outcomes,
    /// blended with a mirror prior that fades as evidence grows.
    fn infer(&self, c: AgentIdx) -> Inferred {
        let p = &self.p;
        let mirror = Inferred {
            cooperation_prior: p.cooperation_prior,
            similarity_threshold: p.similarity_threshold,
            welfare_weight: p.welfare_weight,
            updateless_commitment: p.updateless_commitment,
            confidence: 0.0,
        };
        let Some(prof) = self.profiles.get(c) else { return mirror };
        let n = prof.entries.len();
        let confidence = py_min(n as f64 / p.horizon.max(1) as f64, 1.0);
        let obs_coop = f64::from(prof.accepted()) / n as f64;
        let accepted_ps = || prof.entries.iter().filter(|e| e.0).map(|e| e.1);
        let k = prof.accepted() as usize;
        let obs_sim = if k >= 2 {
            let mut sum = 0.0;
            for x in accepted_ps() {
                sum += x;
            }
            let mean = sum / k as f64;
            let mut var = 0.0;
            for x in accepted_ps() {
                var += py_square(x - mean);
            }
            clamp01(1.0 - (var / k as f64).sqrt())
        } else {
            0.5
        };
        let (mut marginal, mut marginal_acc) = (0u32, 0u32);
        for &(a, x) in &prof.entries {
            if (0.4..=0.6).contains(&x) {
                marginal += 1;
                marginal_acc += u32::from(a);
            }
        }
        let obs_welfare =
            if marginal > 0 { f64::from(marginal_acc) / f64::from(marginal) } else { 0.5 };
        let half = n / 2;
        let obs_commitment = if half >= 2 {
            let early_acc = prof.accepted_before[half];
            let early = f64::from(early_acc) / half as f64;
            let late = f64::from(prof.accepted() - early_acc) / (n - half) as f64;
            clamp01(1.0 - (late - early).abs())
        } else {
            0.5
        };
        let w = p.mirror_prior_weight * (1.0 - confidence);
        let blend = |observed: f64, mine: f64| clamp01(w * mine + (1.0 - w) * observed);
        Inferred {
            cooperation_prior: blend(obs_coop, p.cooperation_prior),
            similarity_threshold: blend(obs_sim, p.similarity_threshold),
            welfare_weight: blend(obs_welfare, p.welfare_weight),
            updateless_commitment: blend(obs_commitment, p.updateless_commitment),
            confidence,
        }
    }

    /// Level 2: would a level-1 agent with the inferred policy cooperate
    /// with us?
    fn level2(&self, c: AgentIdx) -> bool {
        let inf = self.infer(c);
        if self.twin_score(c) >= inf.similarity_threshold {
            return true;
        }
        let mut sum = 0.0;
        let mut k = 0u32;
        for &(a, p) in &self.own {
            if a {
                sum += p;
                k += 1;
            }
        }
        let cf_coop = if k > 0 { sum / f64::from(k) } else { inf.cooperation_prior };
        let cf_defect = -0.5 * py_max(0.0, cf_coop - 0.5);
        let coop_value = cf_coop + inf.welfare_weight * cf_coop;
        let effective = inf.updateless_commitment * inf.cooperation_prior
            + (1.0 - inf.updateless_commitment) * coop_value;
        effective > cf_defect
    }

    /// The soft level-1 decision used by the equilibrium iteration.
    fn best_response(&self, opponent: f64, twin: f64, pol: &Inferred) -> f64 {
        let twin_prob = sigmoid(10.0 * (twin - pol.similarity_threshold));
        let cp = pol.cooperation_prior;
        let cf_coop = opponent * cp + (1.0 - opponent) * 0.5 * cp;
        let cf_defect = -0.5 * py_max(0.0, cf_coop - 0.5);
        let coop_value = cf_coop + pol.welfare_weight * cf_coop;
        let effective =
            pol.updateless_commitment * cp + (1.0 - pol.updateless_commitment) * coop_value;
        let payoff_prob = sigmoid(5.0 * (effective - cf_defect));
        clamp01(twin_prob * 1.0 + (1.0 - twin_prob) * payoff_prob)
    }

    fn own_policy(&self) -> Inferred {
        Inferred {
            cooperation_prior: self.p.cooperation_prior,
            similarity_threshold: self.p.similarity_threshold,
            welfare_weight: self.p.welfare_weight,
            updateless_commitment: self.p.updateless_commitment,
            confidence: 0.0,
        }
    }

    /// Level 3: level-k iteration of both best responses to a fixed point.
    fn level3(&self, c: AgentIdx) -> f64 {
        let inf = self.infer(c);
        let mine = self.own_policy();
        let twin = self.twin_score(c);
        let d = self.p.introspection_discount;
        let eps = self.p.convergence_epsilon;
        let (mut my_p, mut their_p) = (self.p.cooperation_prior, inf.cooperation_prior);
        for _ in 0..self.p.max_recursion_depth {
            let new_my = self.best_response(their_p, twin, &mine);
            let new_their = self.best_response(my_p, twin, &inf);
            let new_my = d * new_my + (1.0 - d) * my_p;
            let new_their = d * new_their + (1.0 - d) * their_p;
            if (new_my - my_p).abs() < eps && (new_their - their_p).abs() < eps {
                my_p = new_my;
                break;
            }
            my_p = new_my;
            their_p = new_their;
        }
        clamp01(my_p)
    }

    // ------------------------------------------------------------ twin graph

    /// Edges of similarity ≥ `twin_graph_min_edge` between the agent and
    /// each party and between parties. Each adjacency list is in the
    /// reference's insertion order: the self node first, then parties in
    /// first-outcome order.
    fn build_graph(&self) -> Vec<Vec<(usize, f64)>> {
        let k = self.order.len();
        let vectors: Vec<Vec<f64>> =
            self.order.iter().map(|&b| self.party_vector(self.profiles.get(b))).collect();
        let own = self.own_vector();
        let min = self.p.twin_graph_min_edge;
        let mut adj: Vec<Vec<(usize, f64)>> = vec![Vec::new(); k + 1];
        for (i, v) in vectors.iter().enumerate() {
            let sim = clamp01(cosine(&own, v));
            if sim >= min {
                adj[k].push((i, sim));
                adj[i].push((SELF, sim));
            }
        }
        for i in 0..k {
            for j in i + 1..k {
                let sim = clamp01(cosine(&vectors[i], &vectors[j]));
                if sim >= min {
                    adj[i].push((j, sim));
                    adj[j].push((i, sim));
                }
            }
        }
        adj
    }

    /// Breadth-first search from `c` for transitive twins: (profile
    /// position, decayed path score), within the traversal depth.
    fn transitive_twins(&mut self, c: AgentIdx) -> Vec<(usize, f64)> {
        let Some(start) = self.profiles.get(c).map(|p| p.pos) else { return Vec::new() };
        if self.graph.is_none() {
            self.graph = Some(self.build_graph());
        }
        let graph = self.graph.as_ref().expect("built");
        let decay = self.p.twin_graph_decay;
        let mut visited = vec![false; self.order.len()];
        visited[start] = true;
        let mut result = Vec::new();
        let mut frontier: Vec<(usize, f64)> = Vec::new();
        for &(nb, edge) in &graph[start] {
            if nb != SELF && !visited[nb] {
                visited[nb] = true;
                frontier.push((nb, edge * decay));
            }
        }
        let mut depth = 1;
        while !frontier.is_empty() && depth < self.p.twin_graph_traversal_depth {
            result.extend_from_slice(&frontier);
            let mut next = Vec::new();
            for &(node, score) in &frontier {
                for &(nb, edge) in &graph[node] {
                    if nb == SELF || visited[nb] {
                        continue;
                    }
                    let decayed = score * edge * decay;
                    // Negligible paths are pruned (and stay unvisited).
                    if decayed > 0.01 {
                        next.push((nb, decayed));
                        visited[nb] = true;
                    }
                }
            }
            frontier = next;
            depth += 1;
        }
        result.extend_from_slice(&frontier);
        result
    }

    /// The acausal bonus: the twins' cooperation rates weighted by path
    /// score; None without twins.
    fn acausal_bonus(&mut self, c: AgentIdx) -> Option<f64> {
        let twins = self.transitive_twins(c);
        if twins.is_empty() {
            return None;
        }
        let (mut bonus, mut weight) = (0.0, 0.0);
        for (pos, score) in twins {
            let prof = self.profiles.get(self.order[pos]).expect("a recorded party");
            bonus += score * prof.coop_rate();
            weight += score;
        }
        Some(clamp01(if weight > 0.0 { bonus / weight } else { 0.0 }))
    }

    /// Level 4: the level-3 equilibrium blended with the acausal bonus.
    fn level4(&mut self, c: AgentIdx) -> f64 {
        let l3 = self.level3(c);
        match self.acausal_bonus(c) {
            None => l3,
            Some(bonus) => {
                let beta = self.p.acausal_bonus_weight;
                clamp01((1.0 - beta) * l3 + beta * bonus)
            }
        }
    }

    /// Level 5: the mean over samples of a simplified level 4 on profiles
    /// whose p values carry Gaussian noise. Every recorded outcome of every
    /// party draws its noise, in first-outcome order, though only party
    /// `c`'s last `horizon` noisy values change the result.
    fn monte_carlo(&mut self, c: AgentIdx) -> f64 {
        let samples = self.p.n_counterfactual_samples;
        if samples == 0 {
            return 0.5;
        }
        let own = self.own_vector();
        let bonus = self.acausal_bonus(c);
        let (target, len) = match self.profiles.get(c) {
            Some(prof) => (Some(prof.pos), prof.entries.len()),
            None => (None, 0),
        };
        let keep_from = len.saturating_sub(self.p.horizon);
        let inferred_prior = match self.profiles.get(c) {
            Some(prof) => prof.coop_rate(),
            None => self.p.cooperation_prior,
        };
        let mine = self.own_policy();
        let std = self.p.counterfactual_noise_std;
        let mut vec = Vec::with_capacity(self.p.horizon);
        let mut sum = 0.0;
        let seed = i128::from(self.mc_seed);
        let mut mc =
            self.mc.take().unwrap_or_else(|| LazyGauss { rng: PyRandom::new(seed), pending: None });
        for _ in 0..samples {
            vec.clear();
            for (pos, &b) in self.order.iter().enumerate() {
                let prof = self.profiles.get(b).expect("a recorded party");
                for (i, &(a, p)) in prof.entries.iter().enumerate() {
                    if Some(pos) == target && i >= keep_from {
                        let noise = mc.gauss(std);
                        vec.push(signal(a, clamp01(p + noise)));
                    } else {
                        mc.skip();
                    }
                }
            }
            vec.resize(self.p.horizon, 0.5);
            let twin = clamp01(cosine(&own, &vec));
            let my_p = self.best_response(inferred_prior, twin, &mine);
            sum += match bonus {
                None => my_p,
                Some(bonus) => {
                    let beta = self.p.acausal_bonus_weight;
                    clamp01((1.0 - beta) * my_p + beta * bonus)
                }
            };
        }
        self.mc = Some(mc);
        sum / f64::from(samples)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_matches_definition() {
        assert_eq!(cosine(&[1.0, 0.0], &[0.0, 1.0]), 0.0);
        assert_eq!(cosine(&[1.0], &[1.0, 2.0]), 0.0);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 1.0]), 0.0);
        assert!((cosine(&[1.0, 2.0], &[2.0, 4.0]) - 1.0).abs() < 1e-15);
    }

    /// Skipped and read deviates leave the stream where `PyRandom::gauss`
    /// would, and read ones are its values to the bit.
    #[test]
    fn lazy_gauss_matches_gauss() {
        let mut plain = PyRandom::new(77);
        let mut lazy = LazyGauss { rng: PyRandom::new(77), pending: None };
        let mut pick = PyRandom::new(5);
        for _ in 0..10_000 {
            let want = plain.gauss(0.0, 0.3);
            if pick.random() < 0.3 {
                assert_eq!(lazy.gauss(0.3).to_bits(), want.to_bits());
            } else {
                lazy.skip();
            }
        }
    }

    /// A hand-written config (not from the Python loader) is checked too.
    #[test]
    fn bad_params_name_the_key() {
        let json = |extra: &str| {
            format!(
                r#"{{"seed": 1, "agents": [{{"type": "ldt", "config": {{{extra}}}}},
                {{"type": "rlm", "count": 1}}]}}"#
            )
        };
        let err = |extra: &str| {
            crate::config::RunConfig::from_json(&json(extra))
                .and_then(|c| c.validate())
                .unwrap_err()
                .to_string()
        };
        assert!(err(r#""decision_theory": "edt""#).contains("agents[0].config.decision_theory"));
        assert!(err(r#""counterfactual_horizon": 0"#)
            .contains("agents[0].config.counterfactual_horizon"));
        let ok = crate::config::RunConfig::from_json(&json(r#""decision_theory": "udt""#));
        assert!(ok.and_then(|c| c.validate()).is_ok());
    }

    /// The allocation-free twin score is `cosine` on the built vectors.
    #[test]
    fn twin_against_matches_cosine() {
        let params = AgentParams { counterfactual_horizon: Some(6), ..Default::default() };
        let mut rng = PyRandom::new(3);
        let mut a = Ldt::new(&params, &mut rng, 10);
        for k in 0..40 {
            let b = rng.randbelow(5) as AgentIdx;
            a.on_outcome(b, rng.random() < 0.6, rng.random());
            for c in 0..6 {
                let own = a.own_vector();
                let want = clamp01(cosine(&own, &a.party_vector(a.profiles.get(c))));
                assert_eq!(a.twin_score(c).to_bits(), want.to_bits(), "step {k} party {c}");
            }
        }
    }

    #[test]
    fn clamp_folds_negative_zero() {
        assert!(clamp01(-0.0).is_sign_positive());
        assert_eq!(clamp01(1.5), 1.0);
        assert_eq!(clamp01(-3.0), 0.0);
    }

    /// The depth-4 graph lists the self node first, then parties in
    /// first-outcome order, in every adjacency list.
    #[test]
    fn twin_graph_adjacency_order() {
        let params = AgentParams { acausality_depth: Some(4), ..Default::default() };
        let mut rng = PyRandom::new(1);
        let mut a = Ldt::new(&params, &mut rng, 10);
        for (b, acc, p) in [(5, true, 0.8), (2, true, 0.7), (7, true, 0.9), (2, true, 0.75)] {
            a.on_outcome(b, acc, p);
        }
        let g = a.build_graph();
        assert_eq!(a.order, vec![5, 2, 7]);
        let firsts: Vec<usize> = g[1].iter().map(|e| e.0).collect();
        assert_eq!(firsts, vec![SELF, 0, 2]);
        let own: Vec<usize> = g[3].iter().map(|e| e.0).collect();
        assert_eq!(own, vec![0, 1, 2]);
    }
}
