//! The run loop (spec §3) and the interaction pipeline (spec §4.3).
//!
//! Reading order for one interaction: an agent's turn in [`Engine::step`]
//! returns a PROPOSE that [`Engine::execute`] queues; an ACCEPT/REJECT on a
//! later turn or [`Engine::resolve_pending`] at the end of the step hands it
//! to [`Engine::complete`], which draws observables, computes v̂ and p,
//! charges governance, computes payoffs, updates both agents and folds the
//! result into the epoch's metrics.

use std::collections::VecDeque;

use rustc_hash::FxHashMap as HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::agents::external::{
    Call, CallErrors, Ecosystem, ExternalError, ExternalObservation, ExternalPolicy,
    ExternalReport, Outcome, PostInfo, Roster,
};
use crate::agents::{Agent, AgentKind, EXTERNAL};
use crate::config::{RunConfig, Topology};
use crate::contracts::{ContractMarket, ContractMetrics};
use crate::dynamic_toxicity::{DynamicToxicity, EpochEnd};
use crate::error::{SwarmError, SwarmResult};
use crate::feed::Feed;
use crate::governance::{collusion::Record, Governance};
use crate::index::VisibleIndex;
use crate::marketplace::{MarketView, Marketplace};
use crate::memory::Watch;
use crate::memory_tiers::MemoryTiers;
use crate::metrics::{EpochAccumulator, EpochRow, InteractionRow, RunTotals, Trace};
use crate::moltbook::Moltbook;
use crate::moltipedia::{Party, Wiki, WikiOutcome, WikiView};
use crate::network::Network;
use crate::observables::{self, Observables};
use crate::observation::{Observation, Population, ProposalView};
use crate::payoff::{PayoffEngine, TAU};
use crate::perturbation::Perturbation;
use crate::proxy::Proxy;
use crate::resource_negotiation::ResourceNegotiation;
use crate::rivals::Rivals;
use crate::rng::{PyRandom, StreamLayout};
use crate::schedule::Schedule;
use crate::spawn::{SpawnSnapshot, SpawnTree};
use crate::tierra::{Tierra, World};
use crate::types::{Action, Actor, AgentIdx, InteractionType, StateType};

/// Per-actor rate-limit counters (spec §1.4).
#[derive(Debug, Clone, Copy, Default)]
struct Usage {
    posts: u64,
    interactions: u64,
    votes: u64,
    tasks: u64,
    bounties: u64,
    bids: u64,
}

/// Observation fields of agents without a marketplace.
static NO_MARKET: MarketView = MarketView {
    available_bounties: Vec::new(),
    active_escrows: Vec::new(),
    bid_decisions: Vec::new(),
    available_tasks: Vec::new(),
    active_tasks: Vec::new(),
};

#[derive(Debug, Clone, Copy)]
struct Proposal {
    initiator: AgentIdx,
    counterparty: AgentIdx,
    kind: InteractionType,
    /// τ, always 0 in the reference (Q2; see `ModelSwitches`).
    tau: f64,
}

/// Pending proposals in insertion order, with a queue per counterparty so
/// an observation finds "my first pending proposal" without a scan (the
/// queues hold the proposals themselves, so it is one read). Answered
/// proposals leave a hole that `compact` removes once per step. The queues
/// are indexed by agent and keep their buffers once used, so proposing
/// does not allocate in the steady state.
#[derive(Debug)]
struct Pending {
    entries: Vec<(u64, Option<Proposal>)>,
    by_counterparty: Vec<VecDeque<(u64, Proposal)>>,
    next_id: u64,
}

impl Pending {
    fn new(n_agents: usize) -> Self {
        Pending {
            entries: Vec::new(),
            by_counterparty: vec![VecDeque::new(); n_agents],
            next_id: 0,
        }
    }

    #[inline(always)]
    fn push(&mut self, p: Proposal) {
        let id = self.next_id;
        self.next_id += 1;
        self.entries.push((id, Some(p)));
        self.by_counterparty[p.counterparty as usize].push_back((id, p));
    }

    /// Remove proposal `id` if it is still pending.
    fn remove(&mut self, id: u64) -> Option<Proposal> {
        let i = self.entries.binary_search_by_key(&id, |e| e.0).ok()?;
        self.take_at(i)
    }

    /// Remove the proposal at position `i` of `entries`, if still pending.
    fn take_at(&mut self, i: usize) -> Option<Proposal> {
        let (id, slot) = &mut self.entries[i];
        let p = slot.take()?;
        let q = &mut self.by_counterparty[p.counterparty as usize];
        // Nearly always the front: proposals are answered in order.
        if q.front().is_some_and(|x| x.0 == *id) {
            q.pop_front();
        } else if let Some(pos) = q.iter().position(|x| x.0 == *id) {
            q.remove(pos);
        }
        Some(p)
    }

    fn first_for(&self, agent: AgentIdx) -> Option<(u64, Proposal)> {
        self.by_counterparty.get(agent as usize)?.front().copied()
    }

    fn compact(&mut self) {
        self.entries.retain(|e| e.1.is_some());
    }
}

/// Final state of one agent (the `.agents` table).
#[derive(Debug, Clone)]
pub struct AgentsOut {
    pub ids: Vec<String>,
    pub types: Vec<&'static str>,
    pub reputation: Vec<f64>,
    pub resources: Vec<f64>,
    pub total_payoff: Vec<f64>,
    pub interactions_initiated: Vec<u64>,
    pub interactions_received: Vec<u64>,
    pub frozen: Vec<bool>,
}

/// Every agent's state at the end of each epoch, epoch-major (agent `i` of
/// epoch `e` at `e * n_agents + i`); `RunConfig::record_agent_epochs`.
#[derive(Debug, Clone, Default)]
pub struct AgentEpochs {
    pub reputation: Vec<f64>,
    pub resources: Vec<f64>,
    pub frozen: Vec<bool>,
}

/// Everything a run produces.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub scenario_id: String,
    pub seed: i64,
    pub epochs: Vec<EpochRow>,
    pub agents: AgentsOut,
    /// None when the interaction trace was not requested.
    pub trace: Option<Trace>,
    /// None unless `record_agent_epochs`.
    pub agent_epochs: Option<AgentEpochs>,
    pub totals: RunTotals,
    /// Calls and failed calls of the external agents, if any.
    pub external: Option<ExternalReport>,
    /// Each epoch's spawn metrics; None without a `spawn:` section.
    pub spawn_metrics: Option<Vec<SpawnSnapshot>>,
    /// Names of the counterparties that are no agent, which the trace
    /// numbers from the population's size on (the memory tiers'
    /// `memory_system`, the wiki's and the scholar handler's parties);
    /// empty otherwise.
    pub pseudo_parties: Vec<String>,
    /// Each epoch's contract-screening metrics; None without `contracts:`.
    pub contract_metrics: Option<Vec<ContractMetrics>>,
}

/// Agent `$a`'s observation before noise (spec §3.4), showing `$market`.
macro_rules! observation {
    ($e:ident, $a:expr, $market:expr) => {{
        let a: AgentIdx = $a;
        let limits = &$e.cfg.rate_limits;
        let u = $e.usage[a as usize];
        Observation::new(
            a,
            $e.epoch,
            (
                u.posts < limits.posts_per_epoch,
                u.interactions < limits.interactions_per_step,
                u.votes < limits.votes_per_epoch,
                u.tasks < limits.tasks_per_epoch,
            ),
            $e.pending
                .first_for(a)
                .map(|(id, p)| ProposalView { id, initiator: p.initiator, kind: p.kind, tau: p.tau }),
            $e.feed.top_posts(),
            $market,
            Population {
                frozen: &$e.frozen,
                reputation: &$e.reputation,
                resources: &$e.resources,
                types: &$e.types,
                network: $e.network.as_ref(),
                index: $e.index.as_ref(),
            },
        )
    }};
}

/// Bind agent `$a`'s observation (spec §3.4) to `$obs`, from disjoint
/// borrows of the engine's fields, so the agent's policy can be borrowed
/// mutably beside it.
/// With observation noise (§14) the visible list is built at once, drawing
/// from R_o for each record's reputation, resources and edge weight, then
/// for the nine numeric ecosystem fields.
macro_rules! observe {
    // Binds the observation to `$obs` in the caller's scope rather than
    // returning it: a returned 176-byte struct was copied on every turn.
    ($e:ident, $a:expr, $for_turn:expr, $obs:ident) => {
        let a: AgentIdx = $a;
        let market = match &$e.marketplace {
            // The end-of-step answer reads no marketplace field.
            Some(m) if $for_turn => {
                m.view(a, $e.reputation[a as usize], i64::from($e.epoch), &mut $e.market_view);
                &$e.market_view
            }
            _ => &NO_MARKET,
        };
        let $obs = observation!($e, a, market);
        let (pi, sigma) = ($e.cfg.observation_noise_probability, $e.cfg.observation_noise_std);
        if pi > 0.0 && sigma > 0.0 {
            let rng = &mut $e.r_o;
            let mut jitter = |v: f64| if rng.random() < pi { v + rng.gauss(0.0, sigma) } else { v };
            $obs.build_visible_with(|rec, w| {
                rec.reputation = jitter(rec.reputation);
                rec.resources = jitter(rec.resources);
                jitter(w);
            });
            // The nine numeric fields of `ecosystem_metrics`: the draws
            // happen for every agent; only external agents read the values.
            for k in 0..9 {
                $e.eco_noise[k] = (rng.random() < pi).then(|| rng.gauss(0.0, sigma));
            }
        }
    };
}

// After the macros, which it uses.
mod memory_turns;

