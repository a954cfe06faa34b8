//! The engine's speed layouts must not change a single draw: every run here
//! goes with the visible-population index, windowed agent streams, the
//! kept priority order and implicit complete networks forced on, with all
//! off, and mixed (windows that keep refilling included); the results
//! (every interaction, epoch row and final agent state) must print
//! identically.

use std::sync::atomic::AtomicBool;

use serde_json::json;
use swarm_core::engine::{run_tuned, Switch, Tuning};
use swarm_core::RunConfig;

fn both_ways(cfg: serde_json::Value) {
    let cfg: RunConfig = serde_json::from_value(cfg).expect("config");
    let cancel = AtomicBool::new(false);
    let run = |index, windowed_streams, refill_windows, priority_order, implicit_complete| {
        let tuning =
            Tuning { index, windowed_streams, refill_windows, priority_order, implicit_complete };
        run_tuned(cfg.clone(), tuning, &cancel).expect("run")
    };
    let (on, off) = (Switch::On, Switch::Off);
    let fast = run(on, on, off, on, on);
    let plain = run(off, off, off, off, off);
    let mixed = run(on, off, off, off, off);
    let lean = run(off, on, on, on, on);
    let trace = fast.trace.as_ref().expect("trace");
    assert!(trace.len() > 50, "too few interactions to tell: {}", trace.len());
    assert_eq!(format!("{fast:?}"), format!("{plain:?}"));
    assert_eq!(format!("{mixed:?}"), format!("{plain:?}"));
    assert_eq!(format!("{lean:?}"), format!("{plain:?}"));
}

fn population(counts: &[(&str, u64)]) -> serde_json::Value {
    counts.iter().map(|(t, n)| json!({"type": t, "count": n})).collect()
}

#[test]
fn baseline_mix_at_scale() {
    for seed in [1, 42, 977] {
        both_ways(json!({
            "seed": seed, "n_epochs": 4, "steps_per_epoch": 5, "max_actions_per_step": 300,
            "record_interactions": true,
            "agents": population(&[("honest", 150), ("opportunistic", 60), ("deceptive", 60)]),
        }));
    }
}

#[test]
fn every_policy_with_freezes_and_a_random_schedule() {
    // Circuit breakers and staking freeze and unfreeze agents, decay and
    // audits move reputation: the index must follow every change.
    both_ways(json!({
        "seed": 5, "n_epochs": 8, "steps_per_epoch": 6, "max_actions_per_step": 200,
        "schedule_mode": "random", "record_interactions": true,
        "agents": population(&[
            ("honest", 40), ("opportunistic", 25), ("deceptive", 25), ("adversarial", 15),
            ("adaptive_adversary", 5), ("cautious", 15), ("cautious_reciprocator", 15),
            ("threshold_dancer", 10),
        ]),
        "governance": {
            "reputation_decay_rate": 0.9, "circuit_breaker_enabled": true,
            "freeze_threshold_toxicity": 0.4, "freeze_threshold_violations": 1,
            "freeze_duration_epochs": 1, "audit_enabled": true, "audit_probability": 0.3,
            "staking_enabled": true, "min_stake_to_participate": 90.0,
        },
    }));
}

#[test]
fn priority_schedule_through_freezes_stakes_and_decay() {
    // Reputation moves at every accepted interaction, at audits and at each
    // epoch's decay; frozen and unstaked agents are skipped in the walk.
    for (seed, max) in [(3, 15), (8, 40), (21, 500)] {
        both_ways(json!({
            "seed": seed, "n_epochs": 8, "steps_per_epoch": 10, "max_actions_per_step": max,
            "schedule_mode": "priority", "record_interactions": true,
            "agents": population(&[
                ("honest", 60), ("opportunistic", 30), ("deceptive", 30), ("adversarial", 20),
                ("cautious_reciprocator", 20), ("threshold_dancer", 10),
            ]),
            "governance": {
                "reputation_decay_rate": 0.95, "circuit_breaker_enabled": true,
                "freeze_threshold_toxicity": 0.45, "freeze_threshold_violations": 1,
                "freeze_duration_epochs": 1, "audit_enabled": true, "audit_probability": 0.2,
                "staking_enabled": true, "min_stake_to_participate": 95.0,
            },
        }));
    }
}

