//! The normalised run configuration.
//!
//! Python's `swarm_fast.scenario` module reads a reference scenario YAML,
//! validates it (naming the dotted key on error) and serialises it to this
//! shape as JSON. Every field has the reference loader's default (spec §16),
//! so a hand-written JSON document only needs the keys it changes.
//! Rust re-checks what it relies on in [`RunConfig::validate`], so a bad
//! document from any source becomes an error, never a panic.

use serde::{Deserialize, Serialize};

use crate::error::{SwarmError, SwarmResult};
use crate::marketplace::MarketplaceConfig;

/// A whole run: one scenario at one seed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunConfig {
    pub scenario_id: String,
    /// `None` means "unseeded" in the reference (OS entropy). swarm_fast
    /// requires a seed to run; Python substitutes one and records it.
    pub seed: Option<i64>,
    pub n_epochs: u32,
    pub steps_per_epoch: u32,
    pub schedule_mode: ScheduleMode,
    pub max_actions_per_step: u32,
    pub observation_noise_probability: f64,
    pub observation_noise_std: f64,
    pub agents: Vec<AgentSpec>,
    pub payoff: PayoffConfig,
    pub rate_limits: RateLimits,
    pub governance: GovernanceConfig,
    pub network: Option<Box<NetworkConfig>>,
    /// A `marketplace:` section (spec §13); None when absent or disabled.
    pub marketplace: Option<Box<MarketplaceConfig>>,
    /// A `dynamic_toxicity:` section with mechanisms enabled; None when off.
    pub dynamic_toxicity: Option<Box<crate::dynamic_toxicity::DynamicToxicityConfig>>,
    /// The `perturbations:` parts swarm_fast runs; None when none is on.
    pub perturbations: Option<Box<crate::perturbation::PerturbationConfig>>,
    /// A `spawn:` section switched on (spawn.rs); None when off.
    pub spawn: Option<Box<crate::spawn::SpawnConfig>>,
    /// A `tierra:` section switched on (tierra.rs); None when off.
    pub tierra: Option<Box<crate::tierra::TierraConfig>>,
    // The handler subsystems' sections are boxed: the engine holds its
    // configuration, and paper runs should not move their bytes around.
    /// A `resource_negotiation:` section switched on; None when off.
    pub resource_negotiation: Option<Box<crate::resource_negotiation::ResourceNegotiationConfig>>,
    /// The `moltbook:` subsystem; None when off or without moltbook agents.
    pub moltbook: Option<Box<crate::moltbook::MoltbookConfig>>,
    /// A `memory_tiers:` section switched on (memory_tiers.rs); None when off.
    pub memory_tiers: Option<Box<crate::memory_tiers::MemoryTiersConfig>>,
    /// A `rivals:` section switched on (rivals.rs); None when off.
    pub rivals: Option<Box<crate::rivals::RivalsConfig>>,
    /// A non-empty `contracts:` section (contracts.rs); None when absent.
    pub contracts: Option<Box<crate::contracts::ContractsConfig>>,
    /// A `moltipedia:` section (moltipedia.rs); None when absent or disabled.
    pub moltipedia: Option<Box<crate::moltipedia::MoltipediaConfig>>,
    /// A `scholar:` section switched on (scholar.rs); None when off.
    pub scholar: Option<Box<crate::scholar::ScholarConfig>>,
    /// An `awm:` section switched on (awm.rs); None when off.
    pub awm: Option<Box<crate::awm::AwmConfig>>,
    pub success_criteria: SuccessCriteria,
    /// Keep the per-interaction trace (issue 4: opt-in for huge runs).
    pub record_interactions: bool,
    /// At most this many trace rows (the caller's memory budget); a run
    /// that would record more stops with an error naming
    /// `record_interactions`. None: as many as the allocator grants.
    pub max_trace_rows: Option<u64>,
    /// Keep every agent's reputation, resources and frozen flag at the end
    /// of every epoch (the reference exporter's agent snapshots). Opt-in:
    /// it costs O(epochs x agents) memory.
    pub record_agent_epochs: bool,
    /// Corrected-model switches (`model:`); all off = swarm-safety 1.9.0.
    pub model: crate::model::ModelSwitches,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            scenario_id: "unnamed".into(),
            seed: None,
            n_epochs: 10,
            steps_per_epoch: 10,
            schedule_mode: ScheduleMode::RoundRobin,
            max_actions_per_step: 20,
            observation_noise_probability: 0.0,
            observation_noise_std: 0.0,
            agents: Vec::new(),
            payoff: PayoffConfig::default(),
            rate_limits: RateLimits::default(),
            governance: GovernanceConfig::default(),
            network: None,
            marketplace: None,
            dynamic_toxicity: None,
            perturbations: None,
            spawn: None,
            tierra: None,
            resource_negotiation: None,
            moltbook: None,
            memory_tiers: None,
            rivals: None,
            contracts: None,
            moltipedia: None,
            scholar: None,
            awm: None,
            success_criteria: SuccessCriteria::default(),
            record_interactions: true,
            max_trace_rows: None,
            record_agent_epochs: false,
            model: crate::model::ModelSwitches::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleMode {
    RoundRobin,
    Random,
    Priority,
}

