//! The RBAC lever (governance spec §9.8). In the reference no agent ever
//! has a role (the epoch hook looks for an `AgentState.role` that does not
//! exist), so no action is permitted, and every core interaction — which
//! carries its PROPOSE action's `action_type`, "propose_interaction" — is a
//! violation: c_a += penalty and reputation += the (negative) reputation
//! penalty, both times the multiplier when that action is listed as high
//! stakes. The role map and clearance level are never reached.
//!
//! The lever is registered only when `rbac_enabled` at the start; its
//! values are read live (parameter shocks change them).

use serde::{Deserialize, Serialize};

/// The action type every core interaction carries.
const PROPOSE: &str = "propose_interaction";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RbacConfig {
    pub violation_penalty: f64,
    pub violation_reputation_penalty: f64,
    pub high_stakes_actions: Vec<String>,
    pub high_stakes_penalty_multiplier: f64,
}

impl Default for RbacConfig {
    fn default() -> Self {
        Self {
            violation_penalty: 0.5,
            violation_reputation_penalty: -0.2,
            high_stakes_actions: Vec::new(),
            high_stakes_penalty_multiplier: 2.0,
        }
    }
}

/// (cost on the initiator, reputation delta on the initiator).
pub fn on_interaction(cfg: &RbacConfig) -> (f64, f64) {
    let mut penalty = cfg.violation_penalty;
    let mut rep = cfg.violation_reputation_penalty;
    if cfg.high_stakes_actions.iter().any(|a| a == PROPOSE) {
        penalty *= cfg.high_stakes_penalty_multiplier;
        rep *= cfg.high_stakes_penalty_multiplier;
    }
    (penalty, rep)
}
