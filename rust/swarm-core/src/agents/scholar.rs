//! The scholar agents (issue 17; swarm/agents/scholar_agent.py): retriever,
//! synthesizer, verifier and their adversarial variants.
//!
//! Each `act` reads only the observation's scholar fields. Without the
//! scholar subsystem (no `scholar:` section, or `enabled: false`) there is
//! no query, and every one of the five returns NOOP before any draw. With
//! it, the engine decides their turns from the handler's state
//! (`crate::scholar`, via `Agent::scholar_role`). None of them ever
//! proposes: their
//! `propose_interaction` is never called by their `act`.
//!
//! `accept_interaction` (BaseScholarAgent): a collaboration is always
//! accepted; anything else when the trust in its initiator is at least 0.4.
//!
//! Their constructor keywords (`bias`, `accuracy`, `attack_rate`,
//! `hallucination_rate`, `attack_strategy`) are never set from a scenario:
//! the reference's loader builds every scripted agent with `config=` only,
//! and these classes never read their `config`, so YAML `config:` keys
//! reach nothing.

use super::memory::Memory;
use crate::observation::ProposalView;
use crate::types::InteractionType;

/// BaseScholarAgent's acceptance threshold for non-collaborations.
const TRUST_TO_ACCEPT: f64 = 0.4;

#[derive(Debug, Clone)]
pub struct Scholar;

impl Scholar {
    /// `accept_interaction`: no draw.
    pub fn accept(&self, prop: &ProposalView, mem: &Memory) -> bool {
        prop.kind == InteractionType::Collaboration || mem.trust(prop.initiator) >= TRUST_TO_ACCEPT
    }
}
