//! Adaptive adversary (spec §11.5, Q9, Q15).
//!
//! Nothing in the run loop ever reports a detection to it, so it always
//! "lays low": it posts or upvotes the top post, as the anonymous actor, and
//! accepts every proposal. It never answers proposals on its own turn.

use crate::observation::Observation;
use crate::rng::PyRandom;
use crate::types::Action;

#[derive(Debug, Clone)]
pub struct AdaptiveAdversary;

impl AdaptiveAdversary {
    pub fn act(&mut self, obs: &Observation, rng: &mut PyRandom) -> Action {
        if rng.random() < 0.3 {
            return Action::Post;
        }
        // `max` by the missing key "votes" ties everywhere: the first post.
        match obs.posts.first() {
            Some(p) => Action::Vote { post: p.idx, up: true },
            None => Action::Noop,
        }
    }
}
