//! The Moltipedia wiki (swarm-safety 1.9.0's `core/moltipedia_handler.py`,
//! `env/wiki.py`, `env/wiki_catalog.py` and `governance/moltipedia.py`):
//! a pool of pages that wiki editors create and edit for points, each edit
//! becoming an interaction with the page's creator (or the wiki itself).
//! Enabled by a `moltipedia:` section.
//!
//! Two streams, both `Random(moltipedia.seed)`: the pool's (the
//! observation queues' shuffles, the generic seed pages' qualities) and the
//! handler's (the catalog sample, each edit's quality and violations). The
//! reference leaves the seed unset by default, which seeds both from the
//! operating system: swarm_fast requires it (see python/swarm_fast/moltipedia.py).
//!
//! Page ids are indices (the reference's uuid4 ids only key its dicts,
//! whose order is insertion order). A page's content is kept as its length
//! in characters: the only thing of it any branch reads (stub status).
//! Policy violations are a set: the reference's `list(set(...))` order
//! varies with string hashing, but only membership, emptiness and the
//! count are ever read.

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use crate::rng::PyRandom;
use crate::types::{AgentIdx, StateType};

/// The `moltipedia:` section and the `moltipedia_*` governance levers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MoltipediaConfig {
    pub initial_pages: u64,
    pub contested_queue_size: u64,
    pub random_queue_size: u64,
    pub search_queue_size: u64,
    pub page_cooldown_steps: i64,
    pub stub_length_threshold: u64,
    pub seed: i64,
    /// `seed_mode: catalog` (else `generic`).
    pub catalog: bool,
    pub levers: WikiLevers,
}

impl Default for MoltipediaConfig {
    fn default() -> Self {
        MoltipediaConfig {
            initial_pages: 50,
            contested_queue_size: 6,
            random_queue_size: 6,
            search_queue_size: 6,
            page_cooldown_steps: 3,
            stub_length_threshold: 120,
            seed: 0,
            catalog: false,
            levers: WikiLevers::default(),
        }
    }
}

/// The governance keys `moltipedia_*` (governance/moltipedia.py).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WikiLevers {
    pub pair_cap_enabled: bool,
    pub pair_cap_max: i64,
    pub page_cooldown_enabled: bool,
    pub page_cooldown_steps: i64,
    pub daily_cap_enabled: bool,
    pub daily_policy_fix_cap: f64,
    pub no_self_fix: bool,
}

impl Default for WikiLevers {
    fn default() -> Self {
        WikiLevers {
            pair_cap_enabled: false,
            pair_cap_max: 2,
            page_cooldown_enabled: false,
            page_cooldown_steps: 3,
            daily_cap_enabled: false,
            daily_policy_fix_cap: 24.0,
            no_self_fix: false,
        }
    }
}

/// The research catalog's pages as (content length, quality), in catalog
/// order: all the seeding reads of them (every one is long enough to be a
/// draft).
const CATALOG: [(u32, f64); 30] = [
    (330, 0.55),
    (231, 0.5),
    (278, 0.45),
    (234, 0.4),
    (232, 0.42),
    (193, 0.38),
    (220, 0.52),
    (195, 0.44),
    (195, 0.35),
    (159, 0.37),
    (200, 0.41),
    (187, 0.33),
    (210, 0.48),
    (239, 0.53),
    (225, 0.46),
    (206, 0.39),
    (231, 0.47),
    (224, 0.5),
    (201, 0.49),
    (197, 0.43),
    (224, 0.51),
    (210, 0.36),
    (208, 0.44),
    (221, 0.42),
    (219, 0.4),
    (193, 0.34),
    (178, 0.46),
    (200, 0.38),
    (179, 0.41),
    (209, 0.43),
];

/// The catalog seeding's stub test uses a literal 120, not the
/// configured threshold.
const CATALOG_STUB_LENGTH: u32 = 120;

/// The trace's names of the wiki's parties, numbered after the agents
/// (`Engine::complete_wiki`).
pub const PARTIES: [&str; 2] = ["moltipedia", "catalog_seed"];

