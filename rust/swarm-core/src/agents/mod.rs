//! The eight scripted policies of the core path (spec §11).
//!
//! A policy reads an [`Observation`], draws from its own stream R_j and
//! returns an [`Action`]; the engine executes it. Dispatch is a plain enum
//! match, so the hot loop has no virtual calls.

mod adaptive_adversary;
mod adversarial;
pub(crate) mod agent_map;
pub mod awm_agent;
mod cache_gamer;
mod cautious;
mod cautious_reciprocator;
mod collusive_verifier;
mod deceptive;
mod diligent_recorder;
pub mod external;
mod honest;
mod hyperagent_self_mod;
mod ldt;
pub mod memory;
mod memory_poisoner;
mod modeling_adversary;
mod negotiator;
mod obfuscating;
mod opportunistic;
mod ralph_loop;
pub(crate) mod ranked;
mod rivals_critic;
mod rivals_producer;
pub(crate) mod rlm;
mod scholar;
mod self_optimizer;
mod skillrl;
mod threshold_dancer;
pub mod tierra;
pub mod wiki_editor;

use crate::config::AgentParams;
use crate::index::IndexView;
use crate::marketplace::{BidView, BountyView};
use crate::observation::{Observation, ProposalView};
use crate::rng::PyRandom;
use crate::types::{Action, AgentIdx, InteractionType, StateType};
use memory::Memory;
use ranked::{ordered, unordered, Ranked};

/// The `type` of a configuration's agent spec whose policy is outside the
/// core (see [`external`]).
pub const EXTERNAL: &str = "external";

/// The YAML agent types swarm_fast implements (spec §11.9), and the
/// external agents (not a YAML key: Python maps `llm` and `python` to it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgentKind {
    Honest,
    Opportunistic,
    Deceptive,
    Adversarial,
    AdaptiveAdversary,
    Cautious,
    CautiousReciprocator,
    ThresholdDancer,
    SelfOptimizer,
    External,
    Ldt,
    ModelingAdversary,
    Rlm,
    CollusiveVerifier,
    Obfuscating,
    SkillRl,
    Tierra,
    HyperagentSelfMod,
    RalphLoop,
    /// The memory-tier agents (with collusive_verifier.rs).
    DiligentRecorder,
    MemoryPoisoner,
    CacheGamer,
    /// The honest policy forgetting all trust at each epoch end.
    Rain,
    /// The honest policy with full memory: the honest agent itself.
    River,
    /// The resource-negotiation agents (negotiator.rs).
    FairNegotiator,
    GreedyNegotiator,
    StrategicNegotiator,
    /// The moltbook agents (moltbook.rs): they act only on its feed.
    DiligentMoltbook,
    SpamBot,
    HumanPretender,
    CollusiveVoter,
    /// The `rivals:` pipeline's producer and critic (rivals.rs).
    RivalsProducer,
    RivalsCritic,
    // The Moltipedia wiki editors (wiki_editor.rs).
    DiligentEditor,
    PointFarmer,
    CollusiveEditor,
    Vandal,
    /// The scholar agents (without the scholar subsystem, see `scholar`).
    Retriever,
    Synthesizer,
    Verifier,
    AdversarialRetriever,
    AdversarialSynthesizer,
    /// The `awm:` subsystem's tool-calling worker (awm.rs).
    AwmAgent,
}

impl AgentKind {
    /// The scripted policies of the core and the self-optimizer (the
    /// library families ported for issue 17 are not listed).
    pub const ALL: [AgentKind; 9] = [
        AgentKind::Honest,
        AgentKind::Opportunistic,
        AgentKind::Deceptive,
        AgentKind::Adversarial,
        AgentKind::AdaptiveAdversary,
        AgentKind::Cautious,
        AgentKind::CautiousReciprocator,
        AgentKind::ThresholdDancer,
        AgentKind::SelfOptimizer,
    ];

    pub fn from_yaml(key: &str) -> Option<Self> {
        Some(match key {
            "honest" => AgentKind::Honest,
            "opportunistic" => AgentKind::Opportunistic,
            "deceptive" => AgentKind::Deceptive,
            "adversarial" => AgentKind::Adversarial,
            "adaptive_adversary" => AgentKind::AdaptiveAdversary,
            "cautious" => AgentKind::Cautious,
            "cautious_reciprocator" => AgentKind::CautiousReciprocator,
            "threshold_dancer" => AgentKind::ThresholdDancer,
            "self_optimizer" => AgentKind::SelfOptimizer,
            "ldt" => AgentKind::Ldt,
            "modeling_adversary" => AgentKind::ModelingAdversary,
            "rlm" => AgentKind::Rlm,
            "collusive_verifier" => AgentKind::CollusiveVerifier,
            "obfuscating" => AgentKind::Obfuscating,
            "skillrl" => AgentKind::SkillRl,
            "tierra" => AgentKind::Tierra,
            "hyperagent_self_mod" => AgentKind::HyperagentSelfMod,
            "ralph_loop" => AgentKind::RalphLoop,
            "diligent_recorder" => AgentKind::DiligentRecorder,
            "memory_poisoner" => AgentKind::MemoryPoisoner,
            "cache_gamer" => AgentKind::CacheGamer,
            "rain" => AgentKind::Rain,
            "river" => AgentKind::River,
            "fair_negotiator" => AgentKind::FairNegotiator,
            "greedy_negotiator" => AgentKind::GreedyNegotiator,
            "strategic_negotiator" => AgentKind::StrategicNegotiator,
            "diligent_moltbook" => AgentKind::DiligentMoltbook,
            "spam_bot" => AgentKind::SpamBot,
            "human_pretender" => AgentKind::HumanPretender,
            "collusive_voter" => AgentKind::CollusiveVoter,
            "rivals_producer" => AgentKind::RivalsProducer,
            "rivals_critic" => AgentKind::RivalsCritic,
            "diligent_editor" => AgentKind::DiligentEditor,
            "point_farmer" => AgentKind::PointFarmer,
            "collusive_editor" => AgentKind::CollusiveEditor,
            "vandal" => AgentKind::Vandal,
            "retriever" => AgentKind::Retriever,
            "synthesizer" => AgentKind::Synthesizer,
            "verifier" => AgentKind::Verifier,
            "adversarial_retriever" => AgentKind::AdversarialRetriever,
            "adversarial_synthesizer" => AgentKind::AdversarialSynthesizer,
            "awm_agent" => AgentKind::AwmAgent,
            _ => return None,
        })
    }

