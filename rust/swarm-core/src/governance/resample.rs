//! The resample protocol (`governance.resample_enabled`; Bhatt et al.,
//! "Ctrl-Z"), as swarm-safety 1.9.0 runs it.
//!
//! Two halves, as in the reference:
//! - at a turn, after the agent's action is chosen, a monitor scores the
//!   agent's suspicion from its reputation (`p̃ = clamp(0.5 + rep/2)`,
//!   suspicion `1 − p̃`, plus a trend boost from the agent's recent p's);
//!   at or above the threshold the agent is asked to act `n_samples` more
//!   times on the same observation (each call draws from its stream and
//!   moves its state, as the reference's `agent.act` does), and the
//!   majority action by signature is executed (first-listed on ties);
//! - when an interaction completes, its initiator's trajectory takes its p;
//!   if the PROPOSE that opened it was resampled, the lever charges
//!   `compute_cost × n_samples` to c_a, adds evidence
//!   `(suspicious samples / n) × (1 − p)`, lowers reputation by
//!   `evidence × rep_weight` (and 0.1 more if the majority replaced the
//!   original), and freezes the initiator once its evidence reaches the
//!   incrimination threshold. Evidence decays at each epoch start.
//!
//! Quirks kept: the per-sample "p" values are not p's but proxies fixed at
//! selection time (`p̃`, or `min(1, p̃ + 0.3)` for a sample whose signature
//! differs from the original's); an action's signature compares its text,
//! so two posts of different texts differ (see `Action::PostText`); only a
//! PROPOSE carries the annotation to its interaction (an ACCEPT's is
//! dropped); the trajectory takes every completed interaction, accepted or
//! not; the lever's own `random.Random(seed)` draws nothing.

use serde::{Deserialize, Serialize};

use rustc_hash::FxHashMap as HashMap;

use crate::observables::{py_max, py_min};
use crate::types::{Action, AgentIdx, InteractionType};

/// The `resample_*` keys (defaults as in the reference's GovernanceConfig);
/// present only when `resample_enabled`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResampleConfig {
    pub suspicion_threshold: f64,
    pub n_samples: u64,
    pub trajectory_analysis: bool,
    pub trajectory_window: u64,
    pub incrimination_threshold: f64,
    pub compute_cost: f64,
    pub evidence_decay: f64,
    pub evidence_rep_weight: f64,
}

impl Default for ResampleConfig {
    fn default() -> Self {
        Self {
            suspicion_threshold: 0.6,
            n_samples: 3,
            trajectory_analysis: false,
            trajectory_window: 5,
            incrimination_threshold: 2.0,
            compute_cost: 0.01,
            evidence_decay: 0.9,
            evidence_rep_weight: 0.5,
        }
    }
}

/// What a resampled turn leaves on its action (the reference's
/// `resample_*` metadata keys).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Note {
    pub n_samples: u64,
    /// The majority's signature differs from the original's.
    pub blocked: bool,
    /// The pre-execution proxy p̃.
    pub p_proxy: f64,
    /// Samples whose signature differs from the original's.
    pub divergent: u64,
}

/// The lever's effect on one interaction.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Effect {
    pub cost_a: f64,
    pub rep_delta: Option<f64>,
    pub freeze: bool,
}

/// The action's `_action_signature`: type, target, counterparty,
/// interaction type, vote direction, text. Amounts of marketplace actions
/// live in the reference's metadata, outside the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Signature(u8, u64, u8, i8, u8);

fn signature(a: &Action) -> Signature {
    // The reference's default interaction type for non-proposals.
    let none = InteractionType::Collaboration.code();
    match *a {
        Action::Noop => Signature(0, 0, none, 0, 0),
        Action::Post => Signature(1, 0, none, 0, 0),
        Action::PostText { text } => Signature(1, 0, none, 0, text),
        Action::Vote { post, up } => {
            Signature(2, u64::from(post), none, if up { 1 } else { -1 }, 0)
        }
        Action::Propose { target, kind } => Signature(3, u64::from(target), kind.code(), 0, 0),
        Action::ProposeText { target, kind, text } => {
            Signature(3, u64::from(target), kind.code(), 0, text)
        }
        Action::Accept { proposal } => Signature(4, proposal, none, 0, 0),
        Action::Reject { proposal } => Signature(5, proposal, none, 0, 0),
        Action::PostBounty { .. } => Signature(6, 0, none, 0, 0),
        Action::PlaceBid { bounty, .. } => Signature(7, u64::from(bounty), none, 0, 0),
        Action::AcceptBid { bounty, .. } => Signature(8, u64::from(bounty), none, 0, 0),
        Action::FileDispute { escrow } => Signature(9, u64::from(escrow), none, 0, 0),
        Action::ClaimTask { task } => Signature(10, u64::from(task), none, 0, 0),
        Action::SubmitOutput { task } => Signature(11, u64::from(task), none, 0, 0),
        // Only tierra agents spawn, and the scenario loader refuses them
        // beside this lever; a code of its own keeps the match total.
        Action::Spawn => Signature(12, 0, none, 0, 0),
        // The rivals agents are refused beside this lever too (scenario.py).
        Action::RivalsProduce => Signature(13, 0, none, 0, 0),
        Action::RivalsReview => Signature(14, 0, none, 0, 0),
        // Wiki editors are refused beside this lever (moltipedia.py).
        Action::CreatePage { .. } => Signature(15, 0, none, 0, 0),
        Action::EditPage { page, .. } => Signature(16, u64::from(page), none, 0, 0),
    }
}

