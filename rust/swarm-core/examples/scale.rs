//! Time one run of the baseline population scaled up, or with `all`, of
//! every policy in equal numbers:
//! `cargo run --release -p swarm-core --example scale -- AGENTS [STEPS] [EPOCHS] [all]`.

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use serde_json::json;
use swarm_core::agents::AgentKind;
use swarm_core::RunConfig;

// The allocator the Python extension uses (rust/swarm-py/src/lib.rs).
#[global_allocator]
static GLOBAL: swarm_core::alloc::SwarmAlloc = swarm_core::alloc::SwarmAlloc;

fn main() {
    let all = std::env::args().any(|a| a == "all");
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter(|a| a != "all")
        .map(|a| a.parse().expect("a number"))
        .collect();
    let n = args.first().copied().unwrap_or(10_000);
    let steps = args.get(1).copied().unwrap_or(1);
    let epochs = args.get(2).copied().unwrap_or(1);
    let kinds = AgentKind::ALL.len() as u64;
    let (k, agents) = if all {
        let k = n / kinds;
        let agents = AgentKind::ALL.iter().map(|t| json!({"type": t.yaml_key(), "count": k}));
        (k, agents.collect::<Vec<_>>())
    } else {
        let k = n / 5;
        let agents = vec![
            json!({"type": "honest", "count": 3 * k}),
            json!({"type": "opportunistic", "count": k}),
            json!({"type": "deceptive", "count": k}),
        ];
        (k, agents)
    };
    let n = k * if all { kinds } else { 5 };
    let cfg: RunConfig = serde_json::from_value(json!({
        "seed": 42, "n_epochs": epochs, "steps_per_epoch": steps,
        "max_actions_per_step": n, "record_interactions": false, "agents": agents,
    }))
    .expect("config");
    let t = Instant::now();
    let r = swarm_core::run(cfg, &AtomicBool::new(false)).expect("run");
    let dt = t.elapsed().as_secs_f64();
    let interactions: u64 = r.epochs.iter().map(|e| e.total_interactions).sum();
    println!(
        "{} agents x {} steps x {} epochs: {:.2} ms, {} interactions, {:.2e} agent-steps/s",
        n,
        steps,
        epochs,
        dt * 1e3,
        interactions,
        (n * steps * epochs) as f64 / dt
    );
}