    pub fn yaml_key(self) -> &'static str {
        match self {
            AgentKind::Honest => "honest",
            AgentKind::Opportunistic => "opportunistic",
            AgentKind::Deceptive => "deceptive",
            AgentKind::Adversarial => "adversarial",
            AgentKind::AdaptiveAdversary => "adaptive_adversary",
            AgentKind::Cautious => "cautious",
            AgentKind::CautiousReciprocator => "cautious_reciprocator",
            AgentKind::ThresholdDancer => "threshold_dancer",
            AgentKind::SelfOptimizer => "self_optimizer",
            AgentKind::External => EXTERNAL,
            AgentKind::Ldt => "ldt",
            AgentKind::ModelingAdversary => "modeling_adversary",
            AgentKind::Rlm => "rlm",
            AgentKind::CollusiveVerifier => "collusive_verifier",
            AgentKind::Obfuscating => "obfuscating",
            AgentKind::SkillRl => "skillrl",
            AgentKind::Tierra => "tierra",
            AgentKind::HyperagentSelfMod => "hyperagent_self_mod",
            AgentKind::RalphLoop => "ralph_loop",
            AgentKind::DiligentRecorder => "diligent_recorder",
            AgentKind::MemoryPoisoner => "memory_poisoner",
            AgentKind::CacheGamer => "cache_gamer",
            AgentKind::Rain => "rain",
            AgentKind::River => "river",
            AgentKind::FairNegotiator => "fair_negotiator",
            AgentKind::GreedyNegotiator => "greedy_negotiator",
            AgentKind::StrategicNegotiator => "strategic_negotiator",
            AgentKind::DiligentMoltbook => "diligent_moltbook",
            AgentKind::SpamBot => "spam_bot",
            AgentKind::HumanPretender => "human_pretender",
            AgentKind::CollusiveVoter => "collusive_voter",
            AgentKind::RivalsProducer => "rivals_producer",
            AgentKind::RivalsCritic => "rivals_critic",
            AgentKind::DiligentEditor => "diligent_editor",
            AgentKind::PointFarmer => "point_farmer",
            AgentKind::CollusiveEditor => "collusive_editor",
            AgentKind::Vandal => "vandal",
            AgentKind::Retriever => "retriever",
            AgentKind::Synthesizer => "synthesizer",
            AgentKind::Verifier => "verifier",
            AgentKind::AdversarialRetriever => "adversarial_retriever",
            AgentKind::AdversarialSynthesizer => "adversarial_synthesizer",
            AgentKind::AwmAgent => "awm_agent",
        }
    }

    /// The `AgentState.agent_type` the class registers (spec §11.9).
    pub fn state_type(self) -> StateType {
        match self {
            AgentKind::Honest
            | AgentKind::CautiousReciprocator
            | AgentKind::Ldt
            | AgentKind::SkillRl
            | AgentKind::RalphLoop
            | AgentKind::DiligentRecorder
            | AgentKind::Rain
            | AgentKind::River
            | AgentKind::FairNegotiator
            | AgentKind::StrategicNegotiator
            | AgentKind::DiligentMoltbook
            | AgentKind::DiligentEditor
            | AgentKind::Retriever
            | AgentKind::Synthesizer
            | AgentKind::Verifier
            | AgentKind::AwmAgent => StateType::Honest,
            AgentKind::RivalsProducer | AgentKind::RivalsCritic => StateType::Honest,
            // The self-optimizer registers as opportunistic (ext. spec §1.1).
            AgentKind::Opportunistic
            | AgentKind::SelfOptimizer
            | AgentKind::GreedyNegotiator
            | AgentKind::HumanPretender
            | AgentKind::CacheGamer
            | AgentKind::PointFarmer => StateType::Opportunistic,
            // Both register as deceptive (AgentType.DECEPTIVE in the reference).
            AgentKind::Deceptive
            | AgentKind::CollusiveVerifier
            | AgentKind::Obfuscating
            | AgentKind::CollusiveVoter
            | AgentKind::CollusiveEditor => StateType::Deceptive,
            AgentKind::Adversarial
            | AgentKind::AdaptiveAdversary
            | AgentKind::ThresholdDancer
            | AgentKind::ModelingAdversary
            | AgentKind::SpamBot
            | AgentKind::MemoryPoisoner
            | AgentKind::Vandal
            | AgentKind::AdversarialRetriever
            | AgentKind::AdversarialSynthesizer => StateType::Adversarial,
            AgentKind::Cautious => StateType::Cautious,
            // The declared type (spec-ext §4 item 2b), set by the engine;
            // honest is its default.
            AgentKind::External => StateType::Honest,
            AgentKind::Rlm => StateType::Rlm,
            AgentKind::Tierra => StateType::Tierra,
            AgentKind::HyperagentSelfMod => StateType::SelfModifying,
        }
    }

    /// The Moltipedia wiki editors (wiki_editor.rs).
    pub fn edits_wiki(self) -> bool {
        matches!(
            self,
            AgentKind::DiligentEditor
                | AgentKind::PointFarmer
                | AgentKind::CollusiveEditor
                | AgentKind::Vandal
        )
    }

    /// The adaptive adversary's actions carry no agent id (spec Q9).
    pub fn acts_anonymously(self) -> bool {
        self == AgentKind::AdaptiveAdversary
    }
}