/// `_majority_action`: the most frequent signature, ties to the one seen
/// first; the first action with it.
fn majority(actions: &[Action]) -> usize {
    let sigs: Vec<Signature> = actions.iter().map(signature).collect();
    let mut best = (0usize, 0usize); // (count, first index)
    for (i, s) in sigs.iter().enumerate() {
        if sigs[..i].contains(s) {
            continue;
        }
        let count = sigs[i..].iter().filter(|t| *t == s).count();
        if count > best.0 {
            best = (count, i);
        }
    }
    best.1
}

#[derive(Debug, Clone)]
pub struct Resample {
    /// Evidence per agent; None where the reference's dict has no key.
    evidence: Vec<Option<f64>>,
    /// Each initiator's recent p's (at most twice the window).
    trajectory: Vec<Vec<f64>>,
    /// Annotations of pending proposals, by proposal id.
    notes: HashMap<u64, Note>,
    /// The annotation of the interaction being completed.
    current: Option<Note>,
}

impl Resample {
    pub fn new(n_agents: usize) -> Self {
        Resample {
            evidence: vec![None; n_agents],
            trajectory: vec![Vec::new(); n_agents],
            notes: HashMap::default(),
            current: None,
        }
    }

    /// `compute_suspicion(p, agent)`.
    fn suspicion(&self, cfg: &ResampleConfig, p: f64, agent: usize) -> f64 {
        let mut s = 1.0 - p;
        if !cfg.trajectory_analysis {
            return s;
        }
        let t = &self.trajectory[agent];
        let w = cfg.trajectory_window as usize;
        if t.len() >= w && w >= 2 {
            let recent = &t[t.len() - w..];
            let n = recent.len();
            let x_mean = (n - 1) as f64 / 2.0;
            let y_mean = recent.iter().fold(0.0, |acc, y| acc + y) / n as f64;
            let num = recent
                .iter()
                .enumerate()
                .fold(0.0, |acc, (i, y)| acc + (i as f64 - x_mean) * (y - y_mean));
            let den = (0..n).fold(0.0, |acc, i| acc + (i as f64 - x_mean) * (i as f64 - x_mean));
            if den > 0.0 {
                let slope = num / den;
                // Python's min(0.2, max(0.0, -slope)), then min(1.0, ...).
                let boost = py_min(0.2, py_max(0.0, -slope));
                s = py_min(1.0, s + boost);
            }
        }
        s
    }

    /// `_maybe_resample`: after the agent's action `first`, maybe ask it
    /// again (`act`) and return the action to execute with its annotation.
    pub fn select(
        &self,
        cfg: &ResampleConfig,
        agent: AgentIdx,
        reputation: f64,
        first: Action,
        mut act: impl FnMut() -> Action,
    ) -> (Action, Option<Note>) {
        let p_proxy = py_max(0.0, py_min(1.0, 0.5 + reputation * 0.5));
        if self.suspicion(cfg, p_proxy, agent as usize) < cfg.suspicion_threshold {
            return (first, None);
        }
        let n = cfg.n_samples as usize;
        let mut all = Vec::with_capacity(n + 1);
        all.push(first);
        for _ in 0..n {
            all.push(act());
        }
        let chosen = all[majority(&all)];
        let original = signature(&first);
        let divergent = all[1..].iter().filter(|a| signature(a) != original).count() as u64;
        let note = Note {
            n_samples: cfg.n_samples,
            blocked: signature(&chosen) != original,
            p_proxy,
            divergent,
        };
        (chosen, Some(note))
    }

    /// The executed action opened proposal `id`: keep its annotation.
    pub fn attach(&mut self, id: u64, note: Note) {
        self.notes.insert(id, note);
    }

