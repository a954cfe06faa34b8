//! The `rivals:` subsystem of swarm-safety 1.9.0 (`swarm/core/rivals_handler.py`,
//! `swarm/core/rivals_tasks.py`): the Team-of-Rivals staged pipeline. Each
//! epoch draws a batch of finance tasks; every task becomes an episode that
//! passes three stages (code, chart, write), each made by a producer and, in
//! the vetoing modes, reviewed by a critic who may send it back for a retry.
//!
//! Everything here draws from the subsystem's own stream, `Random(rivals.seed)`,
//! never from R_o; produce and review turns become interactions of the
//! agent with itself whose observables are fixed (pass or veto), so p never
//! depends on a draw. Reference quirks kept (each cited where it acts):
//!
//! - one pending assignment per agent and kind: queuing an episode for an
//!   agent replaces the one queued before, so of the epoch's batch mostly
//!   the last episode moves, and the others fail at epoch end;
//! - `trap_probability` is never read (every catalog task has its traps);
//! - the section's `default_*` values are never read: the agents always send
//!   their own (with their own defaults, 0.7 / 0.5 / 0.7 / 0.1);
//! - the roles are visited in the order of a Python set of strings, which
//!   follows the process's hash seed: the draws are reproducible only while
//!   at most one role of each set (producers, critics) has candidates or
//!   every role has at most one; Python refuses the other populations
//!   (see [`check_candidates`]).

use serde::{Deserialize, Serialize};

use crate::agents::RivalsMember;
use crate::observables::{py_max, py_min, Observables};
use crate::rng::PyRandom;
use crate::types::AgentIdx;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RivalsMode {
    /// One producer, drawn per episode, holds every role; no reviews.
    SingleAgent,
    /// Critics review (and draw) but can never block.
    Advisory,
    /// Three more draws at each review: a majority of detections vetoes a
    /// defective artifact; a sound one always passes.
    Council,
    /// Staged vetoes with retries (the paper's design).
    TeamOfRivals,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RivalsConfig {
    pub mode: RivalsMode,
    pub max_retries_per_stage: i64,
    pub tasks_per_epoch: u64,
    /// `Random(seed)`; the reference seeds from OS entropy without one, so
    /// Python requires it.
    pub seed: i64,
}

impl Default for RivalsConfig {
    fn default() -> Self {
        RivalsConfig {
            mode: RivalsMode::TeamOfRivals,
            max_retries_per_stage: 3,
            tasks_per_epoch: 4,
            seed: 0,
        }
    }
}

/// An epoch's episodes are held at once: at most this many a batch.
pub const MAX_TASKS: u64 = 100_000;

impl RivalsConfig {
    pub fn validate(&self) -> crate::error::SwarmResult<()> {
        if self.tasks_per_epoch > MAX_TASKS {
            return Err(crate::error::SwarmError::Config(format!(
                "rivals.tasks_per_epoch: at most {MAX_TASKS}, got {}",
                self.tasks_per_epoch
            )));
        }
        Ok(())
    }
}

/// A pipeline role (`config.role` of a rivals agent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Coder,
    ChartMaker,
    Writer,
    CriticCode,
    CriticChart,
    CriticOutput,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Coder,
        Role::ChartMaker,
        Role::Writer,
        Role::CriticCode,
        Role::CriticChart,
        Role::CriticOutput,
    ];

    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "coder" => Role::Coder,
            "chart_maker" => Role::ChartMaker,
            "writer" => Role::Writer,
            "critic_code" => Role::CriticCode,
            "critic_chart" => Role::CriticChart,
            "critic_output" => Role::CriticOutput,
            _ => return None,
        })
    }

    fn is_producer(self) -> bool {
        matches!(self, Role::Coder | Role::ChartMaker | Role::Writer)
    }
}

/// The number of traps of each of the catalog's 16 tasks, in catalog order
/// (reconciliation, trend, KPI, anomaly; four each): all a run reads of a task.
const TASK_TRAPS: [u8; 16] = [1, 2, 1, 2, 1, 2, 2, 1, 1, 2, 1, 2, 1, 2, 1, 2];

