//! Run a scenario configuration (normalised JSON, as `swarm_fast` passes
//! it) many times, for profiling small runs:
//! `cargo run --release -p swarm-core --example paper_loop -- CONFIG.json [REPS]`.

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use swarm_core::RunConfig;

// The allocator the Python extension uses (rust/swarm-py/src/lib.rs).
#[global_allocator]
static GLOBAL: swarm_core::alloc::SwarmAlloc = swarm_core::alloc::SwarmAlloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("a config path");
    let reps: u32 = args.next().map(|r| r.parse().expect("a number")).unwrap_or(1000);
    let json = std::fs::read_to_string(path).expect("readable config");
    let cfg = RunConfig::from_json(&json).expect("valid config");
    let cancel = AtomicBool::new(false);
    let t = Instant::now();
    let mut interactions = 0;
    for _ in 0..reps {
        let r = swarm_core::run(cfg.clone(), &cancel).expect("run");
        interactions += r.totals.accepted + r.totals.rejected;
    }
    let per = t.elapsed().as_secs_f64() / f64::from(reps);
    println!(
        "{:.1} us per run, {} interactions per run",
        per * 1e6,
        interactions / u64::from(reps)
    );
}
