//! Adversarial agent (spec §11.4).

use super::agent_map::AgentMap;
use super::{answer, anyone, choose_where, first_max_by};
use crate::config::AgentParams;
use crate::index::{IndexView, LapsedSeen};
use crate::observation::{Observation, ProposalView};
use crate::rng::PyRandom;
use crate::types::{Action, Actor, AgentIdx, InteractionType, StateType};

#[derive(Debug, Clone)]
pub struct Adversarial {
    target_honest: bool,
    post_probability: f64,
    attack_probability: f64,
    /// Both sets only grow. Kept by scanning when the engine has no index
    /// history; otherwise `scans` stands for them (see `index`).
    allies: AgentMap<()>,
    targets: AgentMap<()>,
    /// The index's time stamps of this agent's scans, ascending.
    scans: Vec<u64>,
    /// Its recorded targets that no longer qualify (with the index).
    lapsed: LapsedSeen,
    cooldown: u32,
    /// The transfer of its latest proposal: −1.0 to a target, none to
    /// anyone else (`propose_interaction`; corrected model only).
    offer: f64,
}

/// What this adversary has recorded, in whichever form the run keeps.
struct Seen<'a, 'o> {
    me: &'a Adversarial,
    ix: Option<IndexView<'o>>,
}

impl Seen<'_, '_> {
    fn target(&self, who: AgentIdx) -> bool {
        match self.ix {
            Some(ix) => self.me.target_honest && ix.is_honest(who) && ix.seen(who, &self.me.scans),
            None => self.me.targets.contains_key(who),
        }
    }

    fn friendly(&self, who: AgentIdx) -> bool {
        match self.ix {
            // Honest agents are only ever targets, adversarial ones allies.
            Some(ix) if ix.is_honest(who) => self.target(who),
            Some(ix) => ix.seen(who, &self.me.scans),
            None => self.me.allies.contains_key(who) || self.me.targets.contains_key(who),
        }
    }
}

impl Adversarial {
    pub fn new(c: &AgentParams, population: usize) -> Self {
        Adversarial {
            target_honest: c.target_honest.unwrap_or(true),
            post_probability: c.post_probability.unwrap_or(0.5),
            attack_probability: c.attack_probability.unwrap_or(0.6),
            allies: AgentMap::new(population),
            targets: AgentMap::new(population),
            scans: Vec::new(),
            lapsed: LapsedSeen::default(),
            cooldown: 0,
            offer: 0.0,
        }
    }

    /// `CH([v for v in visible if v in targets])`, None (no draw) if empty.
    fn choose_target(&mut self, obs: &Observation, rng: &mut PyRandom) -> Option<AgentIdx> {
        let Some(ix) = self.seen(obs).ix else {
            return choose_where(rng, obs.visible_iter(), |v| self.targets.contains_key(v.idx))
                .map(|v| v.idx);
        };
        if !self.target_honest {
            return None;
        }
        let len = ix.recorded_targets(&self.scans, &mut self.lapsed);
        if len == 0 {
            return None;
        }
        ix.nth_recorded(&self.lapsed, rng.choice_index(len))
    }

    fn seen<'a, 'o>(&'a self, obs: &Observation<'o>) -> Seen<'a, 'o> {
        Seen { me: self, ix: obs.indexed().filter(|ix| ix.scan_time().is_some()) }
    }

    /// The scan of the visible list every turn starts with.
    fn scan(&mut self, obs: &Observation) {
        if let Some(t) = obs.indexed().and_then(|ix| ix.scan_time()) {
            if self.scans.last() != Some(&t) {
                self.scans.push(t);
            }
            return;
        }
        for v in obs.visible_iter() {
            if self.target_honest
                && v.state_type == StateType::Honest
                && (v.resources > 50.0 || v.reputation > 0.0)
            {
                self.targets.insert(v.idx, ());
            }
            if v.state_type == StateType::Adversarial {
                self.allies.insert(v.idx, ());
            }
        }
    }

    pub fn act(&mut self, obs: &Observation, rng: &mut PyRandom) -> Action {
        self.cooldown = self.cooldown.saturating_sub(1);
        self.scan(obs);
        // Bait bounty: a no-op without a marketplace (Q1).
        if obs.resources > 10.0 && rng.random() < 0.2 {
            let reward = rng.uniform(1.0, 5.0);
            let deadline = Some(i64::from(obs.epoch) + 1);
            return Action::PostBounty { reward, min_reputation: 0.0, deadline };
        }
        let escrows = &obs.market.active_escrows;
        if !escrows.is_empty() && rng.random() < 0.4 {
            return Action::FileDispute { escrow: escrows[rng.choice_index(escrows.len())] };
        }
        if let Some(p) = obs.pending {
            return answer(&p, self.seen(obs).friendly(p.initiator) || rng.random() < 0.4);
        }
        if self.cooldown == 0 && rng.random() < self.attack_probability {
            let attack = self.attack(obs, rng);
            if attack != Action::Noop {
                self.cooldown = 2;
                return attack;
            }
        }
        // Texts 0-4: the disruptive posts; 5-8: the attack posts.
        if obs.can_post && rng.random() < self.post_probability {
            let text = rng.choice_index(5) as u8;
            return Action::PostText { text };
        }
        if obs.can_vote && !obs.posts.is_empty() {
            let mem = self.seen(obs);
            let post = obs
                .posts
                .iter()
                .find(|p| matches!(p.author, Actor::Agent(a) if mem.target(a)))
                .unwrap_or(&obs.posts[0]);
            return Action::Vote { post: post.idx, up: false };
        }
        if obs.can_interact && obs.has_visible() {
            // Texts: 2 "Special deal just for you.", 3 "Let's do business."
            let kind = InteractionType::Trade;
            let chosen = self.choose_target(obs, rng);
            self.offer = if chosen.is_some() { -1.0 } else { 0.0 };
            if let Some(target) = chosen {
                return Action::ProposeText { target, kind, text: 2 };
            }
            if let Some(target) = anyone(obs, rng) {
                return Action::ProposeText { target, kind, text: 3 };
            }
        }
        Action::Noop
    }

    fn attack(&mut self, obs: &Observation, rng: &mut PyRandom) -> Action {
        if obs.can_interact {
            if let Some(target) = self.choose_target(obs, rng) {
                self.offer = -1.0;
                // "You won't want to miss this opportunity."
                return Action::ProposeText { target, kind: InteractionType::Trade, text: 1 };
            }
        }
        let tasks = &obs.market.available_tasks;
        if obs.can_claim_task && !tasks.is_empty() {
            let t = first_max_by(tasks.iter(), |t| t.bounty).expect("non-empty");
            return Action::ClaimTask { task: t.id };
        }
        if obs.can_post {
            let text = 5 + rng.choice_index(4) as u8;
            return Action::PostText { text };
        }
        Action::Noop
    }

    pub fn offer(&self) -> f64 {
        self.offer
    }

    pub fn accept(&mut self, prop: &ProposalView, obs: &Observation, rng: &mut PyRandom) -> bool {
        if self.seen(obs).friendly(prop.initiator) {
            return true;
        }
        match prop.kind {
            InteractionType::Trade => true,
            InteractionType::Collaboration => rng.random() < 0.3,
            _ => rng.random() < 0.5,
        }
    }
}
