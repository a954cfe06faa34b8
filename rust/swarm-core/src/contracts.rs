//! The `contracts:` subsystem of swarm-safety 1.9.0 (`swarm/contracts/`:
//! contract.py, market.py, metrics.py; the loader's `build_contract_market`
//! and the orchestrator's `ContractMiddleware`): contract screening.
//!
//! At each epoch start (after governance's hooks, before the
//! perturbations') every agent, in registration order, chooses a pool: the
//! truthful auction, fair division, or the default market. Each
//! interaction is then routed through the pool both parties share (the
//! default market when they differ), which sets its costs c_a, c_b (before
//! governance adds its own), its reputation terms r_a, r_b (which enter the
//! payoff through w_rep) and, in the truthful auction, may audit it. At
//! epoch end the agents' beliefs about each pool's quality move towards the
//! epoch's mean p there, and the epoch's screening metrics are computed.
//!
//! All draws come from the market's own stream, `Random(seed)`: one
//! `gauss` per affordable governed contract per agent at signing, one
//! `random()` per interaction routed through the truthful auction.

use serde::{Deserialize, Serialize};

use crate::rng::PyRandom;
use crate::types::StateType;

/// The default market's friction premium. The reference's market always
/// builds its own `DefaultMarket()` (market.py, `ContractMarket.__init__`),
/// so a scenario's `contracts.default_market.friction_premium` never
/// reaches a run (a reference quirk, kept).
pub const DEFAULT_FRICTION: f64 = 0.05;

/// p below which a routed interaction counts as an attack (metrics.py's
/// `attack_threshold_p`, never set by the middleware).
const ATTACK_THRESHOLD_P: f64 = 0.4;

/// A contract pool, in the reference's dictionary order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pool {
    TruthfulAuction = 0,
    FairDivision = 1,
    DefaultMarket = 2,
}

impl Pool {
    pub const ALL: [Pool; 3] = [Pool::TruthfulAuction, Pool::FairDivision, Pool::DefaultMarket];

    pub fn as_str(self) -> &'static str {
        match self {
            Pool::TruthfulAuction => "truthful_auction",
            Pool::FairDivision => "fair_division",
            Pool::DefaultMarket => "default_market",
        }
    }

    fn governed(self) -> bool {
        self != Pool::DefaultMarket
    }
}

/// `contracts.truthful_auction` (TruthfulAuctionContract).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TruthfulAuction {
    pub stake_fraction: f64,
    pub audit_probability: f64,
    pub audit_threshold_p: f64,
    pub penalty_multiplier: f64,
    pub surplus_bonus: f64,
    pub min_bond: f64,
}

impl Default for TruthfulAuction {
    fn default() -> Self {
        TruthfulAuction {
            stake_fraction: 0.05,
            audit_probability: 0.2,
            audit_threshold_p: 0.4,
            penalty_multiplier: 3.0,
            surplus_bonus: 0.1,
            min_bond: 0.5,
        }
    }
}

/// `contracts.fair_division` (FairDivisionContract).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FairDivision {
    pub entry_fee: f64,
    pub fairness_bonus: f64,
    pub redistribution_rate: f64,
}

impl Default for FairDivision {
    fn default() -> Self {
        FairDivision { entry_fee: 2.0, fairness_bonus: 0.05, redistribution_rate: 0.1 }
    }
}

/// `contracts.market` (ContractMarketConfig).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MarketConfig {
    pub allow_switching: bool,
    pub switching_cost_multiplier: f64,
    pub belief_update_rate: f64,
    pub honest_truthful_preference: f64,
    pub honest_fair_preference: f64,
    pub opportunistic_truthful_preference: f64,
    pub opportunistic_fair_preference: f64,
    pub adversarial_truthful_preference: f64,
    pub adversarial_fair_preference: f64,
}

impl Default for MarketConfig {
    fn default() -> Self {
        MarketConfig {
            allow_switching: true,
            switching_cost_multiplier: 0.5,
            belief_update_rate: 0.3,
            honest_truthful_preference: 0.8,
            honest_fair_preference: 0.6,
            opportunistic_truthful_preference: 0.3,
            opportunistic_fair_preference: 0.4,
            adversarial_truthful_preference: 0.1,
            adversarial_fair_preference: 0.15,
        }
    }
}

/// A `contracts:` section (on whenever the section is non-empty).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContractsConfig {
    pub truthful_auction: TruthfulAuction,
    pub fair_division: FairDivision,
    pub market: MarketConfig,
}

/// What routing one interaction gives: its pool and the values the
/// contract sets on it before governance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Routed {
    pub pool: Pool,
    pub c_a: f64,
    pub c_b: f64,
    pub r_a: f64,
    pub r_b: f64,
}