/// One `agents:` entry of the YAML. Expanded into `count` agents in Rust.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentSpec {
    /// The YAML key (`honest`, `adaptive_adversary`, ...).
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default = "one")]
    pub count: u64,
    #[serde(default)]
    pub name: Option<String>,
    /// Policy parameters (spec §11); missing keys take the policy default.
    /// Shared, not copied, when a configuration is cloned for each run of
    /// a batch (the families' keys make it about 1.3 KB).
    #[serde(default)]
    pub config: std::sync::Arc<AgentParams>,
    /// For `type: external` only: agents whose policy is outside the core
    /// (see `agents::external`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external: Option<ExternalSpec>,
}

/// How external agents register (spec-ext §3.2): ids `{id_prefix}_k`, no
/// random stream, the declared `AgentState` type.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalSpec {
    pub id_prefix: String,
    /// `honest`, `opportunistic`, `deceptive`, `adversarial` or `cautious`.
    #[serde(default = "honest")]
    pub agent_type: String,
}

fn honest() -> String {
    "honest".into()
}

fn one() -> u64 {
    1
}

/// Every policy parameter any core agent reads (spec §11), all optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgentParams {
    // honest
    pub acceptance_threshold: Option<f64>,
    pub trust_weight: Option<f64>,
    pub post_probability: Option<f64>,
    pub vote_probability: Option<f64>,
    pub interact_probability: Option<f64>,
    // opportunistic
    pub risk_tolerance: Option<f64>,
    pub free_ride_probability: Option<f64>,
    // deceptive
    pub trust_building_phase: Option<f64>,
    pub exploitation_threshold: Option<f64>,
    pub facade_probability: Option<f64>,
    // adversarial
    pub target_honest: Option<bool>,
    pub attack_probability: Option<f64>,
    // cautious
    pub threshold: Option<f64>,
    // cautious reciprocator
    pub base_threshold: Option<f64>,
    pub blacklist_threshold: Option<f64>,
    pub max_per_partner: Option<f64>,
    // threshold dancer
    pub safety_margin: Option<f64>,
    pub exploitation_intensity: Option<f64>,
    pub warmup_interactions: Option<f64>,
    pub comfort_zone_floor: Option<f64>,
    pub max_consecutive_exploits: Option<f64>,
    // self-optimizer (ext. spec §1.2); benchmark_threshold and initial_cost
    // are accepted but reach nothing the engine computes.
    pub optimization_rate: Option<f64>,
    pub quality_floor: Option<f64>,
    pub benchmark_threshold: Option<f64>,
    pub initial_quality: Option<f64>,
    pub initial_cost: Option<f64>,
    /// swarm_fast extension: call `optimize_step` at every epoch end and
    /// let the lost quality reach the agent's observables.
    pub optimize_per_epoch: Option<bool>,
    // collusive_voter (swarm/agents/moltbook_agent.py) and collusive_editor
    // (swarm/agents/wiki_editor.py): an agent id.
    pub partner_id: Option<String>,
    // ldt (swarm/agents/ldt_agent.py)
    pub cooperation_prior: Option<f64>,
    pub similarity_threshold: Option<f64>,
    pub welfare_weight: Option<f64>,
    pub updateless_commitment: Option<f64>,
    pub counterfactual_horizon: Option<u32>,
    pub acausality_depth: Option<u32>,
    pub max_recursion_depth: Option<u32>,
    pub convergence_epsilon: Option<f64>,
    pub mirror_prior_weight: Option<f64>,
    pub introspection_discount: Option<f64>,
    pub twin_graph_min_edge: Option<f64>,
    pub twin_graph_traversal_depth: Option<u32>,
    pub twin_graph_decay: Option<f64>,
    pub n_counterfactual_samples: Option<u32>,
    pub counterfactual_noise_std: Option<f64>,
    pub acausal_bonus_weight: Option<f64>,
    pub decision_theory: Option<String>,
    pub subjunctive_weight: Option<f64>,
    pub precommitment_strength: Option<f64>,
    pub proof_threshold: Option<f64>,
    // modeling adversary (swarm/agents/modeling_adversary.py)
    pub mimicry_probability: Option<f64>,
    pub ldt_detection_sensitivity: Option<f64>,
    pub aggression_level: Option<f64>,
    // rlm (swarm/agents/rlm_agent.py)
    pub recursion_depth: Option<i64>,
    pub planning_horizon: Option<i64>,
    pub discount_factor: Option<f64>,
    // skillrl (swarm/agents/skillrl_agent.py); acceptance_threshold,
    // trust_weight and the three probabilities are the honest agent's keys.
    pub refinement_interval: Option<f64>,
    pub promotion_interval: Option<f64>,
    pub grpo_window_size: Option<i64>,
    pub grpo_temperature: Option<f64>,
    pub refinement_min_invocations: Option<f64>,
    pub refinement_success_threshold: Option<f64>,
    pub max_refinements_per_epoch: Option<f64>,
    pub tier_promotion_min_invocations: Option<f64>,
    pub tier_promotion_min_success_rate: Option<f64>,
    // hyperagent_self_mod (swarm/agents/hyperagent_self_mod.py)
    pub modification_rate: Option<f64>,
    pub min_acceptance_threshold: Option<f64>,
    pub initial_acceptance_threshold: Option<f64>,
    // ralph_loop (swarm/agents/ralph_agent.py); `tasks` are the queue's
    // priorities, in queue order.
    pub quality_gate_threshold: Option<f64>,
    pub consolidation_interval: Option<f64>,
    pub max_task_attempts: Option<f64>,
    pub learning_boost: Option<f64>,
    pub one_task_per_epoch: Option<bool>,
    pub tasks: Option<Vec<f64>>,
    // diligent_recorder (swarm/agents/memory_agent.py)
    pub write_probability: Option<f64>,
    // rivals_producer / rivals_critic (swarm/agents/rivals_agent.py)
    pub role: Option<String>,
    // awm_agent (swarm/agents/awm_agent.py)
    pub mode: Option<String>,
    pub tool_call_count: Option<i64>,
    pub malformed_rate: Option<f64>,
    pub step_mode: Option<bool>,
    pub quality_level: Option<f64>,
    pub trap_awareness: Option<f64>,
    pub detection_rate: Option<f64>,
    pub false_positive_rate: Option<f64>,
    // the Moltipedia wiki editors (swarm/agents/wiki_editor.py)
    pub create_probability: Option<f64>,
    pub stub_probability: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PayoffConfig {
    pub s_plus: f64,
    pub s_minus: f64,
    pub h: f64,
    pub theta: f64,
    pub rho_a: f64,
    pub rho_b: f64,
    pub w_rep: f64,
}

