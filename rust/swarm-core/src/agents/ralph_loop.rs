//! The Ralph loop agent (`ralph_loop`, swarm-safety's `RalphLoopAgent`), and
//! the rain agent's forgetting that it shares.
//!
//! An honest agent with a task queue (a PRD): on its first turn of an epoch
//! it takes the highest-priority incomplete task (ties to queue order);
//! every interaction it is part of while holding that task is a quality
//! gate — p ≥ `quality_gate_threshold` completes it, otherwise it counts an
//! attempt and abandons it (as completed) at `max_task_attempts`. Once the
//! task is done it idles (NOOP, no draw) for the rest of the epoch when
//! `one_task_per_epoch`. Before each honest turn it nudges its interact
//! probability and acceptance threshold by `(rate − 0.5) × learning_boost`
//! from its consolidated learnings (clamped to [0.1, 0.9] and [0.2, 0.8]).
//!
//! At each epoch end (the reference's memory-decay middleware, epoch e) it
//! forgets every counterparty's trust (epistemic persistence 0, as the
//! `rain` agent), drops its task, and when e > 0 and e is a multiple of
//! `consolidation_interval` consolidates its learnings: success rate, and
//! mean p of the successes. Quirks kept: the gate also applies when it is
//! the counterparty and after the task is done (a done task can "succeed"
//! again, or gather more failed attempts) — only a new epoch clears it; the
//! boost is applied at every turn, so it compounds.

use super::honest::Honest;
use super::memory::Memory;
use crate::config::AgentParams;
use crate::observables::{py_max, py_min};
use crate::observation::{Observation, ProposalView};
use crate::rng::PyRandom;
use crate::types::Action;

/// The reference's default queue has five tasks, priorities 1 to 5.
const DEFAULT_PRIORITIES: [f64; 5] = [1.0, 2.0, 3.0, 4.0, 5.0];

#[derive(Debug, Clone)]
struct Task {
    priority: f64,
    completed: bool,
    attempts: u64,
}

#[derive(Debug, Clone)]
pub struct RalphLoop {
    honest: Honest,
    quality_gate_threshold: f64,
    consolidation_interval: f64,
    max_task_attempts: f64,
    learning_boost: f64,
    one_task_per_epoch: bool,
    tasks: Vec<Task>,
    current: Option<usize>,
    done_this_epoch: bool,
    /// The learnings log, as the consolidation reads it: entries, successes
    /// and the running sum of the successes' p (the same additions, in the
    /// same order, as the reference's `sum` over the log).
    learnings: u64,
    successes: u64,
    success_p_sum: f64,
    success_rate: f64,
    quality_awareness: f64,
}

impl RalphLoop {
    pub fn new(c: &AgentParams) -> Self {
        let priorities = c.tasks.clone().unwrap_or_else(|| DEFAULT_PRIORITIES.to_vec());
        RalphLoop {
            honest: Honest::new(c),
            quality_gate_threshold: c.quality_gate_threshold.unwrap_or(0.6),
            consolidation_interval: c.consolidation_interval.unwrap_or(5.0),
            max_task_attempts: c.max_task_attempts.unwrap_or(3.0),
            learning_boost: c.learning_boost.unwrap_or(0.05),
            one_task_per_epoch: c.one_task_per_epoch.unwrap_or(true),
            tasks: priorities
                .into_iter()
                .map(|priority| Task { priority, completed: false, attempts: 0 })
                .collect(),
            current: None,
            done_this_epoch: false,
            learnings: 0,
            successes: 0,
            success_p_sum: 0.0,
            success_rate: 0.5,
            quality_awareness: 0.5,
        }
    }

    /// The first incomplete task of the lowest priority (a stable sort's
    /// first element).
    fn next_task(&self) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (i, t) in self.tasks.iter().enumerate() {
            if !t.completed && best.is_none_or(|b| t.priority < self.tasks[b].priority) {
                best = Some(i);
            }
        }
        best
    }

    // Out of line: its copy of the honest turn stays out of `Agent::act`.
    #[inline(never)]
    pub fn act(&mut self, obs: &Observation, rng: &mut PyRandom, mem: &mut Memory) -> Action {
        if self.current.is_none() && !self.done_this_epoch {
            self.current = self.next_task();
        }
        if self.one_task_per_epoch && self.done_this_epoch {
            return Action::Noop;
        }
        let boost = (self.success_rate - 0.5) * self.learning_boost;
        let h = &mut self.honest;
        h.interact_probability = py_max(0.1, py_min(0.9, h.interact_probability + boost));
        let qa_boost = (self.quality_awareness - 0.5) * self.learning_boost;
        h.acceptance_threshold = py_max(0.2, py_min(0.8, h.acceptance_threshold + qa_boost));
        self.honest.act_as::<true>(obs, rng, mem)
    }

    pub fn accept(&mut self, prop: &ProposalView, mem: &Memory) -> bool {
        self.honest.accept(prop, mem)
    }

    /// The quality gate, after the base memory update.
    pub fn on_outcome(&mut self, p: f64) {
        let Some(i) = self.current else { return };
        let task = &mut self.tasks[i];
        self.learnings += 1;
        if p >= self.quality_gate_threshold {
            task.completed = true;
            self.done_this_epoch = true;
            self.successes += 1;
            self.success_p_sum += p;
        } else {
            task.attempts += 1;
            if task.attempts as f64 >= self.max_task_attempts {
                task.completed = true;
                self.done_this_epoch = true;
            }
        }
    }

    /// `apply_memory_decay(epoch)` after the trust is forgotten.
    pub fn on_epoch_end(&mut self, epoch: u32) {
        self.current = None;
        self.done_this_epoch = false;
        if epoch > 0 && f64::from(epoch) % self.consolidation_interval == 0.0 {
            if self.learnings == 0 {
                return;
            }
            self.success_rate = self.successes as f64 / self.learnings as f64;
            if self.successes > 0 {
                self.quality_awareness = (0.0 + self.success_p_sum) / self.successes as f64;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_complete_by_priority_then_consolidate() {
        let c = AgentParams { tasks: Some(vec![3.0, 1.0, 1.0]), ..AgentParams::default() };
        let mut r = RalphLoop::new(&c);
        assert_eq!(r.next_task(), Some(1));
        r.current = r.next_task();
        r.on_outcome(0.9);
        assert!(r.done_this_epoch && r.tasks[1].completed);
        r.on_epoch_end(0);
        assert_eq!((r.current, r.next_task()), (None, Some(2)));
        r.current = Some(2);
        for _ in 0..3 {
            r.on_outcome(0.1);
        }
        assert!(r.tasks[2].completed);
        r.on_epoch_end(5);
        assert_eq!(r.success_rate, 1.0 / 4.0);
        assert_eq!(r.quality_awareness, 0.9);
    }
}