/// Policies with maps of their own are boxed: an agent is then ~300 bytes
/// whatever its policy, which matters at a million agents.
///
/// `repr(u8)`: a plain tag byte, so each dispatch is one load and a jump
/// table. Left to itself the compiler hid the tag in a niche of one
/// variant's fields, which cost five more instructions per `act`,
/// `accept` and `update_from_outcome`.
#[derive(Debug, Clone)]
#[repr(u8)]
enum Policy {
    Honest(honest::Honest),
    Opportunistic(opportunistic::Opportunistic),
    Deceptive(Box<deceptive::Deceptive>),
    Adversarial(Box<adversarial::Adversarial>),
    AdaptiveAdversary(adaptive_adversary::AdaptiveAdversary),
    Cautious(cautious::Cautious),
    CautiousReciprocator(Box<cautious_reciprocator::CautiousReciprocator>),
    ThresholdDancer(Box<threshold_dancer::ThresholdDancer>),
    SelfOptimizer(self_optimizer::SelfOptimizer),
    /// Decided outside the core; the engine calls its slot (never `act`).
    External(u32),
    Ldt(Box<ldt::Ldt>),
    ModelingAdversary(Box<modeling_adversary::ModelingAdversary>),
    Rlm(Box<rlm::Rlm>),
    CollusiveVerifier(collusive_verifier::CollusiveVerifier),
    Obfuscating(obfuscating::Obfuscating),
    SkillRl(Box<skillrl::SkillRl>),
    Tierra(Box<tierra::Tierra>),
    HyperagentSelfMod(hyperagent_self_mod::HyperagentSelfMod),
    RalphLoop(Box<ralph_loop::RalphLoop>),
    DiligentRecorder(diligent_recorder::DiligentRecorder),
    MemoryPoisoner(memory_poisoner::MemoryPoisoner),
    CacheGamer(cache_gamer::CacheGamer),
    /// The honest policy of an agent that forgets (`rain`).
    Rain(honest::Honest),
    /// The three negotiators: NOOP turns, accepting everything.
    Negotiator(negotiator::Negotiator),
    /// A moltbook agent: the engine plays its turn through moltbook.rs.
    Moltbook(crate::moltbook::Role),
    RivalsProducer(rivals_producer::RivalsProducer),
    RivalsCritic(rivals_critic::RivalsCritic),
    /// A Moltipedia editor: the engine calls `act_wiki`, never `act`.
    Wiki(wiki_editor::WikiEditor),
    /// All five scholar agents (they differ only in what they register as).
    Scholar(scholar::Scholar),
    /// The AWM worker: the engine plays its tasks through awm.rs.
    Awm(awm_agent::AwmWorker),
}

/// What a rivals agent brings to its pipeline turn (rivals.rs): the values
/// its action's metadata carries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RivalsMember {
    Producer { quality_level: f64, trap_awareness: f64 },
    Critic { detection_rate: f64, false_positive_rate: f64 },
}

/// From this many agents, honest and cautious agents keep their trust
/// ranked (see `ranked`): in small populations the map stays tiny and
/// reading it whole is cheaper than keeping it ordered. (Dancers' and
/// reciprocators' ledgers, read more often, are always ranked.)
const RANKED_FROM: usize = 64;

/// One scripted agent: its policy, its private stream R_j and its memory.
#[derive(Debug, Clone)]
pub struct Agent {
    pub kind: AgentKind,
    pub me: AgentIdx,
    policy: Policy,
    rng: PyRandom,
    memory: Memory,
}

