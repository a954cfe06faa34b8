//! External agents through the core's `ExternalPolicy` seam, with a Rust
//! policy: ids and declared types, error counting and fallbacks, stopping
//! a run, and identical runs under every data layout.

use std::sync::atomic::AtomicBool;

use serde_json::json;
use swarm_core::agents::external::{
    ExternalError, ExternalObservation, ExternalPolicy, ExternalResult, Outcome, Roster,
};
use swarm_core::engine::{Engine, Switch, Tuning};
use swarm_core::observation::ProposalView;
use swarm_core::types::{Action, InteractionType};
use swarm_core::{RunConfig, SwarmError};

/// Proposes to the visible agent with the highest reputation every other
/// turn, answers its first pending proposal by the initiator's record;
/// fails on every fifth turn.
#[derive(Default)]
struct Greedy {
    turns: u64,
    outcomes: u64,
    abort_at: Option<u64>,
}

impl ExternalPolicy for Greedy {
    fn begin(&mut self, roster: &Roster<'_>) -> ExternalResult<()> {
        assert_eq!(roster.slots.len(), 2);
        Ok(())
    }

    fn act(&mut self, _slot: usize, obs: ExternalObservation) -> ExternalResult<Action> {
        self.turns += 1;
        if self.abort_at == Some(self.turns) {
            return Err(ExternalError { message: "stop".into(), abort: true });
        }
        if self.turns.is_multiple_of(5) {
            return Err(ExternalError::fallback("every fifth turn fails"));
        }
        if let Some(p) = obs.pending.first() {
            return Ok(Action::Accept { proposal: p.id });
        }
        if self.turns.is_multiple_of(2) {
            let best = obs.visible.iter().fold(None, |b: Option<(u32, f64)>, v| match b {
                Some((_, r)) if r >= v.reputation => b,
                _ => Some((v.idx, v.reputation)),
            });
            if let Some((target, _)) = best {
                return Ok(Action::Propose { target, kind: InteractionType::Trade });
            }
        }
        Ok(Action::Post)
    }

    fn accept(
        &mut self,
        _slot: usize,
        p: &ProposalView,
        obs: ExternalObservation,
    ) -> ExternalResult<bool> {
        Ok(obs.visible.iter().any(|v| v.idx == p.initiator && v.reputation >= 0.0))
    }

    fn update_from_outcome(&mut self, _slot: usize, _o: &Outcome) -> ExternalResult<()> {
        self.outcomes += 1;
        Ok(())
    }
}

fn config(network: bool) -> RunConfig {
    let mut v = json!({
        "scenario_id": "external",
        "seed": 5,
        "n_epochs": 4,
        "steps_per_epoch": 6,
        "agents": [
            {"type": "external", "count": 1,
             "external": {"id_prefix": "bot", "agent_type": "adversarial"}},
            {"type": "honest", "count": 4},
            {"type": "external", "count": 1, "external": {"id_prefix": "bot"}},
            {"type": "deceptive", "count": 2}
        ],
        "governance": {"transaction_tax_rate": 0.1, "audit_enabled": true,
                       "audit_probability": 0.3}
    });
    if network {
        v["network"] = json!({"topology": "ring", "dynamic": false});
    }
    serde_json::from_value(v).expect("config")
}

fn run(cfg: RunConfig, tuning: Tuning, policy: Greedy) -> swarm_core::SwarmResult<String> {
    let r = Engine::with_external(cfg, tuning, Box::new(policy))?.run(&AtomicBool::new(false))?;
    Ok(format!("{:?}", (r.epochs, r.agents, r.trace, r.external)))
}

