//! The `tierra:` subsystem of swarm-safety 1.9.0
//! (`swarm/core/tierra_handler.py`): a finite resource pool shared by the
//! living tierra agents, metabolism, death by starvation and a reaper that
//! keeps the population under a cap. It runs at every step's start (the
//! handlers' `on_step`, after the perturbation middleware), before the
//! schedule is drawn.
//!
//! "Living" means a tierra agent that is not frozen, in registration order;
//! a death freezes the agent for good and returns its resources to the pool.

use serde::{Deserialize, Serialize};

use crate::agents::tierra::{Genome, EFFICIENCY, METABOLISM};
use crate::rng::PyRandom;
use crate::types::StateType;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReaperMode {
    LowestFitness,
    /// Sorted by resources too, as in the reference (not by age).
    Oldest,
    /// A shuffle drawn from the run's stream R_o.
    Random,
    DiversityPreserving,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TierraConfig {
    pub total_resource_pool: f64,
    pub resource_replenishment_rate: f64,
    pub base_metabolism_cost: f64,
    pub population_cap: i64,
    pub reaper_mode: ReaperMode,
    pub reaper_diversity_min: i64,
    pub mutation_std: f64,
    pub death_threshold: f64,
    pub pool_distribution_rate: f64,
    pub max_efficiency_weight: f64,
}

impl Default for TierraConfig {
    fn default() -> Self {
        TierraConfig {
            total_resource_pool: 10000.0,
            resource_replenishment_rate: 50.0,
            base_metabolism_cost: 2.0,
            population_cap: 100,
            reaper_mode: ReaperMode::LowestFitness,
            reaper_diversity_min: 1,
            mutation_std: 0.05,
            death_threshold: 0.0,
            pool_distribution_rate: 0.1,
            max_efficiency_weight: 0.0,
        }
    }
}

/// The engine's state the step hook reads and changes.
pub struct World<'a> {
    pub types: &'a [StateType],
    pub frozen: &'a mut [bool],
    pub resources: &'a mut [f64],
}

#[derive(Debug, Clone)]
pub struct Tierra {
    pub cfg: TierraConfig,
    pool: f64,
    /// The genome registry, by agent index (tierra agents only).
    genomes: Vec<Option<Genome>>,
}

impl Tierra {
    pub fn new(cfg: TierraConfig) -> Self {
        Tierra { pool: cfg.total_resource_pool, cfg, genomes: Vec::new() }
    }

    pub fn register_genome(&mut self, agent: usize, genome: Genome) {
        if self.genomes.len() <= agent {
            self.genomes.resize(agent + 1, None);
        }
        self.genomes[agent] = Some(genome);
    }

    pub fn pool(&self) -> f64 {
        self.pool
    }

    fn living(w: &World) -> Vec<usize> {
        (0..w.types.len()).filter(|&i| w.types[i] == StateType::Tierra && !w.frozen[i]).collect()
    }

    fn genome(&self, i: usize) -> Option<&Genome> {
        self.genomes.get(i).and_then(Option::as_ref)
    }

    /// `on_step`: replenish, distribute, metabolise, starve, reap. Returns
    /// whether anything changed (the engine then refreshes its indexes).
    pub fn on_step(&mut self, w: &mut World, r_o: &mut PyRandom) {
        let c = &self.cfg;
        self.pool += c.resource_replenishment_rate;
        let living = Self::living(w);
        if !living.is_empty() && self.pool > 0.0 {
            let distribute = self.pool * c.pool_distribution_rate;
            let mut weights: Vec<f64> = living
                .iter()
                .map(|&i| {
                    let eff = self.genome(i).map_or(0.5, |g| g.0[EFFICIENCY]);
                    crate::observables::py_max(eff, 0.01)
                })
                .collect();
            if c.max_efficiency_weight > 0.0 && weights.len() > 1 {
                let mean = py_sum(&weights) / weights.len() as f64;
                let cap = mean * c.max_efficiency_weight;
                for w in &mut weights {
                    *w = crate::observables::py_min(*w, cap);
                }
            }
            let total = py_sum(&weights);
            for (&i, &wt) in living.iter().zip(&weights) {
                w.resources[i] += distribute * (wt / total);
            }
            self.pool -= distribute;
        }
        for i in living {
            let cost = match self.genome(i) {
                Some(g) => {
                    g.0[METABOLISM] * self.cfg.base_metabolism_cost * (1.0 + 0.1 * g.complexity())
                }
                None => self.cfg.base_metabolism_cost * 0.5,
            };
            let actual = crate::observables::py_min(cost, w.resources[i]);
            w.resources[i] += -actual;
            self.pool += actual;
            if w.resources[i] <= self.cfg.death_threshold {
                self.kill(i, w);
            }
        }
        self.reap(w, r_o);
    }

    fn kill(&mut self, i: usize, w: &mut World) {
        self.pool += w.resources[i];
        w.resources[i] = 0.0;
        w.frozen[i] = true;
    }

