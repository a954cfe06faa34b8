//! Reputation decay (governance spec §6.3).

use crate::config::GovernanceConfig;

/// The epoch-start delta for one agent: rep·(λ − 1), later *added* to rep
/// (G3: rep + rep·(λ−1) can differ from rep·λ in the last bit). None when
/// decay is off or the reputation is exactly 0.
pub fn delta(cfg: &GovernanceConfig, reputation: f64) -> Option<f64> {
    if cfg.reputation_decay_rate >= 1.0 || reputation == 0.0 {
        return None;
    }
    Some(reputation * (cfg.reputation_decay_rate - 1.0))
}
