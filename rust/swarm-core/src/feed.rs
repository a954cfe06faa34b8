//! The feed: posts, votes and their ranking (spec §1.6, §4.2).
//!
//! The reference ranks by `net_votes − 0.01·age_hours` with wall-clock age;
//! that is "net votes descending, newest first among equals" (Q6). An ordered
//! set keeps that ranking incrementally, so reading the top 20 costs O(20)
//! however many posts exist (the reference re-sorts every post per turn).

use std::cmp::Reverse;
use std::collections::BTreeSet;

use rustc_hash::FxHashMap as HashMap;

use crate::observation::PostView;
use crate::types::Actor;

#[derive(Debug, Clone)]
struct Post {
    author: Actor,
    up: i64,
    down: i64,
}

#[derive(Debug, Default, Clone)]
pub struct Feed {
    posts: Vec<Post>,
    /// (voter, post) → upvote?
    votes: HashMap<(Actor, u32), bool>,
    ranking: BTreeSet<(Reverse<i64>, Reverse<u32>)>,
    /// The current top posts, rebuilt lazily after a change.
    top: Vec<PostView>,
    top_stale: bool,
}

/// How many posts an observation shows.
pub const VISIBLE_POSTS: usize = 20;

impl Feed {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn total_posts(&self) -> usize {
        self.posts.len()
    }

    /// Distinct (voter, post) pairs.
    pub fn total_votes(&self) -> usize {
        self.votes.len()
    }

    pub fn create_post(&mut self, author: Actor) -> u32 {
        let idx = self.posts.len() as u32;
        self.posts.push(Post { author, up: 0, down: 0 });
        self.ranking.insert((Reverse(0), Reverse(idx)));
        self.top_stale = true;
        idx
    }

    /// Apply a vote; false if the post does not exist. A repeat vote in the
    /// same direction is a no-op success; the opposite direction flips it.
    pub fn vote(&mut self, voter: Actor, post: u32, up: bool) -> bool {
        let Some(p) = self.posts.get(post as usize) else {
            return false;
        };
        let before = p.up - p.down;
        match self.votes.get(&(voter, post)).copied() {
            Some(prev) if prev == up => return true,
            Some(_) => {
                let p = &mut self.posts[post as usize];
                if up {
                    p.down -= 1;
                    p.up += 1;
                } else {
                    p.up -= 1;
                    p.down += 1;
                }
            }
            None => {
                let p = &mut self.posts[post as usize];
                if up {
                    p.up += 1;
                } else {
                    p.down += 1;
                }
            }
        }
        self.votes.insert((voter, post), up);
        let p = &self.posts[post as usize];
        let after = p.up - p.down;
        if before != after {
            self.ranking.remove(&(Reverse(before), Reverse(post)));
            self.ranking.insert((Reverse(after), Reverse(post)));
            self.top_stale = true;
        }
        true
    }

    /// Fill `out` with the top posts in ranking order.
    pub fn top_posts(&mut self, out: &mut Vec<PostView>) {
        if self.top_stale {
            self.top.clear();
            self.top.extend(self.ranking.iter().take(VISIBLE_POSTS).map(|&(_, Reverse(idx))| {
                PostView { idx, author: self.posts[idx as usize].author }
            }));
            self.top_stale = false;
        }
        out.clear();
        out.extend_from_slice(&self.top);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranking_is_net_votes_then_newest() {
        let mut f = Feed::new();
        for _ in 0..3 {
            f.create_post(Actor::Anonymous);
        }
        let mut out = Vec::new();
        f.top_posts(&mut out);
        assert_eq!(out.iter().map(|p| p.idx).collect::<Vec<_>>(), vec![2, 1, 0]);
        assert!(f.vote(Actor::Agent(0), 0, true));
        assert!(f.vote(Actor::Agent(0), 2, false));
        f.top_posts(&mut out);
        assert_eq!(out.iter().map(|p| p.idx).collect::<Vec<_>>(), vec![0, 1, 2]);
        // Same-direction repeat is a no-op; the flip moves post 2 up past 1.
        assert!(f.vote(Actor::Agent(0), 0, true));
        assert!(f.vote(Actor::Agent(0), 2, true));
        f.top_posts(&mut out);
        assert_eq!(out.iter().map(|p| p.idx).collect::<Vec<_>>(), vec![2, 0, 1]);
        assert_eq!(f.total_votes(), 2);
        assert!(!f.vote(Actor::Agent(1), 9, true));
    }
}
