//! The SkillRL agent, YAML type `skillrl` (issue 17; swarm-safety 1.9.0,
//! `swarm/agents/skillrl_agent.py` with `swarm/skills/`): an honest-type
//! agent whose acceptance threshold and trust weight are shifted by a skill
//! drawn from its own skill library, which it grows from its outcomes.
//!
//! What reaches a number, and is kept here:
//! - extraction (`SkillEvolutionEngine.extract_skill`), at every outcome
//!   unless five skills were already added this epoch: the payoff's
//!   GRPO advantage over the last `grpo_window_size` payoffs decides a
//!   strategy (advantage ≥ 0.5 and p ≥ 0.55) or a lesson (≤ −0.3); a
//!   collaboration's skill goes to the coordination domain, any other to
//!   the interaction domain; collaborations and trades make task-specific
//!   skills, replies general ones. At most 50 skills, the weakest evicted.
//! - selection (`select_best_skill_tiered`), for the proposal answered or
//!   made: the best (effectiveness) task-specific skill of the interaction
//!   domain, else the best general skill of any domain. The agent's context
//!   carries no p and no interaction type, so every skill's condition
//!   matches and conditions are not kept.
//! - invocations, refinement every `refinement_interval` epochs (skills
//!   that fail too often become more cautious) and promotion to the
//!   general tier every `promotion_interval` epochs.
//!
//! Two things the reference does cannot be reproduced, so swarm_fast
//! chooses deterministically: its exploration (`skill_exploration_rate`)
//! draws from Python's process-wide `random` module, which no seed reaches,
//! and the task-specific candidates come from a `set` of uuid4 strings, so
//! ties on effectiveness go to whichever hashes first. swarm_fast never
//! explores and breaks ties by age (the oldest skill). The reference's
//! results depend on either only when an agent's candidates differ in
//! effect; on its skillrl file every candidate set an agent meets has one
//! effect (the parity tests run it and variants).
//!
//! Never read, so not kept: skill names, conditions, co-occurrences (no
//! composition is ever attempted), the invocation log and the policy
//! gradient tracker. The reference counts each refinement twice (once when
//! it applies it, once when it "approves" it, there being no governance
//! lever); the count is reset before it is read again, so that changes
//! nothing.

use super::memory::Memory;
use super::{answer, most_trusted};
use crate::config::AgentParams;
use crate::observables::{py_max, py_min};
use crate::observation::{Observation, ProposalView};
use crate::rng::PyRandom;
use crate::types::{Action, AgentIdx, InteractionType};
use std::collections::VecDeque;

/// `max_skills_per_agent` of the default `SkillLibraryConfig`.
const MAX_SKILLS: usize = 50;
/// `prune_min_invocations`: eviction prefers skills with this many.
const EVICT_MIN_INVOCATIONS: u32 = 3;
/// `max_extractions_per_epoch` of the evolution config the agent builds.
const MAX_EXTRACTIONS: u32 = 5;

/// Python's `x ** y` for floats: libm `pow` (black_box keeps LLVM from
/// rewriting it as a multiplication or a square root).
fn py_pow(x: f64, y: f64) -> f64 {
    std::hint::black_box(x).powf(std::hint::black_box(y))
}

fn clamp01(x: f64) -> f64 {
    py_max(0.0, py_min(1.0, x))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum SkillType {
    Strategy,
    Lesson,
}

/// One skill: its kind, tier, effect and performance (`SkillPerformance`).
#[derive(Debug, Clone)]
struct Skill {
    id: u64,
    kind: SkillType,
    /// Domain INTERACTION (else COORDINATION).
    interaction: bool,
    /// Tier GENERAL (else TASK_SPECIFIC).
    general: bool,
    threshold_delta: f64,
    trust_weight_delta: f64,
    avoid: bool,
    invocations: u32,
    successes: u32,
    ema_payoff: f64,
}

impl Skill {
    fn success_rate(&self) -> f64 {
        if self.invocations == 0 {
            return 0.5;
        }
        self.successes as f64 / self.invocations as f64
    }

    fn effectiveness(&self) -> f64 {
        if self.invocations < 2 {
            return 0.5;
        }
        0.5 * self.success_rate() + 0.5 * py_max(0.0, py_min(1.0, self.ema_payoff / 5.0))
    }

    fn record(&mut self, payoff: f64) {
        self.invocations += 1;
        if payoff > 0.0 {
            self.successes += 1;
        }
        self.ema_payoff = self.ema_payoff * (1.0 - 0.3) + payoff * 0.3;
    }
}

/// The first skill with the highest effectiveness (Python's `max`).
fn best<'a>(skills: impl Iterator<Item = &'a Skill>) -> Option<&'a Skill> {
    super::first_max_by(skills, |s| s.effectiveness())
}