impl Agent {
    /// `population`: how many agents the run has (large ones keep extra
    /// order in memory so that choices stay O(log N)).
    pub fn new(
        kind: AgentKind,
        me: AgentIdx,
        params: &AgentParams,
        mut rng: PyRandom,
        population: usize,
    ) -> Self {
        let large = population >= RANKED_FROM;
        let policy = match kind {
            AgentKind::Honest | AgentKind::River => Policy::Honest(honest::Honest::new(params)),
            AgentKind::Rain => Policy::Rain(honest::Honest::new(params)),
            AgentKind::RalphLoop => Policy::RalphLoop(Box::new(ralph_loop::RalphLoop::new(params))),
            AgentKind::Opportunistic => {
                Policy::Opportunistic(opportunistic::Opportunistic::new(params))
            }
            AgentKind::Deceptive => {
                Policy::Deceptive(Box::new(deceptive::Deceptive::new(params, me, population)))
            }
            AgentKind::Adversarial => {
                Policy::Adversarial(Box::new(adversarial::Adversarial::new(params, population)))
            }
            AgentKind::AdaptiveAdversary => {
                Policy::AdaptiveAdversary(adaptive_adversary::AdaptiveAdversary)
            }
            AgentKind::Cautious => Policy::Cautious(cautious::Cautious::new(params)),
            AgentKind::CautiousReciprocator => Policy::CautiousReciprocator(Box::new(
                cautious_reciprocator::CautiousReciprocator::new(params, me, population),
            )),
            AgentKind::ThresholdDancer => Policy::ThresholdDancer(Box::new(
                threshold_dancer::ThresholdDancer::new(params, me, population),
            )),
            AgentKind::SelfOptimizer => {
                Policy::SelfOptimizer(self_optimizer::SelfOptimizer::new(params))
            }
            // Built by `Agent::external`.
            AgentKind::External => Policy::External(u32::MAX),
            AgentKind::Ldt => Policy::Ldt(Box::new(ldt::Ldt::new(params, &mut rng, population))),
            AgentKind::ModelingAdversary => Policy::ModelingAdversary(Box::new(
                modeling_adversary::ModelingAdversary::new(params, population),
            )),
            AgentKind::Rlm => Policy::Rlm(Box::new(rlm::Rlm::new(params, population))),
            AgentKind::CollusiveVerifier => {
                Policy::CollusiveVerifier(collusive_verifier::CollusiveVerifier)
            }
            AgentKind::Obfuscating => Policy::Obfuscating(obfuscating::Obfuscating::new(params)),
            AgentKind::SkillRl => Policy::SkillRl(Box::new(skillrl::SkillRl::new(params))),
            // Its config is never read: every initial agent has the default genome.
            AgentKind::Tierra => Policy::Tierra(Box::new(tierra::Tierra::new(Default::default()))),
            AgentKind::HyperagentSelfMod => {
                Policy::HyperagentSelfMod(hyperagent_self_mod::HyperagentSelfMod::new(params))
            }
            AgentKind::FairNegotiator
            | AgentKind::GreedyNegotiator
            | AgentKind::StrategicNegotiator => Policy::Negotiator(negotiator::Negotiator),
            // The partner (an agent or the catalog's author) is resolved
            // from the ids by the engine.
            AgentKind::DiligentMoltbook => Policy::Moltbook(crate::moltbook::Role::Diligent),
            AgentKind::SpamBot => Policy::Moltbook(crate::moltbook::Role::SpamBot),
            AgentKind::HumanPretender => Policy::Moltbook(crate::moltbook::Role::HumanPretender),
            AgentKind::CollusiveVoter => {
                Policy::Moltbook(crate::moltbook::Role::CollusiveVoter { partner: None })
            }
            AgentKind::DiligentRecorder => {
                Policy::DiligentRecorder(diligent_recorder::DiligentRecorder::new(params))
            }
            AgentKind::MemoryPoisoner => Policy::MemoryPoisoner(memory_poisoner::MemoryPoisoner),
            AgentKind::CacheGamer => Policy::CacheGamer(cache_gamer::CacheGamer::default()),
            AgentKind::RivalsProducer => {
                Policy::RivalsProducer(rivals_producer::RivalsProducer::new(params))
            }
            AgentKind::RivalsCritic => {
                Policy::RivalsCritic(rivals_critic::RivalsCritic::new(params))
            }
            AgentKind::DiligentEditor => Policy::Wiki(wiki_editor::WikiEditor::diligent(params)),
            AgentKind::PointFarmer => Policy::Wiki(wiki_editor::WikiEditor::point_farmer(params)),
            // The partner is resolved from the ids by the engine.
            AgentKind::CollusiveEditor => {
                Policy::Wiki(wiki_editor::WikiEditor::Collusive { partner: None })
            }
            AgentKind::Vandal => Policy::Wiki(wiki_editor::WikiEditor::Vandal),
            AgentKind::Retriever
            | AgentKind::Synthesizer
            | AgentKind::Verifier
            | AgentKind::AdversarialRetriever
            | AgentKind::AdversarialSynthesizer => Policy::Scholar(scholar::Scholar),
            AgentKind::AwmAgent => Policy::Awm(awm_agent::AwmWorker::new(params)),
        };
        let memory = Memory::new(
            me,
            population,
            kind == AgentKind::Opportunistic,
            matches!(
                kind,
                AgentKind::Honest
                    | AgentKind::Ldt
                    | AgentKind::RalphLoop
                    | AgentKind::Rain
                    | AgentKind::River
            ),
            large
                && matches!(
                    kind,
                    AgentKind::Honest
                        | AgentKind::Cautious
                        | AgentKind::RalphLoop
                        | AgentKind::Rain
                        | AgentKind::River
                ),
        );
        let memory = if matches!(kind, AgentKind::Rain | AgentKind::RalphLoop) {
            memory.with_recall(population)
        } else {
            memory
        };
        Agent { kind, me, policy, rng, memory }
    }

    /// An agent whose policy is outside the core, in external `slot`. It
    /// holds a stream only because every agent does; nothing draws from it
    /// and its seed is no R_j (spec-ext §4 item 2a).
    pub fn external(me: AgentIdx, slot: u32, rng: PyRandom) -> Self {
        Agent {
            kind: AgentKind::External,
            me,
            policy: Policy::External(slot),
            rng,
            memory: Memory::new(me, 0, false, false, false),
        }
    }

    /// A tierra agent spawned with `genome`; `rng` is the stream its
    /// genome's mutation drew from, which it goes on drawing from.
    pub fn tierra_child(
        me: AgentIdx,
        genome: tierra::Genome,
        rng: PyRandom,
        population: usize,
    ) -> Self {
        Agent {
            kind: AgentKind::Tierra,
            me,
            policy: Policy::Tierra(Box::new(tierra::Tierra::new(genome))),
            rng,
            memory: Memory::new(me, population, false, false, false),
        }
    }

    /// A rivals agent's pipeline role and what it sends on its turn; None
    /// for every other agent.
    pub fn rivals_member(&self) -> Option<(Option<crate::rivals::Role>, RivalsMember)> {
        match &self.policy {
            Policy::RivalsProducer(p) => Some((
                p.role,
                RivalsMember::Producer {
                    quality_level: p.quality_level,
                    trap_awareness: p.trap_awareness,
                },
            )),
            Policy::RivalsCritic(c) => Some((
                c.role,
                RivalsMember::Critic {
                    detection_rate: c.detection_rate,
                    false_positive_rate: c.false_positive_rate,
                },
            )),
            _ => None,
        }
    }

