//! swarm-core: a bit-exact Rust port of the SWARM simulation
//! (swarm-safety 1.9.0). No Python here; `swarm-py` wraps it.
//!
//! One interaction, from proposal to metrics: an agent's policy
//! ([`agents`]) returns a proposal in [`engine`]; at resolution the
//! [`observables`] are drawn, [`proxy`] turns them into v̂ and p,
//! [`governance`] charges costs, [`payoff`] computes π_a and π_b, and
//! [`metrics`] folds the finished interaction into the epoch row.

pub mod config;
pub mod error;
pub mod numpy_compat;
pub mod rng;

pub use error::{SwarmError, SwarmResult};
