//! Time one run of the baseline population scaled up:
//! `cargo run --release -p swarm-core --example scale -- AGENTS [STEPS] [EPOCHS]`.

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use serde_json::json;
use swarm_core::RunConfig;

fn main() {
    let args: Vec<u64> = std::env::args().skip(1).map(|a| a.parse().expect("a number")).collect();
    let n = args.first().copied().unwrap_or(10_000);
    let steps = args.get(1).copied().unwrap_or(1);
    let epochs = args.get(2).copied().unwrap_or(1);
    let k = n / 5;
    let cfg: RunConfig = serde_json::from_value(json!({
        "seed": 42, "n_epochs": epochs, "steps_per_epoch": steps,
        "max_actions_per_step": n, "record_interactions": false,
        "agents": [
            {"type": "honest", "count": 3 * k},
            {"type": "opportunistic", "count": k},
            {"type": "deceptive", "count": k},
        ],
    }))
    .expect("config");
    let t = Instant::now();
    let r = swarm_core::run(cfg, &AtomicBool::new(false)).expect("run");
    let dt = t.elapsed().as_secs_f64();
    let interactions: u64 = r.epochs.iter().map(|e| e.total_interactions).sum();
    println!(
        "{} agents x {} steps x {} epochs: {:.2} ms, {} interactions, {:.2e} agent-steps/s",
        5 * k,
        steps,
        epochs,
        dt * 1e3,
        interactions,
        (5 * k * steps * epochs) as f64 / dt
    );
}
