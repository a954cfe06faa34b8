//! Random audit (governance spec §6.4).

use crate::config::GovernanceConfig;
use crate::rng::PyRandom;

/// One draw from R_audit per finalised interaction, accepted or not.
/// Returns the penalty charged to the initiator (cost and reputation), if
/// any. An audit happens when the draw is ≤ q.
///
/// `accepted_only` (corrected model, G2): rejected interactions are not
/// audited and draw nothing.
pub fn on_interaction(
    cfg: &GovernanceConfig,
    rng: &mut PyRandom,
    p: f64,
    accepted: bool,
    accepted_only: bool,
) -> Option<f64> {
    if !cfg.audit_enabled || (accepted_only && !accepted) {
        return None;
    }
    if rng.random() > cfg.audit_probability {
        return None;
    }
    if p < cfg.audit_threshold_p {
        Some((cfg.audit_threshold_p - p) * cfg.audit_penalty_multiplier)
    } else {
        None
    }
}
