//! The governance engine for the core levers (governance spec §3–§7, §12).
//!
//! The reference runs 20 levers in a fixed order; only six can act in the
//! core path, and the others add exact zeros. So an aggregated cost is the
//! left-to-right sum tax → audit → collusion realtime, and an epoch-start
//! reputation delta is decay + collusion, summed before it is applied once.

pub mod adaptive_controller;
pub mod audit;
pub mod circuit_breaker;
pub mod collusion;
pub mod decay;
pub mod rbac;
pub mod resample;
pub mod security;
pub mod staking;
pub mod sybil;
pub mod tax;

use crate::config::{GovernanceConfig, PayoffConfig};
use crate::model::ModelSwitches;
use crate::rng::PyRandom;
use crate::types::AgentIdx;
use adaptive_controller::AdaptiveController;
use circuit_breaker::CircuitBreaker;
use collusion::Collusion;
use resample::Resample;
use security::Security;
use sybil::Sybil;

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
    security: Option<Box<Security>>,
    /// The sybil lever's pair counts and clusters, when
    /// `sybil_detection_enabled`.
    sybil: Option<Box<Sybil>>,
    /// The adaptive controller, when the corrected model runs it (G9).
    controller: Option<Box<AdaptiveController>>,
    /// Whether a lever that can bar an agent from acting (security,
    /// Sybil) is on: one check per admission when none is.
    gated: bool,
    /// The resample protocol, when `resample_enabled` (resample.rs).
    resample: Option<Box<Resample>>,
}

impl Governance {
    /// `audit_rng`: a fresh `Random(seed)`; `rank`: each agent's position in
    /// Python string order of the ids.
    pub fn new(cfg: GovernanceConfig, audit_rng: PyRandom, rank: Vec<u32>) -> Self {
        let n = rank.len();
        Governance {
            breaker: CircuitBreaker::new(&cfg, n),
            security: cfg.security.clone().map(|s| Box::new(Security::new(*s, n))),
            sybil: cfg.sybil.as_ref().map(|_| Box::new(Sybil::new())),
            gated: cfg.security.is_some() || cfg.sybil.is_some(),
            resample: cfg.resample.as_ref().map(|_| Box::new(Resample::new(n))),
            cfg,
            audit_rng,
            collusion: Collusion::new(rank),
            model: ModelSwitches::default(),
            tax_base: tax::REFERENCE_BASE,
            controller: None,
        }
    }

    /// A spawned agent joins the population (spawn subsystem). The
    /// collusion detector never sees it (collusion.rs); Python refuses
    /// spawning with the security lever.
    pub fn add_agent(&mut self) {
        self.breaker.add_agent(&self.cfg);
    }

    /// Follow the corrected-model switches that concern governance.
    pub fn with_model(mut self, model: ModelSwitches, payoff: &PayoffConfig) -> Self {
        self.model = model;
        if model.tax_base_from_payoff {
            self.tax_base = (payoff.s_plus, payoff.s_minus);
        }
        self.collusion.set_benefit_transfers_only(model.collusion_benefit_transfers_only);
        if model.adaptive_controller {
            if let Some(c) = self.cfg.adaptive_controller.clone() {
                self.controller = Some(Box::new(AdaptiveController::new(*c, &self.cfg)));
            }
        }
        self
    }

    /// Epoch-end callbacks, after the epoch's metrics: the adaptive
    /// controller (corrected model only) may move thresholds for the next.
    pub fn on_epoch_end(&mut self, row: &crate::metrics::EpochRow) {
        if let Some(c) = self.controller.as_mut() {
            c.on_epoch_end(row, &mut self.cfg);
        }
    }

    /// The adaptive controller's applied, crystallised and reverted changes.
    pub fn controller_events(&self) -> &[adaptive_controller::ControllerEvent] {
        self.controller.as_ref().map_or(&[], |c| &c.events)
    }

    /// Scheduler admission (§3.3): staking, the circuit breaker, then the
    /// levers that bar agents (security, sybil: one flag when none is on). Inlined: it runs for
    /// every agent the scheduler considers (as a call, +21k instructions
    /// on a baseline run).
    #[inline(always)]
    pub fn admits(&self, agent: usize, resources: f64, epoch: u32) -> bool {
        self.admits_core(agent, resources, epoch) && (!self.gated || self.gates_admit(agent))
    }

    /// Staking, then the circuit breaker: [`Governance::admits`] for a run
    /// where no lever bars agents ([`Governance::bars_agents`]).
    #[inline(always)]
    pub fn admits_core(&self, agent: usize, resources: f64, epoch: u32) -> bool {
        staking::admits(&self.cfg, resources) && self.breaker.admits(&self.cfg, agent, epoch)
    }

