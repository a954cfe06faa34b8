//! The moltbook subsystem (swarm-safety 1.9.0's `MoltbookHandler`,
//! `MoltbookFeed`, the `moltbook_*` levers and `moltbook_agent.py`): a feed
//! whose posts and comments wait behind an obfuscated-math CAPTCHA, with
//! per-agent rate limits, karma votes, and four agent types that act only
//! on it.
//!
//! What the reference's randomness comes down to here:
//! - the handler's own stream `Random(moltbook.seed)` draws the catalog
//!   sample at build (`random.sample`) and one `uniform(-0.1, 0.1)` quality
//!   jitter per published post or comment (`_publish_outcome`);
//! - each agent's stream R_j draws its challenge answers;
//! - the challenge generator's stream (the same seed, its own generator)
//!   only shapes the question and its answer, neither of which changes an
//!   outcome: a wrong answer is the right one plus `uniform(1, 5)`, so it is
//!   never equal after rounding. It is not reproduced.
//!
//! Steps here are the epoch's own step index, as in the reference (its
//! `current_step` restarts each epoch), quirks included: a challenge issued
//! at an epoch's last step can only expire in a later epoch once the step
//! index passes its deadline again.

use serde::{Deserialize, Serialize};

use crate::observables::Observables;
use crate::rng::PyRandom;
use crate::types::{AgentIdx, InteractionType, StateType};

/// The trace's names of moltbook's parties that are no agent, numbered
/// after the agents ([`Party::trace_id`]).
pub const PARTIES: [&str; 2] = ["moltbook", "seed_bot"];

/// Who a moltbook interaction is with, or who wrote a post: an agent, the
/// platform (`"moltbook"`), or the catalog's author (`"seed_bot"`; a vote
/// on a catalog post names it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Agent(AgentIdx),
    Platform,
    SeedBot,
}

impl Party {
    /// The party's id in the trace with `n_agents` agents, and whether it
    /// is an agent: the others follow the agents in [`PARTIES`]' order.
    pub fn trace_id(self, n_agents: AgentIdx) -> (AgentIdx, bool) {
        match self {
            Party::Agent(b) => (b, true),
            Party::Platform => (n_agents, false),
            Party::SeedBot => (n_agents + 1, false),
        }
    }

    /// A collusive voter's `partner_id` among the agents' `ids`: the
    /// reference matches it against each listed post's author, so it may
    /// name the catalog's author too. The platform writes no post: naming
    /// it, or no one, leaves the voter posting.
    pub fn partner(partner_id: Option<&str>, ids: &[String]) -> Option<Party> {
        let id = partner_id?;
        match ids.iter().position(|x| x == id) {
            Some(j) => Some(Party::Agent(j as AgentIdx)),
            None => (id == PARTIES[1]).then_some(Party::SeedBot),
        }
    }
}

/// The reference's catalog holds 25 entries; `initial_posts` is capped there.
pub const CATALOG_SIZE: u64 = 25;
/// Posts an agent's observation lists (`get_published_posts(limit=20)`).
const TOP: usize = 20;

/// The `moltbook:` section with the `governance.moltbook_*` keys it reads.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoltbookConfig {
    /// `moltbook.seed` (its absolute value: `random.Random` takes that).
    pub seed: u64,
    /// Catalog posts seeded at build (0 unless `seed_mode: catalog`).
    pub initial_posts: u64,
    pub rate_limit_enabled: bool,
    pub post_cooldown_steps: i64,
    pub comment_cooldown_steps: i64,
    pub daily_comment_cap: i64,
    pub request_cap_per_step: i64,
    pub challenge_enabled: bool,
    pub challenge_window_steps: i64,
}

/// The four moltbook agent types (`moltbook_agent.py`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `DiligentMoltbookAgent`: comments on the first post not its own.
    Diligent,
    /// `SpamBotAgent`: comments on the top post half the time.
    SpamBot,
    /// `HumanPretenderAgent`: comments on the top post; slow, poor solver.
    HumanPretender,
    /// `CollusiveVoterAgent`: upvotes its partner's first listed post.
    CollusiveVoter { partner: Option<Party> },
}

