//! The rivals producer (issue 17; swarm/agents/rivals_agent.py,
//! `RivalsProducerAgent`): the coder, chart maker or writer of the
//! `rivals:` pipeline (rivals.rs). On its turn it works its pending
//! produce assignment (the engine's RIVALS_PRODUCE; with none queued the
//! turn is a NOOP, as the reference's is), sending its quality level and
//! trap awareness. It accepts every proposal, proposes nothing, draws
//! nothing from its stream and registers as honest.

use crate::config::AgentParams;
use crate::rivals::Role;

#[derive(Debug, Clone)]
pub struct RivalsProducer {
    pub quality_level: f64,
    pub trap_awareness: f64,
    /// None: a role of no pipeline stage (Python refuses it; never a candidate).
    pub role: Option<Role>,
}

impl RivalsProducer {
    pub fn new(c: &AgentParams) -> Self {
        RivalsProducer {
            quality_level: c.quality_level.unwrap_or(0.7),
            trap_awareness: c.trap_awareness.unwrap_or(0.5),
            role: Role::parse(c.role.as_deref().unwrap_or("coder")),
        }
    }
}