impl Default for PayoffConfig {
    fn default() -> Self {
        Self { s_plus: 2.0, s_minus: 1.0, h: 2.0, theta: 0.5, rho_a: 0.0, rho_b: 0.0, w_rep: 1.0 }
    }
}

/// Spec §1.4. Counts are u64 so huge values mean "unlimited".
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimits {
    pub posts_per_epoch: u64,
    pub interactions_per_step: u64,
    pub votes_per_epoch: u64,
    pub tasks_per_epoch: u64,
    pub bounties_per_epoch: u64,
    pub bids_per_epoch: u64,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            posts_per_epoch: 10,
            interactions_per_step: 5,
            votes_per_epoch: 50,
            tasks_per_epoch: 3,
            bounties_per_epoch: 3,
            bids_per_epoch: 5,
        }
    }
}

/// The core levers (governance spec §6–§7). Inert keys are dropped by the
/// Python loader; out-of-scope levers are refused there.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GovernanceConfig {
    pub transaction_tax_rate: f64,
    pub transaction_tax_split: f64,
    pub reputation_decay_rate: f64,
    pub staking_enabled: bool,
    pub min_stake_to_participate: f64,
    pub circuit_breaker_enabled: bool,
    pub freeze_threshold_toxicity: f64,
    pub freeze_threshold_violations: u64,
    pub freeze_duration_epochs: u64,
    pub audit_enabled: bool,
    pub audit_probability: f64,
    pub audit_penalty_multiplier: f64,
    pub audit_threshold_p: f64,
    pub collusion_detection_enabled: bool,
    pub collusion_frequency_threshold: f64,
    pub collusion_min_interactions: u64,
    pub collusion_score_threshold: f64,
    pub collusion_penalty_multiplier: f64,
    pub collusion_realtime_penalty: bool,
    pub collusion_realtime_rate: f64,
    pub collusion_clear_history_on_epoch: bool,
    /// The security lever's keys; None unless `security_enabled`.
    pub security: Option<Box<crate::governance::security::SecurityConfig>>,
    /// The RBAC lever's keys; None unless `rbac_enabled` (spec §9.8).
    pub rbac: Option<Box<crate::governance::rbac::RbacConfig>>,
    /// The sybil lever's keys; None unless `sybil_detection_enabled`.
    pub sybil: Option<Box<crate::governance::sybil::SybilConfig>>,
    /// The adaptive controller's keys (G9); None unless the corrected
    /// model's `adaptive_controller` switch is on and the scenario enables it.
    pub adaptive_controller:
        Option<Box<crate::governance::adaptive_controller::AdaptiveControllerConfig>>,
    /// The resample protocol's keys; None unless `resample_enabled`.
    pub resample: Option<Box<crate::governance::resample::ResampleConfig>>,
}