/// Observables of a passing produce or review (`_OBS_PASS`).
const PASS: Observables =
    Observables { task_progress: 0.3, rework: 0, rejections: 0, misuse: 0, engagement: 0.2 };
/// Observables of a veto (`_OBS_VETO`).
const VETO: Observables =
    Observables { task_progress: -0.2, rework: 1, rejections: 1, misuse: 0, engagement: -0.1 };

/// Quality below this is a real defect.
const DEFECT_BELOW: f64 = 0.6;

#[derive(Debug, Clone)]
struct Episode {
    traps: u8,
    /// 0 code, 1 chart, 2 write.
    stage: usize,
    retries: [i64; 3],
    artifacts: [f64; 3],
    /// By `Role as usize`.
    assigned: [Option<AgentIdx>; 6],
    /// Scored or failed: no longer active.
    done: bool,
}

/// The pipeline's state: this epoch's episodes and each agent's queue.
#[derive(Debug, Clone)]
pub struct Rivals {
    cfg: RivalsConfig,
    rng: PyRandom,
    /// Each registered agent's role, in registration order (agents without
    /// one are never candidates).
    roles: Vec<Option<Role>>,
    /// This epoch's episodes, by creation.
    episodes: Vec<Episode>,
    /// Per agent: the episode it is to produce for / review (one each).
    produce: Vec<Option<u32>>,
    review: Vec<Option<u32>>,
    /// Episodes scored and failed so far.
    pub scored: u64,
    pub failed: u64,
}

impl Rivals {
    pub fn new(cfg: RivalsConfig, roles: Vec<Option<Role>>) -> Self {
        let n = roles.len();
        Rivals {
            rng: PyRandom::new(i128::from(cfg.seed)),
            cfg,
            roles,
            episodes: Vec::new(),
            produce: vec![None; n],
            review: vec![None; n],
            scored: 0,
            failed: 0,
        }
    }

    /// `on_epoch_start`: sample the tasks, then assign each episode's roles
    /// and queue its coder. `population`: the agents registered now.
    pub fn on_epoch_start(&mut self, population: usize) {
        self.close_epoch();
        let tasks: Vec<u8> = (0..self.cfg.tasks_per_epoch)
            .map(|_| TASK_TRAPS[self.rng.choice_index(TASK_TRAPS.len())])
            .collect();
        let roles = &self.roles;
        let role_of = |i: usize| roles.get(i).copied().flatten();
        let candidates = |r: Role| -> Vec<AgentIdx> {
            (0..population).filter(|&i| role_of(i) == Some(r)).map(|i| i as AgentIdx).collect()
        };
        let by_role: Vec<Vec<AgentIdx>> = Role::ALL.iter().map(|&r| candidates(r)).collect();
        let producers: Vec<AgentIdx> = (0..population)
            .filter(|&i| role_of(i).is_some_and(Role::is_producer))
            .map(|i| i as AgentIdx)
            .collect();
        for traps in tasks {
            let mut assigned = [None; 6];
            if self.cfg.mode == RivalsMode::SingleAgent {
                if !producers.is_empty() {
                    let agent = producers[self.rng.choice_index(producers.len())];
                    assigned = [Some(agent); 6];
                }
            } else {
                // Producers' set, then critics' (see the module's note on
                // their order).
                for (r, list) in by_role.iter().enumerate() {
                    if !list.is_empty() {
                        assigned[r] = Some(list[self.rng.choice_index(list.len())]);
                    }
                }
            }
            let id = self.episodes.len() as u32;
            self.episodes.push(Episode {
                traps,
                stage: 0,
                retries: [0; 3],
                artifacts: [0.5; 3],
                assigned,
                done: false,
            });
            if let Some(coder) = assigned[Role::Coder as usize] {
                // Replaces an earlier episode queued for the same coder.
                set(&mut self.produce, coder, Some(id));
            }
        }
    }

