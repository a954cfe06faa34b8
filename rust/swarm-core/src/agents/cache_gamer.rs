//! The cache gamer (issue 17; swarm/agents/memory_agent.py,
//! `CacheGamerAgent`), registered as opportunistic.
//!
//! It writes on every turn it has write budget, without a draw; its
//! promote and verify branches need a pending entry, which never exists
//! (memory_tiers.rs). Without budget (always, without a `memory_tiers:`
//! section) its turn is a NOOP. It accepts every proposal.

#[derive(Debug, Clone, Default)]
pub struct CacheGamer {
    /// Notes written (the reference numbers the note's text with it).
    pub written: u64,
}

impl CacheGamer {
    /// Whether the turn is a WRITE.
    pub fn writes(&mut self, remaining: u32) -> bool {
        if remaining == 0 {
            return false;
        }
        self.written += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_while_it_has_budget() {
        let mut g = CacheGamer::default();
        assert!(g.writes(2) && g.writes(1) && !g.writes(0));
        assert_eq!(g.written, 2);
    }
}
