//! The `resource_negotiation:` subsystem of swarm-safety 1.9.0
//! (`swarm/core/resource_negotiation_handler.py`, built by the loader's
//! `parse_resource_negotiation_config` and `build_orchestrator`): two-player
//! alternating-offer games over a pool of resources with private valuations.
//!
//! What a run of the reference does with it, and so all this module does:
//! once, when the orchestrator is built, `create_games_for_agents` shuffles
//! every agent's id with the run's stream R_o and pairs them (0-1, 2-3, …;
//! an odd one out gets no game), drawing each pair's pool and both
//! valuations from R_o too. Those draws shift every later R_o draw (the
//! schedule, the observables). At the end of every epoch the handler ends
//! the games still open without a deal, which draws nothing.
//!
//! Quirk (the reason no game is ever played): the reference's observation
//! builder never copies the handler's `resource_negotiation_games` into the
//! `Observation` it hands to agents (`swarm/core/observation_builder.py`
//! lists every other handler's fields, not these), so the negotiator agents
//! always see no game and NOOP, no move reaches the handler, no round ends
//! (so its termination draw never happens) and no negotiation interaction
//! is ever recorded. Only the set-up's draws and the game table remain.

use serde::{Deserialize, Serialize};

use crate::error::{SwarmError, SwarmResult};
use crate::rng::PyRandom;

/// `ResourceNegotiationConfig`, with its defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResourceNegotiationConfig {
    pub min_resource_types: i64,
    pub max_resource_types: i64,
    pub min_quantity: i64,
    pub max_quantity: i64,
    pub min_valuation: f64,
    pub max_valuation: f64,
    /// Read only when a round ends, which never happens (see the module).
    pub guaranteed_rounds: i64,
    pub termination_probability: f64,
    pub no_deal_score: f64,
    pub max_rounds: i64,
    pub resource_names: Vec<String>,
    /// Never read: the handler is given the orchestrator's R_o.
    pub seed: Option<i64>,
}

impl Default for ResourceNegotiationConfig {
    fn default() -> Self {
        ResourceNegotiationConfig {
            min_resource_types: 2,
            max_resource_types: 4,
            min_quantity: 1,
            max_quantity: 5,
            min_valuation: 1.0,
            max_valuation: 10.0,
            guaranteed_rounds: 4,
            termination_probability: 0.3,
            no_deal_score: -0.5,
            max_rounds: 20,
            resource_names: ["apples", "bananas", "cherries", "dates", "elderberries"]
                .map(String::from)
                .to_vec(),
            seed: None,
        }
    }
}

impl ResourceNegotiationConfig {
    /// What the set-up's draws need (the reference raises on the rest:
    /// `randint` on an empty range, `sample` of a negative size).
    pub fn validate(&self) -> SwarmResult<()> {
        let bad = |key: &str, why: String| {
            Err(SwarmError::Config(format!("resource_negotiation.{key}: {why}")))
        };
        if self.min_resource_types < 0 {
            return bad(
                "min_resource_types",
                format!("must be >= 0, got {}", self.min_resource_types),
            );
        }
        if self.max_resource_types < self.min_resource_types {
            return bad(
                "max_resource_types",
                format!("must be >= min_resource_types ({})", self.min_resource_types),
            );
        }
        if self.max_quantity < self.min_quantity {
            return bad("max_quantity", format!("must be >= min_quantity ({})", self.min_quantity));
        }
        const LIMIT: i64 = 1 << 40;
        for (key, v) in [
            ("min_resource_types", self.min_resource_types),
            ("max_resource_types", self.max_resource_types),
            ("min_quantity", self.min_quantity),
            ("max_quantity", self.max_quantity),
        ] {
            if !(-LIMIT..=LIMIT).contains(&v) {
                return bad(key, format!("must lie in [-2^40, 2^40], got {v}"));
            }
        }
        for (key, v) in
            [("min_valuation", self.min_valuation), ("max_valuation", self.max_valuation)]
        {
            if !v.is_finite() {
                return bad(key, format!("must be a finite number, got {v}"));
            }
        }
        Ok(())
    }
}

/// One game as the reference creates it: the players (agent indices, A
/// first), the pool (resource name index into `resource_names`, quantity)
/// in the dict's insertion order, and each player's valuation per pool
/// entry, rounded to one decimal as there.
#[derive(Debug, Clone, PartialEq)]
pub struct Game {
    pub player_a: usize,
    pub player_b: usize,
    pub pool: Vec<(usize, i64)>,
    pub valuations_a: Vec<f64>,
    pub valuations_b: Vec<f64>,
    /// Set at the first epoch end: no deal (no move is ever made).
    pub over: bool,
}