impl Default for GovernanceConfig {
    fn default() -> Self {
        Self {
            transaction_tax_rate: 0.0,
            transaction_tax_split: 0.5,
            reputation_decay_rate: 1.0,
            staking_enabled: false,
            min_stake_to_participate: 0.0,
            circuit_breaker_enabled: false,
            freeze_threshold_toxicity: 0.7,
            freeze_threshold_violations: 3,
            freeze_duration_epochs: 2,
            audit_enabled: false,
            audit_probability: 0.1,
            audit_penalty_multiplier: 2.0,
            audit_threshold_p: 0.5,
            collusion_detection_enabled: false,
            collusion_frequency_threshold: 2.0,
            collusion_min_interactions: 3,
            collusion_score_threshold: 0.5,
            collusion_penalty_multiplier: 1.0,
            collusion_realtime_penalty: false,
            collusion_realtime_rate: 0.1,
            collusion_clear_history_on_epoch: false,
            security: None,
            rbac: None,
            sybil: None,
            adaptive_controller: None,
            resample: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topology {
    Complete,
    Ring,
    Star,
    RandomErdosRenyi,
    SmallWorld,
    ScaleFree,
}

/// Spec §12.1, params already flattened and aliases resolved by Python.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkConfig {
    pub topology: Topology,
    pub edge_probability: f64,
    pub k: u64,
    pub p: f64,
    /// Edges each scale-free newcomer attaches (`m` / `m_edges`).
    pub m: u64,
    pub dynamic: bool,
    pub edge_strengthen_rate: f64,
    pub edge_decay_rate: f64,
    pub min_edge_weight: f64,
    pub max_edge_weight: f64,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        Self {
            topology: Topology::Complete,
            edge_probability: 0.5,
            k: 4,
            p: 0.1,
            m: 2,
            dynamic: false,
            edge_strengthen_rate: 0.1,
            edge_decay_rate: 0.05,
            min_edge_weight: 0.1,
            max_edge_weight: 1.0,
        }
    }
}

/// The only success criteria the reference CLI checks (spec §16).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SuccessCriteria {
    pub min_epochs: Option<f64>,
    pub toxicity_threshold: Option<f64>,
    pub min_net_social_welfare: Option<f64>,
    // Contract-screening criteria: without contracts the reference reads
    // 0.0 (1.0 for the infiltration rate) and checks against that.
    pub min_separation_quality: Option<f64>,
    pub max_infiltration_rate: Option<f64>,
    pub min_welfare_delta: Option<f64>,
    pub min_attack_displacement: Option<f64>,
}

