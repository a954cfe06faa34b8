//! The resource-negotiation agents (issue 17; swarm/agents/negotiation_agent.py):
//! `fair_negotiator`, `greedy_negotiator` and `strategic_negotiator`.
//!
//! Each plays only the games of the `resource_negotiation:` subsystem, which
//! it looks for in its observation's `resource_negotiation_games`; the
//! reference's observation builder never fills that field (see
//! resource_negotiation.rs), so every turn finds no game and is a NOOP, with
//! no draw, with or without the section. None of them proposes a core
//! interaction, and each accepts every proposal (again without a draw). The
//! fair and strategic ones register as honest, the greedy one as
//! opportunistic. Their strategies (even splits, greedy concessions,
//! inferred preferences) are unreachable and so not ported.

#[derive(Debug, Clone)]
pub struct Negotiator;

impl Negotiator {
    /// `accept_interaction`: always true.
    pub fn accept(&self) -> bool {
        true
    }
}