pub struct Engine {
    cfg: RunConfig,
    ids: Vec<String>,
    agents: Vec<Agent>,
    types: Vec<StateType>,
    reputation: Vec<f64>,
    resources: Vec<f64>,
    total_payoff: Vec<f64>,
    initiated: Vec<u64>,
    received: Vec<u64>,
    frozen: Vec<bool>,
    /// Indexed by `Actor::slot`: agents, then the anonymous actor `""`.
    usage: Vec<Usage>,
    feed: Feed,
    /// None without a network, and for a static complete network left
    /// implicit (see [`Tuning::implicit_complete`]).
    network: Option<Network>,
    /// The visible population as Fenwick trees; kept when visibility is
    /// the same list for every agent (no network, no noise), see
    /// [`Tuning::index`].
    index: Option<VisibleIndex>,
    marketplace: Option<Box<Marketplace>>,
    /// The `dynamic_toxicity:` subsystem, when a mechanism is enabled.
    dynamic_toxicity: Option<Box<DynamicToxicity>>,
    /// The `perturbations:` subsystem (parameter and resource shocks).
    perturbation: Option<Box<Perturbation>>,
    /// The `spawn:` subsystem's tree and its per-epoch metrics.
    spawn: Option<Box<(SpawnTree, Vec<SpawnSnapshot>)>>,
    /// The `tierra:` subsystem (resource pool, metabolism, reaper).
    tierra: Option<Tierra>,
    /// The `resource_negotiation:` subsystem's games (drawn at build).
    negotiation: Option<Box<ResourceNegotiation>>,
    /// The `moltbook:` subsystem, with moltbook agents only (moltbook.rs).
    moltbook: Option<Box<Moltbook>>,
    /// The `memory_tiers:` subsystem (shared memory, its writes).
    memory_tiers: Option<Box<MemoryTiers>>,
    /// The `rivals:` subsystem (the Team-of-Rivals pipeline).
    rivals: Option<Box<Rivals>>,
    /// The `contracts:` subsystem's market (contracts.rs).
    contracts: Option<Box<ContractMarket>>,
    /// The `moltipedia:` wiki (moltipedia.rs).
    wiki: Option<Box<Wiki>>,
    /// The wiki is on or the run has wiki editors: turns build the wiki's
    /// queues (an `EXTRAS` check).
    wiki_turns: bool,
    wiki_view: WikiView,
    /// The `scholar:` subsystem's handler (its agents' turns, see `step`).
    scholar: Option<Box<crate::scholar::Scholar>>,
    /// The `awm:` subsystem's handler (its workers' tasks, see `step`).
    awm: Option<Box<crate::awm::Awm>>,
    /// Whether the run takes the `EXTRAS` step: one of the features listed
    /// at `step` is on.
    extras: bool,
    market_view: MarketView,
    pending: Pending,
    governance: Governance,
    /// R_o: observables, the random schedule and observation noise.
    r_o: PyRandom,
    proxy: Proxy,
    payoff: PayoffEngine,
    epoch: u32,
    step: u32,
    accumulator: EpochAccumulator,
    totals: RunTotals,
    epochs: Vec<EpochRow>,
    trace: Option<Trace>,
    /// The run's growth, looked at every million agent-steps (memory.rs).
    memory: Watch,
    agent_epochs: Option<AgentEpochs>,
    schedule: Schedule,
    /// The step's eligible list (kept to reuse its allocation).
    eligible: Vec<AgentIdx>,
    /// Usage slots whose per-step proposal count is not 0.
    proposed: Vec<usize>,
    /// Self-optimizers with `optimize_per_epoch` on (a swarm_fast
    /// extension); empty in every reference-compatible run.
    optimizing: Vec<usize>,
    /// Agents the memory-decay middleware changes at epoch end (`rain`,
    /// `ralph_loop`); empty in the paper's runs.
    forgetting: Vec<usize>,
    /// The policies of external agents (spec-ext §4 item 2), and what the
    /// run reports about them; None without external agents.
    external: Option<Externals>,
    /// Interactions completed this epoch (`ecosystem_metrics`).
    completed_this_epoch: u64,
    /// Proposals to ids that name no agent: pending for ever (core §4.1).
    dangling_proposals: u64,
    /// The last observation's ecosystem noise (see `observe!`).
    eco_noise: [Option<f64>; 9],
    /// No per-interaction hook beyond the core's is on (see
    /// [`Engine::complete`]); fixed for the run.
    plain: bool,
}

/// The external agents' policy object and their books.
struct Externals {
    policy: Box<dyn ExternalPolicy>,
    report: ExternalReport,
    /// A callback asked to stop the run (its message).
    abort: Option<String>,
    /// The batched mode (see [`Engine::batched`]).
    batched: bool,
}

impl Externals {
    /// One batched call of the batched mode (act or accept): `ask` the
    /// policy about every request at once (unless a callback has stopped
    /// the run), then settle each answer in order; an answer missing from
    /// a short reply is the error `short`, giving `fallback`. `at` pairs each
    /// request with (the caller's position for it, its external slot);
    /// returns (position, settled answer) in request order.
    fn batch<Q, T: Copy>(
        &mut self,
        call: Call,
        requests: Vec<Q>,
        at: Vec<(usize, usize)>,
        (fallback, short): (T, &'static str),
        ask: impl FnOnce(&mut dyn ExternalPolicy, Vec<Q>, &mut Vec<Result<T, ExternalError>>),
    ) -> Vec<(usize, T)> {
        let mut out = Vec::with_capacity(requests.len());
        if self.abort.is_none() {
            ask(self.policy.as_mut(), requests, &mut out);
        }
        let mut out = out.into_iter();
        at.into_iter()
            .map(|(pos, slot)| {
                let r = out.next().unwrap_or_else(|| Err(ExternalError::fallback(short)));
                (pos, self.settle(slot, call, r, fallback))
            })
            .collect()
    }

    /// Book one call's outcome; an error gives `fallback`.
    fn settle<T>(
        &mut self,
        slot: usize,
        call: Call,
        r: Result<T, ExternalError>,
        fallback: T,
    ) -> T {
        self.report.calls[slot][call as usize] += 1;
        match r {
            Ok(v) => v,
            Err(e) => {
                if e.abort {
                    self.abort.get_or_insert(e.message);
                } else {
                    self.report.errors[slot].record(call, e.message);
                }
                fallback
            }
        }
    }
}

/// How the engine lays out its data for speed (issue 4). Every choice
/// gives the same run; `Auto` picks by population size.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tuning {
    /// Policies query an index of the visible population instead of
    /// scanning the list (no network, no noise only).
    pub index: Switch,
    /// Agents' streams keep a window of outputs instead of a full state.
    pub windowed_streams: Switch,
    /// A windowed stream that runs out takes another window rather than
    /// its full state (the million-agent memory bound).
    pub refill_windows: Switch,
    /// The priority schedule keeps the agents sorted by reputation instead
    /// of sorting all N every step.
    pub priority_order: Switch,
    /// A static complete network is left implicit: everyone is everyone
    /// else's neighbour at weight 1.0 for the whole run, which is exactly
    /// what a run without a network shows and allows (the same visible
    /// lists in the same order, every proposal allowed, weight 1.0 under
    /// noise). So such runs use the index instead of N² edges.
    pub implicit_complete: Switch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Switch {
    #[default]
    Auto,
    On,
    Off,
}

impl Switch {
    /// On or off, with `Auto` decided by `auto`.
    fn resolve(self, auto: bool) -> bool {
        match self {
            Switch::Auto => auto,
            Switch::On => true,
            Switch::Off => false,
        }
    }
}

/// Above this many agents `Auto` windows the streams: 2.5 KB of state per
/// agent stops fitting in cache and seeding dominates short runs.
const WINDOWED_STREAMS_FROM: usize = 512;
/// Runs of at most this many steps in all count as short: their agents
/// draw so little that seeding full states would dominate.
const SHORT_RUN_STEPS: u64 = 8;
/// From this many agents `Auto` keeps the priority order sorted: below,
/// sorting a few agents per step is cheaper than the set's upkeep.
const KEPT_PRIORITY_FROM: usize = 64;
/// Up to this many agents a windowed stream that runs out keeps its full
/// state (640 MiB at most); beyond, it keeps refilling windows, so that a
/// million agents fit in well under 2 GiB.
const FULL_STREAMS_UP_TO: usize = 262_144;

impl Engine {
    pub fn new(cfg: RunConfig) -> SwarmResult<Self> {
        Self::tuned(cfg, Tuning::default())
    }

    pub fn tuned(cfg: RunConfig, tuning: Tuning) -> SwarmResult<Self> {
        Self::build(cfg, tuning, None)
    }

    /// An engine whose external agents (if any) are decided by `policy`.
    pub fn with_external(
        cfg: RunConfig,
        tuning: Tuning,
        policy: Box<dyn ExternalPolicy>,
    ) -> SwarmResult<Self> {
        Self::build(cfg, tuning, Some(policy))
    }

