//! Observable generation (spec §6): five signals drawn from R_o, shaped only
//! by the initiator's registered type, its reputation and acceptance.

use crate::rng::PyRandom;
use crate::types::StateType;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observables {
    pub task_progress: f64,
    pub rework: u32,
    pub rejections: u32,
    pub misuse: u32,
    pub engagement: f64,
}

impl Observables {
    /// swarm_fast extension (`optimize_per_epoch`, docs/proxy-gaming.md):
    /// an initiator that has optimized `loss` = q_0 − q of its quality away
    /// shows it in the two continuous work signals, task progress and
    /// engagement, each lowered by `2·loss` — the same share of their
    /// [−1, 1] range as the share of [0, 1] the quality lost. Applied after
    /// the draws, reputation scaling and the rejection cap, so R_o sees the
    /// same draws as without it and no other stream moves. The counts stay
    /// as drawn: changing them would need other draws.
    pub fn degrade(&mut self, loss: f64) {
        self.task_progress -= 2.0 * loss;
        self.engagement -= 2.0 * loss;
    }
}

/// Draw the observables for one interaction. Draw order is left to right
/// as listed in spec §6; constants draw nothing. Every type other than
/// honest, opportunistic, deceptive and rlm gets the adversarial profile (Q4).
#[inline(always)]
pub fn generate(
    rng: &mut PyRandom,
    initiator_type: StateType,
    reputation: f64,
    accepted: bool,
) -> Observables {
    let (mut tp, rework, rejections, misuse, mut eng) = match initiator_type {
        StateType::Honest => {
            let tp = rng.uniform(0.3, 0.8);
            let rw = rng.randint(0, 1);
            let eng = rng.uniform(0.2, 0.6);
            (tp, rw, 0, 0, eng)
        }
        StateType::Opportunistic => {
            let tp = rng.uniform(0.1, 0.5);
            let rw = rng.randint(0, 2);
            let rj = rng.randint(0, 1);
            let eng = rng.uniform(-0.2, 0.3);
            (tp, rw, rj, 0, eng)
        }
        StateType::Deceptive => {
            let tp = rng.uniform(0.2, 0.6);
            let rw = rng.randint(0, 2);
            let rj = rng.randint(0, 1);
            let eng = rng.uniform(0.0, 0.4);
            (tp, rw, rj, 0, eng)
        }
        StateType::Rlm => {
            let tp = rng.uniform(0.2, 0.7);
            let rw = rng.randint(0, 2);
            let rj = rng.randint(0, 1);
            let eng = rng.uniform(0.0, 0.5);
            (tp, rw, rj, 0, eng)
        }
        StateType::Adversarial
        | StateType::Cautious
        | StateType::Tierra
        | StateType::SelfModifying => {
            let tp = rng.uniform(-0.3, 0.2);
            let rw = rng.randint(1, 3);
            let rj = rng.randint(1, 2);
            let mu = rng.randint(0, 1);
            let eng = rng.uniform(-0.5, -0.1);
            (tp, rw, rj, mu, eng)
        }
    };
    // Python: max(min(rep, 1.0), -1.0); min/max keep the first on ties.
    let clamped = py_max(py_min(reputation, 1.0), -1.0);
    let rep_factor = 0.75 + 0.25 * clamped;
    tp *= rep_factor;
    eng *= rep_factor;
    if !accepted {
        eng = py_min(eng, 0.0);
    }
    Observables {
        task_progress: tp,
        rework: rework as u32,
        rejections: rejections as u32,
        misuse: misuse as u32,
        engagement: eng,
    }
}

/// Python's `min(a, b)`: `b` only if strictly smaller.
pub fn py_min(a: f64, b: f64) -> f64 {
    if b < a {
        b
    } else {
        a
    }
}

/// Python's `max(a, b)`: `b` only if strictly larger.
pub fn py_max(a: f64, b: f64) -> f64 {
    if b > a {
        b
    } else {
        a
    }
}
