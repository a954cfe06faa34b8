//! The `perturbations:` subsystem of swarm-safety 1.9.0
//! (`swarm/core/perturbation.py`), the parts ported so far: governance
//! parameter shocks and resource shocks. At each epoch start, after the
//! governance levers' effects (the reference's middleware order): revert the
//! shocks whose time is up, fire the epoch-triggered shocks, then the
//! resource shock. At each epoch end, condition-triggered shocks are checked
//! against the epoch's toxicity and quality gap.
//!
//! Agent dropout: at each step start, running dropouts count down, then
//! every agent not dropped and not of an exempt type may drop out for a
//! random number of steps (draws from `Random(perturbations.seed)`); a
//! dropped agent is left out of the step's schedule but stays visible.
//!
//! Signal corruption is accepted and inert: the reference's
//! `perturb_observables` has no caller. Network partitions (epoch trigger,
//! `bisect` or `isolate_type`) remove the edges across the cut and, when
//! healed, put back every edge of the network as it was at the cut, with its
//! weight then. `random_fragment` draws once per edge in the reference's
//! edge-dict order (agents in order, each one's neighbours in insertion
//! order), which the network keeps for it (`Network::build_keeping_order`).

use serde::{Deserialize, Serialize};

use crate::config::GovernanceConfig;
use crate::error::{SwarmError, SwarmResult};
use crate::network::Network;
use crate::rng::PyRandom;
use crate::types::{AgentIdx, StateType};