    /// `on_epoch_end`: unfinished episodes fail.
    pub fn on_epoch_end(&mut self) {
        self.close_epoch();
    }

    fn close_epoch(&mut self) {
        self.failed += self.episodes.iter().filter(|e| !e.done).count() as u64;
        self.episodes.clear();
        self.produce.iter_mut().for_each(|p| *p = None);
        self.review.iter_mut().for_each(|p| *p = None);
    }

    /// A RIVALS_PRODUCE turn of agent `a`: the observables of the
    /// interaction it makes, or None (nothing queued: no interaction).
    pub fn produce(&mut self, a: AgentIdx, member: RivalsMember) -> Option<Observables> {
        // Only producers act on a produce assignment (a critic's stays queued).
        let RivalsMember::Producer { quality_level, trap_awareness } = member else {
            return None;
        };
        let id = take(&mut self.produce, a)?;
        let single = self.cfg.mode == RivalsMode::SingleAgent;
        let ep = &mut self.episodes[id as usize];
        let base = quality_level + self.rng.gauss(0.0, 0.1);
        let mut penalty = 0.0;
        for _ in 0..ep.traps {
            if self.rng.random() > trap_awareness {
                penalty += 0.15;
            }
        }
        ep.artifacts[ep.stage] = py_max(0.0, py_min(1.0, base - penalty));
        if single {
            self.advance(id);
        } else {
            let critic = ep.assigned[Role::CriticCode as usize + ep.stage];
            if let Some(c) = critic {
                set(&mut self.review, c, Some(id));
            }
        }
        Some(PASS)
    }

    /// A RIVALS_REVIEW turn of agent `a` (see [`Rivals::produce`]).
    pub fn review(&mut self, a: AgentIdx, member: RivalsMember) -> Option<Observables> {
        let RivalsMember::Critic { detection_rate, false_positive_rate } = member else {
            return None;
        };
        let id = take(&mut self.review, a)?;
        let ep = &mut self.episodes[id as usize];
        let defect = ep.artifacts[ep.stage] < DEFECT_BELOW;
        let rate = if defect { detection_rate } else { false_positive_rate };
        let mut vetoed = self.rng.random() < rate;
        match self.cfg.mode {
            RivalsMode::Advisory => vetoed = false,
            RivalsMode::Council => {
                // Three votes drawn whatever the defect.
                let votes = (0..3).filter(|_| self.rng.random() < detection_rate).count();
                vetoed = defect && votes >= 2;
            }
            _ => {}
        }
        if !vetoed {
            self.advance(id);
            return Some(PASS);
        }
        let stage = ep.stage;
        ep.retries[stage] += 1;
        if ep.retries[stage] >= self.cfg.max_retries_per_stage {
            ep.done = true;
            self.failed += 1;
        } else if let Some(p) = ep.assigned[stage] {
            set(&mut self.produce, p, Some(id));
        }
        Some(VETO)
    }

    /// `_advance_stage`: the next stage's producer is queued, or the
    /// episode is scored after the third.
    fn advance(&mut self, id: u32) {
        let ep = &mut self.episodes[id as usize];
        if ep.stage == 2 {
            ep.done = true;
            self.scored += 1;
            return;
        }
        ep.stage += 1;
        if let Some(p) = ep.assigned[ep.stage] {
            set(&mut self.produce, p, Some(id));
        }
    }
}

/// Agents may join mid-run (spawned children, never with a role): the
/// queues grow on demand.
fn set(queue: &mut Vec<Option<u32>>, a: AgentIdx, v: Option<u32>) {
    let i = a as usize;
    if i >= queue.len() {
        queue.resize(i + 1, None);
    }
    queue[i] = v;
}

fn take(queue: &mut [Option<u32>], a: AgentIdx) -> Option<u32> {
    queue.get_mut(a as usize).and_then(Option::take)
}