#[derive(Debug, Clone)]
pub struct SkillRl {
    acceptance_threshold: f64,
    trust_weight: f64,
    post_probability: f64,
    vote_probability: f64,
    interact_probability: f64,
    refinement_interval: f64,
    promotion_interval: f64,
    grpo_window: usize,
    grpo_temperature: f64,
    refinement_min_invocations: f64,
    refinement_success_threshold: f64,
    max_refinements_per_epoch: f64,
    promotion_min_invocations: f64,
    promotion_min_success_rate: f64,
    /// The library in insertion order.
    skills: Vec<Skill>,
    next_id: u64,
    /// The skill chosen for the proposal in hand (`_active_skill_ids`).
    active: Option<u64>,
    grpo_payoffs: VecDeque<f64>,
    extractions_this_epoch: u32,
    refinements_this_epoch: f64,
    last_seen_epoch: i64,
    last_refinement_epoch: i64,
    last_promotion_epoch: i64,
}

impl SkillRl {
    pub fn new(c: &AgentParams) -> Self {
        let window = c.grpo_window_size.unwrap_or(20);
        SkillRl {
            acceptance_threshold: c.acceptance_threshold.unwrap_or(0.4),
            trust_weight: c.trust_weight.unwrap_or(0.3),
            post_probability: c.post_probability.unwrap_or(0.2),
            vote_probability: c.vote_probability.unwrap_or(0.3),
            interact_probability: c.interact_probability.unwrap_or(0.5),
            refinement_interval: c.refinement_interval.unwrap_or(2.0),
            promotion_interval: c.promotion_interval.unwrap_or(5.0),
            // deque(maxlen=max(1, window)).
            grpo_window: window.max(1) as usize,
            grpo_temperature: c.grpo_temperature.unwrap_or(1.0),
            refinement_min_invocations: c.refinement_min_invocations.unwrap_or(3.0),
            refinement_success_threshold: c.refinement_success_threshold.unwrap_or(0.4),
            max_refinements_per_epoch: c.max_refinements_per_epoch.unwrap_or(3.0),
            promotion_min_invocations: c.tier_promotion_min_invocations.unwrap_or(10.0),
            promotion_min_success_rate: c.tier_promotion_min_success_rate.unwrap_or(0.6),
            skills: Vec::new(),
            next_id: 0,
            active: None,
            grpo_payoffs: VecDeque::new(),
            extractions_this_epoch: 0,
            refinements_this_epoch: 0.0,
            last_seen_epoch: -1,
            last_refinement_epoch: -1,
            last_promotion_epoch: -1,
        }
    }

    // Out of line: keeps the dispatch of the paper's policies lean.
    #[inline(never)]
    pub fn act(&mut self, obs: &Observation, rng: &mut PyRandom, mem: &Memory) -> Action {
        let epoch = i64::from(obs.epoch);
        if epoch != self.last_seen_epoch {
            self.last_seen_epoch = epoch;
            self.extractions_this_epoch = 0;
            self.refinements_this_epoch = 0.0;
        }
        self.maybe_refine(epoch);
        self.maybe_promote(epoch);

        if let Some(p) = obs.pending {
            return answer(&p, self.decide(p.initiator, mem));
        }
        if obs.can_interact && obs.has_visible() && rng.random() < self.interact_probability {
            // max(candidates, key=trust): the first most trusted.
            if let Some(target) = most_trusted(obs, mem, f64::NEG_INFINITY) {
                self.select();
                return Action::Propose { target, kind: InteractionType::Collaboration };
            }
        }
        if obs.can_post && rng.random() < self.post_probability {
            return Action::Post;
        }
        if obs.can_vote && !obs.posts.is_empty() && rng.random() < self.vote_probability {
            let post = obs.posts[rng.choice_index(obs.posts.len())].idx;
            return Action::Vote { post, up: true };
        }
        Action::Noop
    }

    /// `accept_interaction`: the same skill-shifted test as on its turn.
    // Out of line: keeps the dispatch of the paper's policies lean.
    #[inline(never)]
    pub fn accept(&mut self, prop: &ProposalView, mem: &Memory) -> bool {
        self.decide(prop.initiator, mem)
    }

    /// Select a skill for `initiator`'s proposal, then accept when the
    /// blend of trust and neutrality clears the shifted threshold, unless
    /// the skill says to avoid.
    fn decide(&mut self, initiator: AgentIdx, mem: &Memory) -> bool {
        let (mut threshold, mut tw) = (self.acceptance_threshold, self.trust_weight);
        let mut avoid = false;
        if let Some(s) = self.select() {
            threshold = clamp01(threshold + s.threshold_delta);
            tw = clamp01(tw + s.trust_weight_delta);
            avoid = s.avoid;
        }
        let effective = mem.trust(initiator) * tw + 0.5 * (1.0 - tw);
        !avoid && effective >= threshold
    }

    /// `_select_skill`: the chosen skill becomes the active one (or none).
    fn select(&mut self) -> Option<Skill> {
        let task = best(self.skills.iter().filter(|s| s.interaction && !s.general));
        let chosen = task.or_else(|| best(self.skills.iter().filter(|s| s.general))).cloned();
        self.active = chosen.as_ref().map(|s| s.id);
        chosen
    }