/// A governance value a shock sets: the keys the core reads live
/// (governance spec §5.5), as YAML gives them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    Flag(bool),
    Number(f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparison {
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Epoch,
    ToxicityRate,
    QualityGap,
}

/// A parsed `when:` ("toxicity_rate > 0.5").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub metric: Metric,
    pub op: Comparison,
    pub threshold: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParameterShock {
    /// Epoch trigger: the epoch it fires at (None: never).
    pub at_epoch: Option<i64>,
    /// Condition trigger: the condition (a `when:` the reference cannot
    /// parse never fires, and is None here too).
    pub condition: Option<Condition>,
    /// True for the condition trigger.
    pub on_condition: bool,
    pub params: Vec<(String, ParamValue)>,
    pub revert_after_epochs: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceShockMode {
    DrainAll,
    Redistribute,
    Inflate,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceShock {
    /// The epoch it fires at; None never fires (the reference fires resource
    /// shocks only on the epoch trigger).
    pub at_epoch: Option<i64>,
    pub mode: ResourceShockMode,
    pub magnitude: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentDropout {
    pub probability_per_step: f64,
    pub min_duration_steps: i64,
    pub max_duration_steps: i64,
    /// Registered agent types (`AgentState.agent_type`) never dropped.
    pub exempt_types: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartitionMode {
    Bisect,
    IsolateType,
    /// Each edge, in the reference's edge-dict order, removed with
    /// probability 1/2 (draws from the perturbations' stream).
    RandomFragment,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkPartition {
    /// The epoch it fires at (None: never; partitions fire only on the
    /// epoch trigger).
    pub at_epoch: Option<i64>,
    pub mode: PartitionMode,
    /// `isolate_type`: the registered type cut off (None: the reference
    /// saves the edges and cuts nothing).
    pub isolate_type: Option<String>,
    pub heal_after_epochs: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PerturbationConfig {
    pub network_partition: Option<NetworkPartition>,
    /// `perturbations.seed`: the engine's own `random.Random(seed)`.
    pub seed: Option<i64>,
    pub agent_dropout: Option<AgentDropout>,
    /// Empty unless `parameter_shocks.enabled`.
    pub parameter_shocks: Vec<ParameterShock>,
    pub resource_shock: Option<ResourceShock>,
}

impl PerturbationConfig {
    /// Every shocked key must be one this run's governance reads live.
    pub fn validate(&self, gov: &GovernanceConfig) -> SwarmResult<()> {
        if let Some(d) = &self.agent_dropout {
            if self.seed.is_none() {
                return Err(SwarmError::Config(
                    "perturbations.seed: agent dropout needs a seed".into(),
                ));
            }
            if d.min_duration_steps > d.max_duration_steps {
                return Err(SwarmError::Config(
                    "perturbations.agent_dropout.min_duration_steps: must be <= \
                     max_duration_steps"
                        .into(),
                ));
            }
        }
        for (i, s) in self.parameter_shocks.iter().enumerate() {
            for (key, value) in &s.params {
                let mut probe = gov.clone();
                if set_param(&mut probe, key, *value).is_none() {
                    return Err(SwarmError::Config(format!(
                        "perturbations.parameter_shocks.shocks[{i}].params.{key}: \
                         not a parameter a shock can set"
                    )));
                }
            }
        }
        Ok(())
    }
}

struct Saved {
    shock: usize,
    activated: i64,
    originals: Vec<(String, ParamValue)>,
}

pub struct Perturbation {
    cfg: PerturbationConfig,
    rng: PyRandom,
    /// Steps left per dropped agent (None: not dropped; 0 is possible).
    dropouts: Vec<Option<i64>>,
    saved: Vec<Saved>,
    fired: Vec<bool>,
    resource_fired: bool,
    partition_fired: bool,
    partition_active: bool,
    /// Every edge (both directions) with its weight when the cut was made.
    saved_edges: Vec<(AgentIdx, AgentIdx, f64)>,
}

impl std::fmt::Debug for Perturbation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Perturbation").field("cfg", &self.cfg).finish()
    }
}

impl Perturbation {
    pub fn new(cfg: PerturbationConfig, n_agents: usize) -> Self {
        let fired = vec![false; cfg.parameter_shocks.len()];
        let rng = PyRandom::new(i128::from(cfg.seed.unwrap_or(0)));
        let dropouts = vec![None; if cfg.agent_dropout.is_some() { n_agents } else { 0 }];
        Perturbation {
            cfg,
            rng,
            dropouts,
            saved: Vec::new(),
            fired,
            resource_fired: false,
            partition_fired: false,
            partition_active: false,
            saved_edges: Vec::new(),
        }
    }

    /// Step start: count the running dropouts down, then roll new ones.
    pub fn on_step_start(&mut self, types: &[StateType]) {
        let Some(d) = &self.cfg.agent_dropout else { return };
        for slot in self.dropouts.iter_mut() {
            if let Some(left) = *slot {
                *slot = if left <= 1 { None } else { Some(left - 1) };
            }
        }
        for (i, t) in types.iter().enumerate() {
            if self.dropouts[i].is_some() || d.exempt_types.iter().any(|e| e == t.as_str()) {
                continue;
            }
            if self.rng.random() < d.probability_per_step {
                let steps = self.rng.randint(d.min_duration_steps, d.max_duration_steps);
                self.dropouts[i] = Some(steps);
            }
        }
    }

    /// Whether agent `i` sits this step out.
    pub fn dropped(&self, i: usize) -> bool {
        self.dropouts.get(i).is_some_and(|d| d.is_some())
    }

    /// Epoch start. Returns true if `resources` changed.
    pub fn on_epoch_start(
        &mut self,
        epoch: i64,
        gov: &mut GovernanceConfig,
        resources: &mut [f64],
        mut network: Option<&mut Network>,
        types: &[StateType],
    ) -> bool {
        // Revert what has run its course, keeping the others in order.
        let saved = std::mem::take(&mut self.saved);
        for s in saved {
            let revert_after = self.cfg.parameter_shocks[s.shock].revert_after_epochs.unwrap_or(0);
            if epoch >= s.activated + revert_after {
                for (key, value) in &s.originals {
                    set_param(gov, key, *value);
                }
            } else {
                self.saved.push(s);
            }
        }
        for i in 0..self.cfg.parameter_shocks.len() {
            let s = &self.cfg.parameter_shocks[i];
            if !s.on_condition && s.at_epoch == Some(epoch) && !self.fired[i] {
                self.apply(i, epoch, gov);
                self.fired[i] = true;
            }
        }
        if let Some(p) = &self.cfg.network_partition {
            if !self.partition_fired && p.at_epoch == Some(epoch) {
                let p = p.clone();
                if let Some(net) = network.as_deref_mut() {
                    self.partition(&p, net, types);
                }
                self.partition_fired = true;
            }
        }
        let shocked = match &self.cfg.resource_shock {
            Some(r) if !self.resource_fired && r.at_epoch == Some(epoch) => {
                self.resource_fired = true;
                resource_shock(r, resources);
                true
            }
            _ => false,
        };
        if let (true, Some(p), Some(net)) =
            (self.partition_active, &self.cfg.network_partition, network)
        {
            if let (Some(heal), Some(at)) = (p.heal_after_epochs, p.at_epoch) {
                if epoch >= at + heal {
                    for &(a, b, w) in &self.saved_edges {
                        net.add_edge(a, b, w);
                    }
                    self.saved_edges.clear();
                    self.partition_active = false;
                }
            }
        }
        shocked
    }

    fn partition(&mut self, p: &NetworkPartition, net: &mut Network, types: &[StateType]) {
        let n = net.n_agents();
        self.saved_edges.clear();
        // In the reference's order (agents, then each one's neighbours in
        // its dict's order): healing re-adds them in it.
        for a in 0..n as AgentIdx {
            self.saved_edges
                .extend(net.neighbours_in_insertion_order(a).into_iter().map(|(b, w)| (a, b, w)));
        }
        if p.mode == PartitionMode::RandomFragment {
            let mut seen: std::collections::HashSet<(AgentIdx, AgentIdx)> = Default::default();
            let mut cut: Vec<(AgentIdx, AgentIdx)> = Vec::new();
            for &(a, b, _) in &self.saved_edges {
                if seen.insert((a.min(b), a.max(b))) && self.rng.random() < 0.5 {
                    cut.push((a, b));
                }
            }
            for (a, b) in cut {
                net.remove_edge(a, b);
            }
            self.partition_active = true;
            return;
        }
        // Membership of the cut-off side; edges across it are removed (the
        // order of removal does not matter: nothing is drawn).
        let side: Vec<bool> = match p.mode {
            PartitionMode::Bisect => {
                let mut ids: Vec<usize> = (0..n).collect();
                self.rng.shuffle(&mut ids);
                let mut in_a = vec![false; n];
                for &i in &ids[..n / 2] {
                    in_a[i] = true;
                }
                in_a
            }
            PartitionMode::IsolateType => {
                let Some(t) = &p.isolate_type else { return };
                types.iter().map(|s| s.as_str() == t).collect()
            }
            PartitionMode::RandomFragment => return,
        };
        for a in 0..n as AgentIdx {
            if !side[a as usize] {
                continue;
            }
            let across: Vec<AgentIdx> =
                net.adjacent(a).copied().filter(|&b| !side[b as usize]).collect();
            for b in across {
                net.remove_edge(a, b);
            }
        }
        self.partition_active = true;
    }

    /// Epoch end: condition-triggered shocks on the closing epoch's metrics.
    pub fn on_epoch_end(
        &mut self,
        epoch: i64,
        toxicity: f64,
        quality_gap: f64,
        gov: &mut GovernanceConfig,
    ) {
        for i in 0..self.cfg.parameter_shocks.len() {
            let s = &self.cfg.parameter_shocks[i];
            if !s.on_condition || self.fired[i] {
                continue;
            }
            let Some(c) = &s.condition else { continue };
            let actual = match c.metric {
                Metric::Epoch => epoch as f64,
                Metric::ToxicityRate => toxicity,
                Metric::QualityGap => quality_gap,
            };
            let t = c.threshold;
            let holds = match c.op {
                Comparison::Gt => actual > t,
                Comparison::Ge => actual >= t,
                Comparison::Lt => actual < t,
                Comparison::Le => actual <= t,
                Comparison::Eq => actual == t,
                Comparison::Ne => actual != t,
            };
            if holds {
                self.apply(i, epoch, gov);
                self.fired[i] = true;
            }
        }
    }

    fn apply(&mut self, i: usize, epoch: i64, gov: &mut GovernanceConfig) {
        let s = &self.cfg.parameter_shocks[i];
        let mut originals = Vec::with_capacity(s.params.len());
        for (key, value) in &s.params {
            if let Some(old) = set_param(gov, key, *value) {
                originals.push((key.clone(), old));
            }
        }
        if s.revert_after_epochs.is_some() {
            self.saved.push(Saved { shock: i, activated: epoch, originals });
        }
    }
}

fn resource_shock(r: &ResourceShock, resources: &mut [f64]) {
    match r.mode {
        ResourceShockMode::DrainAll => {
            for x in resources.iter_mut() {
                let drain = *x * r.magnitude;
                *x += -drain;
            }
        }
        ResourceShockMode::Redistribute => {
            if resources.is_empty() {
                return;
            }
            let total = resources.iter().fold(0.0, |s, &x| s + x);
            let share = total / resources.len() as f64;
            for x in resources.iter_mut() {
                let diff = share - *x;
                *x += diff * r.magnitude;
            }
        }
        ResourceShockMode::Inflate => {
            for x in resources.iter_mut() {
                let bonus = *x * r.magnitude;
                *x += bonus;
            }
        }
    }
}

/// Set one live governance value by its YAML key; returns the previous
/// value, or None for a key a shock cannot set here.
fn set_param(gov: &mut GovernanceConfig, key: &str, value: ParamValue) -> Option<ParamValue> {
    fn num(slot: &mut f64, v: ParamValue) -> Option<ParamValue> {
        let ParamValue::Number(x) = v else { return None };
        Some(ParamValue::Number(std::mem::replace(slot, x)))
    }
    fn count(slot: &mut u64, v: ParamValue) -> Option<ParamValue> {
        let ParamValue::Number(x) = v else { return None };
        if !(x >= 1.0 && x.fract() == 0.0 && x < u64::MAX as f64) {
            return None;
        }
        Some(ParamValue::Number(std::mem::replace(slot, x as u64) as f64))
    }
    fn flag(slot: &mut bool, v: ParamValue) -> Option<ParamValue> {
        let ParamValue::Flag(b) = v else { return None };
        Some(ParamValue::Flag(std::mem::replace(slot, b)))
    }
    match key {
        "transaction_tax_rate" => num(&mut gov.transaction_tax_rate, value),
        "transaction_tax_split" => num(&mut gov.transaction_tax_split, value),
        "reputation_decay_rate" => num(&mut gov.reputation_decay_rate, value),
        "staking_enabled" => flag(&mut gov.staking_enabled, value),
        "min_stake_to_participate" => num(&mut gov.min_stake_to_participate, value),
        "freeze_threshold_toxicity" => num(&mut gov.freeze_threshold_toxicity, value),
        "freeze_threshold_violations" => count(&mut gov.freeze_threshold_violations, value),
        "freeze_duration_epochs" => count(&mut gov.freeze_duration_epochs, value),
        "audit_enabled" => flag(&mut gov.audit_enabled, value),
        "audit_probability" => num(&mut gov.audit_probability, value),
        "audit_penalty_multiplier" => num(&mut gov.audit_penalty_multiplier, value),
        "audit_threshold_p" => num(&mut gov.audit_threshold_p, value),
        // The collusion lever's live values; its detector's thresholds are
        // copies taken at the start, which a shock never reaches (Python
        // accepts those keys as inert).
        "collusion_detection_enabled" => flag(&mut gov.collusion_detection_enabled, value),
        "collusion_penalty_multiplier" => num(&mut gov.collusion_penalty_multiplier, value),
        "collusion_realtime_penalty" => flag(&mut gov.collusion_realtime_penalty, value),
        "collusion_realtime_rate" => num(&mut gov.collusion_realtime_rate, value),
        "collusion_clear_history_on_epoch" => {
            flag(&mut gov.collusion_clear_history_on_epoch, value)
        }
        "rbac_violation_penalty" => num(&mut gov.rbac.as_mut()?.violation_penalty, value),
        // The security lever's live values (its analyser's are copies).
        "security_min_interactions" => count(&mut gov.security.as_mut()?.min_interactions, value),
        "security_penalty_threshold" => num(&mut gov.security.as_mut()?.penalty_threshold, value),
        "security_quarantine_threshold" => {
            num(&mut gov.security.as_mut()?.quarantine_threshold, value)
        }
        "security_penalty_multiplier" => num(&mut gov.security.as_mut()?.penalty_multiplier, value),
        "security_realtime_penalty" => flag(&mut gov.security.as_mut()?.realtime_penalty, value),
        "security_realtime_threshold" => num(&mut gov.security.as_mut()?.realtime_threshold, value),
        "security_realtime_rate" => num(&mut gov.security.as_mut()?.realtime_rate, value),
        "security_clear_history_on_epoch" => {
            flag(&mut gov.security.as_mut()?.clear_history_on_epoch, value)
        }
        "rbac_violation_reputation_penalty" => {
            num(&mut gov.rbac.as_mut()?.violation_reputation_penalty, value)
        }
        "rbac_high_stakes_penalty_multiplier" => {
            num(&mut gov.rbac.as_mut()?.high_stakes_penalty_multiplier, value)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shock_sets_the_collusion_levers_live_values() {
        let mut gov = GovernanceConfig::default();
        let old = set_param(&mut gov, "collusion_penalty_multiplier", ParamValue::Number(2.5));
        assert_eq!(old, Some(ParamValue::Number(1.0)));
        assert_eq!(gov.collusion_penalty_multiplier, 2.5);
        let old = set_param(&mut gov, "collusion_detection_enabled", ParamValue::Flag(true));
        assert_eq!(old, Some(ParamValue::Flag(false)));
        assert!(gov.collusion_detection_enabled);
        assert_eq!(set_param(&mut gov, "collusion_realtime_rate", ParamValue::Flag(true)), None);
    }

    #[test]
    fn the_detectors_copied_thresholds_are_not_settable() {
        // The reference's detector copies them at the start; Python drops
        // such shocks as inert, and the core never moves them.
        let mut gov = GovernanceConfig::default();
        for key in ["collusion_score_threshold", "collusion_min_interactions"] {
            assert_eq!(set_param(&mut gov, key, ParamValue::Number(0.9)), None, "{key}");
        }
        assert_eq!(gov.collusion_score_threshold, 0.5);
    }
}