impl RunConfig {
    pub fn from_json(text: &str) -> SwarmResult<Self> {
        let cfg: RunConfig =
            serde_json::from_str(text).map_err(|e| SwarmError::Config(e.to_string()))?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Re-check the invariants the engine relies on. Python validates first
    /// with friendlier messages; this guards every other entry point.
    /// The handler subsystems (issue 17 item 5) were each checked against
    /// the reference on its own, and share the trace's codes for parties
    /// that are no agent: two in one run are refused until checked together.
    fn one_handler_subsystem(&self) -> SwarmResult<()> {
        let on: Vec<&str> = [
            ("resource_negotiation", self.resource_negotiation.is_some()),
            ("moltbook", self.moltbook.is_some()),
            ("memory_tiers", self.memory_tiers.is_some()),
            ("rivals", self.rivals.is_some()),
            ("contracts", self.contracts.is_some()),
            ("moltipedia", self.moltipedia.is_some()),
            ("scholar", self.scholar.is_some()),
            ("awm", self.awm.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, is_on)| is_on.then_some(name))
        .collect();
        match on.as_slice() {
            [first, second, ..] => Err(SwarmError::Config(format!(
                "{second}: not supported together with {first}: in one run yet (each \
                 subsystem is checked against the reference on its own)"
            ))),
            _ => Ok(()),
        }
    }

    pub fn validate(&self) -> SwarmResult<()> {
        fn finite(key: &str, v: f64) -> SwarmResult<()> {
            if v.is_finite() {
                Ok(())
            } else {
                Err(SwarmError::Config(format!("{key}: must be a finite number, got {v}")))
            }
        }
        fn unit(key: &str, v: f64) -> SwarmResult<()> {
            finite(key, v)?;
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(SwarmError::Config(format!("{key}: must lie in [0, 1], got {v}")))
            }
        }
        fn nonneg(key: &str, v: f64) -> SwarmResult<()> {
            finite(key, v)?;
            if v >= 0.0 {
                Ok(())
            } else {
                Err(SwarmError::Config(format!("{key}: must be >= 0, got {v}")))
            }
        }
        if self.seed.is_none() {
            return Err(SwarmError::Config("simulation.seed: a seed is required".into()));
        }
        if let Some(rn) = &self.resource_negotiation {
            rn.validate()?;
        }
        self.one_handler_subsystem()?;
        for (i, spec) in self.agents.iter().enumerate() {
            // The resample protocol calls an agent's `act` again: the core
            // cannot do that for a policy decided outside it.
            if spec.kind == crate::agents::EXTERNAL && self.governance.resample.is_some() {
                return Err(SwarmError::Config(format!(
                    "governance.resample_enabled: not supported with Python or LLM agents \
                     (agents[{i}])"
                )));
            }
            if spec.kind == crate::agents::EXTERNAL {
                let Some(ext) = &spec.external else {
                    return Err(SwarmError::Config(format!(
                        "agents[{i}].external: required for an external agent"
                    )));
                };
                if crate::types::StateType::parse(&ext.agent_type).is_none() {
                    return Err(SwarmError::Config(format!(
                        "agents[{i}].agent_type: unknown agent type {:?}",
                        ext.agent_type
                    )));
                }
                if ext.id_prefix.is_empty() {
                    return Err(SwarmError::Config(format!(
                        "agents[{i}].external.id_prefix: must not be empty"
                    )));
                }
                continue;
            }
            if spec.external.is_some() {
                return Err(SwarmError::Config(format!(
                    "agents[{i}].external: only for agents of type external"
                )));
            }
            if crate::agents::AgentKind::from_yaml(&spec.kind).is_none() {
                return Err(SwarmError::Config(format!(
                    "agents[{i}].type: unknown or unsupported agent type {:?}",
                    spec.kind
                )));
            }
            crate::agents::check_params(&spec.config)
                .map_err(|e| SwarmError::Config(format!("agents[{i}].config.{e}")))?;
        }
        unit("simulation.observation_noise_probability", self.observation_noise_probability)?;
        nonneg("simulation.observation_noise_std", self.observation_noise_std)?;
        let p = &self.payoff;
        nonneg("payoff.s_plus", p.s_plus)?;
        nonneg("payoff.s_minus", p.s_minus)?;
        nonneg("payoff.h", p.h)?;
        unit("payoff.theta", p.theta)?;
        unit("payoff.rho_a", p.rho_a)?;
        unit("payoff.rho_b", p.rho_b)?;
        finite("payoff.w_rep", p.w_rep)?;
        let g = &self.governance;
        unit("governance.transaction_tax_rate", g.transaction_tax_rate)?;
        if let Some(c) = &g.adaptive_controller {
            c.validate()?;
        }
        unit("governance.transaction_tax_split", g.transaction_tax_split)?;
        unit("governance.reputation_decay_rate", g.reputation_decay_rate)?;
        nonneg("governance.min_stake_to_participate", g.min_stake_to_participate)?;
        unit("governance.freeze_threshold_toxicity", g.freeze_threshold_toxicity)?;
        unit("governance.audit_probability", g.audit_probability)?;
        nonneg("governance.audit_penalty_multiplier", g.audit_penalty_multiplier)?;
        unit("governance.audit_threshold_p", g.audit_threshold_p)?;
        finite("governance.collusion_frequency_threshold", g.collusion_frequency_threshold)?;
        unit("governance.collusion_score_threshold", g.collusion_score_threshold)?;
        nonneg("governance.collusion_penalty_multiplier", g.collusion_penalty_multiplier)?;
        nonneg("governance.collusion_realtime_rate", g.collusion_realtime_rate)?;
        if g.freeze_threshold_violations < 1 {
            return Err(SwarmError::Config(
                "governance.freeze_threshold_violations: must be >= 1".into(),
            ));
        }
        if g.freeze_duration_epochs < 1 {
            return Err(SwarmError::Config(
                "governance.freeze_duration_epochs: must be >= 1".into(),
            ));
        }
        if let Some(m) = &self.marketplace {
            unit("marketplace.escrow_fee_rate", m.escrow_fee_rate)?;
            nonneg("marketplace.min_bounty_amount", m.min_bounty_amount)?;
            unit("marketplace.dispute_default_split", m.dispute_default_split)?;
            if m.max_bids_per_bounty < 1 {
                return Err(SwarmError::Config(
                    "marketplace.max_bids_per_bounty: must be >= 1".into(),
                ));
            }
        }
        if let Some(n) = &self.network {
            unit("network.edge_probability", n.edge_probability)?;
            unit("network.p", n.p)?;
            finite("network.edge_strengthen_rate", n.edge_strengthen_rate)?;
            finite("network.edge_decay_rate", n.edge_decay_rate)?;
            finite("network.min_edge_weight", n.min_edge_weight)?;
            finite("network.max_edge_weight", n.max_edge_weight)?;
        }
        if let Some(r) = &self.rivals {
            r.validate()?;
        }
        if let Some(w) = &self.awm {
            w.validate()?;
        }
        Ok(())
    }
}