    fn build(
        cfg: RunConfig,
        tuning: Tuning,
        policy: Option<Box<dyn ExternalPolicy>>,
    ) -> SwarmResult<Self> {
        cfg.validate()?;
        let seed =
            cfg.seed.ok_or_else(|| SwarmError::Config("simulation.seed is required".into()))?;
        let seed = i128::from(seed);
        // The population is sized from input: reserve it fallibly, so that
        // a count too large for memory is an error, not an abort.
        let total = cfg.agents.iter().fold(0u64, |n, a| n.saturating_add(a.count));
        let mut ids: Vec<String> = Vec::new();
        let mut agents = Vec::new();
        let room = usize::try_from(total)
            .ok()
            .filter(|&t| ids.try_reserve_exact(t).is_ok() && agents.try_reserve_exact(t).is_ok());
        if room.is_none() {
            return Err(SwarmError::Config(format!(
                "agents: {total} agents do not fit in this machine's memory"
            )));
        }
        let mut per_type: HashMap<&str, u64> = HashMap::default();
        // External agents' declared types, by agent index.
        let mut declared: Vec<(usize, StateType)> = Vec::new();
        for spec in &cfg.agents {
            let (kind, prefix) = match &spec.external {
                Some(ext) if spec.kind == EXTERNAL => (AgentKind::External, ext.id_prefix.as_str()),
                _ => {
                    let kind = AgentKind::from_yaml(&spec.kind).ok_or_else(|| {
                        SwarmError::Config(format!("agents: unknown agent type {:?}", spec.kind))
                    })?;
                    (kind, kind.yaml_key())
                }
            };
            for _ in 0..spec.count {
                let k = per_type.entry(prefix).or_insert(0);
                *k += 1;
                let idx = agents.len();
                if idx >= AgentIdx::MAX as usize - 1 {
                    return Err(SwarmError::Config("agents: too many agents".into()));
                }
                if let Some(ext) = &spec.external {
                    let t = StateType::parse(&ext.agent_type).unwrap_or(StateType::Honest);
                    declared.push((idx, t));
                }
                ids.push(format!("{prefix}_{k}"));
                agents.push((kind, &spec.config));
            }
        }
        let n = agents.len();
        if !declared.is_empty() && policy.is_none() {
            return Err(SwarmError::Config(
                "agents: the scenario has python / llm agents, whose policies only \
                 swarm_fast.run() passes (sweeps and batches do not take them)"
                    .into(),
            ));
        }
        // R_j = Random(seed + j), j = 1, 2, ... in creation order, counting
        // scripted agents only: external agents take no j (spec-ext §3.2).
        let n_scripted = n - declared.len();
        let seeds: Vec<i128> = (1..=n_scripted as i128).map(|j| seed + j).collect();
        // Windows pay off where seeding dominates (a few steps of many
        // agents) or where full states would not fit (FULL_STREAMS_UP_TO).
        let steps = u64::from(cfg.n_epochs) * u64::from(cfg.steps_per_epoch);
        let windowed = tuning.windowed_streams.resolve(
            n > WINDOWED_STREAMS_FROM && (steps <= SHORT_RUN_STEPS || n > FULL_STREAMS_UP_TO),
        );
        let layout = if windowed {
            let refill = tuning.refill_windows.resolve(n > FULL_STREAMS_UP_TO);
            StreamLayout::Windowed { keep_state: !refill }
        } else {
            StreamLayout::Full
        };
        // R_o = Random(seed) is seeded with the agents' streams when they
        // are full states too (one pass of lanes instead of one more chain).
        let (r_o, streams) = if layout == StreamLayout::Full {
            let mut all = PyRandom::many(&[&[seed][..], &seeds].concat(), layout).into_iter();
            (all.next().expect("R_o"), all)
        } else {
            (PyRandom::new(seed), PyRandom::many(&seeds, layout).into_iter())
        };
        let mut streams = streams;
        let mut slots: Vec<AgentIdx> = Vec::with_capacity(declared.len());
        let mut agents_built: Vec<Agent> = Vec::with_capacity(n);
        // Collusive voters' partners, named by id (moltbook.rs).
        let mut partners: Vec<(usize, Option<crate::moltbook::Party>)> = Vec::new();
        for (idx, (kind, params)) in agents.into_iter().enumerate() {
            let me = idx as AgentIdx;
            if kind == AgentKind::CollusiveVoter {
                let id = params.partner_id.as_deref();
                partners.push((idx, crate::moltbook::Party::partner(id, &ids)));
            }
            agents_built.push(if kind == AgentKind::External {
                slots.push(me);
                // Never drawn from; not an R_j.
                Agent::external(me, slots.len() as u32 - 1, PyRandom::new(0))
            } else {
                let rng = streams.next().expect("one stream per scripted agent");
                Agent::new(kind, me, params, rng, n)
            });
        }
        for (idx, partner) in partners {
            agents_built[idx].set_moltbook_partner(partner);
        }
        let agents = agents_built;
        // n == 0 runs: the reference's orchestrator runs an empty
        // population (its domain files have no `agents:`), every epoch empty.
        let network = match &cfg.network {
            Some(net) => {
                let s = u64::try_from(seed).map_err(|_| {
                    SwarmError::Config(
                        "simulation.seed: must be >= 0 with a network (numpy seeding)".into(),
                    )
                })?;
                // A network partition needs the edges themselves.
                let partition =
                    cfg.perturbations.as_ref().is_some_and(|p| p.network_partition.is_some());
                let implicit = net.topology == Topology::Complete
                    && !net.dynamic
                    && !partition
                    && tuning.implicit_complete.resolve(true);
                // A random fragment draws in the edges' insertion order.
                let keep_order = cfg.perturbations.as_ref().is_some_and(|p| {
                    p.network_partition.as_ref().is_some_and(|np| {
                        np.mode == crate::perturbation::PartitionMode::RandomFragment
                    })
                });
                (!implicit).then(|| Network::build_keeping_order(net, n, s, keep_order))
            }
            None => None,
        };
        let mut by_name: Vec<usize> = (0..n).collect();
        by_name.sort_by(|&a, &b| ids[a].cmp(&ids[b]));
        let mut rank = vec![0u32; n];
        for (r, &i) in by_name.iter().enumerate() {
            rank[i] = r as u32;
        }
        let mut types: Vec<StateType> = agents.iter().map(|a| a.kind.state_type()).collect();
        for &(i, t) in &declared {
            types[i] = t;
        }
        let optimizing: Vec<usize> =
            (0..n).filter(|&i| agents[i].quality_loss().is_some()).collect();
        let forgetting = (0..n).filter(|&i| agents[i].forgets()).collect();
        let (reputation, resources, frozen) = (vec![0.0; n], vec![100.0; n], vec![false; n]);
        let noisy = cfg.observation_noise_probability > 0.0 && cfg.observation_noise_std > 0.0;
        // Spawned children join mid-run (spawn.rs): the population's
        // indexes are left out then, and what cannot grow is refused.
        let grows = cfg.spawn.is_some() && agents.iter().any(|a| a.kind == AgentKind::Tierra);
        if grows {
            spawn_compatible(&cfg, network.is_some() || cfg.network.is_some())?;
        }
        let indexable = network.is_none() && !noisy && !grows;
        // Cheaper than walking the list even for five agents.
        let index = (indexable && tuning.index.resolve(true)).then(|| {
            let adversaries = agents
                .iter()
                .any(|a| matches!(a.kind, AgentKind::Adversarial | AgentKind::ModelingAdversary));
            VisibleIndex::new(&types, &frozen, &reputation, &resources, adversaries)
        });
        let has_tierra = agents.iter().any(|a| a.kind == AgentKind::Tierra);
        let mut agents = agents;
        let wiki = cfg.moltipedia.clone().map(|c| Box::new(Wiki::new(*c, n)));
        let wiki_turns = wiki.is_some() || agents.iter().any(|a| a.kind.edits_wiki());
        if wiki_turns {
            wiki_partners(&cfg, &ids, &mut agents);
        }
        // Initial tierra agents' genomes are registered at build (the loader).
        let tierra = cfg.tierra.clone().map(|c| {
            let mut t = Tierra::new(*c);
            for (i, a) in agents.iter().enumerate() {
                if let Some(g) = a.genome() {
                    t.register_genome(i, g);
                }
            }
            t
        });
        // The loader registers each rivals agent's role.
        let rivals = match cfg.rivals.clone() {
            Some(c) => {
                let roles: Vec<_> =
                    agents.iter().map(|a| a.rivals_member().and_then(|(r, _)| r)).collect();
                crate::rivals::check_candidates(c.mode, &roles).map_err(SwarmError::Config)?;
                Some(Box::new(Rivals::new(*c, roles)))
            }
            None => None,
        };
        let kept_priority = tuning.priority_order.resolve(n >= KEPT_PRIORITY_FROM) && !grows;
        let schedule = Schedule::new(cfg.schedule_mode, &reputation, kept_priority);
        let governance = Governance::new(cfg.governance.clone(), r_o.clone(), rank)
            .with_model(cfg.model, &cfg.payoff);
        let perturbation = match &cfg.perturbations {
            Some(p) => {
                p.validate(&cfg.governance)?;
                Some(Perturbation::new((**p).clone(), n))
            }
            None => None,
        };
        // Interactions take the plain path (see `Engine::complete`) when
        // none of these is on; decided once for the run.
        if cfg.contracts.is_some() {
            contracts_compatible(&cfg)?;
        }
        let plain = governance.is_plain()
            && cfg.contracts.is_none()
            && cfg.model.is_reference()
            && cfg.dynamic_toxicity.is_none()
            && perturbation.is_none()
            && (policy.is_none() || slots.is_empty())
            && optimizing.is_empty()
            && !(cfg.tierra.is_some() || cfg.spawn.is_some() || has_tierra);
        // The turns, admissions and proposals check for these features only
        // when one of them is on (see `step`).
        let moltbook = cfg.moltbook.clone().map(|c| Box::new(Moltbook::new(*c, n)));
        let extras = tierra.is_some()
            || perturbation.is_some()
            || governance.bars_agents()
            || moltbook.is_some()
            || rivals.is_some()
            || cfg.spawn.is_some()
            || has_tierra
            || governance.resampling()
            || cfg.model.transfers_in_payoff
            || cfg.memory_tiers.is_some()
            || wiki_turns
            || cfg.scholar.is_some()
            || cfg.awm.is_some();
        memory_turns::compatible(&cfg, network.is_some() || cfg.network.is_some())?;
        // The loader's `create_games_for_agents`, last of the build: its
        // draws from R_o come before the run's first.
        let mut r_o = r_o;
        let negotiation = cfg
            .resource_negotiation
            .clone()
            .map(|c| Box::new(ResourceNegotiation::new(*c, &mut r_o, n)));
        Ok(Engine {
            governance,
            payoff: PayoffEngine::new(cfg.payoff.clone()),
            // Room for a paper run's interactions (55 KB), so that small
            // runs do not re-allocate twelve columns eight times over.
            trace: cfg
                .record_interactions
                .then(|| Trace::with_capacity(1024, cfg.max_trace_rows.unwrap_or(u64::MAX))),
            agent_epochs: cfg.record_agent_epochs.then(AgentEpochs::default),
            ids,
            agents,
            types,
            reputation,
            resources,
            total_payoff: vec![0.0; n],
            initiated: vec![0; n],
            received: vec![0; n],
            frozen,
            usage: vec![Usage::default(); n + 1],
            feed: Feed::new(n),
            network,
            index,
            marketplace: cfg.marketplace.clone().map(|m| Box::new(Marketplace::new(*m))),
            perturbation: perturbation.map(Box::new),
            spawn: cfg.spawn.clone().map(|c| Box::new((SpawnTree::new(*c, n), Vec::new()))),
            contracts: cfg.contracts.clone().map(|c| Box::new(ContractMarket::new(*c, seed, n))),
            extras,
            memory_tiers: cfg.memory_tiers.clone().map(|c| Box::new(MemoryTiers::new(*c, n))),
            tierra,
            negotiation,
            moltbook,
            rivals,
            wiki,
            wiki_turns,
            wiki_view: WikiView::default(),
            scholar: cfg.scholar.clone().map(|c| Box::new(crate::scholar::Scholar::new(*c))),
            // Seeded with the run's seed (the handler factory's), not awm.seed.
            awm: cfg.awm.clone().map(|c| Box::new(crate::awm::Awm::new(*c, seed, n))),
            dynamic_toxicity: cfg
                .dynamic_toxicity
                .clone()
                .map(|c| Box::new(DynamicToxicity::new(*c, crate::proxy::SIGMOID_K, seed))),
            market_view: MarketView::default(),
            pending: Pending::new(n),
            r_o,
            proxy: Proxy::new(),
            epoch: 0,
            step: 0,
            accumulator: EpochAccumulator::default(),
            totals: RunTotals::default(),
            // Grown one epoch at a time (fallibly, in epoch_end), never
            // reserved up front from n_epochs.
            epochs: Vec::with_capacity((cfg.n_epochs as usize).min(1024)),
            memory: Watch::default(),
            schedule,
            eligible: Vec::new(),
            proposed: Vec::new(),
            optimizing,
            forgetting,
            external: policy.filter(|_| !slots.is_empty()).map(|policy| Externals {
                policy,
                report: ExternalReport {
                    calls: vec![[0; 3]; slots.len()],
                    errors: vec![CallErrors::default(); slots.len()],
                    agents: slots,
                },
                abort: None,
                batched: false,
            }),
            completed_this_epoch: 0,
            dangling_proposals: 0,
            eco_noise: [None; 9],
            plain,
            cfg,
        })
    }

    /// The batched mode, the reference's `run_async` semantics (spec-ext
    /// §3.1), for live models: each step, every eligible agent decides on
    /// the observation of the step's start (external agents all in one
    /// `act_batch` call), then the actions run in schedule order; at the
    /// step's end every pending proposal is decided (one `accept_batch`)
    /// before any completes. No agent sees proposals made in the same step.
    /// Not the sync `run()` of the reference: not bit-exact with it.
    pub fn batched(mut self, on: bool) -> Self {
        if let Some(x) = self.external.as_mut() {
            x.batched = on;
        }
        self
    }

    /// Run every epoch. `cancel` is polled once per step.
    pub fn run(self, cancel: &AtomicBool) -> SwarmResult<RunResult> {
        self.run_counting(cancel, None)
    }

    /// [`Engine::run`], adding one to `epochs_done` as each epoch ends (for
    /// a caller's progress bar; one relaxed add per epoch).
    pub fn run_counting(
        mut self,
        cancel: &AtomicBool,
        epochs_done: Option<&AtomicUsize>,
    ) -> SwarmResult<RunResult> {
        if let Some(ext) = self.external.as_mut() {
            let roster = Roster { ids: &self.ids, types: &self.types, slots: &ext.report.agents };
            ext.policy.begin(&roster).map_err(|e| {
                if e.abort {
                    SwarmError::Interrupted
                } else {
                    SwarmError::Config(format!("agents: {}", e.message))
                }
            })?;
        }
        for _ in 0..self.cfg.n_epochs {
            self.epoch_start();
            for _ in 0..self.cfg.steps_per_epoch {
                if cancel.load(Ordering::Relaxed) {
                    return Err(SwarmError::Interrupted);
                }
                // Monomorphised: runs without external agents compile the
                // loop without a trace of them (no slowdown, issue 13).
                if self.external.as_ref().is_some_and(|x| x.batched) {
                    self.step_batched();
                } else if self.external.is_some() {
                    self.step::<true, true>();
                } else if self.extras {
                    self.step::<false, true>();
                } else {
                    self.step::<false, false>();
                }
                if self.external.as_ref().is_some_and(|x| x.abort.is_some()) {
                    return Err(SwarmError::Interrupted);
                }
                if self.trace.as_ref().is_some_and(|t| t.overflowed) {
                    return Err(self.trace_overflow());
                }
                self.check_memory()?;
                self.step += 1;
                // Only the agents that proposed this step have a count to
                // reset: O(proposers), not O(N).
                for slot in self.proposed.drain(..) {
                    self.usage[slot].interactions = 0;
                }
            }
            self.epoch_end()?;
            self.check_memory()?;
            if let Some(done) = epochs_done {
                done.fetch_add(1, Ordering::Relaxed);
            }
        }
        Ok(self.finish())
    }