    /// Whether a lever that can bar an agent from acting (security,
    /// sybil) is on: such runs take the engine's `EXTRAS` step, so the
    /// others' admissions skip the check.
    pub fn bars_agents(&self) -> bool {
        self.gated
    }

    /// Whether [`Governance::admits`] is true for every agent now (no
    /// staking, circuit breaker, quarantine or Sybil block).
    #[inline]
    pub fn admits_everyone(&self) -> bool {
        !self.cfg.staking_enabled && !self.cfg.circuit_breaker_enabled && !self.gated
    }

    /// The security quarantine, then the Sybil block.
    fn gates_admit(&self, agent: usize) -> bool {
        self.security.as_ref().is_none_or(|s| s.admits(agent))
            && self.sybil.as_ref().is_none_or(|s| s.admits(agent))
    }

    /// No lever beyond the core's and the reference model: what a run
    /// may pass as `PLAIN` to [`Governance::on_interaction`].
    pub fn is_plain(&self) -> bool {
        self.model.is_reference()
            && self.security.is_none()
            && self.sybil.is_none()
            && self.resample.is_none()
            && self.cfg.rbac.is_none()
    }

    /// `apply_interaction`, evaluated on the state before any of it applies.
    /// `PLAIN` (only when [`Governance::is_plain`]) compiles out the
    /// security, sybil, RBAC, resample and corrected-model checks (τ among them),
    /// per run rather than per interaction. The interaction's fields come
    /// one by one: a struct would be built per interaction only to be
    /// taken apart here. `handled`: a handler's interaction (the rivals
    /// pipeline's), whose metadata has no `action_type`, which RBAC skips.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    pub fn on_interaction<const PLAIN: bool>(
        &mut self,
        initiator: AgentIdx,
        counterparty: AgentIdx,
        accepted: bool,
        p: f64,
        tau: f64,
        flags: (u32, u32),
        epoch: u32,
        handled: bool,
    ) -> InteractionEffect {
        debug_assert!(!PLAIN || self.is_plain());
        let base = if PLAIN { tax::REFERENCE_BASE } else { self.tax_base };
        let tau = if PLAIN { crate::payoff::TAU } else { tau };
        let (tax_a, tax_b) = tax::on_interaction(&self.cfg, accepted, p, tau, base);
        let freeze = self.breaker.on_interaction(&self.cfg, initiator as usize, p, epoch);
        let audit_once = !PLAIN && self.model.audit_once;
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
        if PLAIN {
            return InteractionEffect {
                cost_a,
                cost_b,
                freeze_initiator: freeze,
                initiator_rep_delta: rep_delta,
            };
        }
        if let (Some(sec), Some(live)) = (self.security.as_mut(), self.cfg.security.as_ref()) {
            let (rejections, misuse) = flags;
            let seen = security::Seen { initiator, counterparty, accepted, p, rejections, misuse };
            if let Some((pen_a, pen_b)) = sec.on_interaction(live, seen) {
                cost_a += pen_a;
                cost_b += pen_b;
            }
        }
        // The sybil lever comes after security and before RBAC in the
        // reference's lever order.
        if let (Some(syb), Some(live)) = (self.sybil.as_mut(), self.cfg.sybil.as_ref()) {
            if let Some(pen) = syb.on_interaction(live, initiator, counterparty) {
                cost_a += pen;
                cost_b += pen;
            }
        }
        if let Some(cfg) = self.cfg.rbac.as_ref().filter(|_| !handled) {
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
    #[inline(always)]
    /// `PLAIN` as for [`Governance::on_interaction`].
    pub fn record<const PLAIN: bool>(&mut self, r: collusion::Record) {
        self.collusion.record::<PLAIN>(&self.cfg, r);
    }

    /// Whether `apply_epoch_start` can do anything this run: false when
    /// decay, the breaker, collusion detection, security, sybil and resample are all off
    /// (each of their hooks then returns at once with nothing), so the
    /// engine skips the call and its per-agent vectors.
    pub fn acts_at_epoch_start(&self) -> bool {
        let c = &self.cfg;
        // The negation of decay::delta's own test (a rate ≥ 1 never decays).
        c.reputation_decay_rate < 1.0
            || c.reputation_decay_rate.is_nan()
            || c.circuit_breaker_enabled
            || c.collusion_detection_enabled
            || self.security.is_some()
            || self.sybil.is_some()
            || self.resample.is_some()
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
        if let (Some(s), Some(live)) = (self.sybil.as_mut(), self.cfg.sybil.as_ref()) {
            for (i, rep_d, res_d) in s.on_epoch_start(live, n) {
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