    /// Proposal `id` is about to complete: its annotation goes to
    /// [`Resample::on_interaction`].
    pub fn take(&mut self, id: u64) {
        self.current = self.notes.remove(&id);
    }

    /// `on_interaction` for a completed interaction of `initiator` with `p`.
    pub fn on_interaction(&mut self, cfg: &ResampleConfig, initiator: AgentIdx, p: f64) -> Effect {
        let i = initiator as usize;
        let t = &mut self.trajectory[i];
        t.push(p);
        let max_window = (cfg.trajectory_window * 2) as usize;
        if t.len() > max_window {
            t.drain(..t.len() - max_window);
        }
        let Some(note) = self.current.take() else { return Effect::default() };
        let cost_a = cfg.compute_cost * note.n_samples as f64;
        let mut rep_delta = None;
        if note.n_samples > 0 {
            // The per-sample proxies, then how many of them look suspicious.
            let same = note.n_samples - note.divergent;
            let exonerating = py_min(1.0, note.p_proxy + 0.3);
            let mut suspicious = 0u64;
            if 1.0 - note.p_proxy >= cfg.suspicion_threshold {
                suspicious += same;
            }
            if 1.0 - exonerating >= cfg.suspicion_threshold {
                suspicious += note.divergent;
            }
            let fraction = suspicious as f64 / note.n_samples as f64;
            let delta = fraction * (1.0 - p);
            self.evidence[i] = Some(self.evidence[i].unwrap_or(0.0) + delta);
            if delta > 0.0 {
                rep_delta = Some(-delta * cfg.evidence_rep_weight);
            }
        }
        let freeze = self.evidence[i].unwrap_or(0.0) >= cfg.incrimination_threshold;
        if note.blocked {
            rep_delta = Some(rep_delta.unwrap_or(0.0) - 0.1);
        }
        Effect { cost_a, rep_delta, freeze }
    }

    /// `on_epoch_start`: evidence decays; below 1e-6 it is dropped.
    pub fn on_epoch_start(&mut self, cfg: &ResampleConfig) {
        if cfg.evidence_decay >= 1.0 {
            return;
        }
        for e in &mut self.evidence {
            if let Some(v) = e {
                *v *= cfg.evidence_decay;
                if *v < 1e-6 {
                    *e = None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> ResampleConfig {
        ResampleConfig { trajectory_analysis: true, ..ResampleConfig::default() }
    }

    #[test]
    fn majority_prefers_count_then_first_seen() {
        let a = Action::Post;
        let b = Action::Noop;
        assert_eq!(majority(&[a, b, b]), 1);
        assert_eq!(majority(&[a, b, a, b]), 0);
        let t1 = Action::PostText { text: 1 };
        let t2 = Action::PostText { text: 2 };
        assert_eq!(majority(&[t1, t2, t2, b]), 1);
    }

    #[test]
    fn a_reputable_agent_is_not_resampled() {
        let r = Resample::new(2);
        let mut calls = 0;
        let (a, note) = r.select(&cfg(), 0, 0.5, Action::Post, || {
            calls += 1;
            Action::Noop
        });
        assert_eq!((a, note, calls), (Action::Post, None, 0));
    }

    #[test]
    fn a_suspect_is_resampled_and_blocked_by_the_majority() {
        let r = Resample::new(2);
        let (a, note) = r.select(&cfg(), 1, -0.5, Action::Post, || Action::Noop);
        assert_eq!(a, Action::Noop);
        let note = note.expect("resampled");
        assert!(note.blocked);
        assert_eq!((note.n_samples, note.divergent), (3, 3));
        assert_eq!(note.p_proxy, 0.25);
    }

    #[test]
    fn evidence_accumulates_freezes_and_decays() {
        let c = ResampleConfig { incrimination_threshold: 0.5, ..cfg() };
        let mut r = Resample::new(1);
        let note = Note { n_samples: 3, blocked: false, p_proxy: 0.1, divergent: 0 };
        r.attach(7, note);
        r.take(7);
        let e = r.on_interaction(&c, 0, 0.2);
        assert_eq!(e.cost_a, 0.01 * 3.0);
        assert_eq!(e.rep_delta, Some(-(1.0 * (1.0 - 0.2)) * 0.5));
        assert!(e.freeze);
        // Without an annotation only the trajectory moves.
        assert_eq!(r.on_interaction(&c, 0, 0.2), Effect::default());
        r.on_epoch_start(&c);
        assert_eq!(r.evidence[0], Some(0.8 * 0.9));
    }
}
