//! The governance engine for the core levers (governance spec §3–§7, §12).
//!
//! The reference runs 20 levers in a fixed order; only six can act in the
//! core path, and the others add exact zeros. So an aggregated cost is the
//! left-to-right sum tax → audit → collusion realtime, and an epoch-start
//! reputation delta is decay + collusion, summed before it is applied once.

pub mod audit;
pub mod circuit_breaker;
pub mod collusion;
pub mod decay;
pub mod rbac;
pub mod resample;
pub mod security;
pub mod staking;
pub mod tax;

use crate::config::{GovernanceConfig, PayoffConfig};
use crate::model::ModelSwitches;
use crate::payoff::TAU;
use crate::rng::PyRandom;
use crate::types::AgentIdx;
use circuit_breaker::CircuitBreaker;
use collusion::Collusion;
use resample::Resample;
use security::Security;

/// The merged effect of `apply_interaction` for one interaction.
#[derive(Debug, Clone, Copy, Default)]
pub struct InteractionEffect {
    pub cost_a: f64,
    pub cost_b: f64,
    pub freeze_initiator: bool,
    /// The audit's reputation delta on the initiator.
    pub initiator_rep_delta: Option<f64>,
}

/// The merged effect of `apply_epoch_start`.
#[derive(Debug, Clone, Default)]
pub struct EpochEffect {
    /// Applied before the unfreezes (spec §12.2 step 3).
    pub freeze: Vec<usize>,
    pub unfreeze: Vec<usize>,
    /// Summed reputation delta per agent, None where no lever touched it.
    pub rep_delta: Vec<Option<f64>>,
    pub res_delta: Vec<Option<f64>>,
}

#[derive(Debug, Clone)]
pub struct Governance {
    pub cfg: GovernanceConfig,
    breaker: CircuitBreaker,
    /// R_audit: its own MT19937 with the run seed (G19).
    audit_rng: PyRandom,
    collusion: Collusion,
    model: ModelSwitches,
    /// The tax base's (s₊, s₋): 2 and 1 unless the model corrects G1.
    tax_base: (f64, f64),
    /// The security lever, when `security_enabled` (spec §9.1).
    security: Option<Security>,
    /// The resample protocol, when `resample_enabled` (resample.rs).
    resample: Option<Resample>,
}

impl Governance {
    /// `audit_rng`: a fresh `Random(seed)`; `rank`: each agent's position in
    /// Python string order of the ids.
    pub fn new(cfg: GovernanceConfig, audit_rng: PyRandom, rank: Vec<u32>) -> Self {
        let n = rank.len();
        Governance {
            breaker: CircuitBreaker::new(&cfg, n),
            security: cfg.security.clone().map(|s| Security::new(s, n)),
            resample: cfg.resample.as_ref().map(|_| Resample::new(n)),
            cfg,
            audit_rng,
            collusion: Collusion::new(rank),
            model: ModelSwitches::default(),
            tax_base: tax::REFERENCE_BASE,
        }
    }

    /// Follow the corrected-model switches that concern governance.
    pub fn with_model(mut self, model: ModelSwitches, payoff: &PayoffConfig) -> Self {
        self.model = model;
        if model.tax_base_from_payoff {
            self.tax_base = (payoff.s_plus, payoff.s_minus);
        }
        self.collusion.set_benefit_transfers_only(model.collusion_benefit_transfers_only);
        self
    }

    /// Scheduler admission (§3.3): staking, the circuit breaker, then the
    /// security quarantine.
    pub fn admits(&self, agent: usize, resources: f64, epoch: u32) -> bool {
        staking::admits(&self.cfg, resources)
            && self.breaker.admits(&self.cfg, agent, epoch)
            && self.security.as_ref().is_none_or(|s| s.admits(agent))
    }

