//! The memory poisoner (issue 17; swarm/agents/memory_agent.py,
//! `MemoryPoisonerAgent`), registered as adversarial.
//!
//! With write budget left it draws (0.7) and writes either way: below,
//! its first branch writes; above, its promote and verify loops find no
//! pending entry (none ever is: memory_tiers.rs) and its fallback writes.
//! Without budget (always, without a `memory_tiers:` section) its turn is
//! a NOOP without a draw. It rejects every proposal.

use crate::rng::PyRandom;

#[derive(Debug, Clone)]
pub struct MemoryPoisoner;

impl MemoryPoisoner {
    /// Whether the turn is a WRITE.
    pub fn writes(&self, remaining: u32, rng: &mut PyRandom) -> bool {
        if remaining == 0 {
            return false;
        }
        // Drawn for the first branch; the fallback writes as well.
        let _ = rng.random() < 0.7;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_once_a_turn_with_budget_and_always_writes() {
        let (mut rng, mut fresh) = (PyRandom::new(2), PyRandom::new(2));
        assert!(!MemoryPoisoner.writes(0, &mut rng));
        for _ in 0..20 {
            assert!(MemoryPoisoner.writes(3, &mut rng));
            fresh.random();
        }
        assert_eq!(rng.random(), fresh.random());
    }
}