    /// A tierra agent's genome; None for every other agent.
    pub fn genome(&self) -> Option<tierra::Genome> {
        match &self.policy {
            Policy::Tierra(t) => Some(t.genome),
            _ => None,
        }
    }

    /// The turn of an agent whose SPAWN the spawn tree refused (only a
    /// tierra agent returns SPAWN): the same turn without replication.
    pub fn act_without_spawn(&mut self, obs: &Observation<'_>) -> Action {
        match &mut self.policy {
            Policy::Tierra(p) => p.act(obs, &mut self.rng, &self.memory, false),
            _ => Action::Noop,
        }
    }

    /// A moltbook agent's role and stream (None for every other agent).
    pub fn moltbook_role(&mut self) -> Option<(crate::moltbook::Role, &mut PyRandom)> {
        match self.policy {
            Policy::Moltbook(role) => Some((role, &mut self.rng)),
            _ => None,
        }
    }

    /// A scholar agent's role under the scholar handler (scholar.rs); None
    /// for every other agent.
    pub fn scholar_role(&self) -> Option<crate::scholar::Role> {
        use crate::scholar::Role;
        match self.kind {
            AgentKind::Retriever => Some(Role::Retriever),
            AgentKind::Synthesizer => Some(Role::Synthesizer),
            AgentKind::Verifier => Some(Role::Verifier),
            AgentKind::AdversarialRetriever => Some(Role::AdversarialRetriever),
            AgentKind::AdversarialSynthesizer => Some(Role::AdversarialSynthesizer),
            _ => None,
        }
    }

    /// A collusive voter's partner, once the engine knows the ids.
    pub fn set_moltbook_partner(&mut self, partner: Option<crate::moltbook::Party>) {
        if let Policy::Moltbook(crate::moltbook::Role::CollusiveVoter { partner: p }) =
            &mut self.policy
        {
            *p = partner;
        }
    }

    /// An AWM worker's plan for its task (agents/awm_agent.rs), into `out`, and
    /// whether it works in step mode; None for every other agent (no draw).
    pub fn awm_plan(&mut self, n_tools: usize, out: &mut Vec<u8>) -> Option<bool> {
        match &self.policy {
            Policy::Awm(p) => {
                p.plan(&mut self.rng, n_tools, out);
                Some(p.step_mode)
            }
            _ => None,
        }
    }

    /// Whether this is an AWM worker (agents/awm_agent.rs).
    pub fn is_awm(&self) -> bool {
        matches!(self.policy, Policy::Awm(_))
    }

    /// The agent's own stream, for a turn decided outside its policy (the
    /// scholar agents' under the handler).
    pub fn rng_mut(&mut self) -> &mut PyRandom {
        &mut self.rng
    }

    /// The external slot of an agent decided outside the core.
    #[inline]
    pub fn external_slot(&self) -> Option<usize> {
        match self.policy {
            Policy::External(slot) => Some(slot as usize),
            _ => None,
        }
    }

    /// This agent acts soon: start loading its stream's state.
    #[inline]
    pub fn prefetch(&self) {
        self.rng.prefetch()
    }

    /// `act(observation)`: the agent's turn.
    pub fn act(&mut self, obs: &Observation<'_>) -> Action {
        let (rng, mem) = (&mut self.rng, &mut self.memory);
        match &mut self.policy {
            Policy::Honest(p) => p.act(obs, rng, mem),
            Policy::Opportunistic(p) => p.act(obs, rng, mem),
            Policy::Deceptive(p) => p.act(obs, rng),
            Policy::Adversarial(p) => p.act(obs, rng),
            Policy::AdaptiveAdversary(p) => p.act(obs, rng),
            Policy::Cautious(p) => p.act(obs, rng, mem),
            Policy::CautiousReciprocator(p) => p.act(obs, rng, mem),
            Policy::ThresholdDancer(p) => p.act(obs, rng),
            Policy::SelfOptimizer(p) => p.act(obs, rng),
            Policy::External(_) => Action::Noop,
            Policy::Ldt(p) => p.act(obs, rng, mem),
            Policy::ModelingAdversary(p) => p.act(obs, rng),
            Policy::Rlm(p) => p.act(obs, rng, mem),
            // Without the memory-tiers subsystem every gate fails undrawn
            // (with it, the engine calls `memory_turn` instead).
            Policy::CollusiveVerifier(_)
            | Policy::DiligentRecorder(_)
            | Policy::MemoryPoisoner(_)
            | Policy::CacheGamer(_) => Action::Noop,
            Policy::Obfuscating(p) => p.act(obs, rng),
            Policy::SkillRl(p) => p.act(obs, rng, mem),
            Policy::Tierra(p) => p.act(obs, rng, mem, true),
            Policy::HyperagentSelfMod(p) => p.act(obs, rng),
            Policy::RalphLoop(p) => p.act(obs, rng, mem),
            Policy::Rain(p) => rain_act(p, obs, rng, mem),
            // No game ever reaches its observation (negotiator.rs).
            Policy::Negotiator(_) => Action::Noop,
            // Played by the engine through moltbook.rs (never called).
            Policy::Moltbook(_) => Action::Noop,
            // The handler finds the pending assignment, if any (rivals.rs).
            Policy::RivalsProducer(_) => Action::RivalsProduce,
            Policy::RivalsCritic(_) => Action::RivalsReview,
            Policy::Wiki(_) => Action::Noop,
            // No scholar query without the subsystem: NOOP before any draw.
            Policy::Scholar(_) => Action::Noop,
            // No AWM task in its observation (with one, the engine plays
            // the turn through awm.rs): NOOP, no draw.
            Policy::Awm(_) => Action::Noop,
        }
    }

