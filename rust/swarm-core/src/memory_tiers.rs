//! The `memory_tiers:` subsystem of swarm-safety 1.9.0: a shared
//! three-tier memory (`swarm/env/memory_tiers.py`, `MemoryStore`), the
//! handler that turns memory actions into interactions
//! (`swarm/core/memory_handler.py`) and the write-rate lever
//! (`swarm/governance/memory.py`, `WriteRateLimitLever`).
//!
//! Two streams, both `Random(memory_tiers.seed)`: the store's, which only
//! seeds the initial entries, and the handler's, which draws one
//! compaction test per observation built (every turn and every
//! end-of-step answer, for any agent) and the quality of each write.
//!
//! Quirks kept (README, "memory_tiers"):
//! - Only an entry that someone has verified is listed as pending
//!   promotion, and the agents verify only pending entries; nothing else
//!   verifies, so no entry is ever verified, pending, promoted, challenged
//!   or reverted. Every memory interaction is therefore a WRITE, made with
//!   the pseudo-counterparty `memory_system`; the promotion gate,
//!   cross-verification and provenance levers never see an interaction they
//!   act on, and the hot cache (top Tier-3 entries) is rebuilt but never
//!   read. None of those paths is ported: no run can reach them.
//! - The write budget an agent sees is `20 − writes this epoch`, a
//!   constant of the handler, whatever the rate-limit lever's cap; the
//!   lever charges `c_a = 1` for each write past its own cap.
//! - A write's quality follows the author's registered type, not its
//!   policy: adversarial writes are always poisoned, deceptive ones with
//!   probability 0.6, opportunistic ones with 0.15, every other type's
//!   never.

use serde::{Deserialize, Serialize};

use crate::observables::{py_max, Observables};
use crate::rng::PyRandom;
use crate::types::{AgentIdx, StateType};

/// The write budget the handler shows every agent per epoch (hard-coded
/// in `build_observation_fields`).
pub const WRITE_BUDGET: u32 = 20;

/// The pseudo-counterparty of every memory interaction.
pub const MEMORY_SYSTEM: &str = "memory_system";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MemoryTiersConfig {
    pub initial_entries: u64,
    pub hot_cache_size: u64,
    /// Per observation built.
    pub compaction_probability: f64,
    /// Seeds both streams (Python requires it: without it the reference
    /// seeds them from OS entropy).
    pub seed: i64,
    /// `memory_write_rate_limit_per_epoch` when
    /// `governance.memory_write_rate_limit_enabled`; None when off.
    pub write_rate_limit: Option<u64>,
}

impl Default for MemoryTiersConfig {
    fn default() -> Self {
        MemoryTiersConfig {
            initial_entries: 100,
            hot_cache_size: 20,
            compaction_probability: 0.05,
            seed: 0,
            write_rate_limit: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tier {
    Ephemeral,
    Structured,
    Graph,
}

/// The author of an entry: the initial entries are the store's ("seed").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Author {
    Seed,
    Agent(AgentIdx),
}

/// One entry. Its status is always ACTIVE (see the module notes) and it
/// is never verified, so neither is stored.
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// Stands for the reference's uuid4 entry id (only ever compared).
    id: u64,
    author: Author,
    tier: Tier,
    /// Clamped to [0, 1] as the store keeps it.
    quality: f64,
    poisoned: bool,
}

#[derive(Debug, Clone)]
pub struct MemoryTiers {
    cfg: MemoryTiersConfig,
    /// The handler's stream: compaction tests and write qualities.
    rng: PyRandom,
    /// In insertion order (the reference's dict order); compaction removes.
    entries: Vec<Entry>,
    /// Ids of the hot cache's entries, rebuilt at each epoch start.
    hot_cache: Vec<u64>,
    next_id: u64,
    /// The store's per-agent writes this epoch (the budget shown).
    writes: Vec<u32>,
    /// The rate-limit lever's own count (reset by governance's epoch start).
    lever_writes: Vec<u64>,
    /// Entries lost to compaction, over the run.
    pub compacted: u64,
}

impl MemoryTiers {
    /// The handler as the loader builds it for `n` agents: the store seeds
    /// its entries from its own stream, then builds the hot cache.
    pub fn new(cfg: MemoryTiersConfig, n: usize) -> Self {
        let seed = i128::from(cfg.seed);
        let mut store_rng = PyRandom::new(seed);
        let mut m = MemoryTiers {
            rng: PyRandom::new(seed),
            entries: Vec::new(),
            hot_cache: Vec::new(),
            next_id: 0,
            writes: vec![0; n],
            lever_writes: vec![0; n],
            compacted: 0,
            cfg,
        };
        if m.cfg.initial_entries > 0 {
            m.seed_entries(&mut store_rng);
            m.rebuild_hot_cache();
        }
        m
    }

