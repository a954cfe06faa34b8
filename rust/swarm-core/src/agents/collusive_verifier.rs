//! The collusive verifier (issue 17; swarm/agents/memory_agent.py,
//! `CollusiveVerifierAgent`), as it runs without the memory-tiers
//! subsystem.
//!
//! Its whole policy works on the shared memory's pending promotions and
//! write budget: verify or promote its partner's entries, write its own
//! with probability 0.5, verify others' with probability 0.3. Without a
//! `memory_tiers:` section (refused by swarm_fast) the observation has no
//! pending entries and a write budget of 0, so every gate fails before its
//! draw and each turn is a NOOP, with no draw. It accepts every proposal
//! (again without a draw) and registers as deceptive. `partner_id` is read
//! only by the memory branches.

#[derive(Debug, Clone)]
pub struct CollusiveVerifier;

impl CollusiveVerifier {
    /// `accept_interaction`: always true.
    pub fn accept(&self) -> bool {
        true
    }
}