    /// A wiki editor's turn on the wiki's queues; None for other agents.
    pub fn act_wiki(
        &mut self,
        view: &crate::moltipedia::WikiView,
        wiki: Option<&crate::moltipedia::Wiki>,
    ) -> Option<Action> {
        match &self.policy {
            Policy::Wiki(p) => Some(p.act(view, wiki, &mut self.rng)),
            _ => None,
        }
    }

    /// A collusive editor's partner, resolved from its `partner_id`.
    pub fn set_wiki_partner(&mut self, partner: Option<crate::moltipedia::Party>) {
        if let Policy::Wiki(wiki_editor::WikiEditor::Collusive { partner: p }) = &mut self.policy {
            *p = partner;
        }
    }

    /// A memory-tier agent's turn with the memory_tiers subsystem on and
    /// `remaining` writes left this epoch: whether it writes. None for every
    /// other policy (its turn is the usual one).
    pub fn memory_turn(&mut self, remaining: u32) -> Option<bool> {
        let rng = &mut self.rng;
        Some(match &mut self.policy {
            Policy::DiligentRecorder(p) => p.writes(remaining, rng),
            Policy::MemoryPoisoner(p) => p.writes(remaining, rng),
            Policy::CacheGamer(p) => p.writes(remaining),
            Policy::CollusiveVerifier(p) => p.writes(remaining, rng),
            _ => return None,
        })
    }

    /// The transfer τ this agent's `propose_interaction` attaches to a
    /// proposal to `target` (corrected model, Q2): the opportunistic agent
    /// extracts 0.5 (its act path only picks targets that method accepts);
    /// the deceptive one offers 0.1 while building trust and extracts 0.5
    /// when exploiting; the adversarial one extracts 1.0 from its targets.
    /// Every other policy offers nothing.
    pub fn offered_transfer(&self, target: AgentIdx) -> f64 {
        match &self.policy {
            Policy::Opportunistic(_) => -0.5,
            Policy::Deceptive(p) => p.offer(target),
            Policy::Adversarial(p) => p.offer(),
            _ => 0.0,
        }
    }

    /// `accept_interaction(proposal, observation)`: the end-of-step answer.
    /// Inlined into the end-of-step loop, where it always was before that
    /// loop grew past LLVM's budget (a call cost ~20 instructions each).
    #[inline(always)]
    /// `obs` builds the observation; only the policies that read it call
    /// it (the engine skips building it for the others when that draws
    /// nothing).
    pub fn accept<'o>(
        &mut self,
        prop: &ProposalView,
        obs: impl FnOnce() -> Observation<'o>,
    ) -> bool {
        let (rng, mem) = (&mut self.rng, &mut self.memory);
        match &mut self.policy {
            Policy::Honest(p) => p.accept(prop, mem),
            Policy::Opportunistic(p) => p.accept(prop, rng, mem),
            Policy::Deceptive(p) => p.accept(prop, rng),
            Policy::Adversarial(p) => p.accept(prop, &obs(), rng),
            Policy::AdaptiveAdversary(_) => true,
            Policy::Cautious(p) => p.accept(prop, mem),
            Policy::CautiousReciprocator(p) => p.accept(prop, mem),
            Policy::ThresholdDancer(p) => p.accept(prop),
            Policy::SelfOptimizer(p) => p.accept(prop, mem),
            Policy::External(_) => false,
            Policy::Ldt(p) => p.accept(prop),
            Policy::ModelingAdversary(p) => p.accept(prop, &obs(), rng),
            Policy::Rlm(p) => p.accept(prop, rng, mem),
            Policy::CollusiveVerifier(p) => p.accept(),
            Policy::DiligentRecorder(_) | Policy::CacheGamer(_) => true,
            Policy::MemoryPoisoner(_) => false,
            Policy::Obfuscating(p) => p.accept(rng),
            Policy::SkillRl(p) => p.accept(prop, mem),
            Policy::Tierra(p) => p.accept(prop, mem),
            Policy::HyperagentSelfMod(p) => p.accept(prop, &obs(), mem.trust(prop.initiator)),
            Policy::RalphLoop(p) => {
                mem.consult(prop.initiator);
                p.accept(prop, mem)
            }
            Policy::Rain(p) => {
                mem.consult(prop.initiator);
                p.accept(prop, mem)
            }
            Policy::Negotiator(p) => p.accept(),
            // `BaseMoltbookAgent.accept_interaction`: always no.
            Policy::Moltbook(_) => false,
            Policy::RivalsProducer(_) | Policy::RivalsCritic(_) => true,
            Policy::Wiki(p) => p.accept(),
            Policy::Scholar(p) => p.accept(prop, mem),
            Policy::Awm(p) => p.accept(rng),
        }
    }

    /// `update_from_outcome(interaction, payoff)`, for accepted and rejected
    /// interactions alike: the base memory update, then the policy's own.
    /// Dynamic toxicity's quality contagion (see `Memory::shift_trust`).
    pub fn shift_trust(&mut self, delta: f64) {
        self.memory.shift_trust(delta);
    }

    /// `kind`: the interaction's type (read by skillrl's skill extraction).
    pub fn update_from_outcome(
        &mut self,
        other: AgentIdx,
        kind: InteractionType,
        accepted: bool,
        p: f64,
        payoff: f64,
    ) {
        self.memory.record_outcome(other, accepted, p);
        match &mut self.policy {
            Policy::Deceptive(d) => d.on_outcome(other, accepted),
            Policy::CautiousReciprocator(c) => {
                c.on_outcome(other, payoff, self.memory.trust(other))
            }
            Policy::ThresholdDancer(t) => t.on_outcome(other, payoff),
            Policy::Ldt(l) => l.on_outcome(other, accepted, p),
            Policy::ModelingAdversary(m) => m.on_outcome(other, accepted, p),
            Policy::Rlm(r) => r.on_outcome(other, accepted, payoff),
            Policy::Obfuscating(o) => o.on_outcome(),
            Policy::SkillRl(s) => s.on_outcome(kind, p, payoff),
            Policy::RalphLoop(r) => r.on_outcome(p),
            _ => {}
        }
    }
}