    /// Stop, with an error, a run that has grown so much that its next
    /// growth may not fit (an allocation failure would abort the process).
    #[inline(always)]
    fn check_memory(&mut self) -> SwarmResult<()> {
        match self.memory.tick(self.agents.len() as u64) {
            None => Ok(()),
            Some((grown, left)) => Err(self.outgrown(grown, left)),
        }
    }

    #[cold]
    #[inline(never)]
    fn outgrown(&self, grown: u64, left: u64) -> SwarmError {
        SwarmError::Config(format!(
            "simulation.n_epochs: the run outgrew the memory available at epoch {}, \
             step {} (it grew by {} MiB; {} MiB are left); run fewer epochs, steps \
             or agents",
            self.epoch,
            self.step,
            grown >> 20,
            left >> 20
        ))
    }

    #[cold]
    #[inline(never)]
    fn trace_overflow(&self) -> SwarmError {
        let rows = self.trace.as_ref().map_or(0, |t| t.len());
        SwarmError::Config(format!(
            "record_interactions: the interaction trace outgrew the memory available \
             after {rows} interactions (epoch {}, step {}); run without \
             record_interactions or with fewer epochs or steps",
            self.epoch, self.step
        ))
    }

    /// Governance epoch-start hooks (§3.2): decay, breaker releases and
    /// collusion penalties, applied together.
    #[inline(never)]
    fn epoch_start(&mut self) {
        if let Some(w) = self.wiki.as_mut() {
            w.on_epoch_start();
        }
        if self.governance.acts_at_epoch_start() {
            self.governance_epoch_start();
        }
        // The handlers' hooks run after governance's middleware.
        if let Some(m) = self.moltbook.as_mut() {
            m.on_epoch_start();
        }
        // The memory handler's and its rate lever's resets (independent of
        // the other levers' hooks).
        if let Some(m) = self.memory_tiers.as_mut() {
            m.on_epoch_start();
        }
        // Its own stream, and no state another hook reads: where it runs
        // among the epoch-start hooks changes nothing.
        if let Some(r) = self.rivals.as_mut() {
            r.on_epoch_start(self.agents.len());
        }
        // Its assignments draw nothing and read no state a hook changes.
        if let Some(w) = self.awm.as_mut() {
            w.on_epoch_start();
        }
        // The contract middleware's signing stage, after governance's.
        if let Some(c) = self.contracts.as_mut() {
            c.sign(&self.types, &self.resources);
        }
        // The perturbation middleware runs after governance's.
        if let Some(p) = self.perturbation.as_mut() {
            let cfg = &mut self.governance.cfg;
            let net = self.network.as_mut();
            if p.on_epoch_start(i64::from(self.epoch), cfg, &mut self.resources, net, &self.types) {
                for i in 0..self.resources.len() {
                    self.touch(i);
                }
            }
        }
    }

    /// Governance's epoch-start effect (decay, breaker releases, collusion
    /// and security penalties), applied together.
    fn governance_epoch_start(&mut self) {
        let effect = self.governance.on_epoch_start(self.epoch, &self.reputation);
        for &i in &effect.freeze {
            self.frozen[i] = true;
            self.touch(i);
        }
        for &i in &effect.unfreeze {
            self.frozen[i] = false;
            self.touch(i);
        }
        for (i, d) in effect.rep_delta.iter().enumerate() {
            if let Some(d) = d {
                self.reputation[i] += d;
                self.touch(i);
            }
        }
        for (i, d) in effect.res_delta.iter().enumerate() {
            if let Some(d) = d {
                self.resources[i] += d;
                self.touch(i);
            }
        }
    }

    /// Agent `i`'s frozen flag, reputation or resources changed: keep the
    /// visible-population index in step. Every such write calls this.
    #[inline]
    fn touch(&mut self, i: usize) {
        self.schedule.reputation_changed(i, self.reputation[i]);
        if let Some(ix) = self.index.as_mut() {
            ix.refresh(i, self.frozen[i], self.reputation[i], self.resources[i]);
        }
    }

    /// Network decay, metrics, then `advance_epoch` (§3.2 steps 3–5).
    #[inline(never)]
    fn epoch_end(&mut self) -> SwarmResult<()> {
        if let Some(rn) = self.negotiation.as_mut() {
            rn.on_epoch_end();
        }
        if let Some(r) = self.rivals.as_mut() {
            r.on_epoch_end();
        }
        if let Some(m) = self.marketplace.as_mut() {
            for (agent, amount) in m.epoch_end(i64::from(self.epoch)) {
                self.resources[agent as usize] += amount;
                self.touch(agent as usize);
            }
        }
        if let Some(net) = self.network.as_mut() {
            net.decay();
        }
        if let Some(s) = self.scholar.as_mut() {
            s.on_epoch_end();
        }
        if let Some(w) = self.awm.as_mut() {
            w.on_epoch_end();
        }
        // The memory-decay middleware, after the network's.
        for &i in &self.forgetting {
            self.agents[i].on_memory_decay(self.epoch);
        }
        let row =
            self.accumulator.finish(self.epoch, self.feed.total_posts(), self.feed.total_votes());
        if let Some(p) = self.perturbation.as_mut() {
            let cfg = &mut self.governance.cfg;
            p.on_epoch_end(i64::from(self.epoch), row.toxicity_rate, row.quality_gap, cfg);
        }
        if self.dynamic_toxicity.is_some() {
            self.dynamic_toxicity_epoch_end(&row);
        }
        if let Some(c) = self.contracts.as_mut() {
            c.epoch_end(&self.types);
        }
        // The epoch-end callbacks (the corrected model's adaptive controller).
        self.governance.on_epoch_end(&row);
        self.epochs.try_reserve(1).map_err(|_| {
            SwarmError::Config(format!(
                "simulation.n_epochs: {} epochs of metrics do not fit in memory \
                 (stopped at epoch {})",
                self.cfg.n_epochs, self.epoch
            ))
        })?;
        self.epochs.push(row);
        if let Some((tree, snaps)) = self.spawn.as_deref_mut() {
            snaps.push(tree.snapshot());
        }
        // The state the reference's epoch-end callbacks see.
        if let Some(snap) = self.agent_epochs.as_mut() {
            snap.reputation.extend_from_slice(&self.reputation);
            snap.resources.extend_from_slice(&self.resources);
            snap.frozen.extend_from_slice(&self.frozen);
        }
        // Extension: the optimisation step the reference never calls (ext.
        // spec §1.4), after the epoch's metrics, so epoch e is played at
        // depth e. It draws nothing.
        for &i in &self.optimizing {
            self.agents[i].on_epoch_end();
        }
        self.epoch += 1;
        self.step = 0;
        self.completed_this_epoch = 0;
        for u in &mut self.usage {
            *u = Usage::default();
        }
        Ok(())
    }

    /// Dynamic toxicity's feedback loops (after the network decay, as the
    /// reference's middleware order has it); its changes act from the next
    /// epoch on.
    fn dynamic_toxicity_epoch_end(&mut self, row: &crate::metrics::EpochRow) {
        let Some(dt) = self.dynamic_toxicity.as_mut() else { return };
        let honest: Vec<bool> = self.types.iter().map(|&t| t == StateType::Honest).collect();
        let mut out = EpochEnd {
            sigmoid_k: self.proxy.sigmoid_k(),
            honest: &honest,
            frozen: &self.frozen,
            exited: Vec::new(),
            shifts: Vec::new(),
        };
        dt.on_epoch_end(row, &mut out);
        let (exited, shifts) = (out.exited, out.shifts);
        for i in exited {
            self.frozen[i] = true;
            self.touch(i);
        }
        for (i, delta) in shifts {
            self.agents[i].shift_trust(delta);
        }
    }

    /// One step (§3.3): the eligible list, each agent's turn, then the
    /// end-of-step resolution of what is still pending.
    /// `EXTRAS` (`Engine::extras`): the run has tierra agents, the spawn or
    /// tierra subsystem (a step hook and SPAWN turns), perturbations (a step
    /// hook and dropped agents), a lever that bars agents from acting
    /// (security, sybil), a handler subsystem, the resample protocol or the
    /// corrected model's transfers; the other runs compile without their
    /// per-turn, per-admission and per-proposal checks.
    #[inline(always)]
    fn step<const EXT: bool, const EXTRAS: bool>(&mut self) {
        let max = self.cfg.max_actions_per_step as usize;
        let mut eligible = std::mem::take(&mut self.eligible);
        if let (true, Some(p)) = (EXTRAS, self.perturbation.as_mut()) {
            p.on_step_start(&self.types);
        }
        if EXTRAS && self.tierra.is_some() {
            self.tierra_step();
        }
        if EXTRAS {
            if let Some(m) = self.moltbook.as_mut() {
                m.on_step(i64::from(self.step));
            }
        }
        let (frozen, resources, governance) = (&self.frozen, &self.resources, &self.governance);
        let perturbation = self.perturbation.as_ref().filter(|_| EXTRAS);
        let epoch = self.epoch;
        // Decided once per step: most runs have no admission lever at all.
        let everyone = governance.admits_everyone();
        let admits = |a: AgentIdx| {
            let i = a as usize;
            // Dropped agents are skipped first, as in the reference's scheduler.
            !perturbation.is_some_and(|p| p.dropped(i))
                && !frozen[i]
                && (everyone
                    || if EXTRAS {
                        governance.admits(i, resources[i], epoch)
                    } else {
                        governance.admits_core(i, resources[i], epoch)
                    })
        };
        self.schedule.eligible(&mut self.r_o, &self.reputation, max, admits, &mut eligible);
        // Fixed for the whole step: an agent frozen mid-step still acts (Q11).
        // Small populations' streams stay in cache: no prefetching.
        let prefetch = self.agents.len() > WINDOWED_STREAMS_FROM;
        for (k, &a) in eligible.iter().enumerate() {
            // Two turns ahead is about one memory latency ahead.
            if let (true, Some(&next)) = (prefetch, eligible.get(k + 2)) {
                self.agents[next as usize].prefetch();
            }
            if EXTRAS && self.governance.resampling() {
                self.resampled_turn(a);
                continue;
            }
            if EXTRAS && self.handler_turn(a) {
                continue;
            }
            let action = {
                observe!(self, a, true, obs);
                if let Some(slot) = self.agents[a as usize].external_slot().filter(|_| EXT) {
                    let view = self.external_view(&obs);
                    drop(obs);
                    self.external_act(slot, view)
                } else {
                    // The wiki's queues are built for every observation;
                    // only its editors read them.
                    let wiki_action = if EXTRAS && self.wiki_turns {
                        match self.wiki.as_deref_mut() {
                            Some(w) => w.view(i64::from(self.step), &mut self.wiki_view),
                            None => self.wiki_view.clear(),
                        }
                        self.agents[a as usize].act_wiki(&self.wiki_view, self.wiki.as_deref())
                    } else {
                        None
                    };
                    if let Some(action) = wiki_action {
                        action
                    } else {
                        let action = self.agents[a as usize].act(&obs);
                        // Only a tierra agent returns SPAWN; refused, its turn
                        // goes on (the reference's `can_spawn` field).
                        if EXTRAS && action == Action::Spawn && !self.may_spawn(a as usize) {
                            self.agents[a as usize].act_without_spawn(&obs)
                        } else {
                            action
                        }
                    }
                }
            };
            self.execute::<EXT, EXTRAS>(a, action);
        }
        self.eligible = eligible;
        self.resolve_pending::<EXT, EXTRAS>();
    }