#[test]
fn a_long_run_where_deceptive_agents_turn() {
    // Long enough for deceptive agents to pass their trust-building phase
    // and for trust maps to fill up.
    both_ways(json!({
        "seed": 11, "n_epochs": 30, "steps_per_epoch": 10, "max_actions_per_step": 60,
        "record_interactions": true,
        "agents": population(&[("honest", 20), ("opportunistic", 10), ("deceptive", 10)]),
    }));
}

#[test]
fn adversaries_remember_targets_that_lapse() {
    // Honest agents spend resources on bounties until some no longer
    // qualify as targets; adversaries must still remember them, as the
    // scanned sets do. The second population never targets honest agents.
    for target_honest in [true, false] {
        both_ways(json!({
            "seed": 3, "n_epochs": 12, "steps_per_epoch": 8, "max_actions_per_step": 80,
            "record_interactions": true,
            "agents": [
                {"type": "honest", "count": 30},
                {"type": "adversarial", "count": 12,
                 "config": {"target_honest": target_honest, "attack_probability": 0.9}},
                {"type": "threshold_dancer", "count": 4},
                {"type": "cautious_reciprocator", "count": 6},
                {"type": "opportunistic", "count": 8},
            ],
            "marketplace": {"escrow_fee_rate": 0.05, "min_bounty_amount": 2.0,
                            "max_bids_per_bounty": 3, "dispute_resolution_epochs": 1,
                            "dispute_default_split": 0.4},
            "rate_limits": {"bounties_per_epoch": 3, "bids_per_epoch": 4},
            "governance": {"circuit_breaker_enabled": true, "freeze_threshold_toxicity": 0.45,
                           "freeze_threshold_violations": 1, "freeze_duration_epochs": 1},
        }));
    }
}

#[test]
fn networks_and_noise_with_windowed_streams() {
    // With a network or observation noise the policies walk the list; the
    // agents' streams may still be windows, and must still agree.
    both_ways(json!({
        "seed": 12, "n_epochs": 6, "steps_per_epoch": 5, "max_actions_per_step": 120,
        "record_interactions": true, "schedule_mode": "random",
        "agents": population(&[("honest", 50), ("opportunistic", 20), ("deceptive", 20),
                               ("adversarial", 20), ("threshold_dancer", 10)]),
        "network": {"topology": "small_world", "k": 6, "p": 0.2, "dynamic": true},
    }));
    both_ways(json!({
        "seed": 13, "n_epochs": 6, "steps_per_epoch": 5, "max_actions_per_step": 120,
        "record_interactions": true,
        "observation_noise_probability": 0.3, "observation_noise_std": 0.5,
        "agents": population(&[("honest", 60), ("opportunistic", 30), ("deceptive", 30)]),
    }));
}

#[test]
fn a_static_complete_network_is_no_network() {
    // Built, every agent walks its N - 1 neighbours; left implicit, the
    // policies use the index (with and without noise, with adversaries'
    // memories, through freezes).
    for noise in [0.0, 0.3] {
        both_ways(json!({
            "seed": 14, "n_epochs": 6, "steps_per_epoch": 5, "max_actions_per_step": 150,
            "record_interactions": true,
            "observation_noise_probability": noise, "observation_noise_std": 0.5,
            "agents": population(&[("honest", 60), ("opportunistic", 30), ("deceptive", 20),
                                   ("adversarial", 20), ("cautious_reciprocator", 10),
                                   ("threshold_dancer", 10)]),
            "network": {"topology": "complete", "dynamic": false},
            "governance": {"circuit_breaker_enabled": true, "freeze_threshold_toxicity": 0.5,
                           "freeze_threshold_violations": 1},
        }));
    }
}

#[test]
fn ties_everywhere_with_zero_payoffs() {
    // With every payoff 0, reciprocators' ledgers and dancers' estimates
    // never move: their picks are decided by trust and by agent order, the
    // tie-breaks the ranked records must reproduce.
    both_ways(json!({
        "seed": 21, "n_epochs": 6, "steps_per_epoch": 6, "max_actions_per_step": 100,
        "record_interactions": true,
        "agents": [
            // A low bar, so that reciprocators propose to whoever ranks first.
            {"type": "cautious_reciprocator", "count": 30, "config": {"base_threshold": 0.3}},
            {"type": "threshold_dancer", "count": 20},
            {"type": "honest", "count": 30},
            {"type": "cautious", "count": 10, "config": {"threshold": 0.45}},
            {"type": "opportunistic", "count": 10},
        ],
        "payoff": {"s_plus": 0.0, "s_minus": 0.0, "h": 0.0},
    }));
}
