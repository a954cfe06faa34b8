//! The tierra agent of swarm-safety 1.9.0 (`swarm/agents/tierra_agent.py`):
//! a policy parameterised by a heritable genome that replicates when rich.
//!
//! Its turn: replicate (a SPAWN, when the spawn tree allows it and its
//! resources reach the replication threshold), else answer its first
//! pending proposal by trust, else — with probability
//! `interaction_aggression` — propose to the first visible agent, or with
//! probability `selectivity` to the first of the highest reputation,
//! cooperating with probability `cooperation_bias`. Its `config:` is never
//! read: every initial agent starts with the default genome.

use super::answer;
use super::memory::Memory;
use crate::observation::{Observation, ProposalView};
use crate::rng::PyRandom;
use crate::types::{Action, InteractionType};

/// The genes in the reference's order (`_DEFAULTS`), which is also the
/// order of the mutation draws and of the complexity sum.
pub const GENES: [&str; 10] = [
    "acceptance_threshold",
    "cooperation_bias",
    "exploitation_tendency",
    "selectivity",
    "metabolism_rate",
    "efficiency",
    "replication_threshold",
    "resource_share_fraction",
    "interaction_aggression",
    "trust_learning_rate",
];
const DEFAULTS: [f64; 10] = [0.4, 0.6, 0.1, 0.5, 0.5, 0.5, 150.0, 0.5, 0.3, 0.3];
const RANGES: [(f64, f64); 10] = [
    (0.0, 1.0),
    (0.0, 1.0),
    (0.0, 1.0),
    (0.0, 1.0),
    (0.05, 2.0),
    (0.0, 1.0),
    (50.0, 500.0),
    (0.1, 0.9),
    (0.0, 1.0),
    (0.01, 1.0),
];
const ACCEPTANCE: usize = 0;
const COOPERATION: usize = 1;
const SELECTIVITY: usize = 3;
pub const METABOLISM: usize = 4;
pub const EFFICIENCY: usize = 5;
const REPLICATION: usize = 6;
const SHARE: usize = 7;
const AGGRESSION: usize = 8;
const TRUST_RATE: usize = 9;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Genome(pub [f64; 10]);

impl Default for Genome {
    fn default() -> Self {
        Genome(DEFAULTS)
    }
}

impl Genome {
    /// `TierraGenome.mutate`: one Gaussian draw per gene, in order, clamped
    /// as Python's `max(lo, min(hi, v))`.
    pub fn mutate(&self, rng: &mut PyRandom, std: f64) -> Genome {
        let mut out = [0.0; 10];
        for (k, o) in out.iter_mut().enumerate() {
            let v = self.0[k] + rng.gauss(0.0, std);
            let (lo, hi) = RANGES[k];
            *o = crate::observables::py_max(lo, crate::observables::py_min(hi, v));
        }
        Genome(out)
    }

    /// Sum of absolute deviations from the defaults, in gene order.
    pub fn complexity(&self) -> f64 {
        let mut total = 0.0;
        for (g, d) in self.0.iter().zip(DEFAULTS) {
            total += (g - d).abs();
        }
        total
    }

    pub fn resource_share_fraction(&self) -> f64 {
        self.0[SHARE]
    }
}

#[derive(Debug, Clone)]
pub struct Tierra {
    pub genome: Genome,
}

impl Tierra {
    pub fn new(genome: Genome) -> Self {
        Tierra { genome }
    }

    /// The turn. `may_spawn`: whether a SPAWN may be returned at all; the
    /// engine asks again with `false` when the spawn tree refuses it (the
    /// reference's `can_spawn` observation field), which is the same turn
    /// since replication draws nothing.
    pub fn act(
        &mut self,
        obs: &Observation,
        rng: &mut PyRandom,
        mem: &Memory,
        may_spawn: bool,
    ) -> Action {
        let g = &self.genome.0;
        if may_spawn && obs.resources >= g[REPLICATION] {
            return Action::Spawn;
        }
        if let Some(p) = obs.pending {
            return answer(&p, self.accepts(mem.trust(p.initiator)));
        }
        if obs.can_interact && obs.has_visible() && rng.random() < g[AGGRESSION] {
            // Python's stable sort by reputation, descending: the first of
            // the highest; otherwise the first visible agent.
            let target = if rng.random() < g[SELECTIVITY] {
                let mut best: Option<(f64, u32)> = None;
                for rec in obs.visible_iter() {
                    if best.is_none_or(|(r, _)| rec.reputation > r) {
                        best = Some((rec.reputation, rec.idx));
                    }
                }
                best.map(|b| b.1)
            } else {
                obs.visible_iter().next().map(|rec| rec.idx)
            };
            if let Some(target) = target {
                let kind = if rng.random() < g[COOPERATION] {
                    InteractionType::Collaboration
                } else {
                    InteractionType::Trade
                };
                return Action::Propose { target, kind };
            }
        }
        Action::Noop
    }

    fn accepts(&self, trust: f64) -> bool {
        let rate = self.genome.0[TRUST_RATE];
        let effective = trust * rate + 0.5 * (1.0 - rate);
        effective >= self.genome.0[ACCEPTANCE]
    }

    pub fn accept(&self, prop: &ProposalView, mem: &Memory) -> bool {
        self.accepts(mem.trust(prop.initiator))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_genome_is_simple_and_mutation_clamps() {
        assert_eq!(Genome::default().complexity(), 0.0);
        let mut rng = PyRandom::new(1);
        let g = Genome::default().mutate(&mut rng, 1e12);
        for (k, (v, (lo, hi))) in g.0.iter().zip(RANGES).enumerate() {
            assert!(*v == lo || *v == hi, "gene {k} clamped");
        }
    }
}