    /// A scholar agent's turn under the scholar handler (scholar.rs): its
    /// observation is built (for the noise draws), then the handler's
    /// state decides the action, and the interaction it makes, if any, is
    /// finalised. Out of line: the usual turn keeps its size.
    #[cold]
    #[inline(never)]
    fn scholar_turn(&mut self, a: AgentIdx, role: crate::scholar::Role) {
        {
            observe!(self, a, true, obs);
            drop(obs);
        }
        let Some(scholar) = self.scholar.as_mut() else { return };
        let agent = &mut self.agents[a as usize];
        if let Some(hi) = scholar.turn(role, agent.rng_mut()) {
            self.complete_handler(a, hi);
        }
    }

    /// Finalise a handler's interaction (the orchestrator's
    /// `_execute_action` after `handle_action`, its `_finalize_interaction`):
    /// accepted, a collaboration, with the handler's observables, then
    /// governance, the handler's own lever costs (`extra_costs`, after every
    /// core lever's), payoffs, the initiator's state and the metrics as in
    /// [`Engine::complete_as`]. The counterparty `b` is an agent only when
    /// `b_agent` (else a party numbered after the agents, with no state).
    /// The initiator's memory of it is not kept: no handler's agent reads
    /// it. Shared by the scholar, memory-tiers, wiki and AWM handlers (the
    /// AWM worker is its own counterparty).
    fn finalize_handled(
        &mut self,
        a: AgentIdx,
        (b, b_agent): (AgentIdx, bool),
        signals: Observables,
        tau: f64,
        extra_costs: &[f64],
    ) -> f64 {
        let i = a as usize;
        let (v_hat, p) = self.proxy.labels(&signals);
        let effect = self.governance.on_interaction::<false>(
            a,
            b,
            true,
            p,
            tau,
            (signals.rejections, signals.misuse),
            self.epoch,
            // Its metadata names no action type (RBAC, which reads it, is
            // refused beside these handlers anyway).
            true,
        );
        let mut c_a = 0.0 + effect.cost_a;
        for c in extra_costs {
            c_a += c;
        }
        let c_b = 0.0 + effect.cost_b;
        if effect.freeze_initiator {
            self.frozen[i] = true;
        }
        if let Some(d) = effect.initiator_rep_delta {
            self.reputation[i] += d;
        }
        let (r_a, r_b) = self.cfg.model.reputation_terms(true, p, c_a, effect.initiator_rep_delta);
        let pay_a = self.payoff.initiator_with(p, tau, c_a, r_a);
        let pay_b = self.payoff.counterparty_with(p, tau, c_b, r_b);
        self.initiated[i] += 1;
        self.total_payoff[i] += pay_a;
        self.reputation[i] += (p - 0.5) - c_a;
        if b_agent {
            self.received[b as usize] += 1;
            self.total_payoff[b as usize] += pay_b;
        }
        self.touch(i);
        if self.external.is_some() {
            self.completed_this_epoch += 1;
        }
        self.accumulator.add(true, p, pay_a, pay_b, self.payoff.social_surplus(p));
        self.totals.add(true, p, pay_a, pay_b);
        if let Some(trace) = self.trace.as_mut() {
            trace.push(InteractionRow {
                epoch: self.epoch,
                step: self.step,
                initiator: a,
                counterparty: b,
                kind: InteractionType::Collaboration,
                accepted: true,
                v_hat,
                p,
                c_a,
                c_b,
                payoff_initiator: pay_a,
                payoff_counterparty: pay_b,
            });
        }
        self.governance.record::<false>(Record {
            initiator: a,
            counterparty: b,
            accepted: true,
            p,
            tau,
            c_a,
            c_b,
        });
        c_a
    }

    /// The scholar handler's interaction (τ = 0; its party is numbered
    /// `n + party`).
    fn complete_handler(&mut self, a: AgentIdx, hi: crate::scholar::HandlerInteraction) {
        let party = (self.agents.len() + hi.party) as AgentIdx;
        self.finalize_handled(a, (party, false), hi.signals, TAU, &[]);
    }

    /// A turn under the resample protocol (governance/resample.rs): the
    /// agent's action, maybe re-asked on the same observation, then the
    /// majority's; a PROPOSE it opens keeps the annotation. Out of line:
    /// the usual turn keeps its size. (No external agents: refused.)
    #[cold]
    #[inline(never)]
    fn resampled_turn(&mut self, a: AgentIdx) {
        let (action, note) = {
            observe!(self, a, true, obs);
            let agent = &mut self.agents[a as usize];
            let first = agent.act(&obs);
            let rep = self.reputation[a as usize];
            self.governance.resample_select(a, rep, first, || agent.act(&obs))
        };
        let id = self.pending.next_id;
        self.execute::<false, true>(a, action);
        if let (Some(note), true) = (note, self.pending.next_id > id) {
            self.governance.resample_attach(id, note);
        }
    }

    /// One step of the batched mode (see [`Engine::batched`]). Out of line:
    /// the sync loop keeps its size.
    #[inline(never)]
    fn step_batched(&mut self) {
        let max = self.cfg.max_actions_per_step as usize;
        let mut eligible = std::mem::take(&mut self.eligible);
        let (frozen, resources, governance) = (&self.frozen, &self.resources, &self.governance);
        let epoch = self.epoch;
        let admits = |a: AgentIdx| {
            let i = a as usize;
            !frozen[i] && governance.admits(i, resources[i], epoch)
        };
        self.schedule.eligible(&mut self.r_o, &self.reputation, max, admits, &mut eligible);
        let mut actions: Vec<Action> = Vec::with_capacity(eligible.len());
        let (mut turns, mut at) = (Vec::new(), Vec::new());
        for (k, &a) in eligible.iter().enumerate() {
            observe!(self, a, true, obs);
            if let Some(slot) = self.agents[a as usize].external_slot() {
                let view = self.external_view(&obs);
                drop(obs);
                turns.push((slot, view));
                at.push((k, slot));
                actions.push(Action::Noop);
            } else {
                let action = self.agents[a as usize].act(&obs);
                actions.push(action);
            }
        }
        if let (false, Some(ext)) = (turns.is_empty(), self.external.as_mut()) {
            let missing = (Action::Noop, "act_batch gave fewer answers than turns");
            let answers =
                ext.batch(Call::Act, turns, at, missing, |p, turns, out| p.act_batch(turns, out));
            for (k, action) in answers {
                actions[k] = action;
            }
        }
        for (k, &a) in eligible.iter().enumerate() {
            self.execute::<true, true>(a, actions[k]);
        }
        self.eligible = eligible;
        // Every pending proposal is decided first, then completed in order.
        let n = self.pending.entries.len();
        let mut decided: Vec<(usize, Proposal, bool)> = Vec::new();
        let (mut asks, mut ask_at) = (Vec::new(), Vec::new());
        for i in 0..n {
            let (id, Some(p)) = self.pending.entries[i] else { continue };
            if self.frozen[p.counterparty as usize] {
                continue;
            }
            let view = ProposalView { id, initiator: p.initiator, kind: p.kind, tau: p.tau };
            observe!(self, p.counterparty, false, obs);
            if let Some(slot) = self.agents[p.counterparty as usize].external_slot() {
                let ext_view = self.external_view(&obs);
                drop(obs);
                asks.push((slot, view, ext_view));
                ask_at.push((decided.len(), slot));
                decided.push((i, p, false));
            } else {
                let ok = self.agents[p.counterparty as usize].accept(&view, move || obs);
                decided.push((i, p, ok));
            }
        }
        if let (false, Some(ext)) = (asks.is_empty(), self.external.as_mut()) {
            let missing = (false, "accept_batch gave fewer answers than asks");
            let answers = ext.batch(Call::Accept, asks, ask_at, missing, |p, asks, out| {
                p.accept_batch(asks, out)
            });
            for (d, ok) in answers {
                decided[d].2 = ok;
            }
        }
        for (i, p, ok) in decided {
            self.pending.take_at(i);
            self.complete(p, ok, true);
        }
        self.pending.compact();
    }

    fn actor_of(&self, a: AgentIdx) -> Actor {
        if self.agents[a as usize].kind.acts_anonymously() {
            Actor::Anonymous
        } else {
            Actor::Agent(a)
        }
    }

    fn usage_mut(&mut self, actor: Actor) -> &mut Usage {
        let slot = actor.slot(self.agents.len());
        &mut self.usage[slot]
    }

    /// Execute one action (§4.1). Failures are silent. Inlined into each
    /// step variant and the resampled turn: kept out of line, it cost a
    /// paper run ~3% more instructions.
    #[inline(always)]
    fn execute<const EXT: bool, const EXTRAS: bool>(&mut self, a: AgentIdx, action: Action) {
        let actor = self.actor_of(a);
        let limits = self.cfg.rate_limits;
        match action {
            Action::Noop => {}
            Action::Spawn => {
                if self.may_spawn(a as usize) {
                    self.spawn_child(a as usize);
                }
            }
            Action::PostBounty { .. }
            | Action::PlaceBid { .. }
            | Action::AcceptBid { .. }
            | Action::FileDispute { .. }
            | Action::ClaimTask { .. }
            | Action::SubmitOutput { .. } => {
                if self.marketplace.is_some() {
                    self.execute_market(a, action);
                }
            }
            // Runs with a rivals section take the EXTRAS turns; without one
            // there is no handler and the turn does nothing.
            Action::RivalsProduce | Action::RivalsReview => {
                if EXTRAS && self.rivals.is_some() {
                    self.rivals_turn(a, action);
                }
            }
            Action::CreatePage { .. } | Action::EditPage { .. } => {
                if self.wiki.is_some() {
                    self.execute_wiki(a, action);
                }
            }
            Action::Post | Action::PostText { .. } => {
                let u = self.usage_mut(actor);
                if u.posts < limits.posts_per_epoch {
                    u.posts += 1;
                    self.feed.create_post(actor);
                }
            }
            Action::Vote { post, up } => {
                if self.usage_mut(actor).votes < limits.votes_per_epoch
                    && self.feed.vote(actor, post, up)
                {
                    self.usage_mut(actor).votes += 1;
                }
            }
            Action::Propose { target, kind } | Action::ProposeText { target, kind, .. } => {
                if self.usage_mut(actor).interactions >= limits.interactions_per_step {
                    return;
                }
                let linked = match &self.network {
                    Some(_) if EXT && target as usize >= self.agents.len() => false,
                    Some(net) => net.has_edge(a, target),
                    // An implicit complete network has no self-loops either
                    // (no policy proposes to itself; this keeps it exact).
                    None => target != a || self.cfg.network.is_none(),
                };
                if !linked {
                    return;
                }
                if EXT && target as usize >= self.agents.len() {
                    // Only external policies name unknown ids: the
                    // proposal is queued and never resolved (core §4.1).
                    self.dangling_proposals += 1;
                    self.usage_mut(actor).interactions += 1;
                    let slot = actor.slot(self.agents.len());
                    if self.usage[slot].interactions == 1 {
                        self.proposed.push(slot);
                    }
                    return;
                }
                // The transfer the policy offers (corrected model only).
                let tau = if EXTRAS && self.cfg.model.transfers_in_payoff {
                    self.agents[a as usize].offered_transfer(target)
                } else {
                    TAU
                };
                self.pending.push(Proposal { initiator: a, counterparty: target, kind, tau });
                let slot = actor.slot(self.agents.len());
                if self.usage[slot].interactions == 0 {
                    self.proposed.push(slot);
                }
                self.usage[slot].interactions += 1;
            }
            Action::Accept { proposal } | Action::Reject { proposal } => {
                if let Some(p) = self.pending.remove(proposal) {
                    if EXTRAS && self.governance.resampling() {
                        self.governance.resample_take(proposal);
                    }
                    // An agent's own accept or reject: the reference's core
                    // handler finalises it without the contract market.
                    self.complete(p, matches!(action, Action::Accept { .. }), false);
                }
            }
        }
    }

