//! The AWM worker (issue 17; swarm/agents/awm_agent.py, `AWMAgent`, the
//! agent type `awm_agent`): a tool-calling agent of the `awm:` subsystem
//! (awm.rs), scripted (its LLM planning is refused in Python).
//!
//! On a turn with an AWM task assigned it plans its tool calls from its own
//! stream, `tool_call_count` of them (a third, floored and at least one,
//! when `lazy`): for each, one draw against `malformed_rate` (made even at
//! rate 0), then, when not malformed, `choice` among the handler's five
//! default tools. Without a task (or without the subsystem) the turn is a
//! NOOP with no draw. It never proposes; it accepts a proposal with one
//! draw, below 0.3 when `adversarial`, else below 0.7. It registers as
//! honest (the class's default agent type).

use crate::config::AgentParams;
use crate::rng::PyRandom;

/// A planned call: the index of one of the handler's five default tools
/// (awm.rs `TOOLS`), or `MALFORMED` (`nonexistent_tool_xyz`).
pub const MALFORMED: u8 = u8::MAX;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Diligent,
    Lazy,
    Adversarial,
}

#[derive(Debug, Clone)]
pub struct AwmWorker {
    pub mode: Mode,
    pub tool_call_count: i64,
    pub malformed_rate: f64,
    /// The multi-turn mode (see awm.rs: the reference's observation never
    /// carries the episode's state, so every such turn finishes at once).
    pub step_mode: bool,
}

impl AwmWorker {
    pub fn new(c: &AgentParams) -> Self {
        let mode = match c.mode.as_deref() {
            Some("lazy") => Mode::Lazy,
            Some("adversarial") => Mode::Adversarial,
            // Python refuses any other value.
            _ => Mode::Diligent,
        };
        // Python refuses more than a million (a plan is held in memory).
        let count = c.tool_call_count.unwrap_or(5);
        AwmWorker {
            mode,
            tool_call_count: count.clamp(-crate::awm::MAX_CALLS, crate::awm::MAX_CALLS),
            malformed_rate: c.malformed_rate.unwrap_or(0.0),
            step_mode: c.step_mode.unwrap_or(false),
        }
    }

    /// `_plan_tool_calls_scripted`: the calls, into `out` (cleared first).
    pub fn plan(&self, rng: &mut PyRandom, n_tools: usize, out: &mut Vec<u8>) {
        out.clear();
        let n = match self.mode {
            // Python's floor division, then max(1, .).
            Mode::Lazy => self.tool_call_count.div_euclid(3).max(1),
            _ => self.tool_call_count,
        };
        for _ in 0..n.max(0) {
            if rng.random() < self.malformed_rate {
                out.push(MALFORMED);
            } else {
                out.push(rng.choice_index(n_tools) as u8);
            }
        }
    }

    /// `accept_interaction`: one draw.
    pub fn accept(&self, rng: &mut PyRandom) -> bool {
        let bar = if self.mode == Mode::Adversarial { 0.3 } else { 0.7 };
        rng.random() < bar
    }
}