/// Who an edit's interaction is with: an agent, the wiki itself
/// (`"moltipedia"`), or the catalog's seeder (`"catalog_seed"`), the
/// creator of catalog pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Party {
    Agent(AgentIdx),
    Moltipedia,
    CatalogSeed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStatus {
    Stub,
    Draft,
    Published,
    Contested,
}

/// Violation kinds as bits: neutrality, scope, speculation, sourcing (the
/// order `random.choice` picks from).
const SCOPE: u8 = 1 << 1;
const SOURCING: u8 = 1 << 3;

#[derive(Debug, Clone)]
pub struct Page {
    pub content_len: u32,
    pub status: PageStatus,
    pub quality: f64,
    pub cooldown_until: i64,
    violations: u8,
    /// None for the generic seed pages.
    pub created_by: Option<Party>,
}

/// A page action's new content: the page's own with text appended, or
/// replaced by text of this length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageContent {
    Append(u32),
    Replace(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditType {
    Create,
    Edit,
    ContestedResolve,
    PolicyFix,
}

impl EditType {
    /// `MoltipediaScorer.POINTS`.
    fn points(self) -> f64 {
        match self {
            EditType::Create => 25.0,
            EditType::Edit => 15.0,
            EditType::ContestedResolve => 20.0,
            EditType::PolicyFix => 8.0,
        }
    }
}

/// One successful create or edit: the interaction it becomes.
#[derive(Debug, Clone, Copy)]
pub struct WikiOutcome {
    pub counterparty: Party,
    pub quality_delta: f64,
    pub rework: u32,
    pub rejections: u32,
    pub misuse: u32,
    pub engagement: f64,
    pub points: f64,
    page: u32,
    edit_type: EditType,
    created_by: Option<Party>,
}

/// The observation's three queues, as page indices.
#[derive(Debug, Clone, Default)]
pub struct WikiView {
    pub contested: Vec<u32>,
    pub random: Vec<u32>,
    pub search: Vec<u32>,
}

impl WikiView {
    pub fn clear(&mut self) {
        self.contested.clear();
        self.random.clear();
        self.search.clear();
    }
}

#[derive(Debug, Clone)]
pub struct Wiki {
    cfg: MoltipediaConfig,
    pages: Vec<Page>,
    /// The task pool's stream: queue shuffles and generic seeding.
    pool_rng: PyRandom,
    /// The handler's stream: the catalog sample and every edit's draws.
    rng: PyRandom,
    /// Points awarded, per agent (the leaderboard).
    pub points: Vec<f64>,
    // Lever state (governance/moltipedia.py).
    pair_counts: HashMap<(Party, Party), i64>,
    last_scored_step: Vec<Option<i64>>,
    policy_fix_points: Vec<f64>,
}

impl Wiki {
    pub fn new(cfg: MoltipediaConfig, n_agents: usize) -> Self {
        let seed = i128::from(cfg.seed);
        let mut wiki = Wiki {
            pages: Vec::new(),
            pool_rng: PyRandom::new(seed),
            rng: PyRandom::new(seed),
            points: vec![0.0; n_agents],
            pair_counts: HashMap::default(),
            last_scored_step: Vec::new(),
            policy_fix_points: vec![0.0; n_agents],
            cfg,
        };
        if wiki.cfg.initial_pages > 0 {
            if wiki.cfg.catalog {
                wiki.seed_from_catalog();
            } else {
                wiki.seed_generic();
            }
        }
        wiki
    }

    pub fn page(&self, i: u32) -> &Page {
        &self.pages[i as usize]
    }

    pub fn n_pages(&self) -> usize {
        self.pages.len()
    }

    fn add(&mut self, page: Page) -> u32 {
        self.pages.push(page);
        self.last_scored_step.push(None);
        (self.pages.len() - 1) as u32
    }

    /// `WikiTaskPool.seed_pages`: "Seed Page {i}" stubs of quality
    /// uniform(0.2, 0.45), created by nobody.
    fn seed_generic(&mut self) {
        for i in 0..self.cfg.initial_pages {
            // "Stub content for Seed Page {i + 1}."
            let len = "Stub content for Seed Page .".len() + (i + 1).to_string().len();
            let quality = self.pool_rng.uniform(0.2, 0.45);
            self.add(Page {
                content_len: len as u32,
                status: PageStatus::Stub,
                quality,
                cooldown_until: 0,
                violations: 0,
                created_by: None,
            });
        }
    }

    /// `seed_from_catalog`: `rng.sample(catalog, min(n, 30))` on the
    /// handler's stream.
    fn seed_from_catalog(&mut self) {
        let k = (self.cfg.initial_pages as usize).min(CATALOG.len());
        for j in self.rng.sample_indices(CATALOG.len(), k) {
            let (len, quality) = CATALOG[j];
            let status =
                if len < CATALOG_STUB_LENGTH { PageStatus::Stub } else { PageStatus::Draft };
            self.add(Page {
                content_len: len,
                status,
                quality,
                cooldown_until: 0,
                violations: 0,
                created_by: Some(Party::CatalogSeed),
            });
        }
    }

    /// `build_observation_fields`, for any agent's observation (the
    /// reference builds it for every observation, whoever reads it):
    /// contested pages off cooldown, shuffled; every page off cooldown
    /// (none is ever locked), shuffled; low-quality or violating pages off
    /// cooldown by quality (a stable sort). `step` is the step within the
    /// epoch (`state.current_step`).
    pub fn view(&mut self, step: i64, out: &mut WikiView) {
        out.clear();
        let free = |p: &Page| p.cooldown_until <= step;
        out.contested.extend((0..self.pages.len() as u32).filter(|&i| {
            free(&self.pages[i as usize]) && self.pages[i as usize].status == PageStatus::Contested
        }));
        self.pool_rng.shuffle(&mut out.contested);
        out.contested.truncate(self.cfg.contested_queue_size as usize);
        out.random.extend((0..self.pages.len() as u32).filter(|&i| free(&self.pages[i as usize])));
        self.pool_rng.shuffle(&mut out.random);
        out.random.truncate(self.cfg.random_queue_size as usize);
        out.search.extend((0..self.pages.len() as u32).filter(|&i| {
            let p = &self.pages[i as usize];
            free(p) && (p.quality < 0.5 || p.violations != 0)
        }));
        let pages = &self.pages;
        out.search.sort_by(|&a, &b| {
            pages[a as usize]
                .quality
                .partial_cmp(&pages[b as usize].quality)
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        out.search.truncate(self.cfg.search_queue_size as usize);
    }

    /// `_quality_delta_for_agent`.
    fn quality_delta(&mut self, t: StateType, create: bool) -> f64 {
        match t {
            StateType::Adversarial => self.rng.uniform(-0.35, -0.1),
            StateType::Opportunistic if create => self.rng.uniform(0.05, 0.15),
            StateType::Opportunistic => self.rng.uniform(0.05, 0.2),
            StateType::Deceptive => self.rng.uniform(0.05, 0.18),
            _ if create => self.rng.uniform(0.1, 0.25),
            _ => self.rng.uniform(0.15, 0.35),
        }
    }

    /// `_policy_violations_for_agent`.
    fn new_violations(&mut self, t: StateType) -> u8 {
        // One draw in each guard; a false guard falls to "none".
        match t {
            StateType::Adversarial => 1 << self.rng.choice_index(4),
            StateType::Opportunistic if self.rng.random() < 0.3 => SOURCING,
            StateType::Deceptive if self.rng.random() < 0.25 => SCOPE,
            _ => 0,
        }
    }

    /// `_updated_policy_violations`. Quirk: an editor who adds none clears
    /// the page's violations (honest editors always do).
    fn updated_violations(&mut self, page: u8, t: StateType) -> u8 {
        match t {
            StateType::Adversarial => page | self.new_violations(t),
            StateType::Opportunistic if self.rng.random() < 0.2 => page | SOURCING,
            StateType::Deceptive if self.rng.random() < 0.2 => page | SCOPE,
            _ => 0,
        }
    }

    fn status_for(&self, p: &Page) -> PageStatus {
        if p.violations != 0 {
            PageStatus::Contested
        } else if p.quality >= 0.7 {
            PageStatus::Published
        } else if u64::from(p.content_len) < self.cfg.stub_length_threshold {
            PageStatus::Stub
        } else {
            PageStatus::Draft
        }
    }

    /// `_build_outcome` into the interaction's observables.
    #[allow(clippy::too_many_arguments)]
    fn outcome(
        delta: f64,
        violations: u8,
        t: StateType,
        counterparty: Party,
        page: u32,
        edit_type: EditType,
        created_by: Option<Party>,
    ) -> WikiOutcome {
        let violated = violations != 0;
        let engagement =
            crate::observables::py_max(-0.6, crate::observables::py_min(0.6, delta * 0.8));
        WikiOutcome {
            counterparty,
            quality_delta: delta,
            rework: u32::from(delta < 0.0 || violated),
            rejections: violations.count_ones(),
            misuse: u32::from(t == StateType::Adversarial || delta < 0.0),
            engagement,
            points: edit_type.points(),
            page,
            edit_type,
            created_by,
        }
    }

    /// `_handle_create`: quality, then violations, drawn by the author's type.
    pub fn create(&mut self, author: AgentIdx, t: StateType, content_len: u32) -> WikiOutcome {
        let status = if u64::from(content_len) < self.cfg.stub_length_threshold {
            PageStatus::Stub
        } else {
            PageStatus::Draft
        };
        let delta = self.quality_delta(t, true);
        let quality = crate::observables::py_max(0.1, crate::observables::py_min(1.0, 0.2 + delta));
        let violations = self.new_violations(t);
        let me = Some(Party::Agent(author));
        let page = self.add(Page {
            content_len,
            status,
            quality,
            cooldown_until: 0,
            violations,
            created_by: me,
        });
        Self::outcome(delta, violations, t, Party::Moltipedia, page, EditType::Create, me)
    }

    /// `_handle_edit`; None for a page that does not exist. Violations,
    /// then quality, drawn by the editor's type. `step`: within the epoch.
    pub fn edit(
        &mut self,
        editor: AgentIdx,
        t: StateType,
        page: u32,
        content: PageContent,
        step: i64,
    ) -> Option<WikiOutcome> {
        let i = page as usize;
        let old = self.pages.get(i)?.clone();
        let violations = self.updated_violations(old.violations, t);
        let delta = self.quality_delta(t, false);
        let edit_type = if old.status == PageStatus::Contested && violations == 0 {
            EditType::ContestedResolve
        } else if old.violations != 0 && violations == 0 {
            EditType::PolicyFix
        } else {
            EditType::Edit
        };
        let cooldown = self.cfg.page_cooldown_steps;
        let p = &mut self.pages[i];
        p.content_len = match content {
            PageContent::Append(n) => p.content_len.saturating_add(n),
            PageContent::Replace(n) => n,
        };
        // apply_edit: max(0.0, min(1.0, q + delta)).
        p.quality =
            crate::observables::py_max(0.0, crate::observables::py_min(1.0, p.quality + delta));
        p.violations = violations;
        let status = self.status_for(&self.pages[i]);
        let p = &mut self.pages[i];
        p.status = status;
        p.cooldown_until = step + cooldown;
        let me = Party::Agent(editor);
        let counterparty = match p.created_by {
            Some(c) if c != me => c,
            _ => Party::Moltipedia,
        };
        let real_delta = p.quality - old.quality;
        Some(Self::outcome(real_delta, violations, t, counterparty, page, edit_type, p.created_by))
    }

    /// The governance epoch start: the pair cap's and the daily cap's
    /// counts restart.
    pub fn on_epoch_start(&mut self) {
        self.pair_counts.clear();
        for x in &mut self.policy_fix_points {
            *x = 0.0;
        }
    }

    /// The four moltipedia levers' costs on the initiator, in lever order
    /// (pair cap, page cooldown, daily cap, no self-fix), evaluated on
    /// every wiki interaction (core interactions carry no points and so
    /// never reach them). `step`: within the epoch.
    pub fn lever_costs(&mut self, initiator: AgentIdx, o: &WikiOutcome, step: i64) -> [f64; 4] {
        let l = self.cfg.levers.clone();
        let points = o.points;
        let me = Party::Agent(initiator);
        let mut costs = [0.0; 4];
        // Pair cap: only the wiki itself is exempt ("catalog_seed" counts).
        if l.pair_cap_enabled && points > 0.0 && o.counterparty != Party::Moltipedia {
            let key = pair_key(me, o.counterparty);
            let count = self.pair_counts.entry(key).or_insert(0);
            *count += 1;
            let count = *count;
            if count > l.pair_cap_max {
                costs[0] = points;
            }
        }
        // Page cooldown. Quirk: steps are within the epoch, so a page
        // scored late in one epoch is charged early in the next (the
        // difference is negative).
        if l.page_cooldown_enabled && points > 0.0 {
            let last = &mut self.last_scored_step[o.page as usize];
            match *last {
                Some(s) if step - s < l.page_cooldown_steps => costs[1] = points,
                _ => *last = Some(step),
            }
        }
        if l.daily_cap_enabled && o.edit_type == EditType::PolicyFix && points > 0.0 {
            let cap = l.daily_policy_fix_cap;
            let current = &mut self.policy_fix_points[initiator as usize];
            let remaining = cap - *current;
            if remaining <= 0.0 {
                costs[2] = points;
            } else if points > remaining {
                *current += remaining;
                costs[2] = points - remaining;
            } else {
                *current += points;
            }
        }
        if l.no_self_fix
            && points > 0.0
            && o.created_by.is_some()
            && o.edit_type != EditType::Create
            && o.created_by == Some(me)
        {
            costs[3] = points;
        }
        costs
    }

    /// `post_finalize`: the points left after the moltipedia levers' costs.
    pub fn award(&mut self, initiator: AgentIdx, o: &WikiOutcome, lever_cost: f64) {
        let left = o.points - lever_cost;
        if left > 0.0 {
            self.points[initiator as usize] += left;
        }
    }
}

/// An unordered pair as a key (the reference orders the two ids as
/// strings; any fixed order keys the same counts).
fn pair_key(a: Party, b: Party) -> (Party, Party) {
    let rank = |p: Party| match p {
        Party::Agent(i) => (0u8, i),
        Party::Moltipedia => (1, 0),
        Party::CatalogSeed => (2, 0),
    };
    if rank(a) <= rank(b) {
        (a, b)
    } else {
        (b, a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_uses_the_pool_for_small_populations_and_picks_distinct() {
        let mut rng = PyRandom::new(3);
        let picks = rng.sample_indices(30, 30);
        let mut sorted = picks.clone();
        sorted.sort();
        assert_eq!(sorted, (0..30).collect::<Vec<_>>());
        let mut rng = PyRandom::new(3);
        let few = rng.sample_indices(30, 4);
        assert_eq!(few.len(), 4);
        let set: std::collections::HashSet<_> = few.iter().collect();
        assert_eq!(set.len(), 4);
    }

    #[test]
    fn honest_edit_clears_violations_and_resolves_contest() {
        let cfg = MoltipediaConfig { initial_pages: 0, ..Default::default() };
        let mut w = Wiki::new(cfg, 2);
        let o = w.create(0, StateType::Adversarial, 37);
        assert_eq!(o.points, 25.0);
        assert_eq!(o.misuse, 1);
        assert_eq!(w.page(0).status, PageStatus::Stub);
        w.pages[0].status = PageStatus::Contested;
        let e = w.edit(1, StateType::Honest, 0, PageContent::Append(42), 4).unwrap();
        assert_eq!(e.edit_type, EditType::ContestedResolve);
        assert_eq!(e.counterparty, Party::Agent(0));
        assert_eq!(w.page(0).cooldown_until, 7);
        assert_eq!(w.page(0).content_len, 79);
        assert!(w.edit(1, StateType::Honest, 5, PageContent::Append(1), 0).is_none());
    }

    #[test]
    fn pair_cap_charges_beyond_the_max_and_restarts_each_epoch() {
        let mut cfg = MoltipediaConfig { initial_pages: 0, ..Default::default() };
        cfg.levers.pair_cap_enabled = true;
        cfg.levers.pair_cap_max = 1;
        let mut w = Wiki::new(cfg, 2);
        w.create(0, StateType::Honest, 10);
        let e = w.edit(1, StateType::Honest, 0, PageContent::Append(1), 0).unwrap();
        assert_eq!(w.lever_costs(1, &e, 0)[0], 0.0);
        assert_eq!(w.lever_costs(1, &e, 0)[0], e.points);
        w.on_epoch_start();
        assert_eq!(w.lever_costs(1, &e, 0)[0], 0.0);
    }
}
