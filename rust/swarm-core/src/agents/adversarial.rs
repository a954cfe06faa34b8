//! Adversarial agent (spec §11.4).

use rustc_hash::FxHashSet as HashSet;

use super::{answer, choose_where, first_max_by};
use crate::config::AgentParams;
use crate::observation::{Observation, ProposalView};
use crate::rng::PyRandom;
use crate::types::{Action, Actor, AgentIdx, InteractionType, StateType};

#[derive(Debug, Clone)]
pub struct Adversarial {
    target_honest: bool,
    post_probability: f64,
    attack_probability: f64,
    /// Both sets only grow.
    allies: HashSet<AgentIdx>,
    targets: HashSet<AgentIdx>,
    cooldown: u32,
}

impl Adversarial {
    pub fn new(c: &AgentParams) -> Self {
        Adversarial {
            target_honest: c.target_honest.unwrap_or(true),
            post_probability: c.post_probability.unwrap_or(0.5),
            attack_probability: c.attack_probability.unwrap_or(0.6),
            allies: HashSet::default(),
            targets: HashSet::default(),
            cooldown: 0,
        }
    }

    fn friendly(&self, who: AgentIdx) -> bool {
        self.allies.contains(&who) || self.targets.contains(&who)
    }

    pub fn act(&mut self, obs: &Observation, rng: &mut PyRandom) -> Action {
        self.cooldown = self.cooldown.saturating_sub(1);
        for v in obs.visible_iter() {
            if self.target_honest
                && v.state_type == StateType::Honest
                && (v.resources > 50.0 || v.reputation > 0.0)
            {
                self.targets.insert(v.idx);
            }
            if v.state_type == StateType::Adversarial {
                self.allies.insert(v.idx);
            }
        }
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
            return answer(&p, self.friendly(p.initiator) || rng.random() < 0.4);
        }
        if self.cooldown == 0 && rng.random() < self.attack_probability {
            let attack = self.attack(obs, rng);
            if attack != Action::Noop {
                self.cooldown = 2;
                return attack;
            }
        }
        if obs.can_post && rng.random() < self.post_probability {
            rng.choice_index(5);
            return Action::Post;
        }
        if obs.can_vote && !obs.posts.is_empty() {
            let post = obs
                .posts
                .iter()
                .find(|p| matches!(p.author, Actor::Agent(a) if self.targets.contains(&a)))
                .unwrap_or(&obs.posts[0]);
            return Action::Vote { post: post.idx, up: false };
        }
        if obs.can_interact && obs.has_visible() {
            let target = choose_where(rng, obs.visible_iter(), |v| self.targets.contains(&v.idx))
                .or_else(|| choose_where(rng, obs.visible_iter(), |_| true));
            if let Some(v) = target {
                return Action::Propose { target: v.idx, kind: InteractionType::Trade };
            }
        }
        Action::Noop
    }

    fn attack(&self, obs: &Observation, rng: &mut PyRandom) -> Action {
        if obs.can_interact {
            if let Some(v) =
                choose_where(rng, obs.visible_iter(), |v| self.targets.contains(&v.idx))
            {
                return Action::Propose { target: v.idx, kind: InteractionType::Trade };
            }
        }
        let tasks = &obs.market.available_tasks;
        if obs.can_claim_task && !tasks.is_empty() {
            let t = first_max_by(tasks.iter(), |t| t.bounty).expect("non-empty");
            return Action::ClaimTask { task: t.id };
        }
        if obs.can_post {
            rng.choice_index(4);
            return Action::Post;
        }
        Action::Noop
    }

    pub fn accept(&mut self, prop: &ProposalView, rng: &mut PyRandom) -> bool {
        if self.friendly(prop.initiator) {
            return true;
        }
        match prop.kind {
            InteractionType::Trade => true,
            InteractionType::Collaboration => rng.random() < 0.3,
            _ => rng.random() < 0.5,
        }
    }
}
