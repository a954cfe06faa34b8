//! Observables → v̂ → p (spec §7). The weights and the sigmoid sharpness
//! k = 2 are fixed in the reference; the payoff config's `sigmoid_k` is
//! never passed in.

use std::hint::black_box;

use crate::observables::{py_max, py_min, Observables};

pub const SIGMOID_K: f64 = 2.0;

#[derive(Debug, Clone)]
pub struct Proxy {
    w_progress: f64,
    w_rework: f64,
    w_verifier: f64,
    w_engagement: f64,
    /// decay**n for the small counts the generator can produce; computed
    /// with libm `pow` exactly as Python's float ** int does.
    rework_pow: [f64; 4],
    rejection_pow: [f64; 4],
    misuse_pow: [f64; 4],
    /// The sigmoid sharpness: SIGMOID_K, except under dynamic toxicity's
    /// proxy drift, which lowers it epoch by epoch.
    k: f64,
}

impl Default for Proxy {
    fn default() -> Self {
        Self::new()
    }
}

impl Proxy {
    pub fn new() -> Self {
        let (tp, rw, vf, eng) = (0.4, 0.2, 0.2, 0.2);
        let total = tp + rw + vf + eng;
        // black_box keeps LLVM from rewriting pow(x, n as f64) into powi,
        // whose rounding differs from the libm pow Python calls.
        let table = |d: f64| [0u32, 1, 2, 3].map(|n| black_box(d).powf(black_box(f64::from(n))));
        Proxy {
            w_progress: tp / total,
            w_rework: rw / total,
            w_verifier: vf / total,
            w_engagement: eng / total,
            rework_pow: table(0.3),
            rejection_pow: table(0.4),
            misuse_pow: table(0.5),
            k: SIGMOID_K,
        }
    }

    fn decay_signal(table: &[f64; 4], decay: f64, n: u32) -> f64 {
        if n == 0 {
            return 1.0;
        }
        let f = match table.get(n as usize) {
            Some(&f) => f,
            None => black_box(decay).powf(black_box(f64::from(n))),
        };
        2.0 * f - 1.0
    }

    pub fn sigmoid_k(&mut self) -> &mut f64 {
        &mut self.k
    }

    /// Returns (v̂, p).
    #[inline(always)]
    pub fn labels(&self, o: &Observables) -> (f64, f64) {
        let progress = py_max(-1.0, py_min(1.0, o.task_progress));
        let rework = Self::decay_signal(&self.rework_pow, 0.3, o.rework);
        let rejection = Self::decay_signal(&self.rejection_pow, 0.4, o.rejections);
        let misuse = Self::decay_signal(&self.misuse_pow, 0.5, o.misuse);
        let engagement = py_max(-1.0, py_min(1.0, o.engagement));
        let verifier = (rejection + misuse) / 2.0;
        let v = self.w_progress * progress
            + self.w_rework * rework
            + self.w_verifier * verifier
            + self.w_engagement * engagement;
        let v_hat = py_max(-1.0, py_min(1.0, v));
        let p = 1.0 / (1.0 + (-self.k * v_hat).exp());
        (v_hat, p)
    }
}
