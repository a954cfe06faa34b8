//! Transaction tax (governance spec §6.1).

use crate::config::GovernanceConfig;

/// (cost_a, cost_b) for one finalised interaction. The base uses the
/// hard-coded 2 and 1, not the payoff's s₊ and s₋ (G1/Q7).
pub fn on_interaction(cfg: &GovernanceConfig, accepted: bool, p: f64, tau: f64) -> (f64, f64) {
    if cfg.transaction_tax_rate == 0.0 || !accepted {
        return (0.0, 0.0);
    }
    let estimate = p * 2.0 - (1.0 - p) * 1.0;
    let base = if 0.0 > estimate { 0.0 } else { estimate } + tau.abs();
    let total = cfg.transaction_tax_rate * base;
    (total * cfg.transaction_tax_split, total * (1.0 - cfg.transaction_tax_split))
}
