//! Small shared vocabulary: agent indices, actors, interaction types.

/// Index of a registered agent, in registration order (spec §2.2).
pub type AgentIdx = u32;

/// Who performs an action. The adaptive adversary builds its actions
/// without an agent id, so they run as the anonymous actor `""` with one
/// shared rate-limit budget and voter identity (spec Q9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Actor {
    Agent(AgentIdx),
    Anonymous,
}

impl Actor {
    /// The actor's slot in per-actor tables of `agents + 1` entries: its
    /// agent index, or the last slot for the anonymous actor.
    pub fn slot(self, agents: usize) -> usize {
        match self {
            Actor::Agent(a) => a as usize,
            Actor::Anonymous => agents,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InteractionType {
    Reply,
    Vote,
    Trade,
    Collaboration,
}

impl InteractionType {
    pub fn as_str(self) -> &'static str {
        match self {
            InteractionType::Reply => "reply",
            InteractionType::Vote => "vote",
            InteractionType::Trade => "trade",
            InteractionType::Collaboration => "collaboration",
        }
    }

    pub fn code(self) -> u8 {
        self as u8
    }
}

/// `AgentState.agent_type` as the reference registers it (spec §11.9): it
/// comes from the policy class, not from the YAML key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StateType {
    Honest,
    Opportunistic,
    Deceptive,
    Adversarial,
    Cautious,
    /// The `rlm` agent's own type (issue 17).
    Rlm,
    /// The tierra agent's own type (spawn subsystem, issue 17).
    Tierra,
    /// `hyperagent_self_mod`'s type: the adversarial observables (Q4).
    SelfModifying,
}

impl StateType {
    pub fn as_str(self) -> &'static str {
        match self {
            StateType::Honest => "honest",
            StateType::Opportunistic => "opportunistic",
            StateType::Deceptive => "deceptive",
            StateType::Adversarial => "adversarial",
            StateType::Cautious => "cautious",
            StateType::Rlm => "rlm",
            StateType::Tierra => "tierra",
            StateType::SelfModifying => "self_modifying",
        }
    }

    /// The inverse of [`StateType::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "honest" => StateType::Honest,
            "opportunistic" => StateType::Opportunistic,
            "deceptive" => StateType::Deceptive,
            "adversarial" => StateType::Adversarial,
            "cautious" => StateType::Cautious,
            _ => return None,
        })
    }
}

/// What an agent's turn produces (spec §4.1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    Noop,
    /// SPAWN_SUBAGENT (tierra agents only; the engine checks the spawn
    /// tree before it takes the turn).
    Spawn,
    Post,
    /// A post whose text is one of several the policy draws; `text` numbers
    /// them. Runs as `Post`: only the resample protocol's action signature
    /// compares texts (governance/resample.rs).
    PostText {
        text: u8,
    },
    Vote {
        post: u32,
        up: bool,
    },
    Propose {
        target: AgentIdx,
        kind: InteractionType,
    },
    /// A proposal whose text depends on the branch that made it; runs as
    /// `Propose` (see `PostText`).
    ProposeText {
        target: AgentIdx,
        kind: InteractionType,
        text: u8,
    },
    Accept {
        proposal: u64,
    },
    Reject {
        proposal: u64,
    },
    // Marketplace and task actions (spec §13). Without a marketplace they
    // silently do nothing, after the policy has drawn for them (Q1).
    PostBounty {
        reward: f64,
        min_reputation: f64,
        deadline: Option<i64>,
    },
    PlaceBid {
        bounty: u32,
        amount: f64,
    },
    AcceptBid {
        bounty: u32,
        bid: u32,
    },
    FileDispute {
        escrow: u32,
    },
    ClaimTask {
        task: u32,
    },
    SubmitOutput {
        task: u32,
    },
    /// The rivals agents' turns (RIVALS_PRODUCE, RIVALS_REVIEW): work the
    /// agent's pending assignment, if any (rivals.rs).
    RivalsProduce,
    RivalsReview,
    // Moltipedia page actions (moltipedia.rs); without a `moltipedia:`
    // section no handler takes them and they do nothing.
    CreatePage {
        content_len: u32,
    },
    EditPage {
        page: u32,
        content: crate::moltipedia::PageContent,
    },
}
