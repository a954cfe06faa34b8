//! Soft payoffs (spec §8). τ and the reputation terms r_a, r_b are always 0
//! in the core path (Q2, Q3); they stay in the formulas so the evaluation
//! order matches the reference term for term.

use crate::config::PayoffConfig;

pub const TAU: f64 = 0.0;
pub const R_A: f64 = 0.0;
pub const R_B: f64 = 0.0;

#[derive(Debug, Clone)]
pub struct PayoffEngine {
    c: PayoffConfig,
}

impl PayoffEngine {
    pub fn new(c: PayoffConfig) -> Self {
        PayoffEngine { c }
    }

    /// S = p·s₊ − (1−p)·s₋
    pub fn expected_surplus(&self, p: f64) -> f64 {
        p * self.c.s_plus - (1.0 - p) * self.c.s_minus
    }

    /// E = (1−p)·h
    pub fn expected_harm(&self, p: f64) -> f64 {
        (1.0 - p) * self.c.h
    }

    pub fn initiator(&self, p: f64, c_a: f64) -> f64 {
        self.initiator_with(p, TAU, c_a, R_A)
    }

    pub fn counterparty(&self, p: f64, c_b: f64) -> f64 {
        self.counterparty_with(p, TAU, c_b, R_B)
    }

    /// π_a with an explicit transfer τ and reputation term r_a (both 0 in
    /// the reference; see `model::ModelSwitches`).
    pub fn initiator_with(&self, p: f64, tau: f64, c_a: f64, r_a: f64) -> f64 {
        let s = self.expected_surplus(p);
        let e = self.expected_harm(p);
        self.c.theta * s - tau - c_a - self.c.rho_a * e + self.c.w_rep * r_a
    }

    pub fn counterparty_with(&self, p: f64, tau: f64, c_b: f64, r_b: f64) -> f64 {
        let s = self.expected_surplus(p);
        let e = self.expected_harm(p);
        (1.0 - self.c.theta) * s + tau - c_b - self.c.rho_b * e + self.c.w_rep * r_b
    }

    /// S − E, the metrics' net social welfare term.
    pub fn social_surplus(&self, p: f64) -> f64 {
        self.expected_surplus(p) - self.expected_harm(p)
    }
}