impl Agent {
    /// Epoch-end hook: only a self-optimizer with `optimize_per_epoch` on
    /// does anything here (a swarm_fast extension; the reference calls no
    /// agent at epoch end in core runs).
    pub fn on_epoch_end(&mut self) {
        if let Policy::SelfOptimizer(p) = &mut self.policy {
            p.on_epoch_end();
        }
    }

    /// Whether the reference's memory-decay middleware changes this agent
    /// at epoch end (epistemic persistence below 1: `rain`, `ralph_loop`).
    pub fn forgets(&self) -> bool {
        matches!(self.kind, AgentKind::Rain | AgentKind::RalphLoop)
    }

    /// `apply_memory_decay(epoch)`: trust forgotten, then the Ralph loop
    /// agent's own epoch end.
    pub fn on_memory_decay(&mut self, epoch: u32) {
        self.memory.forget_trust();
        if let Policy::RalphLoop(r) = &mut self.policy {
            r.on_epoch_end(epoch);
        }
    }

    /// The quality this agent has optimized away, when that should reach
    /// its observables (`optimize_per_epoch`); None for every other agent.
    #[inline]
    pub fn quality_loss(&self) -> Option<f64> {
        match &self.policy {
            Policy::SelfOptimizer(p) => p.quality_loss(),
            _ => None,
        }
    }

    /// A self-optimizer's (cost multiplier, quality, optimization depth).
    pub fn optimizer_state(&self) -> Option<(f64, f64, u32)> {
        match &self.policy {
            Policy::SelfOptimizer(p) => Some(p.state()),
            _ => None,
        }
    }
}

/// Per-family checks of an agent spec's `config` beyond their types;
/// the error names the key.
pub fn check_params(c: &AgentParams) -> Result<(), String> {
    ldt::check_params(c)
}

/// The rain agent's turn (the honest turn consulting trust as the
/// reference computes it). Out of line, to keep `Agent::act` small.
#[inline(never)]
fn rain_act(
    p: &mut honest::Honest,
    obs: &Observation<'_>,
    rng: &mut PyRandom,
    mem: &mut Memory,
) -> Action {
    p.act_as::<true>(obs, rng, mem)
}

/// First index of the maximum under `key`, ties to the earliest: Python's
/// `max(...)` and `sort(reverse=True)[0]` both pick that element.
pub(crate) fn first_max_by<T, K: PartialOrd>(
    items: impl IntoIterator<Item = T>,
    mut key: impl FnMut(&T) -> K,
) -> Option<T> {
    let mut best: Option<(T, K)> = None;
    for item in items {
        let k = key(&item);
        let better = match &best {
            Some((_, bk)) => k > *bk,
            None => true,
        };
        if better {
            best = Some((item, k));
        }
    }
    best.map(|(t, _)| t)
}

/// ACCEPT or REJECT the proposal being answered on the agent's own turn.
pub(crate) fn answer(p: &ProposalView, accept: bool) -> Action {
    if accept {
        Action::Accept { proposal: p.id }
    } else {
        Action::Reject { proposal: p.id }
    }
}

/// The shared tail of the cautious policies: post with probability
/// `post_probability` (no text draw), else upvote a random visible post.
pub(crate) fn post_or_upvote(
    obs: &Observation<'_>,
    rng: &mut PyRandom,
    post_probability: f64,
) -> Action {
    if obs.can_post && rng.random() < post_probability {
        return Action::Post;
    }
    if obs.can_vote && !obs.posts.is_empty() {
        return Action::Vote { post: obs.posts[rng.choice_index(obs.posts.len())].idx, up: true };
    }
    Action::Noop
}

/// The honest agent's task claim, shared with the ldt agent: the
/// available task with the best bounty per unit of difficulty among those
/// its reputation allows (every task is "medium", which weighs 3). No draw.
#[inline(always)]
pub(crate) fn claim_best_task(obs: &Observation<'_>) -> Option<Action> {
    let m = obs.market;
    if !obs.can_claim_task || m.available_tasks.is_empty() {
        return None;
    }
    let best = first_max_by(
        m.available_tasks.iter().filter(|t| t.min_reputation <= obs.reputation),
        |t| t.bounty / 3.0,
    );
    best.map(|t| Action::ClaimTask { task: t.id })
}

/// The honest agent's post-or-vote (spec §11.1), shared with the ldt
/// agent: post with probability `post_probability` (one text draw), else
/// with probability `vote_probability` upvote a random visible post not yet
/// voted on (NOOP when every one is). None: neither was drawn.
#[inline(always)]
pub(crate) fn post_or_vote_unvoted(
    obs: &Observation<'_>,
    rng: &mut PyRandom,
    mem: &mut Memory,
    post_probability: f64,
    vote_probability: f64,
) -> Option<Action> {
    if obs.can_post && rng.random() < post_probability {
        let text = rng.choice_index(4) as u8;
        return Some(Action::PostText { text });
    }
    if obs.can_vote && !obs.posts.is_empty() && rng.random() < vote_probability {
        let mut unvoted = [0u32; crate::feed::VISIBLE_POSTS];
        let mut n = 0;
        for p in obs.posts.iter().filter(|p| !mem.has_voted(p.idx)) {
            unvoted[n] = p.idx;
            n += 1;
        }
        if n == 0 {
            return Some(Action::Noop);
        }
        let post = unvoted[rng.choice_index(n)];
        mem.remember_vote(post);
        // Direction is always +1: the post dict has no net_votes (Q5).
        return Some(Action::Vote { post, up: true });
    }
    None
}

