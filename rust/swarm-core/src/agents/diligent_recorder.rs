//! The diligent recorder (issue 17; swarm/agents/memory_agent.py,
//! `DiligentRecorderAgent`), registered as honest.
//!
//! Its turn reads only the memory fields of the observation. The
//! challenged and pending-promotion lists are always empty (no entry is
//! ever verified: memory_tiers.rs), so its challenge, verify and promote
//! branches never run and draw nothing: what is left is whether to WRITE,
//! from the write budget and a draw. Without a `memory_tiers:` section
//! the budget is 0 and every turn is a NOOP without a draw. It accepts
//! every proposal.

use crate::config::AgentParams;
use crate::rng::PyRandom;

#[derive(Debug, Clone)]
pub struct DiligentRecorder {
    write_probability: f64,
}

impl DiligentRecorder {
    pub fn new(c: &AgentParams) -> Self {
        DiligentRecorder { write_probability: c.write_probability.unwrap_or(0.4) }
    }

    /// Whether the turn is a WRITE. The verify branch (its draw and
    /// `choice`) sits behind a non-empty pending list, so never draws.
    pub fn writes(&self, remaining: u32, rng: &mut PyRandom) -> bool {
        remaining > 0 && rng.random() < self.write_probability
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_budget_no_draw() {
        let (mut rng, mut fresh) = (PyRandom::new(1), PyRandom::new(1));
        assert!(!DiligentRecorder::new(&AgentParams::default()).writes(0, &mut rng));
        assert_eq!(rng.random(), fresh.random());
    }

    #[test]
    fn writes_with_its_probability() {
        let mut rng = PyRandom::new(3);
        let always = AgentParams { write_probability: Some(1.0), ..Default::default() };
        assert!(DiligentRecorder::new(&always).writes(1, &mut rng));
        let never = AgentParams { write_probability: Some(0.0), ..Default::default() };
        assert!(!DiligentRecorder::new(&never).writes(1, &mut rng));
    }
}