    /// `seed_entries`: a quality, then a tier draw per entry (50% Tier 1,
    /// 30% Tier 2, 20% Tier 3). The topic texts are only searched, and no
    /// agent searches.
    fn seed_entries(&mut self, rng: &mut PyRandom) {
        for _ in 0..self.cfg.initial_entries {
            let quality = rng.uniform(0.5, 0.9);
            let r = rng.random();
            let tier = if r < 0.5 {
                Tier::Ephemeral
            } else if r < 0.8 {
                Tier::Structured
            } else {
                Tier::Graph
            };
            let id = self.new_id();
            self.entries.push(Entry { id, author: Author::Seed, tier, quality, poisoned: false });
        }
    }

    fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// The top Tier-3 entries by (quality, read count), descending; the
    /// sort is stable, as Python's with `reverse=True`. Read counts stay 0.
    fn rebuild_hot_cache(&mut self) {
        let mut graph: Vec<&Entry> =
            self.entries.iter().filter(|e| e.tier == Tier::Graph).collect();
        graph.sort_by(|x, y| y.quality.total_cmp(&x.quality));
        graph.truncate(usize::try_from(self.cfg.hot_cache_size).unwrap_or(usize::MAX));
        self.hot_cache = graph.iter().map(|e| e.id).collect();
    }

    /// The handler's epoch start (per-epoch writes, hot cache) and the
    /// rate-limit lever's (its counts).
    pub fn on_epoch_start(&mut self) {
        self.writes.fill(0);
        self.lever_writes.fill(0);
        self.rebuild_hot_cache();
    }

    /// `on_pre_observation`: one draw per observation built; with
    /// probability `compaction_probability` the agent's unverified Tier-1
    /// entries are wiped.
    pub fn before_observation(&mut self, agent: AgentIdx) {
        if self.rng.random() >= self.cfg.compaction_probability {
            return;
        }
        let before = self.entries.len();
        self.entries.retain(|e| !(e.author == Author::Agent(agent) && e.tier == Tier::Ephemeral));
        let lost = before - self.entries.len();
        self.compacted += lost as u64;
    }

    /// The write budget agent `a` sees.
    pub fn writes_remaining(&self, a: AgentIdx) -> u32 {
        WRITE_BUDGET.saturating_sub(self.writes[a as usize])
    }

    /// `_handle_write` for an author of registered type `t`: the quality
    /// draws (`_quality_for_agent`), the entry, and the observables of the
    /// outcome (`_write_outcome`, mapped by `MemoryObservableGenerator`).
    pub fn write(&mut self, a: AgentIdx, t: StateType) -> Observables {
        let (quality, poisoned) = match t {
            StateType::Adversarial => (self.rng.uniform(0.3, 0.6), true),
            StateType::Deceptive => {
                let poisoned = self.rng.random() < 0.6;
                (self.rng.uniform(0.4, 0.7), poisoned)
            }
            StateType::Opportunistic => {
                let poisoned = self.rng.random() < 0.15;
                (self.rng.uniform(0.4, 0.65), poisoned)
            }
            _ => (self.rng.uniform(0.6, 0.9), false),
        };
        let id = self.new_id();
        self.entries.push(Entry {
            id,
            author: Author::Agent(a),
            tier: Tier::Ephemeral,
            quality: quality.clamp(0.0, 1.0),
            poisoned,
        });
        self.writes[a as usize] += 1;
        let signals = |task_progress, misuse, engagement| Observables {
            task_progress,
            rework: 0,
            rejections: 0,
            misuse,
            engagement,
        };
        match (poisoned, t) {
            (true, StateType::Adversarial) => signals(-0.3, 1, -0.2),
            (true, _) => signals(0.1, 0, 0.05),
            _ => signals(py_max(0.1, quality - 0.3), 0, py_max(0.0, quality - 0.4)),
        }
    }