    /// The step count since the run's start (the spawn cooldown's clock).
    fn global_step(&self) -> i64 {
        i64::from(self.epoch) * i64::from(self.cfg.steps_per_epoch) + i64::from(self.step)
    }

    /// `SpawnTree.can_spawn` for agent `i` now; false without a spawn tree.
    fn may_spawn(&self, i: usize) -> bool {
        let g = self.global_step();
        self.spawn.as_deref().is_some_and(|(t, _)| t.can_spawn(i, g, self.resources[i]))
    }

    /// A turn a handler subsystem plays for the agent instead of its
    /// policy (moltbook, memory tiers, scholar); false when none does. Out
    /// of line, so the step loop of runs without them keeps its shape.
    #[inline(never)]
    fn handler_turn(&mut self, a: AgentIdx) -> bool {
        if self.moltbook.is_some() && self.moltbook_turn(a) {
            return true;
        }
        if self.memory_tiers.is_some() && self.memory_turn(a) {
            return true;
        }
        if self.scholar.is_some() {
            if let Some(role) = self.agents[a as usize].scholar_role() {
                self.scholar_turn(a, role);
                return true;
            }
        }
        if self.awm.as_ref().is_some_and(|w| w.assigned(a)) && self.agents[a as usize].is_awm() {
            self.awm_turn(a);
            return true;
        }
        false
    }

    /// An AWM worker's turn with a task (awm.rs): its observation is built
    /// (for the noise draws), it plans its calls, the handler runs them and
    /// the interaction, the worker's with itself, is finalised. A worker
    /// without a task takes the usual turn (a NOOP).
    #[cold]
    #[inline(never)]
    fn awm_turn(&mut self, a: AgentIdx) {
        {
            observe!(self, a, true, obs);
            drop(obs);
        }
        let Some(awm) = self.awm.as_mut() else { return };
        let n_tools = awm.n_tools();
        let Some(step_mode) = self.agents[a as usize].awm_plan(n_tools, &mut awm.plan) else {
            return;
        };
        let signals = if step_mode { Some(awm.finish(a)) } else { awm.batch(a) };
        if let Some(signals) = signals {
            // The counterparty is the worker itself: it receives too.
            self.finalize_handled(a, (a, true), signals, TAU, &[]);
        }
    }

    /// A moltbook agent's turn (moltbook.rs) and the interaction it
    /// gives; false for every other agent.
    #[inline(never)]
    fn moltbook_turn(&mut self, a: AgentIdx) -> bool {
        let (Some(m), t) = (self.moltbook.as_mut(), self.types[a as usize]) else { return false };
        let Some((role, rng)) = self.agents[a as usize].moltbook_role() else { return false };
        if let Some(o) = m.turn(a, role, t, rng, i64::from(self.step)) {
            self.complete_moltbook(o);
        }
        true
    }

    /// `_finalize_interaction` for an interaction whose observables the
    /// moltbook handler set. Runs with moltbook agents have no lever acting
    /// on interactions (scenario checks refuse them), so no governance cost
    /// applies; the counterparty may be no agent (`moltbook`, `seed_bot`:
    /// numbered after the agents, with no state). Moltbook agents read no
    /// memory: none is updated.
    fn complete_moltbook(&mut self, o: crate::moltbook::Outcome) {
        let a = o.initiator as usize;
        let (counterparty, b) = o.counterparty.trace_id(self.agents.len() as AgentIdx);
        let (v_hat, p) = self.proxy.labels(&o.signals);
        let (c_a, c_b) = (0.0, 0.0);
        let pay_a = self.payoff.initiator_with(p, TAU, c_a, crate::payoff::R_A);
        let pay_b = self.payoff.counterparty_with(p, TAU, c_b, crate::payoff::R_B);
        if o.accepted {
            self.initiated[a] += 1;
            self.total_payoff[a] += pay_a;
            self.reputation[a] += (p - 0.5) - c_a;
            if b {
                let b = counterparty as usize;
                self.received[b] += 1;
                self.total_payoff[b] += pay_b;
            }
        }
        self.touch(a);
        self.accumulator.add(o.accepted, p, pay_a, pay_b, self.payoff.social_surplus(p));
        self.totals.add(o.accepted, p, pay_a, pay_b);
        if let Some(trace) = self.trace.as_mut() {
            trace.push(InteractionRow {
                epoch: self.epoch,
                step: self.step,
                initiator: o.initiator,
                counterparty,
                kind: o.kind,
                accepted: o.accepted,
                v_hat,
                p,
                c_a,
                c_b,
                payoff_initiator: pay_a,
                payoff_counterparty: pay_b,
            });
        }
    }

    /// The tierra subsystem's step hook (after the perturbations', before
    /// the schedule).
    #[inline(never)]
    fn tierra_step(&mut self) {
        let Some(t) = self.tierra.as_mut() else { return };
        let mut w =
            World { types: &self.types, frozen: &mut self.frozen, resources: &mut self.resources };
        t.on_step(&mut w, &mut self.r_o);
        for i in 0..self.resources.len() {
            self.touch(i);
        }
    }

    /// `_handle_spawn_subagent` for a parent the tree allows (spawn.rs):
    /// the child `{parent}_child{k}` gets the stream `Random(seed + k)`,
    /// which first draws its mutated genome (tierra), a share of its
    /// parent's resources and part of its reputation, and joins the
    /// population at the end, its node under its parent's.
    #[inline(never)]
    fn spawn_child(&mut self, parent: usize) {
        let g = self.global_step();
        let seed = i128::from(self.cfg.seed.unwrap_or(0));
        let Some((tree, _)) = self.spawn.as_deref_mut() else { return };
        tree.counter += 1;
        let k = tree.counter;
        let cfg = tree.cfg.clone();
        self.resources[parent] += -cfg.spawn_cost;
        let mut rng = PyRandom::new(seed + i128::from(k));
        let child = self.agents.len();
        let me = child as AgentIdx;
        let (agent, resources) = match self.agents[parent].genome() {
            Some(parent_genome) => {
                let std = self.tierra.as_ref().map_or(0.05, |t| t.cfg.mutation_std);
                let genome = parent_genome.mutate(&mut rng, std);
                // The parent's share fraction, not the child's.
                let resources = self.resources[parent] * parent_genome.resource_share_fraction();
                self.resources[parent] += -resources;
                if let Some(t) = self.tierra.as_mut() {
                    t.register_genome(child, genome);
                }
                (Agent::tierra_child(me, genome, rng, child + 1), resources)
            }
            // Only tierra agents spawn (no other policy returns SPAWN).
            None => return,
        };
        let reputation = self.reputation[parent] * cfg.reputation_inheritance_factor;
        self.ids.push(format!("{}_child{k}", self.ids[parent]));
        self.agents.push(agent);
        self.types.push(StateType::Tierra);
        self.reputation.push(reputation);
        self.resources.push(resources);
        self.total_payoff.push(0.0);
        self.initiated.push(0);
        self.received.push(0);
        self.frozen.push(false);
        // The anonymous actor's slot stays last.
        self.usage.insert(child, Usage::default());
        for slot in &mut self.proposed {
            if *slot == child {
                *slot = child + 1;
            }
        }
        self.feed.add_voter();
        self.pending.by_counterparty.push(VecDeque::new());
        self.governance.add_agent();
        if let Some((tree, _)) = self.spawn.as_deref_mut() {
            tree.register_spawn(parent, g);
        }
        self.touch(parent);
        self.touch(child);
    }

    /// A rivals agent's turn (rivals.rs): the handler's interaction of the
    /// agent with itself, accepted, with the pass or veto observables
    /// (`_execute_action`'s handler path: τ = 0, a collaboration).
    #[cold]
    #[inline(never)]
    fn rivals_turn(&mut self, a: AgentIdx, action: Action) {
        let (Some(r), Some((_, member))) =
            (self.rivals.as_mut(), self.agents[a as usize].rivals_member())
        else {
            return;
        };
        let signals = match action {
            Action::RivalsProduce => r.produce(a, member),
            _ => r.review(a, member),
        };
        if let Some(signals) = signals {
            let prop = Proposal {
                initiator: a,
                counterparty: a,
                kind: InteractionType::Collaboration,
                tau: TAU,
            };
            if self.plain {
                self.settle::<true>(prop, true, signals, true, false);
            } else {
                self.settle::<false>(prop, true, signals, true, false);
            }
        }
    }

    /// Marketplace and task actions (spec §13.1, §13.4); without a
    /// marketplace there is no handler and nothing happens (Q1).
    #[inline(never)]
    fn execute_market(&mut self, a: AgentIdx, action: Action) {
        let Some(m) = self.marketplace.as_mut() else { return };
        let i = a as usize;
        let limits = &self.cfg.rate_limits;
        let epoch = i64::from(self.epoch);
        match action {
            Action::PostBounty { reward, min_reputation, deadline } => {
                if self.usage[i].bounties >= limits.bounties_per_epoch || self.resources[i] < reward
                {
                    return;
                }
                if m.post_bounty(a, reward, min_reputation, deadline) {
                    self.resources[i] += -reward;
                    self.usage[i].bounties += 1;
                    self.touch(i);
                }
            }
            Action::PlaceBid { bounty, amount }
                if self.usage[i].bids < limits.bids_per_epoch && m.place_bid(bounty, a, amount) =>
            {
                self.usage[i].bids += 1;
            }
            Action::AcceptBid { bounty, bid } => {
                let rep = &self.reputation;
                m.accept_bid(bounty, bid, a, |w| rep[w as usize]);
            }
            Action::FileDispute { escrow } => {
                m.file_dispute(escrow, a, epoch);
            }
            Action::ClaimTask { task } if m.claim_task(task, a, self.reputation[i]) => {
                self.usage[i].tasks += 1;
            }
            Action::SubmitOutput { task } => {
                m.submit_output(task, a);
            }
            _ => {}
        }
    }

