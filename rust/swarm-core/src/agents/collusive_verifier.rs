//! The collusive verifier (issue 17; swarm/agents/memory_agent.py,
//! `CollusiveVerifierAgent`).
//!
//! Its whole policy works on the shared memory's pending promotions and
//! write budget: verify or promote its partner's entries, write its own
//! with probability 0.5, verify others' with probability 0.3. Without a
//! `memory_tiers:` section the observation has no pending entries and a
//! write budget of 0, so every gate fails before its draw and each turn is
//! a NOOP, with no draw. With the subsystem (memory_tiers.rs) no entry is
//! ever pending either, so its turn is: with budget left, draw, and write
//! below 0.5. It accepts every proposal (again without a draw) and
//! registers as deceptive. `partner_id` is read only by the pending-entry
//! branches.

use crate::rng::PyRandom;

#[derive(Debug, Clone)]
pub struct CollusiveVerifier;

impl CollusiveVerifier {
    /// `accept_interaction`: always true.
    pub fn accept(&self) -> bool {
        true
    }

    /// Whether the turn is a WRITE, given the write budget.
    pub fn writes(&self, remaining: u32, rng: &mut PyRandom) -> bool {
        remaining > 0 && rng.random() < 0.5
    }
}
