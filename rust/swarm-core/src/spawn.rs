//! The `spawn:` subsystem of swarm-safety 1.9.0 (`swarm/core/spawn.py` and
//! the orchestrator's spawn path): a tree of who spawned whom, the checks a
//! parent passes before it may spawn, and the per-epoch spawn metrics.
//!
//! Every agent of the scenario is registered as a root at start; a child
//! joins the population when its parent's SPAWN action passes
//! [`SpawnTree::can_spawn`]. Children are appended, so a node's index is the
//! agent's index in the engine. Only agents whose policy emits SPAWN (the
//! tierra agent) ever spawn; the other agent types never do, and with them
//! the subsystem changes nothing but the metrics.
//!
//! The reference's SpawnTree also holds payoff attribution, cascade bans
//! and freezes and depth noise, but no code path of 1.9.0 calls them, so
//! they are not ported (their keys are checked and accepted).

use serde::{Deserialize, Serialize};

/// The keys of a `spawn:` section the run reads (the others are validated
/// in Python and dropped).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpawnConfig {
    pub spawn_cost: f64,
    pub max_depth: u64,
    pub max_children: u64,
    pub max_total_spawned: u64,
    pub reputation_inheritance_factor: f64,
    pub initial_child_resources: f64,
    pub min_resources_to_spawn: f64,
    pub spawn_cooldown_steps: i64,
}

impl Default for SpawnConfig {
    fn default() -> Self {
        SpawnConfig {
            spawn_cost: 10.0,
            max_depth: 3,
            max_children: 3,
            max_total_spawned: 50,
            reputation_inheritance_factor: 0.5,
            initial_child_resources: 50.0,
            min_resources_to_spawn: 20.0,
            spawn_cooldown_steps: 5,
        }
    }
}

/// The tree, one node per agent (roots first, then children as spawned).
#[derive(Debug, Clone)]
pub struct SpawnTree {
    pub cfg: SpawnConfig,
    parent: Vec<Option<u32>>,
    depth: Vec<u64>,
    children: Vec<u64>,
    /// The global step of the node's last spawn; -1 before its first.
    last_spawn_step: Vec<i64>,
    /// The root of each node's tree, and each root's tree size.
    root: Vec<u32>,
    tree_size: Vec<u64>,
    n_roots: usize,
    total_spawned: u64,
    /// Children spawned so far (the counter of their ids and seeds).
    pub counter: u64,
}

/// One epoch's spawn metrics (the reference's `EpochMetrics.spawn_metrics`).
#[derive(Debug, Clone, PartialEq)]
pub struct SpawnSnapshot {
    pub total_spawned: u64,
    pub max_depth: u64,
    /// Agents at each depth, from depth 0 (no depth is skipped: a node at
    /// depth d + 1 has a parent at depth d).
    pub depth_distribution: Vec<u64>,
    /// Each root's tree size, roots in registration order.
    pub tree_sizes: Vec<u64>,
}

impl SpawnTree {
    /// A tree whose `n` initial agents are all roots.
    pub fn new(cfg: SpawnConfig, n: usize) -> Self {
        SpawnTree {
            cfg,
            parent: vec![None; n],
            depth: vec![0; n],
            children: vec![0; n],
            last_spawn_step: vec![-1; n],
            root: (0..n as u32).collect(),
            tree_size: vec![1; n],
            n_roots: n,
            total_spawned: 0,
            counter: 0,
        }
    }

    pub fn depth(&self, i: usize) -> u64 {
        self.depth[i]
    }

    /// Whether agent `i` may spawn now (`SpawnTree.can_spawn`, in its order
    /// of checks; no node is ever banned in the reference's runs).
    pub fn can_spawn(&self, i: usize, global_step: i64, resources: f64) -> bool {
        let c = &self.cfg;
        if self.depth[i] >= c.max_depth
            || self.children[i] >= c.max_children
            || self.total_spawned >= c.max_total_spawned
            || resources < c.min_resources_to_spawn
            || resources < c.spawn_cost
        {
            return false;
        }
        let last = self.last_spawn_step[i];
        !(last >= 0 && global_step - last < c.spawn_cooldown_steps)
    }

    /// Register the child just appended (index `len()`) under `parent`.
    pub fn register_spawn(&mut self, parent: usize, global_step: i64) {
        let root = self.root[parent];
        self.parent.push(Some(parent as u32));
        self.depth.push(self.depth[parent] + 1);
        self.children.push(0);
        self.last_spawn_step.push(-1);
        self.root.push(root);
        self.children[parent] += 1;
        self.last_spawn_step[parent] = global_step;
        self.tree_size[root as usize] += 1;
        self.total_spawned += 1;
    }

    pub fn len(&self) -> usize {
        self.depth.len()
    }

    pub fn is_empty(&self) -> bool {
        self.depth.is_empty()
    }

    pub fn snapshot(&self) -> SpawnSnapshot {
        let max_depth = self.depth.iter().copied().max().unwrap_or(0);
        let mut dist = vec![0u64; if self.depth.is_empty() { 0 } else { max_depth as usize + 1 }];
        for &d in &self.depth {
            dist[d as usize] += 1;
        }
        SpawnSnapshot {
            total_spawned: self.total_spawned,
            max_depth,
            depth_distribution: dist,
            tree_sizes: self.tree_size[..self.n_roots].to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_in_order_and_counts() {
        let cfg = SpawnConfig {
            max_depth: 2,
            max_children: 2,
            max_total_spawned: 3,
            spawn_cooldown_steps: 5,
            ..SpawnConfig::default()
        };
        let mut t = SpawnTree::new(cfg, 2);
        assert!(t.can_spawn(0, 0, 100.0));
        assert!(!t.can_spawn(0, 0, 19.9), "min_resources_to_spawn");
        t.register_spawn(0, 3); // node 2, depth 1
        assert!(!t.can_spawn(0, 7, 100.0), "cooldown: 4 steps < 5");
        assert!(t.can_spawn(0, 8, 100.0));
        t.register_spawn(2, 9); // node 3, depth 2
        assert!(!t.can_spawn(3, 20, 100.0), "max_depth");
        t.register_spawn(0, 10); // node 4
        assert!(!t.can_spawn(0, 30, 100.0), "max_children");
        assert!(!t.can_spawn(1, 30, 100.0), "max_total_spawned");
        let s = t.snapshot();
        assert_eq!(s.total_spawned, 3);
        assert_eq!(s.max_depth, 2);
        assert_eq!(s.depth_distribution, vec![2, 2, 1]);
        assert_eq!(s.tree_sizes, vec![4, 1]);
    }
}