impl Role {
    /// `ChallengeSkill`: (parse accuracy, solve accuracy, latency steps).
    fn skill(self) -> (f64, f64, i64) {
        match self {
            Role::Diligent => (0.95, 0.99, 0),
            Role::SpamBot => (0.98, 0.99, 0),
            Role::HumanPretender => (0.5, 0.85, 1),
            Role::CollusiveVoter { .. } => (0.9, 0.95, 0),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Pending,
    Published,
    Expired,
    Rejected,
}

#[derive(Debug, Clone)]
struct Post {
    author: Party,
    status: Status,
    created: i64,
    published: Option<i64>,
    /// The challenge's deadline; None without a challenge.
    expires: Option<i64>,
    net_votes: i64,
    is_comment: bool,
}

/// `MoltbookRateLimitState`.
#[derive(Debug, Clone, Copy, Default)]
struct Limits {
    last_post: Option<i64>,
    last_comment: Option<i64>,
    daily_comments: i64,
    requests: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Request {
    Post,
    Comment,
    Verify,
    Vote,
}

/// An agent's moltbook action (`create_moltbook_*_action`).
#[derive(Debug, Clone, Copy)]
enum Act {
    Post,
    // Its parent always exists (it was listed); which one reaches no outcome.
    Comment,
    Verify { post: usize, correct: bool },
    Vote { post: usize },
}

/// What a turn hands the engine to finalise: an interaction whose
/// observables the handler set (the engine computes v̂ and p from them).
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    pub initiator: AgentIdx,
    pub counterparty: Party,
    pub kind: InteractionType,
    pub accepted: bool,
    pub signals: Observables,
}

#[derive(Debug, Clone)]
pub struct Moltbook {
    cfg: MoltbookConfig,
    rng: PyRandom,
    /// Every post and comment in creation order (the feed dict's order).
    posts: Vec<Post>,
    /// Each agent's posts, in creation order.
    by_author: Vec<Vec<usize>>,
    limits: Vec<Limits>,
    /// The published list an observation shows (rebuilt per turn).
    top: Vec<usize>,
}

impl Moltbook {
    pub fn new(cfg: MoltbookConfig, n_agents: usize) -> Self {
        let mut rng = PyRandom::new(i128::from(cfg.seed));
        let k = cfg.initial_posts.min(CATALOG_SIZE);
        sample_draws(&mut rng, CATALOG_SIZE, k);
        // The catalog entries' text and submolt reach no decision: only
        // their number and their place (first, in sample order) matter.
        let posts = (0..k)
            .map(|_| Post {
                author: Party::SeedBot,
                status: Status::Published,
                created: 0,
                published: Some(0),
                expires: None,
                net_votes: 0,
                is_comment: false,
            })
            .collect();
        Moltbook {
            cfg,
            rng,
            posts,
            by_author: vec![Vec::new(); n_agents],
            limits: vec![Limits::default(); n_agents],
            top: Vec::new(),
        }
    }

    /// `on_epoch_start`: rate-limit state forgets cooldowns and the day's
    /// comment count.
    pub fn on_epoch_start(&mut self) {
        for l in &mut self.limits {
            l.daily_comments = 0;
            l.last_post = None;
            l.last_comment = None;
        }
    }

    /// `tick(step)`: request counts reset; pending posts past their
    /// deadline expire.
    pub fn on_step(&mut self, step: i64) {
        for l in &mut self.limits {
            l.requests = 0;
        }
        for p in &mut self.posts {
            if p.status == Status::Pending && p.expires.is_some_and(|e| step > e) {
                p.status = Status::Expired;
            }
        }
    }

    /// `get_published_posts(limit=20)`: by net votes, then publication
    /// step, both descending; ties in creation order (Python's sort with
    /// `reverse=True` is stable). With creation order as the last key the
    /// order is total, so the first 20 are selected in O(P), then sorted.
    fn refresh_top(&mut self) {
        let posts = &self.posts;
        self.top.clear();
        self.top.extend((0..posts.len()).filter(|&i| posts[i].status == Status::Published));
        let order = |&a: &usize, &b: &usize| {
            let key = |i: usize| (posts[i].net_votes, posts[i].published.unwrap_or(0));
            key(b).cmp(&key(a)).then(a.cmp(&b))
        };
        if self.top.len() > TOP {
            self.top.select_nth_unstable_by(TOP - 1, order);
            self.top.truncate(TOP);
        }
        self.top.sort_unstable_by(order);
    }

    /// Agent `me`'s turn: its `act` on its observation, then the handler's
    /// `handle_action`. Returns the interaction to finalise, if any.
    pub fn turn(
        &mut self,
        me: AgentIdx,
        role: Role,
        state_type: StateType,
        rng: &mut PyRandom,
        step: i64,
    ) -> Option<Outcome> {
        let act = self.act(me, role, rng, step);
        self.handle(me, state_type, act, step)
    }

    fn act(&mut self, me: AgentIdx, role: Role, rng: &mut PyRandom, step: i64) -> Act {
        let (parse, solve, latency) = role.skill();
        // `_pending_verification_action`: the first own pending post old
        // enough for the agent's latency.
        for &i in &self.by_author[me as usize] {
            let p = &self.posts[i];
            if p.status != Status::Pending || step - p.created < latency {
                continue;
            }
            // `_solve_challenge`: a wrong answer draws its offset.
            let correct = if rng.random() > parse || rng.random() > solve {
                rng.random();
                false
            } else {
                true
            };
            return Act::Verify { post: i, correct };
        }
        self.refresh_top();
        match role {
            Role::Diligent => {
                match self.top.iter().find(|&&i| self.posts[i].author != Party::Agent(me)) {
                    Some(_) => Act::Comment,
                    None => Act::Post,
                }
            }
            // `posts and random() < 0.5`: no draw on an empty list.
            Role::SpamBot => match self.top.first() {
                Some(_) if rng.random() < 0.5 => Act::Comment,
                _ => Act::Post,
            },
            Role::HumanPretender => match self.top.first() {
                Some(_) => Act::Comment,
                None => Act::Post,
            },
            Role::CollusiveVoter { partner } => {
                match partner.and_then(|q| self.top.iter().find(|&&i| self.posts[i].author == q)) {
                    Some(&i) => Act::Vote { post: i },
                    None => Act::Post,
                }
            }
        }
    }

    /// `MoltbookRateLimitLever.can_perform` (only with the lever on).
    fn allowed(&self, me: AgentIdx, req: Request, step: i64) -> bool {
        if !self.cfg.rate_limit_enabled {
            return true;
        }
        let l = &self.limits[me as usize];
        if l.requests >= self.cfg.request_cap_per_step {
            return false;
        }
        match req {
            Request::Post => l.last_post.is_none_or(|s| step - s >= self.cfg.post_cooldown_steps),
            Request::Comment => {
                l.last_comment.is_none_or(|s| step - s >= self.cfg.comment_cooldown_steps)
                    && l.daily_comments < self.cfg.daily_comment_cap
            }
            Request::Verify | Request::Vote => true,
        }
    }

    /// `record_action`.
    fn record(&mut self, me: AgentIdx, req: Request, step: i64) {
        let l = &mut self.limits[me as usize];
        l.requests += 1;
        match req {
            Request::Post => l.last_post = Some(step),
            Request::Comment => {
                l.last_comment = Some(step);
                l.daily_comments += 1;
            }
            Request::Verify | Request::Vote => {}
        }
    }

    fn handle(&mut self, me: AgentIdx, t: StateType, act: Act, step: i64) -> Option<Outcome> {
        let req = match act {
            Act::Post => Request::Post,
            Act::Comment => Request::Comment,
            Act::Verify { .. } => Request::Verify,
            Act::Vote { .. } => Request::Vote,
        };
        let out = |counterparty, kind, accepted, signals| {
            Some(Outcome { initiator: me, counterparty, kind, accepted, signals })
        };
        if !self.allowed(me, req, step) {
            // `_rate_limit_result`: one tool-misuse flag, not accepted.
            let s = signals(0.0, 0, 0, 1, 0.0);
            return out(Party::Platform, InteractionType::Collaboration, false, s);
        }
        match act {
            Act::Post | Act::Comment => {
                let is_comment = matches!(act, Act::Comment);
                self.record(me, req, step);
                let challenged = self.cfg.challenge_enabled;
                let expires = challenged.then(|| step + self.cfg.challenge_window_steps);
                self.by_author[me as usize].push(self.posts.len());
                self.posts.push(Post {
                    author: Party::Agent(me),
                    status: if challenged { Status::Pending } else { Status::Published },
                    created: step,
                    published: (!challenged).then_some(step),
                    expires,
                    net_votes: 0,
                    is_comment,
                });
                if challenged {
                    return None; // no observables: nothing to finalise
                }
                let kind = if is_comment {
                    InteractionType::Reply
                } else {
                    InteractionType::Collaboration
                };
                out(Party::Platform, kind, true, self.publish_signals(t, is_comment))
            }
            Act::Verify { post, correct } => {
                self.record(me, req, step);
                let p = &mut self.posts[post];
                // The post is the agent's own and pending when it chose it,
                // and nothing between its choice and this can change that.
                let expired = p.expires.is_some_and(|e| step > e);
                if expired || !correct {
                    p.status = if expired { Status::Expired } else { Status::Rejected };
                    let s = signals(0.0, 1, 1, 0, 0.0);
                    return out(Party::Platform, InteractionType::Collaboration, false, s);
                }
                p.status = Status::Published;
                p.published = Some(step);
                let is_comment = p.is_comment;
                // Verified comments are finalised as collaborations too.
                out(
                    Party::Platform,
                    InteractionType::Collaboration,
                    true,
                    self.publish_signals(t, is_comment),
                )
            }
            Act::Vote { post } => {
                let p = &mut self.posts[post];
                p.net_votes += 1;
                let author = p.author;
                self.record(me, req, step);
                let s = signals(0.0, 0, 0, 0, 0.1);
                out(author, InteractionType::Vote, true, s)
            }
        }
    }

    /// `_publish_outcome`: the author type's base quality with a jitter
    /// from the handler's stream; comments count 0.7 of it.
    fn publish_signals(&mut self, t: StateType, is_comment: bool) -> Observables {
        let base = match t {
            StateType::Honest => 0.6,
            StateType::Opportunistic => 0.35,
            StateType::Deceptive => 0.4,
            StateType::Adversarial => 0.15,
            _ => 0.4,
        };
        let jitter = self.rng.uniform(-0.1, 0.1);
        // `max(0.0, min(1.0, x))`; x is finite.
        let mut quality = (base + jitter).clamp(0.0, 1.0);
        if is_comment {
            quality *= 0.7;
        }
        signals(quality, 0, 0, 0, quality * 0.6)
    }
}

fn signals(
    task_progress: f64,
    rework: u32,
    rejections: u32,
    misuse: u32,
    engagement: f64,
) -> Observables {
    Observables { task_progress, rework, rejections, misuse, engagement }
}

/// The draws of CPython's `random.sample(population, k)` for a population
/// of `n` (which entries it picks does not matter here, only the stream).
fn sample_draws(rng: &mut PyRandom, n: u64, k: u64) {
    let mut setsize = 21u64;
    if k > 5 {
        // 4 ** ceil(log(3k, 4)), in floats as CPython computes it.
        let e = ((k * 3) as f64).ln() / 4f64.ln();
        setsize += 4u64.pow(e.ceil() as u32);
    }
    if n <= setsize {
        for i in 0..k {
            rng.randbelow(n - i);
        }
    } else {
        let mut selected: Vec<u64> = Vec::with_capacity(k as usize);
        for _ in 0..k {
            let mut j = rng.randbelow(n);
            while selected.contains(&j) {
                j = rng.randbelow(n);
            }
            selected.push(j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(challenge: bool) -> MoltbookConfig {
        MoltbookConfig {
            seed: 1,
            initial_posts: 3,
            rate_limit_enabled: true,
            post_cooldown_steps: 5,
            comment_cooldown_steps: 1,
            daily_comment_cap: 50,
            request_cap_per_step: 100,
            challenge_enabled: challenge,
            challenge_window_steps: 1,
        }
    }

    #[test]
    fn a_challenged_post_waits_then_publishes_on_a_right_answer() {
        let mut m = Moltbook::new(cfg(true), 2);
        assert_eq!(m.posts.len(), 3);
        let out = m.handle(0, StateType::Honest, Act::Post, 0);
        assert!(out.is_none());
        assert_eq!(m.posts[3].status, Status::Pending);
        let out = m.handle(0, StateType::Honest, Act::Verify { post: 3, correct: true }, 1);
        assert!(out.is_some_and(|o| o.accepted && o.counterparty == Party::Platform));
        assert_eq!(m.posts[3].status, Status::Published);
    }

    #[test]
    fn the_post_cooldown_refuses_a_second_post() {
        let mut m = Moltbook::new(cfg(false), 1);
        assert!(m.handle(0, StateType::Honest, Act::Post, 0).is_some_and(|o| o.accepted));
        let o = m.handle(0, StateType::Honest, Act::Post, 1).expect("a rate-limit result");
        assert!(!o.accepted && o.signals.misuse == 1);
        m.on_epoch_start();
        assert!(m.handle(0, StateType::Honest, Act::Post, 1).is_some_and(|o| o.accepted));
    }

    #[test]
    fn a_late_verification_expires() {
        let mut m = Moltbook::new(cfg(true), 1);
        m.handle(0, StateType::Honest, Act::Post, 0);
        let o = m.handle(0, StateType::Honest, Act::Verify { post: 3, correct: true }, 2).unwrap();
        assert!(!o.accepted && o.signals.rework == 1);
        assert_eq!(m.posts[3].status, Status::Expired);
    }

    #[test]
    fn a_partner_is_an_agent_or_the_catalogs_author() {
        let ids = ["a_1".to_string(), "seed_bot_x".to_string()];
        assert_eq!(Party::partner(Some("seed_bot_x"), &ids), Some(Party::Agent(1)));
        assert_eq!(Party::partner(Some("seed_bot"), &ids), Some(Party::SeedBot));
        assert_eq!(Party::partner(Some("moltbook"), &ids), None);
        assert_eq!(Party::partner(None, &ids), None);
    }

    #[test]
    fn a_vote_on_a_catalog_post_names_the_seed_bot_after_the_agents() {
        let mut m = Moltbook::new(cfg(false), 2);
        let o = m.handle(1, StateType::Honest, Act::Vote { post: 0 }, 0).unwrap();
        assert_eq!(o.counterparty, Party::SeedBot);
        assert_eq!(o.counterparty.trace_id(2), (3, false));
        assert_eq!(PARTIES[1], "seed_bot");
        let o = m.handle(1, StateType::Honest, Act::Post, 0).unwrap();
        assert_eq!(o.counterparty.trace_id(2), (2, false));
        assert_eq!(PARTIES[0], "moltbook");
        let o = m.handle(0, StateType::Honest, Act::Vote { post: 3 }, 0).unwrap();
        assert_eq!(o.counterparty.trace_id(2), (1, true));
    }
}