/// One routed interaction as the metrics read it.
#[derive(Debug, Clone, Copy)]
struct Outcome {
    p: f64,
    accepted: bool,
    /// π_a + π_b (the payoff engine's `total_welfare`), with the final costs.
    welfare: f64,
}

/// One epoch's screening metrics (the reference's
/// `EpochMetrics.contract_metrics`).
#[derive(Debug, Clone, PartialEq)]
pub struct ContractMetrics {
    /// (pool, agent type, agents), in order of first appearance among the
    /// epoch's signing decisions (pools, then types within a pool).
    pub pool_composition: Vec<(Pool, &'static str, u64)>,
    pub separation_quality: f64,
    pub infiltration_rate: f64,
    pub welfare_delta: f64,
    pub attack_displacement: f64,
    /// Per pool, in `Pool::ALL` order.
    pub pool_avg_quality: [f64; 3],
    pub pool_toxicity: [f64; 3],
    pub pool_welfare: [f64; 3],
}

/// The contract market of one run.
#[derive(Debug, Clone)]
pub struct ContractMarket {
    cfg: ContractsConfig,
    rng: PyRandom,
    /// Each agent's pool; None before the first signing stage.
    membership: Vec<Option<Pool>>,
    beliefs: [f64; 3],
    /// The epoch's routed interactions, per pool, in completion order.
    outcomes: [Vec<Outcome>; 3],
    /// Per-epoch metrics, one per finished epoch.
    pub metrics: Vec<ContractMetrics>,
}

impl ContractMarket {
    pub fn new(cfg: ContractsConfig, seed: i128, n_agents: usize) -> Self {
        ContractMarket {
            cfg,
            rng: PyRandom::new(seed),
            membership: vec![None; n_agents],
            beliefs: [0.5; 3],
            outcomes: Default::default(),
            metrics: Vec::new(),
        }
    }

    fn signing_cost(&self, pool: Pool, resources: f64) -> f64 {
        match pool {
            // Python's max(min_bond, x): the first argument unless x is larger.
            Pool::TruthfulAuction => {
                let t = &self.cfg.truthful_auction;
                let bond = resources * t.stake_fraction;
                if bond > t.min_bond {
                    bond
                } else {
                    t.min_bond
                }
            }
            Pool::FairDivision => self.cfg.fair_division.entry_fee,
            Pool::DefaultMarket => 0.0,
        }
    }

    /// `_get_preference_weight`: by the agent's type; 0.3 for types the
    /// reference does not list.
    fn preference(&self, kind: StateType, pool: Pool) -> f64 {
        let m = &self.cfg.market;
        let truthful = pool == Pool::TruthfulAuction;
        match kind {
            StateType::Honest if truthful => m.honest_truthful_preference,
            StateType::Honest => m.honest_fair_preference,
            StateType::Opportunistic if truthful => m.opportunistic_truthful_preference,
            StateType::Opportunistic => m.opportunistic_fair_preference,
            StateType::Deceptive | StateType::Adversarial if truthful => {
                m.adversarial_truthful_preference
            }
            StateType::Deceptive | StateType::Adversarial => m.adversarial_fair_preference,
            _ => 0.3,
        }
    }

    /// The signing stage at the start of every epoch (`reset_epoch`, then
    /// `run_signing_stage`): every agent, frozen or not, in registration
    /// order. Signing costs are only compared, never charged.
    pub fn sign(&mut self, types: &[StateType], resources: &[f64]) {
        for o in &mut self.outcomes {
            o.clear();
        }
        for i in 0..types.len() {
            let prev = self.membership[i];
            if !self.cfg.market.allow_switching && prev.is_some() {
                continue; // locked in
            }
            let res = resources[i];
            let mut best = Pool::DefaultMarket;
            let mut best_utility = 0.0;
            for pool in [Pool::TruthfulAuction, Pool::FairDivision] {
                let cost = self.signing_cost(pool, res);
                if cost > res {
                    continue; // no draw for an unaffordable contract
                }
                let preference = self.preference(types[i], pool);
                let quality = self.beliefs[pool as usize];
                let switching = match prev {
                    Some(p) if p != pool => cost * self.cfg.market.switching_cost_multiplier,
                    _ => 0.0,
                };
                let mut utility = preference * quality * res - cost - switching;
                utility += self.rng.gauss(0.0, 0.1 * utility.abs() + 0.01);
                if utility > best_utility {
                    best_utility = utility;
                    best = pool;
                }
            }
            self.membership[i] = Some(best);
        }
    }