    /// The write-rate lever's cost for a write by `a` (lever order: after
    /// the core levers, before the VAE ones, which add exact zeros here).
    pub fn write_cost(&mut self, a: AgentIdx) -> f64 {
        let Some(cap) = self.cfg.write_rate_limit else { return 0.0 };
        let n = &mut self.lever_writes[a as usize];
        *n += 1;
        if *n > cap {
            1.0
        } else {
            0.0
        }
    }

    /// Entries per tier (Tier 1, 2, 3), as `entry_count` reports them.
    pub fn entry_counts(&self) -> [usize; 3] {
        let mut out = [0; 3];
        for e in &self.entries {
            out[e.tier as usize] += 1;
        }
        out
    }

    /// The hot cache's entries (those compaction left: it removes Tier-1
    /// entries only, so all of them).
    fn cached(&self) -> impl Iterator<Item = &Entry> {
        self.hot_cache.iter().filter_map(|id| self.entries.iter().find(|e| e.id == *id))
    }

    /// Poisoned entries held, and how many of the hot cache's are.
    pub fn poisoned(&self) -> (usize, usize) {
        let all = self.entries.iter().filter(|e| e.poisoned).count();
        let cached = self.cached().filter(|e| e.poisoned).count();
        (all, cached)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(seed: i64) -> MemoryTiersConfig {
        MemoryTiersConfig { seed, ..Default::default() }
    }

    #[test]
    fn seeds_entries_from_the_store_stream_only() {
        let m = MemoryTiers::new(cfg(42), 3);
        assert_eq!(m.entries.len(), 100);
        let counts = m.entry_counts();
        assert_eq!(counts.iter().sum::<usize>(), 100);
        assert!(counts[2] > 0 && m.cached().count() == counts[2].min(20));
        // The handler's stream is untouched by the seeding.
        let mut fresh = PyRandom::new(42);
        let mut m = m;
        assert_eq!(m.rng.random(), fresh.random());
    }

    #[test]
    fn hot_cache_is_sorted_by_quality_descending() {
        let m = MemoryTiers::new(cfg(7), 1);
        let q: Vec<f64> = m.cached().map(|e| e.quality).collect();
        assert!(!q.is_empty() && q.windows(2).all(|w| w[0] >= w[1]));
    }

    #[test]
    fn budget_counts_writes_and_resets_each_epoch() {
        let mut m = MemoryTiers::new(cfg(1), 2);
        for _ in 0..25 {
            m.write(0, StateType::Honest);
        }
        assert_eq!(m.writes_remaining(0), 0);
        assert_eq!(m.writes_remaining(1), WRITE_BUDGET);
        m.on_epoch_start();
        assert_eq!(m.writes_remaining(0), WRITE_BUDGET);
    }

    #[test]
    fn compaction_wipes_only_the_agents_tier1_entries() {
        let mut m =
            MemoryTiers::new(MemoryTiersConfig { compaction_probability: 1.0, ..cfg(3) }, 2);
        m.write(0, StateType::Adversarial);
        m.write(1, StateType::Honest);
        let before = m.entries.len();
        m.before_observation(0);
        assert_eq!(m.entries.len(), before - 1);
        assert_eq!(m.compacted, 1);
        assert_eq!(m.poisoned().0, 0);
        assert_eq!(m.cached().count(), m.hot_cache.len());
    }

    #[test]
    fn rate_limit_charges_past_the_cap() {
        let mut m = MemoryTiers::new(MemoryTiersConfig { write_rate_limit: Some(2), ..cfg(5) }, 1);
        let costs: Vec<f64> = (0..4).map(|_| m.write_cost(0)).collect();
        assert_eq!(costs, [0.0, 0.0, 1.0, 1.0]);
        m.on_epoch_start();
        assert_eq!(m.write_cost(0), 0.0);
    }

    #[test]
    fn adversarial_writes_are_poisoned_and_flagged() {
        let mut m = MemoryTiers::new(cfg(9), 1);
        let o = m.write(0, StateType::Adversarial);
        assert_eq!((o.task_progress, o.misuse, o.engagement), (-0.3, 1, -0.2));
        let o = m.write(0, StateType::Honest);
        assert!(o.task_progress >= 0.3 && o.misuse == 0);
    }
}
