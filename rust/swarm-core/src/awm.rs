//! The `awm:` subsystem's handler (issue 17; swarm/core/awm_handler.py,
//! `AWMHandler`, with swarm/bridges/awm/), as the reference runs it without
//! a live AWM server: tool calls and verification are simulated.
//!
//! What the reference does, traced on awm_demo.yaml:
//!
//! - At each epoch start it makes `max_tasks_per_epoch` tasks and gives task
//!   i to the i-th agent of the whole population modulo its size (a later
//!   task replaces an earlier one's assignment): the first
//!   min(tasks, agents) agents hold a task, whatever their type.
//! - An `awm_agent` (agents/awm_agent.rs) holding a task plans its calls on its
//!   turn and sends them all (batch mode). For each call, in order: with
//!   `shared_database`, a write tool (`update_`, `create_`, `delete_`)
//!   draws once per other agent that has written this epoch (in the order
//!   they first wrote) until a draw falls below `conflict_probability`: a
//!   conflict, an error response, and the batch stops there; otherwise the
//!   agent joins the writers. Then an unknown tool is malformed (an error
//!   response, no draw) and a known one succeeds when a draw is below 0.85
//!   (else an error response). The batch also stops once
//!   `max_steps_per_task` calls are made; with that at 0 or below the
//!   action fails before any call, the task stays and the agent plans again
//!   on its next turn.
//! - Verification: no call, fail (no draw); else one draw below
//!   max(0, 0.8 − errors/calls − 1.5·malformed/calls).
//! - The interaction is the agent's with itself, accepted, a
//!   collaboration: observables (1 if verified else −0.5,
//!   int(errors·error_weight), 0 if verified else 1,
//!   int(malformed·misuse_weight), clamp(1 − calls/max_steps, −1, 1)); the
//!   p the verifier computes from `verification_confidence` only reaches
//!   the event log. The task is then done for the epoch.
//! - Step mode (an agent's `step_mode`): the reference's observation never
//!   carries the episode's state (`awm_episode_active`, `awm_steps_remaining`
//!   stay at False and 0), so the agent plans (its draws) and finishes at
//!   once: verification of no call, fail; observables (−0.5, 0, 1, 0,
//!   1 if max_steps > 0 else 0).
//!
//! All the handler's draws come from its own stream, `Random(seed)` with the
//! run's seed (`awm.seed` is never read).

use serde::{Deserialize, Serialize};

use crate::agents::awm_agent::MALFORMED;
use crate::error::{SwarmError, SwarmResult};
use crate::observables::Observables;
use crate::rng::PyRandom;
use crate::types::AgentIdx;

/// The handler's default tools (`_get_available_tools`), in order; only
/// whether a tool writes matters here.
pub const TOOLS: [&str; 5] =
    ["query_database", "update_record", "create_record", "delete_record", "list_tables"];

fn writes(tool: u8) -> bool {
    tool != MALFORMED
        && matches!(TOOLS[tool as usize], "update_record" | "create_record" | "delete_record")
}

/// The part of `AWMConfig` the simulated handler reads (Python checks and
/// drops the rest; live mode is refused there).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AwmConfig {
    pub max_steps_per_task: i64,
    pub max_tasks_per_epoch: i64,
    pub error_weight: f64,
    pub misuse_weight: f64,
    pub shared_database: bool,
    pub conflict_probability: f64,
}

impl Default for AwmConfig {
    fn default() -> Self {
        AwmConfig {
            max_steps_per_task: 20,
            max_tasks_per_epoch: 5,
            error_weight: 1.0,
            misuse_weight: 1.0,
            shared_database: false,
            conflict_probability: 0.3,
        }
    }
}

/// The counts' weights: int(count x weight) must fit the observables'
/// counts (at most a million calls per task, see agents/awm_agent.rs).
pub const MAX_WEIGHT: f64 = 1000.0;
/// The most calls a worker plans (`tool_call_count`, either sign).
pub const MAX_CALLS: i64 = 1_000_000;