    /// `route_interaction`: the pool both parties share (else the default
    /// market) applies its protocol; the truthful auction draws its audit.
    /// `p` is the interaction's p. The interaction's own c_a, c_b, r_a, r_b
    /// are 0 before routing.
    pub fn route(&mut self, a: usize, b: usize, p: f64) -> Routed {
        let of = |m: Option<Pool>| m.unwrap_or(Pool::DefaultMarket);
        let (ma, mb) = (of(self.membership[a]), of(self.membership[b]));
        let pool = if ma == mb { ma } else { Pool::DefaultMarket };
        let mut r = Routed { pool, c_a: 0.0, c_b: 0.0, r_a: 0.0, r_b: 0.0 };
        match pool {
            Pool::TruthfulAuction => {
                let t = &self.cfg.truthful_auction;
                // max(0.0, c * 0.5) of a zero cost.
                r.c_a = 0.0;
                r.c_b = 0.0;
                r.r_a = 0.0 + t.surplus_bonus;
                if self.rng.random() < t.audit_probability && p < t.audit_threshold_p {
                    let penalty = (t.audit_threshold_p - p) * t.penalty_multiplier;
                    if penalty > 0.0 {
                        r.c_a += penalty;
                        r.c_b += penalty;
                    }
                }
            }
            Pool::FairDivision => {
                // τ·(1 − redistribution_rate): τ is 0 under the reference
                // model, the only one contracts run with.
                let f = &self.cfg.fair_division;
                r.r_a = 0.0 + f.fairness_bonus;
                r.r_b = 0.0 + f.fairness_bonus;
            }
            Pool::DefaultMarket => {
                r.c_a = 0.0 + DEFAULT_FRICTION;
                r.c_b = 0.0 + DEFAULT_FRICTION;
            }
        }
        r
    }

    /// Record a finished routed interaction for the epoch's metrics.
    pub fn record(&mut self, pool: Pool, p: f64, accepted: bool, welfare: f64) {
        self.outcomes[pool as usize].push(Outcome { p, accepted, welfare });
    }

    /// The epoch end (`update_beliefs`, then `compute_contract_metrics` on
    /// the epoch's decisions and interactions).
    pub fn epoch_end(&mut self, types: &[StateType]) {
        let alpha = self.cfg.market.belief_update_rate;
        for pool in Pool::ALL {
            let o = &self.outcomes[pool as usize];
            if !o.is_empty() {
                let observed = py_sum(o.iter().map(|x| x.p)) / o.len() as f64;
                let old = self.beliefs[pool as usize];
                self.beliefs[pool as usize] = alpha * observed + (1.0 - alpha) * old;
            }
        }
        let m = self.compute_metrics(types);
        self.metrics.push(m);
    }