    /// `apply_interaction`, evaluated on the state before any of it applies.
    pub fn on_interaction(
        &mut self,
        initiator: AgentIdx,
        counterparty: AgentIdx,
        accepted: bool,
        p: f64,
        flags: (u32, u32),
        epoch: u32,
    ) -> InteractionEffect {
        let (tax_a, tax_b) = tax::on_interaction(&self.cfg, accepted, p, TAU, self.tax_base);
        let freeze = self.breaker.on_interaction(&self.cfg, initiator as usize, p, epoch);
        let audit_once = self.model.audit_once;
        let audit = audit::on_interaction(&self.cfg, &mut self.audit_rng, p, accepted, audit_once);
        let realtime = self.collusion.realtime_penalty(&self.cfg, initiator, counterparty);
        let mut cost_a = 0.0 + tax_a;
        let mut cost_b = 0.0 + tax_b;
        if let Some(pen) = audit {
            cost_a += pen;
        }
        if let Some(pen) = realtime {
            cost_a += pen;
            cost_b += pen;
        }
        // The reference also charges the audit penalty to reputation
        // directly, on top of the cost that already lowers it (G2).
        let mut rep_delta = if audit_once { None } else { audit.map(|pen| 0.0 + -pen) };
        if let (Some(sec), Some(live)) = (self.security.as_mut(), self.cfg.security.as_ref()) {
            let (rejections, misuse) = flags;
            let seen = security::Seen { initiator, counterparty, accepted, p, rejections, misuse };
            if let Some((pen_a, pen_b)) = sec.on_interaction(live, seen) {
                cost_a += pen_a;
                cost_b += pen_b;
            }
        }
        if let Some(cfg) = &self.cfg.rbac {
            let (pen, rep) = rbac::on_interaction(cfg);
            cost_a += pen;
            rep_delta = Some(rep_delta.unwrap_or(0.0) + rep);
        }
        let mut freeze = freeze;
        // Registered after RBAC, last of the levers that act here.
        if let (Some(rs), Some(cfg)) = (self.resample.as_mut(), self.cfg.resample.as_ref()) {
            let e = rs.on_interaction(cfg, initiator, p);
            cost_a += e.cost_a;
            if let Some(d) = e.rep_delta {
                rep_delta = Some(rep_delta.unwrap_or(0.0) + d);
            }
            freeze |= e.freeze;
        }
        InteractionEffect {
            cost_a,
            cost_b,
            freeze_initiator: freeze,
            initiator_rep_delta: rep_delta,
        }
    }

    /// The collusion lever keeps each interaction with its final costs.
    pub fn record(&mut self, r: collusion::Record) {
        self.collusion.record(&self.cfg, r);
    }

    /// `apply_epoch_start` over decay, the breaker and collusion, all read
    /// from the same pre-epoch reputations.
    pub fn on_epoch_start(&mut self, epoch: u32, reputations: &[f64]) -> EpochEffect {
        let n = reputations.len();
        let mut effect = EpochEffect {
            freeze: Vec::new(),
            unfreeze: Vec::new(),
            rep_delta: vec![None; n],
            res_delta: vec![None; n],
        };
        for (i, &rep) in reputations.iter().enumerate() {
            if let Some(d) = decay::delta(&self.cfg, rep) {
                effect.rep_delta[i] = Some(0.0 + d);
            }
        }
        self.breaker.on_epoch_start(&self.cfg, epoch, &mut effect.unfreeze);
        for (i, rep_d, res_d) in self.collusion.on_epoch_start(&self.cfg, n) {
            effect.rep_delta[i] = Some(effect.rep_delta[i].unwrap_or(0.0) + rep_d);
            effect.res_delta[i] = Some(effect.res_delta[i].unwrap_or(0.0) + res_d);
        }
        if let (Some(sec), Some(live)) = (self.security.as_mut(), self.cfg.security.as_ref()) {
            let found = sec.on_epoch_start(live, reputations);
            effect.freeze = found.freeze;
            for (i, rep_d, res_d) in found.penalties {
                effect.rep_delta[i] = Some(effect.rep_delta[i].unwrap_or(0.0) + rep_d);
                effect.res_delta[i] = Some(effect.res_delta[i].unwrap_or(0.0) + res_d);
            }
        }
        if let (Some(rs), Some(cfg)) = (self.resample.as_mut(), self.cfg.resample.as_ref()) {
            rs.on_epoch_start(cfg);
        }
        effect
    }

    /// Whether the resample protocol runs (a per-run flag for the engine).
    #[inline]
    pub fn resampling(&self) -> bool {
        self.resample.is_some()
    }

    /// The resample protocol's turn hook (see [`Resample::select`]).
    pub fn resample_select(
        &self,
        agent: AgentIdx,
        reputation: f64,
        first: crate::types::Action,
        act: impl FnMut() -> crate::types::Action,
    ) -> (crate::types::Action, Option<resample::Note>) {
        match (self.resample.as_ref(), self.cfg.resample.as_ref()) {
            (Some(rs), Some(cfg)) => rs.select(cfg, agent, reputation, first, act),
            _ => (first, None),
        }
    }

    /// A resampled PROPOSE opened proposal `id`.
    #[cold]
    #[inline(never)]
    pub fn resample_attach(&mut self, id: u64, note: resample::Note) {
        if let Some(rs) = self.resample.as_mut() {
            rs.attach(id, note);
        }
    }

    /// Proposal `id` is about to complete. Out of line: the completion
    /// path only tests `resampling()`.
    #[cold]
    #[inline(never)]
    pub fn resample_take(&mut self, id: u64) {
        if let Some(rs) = self.resample.as_mut() {
            rs.take(id);
        }
    }
}
