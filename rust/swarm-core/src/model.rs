//! Which model a run follows: swarm-safety 1.9.0 as it is (the default),
//! or with some of its defects corrected.
//!
//! Every switch is off by default, and with all of them off a run is bit
//! for bit the reference's (spec §20.2: corrected behaviour only as
//! explicit, named options). Each switch replaces one reference defect;
//! `docs/corrected-model.md` gives the reference behaviour, the correction
//! and why.

use serde::{Deserialize, Serialize};

/// One switch per corrected defect.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelSwitches {
    /// Q7/G1: the tax base is the payoff's expected surplus
    /// p·s₊ − (1−p)·s₋ with the scenario's s₊ and s₋, not 2 and 1.
    pub tax_base_from_payoff: bool,
    /// Q3: the payoff's reputation terms r_a, r_b are the reputation change
    /// the interaction causes, so `w_rep` acts (reference: always 0).
    pub reputation_in_payoff: bool,
    /// G6: the collusion detector's benefit series are the transfers τ
    /// between the parties, not −τ − c_a and τ − c_b (governance charges
    /// driven by the same p, so ρ ≈ 1 for every busy pair).
    pub collusion_benefit_transfers_only: bool,
    /// G2: an audit inspects accepted interactions only and charges its
    /// penalty once (as a cost, which already lowers the initiator's
    /// reputation), not again as an explicit reputation delta.
    pub audit_once: bool,
    /// G9: run the reference's adaptive governance controller, configured
    /// by the scenario's `adaptive_controller_*` keys, which the
    /// reference's loader never reads (so it never runs from a file).
    pub adaptive_controller: bool,
    /// Q2: a proposal carries the transfer τ its initiator's policy offers
    /// (the reference's `propose_interaction` values, never attached
    /// there), so τ enters payoffs, the tax base, the collusion benefits
    /// and the opportunistic "accept if paid" rule.
    pub transfers_in_payoff: bool,
}

impl ModelSwitches {
    /// `model: corrected`: every switch on.
    pub fn corrected() -> Self {
        ModelSwitches {
            tax_base_from_payoff: true,
            reputation_in_payoff: true,
            collusion_benefit_transfers_only: true,
            audit_once: true,
            adaptive_controller: true,
            transfers_in_payoff: true,
        }
    }

    pub fn is_reference(&self) -> bool {
        *self == ModelSwitches::default()
    }

    /// (r_a, r_b) for the payoff of one interaction. The reference's are
    /// always 0 (Q3). Corrected: the reputation the interaction moves —
    /// the initiator's audit delta plus, when accepted, its gain
    /// (p − 0.5) − c_a; the counterparty's reputation never moves with an
    /// interaction (spec §9), so r_b stays 0.
    pub fn reputation_terms(
        &self,
        accepted: bool,
        p: f64,
        c_a: f64,
        audit_delta: Option<f64>,
    ) -> (f64, f64) {
        if !self.reputation_in_payoff {
            return (crate::payoff::R_A, crate::payoff::R_B);
        }
        let mut r_a = audit_delta.unwrap_or(0.0);
        if accepted {
            r_a += (p - 0.5) - c_a;
        }
        (r_a, 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_the_reference() {
        assert!(ModelSwitches::default().is_reference());
        assert!(!ModelSwitches::corrected().is_reference());
        // The preset is every switch, the transfers included (issue 18).
        assert!(ModelSwitches::corrected().transfers_in_payoff);
        let m: ModelSwitches = serde_json::from_str("{}").unwrap();
        assert!(m.is_reference());
        assert!(serde_json::from_str::<ModelSwitches>(r#"{"nope": true}"#).is_err());
    }

    #[test]
    fn reputation_terms_follow_the_switch() {
        let off = ModelSwitches::default();
        assert_eq!(off.reputation_terms(true, 0.9, 0.1, Some(-0.3)), (0.0, 0.0));
        let on = ModelSwitches { reputation_in_payoff: true, ..off };
        let (r_a, r_b) = on.reputation_terms(true, 0.9, 0.1, None);
        assert!((r_a - 0.3).abs() < 1e-12);
        assert_eq!(r_b, 0.0);
        assert_eq!(on.reputation_terms(false, 0.9, 0.1, None), (0.0, 0.0));
        assert_eq!(on.reputation_terms(false, 0.2, 0.0, Some(-0.6)), (-0.6, 0.0));
    }
}
