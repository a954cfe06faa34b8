//! swarm-core: a bit-exact Rust port of the SWARM simulation
//! (swarm-safety 1.9.0). No Python here; `swarm-py` wraps it.
//!
//! One interaction, from proposal to metrics: a policy in [`agents`] returns
//! a proposal that [`engine`] queues; at resolution [`observables`] are
//! drawn, [`proxy`] turns them into v̂ and p, [`governance`] charges costs,
//! [`payoff`] computes π_a and π_b, and [`metrics`] folds the finished
//! interaction into the epoch row.

pub mod agents;
pub mod alloc;
pub mod awm;
pub mod config;
pub mod contracts;
pub mod dynamic_toxicity;
pub mod engine;
pub mod error;
pub mod feed;
pub mod governance;
pub mod index;
pub mod marketplace;
pub mod memory;
pub mod memory_tiers;
pub mod metrics;
pub mod model;
pub mod moltbook;
pub mod moltipedia;
pub mod network;
pub mod numpy_compat;
pub mod observables;
pub mod observation;
pub mod payoff;
pub mod perturbation;
pub mod post_map;
pub mod proxy;
pub mod resource_negotiation;
pub mod rivals;
pub mod rng;
pub mod schedule;
pub mod scholar;
pub mod spawn;
pub mod sweep;
pub mod tierra;
pub mod types;

pub use config::RunConfig;
pub use engine::{run, run_counting, RunResult};
pub use error::{SwarmError, SwarmResult};