impl AwmConfig {
    /// What the handler relies on (Python checks first, naming the key).
    pub fn validate(&self) -> SwarmResult<()> {
        for (key, w) in
            [("awm.error_weight", self.error_weight), ("awm.misuse_weight", self.misuse_weight)]
        {
            if !(0.0..=MAX_WEIGHT).contains(&w) {
                return Err(SwarmError::Config(format!(
                    "{key}: must be >= 0 and <= 1000, got {w}"
                )));
            }
        }
        if !(0.0..=1.0).contains(&self.conflict_probability) {
            return Err(SwarmError::Config(format!(
                "awm.conflict_probability: must be >= 0 and <= 1, got {}",
                self.conflict_probability
            )));
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub struct Awm {
    cfg: AwmConfig,
    rng: PyRandom,
    /// Agents holding this epoch's task (the first min(tasks, n)).
    assigned: Vec<bool>,
    /// The agents that wrote this epoch, in the order they first did.
    writers: Vec<AgentIdx>,
    /// The current agent's planned calls (reused).
    pub plan: Vec<u8>,
}

impl Awm {
    pub fn new(cfg: AwmConfig, seed: i128, n_agents: usize) -> Self {
        Awm {
            cfg,
            rng: PyRandom::new(seed),
            assigned: vec![false; n_agents],
            writers: Vec::new(),
            plan: Vec::new(),
        }
    }

    pub fn n_tools(&self) -> usize {
        TOOLS.len()
    }

    /// `on_epoch_start`: this epoch's assignments.
    pub fn on_epoch_start(&mut self) {
        let n = self.assigned.len();
        self.assigned.fill(false);
        let k = usize::try_from(self.cfg.max_tasks_per_epoch.max(0)).unwrap_or(usize::MAX).min(n);
        self.assigned[..k].fill(true);
    }

    /// `on_epoch_end`: the write sets empty.
    pub fn on_epoch_end(&mut self) {
        self.writers.clear();
    }

    pub fn assigned(&self, a: AgentIdx) -> bool {
        self.assigned[a as usize]
    }

    /// `_check_write_conflict`.
    fn conflict(&mut self, a: AgentIdx, tool: u8) -> bool {
        if !self.cfg.shared_database || !writes(tool) {
            return false;
        }
        for k in 0..self.writers.len() {
            if self.writers[k] != a && self.rng.random() < self.cfg.conflict_probability {
                return true;
            }
        }
        if !self.writers.contains(&a) {
            self.writers.push(a);
        }
        false
    }

    /// `_handle_batch_mode` on agent `a`'s plan (`self.plan`): the
    /// interaction's observables, or None when the action fails (the task
    /// is then kept).
    pub fn batch(&mut self, a: AgentIdx) -> Option<Observables> {
        let max_steps = self.cfg.max_steps_per_task;
        if max_steps <= 0 {
            return None;
        }
        let (mut calls, mut errors, mut malformed) = (0i64, 0u32, 0u32);
        let plan = std::mem::take(&mut self.plan);
        for &tool in &plan {
            calls += 1;
            if self.conflict(a, tool) {
                errors += 1;
                break;
            }
            if tool == MALFORMED {
                malformed += 1;
                errors += 1;
            } else if self.rng.random() >= 0.85 {
                errors += 1;
            }
            if calls >= max_steps {
                break;
            }
        }
        self.plan = plan;
        // `_simulate_verification`.
        let verified = if calls == 0 {
            false
        } else {
            let total = calls as f64;
            let error_ratio = f64::from(errors) / total;
            let malformed_ratio = f64::from(malformed) / total;
            let success = (0.8 - error_ratio - malformed_ratio * 1.5).max(0.0);
            self.rng.random() < success
        };
        self.assigned[a as usize] = false;
        Some(self.observables(verified, errors, malformed, calls, max_steps))
    }

    /// `_handle_finish_task` of an episode with no call (step mode).
    pub fn finish(&mut self, a: AgentIdx) -> Observables {
        self.assigned[a as usize] = false;
        self.observables(false, 0, 0, 0, self.cfg.max_steps_per_task)
    }

    /// `AWMObservableMapper.map`.
    fn observables(
        &self,
        verified: bool,
        errors: u32,
        malformed: u32,
        steps: i64,
        max_steps: i64,
    ) -> Observables {
        let efficiency = if max_steps > 0 { 1.0 - steps as f64 / max_steps as f64 } else { 0.0 };
        Observables {
            task_progress: if verified { 1.0 } else { -0.5 },
            // int(): truncation; Python bounds the weights (0 to 1000) so
            // the counts fit.
            rework: (f64::from(errors) * self.cfg.error_weight) as u32,
            rejections: u32::from(!verified),
            misuse: (f64::from(malformed) * self.cfg.misuse_weight) as u32,
            engagement: efficiency.clamp(-1.0, 1.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handler(cfg: AwmConfig, n: usize) -> Awm {
        let mut h = Awm::new(cfg, 42, n);
        h.on_epoch_start();
        h
    }

    #[test]
    fn the_first_agents_hold_the_tasks() {
        let h = handler(AwmConfig { max_tasks_per_epoch: 2, ..Default::default() }, 4);
        assert_eq!((0..4).map(|a| h.assigned(a)).collect::<Vec<_>>(), [true, true, false, false]);
        // More tasks than agents: each agent holds one (later ones replace).
        let h = handler(AwmConfig { max_tasks_per_epoch: 9, ..Default::default() }, 4);
        assert!((0..4).all(|a| h.assigned(a)));
        let h = handler(AwmConfig { max_tasks_per_epoch: -1, ..Default::default() }, 4);
        assert!((0..4).all(|a| !h.assigned(a)));
    }

    #[test]
    fn a_batch_without_steps_fails_and_keeps_the_task() {
        let mut h = handler(AwmConfig { max_steps_per_task: 0, ..Default::default() }, 2);
        h.plan = vec![0, 1];
        assert!(h.batch(0).is_none());
        assert!(h.assigned(0));
    }

    #[test]
    fn all_malformed_calls_fail_verification() {
        // Every call malformed: success probability max(0, 0.8 - 1 - 1.5) = 0.
        let mut h = handler(AwmConfig { max_steps_per_task: 4, ..Default::default() }, 1);
        h.plan = vec![MALFORMED; 6];
        let o = h.batch(0).expect("an interaction");
        assert_eq!((o.task_progress, o.rework, o.rejections, o.misuse), (-0.5, 4, 1, 4));
        // Four of four steps used.
        assert_eq!(o.engagement, 0.0);
        assert!(!h.assigned(0));
    }

    #[test]
    fn a_finished_episode_without_calls_fails() {
        let mut h = handler(AwmConfig::default(), 1);
        let o = h.finish(0);
        assert_eq!((o.task_progress, o.rejections, o.engagement), (-0.5, 1, 1.0));
        let mut h = handler(AwmConfig { max_steps_per_task: 0, ..Default::default() }, 1);
        assert_eq!(h.finish(0).engagement, 0.0);
    }

    #[test]
    fn certain_conflicts_stop_the_second_writer() {
        let cfg =
            AwmConfig { shared_database: true, conflict_probability: 1.0, ..Default::default() };
        let mut h = handler(cfg, 2);
        // update_record twice: agent 0 becomes a writer.
        h.plan = vec![1, 1];
        h.batch(0);
        h.plan = vec![0, 2, 1, 1];
        let o = h.batch(1).expect("an interaction");
        // The query runs, the create conflicts: two steps, the batch stops.
        assert_eq!(o.engagement, 1.0 - 2.0 / 20.0);
        assert!(o.rework >= 1);
    }

    #[test]
    fn weights_outside_their_range_are_refused() {
        assert!(AwmConfig { error_weight: -1.0, ..Default::default() }.validate().is_err());
        assert!(AwmConfig { misuse_weight: f64::NAN, ..Default::default() }.validate().is_err());
        assert!(AwmConfig { conflict_probability: 2.0, ..Default::default() }.validate().is_err());
        assert!(AwmConfig::default().validate().is_ok());
    }
}