    /// `update_from_outcome` after the base memory update: the active
    /// skill's invocation, an extraction attempt, then no active skill.
    // Out of line: keeps the dispatch of the paper's policies lean.
    #[inline(never)]
    pub fn on_outcome(&mut self, kind: InteractionType, p: f64, payoff: f64) {
        if let Some(id) = self.active.take() {
            // An evicted skill has no performance record left: nothing.
            if let Some(s) = self.skills.iter_mut().find(|s| s.id == id) {
                s.record(payoff);
            }
        }
        self.extract(kind, p, payoff);
    }

    fn extract(&mut self, kind: InteractionType, p: f64, payoff: f64) {
        if self.extractions_this_epoch >= MAX_EXTRACTIONS {
            return;
        }
        let advantage = self.grpo_advantage(payoff);
        let skill_type = if advantage >= 0.5 && p >= 0.55 {
            SkillType::Strategy
        } else if advantage <= -0.3 {
            SkillType::Lesson
        } else {
            return;
        };
        let (threshold_delta, trust_weight_delta, avoid) = match skill_type {
            SkillType::Strategy => (if payoff > 1.0 { -0.1 } else { -0.05 }, 0.05, false),
            SkillType::Lesson if payoff < -1.0 => (0.15, -0.05, true),
            SkillType::Lesson => (0.1, -0.05, false),
        };
        if self.skills.len() >= MAX_SKILLS {
            self.evict_weakest();
        }
        self.skills.push(Skill {
            id: self.next_id,
            kind: skill_type,
            interaction: kind != InteractionType::Collaboration,
            general: !matches!(kind, InteractionType::Collaboration | InteractionType::Trade),
            threshold_delta,
            trust_weight_delta,
            avoid,
            invocations: 0,
            successes: 0,
            ema_payoff: 0.0,
        });
        self.next_id += 1;
        self.extractions_this_epoch += 1;
    }

    /// `compute_grpo_advantage`: (payoff − mean) / (std + temperature) over
    /// the window including this payoff. Sums run left to right, as
    /// CPython 3.11's `sum` adds floats.
    fn grpo_advantage(&mut self, payoff: f64) -> f64 {
        if !payoff.is_finite() {
            return 0.0;
        }
        if self.grpo_payoffs.len() == self.grpo_window {
            self.grpo_payoffs.pop_front();
        }
        self.grpo_payoffs.push_back(payoff);
        let n = self.grpo_payoffs.len();
        if n < 2 {
            return payoff;
        }
        let mean = self.grpo_payoffs.iter().fold(0.0, |a, &x| a + x) / n as f64;
        let variance =
            self.grpo_payoffs.iter().fold(0.0, |a, &x| a + py_pow(x - mean, 2.0)) / n as f64;
        let std = py_pow(variance, 0.5);
        (payoff - mean) / (std + py_max(1e-8, self.grpo_temperature))
    }

    /// `_evict_weakest`: the least effective skill among those invoked at
    /// least three times, else the oldest.
    fn evict_weakest(&mut self) {
        let weakest = super::first_max_by(
            self.skills.iter().enumerate().filter(|(_, s)| s.invocations >= EVICT_MIN_INVOCATIONS),
            |(_, s)| -s.effectiveness(),
        )
        .map(|(i, _)| i);
        self.skills.remove(weakest.unwrap_or(0));
    }

    /// Python's `epoch % interval != 0` for a positive interval.
    fn due(epoch: i64, last: i64, interval: f64) -> bool {
        interval > 0.0 && epoch > last && (epoch as f64) % interval == 0.0
    }

    /// `_maybe_refine`: every `refinement_interval` epochs, up to
    /// `max_refinements_per_epoch` skills that fail too often (success
    /// rate below `refinement_success_threshold` after enough invocations)
    /// lean towards caution. Their p band also narrows, which nothing reads.
    fn maybe_refine(&mut self, epoch: i64) {
        if !Self::due(epoch, self.last_refinement_epoch, self.refinement_interval) {
            return;
        }
        self.last_refinement_epoch = epoch;
        for s in &mut self.skills {
            if self.refinements_this_epoch >= self.max_refinements_per_epoch {
                break;
            }
            if (s.invocations as f64) < self.refinement_min_invocations
                || s.success_rate() >= self.refinement_success_threshold
            {
                continue;
            }
            let step = match s.kind {
                SkillType::Strategy => 0.02,
                SkillType::Lesson => 0.03,
            };
            s.threshold_delta = py_max(-0.5, py_min(0.5, s.threshold_delta + step));
            self.refinements_this_epoch += 1.0;
        }
    }

    /// `_maybe_promote`: every `promotion_interval` epochs, task-specific
    /// skills with enough invocations and successes become general.
    fn maybe_promote(&mut self, epoch: i64) {
        if !Self::due(epoch, self.last_promotion_epoch, self.promotion_interval) {
            return;
        }
        self.last_promotion_epoch = epoch;
        for s in &mut self.skills {
            if !s.general
                && s.invocations as f64 >= self.promotion_min_invocations
                && s.success_rate() >= self.promotion_min_success_rate
            {
                s.general = true;
            }
        }
    }
}
