//! The one error type of the core. The bindings map each variant to a Python
//! exception in one place (`swarm-py/src/errors.rs`).

use thiserror::Error;

#[derive(Debug, Error)]
pub enum SwarmError {
    /// The scenario or run configuration is invalid; the message names the key.
    #[error("{0}")]
    Config(String),
    /// The caller asked the run to stop (Ctrl-C).
    #[error("run interrupted")]
    Interrupted,
    /// A broken invariant inside the engine. Never expected; reported, not panicked.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type SwarmResult<T> = Result<T, SwarmError>;
