//! Marketplace and task pool (spec §13): bounties, bids, escrow, disputes
//! and the tasks bounties create. Enabled by a `marketplace:` section.
//!
//! Nothing here produces interactions or payoffs; it moves resources
//! (posting, expiry refunds, dispute settlements) and steers policies
//! through the observation fields of §13.3. Ids are indices (spec §0).

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use crate::types::AgentIdx;

/// Spec §13.1. `bid_deadline_epochs` is read by the reference but unused.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MarketplaceConfig {
    pub escrow_fee_rate: f64,
    pub min_bounty_amount: f64,
    pub max_bids_per_bounty: u64,
    pub dispute_resolution_epochs: i64,
    pub auto_expire_bounties: bool,
    pub dispute_default_split: f64,
}

impl Default for MarketplaceConfig {
    fn default() -> Self {
        MarketplaceConfig {
            escrow_fee_rate: 0.02,
            min_bounty_amount: 1.0,
            max_bids_per_bounty: 10,
            dispute_resolution_epochs: 2,
            auto_expire_bounties: true,
            dispute_default_split: 0.5,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BountyStatus {
    Open,
    Awarded,
    Disputed,
    Completed,
    Failed,
    Expired,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BidStatus {
    Pending,
    Accepted,
    Rejected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EscrowStatus {
    Held,
    Released,
    Refunded,
    Partial,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskStatus {
    Open,
    Claimed,
    Submitted,
}

#[derive(Debug, Clone)]
struct Bounty {
    poster: AgentIdx,
    task: u32,
    reward: f64,
    min_reputation: f64,
    /// 0 or none: no deadline (the reference tests it for truthiness).
    deadline: Option<i64>,
    status: BountyStatus,
    bids: Vec<u32>,
}

#[derive(Debug, Clone)]
struct Bid {
    bidder: AgentIdx,
    amount: f64,
    status: BidStatus,
}

#[derive(Debug, Clone)]
struct Escrow {
    bounty: u32,
    poster: AgentIdx,
    worker: AgentIdx,
    amount: f64,
    status: EscrowStatus,
}

#[derive(Debug, Clone)]
struct Dispute {
    escrow: u32,
    filed_epoch: i64,
    open: bool,
}

#[derive(Debug, Clone)]
struct Task {
    bounty: f64,
    min_reputation: f64,
    deadline: Option<i64>,
    status: TaskStatus,
    claimed_by: Option<AgentIdx>,
}

fn past(deadline: Option<i64>, epoch: i64) -> bool {
    matches!(deadline, Some(d) if d != 0 && epoch >= d)
}

/// An open bounty as `available_bounties` lists it.
#[derive(Debug, Clone, Copy)]
pub struct BountyView {
    pub id: u32,
    pub reward: f64,
}

/// A pending bid on one of the agent's own open bounties.
#[derive(Debug, Clone, Copy)]
pub struct BidView {
    pub bounty: u32,
    pub bid: u32,
    pub bidder: AgentIdx,
    pub amount: f64,
}

/// A task as `available_tasks` / `active_tasks` list it. Marketplace tasks
/// are always of difficulty "medium".
#[derive(Debug, Clone, Copy)]
pub struct TaskView {
    pub id: u32,
    pub bounty: f64,
    pub min_reputation: f64,
    pub status: TaskStatus,
}

/// The marketplace fields of one observation (spec §13.3).
#[derive(Debug, Default, Clone)]
pub struct MarketView {
    pub available_bounties: Vec<BountyView>,
    pub active_escrows: Vec<u32>,
    pub bid_decisions: Vec<BidView>,
    pub available_tasks: Vec<TaskView>,
    pub active_tasks: Vec<TaskView>,
}

/// Resource movements the engine applies to agents.
pub type Transfers = Vec<(AgentIdx, f64)>;

#[derive(Debug, Clone, Default)]
pub struct Marketplace {
    cfg: MarketplaceConfig,
    bounties: Vec<Bounty>,
    bids: Vec<Bid>,
    escrows: Vec<Escrow>,
    disputes: Vec<Dispute>,
    tasks: Vec<Task>,
    bounties_by_agent: HashMap<AgentIdx, Vec<u32>>,
    escrows_by_agent: HashMap<AgentIdx, Vec<u32>>,
    tasks_by_agent: HashMap<AgentIdx, Vec<u32>>,
}

impl Marketplace {
    pub fn new(cfg: MarketplaceConfig) -> Self {
        Marketplace { cfg, ..Default::default() }
    }

    /// The observation fields for `agent` with live reputation `rep`.
    pub fn view(&self, agent: AgentIdx, rep: f64, epoch: i64, out: &mut MarketView) {
        out.available_bounties.clear();
        out.active_escrows.clear();
        out.bid_decisions.clear();
        out.available_tasks.clear();
        out.active_tasks.clear();
        for (i, b) in self.bounties.iter().enumerate() {
            if b.status == BountyStatus::Open
                && !past(b.deadline, epoch)
                && b.min_reputation <= rep
                && b.poster != agent
            {
                out.available_bounties.push(BountyView { id: i as u32, reward: b.reward });
            }
        }
        for &e in self.escrows_by_agent.get(&agent).into_iter().flatten() {
            if self.escrows[e as usize].status == EscrowStatus::Held {
                out.active_escrows.push(e);
            }
        }
        for &b in self.bounties_by_agent.get(&agent).into_iter().flatten() {
            let bounty = &self.bounties[b as usize];
            if bounty.status != BountyStatus::Open {
                continue;
            }
            for &bid in &bounty.bids {
                let x = &self.bids[bid as usize];
                if x.status == BidStatus::Pending {
                    out.bid_decisions.push(BidView {
                        bounty: b,
                        bid,
                        bidder: x.bidder,
                        amount: x.amount,
                    });
                }
            }
        }
        // Open tasks past their deadline are expired whenever this list is
        // built, i.e. before any action of the epoch: "open and not past
        // the deadline" is the same test. Highest bounty first, at most 10.
        for (i, t) in self.tasks.iter().enumerate() {
            if t.status == TaskStatus::Open && !past(t.deadline, epoch) && t.min_reputation <= rep {
                out.available_tasks.push(self.task_view(i as u32));
            }
        }
        out.available_tasks.sort_by(|a, b| b.bounty.total_cmp(&a.bounty));
        out.available_tasks.truncate(10);
        for &t in self.tasks_by_agent.get(&agent).into_iter().flatten() {
            if self.tasks[t as usize].status == TaskStatus::Claimed {
                out.active_tasks.push(self.task_view(t));
            }
        }
    }

    fn task_view(&self, id: u32) -> TaskView {
        let t = &self.tasks[id as usize];
        TaskView { id, bounty: t.bounty, min_reputation: t.min_reputation, status: t.status }
    }

    /// POST_BOUNTY once the rate limit and the poster's resources were
    /// checked: the task is created first and stays even when the bounty
    /// is then refused for being below the minimum (Q17). Returns whether
    /// the bounty was posted (the caller then deducts the reward).
    pub fn post_bounty(
        &mut self,
        poster: AgentIdx,
        reward: f64,
        min_reputation: f64,
        deadline: Option<i64>,
    ) -> bool {
        let task = self.tasks.len() as u32;
        self.tasks.push(Task {
            bounty: reward,
            min_reputation,
            deadline,
            status: TaskStatus::Open,
            claimed_by: None,
        });
        if reward < self.cfg.min_bounty_amount {
            return false;
        }
        let id = self.bounties.len() as u32;
        self.bounties.push(Bounty {
            poster,
            task,
            reward,
            min_reputation,
            deadline,
            status: BountyStatus::Open,
            bids: Vec::new(),
        });
        self.bounties_by_agent.entry(poster).or_default().push(id);
        true
    }

    /// PLACE_BID: false when the bid is invalid (§13.1).
    pub fn place_bid(&mut self, bounty: u32, bidder: AgentIdx, amount: f64) -> bool {
        let Some(b) = self.bounties.get(bounty as usize) else {
            return false;
        };
        if b.status != BountyStatus::Open
            || amount > b.reward
            || amount <= 0.0
            || bidder == b.poster
        {
            return false;
        }
        let pending: Vec<&Bid> = b
            .bids
            .iter()
            .map(|&i| &self.bids[i as usize])
            .filter(|x| x.status == BidStatus::Pending)
            .collect();
        if pending.len() as u64 >= self.cfg.max_bids_per_bounty
            || pending.iter().any(|x| x.bidder == bidder)
        {
            return false;
        }
        let id = self.bids.len() as u32;
        self.bids.push(Bid { bidder, amount, status: BidStatus::Pending });
        self.bounties[bounty as usize].bids.push(id);
        true
    }

    /// ACCEPT_BID: creates the escrow, awards the bounty, rejects the other
    /// pending bids, then tries to give the task to the worker (silently
    /// failing if it was claimed already). `worker_rep` is read live.
    pub fn accept_bid(
        &mut self,
        bounty: u32,
        bid: u32,
        poster: AgentIdx,
        worker_rep: impl Fn(AgentIdx) -> f64,
    ) -> bool {
        let Some(b) = self.bounties.get(bounty as usize) else {
            return false;
        };
        if b.poster != poster || b.status != BountyStatus::Open || !b.bids.contains(&bid) {
            return false;
        }
        let Some(x) = self.bids.get(bid as usize) else {
            return false;
        };
        if x.status != BidStatus::Pending {
            return false;
        }
        let (worker, amount) = (x.bidder, x.amount);
        let escrow = self.escrows.len() as u32;
        self.escrows.push(Escrow { bounty, poster, worker, amount, status: EscrowStatus::Held });
        self.bounties[bounty as usize].status = BountyStatus::Awarded;
        self.bids[bid as usize].status = BidStatus::Accepted;
        for &other in &self.bounties[bounty as usize].bids {
            if other != bid && self.bids[other as usize].status == BidStatus::Pending {
                self.bids[other as usize].status = BidStatus::Rejected;
            }
        }
        for who in [poster, worker] {
            self.escrows_by_agent.entry(who).or_default().push(escrow);
        }
        let task = self.bounties[bounty as usize].task;
        self.claim_task(task, worker, worker_rep(worker));
        true
    }

    /// FILE_DISPUTE on a held escrow by its poster or worker, if no dispute
    /// on it is open.
    pub fn file_dispute(&mut self, escrow: u32, filer: AgentIdx, epoch: i64) -> bool {
        let Some(e) = self.escrows.get(escrow as usize) else {
            return false;
        };
        if e.status != EscrowStatus::Held || (filer != e.poster && filer != e.worker) {
            return false;
        }
        if self.disputes.iter().any(|d| d.escrow == escrow && d.open) {
            return false;
        }
        let bounty = e.bounty;
        self.disputes.push(Dispute { escrow, filed_epoch: epoch, open: true });
        self.bounties[bounty as usize].status = BountyStatus::Disputed;
        true
    }

    /// CLAIM_TASK (and the claim inside ACCEPT_BID).
    pub fn claim_task(&mut self, task: u32, agent: AgentIdx, rep: f64) -> bool {
        let Some(t) = self.tasks.get_mut(task as usize) else {
            return false;
        };
        if t.status != TaskStatus::Open || rep < t.min_reputation {
            return false;
        }
        t.status = TaskStatus::Claimed;
        t.claimed_by = Some(agent);
        self.tasks_by_agent.entry(agent).or_default().push(task);
        true
    }

    /// SUBMIT_OUTPUT by the claimer.
    pub fn submit_output(&mut self, task: u32, agent: AgentIdx) -> bool {
        match self.tasks.get_mut(task as usize) {
            Some(t) if t.claimed_by == Some(agent) => {
                t.status = TaskStatus::Submitted;
                true
            }
            _ => false,
        }
    }

    /// Epoch-end maintenance (§13.2): expiry with refunds, then dispute
    /// auto-resolution. Returns the resource transfers, in order.
    pub fn epoch_end(&mut self, epoch: i64) -> Transfers {
        let mut out = Vec::new();
        if self.cfg.auto_expire_bounties {
            for b in &mut self.bounties {
                if b.status == BountyStatus::Open && past(b.deadline, epoch) {
                    b.status = BountyStatus::Expired;
                    for &bid in &b.bids {
                        if self.bids[bid as usize].status == BidStatus::Pending {
                            self.bids[bid as usize].status = BidStatus::Rejected;
                        }
                    }
                    out.push((b.poster, b.reward));
                }
            }
        }
        let share = self.cfg.dispute_default_split.clamp(0.0, 1.0);
        for d in &mut self.disputes {
            if !d.open || epoch - d.filed_epoch < self.cfg.dispute_resolution_epochs {
                continue;
            }
            d.open = false;
            let e = &mut self.escrows[d.escrow as usize];
            let fee = e.amount * self.cfg.escrow_fee_rate;
            let distributable = e.amount - fee;
            let worker_amount = distributable * share;
            let poster_amount = distributable * (1.0 - share);
            e.status = if share >= 0.99 {
                EscrowStatus::Released
            } else if share <= 0.01 {
                EscrowStatus::Refunded
            } else {
                EscrowStatus::Partial
            };
            self.bounties[e.bounty as usize].status =
                if share > 0.5 { BountyStatus::Completed } else { BountyStatus::Failed };
            out.push((e.worker, worker_amount));
            out.push((e.poster, poster_amount));
        }
        out
    }
}