    /// A page action through the wiki's handler (`_execute_action` with
    /// the moltipedia handler): a create or a successful edit becomes an
    /// accepted interaction with the page's creator or the wiki.
    #[inline(never)]
    fn execute_wiki(&mut self, a: AgentIdx, action: Action) {
        let Some(w) = self.wiki.as_deref_mut() else { return };
        let t = self.types[a as usize];
        let step = i64::from(self.step);
        let outcome = match action {
            Action::CreatePage { content_len } => Some(w.create(a, t, content_len)),
            Action::EditPage { page, content } => w.edit(a, t, page, content, step),
            _ => None,
        };
        if let Some(o) = outcome {
            self.complete_wiki(a, o);
        }
    }

    /// `_finalize_interaction` for a wiki interaction, then the handler's
    /// `post_finalize` (points after the moltipedia levers' costs). τ is
    /// minus the points: the reference passes points as a transfer to the
    /// editor. The wiki's parties ("moltipedia", "catalog_seed") take the
    /// two ids after the agents' in the trace and have no state.
    fn complete_wiki(&mut self, a: AgentIdx, o: WikiOutcome) {
        let n = self.agents.len() as AgentIdx;
        let party = match o.counterparty {
            Party::Agent(b) => (b, true),
            Party::Moltipedia => (n, false),
            Party::CatalogSeed => (n + 1, false),
        };
        let signals = observables::Observables {
            task_progress: o.quality_delta,
            rework: o.rework,
            rejections: o.rejections,
            misuse: o.misuse,
            engagement: o.engagement,
        };
        let tau = if o.points != 0.0 { -o.points } else { 0.0 };
        // The moltipedia levers follow the security lever in the
        // reference's order (sybil, RBAC and resample are refused with
        // them); their state is the wiki's own, apart from governance's.
        let step = i64::from(self.step);
        let levers = self.wiki.as_deref_mut().map_or([0.0; 4], |w| w.lever_costs(a, &o, step));
        // Wiki editors' memories are never read: no outcome to record.
        self.finalize_handled(a, party, signals, tau, &levers);
        if let Some(w) = self.wiki.as_deref_mut() {
            let lever_cost = levers.iter().fold(0.0, |s, c| s + c);
            w.award(a, &o, lever_cost);
        }
    }

    /// End-of-step resolution (§3.3 step 4): every proposal still pending,
    /// in insertion order, answered through `accept_interaction`. Proposals
    /// to frozen agents stay pending for a later step (Q12).
    // Inlined into each step variant, as `execute` (one call per step, but
    // out of line it cost a baseline run 1% more instructions).
    #[inline(always)]
    fn resolve_pending<const EXT: bool, const EXTRAS: bool>(&mut self) {
        // By position: nothing is proposed while this runs, so the list
        // only gains holes.
        let n = self.pending.entries.len();
        let noisy =
            self.cfg.observation_noise_probability > 0.0 && self.cfg.observation_noise_std > 0.0;
        for i in 0..n {
            let (id, Some(p)) = self.pending.entries[i] else { continue };
            if self.frozen[p.counterparty as usize] {
                continue;
            }
            // With noise the observation is built for its draws, which
            // happen whether or not the policy reads it. Without, it is
            // built only for the policies that read it (the adversaries,
            // whose memory may live in the index behind it): the others'
            // `accept_interaction` reads none of its fields.
            let view = ProposalView { id, initiator: p.initiator, kind: p.kind, tau: p.tau };
            let c = p.counterparty;
            // The observation built for the answer: the memory handler's
            // compaction test comes with it.
            if EXTRAS && self.memory_tiers.is_some() {
                self.memory_before_answer(c);
            }
            // The counterparty's observation builds the wiki's queues too.
            if let (true, Some(w)) = (EXTRAS, self.wiki.as_deref_mut()) {
                w.view(i64::from(self.step), &mut self.wiki_view);
            }
            let accepted = if noisy || (EXT && self.agents[c as usize].external_slot().is_some()) {
                observe!(self, c, false, obs);
                if let Some(slot) = self.agents[c as usize].external_slot().filter(|_| EXT) {
                    let ext_view = self.external_view(&obs);
                    drop(obs);
                    self.external_accept(slot, &view, ext_view)
                } else {
                    self.agents[c as usize].accept(&view, move || obs)
                }
            } else {
                let agent = &mut self.agents[c as usize];
                agent.accept(&view, || observation!(self, c, &NO_MARKET))
            };
            self.pending.take_at(i);
            if EXTRAS && self.governance.resampling() {
                self.governance.resample_take(id);
            }
            self.complete(p, accepted, true);
        }
        debug_assert_eq!(self.pending.entries.len(), n);
        self.pending.compact();
    }

    /// Complete one interaction (§4.3, governance §12.1), in exactly the
    /// reference's order.
    /// `resolved`: at the step's end (`_resolve_pending_interactions`), the
    /// only completions the reference routes through the contract market.
    #[inline(always)]
    fn complete(&mut self, prop: Proposal, accepted: bool, resolved: bool) {
        if self.plain {
            self.complete_as::<true>(prop, accepted, resolved);
        } else {
            self.complete_as::<false>(prop, accepted, resolved);
        }
    }

    /// [`Engine::complete`]; `PLAIN` (when `self.plain`) compiles out the
    /// hooks that run is known not to have (one branch per interaction
    /// instead of a dozen). Out of line, as `complete` always was.
    #[inline(never)]
    fn complete_as<const PLAIN: bool>(&mut self, prop: Proposal, accepted: bool, resolved: bool) {
        debug_assert_eq!(PLAIN, self.plain);
        let a = prop.initiator as usize;
        let mut signals =
            observables::generate(&mut self.r_o, self.types[a], self.reputation[a], accepted);
        if !PLAIN && !self.optimizing.is_empty() {
            if let Some(loss) = self.agents[a].quality_loss() {
                signals.degrade(loss);
            }
        }
        self.settle::<PLAIN>(prop, accepted, signals, false, resolved);
    }

    /// The rest of [`Engine::complete_as`] once the observables are known
    /// (a handler's interactions come with theirs, `handled`:
    /// [`Engine::rivals_turn`]; `resolved` as for [`Engine::complete`]).
    #[inline(always)]
    fn settle<const PLAIN: bool>(
        &mut self,
        prop: Proposal,
        accepted: bool,
        signals: Observables,
        handled: bool,
        resolved: bool,
    ) {
        let (a, b) = (prop.initiator as usize, prop.counterparty as usize);
        let (v_hat, p) = self.proxy.labels(&signals);
        // The contract market routes the interaction before governance
        // sees it (the orchestrator's `_complete_interaction`, which only
        // the end-of-step resolution calls: a reference quirk).
        let routed = match self.contracts.as_mut() {
            Some(c) if !PLAIN && resolved => Some(c.route(a, b, p)),
            _ => None,
        };
        let effect = self.governance.on_interaction::<PLAIN>(
            prop.initiator,
            prop.counterparty,
            accepted,
            p,
            prop.tau,
            (signals.rejections, signals.misuse),
            self.epoch,
            handled,
        );
        let (c_a, c_b) = match routed {
            Some(r) => (r.c_a + effect.cost_a, r.c_b + effect.cost_b),
            None => (0.0 + effect.cost_a, 0.0 + effect.cost_b),
        };
        if effect.freeze_initiator {
            self.frozen[a] = true;
        }
        if let Some(d) = effect.initiator_rep_delta {
            self.reputation[a] += d;
        }
        // τ is nonzero only under the corrected model's transfers switch.
        let tau = if PLAIN { TAU } else { prop.tau };
        let (r_a, r_b) = if PLAIN {
            (crate::payoff::R_A, crate::payoff::R_B)
        } else if let Some(r) = routed {
            // Contracts run only under the reference model (no transfers).
            (r.r_a, r.r_b)
        } else {
            self.cfg.model.reputation_terms(accepted, p, c_a, effect.initiator_rep_delta)
        };
        let pay_a = self.payoff.initiator_with(p, tau, c_a, r_a);
        let pay_b = self.payoff.counterparty_with(p, tau, c_b, r_b);
        if let (Some(r), Some(c)) = (routed, self.contracts.as_mut()) {
            c.record(r.pool, p, accepted, pay_a + pay_b);
        }
        if accepted {
            self.initiated[a] += 1;
            self.total_payoff[a] += pay_a;
            self.reputation[a] += (p - 0.5) - c_a;
            self.received[b] += 1;
            self.total_payoff[b] += pay_b;
        }
        self.touch(a);
        // One copy of this function (not monomorphised like `step`): the
        // governance and observables code inlines into it as before.
        if !PLAIN && self.external.is_some() {
            self.completed_this_epoch += 1;
            match self.agents[a].external_slot() {
                Some(slot) => self.external_update(slot, prop, accepted, v_hat, p, pay_a),
                None => self.agents[a].update_from_outcome(
                    prop.counterparty,
                    prop.kind,
                    accepted,
                    p,
                    pay_a,
                ),
            }
            match self.agents[b].external_slot() {
                Some(slot) => self.external_update(slot, prop, accepted, v_hat, p, pay_b),
                None => self.agents[b].update_from_outcome(
                    prop.initiator,
                    prop.kind,
                    accepted,
                    p,
                    pay_b,
                ),
            }
        } else {
            self.agents[a].update_from_outcome(prop.counterparty, prop.kind, accepted, p, pay_a);
            self.agents[b].update_from_outcome(prop.initiator, prop.kind, accepted, p, pay_b);
        }
        self.accumulator.add(accepted, p, pay_a, pay_b, self.payoff.social_surplus(p));
        if let Some(dt) = self.dynamic_toxicity.as_mut().filter(|_| !PLAIN) {
            dt.on_interaction(prop.initiator, prop.counterparty, accepted, p);
        }
        self.totals.add(accepted, p, pay_a, pay_b);
        if let Some(trace) = self.trace.as_mut() {
            trace.push(InteractionRow {
                epoch: self.epoch,
                step: self.step,
                initiator: prop.initiator,
                counterparty: prop.counterparty,
                kind: prop.kind,
                accepted,
                v_hat,
                p,
                c_a,
                c_b,
                payoff_initiator: pay_a,
                payoff_counterparty: pay_b,
            });
        }
        self.governance.record::<PLAIN>(Record {
            initiator: prop.initiator,
            counterparty: prop.counterparty,
            accepted,
            p,
            tau,
            c_a,
            c_b,
        });
        if accepted {
            if let Some(net) = self.network.as_mut() {
                net.strengthen(prop.initiator, prop.counterparty);
            }
        }
    }

    /// The run's result, taken out of the engine. By reference: moving the
    /// whole engine (some 8 KB) into a by-value `finish` cost a memcpy per
    /// run, about 1% of a paper run.
    fn finish(&mut self) -> RunResult {
        use std::mem::take;
        RunResult {
            scenario_id: self.cfg.scenario_id.clone(),
            seed: self.cfg.seed.unwrap_or_default(),
            epochs: take(&mut self.epochs),
            agents: AgentsOut {
                ids: take(&mut self.ids),
                types: self.types.iter().map(|t| t.as_str()).collect(),
                reputation: take(&mut self.reputation),
                resources: take(&mut self.resources),
                total_payoff: take(&mut self.total_payoff),
                interactions_initiated: take(&mut self.initiated),
                interactions_received: take(&mut self.received),
                frozen: take(&mut self.frozen),
            },
            trace: self.trace.take(),
            agent_epochs: self.agent_epochs.take(),
            totals: self.totals,
            external: self.external.take().map(|x| x.report),
            spawn_metrics: self.spawn.take().map(|s| s.1),
            // A run has one handler subsystem at most (scenario.py).
            pseudo_parties: if self.memory_tiers.is_some() {
                vec![crate::memory_tiers::MEMORY_SYSTEM.to_string()]
            } else if self.wiki.is_some() {
                crate::moltipedia::PARTIES.map(String::from).to_vec()
            } else if self.scholar.is_some() {
                crate::scholar::PARTIES.map(String::from).to_vec()
            } else if self.moltbook.is_some() {
                crate::moltbook::PARTIES.map(String::from).to_vec()
            } else {
                Vec::new()
            },
            contract_metrics: self.contracts.take().map(|c| c.metrics),
        }
    }

