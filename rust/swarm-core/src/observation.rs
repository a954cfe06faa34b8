//! What an agent sees on its turn (spec §3.4). The engine fills one of these
//! per turn and per end-of-step answer; policies only read it.

use crate::types::{Actor, AgentIdx, InteractionType, StateType};

/// One `visible_agents` record. Values are after observation noise (§14).
#[derive(Debug, Clone, Copy)]
pub struct VisibleAgent {
    pub idx: AgentIdx,
    pub state_type: StateType,
    pub reputation: f64,
    pub resources: f64,
}

/// One ranked post. The dict the reference shows has no `net_votes`, so
/// policies never see vote counts (spec Q5).
#[derive(Debug, Clone, Copy)]
pub struct PostView {
    pub idx: u32,
    pub author: Actor,
}

/// The first pending proposal addressed to this agent; policies only ever
/// answer the first one.
#[derive(Debug, Clone, Copy)]
pub struct ProposalView {
    pub id: u64,
    pub initiator: AgentIdx,
    pub kind: InteractionType,
}

#[derive(Debug, Default)]
pub struct Observation {
    pub me: AgentIdx,
    pub epoch: u32,
    /// The agent's own live state (never noisy).
    pub reputation: f64,
    pub resources: f64,
    pub can_post: bool,
    pub can_interact: bool,
    pub can_vote: bool,
    pub can_claim_task: bool,
    pub pending: Option<ProposalView>,
    /// Top 20 posts by (net votes, creation order) descending (spec §4.2).
    pub posts: Vec<PostView>,
    /// Non-frozen agents (neighbours only, with a network) in registration
    /// order, self excluded.
    pub visible: Vec<VisibleAgent>,
}

impl Observation {
    pub fn find_visible(&self, idx: AgentIdx) -> Option<&VisibleAgent> {
        self.visible.iter().find(|v| v.idx == idx)
    }
}