/// The subsystem's state: the games of the run.
#[derive(Debug, Clone)]
pub struct ResourceNegotiation {
    pub cfg: ResourceNegotiationConfig,
    pub games: Vec<Game>,
}

impl ResourceNegotiation {
    /// `create_games_for_agents(agent_ids)` at build time, drawing from
    /// R_o: the shuffle, then per pair `create_game`'s draws.
    pub fn new(cfg: ResourceNegotiationConfig, r_o: &mut PyRandom, n_agents: usize) -> Self {
        let mut order: Vec<usize> = (0..n_agents).collect();
        r_o.shuffle(&mut order);
        let games = order.chunks_exact(2).map(|p| create_game(&cfg, r_o, p[0], p[1])).collect();
        ResourceNegotiation { cfg, games }
    }

    /// `on_epoch_end`: every open game ends without a deal (no draw).
    pub fn on_epoch_end(&mut self) {
        for g in &mut self.games {
            g.over = true;
        }
    }
}

/// `create_game` without a given pool: `randint` the number of types,
/// `sample` that many names (at most all), `randint` each sampled name's
/// quantity, then `round(uniform(lo, hi), 1)` per pool entry for A, then
/// for B. A name sampled twice (a repeated name in `resource_names`) draws
/// its quantity twice and keeps the second, as the dict comprehension does.
fn create_game(cfg: &ResourceNegotiationConfig, r_o: &mut PyRandom, a: usize, b: usize) -> Game {
    let n_types = r_o.randint(cfg.min_resource_types, cfg.max_resource_types);
    let names = &cfg.resource_names;
    let k = (n_types as usize).min(names.len());
    let mut pool: Vec<(usize, i64)> = Vec::with_capacity(k);
    for j in r_o.sample_indices(names.len(), k) {
        let qty = r_o.randint(cfg.min_quantity, cfg.max_quantity);
        match pool.iter_mut().find(|(i, _)| names[*i] == names[j]) {
            Some(entry) => entry.1 = qty,
            None => pool.push((j, qty)),
        }
    }
    let mut valuations = || -> Vec<f64> {
        pool.iter().map(|_| py_round1(r_o.uniform(cfg.min_valuation, cfg.max_valuation))).collect()
    };
    let valuations_a = valuations();
    let valuations_b = valuations();
    Game { player_a: a, player_b: b, pool, valuations_a, valuations_b, over: false }
}

/// `round(x, 1)` for the valuations, through a one-decimal string (no
/// simulated quantity reads a valuation: only the draw behind it matters).
fn py_round1(x: f64) -> f64 {
    format!("{x:.1}").parse().unwrap_or(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_everyone_but_the_odd_one_out() {
        let cfg = ResourceNegotiationConfig::default();
        let mut r = PyRandom::new(42);
        let n = ResourceNegotiation::new(cfg, &mut r, 7);
        assert_eq!(n.games.len(), 3);
        let mut seen: Vec<usize> = n.games.iter().flat_map(|g| [g.player_a, g.player_b]).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 6);
        for g in &n.games {
            assert!((2..=4).contains(&g.pool.len()));
            assert!(g.pool.iter().all(|&(_, q)| (1..=5).contains(&q)));
            assert_eq!(g.valuations_a.len(), g.pool.len());
            assert!(g.valuations_b.iter().all(|v| (1.0..=10.0).contains(v)));
        }
    }

    #[test]
    fn no_agents_no_draws() {
        let mut r = PyRandom::new(3);
        let mut fresh = PyRandom::new(3);
        let n = ResourceNegotiation::new(ResourceNegotiationConfig::default(), &mut r, 1);
        assert!(n.games.is_empty());
        assert_eq!(r.random(), fresh.random());
    }

    #[test]
    fn sample_takes_distinct_positions() {
        let mut r = PyRandom::new(5);
        for (n, k) in [(5, 3), (5, 5), (100, 7), (30, 0)] {
            let mut s = r.sample_indices(n, k);
            assert_eq!(s.len(), k);
            s.sort_unstable();
            s.dedup();
            assert_eq!(s.len(), k);
            assert!(s.iter().all(|&i| i < n));
        }
    }

    #[test]
    fn bad_ranges_name_the_key() {
        let cfg =
            ResourceNegotiationConfig { min_quantity: 3, max_quantity: 2, ..Default::default() };
        let e = cfg.validate().unwrap_err().to_string();
        assert!(e.contains("resource_negotiation.max_quantity"), "{e}");
    }
}