    /// An external agent's observation (spec-ext §3.1), from the core one
    /// and the engine's state.
    #[inline(never)]
    fn external_view(&self, obs: &Observation<'_>) -> ExternalObservation {
        let a = obs.me;
        let n = self.agents.len();
        let frozen = self.frozen.iter().filter(|&&f| f).count() as u64;
        // Python's sum() over the agents in registration order.
        let rep_sum = self.reputation.iter().fold(0.0, |s, &r| s + r);
        let res_sum = self.resources.iter().fold(0.0, |s, &r| s + r);
        let live = self.pending.entries.iter().filter(|e| e.1.is_some()).count() as u64;
        let mut eco = Ecosystem {
            epoch: self.epoch,
            step: self.step,
            total_agents: n as u64,
            active_agents: n as u64 - frozen,
            frozen_agents: frozen,
            pending_proposals: live + self.dangling_proposals,
            completed_interactions: self.completed_this_epoch,
            avg_reputation: rep_sum / n as f64,
            total_resources: res_sum,
            noisy: [None; 9],
        };
        let noisy =
            self.cfg.observation_noise_probability > 0.0 && self.cfg.observation_noise_std > 0.0;
        if noisy {
            let values = [
                eco.epoch as f64,
                eco.step as f64,
                eco.total_agents as f64,
                eco.active_agents as f64,
                eco.frozen_agents as f64,
                eco.pending_proposals as f64,
                eco.completed_interactions as f64,
                eco.avg_reputation,
                eco.total_resources,
            ];
            for (k, d) in self.eco_noise.iter().enumerate() {
                eco.noisy[k] = d.map(|d| values[k] + d);
            }
        }
        ExternalObservation {
            agent: a,
            epoch: self.epoch,
            step: self.step,
            reputation: obs.reputation,
            resources: obs.resources,
            total_payoff: self.total_payoff[a as usize],
            can_post: obs.can_post,
            can_interact: obs.can_interact,
            can_vote: obs.can_vote,
            can_claim_task: obs.can_claim_task,
            posts: obs
                .posts
                .iter()
                .map(|&post| PostInfo { post, net_votes: self.feed.net_votes(post.idx) })
                .collect(),
            pending: self
                .pending
                .by_counterparty
                .get(a as usize)
                .map(|q| {
                    q.iter()
                        .map(|&(id, p)| ProposalView {
                            id,
                            initiator: p.initiator,
                            kind: p.kind,
                            tau: p.tau,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            visible: {
                // Sized once without a network (everyone else, bar the
                // frozen): growing it by doubling cost more than filling it.
                let cap = if self.network.is_none() { n.saturating_sub(1) } else { 0 };
                let mut v = Vec::with_capacity(cap);
                v.extend(obs.visible_iter());
                v
            },
            ecosystem: eco,
            market: self.marketplace.as_ref().map(|m| {
                let mut view = MarketView::default();
                m.view(a, self.reputation[a as usize], i64::from(self.epoch), &mut view);
                view
            }),
        }
    }

    #[inline(never)]
    fn external_act(&mut self, slot: usize, view: ExternalObservation) -> Action {
        let Some(ext) = self.external.as_mut() else { return Action::Noop };
        if ext.abort.is_some() {
            return Action::Noop;
        }
        let r = ext.policy.act(slot, view);
        ext.settle(slot, Call::Act, r, Action::Noop)
    }

    #[inline(never)]
    fn external_accept(
        &mut self,
        slot: usize,
        prop: &ProposalView,
        view: ExternalObservation,
    ) -> bool {
        let Some(ext) = self.external.as_mut() else { return false };
        if ext.abort.is_some() {
            return false;
        }
        let r = ext.policy.accept(slot, prop, view);
        ext.settle(slot, Call::Accept, r, false)
    }

    // The external paths stay out of line: scripted runs never take them
    // and the hot loop keeps its size (spec-ext §4 item 2: no slowdown).
    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    fn external_update(
        &mut self,
        slot: usize,
        prop: Proposal,
        accepted: bool,
        v_hat: f64,
        p: f64,
        payoff: f64,
    ) {
        let outcome = Outcome {
            epoch: self.epoch,
            step: self.step,
            initiator: prop.initiator,
            counterparty: prop.counterparty,
            kind: prop.kind,
            accepted,
            v_hat,
            p,
            payoff,
        };
        let Some(ext) = self.external.as_mut() else { return };
        if ext.abort.is_some() {
            return;
        }
        let r = ext.policy.update_from_outcome(slot, &outcome);
        ext.settle(slot, Call::Update, r, ());
    }
}

/// Resolve each collusive editor's `partner_id` against the ids: an agent,
/// the catalog's seeder (which creates catalog pages), or no one.
fn wiki_partners(cfg: &RunConfig, ids: &[String], agents: &mut [Agent]) {
    let by_id: HashMap<&str, usize> =
        ids.iter().enumerate().map(|(j, id)| (id.as_str(), j)).collect();
    let mut k = 0;
    for spec in &cfg.agents {
        for _ in 0..spec.count {
            if let Some(pid) = &spec.config.partner_id {
                let party = if pid == "catalog_seed" {
                    Some(Party::CatalogSeed)
                } else {
                    by_id.get(pid.as_str()).map(|&j| Party::Agent(j as AgentIdx))
                };
                agents[k].set_wiki_partner(party);
            }
            k += 1;
        }
    }
}

/// What a run whose population grows (spawn with tierra agents) cannot
/// have: per-agent structures sized or ordered once at the start. Python
/// refuses these first, naming the key; this guards other callers.
fn spawn_compatible(cfg: &RunConfig, network: bool) -> SwarmResult<()> {
    let g = &cfg.governance;
    let refused = [
        (network, "network"),
        (cfg.perturbations.is_some(), "perturbations"),
        (cfg.marketplace.is_some(), "marketplace"),
        (cfg.dynamic_toxicity.is_some(), "dynamic_toxicity"),
        (g.security.is_some(), "governance.security_enabled"),
        (cfg.record_agent_epochs, "record_agent_epochs"),
        (cfg.agents.iter().any(|a| a.external.is_some()), "agents"),
    ];
    match refused.iter().find(|r| r.0) {
        Some((_, key)) => Err(SwarmError::Config(format!(
            "{key}: not supported with spawning tierra agents (spawn: with type tierra), \
             whose children join the population mid-run"
        ))),
        None => Ok(()),
    }
}

/// What runs with a `contracts:` section cannot have yet (none of it is
/// checked against the reference): the marketplace's handler path (which
/// the reference routes through the market too), a growing population,
/// the security lever (its manipulation indicator reads the contracts'
/// reputation terms r_a, which security.rs leaves out), the corrected
/// model's switches, and Python or LLM agents. Python refuses these
/// first, naming the key; this guards other callers.
fn contracts_compatible(cfg: &RunConfig) -> SwarmResult<()> {
    let refused = [
        (cfg.marketplace.is_some(), "marketplace"),
        (cfg.spawn.is_some(), "spawn"),
        (cfg.tierra.is_some(), "tierra"),
        (cfg.governance.security.is_some(), "governance.security_enabled"),
        (!cfg.model.is_reference(), "model"),
        (cfg.agents.iter().any(|a| a.external.is_some()), "agents"),
    ];
    match refused.iter().find(|r| r.0) {
        Some((_, key)) => Err(SwarmError::Config(format!(
            "{key}: not supported together with the contracts subsystem (contracts:) yet"
        ))),
        None => Ok(()),
    }
}

/// Run one configuration to completion.
pub fn run(cfg: RunConfig, cancel: &AtomicBool) -> SwarmResult<RunResult> {
    Engine::new(cfg)?.run(cancel)
}

/// [`run`], counting finished epochs in `epochs_done` as it goes.
pub fn run_counting(
    cfg: RunConfig,
    cancel: &AtomicBool,
    epochs_done: &AtomicUsize,
) -> SwarmResult<RunResult> {
    Engine::new(cfg)?.run_counting(cancel, Some(epochs_done))
}

/// Run one configuration whose external agents `policy` decides.
pub fn run_with_external(
    cfg: RunConfig,
    policy: Box<dyn ExternalPolicy>,
    cancel: &AtomicBool,
) -> SwarmResult<RunResult> {
    Engine::with_external(cfg, Tuning::default(), policy)?.run(cancel)
}

/// Run one configuration with its data layout chosen by hand (for checking
/// that every layout gives the same run).
pub fn run_tuned(cfg: RunConfig, tuning: Tuning, cancel: &AtomicBool) -> SwarmResult<RunResult> {
    Engine::tuned(cfg, tuning)?.run(cancel)
}

#[cfg(test)]
mod run_counting_tests {
    use super::*;

    #[test]
    fn counts_every_epoch_and_changes_nothing() {
        let json = r#"{"seed": 7, "n_epochs": 6, "steps_per_epoch": 4,
            "record_interactions": true,
            "agents": [{"type": "honest", "count": 3}, {"type": "deceptive"}]}"#;
        let cfg = RunConfig::from_json(json).unwrap();
        let done = AtomicUsize::new(0);
        let counted = run_counting(cfg.clone(), &AtomicBool::new(false), &done).unwrap();
        let plain = run(cfg, &AtomicBool::new(false)).unwrap();
        assert_eq!(done.load(Ordering::Relaxed), 6);
        assert_eq!(format!("{counted:?}"), format!("{plain:?}"));
    }

    #[test]
    fn agent_epochs_hold_each_epoch_end_and_change_nothing() {
        let json = r#"{"seed": 5, "n_epochs": 5, "steps_per_epoch": 6,
            "governance": {"reputation_decay_rate": 0.9},
            "agents": [{"type": "honest", "count": 3}, {"type": "adversarial", "count": 2}]}"#;
        let mut cfg = RunConfig::from_json(json).unwrap();
        let plain = run(cfg.clone(), &AtomicBool::new(false)).unwrap();
        assert!(plain.agent_epochs.is_none());
        cfg.record_agent_epochs = true;
        let snap = run(cfg, &AtomicBool::new(false)).unwrap();
        let epochs = snap.agent_epochs.as_ref().unwrap();
        assert_eq!(epochs.reputation.len(), 5 * 5);
        assert_eq!(epochs.frozen.len(), 5 * 5);
        // The last epoch's states are the final ones.
        assert_eq!(epochs.reputation[20..], plain.agents.reputation[..]);
        assert_eq!(epochs.resources[20..], plain.agents.resources[..]);
        assert_eq!(format!("{:?}", snap.epochs), format!("{:?}", plain.epochs));
    }
}