    fn reap(&mut self, w: &mut World, r_o: &mut PyRandom) {
        let mut living = Self::living(w);
        let cap = self.cfg.population_cap;
        let excess = living.len() as i64 - cap;
        if excess <= 0 {
            return;
        }
        let excess = excess as usize;
        // Python's stable sort by resources, ascending.
        let by_resources = |v: &mut Vec<usize>, res: &[f64]| {
            v.sort_by(|&a, &b| res[a].partial_cmp(&res[b]).unwrap_or(std::cmp::Ordering::Equal))
        };
        match self.cfg.reaper_mode {
            ReaperMode::DiversityPreserving => return self.reap_diverse(living, w, excess),
            ReaperMode::Random => r_o.shuffle(&mut living),
            ReaperMode::LowestFitness | ReaperMode::Oldest => {
                by_resources(&mut living, w.resources)
            }
        }
        for &i in living.iter().take(excess) {
            self.kill(i, w);
        }
    }

    /// Protect `reaper_diversity_min` agents of each species (single-linkage
    /// clusters of genomes closer than 0.5), cull the poorest of the rest,
    /// then fall back to the poorest overall.
    fn reap_diverse(&mut self, living: Vec<usize>, w: &mut World, excess: usize) {
        let default = [0.0; 10];
        let genomes: Vec<&[f64; 10]> =
            living.iter().map(|&i| self.genome(i).map_or(&default, |g| &g.0)).collect();
        let clusters = species_clusters(&genomes, 0.5);
        let min = self.cfg.reaper_diversity_min;
        let res = &*w.resources;
        let cmp = |a: &usize, b: &usize| res[*a].partial_cmp(&res[*b]).unwrap();
        let mut killable: Vec<usize> = Vec::new();
        for members in clusters {
            let mut m: Vec<usize> = members.iter().map(|&k| living[k]).collect();
            m.sort_by(cmp);
            let protected = min.min(m.len() as i64);
            if (m.len() as i64) > protected {
                // members[:-protected]; a protection of 0 is Python's [:-0], none.
                let keep = if protected == 0 { 0 } else { m.len() - protected as usize };
                killable.extend_from_slice(&m[..keep]);
            }
        }
        killable.sort_by(cmp);
        let mut killed = 0;
        for &i in &killable {
            if killed >= excess {
                break;
            }
            self.kill(i, w);
            killed += 1;
        }
        if killed < excess {
            let mut rest = Self::living(w);
            let res = &*w.resources;
            rest.sort_by(|a, b| res[*a].partial_cmp(&res[*b]).unwrap());
            for i in rest {
                if killed >= excess {
                    break;
                }
                self.kill(i, w);
                killed += 1;
            }
        }
    }
}

/// Python's `sum()` of floats: left to right from 0.
fn py_sum(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |s, &x| s + x)
}

/// `species_clusters`: union-find over pairs closer than `threshold`
/// (Euclidean over the genes in sorted-name order), clusters in order of
/// their first member.
fn species_clusters(genomes: &[&[f64; 10]], threshold: f64) -> Vec<Vec<usize>> {
    let n = genomes.len();
    // The genes sorted by name, as `sorted(genome.keys())`.
    let mut order: Vec<usize> = (0..10).collect();
    order.sort_by_key(|&k| crate::agents::tierra::GENES[k]);
    let dist = |i: usize, j: usize| {
        let mut s = 0.0;
        for &k in &order {
            let d = genomes[i][k] - genomes[j][k];
            s += d * d;
        }
        f64::sqrt(s)
    };
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for i in 0..n {
        for j in i + 1..n {
            if dist(i, j) < threshold {
                let (ra, rb) = (find(&mut parent, i), find(&mut parent, j));
                if ra != rb {
                    parent[ra] = rb;
                }
            }
        }
    }
    let mut roots: Vec<usize> = Vec::new();
    let mut clusters: Vec<Vec<usize>> = Vec::new();
    for i in 0..n {
        let r = find(&mut parent, i);
        match roots.iter().position(|&x| x == r) {
            Some(k) => clusters[k].push(i),
            None => {
                roots.push(r);
                clusters.push(vec![i]);
            }
        }
    }
    clusters
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starvation_returns_resources_and_freezes() {
        let cfg = TierraConfig { resource_replenishment_rate: 0.0, ..TierraConfig::default() };
        let mut t = Tierra::new(cfg);
        t.register_genome(0, Genome::default());
        t.register_genome(1, Genome::default());
        let types = [StateType::Tierra, StateType::Tierra, StateType::Honest];
        let mut frozen = [false; 3];
        let mut resources = [0.5, 100.0, 7.0];
        let mut w = World { types: &types, frozen: &mut frozen, resources: &mut resources };
        t.on_step(&mut w, &mut PyRandom::new(1));
        // 1000 distributed evenly; the default metabolism costs 1.0.
        assert_eq!(resources, [500.5 - 1.0, 600.0 - 1.0, 7.0]);
        assert_eq!(frozen, [false; 3]);
        assert_eq!(t.pool(), 9000.0 + 2.0);
    }
}
