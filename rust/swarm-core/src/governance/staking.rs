//! Staking (governance spec §7.1): admission only. No stake is ever locked
//! or slashed in a run; `stake_slash_rate` is inert (Q8).

use crate::config::GovernanceConfig;

pub fn admits(cfg: &GovernanceConfig, resources: f64) -> bool {
    !cfg.staking_enabled || resources >= cfg.min_stake_to_participate
}