/// The first cheapest pending bid: `min(bids, key=bid_amount)`.
pub(crate) fn cheapest_bid(bids: &[BidView]) -> Option<&BidView> {
    let mut best: Option<&BidView> = None;
    for b in bids {
        if best.is_none_or(|x| b.amount < x.amount) {
            best = Some(b);
        }
    }
    best
}

pub(crate) fn accept_bid(b: &BidView) -> Action {
    Action::AcceptBid { bounty: b.bounty, bid: b.bid }
}

/// The first bounty with the largest reward: `max(bounties, key=reward)`.
pub(crate) fn richest_bounty(bounties: &[BountyView]) -> Option<&BountyView> {
    first_max_by(bounties.iter(), |b| b.reward)
}

/// `max(visible, key=key)` over the visible agents passing `keep`: the
/// first of the maxima in visible order. The policies that ask this key
/// agents by their own records, so every agent outside `known` (a small
/// set) has the same key, `stranger` (`None` if strangers fail `keep`).
/// With the index, the known agents compete with the first visible
/// stranger only; ties go to the earlier agent, as in the scan.
pub(crate) fn first_max_visible<K: PartialOrd + Copy>(
    obs: &Observation<'_>,
    known: impl Iterator<Item = AgentIdx>,
    is_known: impl Fn(AgentIdx) -> bool,
    keep: impl Fn(AgentIdx) -> bool,
    key: impl Fn(AgentIdx) -> K,
    stranger: Option<K>,
) -> Option<AgentIdx> {
    let Some(ix) = obs.indexed() else {
        return first_max_by(obs.visible_iter().map(|v| v.idx).filter(|&b| keep(b)), |&b| key(b));
    };
    let mut best: Option<(AgentIdx, K)> = None;
    for b in known {
        if !ix.is_visible(b) || !keep(b) {
            continue;
        }
        let k = key(b);
        if best.is_none_or(|(bb, bk)| k > bk || (k == bk && b < bb)) {
            best = Some((b, k));
        }
    }
    let first_stranger = stranger.and_then(|sk| Some((ix.first_not_in(0, &is_known)?, sk)));
    earlier_of_max(best, first_stranger)
}

/// [`first_max_visible`] for a policy that keeps its records ranked (large
/// populations, with the index): the best visible record passing `keep`
/// against the first visible stranger, reading records only down to the
/// stranger's key and while `high_enough` holds of the key (a floor that,
/// once missed, every lower record misses too).
pub(crate) fn first_max_ranked<K: Ord + Copy>(
    ix: IndexView<'_>,
    ranked: &Ranked<K>,
    keep: impl Fn(AgentIdx) -> bool,
    high_enough: impl Fn(K) -> bool,
    stranger: Option<K>,
) -> Option<AgentIdx> {
    let first_stranger = stranger
        .and_then(|sk| Some((ix.first_not_in(ranked.strangers_from(), |b| ranked.knows(b))?, sk)));
    let known = ranked
        .best()
        .take_while(|&(_, k)| high_enough(k) && first_stranger.is_none_or(|(_, sk)| k >= sk))
        .find(|&(b, _)| keep(b) && ix.is_visible(b));
    earlier_of_max(known, first_stranger)
}

/// The better of two candidates, the earlier agent on a tie.
fn earlier_of_max<K: PartialOrd>(
    a: Option<(AgentIdx, K)>,
    b: Option<(AgentIdx, K)>,
) -> Option<AgentIdx> {
    match (a, b) {
        (Some((x, kx)), Some((y, ky))) => Some(if kx > ky || (kx == ky && x < y) { x } else { y }),
        (Some((x, _)), None) => Some(x),
        (None, y) => y.map(|(y, _)| y),
    }
}

/// The first visible agent with the highest trust T(x) ≥ `floor`.
pub(crate) fn most_trusted(obs: &Observation<'_>, mem: &Memory, floor: f64) -> Option<AgentIdx> {
    // A stranger reads as the neutral 0.5.
    let stranger = (0.5 >= floor).then_some(0.5);
    if let (Some(ix), Some(ranked)) = (obs.indexed(), mem.ranked()) {
        let high_enough = |k: u64| unordered(k) >= floor;
        return first_max_ranked(ix, ranked, |_| true, high_enough, stranger.map(ordered));
    }
    first_max_visible(
        obs,
        mem.trusted().map(|(b, _)| b),
        |b| mem.knows(b),
        |b| mem.trust(b) >= floor,
        |b| mem.trust(b),
        stranger,
    )
}

/// Draw `CH(list)` over the items that pass `keep`, without building the
/// list: count, draw the index, then walk to it.
pub(crate) fn choose_where<T>(
    rng: &mut PyRandom,
    items: impl Iterator<Item = T> + Clone,
    keep: impl Fn(&T) -> bool,
) -> Option<T> {
    let n = items.clone().filter(|x| keep(x)).count();
    if n == 0 {
        return None;
    }
    let k = rng.choice_index(n);
    items.filter(|x| keep(x)).nth(k)
}

/// `CH(visible)`: any visible agent.
pub(crate) fn anyone(obs: &Observation, rng: &mut PyRandom) -> Option<AgentIdx> {
    let Some(ix) = obs.indexed() else {
        return choose_where(rng, obs.visible_iter(), |_| true).map(|v| v.idx);
    };
    let all = ix.without(&[]);
    if all.len == 0 {
        return None;
    }
    ix.nth_without(&all, rng.choice_index(all.len))
}