#[test]
fn ids_types_and_error_counts() {
    let r = Engine::with_external(config(false), Tuning::default(), Box::<Greedy>::default())
        .unwrap()
        .run(&AtomicBool::new(false))
        .unwrap();
    assert_eq!(r.agents.ids[0], "bot_1");
    assert_eq!(r.agents.ids[5], "bot_2");
    assert_eq!(r.agents.types[0], "adversarial");
    assert_eq!(r.agents.types[5], "honest");
    let ext = r.external.expect("report");
    assert_eq!(ext.agents, vec![0, 5]);
    let acts: u64 = ext.calls.iter().map(|c| c[0]).sum();
    let errors: u64 = ext.errors.iter().map(|e| e.act).sum();
    assert_eq!(acts, 2 * 4 * 6);
    assert_eq!(errors, acts / 5);
    assert_eq!(
        ext.errors[0].first_act.as_deref().or(ext.errors[1].first_act.as_deref()),
        Some("every fifth turn fails")
    );
    let trace = r.trace.expect("trace");
    assert!(trace.initiator.iter().any(|&i| i == 0 || i == 5), "the bots proposed");
}

#[test]
fn every_layout_gives_the_same_run() {
    for network in [false, true] {
        let (on, off) = (Switch::On, Switch::Off);
        let t = |x| Tuning {
            index: x,
            windowed_streams: x,
            refill_windows: off,
            priority_order: x,
            implicit_complete: x,
        };
        let a = run(config(network), t(on), Greedy::default()).unwrap();
        let b = run(config(network), t(off), Greedy::default()).unwrap();
        assert_eq!(a, b);
    }
}

#[test]
fn an_abort_stops_the_run_and_a_missing_policy_is_refused() {
    let stop = Greedy { abort_at: Some(7), ..Greedy::default() };
    assert!(matches!(run(config(false), Tuning::default(), stop), Err(SwarmError::Interrupted)));
    assert!(matches!(Engine::new(config(false)), Err(SwarmError::Config(_))));
    let mut bad = config(false);
    bad.agents[0].external.as_mut().unwrap().agent_type = "saint".into();
    assert!(matches!(bad.validate(), Err(SwarmError::Config(m)) if m.contains("agent_type")));
}

/// Records the size of every batch it is given.
#[derive(Default)]
struct Batches {
    inner: Greedy,
    act_batches: Vec<usize>,
    accept_batches: Vec<usize>,
}

impl ExternalPolicy for Batches {
    fn begin(&mut self, roster: &Roster<'_>) -> ExternalResult<()> {
        self.inner.begin(roster)
    }
    fn act(&mut self, slot: usize, obs: ExternalObservation) -> ExternalResult<Action> {
        self.inner.act(slot, obs)
    }
    fn act_batch(
        &mut self,
        turns: Vec<(usize, ExternalObservation)>,
        out: &mut Vec<ExternalResult<Action>>,
    ) {
        self.act_batches.push(turns.len());
        out.extend(turns.into_iter().map(|(slot, obs)| self.inner.act(slot, obs)));
    }
    fn accept(
        &mut self,
        slot: usize,
        p: &ProposalView,
        obs: ExternalObservation,
    ) -> ExternalResult<bool> {
        self.inner.accept(slot, p, obs)
    }
    fn accept_batch(
        &mut self,
        asks: Vec<(usize, ProposalView, ExternalObservation)>,
        out: &mut Vec<ExternalResult<bool>>,
    ) {
        self.accept_batches.push(asks.len());
        out.extend(asks.into_iter().map(|(slot, p, obs)| self.inner.accept(slot, &p, obs)));
    }
}

#[test]
fn the_batched_mode_asks_once_per_step_and_is_deterministic() {
    let go = || {
        Engine::with_external(config(false), Tuning::default(), Box::<Batches>::default())
            .unwrap()
            .batched(true)
            .run(&AtomicBool::new(false))
            .unwrap()
    };
    let (a, b) = (go(), go());
    assert_eq!(format!("{:?}", (&a.trace, &a.agents)), format!("{:?}", (&b.trace, &b.agents)));
    let ext = a.external.as_ref().unwrap();
    // Both bots act every step: 24 steps, one batch of two turns each.
    assert_eq!(ext.calls.iter().map(|c| c[0]).sum::<u64>(), 48);
    let sync = Engine::with_external(config(false), Tuning::default(), Box::<Greedy>::default())
        .unwrap()
        .run(&AtomicBool::new(false))
        .unwrap();
    assert_ne!(format!("{:?}", a.trace), format!("{:?}", sync.trace), "different semantics");
}
