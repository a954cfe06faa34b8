//! Many runs at once, spread over a thread pool. Each run is independent
//! and deterministic, and results come back in input order, so a batch
//! gives the same results whatever the thread count.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::config::RunConfig;
use crate::engine::{run, RunResult};
use crate::error::{SwarmError, SwarmResult};

/// Run `configs` on `threads` workers (0 = all cores). `done` counts
/// finished runs, for progress reporting; `cancel` stops every run at its
/// next step boundary.
pub fn run_batch(
    configs: Vec<RunConfig>,
    threads: usize,
    cancel: &AtomicBool,
    done: &AtomicUsize,
) -> SwarmResult<Vec<RunResult>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| SwarmError::Internal(format!("thread pool: {e}")))?;
    let results: Vec<SwarmResult<RunResult>> = pool.install(|| {
        configs
            .into_par_iter()
            .map(|cfg| {
                let r = run(cfg, cancel);
                done.fetch_add(1, Ordering::Relaxed);
                r
            })
            .collect()
    });
    // Report the first real error in input order; an interruption only
    // if nothing else went wrong.
    let mut interrupted = false;
    let mut out = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(v) => out.push(v),
            Err(SwarmError::Interrupted) => interrupted = true,
            Err(e) => return Err(e),
        }
    }
    if interrupted {
        return Err(SwarmError::Interrupted);
    }
    Ok(out)
}