    fn compute_metrics(&self, types: &[StateType]) -> ContractMetrics {
        // Composition, in order of first appearance among the decisions.
        let mut composition: Vec<(Pool, &'static str, u64)> = Vec::new();
        let mut pools_seen: Vec<Pool> = Vec::new();
        for (i, m) in self.membership.iter().enumerate() {
            let Some(pool) = *m else { continue };
            if !pools_seen.contains(&pool) {
                pools_seen.push(pool);
            }
            let kind = types[i].as_str();
            match composition.iter_mut().find(|(p, k, _)| *p == pool && *k == kind) {
                Some(entry) => entry.2 += 1,
                None => composition.push((pool, kind, 1)),
            }
        }
        // Grouped by pool in the order pools first appeared (dict order).
        composition.sort_by_key(|(p, _, _)| pools_seen.iter().position(|q| q == p));

        let (mut total_good, mut governed_good, mut default_good) = (0u64, 0u64, 0u64);
        let (mut total_adv, mut governed_adv) = (0u64, 0u64);
        for &(pool, kind, n) in &composition {
            // metrics.py's _GOOD_TYPES: honest and work_regime (not ported).
            if kind == "honest" {
                total_good += n;
                if pool.governed() {
                    governed_good += n;
                } else {
                    default_good += n;
                }
            }
            if kind == "deceptive" || kind == "adversarial" {
                total_adv += n;
                if pool.governed() {
                    governed_adv += n;
                }
            }
        }
        let separation_quality = if total_good > 0 {
            governed_good as f64 / total_good as f64 - default_good as f64 / total_good as f64
        } else {
            0.0
        };
        let infiltration_rate =
            if total_adv > 0 { governed_adv as f64 / total_adv as f64 } else { 0.0 };

        let mut quality = [0.0; 3];
        let mut toxicity = [0.0; 3];
        let mut welfare = [0.0; 3];
        for pool in Pool::ALL {
            let o = &self.outcomes[pool as usize];
            if o.is_empty() {
                continue;
            }
            let k = pool as usize;
            quality[k] = py_sum(o.iter().map(|x| x.p)) / o.len() as f64;
            let n_acc = o.iter().filter(|x| x.accepted).count();
            if n_acc > 0 {
                toxicity[k] =
                    py_sum(o.iter().filter(|x| x.accepted).map(|x| 1.0 - x.p)) / n_acc as f64;
                welfare[k] =
                    py_sum(o.iter().filter(|x| x.accepted).map(|x| x.welfare)) / n_acc as f64;
            }
        }
        // Governed pools' mean welfare (both always listed) minus the
        // default market's.
        let welfare_delta = py_sum([welfare[0], welfare[1]].into_iter()) / 2.0 - welfare[2];

        let (mut attacks, mut default_attacks) = (0u64, 0u64);
        for pool in Pool::ALL {
            for x in &self.outcomes[pool as usize] {
                if x.p < ATTACK_THRESHOLD_P {
                    attacks += 1;
                    if pool == Pool::DefaultMarket {
                        default_attacks += 1;
                    }
                }
            }
        }
        let attack_displacement =
            if attacks > 0 { default_attacks as f64 / attacks as f64 } else { 0.0 };
        ContractMetrics {
            pool_composition: composition,
            separation_quality,
            infiltration_rate,
            welfare_delta,
            attack_displacement,
            pool_avg_quality: quality,
            pool_toxicity: toxicity,
            pool_welfare: welfare,
        }
    }
}

/// Python's `sum()` of floats: left to right from the integer 0 (plain
/// addition in CPython 3.11).
fn py_sum(xs: impl Iterator<Item = f64>) -> f64 {
    let mut s = 0.0;
    for x in xs {
        s += x;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn market(cfg: ContractsConfig) -> ContractMarket {
        ContractMarket::new(cfg, 42, 4)
    }

    #[test]
    fn poor_agents_cannot_sign_and_draw_nothing() {
        let mut m = market(ContractsConfig::default());
        let before = m.rng.clone().random();
        // Below both the bond floor (0.5) and the entry fee (2.0).
        m.sign(&[StateType::Honest; 4], &[0.1; 4]);
        assert!(m.membership.iter().all(|p| *p == Some(Pool::DefaultMarket)));
        assert_eq!(m.rng.random(), before);
    }

    #[test]
    fn routing_follows_shared_membership() {
        let mut m = market(ContractsConfig::default());
        m.membership = vec![
            Some(Pool::FairDivision),
            Some(Pool::FairDivision),
            Some(Pool::TruthfulAuction),
            None,
        ];
        let r = m.route(0, 1, 0.7);
        assert_eq!((r.pool, r.r_a, r.r_b, r.c_a), (Pool::FairDivision, 0.05, 0.05, 0.0));
        let r = m.route(0, 2, 0.7);
        assert_eq!((r.pool, r.c_a, r.c_b), (Pool::DefaultMarket, 0.05, 0.05));
        // No membership routes to the default market.
        assert_eq!(m.route(3, 3, 0.7).pool, Pool::DefaultMarket);
    }

    #[test]
    fn audits_charge_both_parties_below_the_threshold() {
        let mut cfg = ContractsConfig::default();
        cfg.truthful_auction.audit_probability = 1.0;
        let mut m = market(cfg);
        m.membership = vec![Some(Pool::TruthfulAuction); 4];
        let r = m.route(0, 1, 0.2);
        let penalty = (0.4 - 0.2) * 3.0;
        assert_eq!((r.c_a, r.c_b, r.r_a, r.r_b), (penalty, penalty, 0.1, 0.0));
        assert_eq!(m.route(0, 1, 0.9).c_a, 0.0);
    }

    #[test]
    fn beliefs_move_towards_the_epoch_mean() {
        let mut m = market(ContractsConfig::default());
        m.membership = vec![Some(Pool::DefaultMarket); 4];
        m.record(Pool::DefaultMarket, 0.9, true, 1.0);
        m.record(Pool::DefaultMarket, 0.3, false, 0.0);
        m.epoch_end(&[StateType::Honest; 4]);
        let observed = (0.9 + 0.3) / 2.0;
        assert_eq!(m.beliefs[2], 0.3 * observed + 0.7 * 0.5);
        assert_eq!(m.beliefs[0], 0.5);
        let e = &m.metrics[0];
        assert_eq!(e.separation_quality, -1.0);
        assert_eq!(e.attack_displacement, 1.0);
        assert_eq!(e.pool_welfare[2], 1.0);
        assert_eq!(e.pool_composition, vec![(Pool::DefaultMarket, "honest", 4)]);
    }
}
