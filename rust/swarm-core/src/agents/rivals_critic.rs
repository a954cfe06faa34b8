//! The rivals critic (issue 17; swarm/agents/rivals_agent.py,
//! `RivalsCriticAgent`): reviews one stage of the `rivals:` pipeline
//! (rivals.rs). On its turn it works its pending review assignment (the
//! engine's RIVALS_REVIEW; with none queued the turn is a NOOP), sending its
//! detection and false-positive rates. It accepts every proposal, proposes
//! nothing, draws nothing from its stream and registers as honest.

use crate::config::AgentParams;
use crate::rivals::Role;

#[derive(Debug, Clone)]
pub struct RivalsCritic {
    pub detection_rate: f64,
    pub false_positive_rate: f64,
    pub role: Option<Role>,
}

impl RivalsCritic {
    pub fn new(c: &AgentParams) -> Self {
        RivalsCritic {
            detection_rate: c.detection_rate.unwrap_or(0.7),
            false_positive_rate: c.false_positive_rate.unwrap_or(0.1),
            role: Role::parse(c.role.as_deref().unwrap_or("critic_code")),
        }
    }
}