/// Whether the reference's draws for this population are reproducible (see
/// the module's note): per role set, every role has at most one candidate,
/// or at most one role has any. Err names the set.
pub fn check_candidates(mode: RivalsMode, roles: &[Option<Role>]) -> Result<(), String> {
    if mode == RivalsMode::SingleAgent {
        return Ok(()); // one draw among all producers, in registration order
    }
    let count = |r: Role| roles.iter().filter(|&&x| x == Some(r)).count();
    for (set, members) in [
        ("producer", [Role::Coder, Role::ChartMaker, Role::Writer]),
        ("critic", [Role::CriticCode, Role::CriticChart, Role::CriticOutput]),
    ] {
        let counts: Vec<usize> = members.iter().map(|&r| count(r)).collect();
        let with = counts.iter().filter(|&&c| c > 0).count();
        if with > 1 && counts.iter().any(|&c| c > 1) {
            return Err(format!(
                "agents: with several {set} roles filled, one of them by more than one agent, \
                 swarm-safety 1.9.0 draws the assignments in the iteration order of a Python \
                 set of strings, which changes with the process's hash seed; no run of it is \
                 reproducible, so swarm_fast refuses it (give each {set} role at most one agent)"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team() -> Vec<Option<Role>> {
        Role::ALL.iter().map(|&r| Some(r)).collect()
    }

    const PRODUCER: RivalsMember =
        RivalsMember::Producer { quality_level: 0.7, trap_awareness: 0.5 };
    const CRITIC: RivalsMember =
        RivalsMember::Critic { detection_rate: 0.7, false_positive_rate: 0.1 };

    #[test]
    fn only_the_last_episode_of_a_batch_is_queued() {
        let mut r = Rivals::new(RivalsConfig { tasks_per_epoch: 4, ..Default::default() }, team());
        r.on_epoch_start(6);
        assert_eq!(r.episodes.len(), 4);
        assert_eq!(r.produce[0], Some(3));
        assert!(r.produce[1..].iter().all(Option::is_none));
        // The coder's turn queues the code critic; nobody else has work.
        assert_eq!(r.produce(0, PRODUCER), Some(PASS));
        assert_eq!(r.produce(0, PRODUCER), None);
        assert_eq!(r.review[3], Some(3));
        r.on_epoch_end();
        assert_eq!(r.failed, 4);
    }

    #[test]
    fn a_critic_does_not_produce() {
        let mut r = Rivals::new(RivalsConfig::default(), team());
        r.on_epoch_start(6);
        assert_eq!(r.produce(0, CRITIC), None);
        // The assignment stays for a producer's turn.
        assert_eq!(r.produce(0, PRODUCER), Some(PASS));
    }

    #[test]
    fn zero_retries_fail_at_the_first_veto() {
        let cfg =
            RivalsConfig { max_retries_per_stage: 0, tasks_per_epoch: 1, ..Default::default() };
        let mut r = Rivals::new(cfg, team());
        r.on_epoch_start(6);
        r.produce(0, PRODUCER);
        let always = RivalsMember::Critic { detection_rate: 1.0, false_positive_rate: 1.0 };
        assert_eq!(r.review(3, always), Some(VETO));
        assert_eq!(r.failed, 1);
        assert!(r.produce.iter().all(Option::is_none));
    }

    #[test]
    fn ambiguous_populations_are_refused() {
        let mut roles = team();
        assert!(check_candidates(RivalsMode::TeamOfRivals, &roles).is_ok());
        roles.push(Some(Role::Coder));
        assert!(check_candidates(RivalsMode::TeamOfRivals, &roles).is_err());
        assert!(check_candidates(RivalsMode::SingleAgent, &roles).is_ok());
        // Two coders alone among the producers: one draw per episode.
        let two = vec![Some(Role::Coder), Some(Role::Coder), Some(Role::CriticCode)];
        assert!(check_candidates(RivalsMode::TeamOfRivals, &two).is_ok());
    }
}
