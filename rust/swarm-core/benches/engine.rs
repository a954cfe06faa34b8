//! Core benchmarks: whole runs of the paper's baseline and strict
//! scenarios (20 epochs x 15 steps), scaled-up populations for one step
//! (up to 100,000 agents) and for 100 steps, and a long horizon. Run with
//! `cargo bench -p swarm-core`.

use std::sync::atomic::AtomicBool;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use swarm_core::config::{AgentSpec, GovernanceConfig, RateLimits, RunConfig};

// The allocator the Python extension uses (rust/swarm-py/src/lib.rs).
#[global_allocator]
static GLOBAL: swarm_core::alloc::SwarmAlloc = swarm_core::alloc::SwarmAlloc;

fn agents(
    honest: u64,
    opportunistic: u64,
    deceptive: u64,
    extra: &[(&str, u64)],
) -> Vec<AgentSpec> {
    let mut v: Vec<AgentSpec> =
        [("honest", honest), ("opportunistic", opportunistic), ("deceptive", deceptive)]
            .iter()
            .chain(extra)
            .map(|&(kind, count)| AgentSpec {
                kind: kind.into(),
                count,
                name: None,
                config: Default::default(),
                external: None,
            })
            .collect();
    v.retain(|a| a.count > 0);
    v
}

fn baseline(epochs: u32, steps: u32) -> RunConfig {
    RunConfig {
        seed: Some(42),
        n_epochs: epochs,
        steps_per_epoch: steps,
        agents: agents(3, 1, 1, &[]),
        record_interactions: false,
        ..Default::default()
    }
}

fn strict() -> RunConfig {
    RunConfig {
        agents: agents(3, 2, 1, &[("adversarial", 1)]),
        governance: GovernanceConfig {
            transaction_tax_rate: 0.1,
            transaction_tax_split: 0.6,
            reputation_decay_rate: 0.85,
            staking_enabled: true,
            min_stake_to_participate: 25.0,
            circuit_breaker_enabled: true,
            freeze_threshold_toxicity: 0.35,
            freeze_threshold_violations: 2,
            freeze_duration_epochs: 3,
            audit_enabled: true,
            audit_probability: 0.25,
            audit_penalty_multiplier: 3.0,
            audit_threshold_p: 0.6,
            collusion_detection_enabled: true,
            ..Default::default()
        },
        rate_limits: RateLimits {
            posts_per_epoch: 8,
            interactions_per_step: 4,
            votes_per_epoch: 30,
            tasks_per_epoch: 2,
            ..Default::default()
        },
        ..baseline(20, 15)
    }
}

/// The baseline's 3:1:1 mix with 5k agents, all acting, for `steps` steps.
fn scaled(k: u64, steps: u32) -> RunConfig {
    let mut cfg = baseline(1, steps);
    cfg.agents = agents(3 * k, k, k, &[]);
    cfg.max_actions_per_step = (5 * k) as u32;
    cfg
}

fn run(cfg: &RunConfig) {
    swarm_core::run(cfg.clone(), &AtomicBool::new(false)).expect("valid config");
}

fn bench(c: &mut Criterion) {
    let base = baseline(20, 15);
    c.bench_function("baseline_20x15", |b| b.iter(|| run(&base)));
    let st = strict();
    c.bench_function("strict_governance_20x15", |b| b.iter(|| run(&st)));
    let mut g = c.benchmark_group("one_step_all_acting");
    g.sample_size(10);
    for k in [10u64, 100, 1000, 2000, 20_000] {
        let cfg = scaled(k, 1);
        g.bench_with_input(BenchmarkId::from_parameter(5 * k), &cfg, |b, cfg| b.iter(|| run(cfg)));
    }
    g.finish();
    let mut g = c.benchmark_group("hundred_steps_all_acting");
    g.sample_size(10);
    for k in [200u64, 2000] {
        let cfg = scaled(k, 100);
        g.bench_with_input(BenchmarkId::from_parameter(5 * k), &cfg, |b, cfg| b.iter(|| run(cfg)));
    }
    g.finish();
    let mut g = c.benchmark_group("horizon");
    g.sample_size(10);
    for epochs in [1000, 10_000] {
        let long = baseline(epochs, 15);
        g.bench_with_input(BenchmarkId::new("baseline_epochs", epochs), &long, |b, cfg| {
            b.iter(|| run(cfg))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
