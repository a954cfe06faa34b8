//! Transaction tax (governance spec §6.1).

use crate::config::GovernanceConfig;

/// The reference's tax base constants: 2 and 1, whatever the payoff's s₊
/// and s₋ (G1/Q7). The corrected model passes the scenario's instead.
pub const REFERENCE_BASE: (f64, f64) = (2.0, 1.0);

/// (cost_a, cost_b) for one finalised interaction, with the base
/// p·s₊ − (1−p)·s₋ from `(s_plus, s_minus)`.
pub fn on_interaction(
    cfg: &GovernanceConfig,
    accepted: bool,
    p: f64,
    tau: f64,
    (s_plus, s_minus): (f64, f64),
) -> (f64, f64) {
    if cfg.transaction_tax_rate == 0.0 || !accepted {
        return (0.0, 0.0);
    }
    let estimate = p * s_plus - (1.0 - p) * s_minus;
    let base = if 0.0 > estimate { 0.0 } else { estimate } + tau.abs();
    let total = cfg.transaction_tax_rate * base;
    (total * cfg.transaction_tax_split, total * (1.0 - cfg.transaction_tax_split))
}
