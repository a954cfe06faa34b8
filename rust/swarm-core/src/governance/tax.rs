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

#[cfg(test)]
mod tests {
    use super::*;

    fn strict() -> GovernanceConfig {
        GovernanceConfig {
            transaction_tax_rate: 0.1,
            transaction_tax_split: 0.6,
            ..Default::default()
        }
    }

    /// Governance spec §6.1's worked example, with the reference's base.
    #[test]
    fn reference_base_matches_the_spec_example() {
        let (a, b) = on_interaction(&strict(), true, 0.7, 0.0, REFERENCE_BASE);
        assert_eq!(a, 0.06599999999999999);
        assert_eq!(b, 0.044);
        assert_eq!(on_interaction(&strict(), false, 0.7, 0.0, REFERENCE_BASE), (0.0, 0.0));
    }

    /// The corrected base follows the payoff's s₊ and s₋ (and is the
    /// reference's when they are 2 and 1).
    #[test]
    fn corrected_base_uses_s_plus_and_s_minus() {
        let (a, _) = on_interaction(&strict(), true, 0.7, 0.0, (2.5, 1.5));
        assert_eq!(a, 0.1 * (0.7 * 2.5 - (1.0 - 0.7) * 1.5) * 0.6);
        assert_ne!(a, 0.06599999999999999);
        // Below break-even (p < s₋/(s₊+s₋) = 0.375) nothing is charged.
        assert_eq!(on_interaction(&strict(), true, 0.37, 0.0, (2.5, 1.5)), (0.0, 0.0));
        assert!(on_interaction(&strict(), true, 0.37, 0.0, REFERENCE_BASE).0 > 0.0);
    }
}
