//! Per-epoch metrics (spec §15.1) and the interaction trace.
//!
//! Every EpochMetrics field is a left-to-right sum over the epoch's
//! interactions in completion order, so it is accumulated as interactions
//! complete: memory stays flat however many interactions an epoch has.

use crate::types::{AgentIdx, InteractionType};

#[derive(Debug, Clone, Copy, Default)]
pub struct EpochRow {
    pub epoch: u32,
    pub total_interactions: u64,
    pub accepted_interactions: u64,
    pub total_posts: u64,
    pub total_votes: u64,
    pub toxicity_rate: f64,
    pub quality_gap: f64,
    pub avg_payoff: f64,
    pub total_welfare: f64,
    pub net_social_welfare: f64,
}

#[derive(Debug, Clone, Default)]
pub struct EpochAccumulator {
    total: u64,
    accepted: u64,
    toxicity_sum: f64,
    p_accepted_sum: f64,
    p_rejected_sum: f64,
    welfare_sum: f64,
    net_welfare_sum: f64,
    initiator_payoff_sum: f64,
}

impl EpochAccumulator {
    /// Fold in one finalised interaction. Payoffs are the ones computed at
    /// completion; the reference recomputes them from the stored costs and
    /// gets the same values.
    pub fn add(&mut self, accepted: bool, p: f64, pay_a: f64, pay_b: f64, social_surplus: f64) {
        self.total += 1;
        if accepted {
            self.accepted += 1;
            self.toxicity_sum += 1.0 - p;
            self.p_accepted_sum += p;
            self.welfare_sum += pay_a + pay_b;
            self.net_welfare_sum += social_surplus;
            self.initiator_payoff_sum += pay_a;
        } else {
            self.p_rejected_sum += p;
        }
    }

    /// Close the epoch. An epoch with no interactions reports zeros,
    /// feed totals included (Q18).
    pub fn finish(&mut self, epoch: u32, total_posts: usize, total_votes: usize) -> EpochRow {
        let a = std::mem::take(self);
        if a.total == 0 {
            return EpochRow { epoch, ..Default::default() };
        }
        let rejected = a.total - a.accepted;
        let (toxicity, avg_payoff) = if a.accepted > 0 {
            let n = a.accepted as f64;
            (a.toxicity_sum / n, a.initiator_payoff_sum / n)
        } else {
            (0.0, 0.0)
        };
        let quality_gap = if a.accepted > 0 && rejected > 0 {
            a.p_accepted_sum / a.accepted as f64 - a.p_rejected_sum / rejected as f64
        } else {
            0.0
        };
        EpochRow {
            epoch,
            total_interactions: a.total,
            accepted_interactions: a.accepted,
            total_posts: total_posts as u64,
            total_votes: total_votes as u64,
            toxicity_rate: toxicity,
            quality_gap,
            avg_payoff,
            total_welfare: a.welfare_sum,
            net_social_welfare: a.net_welfare_sum,
        }
    }
}

/// Run-level sums over every finalised interaction, in completion order:
/// what the pooled quality gap, conditional loss and spread (spec §15.3)
/// need, even when no trace is kept.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunTotals {
    pub accepted: u64,
    pub rejected: u64,
    pub p_accepted_sum: f64,
    pub p_rejected_sum: f64,
    pub p_sum: f64,
    pub payoff_a_sum: f64,
    pub payoff_b_sum: f64,
    pub payoff_a_accepted_sum: f64,
    pub payoff_b_accepted_sum: f64,
}

impl RunTotals {
    pub fn add(&mut self, accepted: bool, p: f64, pay_a: f64, pay_b: f64) {
        self.p_sum += p;
        self.payoff_a_sum += pay_a;
        self.payoff_b_sum += pay_b;
        if accepted {
            self.accepted += 1;
            self.p_accepted_sum += p;
            self.payoff_a_accepted_sum += pay_a;
            self.payoff_b_accepted_sum += pay_b;
        } else {
            self.rejected += 1;
            self.p_rejected_sum += p;
        }
    }

    /// E[p | accepted] − E[p | rejected] over the run, 0 if a side is empty.
    pub fn quality_gap(&self) -> f64 {
        if self.accepted == 0 || self.rejected == 0 {
            return 0.0;
        }
        self.p_accepted_sum / self.accepted as f64 - self.p_rejected_sum / self.rejected as f64
    }
}

/// Column-wise record of every finalised interaction, in completion order.
///
/// The trace grows with the run, so its growth is fallible: a row that does
/// not fit (the allocator refuses, or `limit` rows are reached) marks the
/// trace `overflowed` instead of aborting the process; the engine turns that
/// into a configuration error after the step.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    pub epoch: Vec<u32>,
    pub step: Vec<u32>,
    pub initiator: Vec<AgentIdx>,
    pub counterparty: Vec<AgentIdx>,
    pub interaction_type: Vec<u8>,
    pub accepted: Vec<bool>,
    pub v_hat: Vec<f64>,
    pub p: Vec<f64>,
    pub c_a: Vec<f64>,
    pub c_b: Vec<f64>,
    pub payoff_initiator: Vec<f64>,
    pub payoff_counterparty: Vec<f64>,
    /// At most this many rows are kept (the caller's memory budget).
    pub limit: u64,
    /// A row could not be stored; the run must stop with an error.
    pub overflowed: bool,
    /// Rows every column holds without growing, and at most `limit`: below
    /// it a row is stored without asking twelve columns for room.
    room: usize,
}

/// One finalised interaction, as the trace stores it.
#[derive(Debug, Clone, Copy)]
pub struct InteractionRow {
    pub epoch: u32,
    pub step: u32,
    pub initiator: AgentIdx,
    pub counterparty: AgentIdx,
    pub kind: InteractionType,
    pub accepted: bool,
    pub v_hat: f64,
    pub p: f64,
    pub c_a: f64,
    pub c_b: f64,
    pub payoff_initiator: f64,
    pub payoff_counterparty: f64,
}

impl Trace {
    /// Bytes one row takes in the twelve columns.
    pub const ROW_BYTES: u64 = 4 + 4 + 4 + 4 + 1 + 1 + 6 * 8;

    /// An empty trace with room for `rows` (at most `limit`) before its
    /// columns first grow (each growth re-allocates twelve columns).
    pub fn with_capacity(rows: usize, limit: u64) -> Self {
        let rows = rows.min(usize::try_from(limit).unwrap_or(usize::MAX));
        Trace {
            epoch: Vec::with_capacity(rows),
            step: Vec::with_capacity(rows),
            initiator: Vec::with_capacity(rows),
            counterparty: Vec::with_capacity(rows),
            interaction_type: Vec::with_capacity(rows),
            accepted: Vec::with_capacity(rows),
            v_hat: Vec::with_capacity(rows),
            p: Vec::with_capacity(rows),
            c_a: Vec::with_capacity(rows),
            c_b: Vec::with_capacity(rows),
            payoff_initiator: Vec::with_capacity(rows),
            payoff_counterparty: Vec::with_capacity(rows),
            limit,
            overflowed: false,
            room: 0,
        }
        .with_room()
    }

    /// Recount [`Trace::room`] after the columns' capacities changed.
    fn with_room(mut self) -> Self {
        self.recount_room();
        self
    }

    fn recount_room(&mut self) {
        let room = [
            self.epoch.capacity(),
            self.step.capacity(),
            self.initiator.capacity(),
            self.counterparty.capacity(),
            self.interaction_type.capacity(),
            self.accepted.capacity(),
            self.v_hat.capacity(),
            self.p.capacity(),
            self.c_a.capacity(),
            self.c_b.capacity(),
            self.payoff_initiator.capacity(),
            self.payoff_counterparty.capacity(),
        ]
        .into_iter()
        .min()
        .unwrap_or(0);
        self.room = room.min(usize::try_from(self.limit).unwrap_or(usize::MAX));
    }

    /// Make room for one more row in every column, or report that it does
    /// not fit. Amortised: a column grows by doubling, as `push` would.
    /// Out of line: most rows fit in the room already made.
    #[cold]
    #[inline(never)]
    fn make_room(&mut self) -> bool {
        if self.overflowed || self.p.len() as u64 >= self.limit {
            return false;
        }
        let grown = self.epoch.try_reserve(1).is_ok()
            && self.step.try_reserve(1).is_ok()
            && self.initiator.try_reserve(1).is_ok()
            && self.counterparty.try_reserve(1).is_ok()
            && self.interaction_type.try_reserve(1).is_ok()
            && self.accepted.try_reserve(1).is_ok()
            && self.v_hat.try_reserve(1).is_ok()
            && self.p.try_reserve(1).is_ok()
            && self.c_a.try_reserve(1).is_ok()
            && self.c_b.try_reserve(1).is_ok()
            && self.payoff_initiator.try_reserve(1).is_ok()
            && self.payoff_counterparty.try_reserve(1).is_ok();
        self.recount_room();
        grown
    }

    /// Store one row; when it does not fit, set `overflowed` and drop it.
    #[inline(always)]
    pub fn push(&mut self, r: InteractionRow) {
        if self.p.len() >= self.room && !self.make_room() {
            self.overflowed = true;
            return;
        }
        self.epoch.push(r.epoch);
        self.step.push(r.step);
        self.initiator.push(r.initiator);
        self.counterparty.push(r.counterparty);
        self.interaction_type.push(r.kind.code());
        self.accepted.push(r.accepted);
        self.v_hat.push(r.v_hat);
        self.p.push(r.p);
        self.c_a.push(r.c_a);
        self.c_b.push(r.c_b);
        self.payoff_initiator.push(r.payoff_initiator);
        self.payoff_counterparty.push(r.payoff_counterparty);
    }

    pub fn len(&self) -> usize {
        self.p.len()
    }

    pub fn is_empty(&self) -> bool {
        self.p.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(i: u32) -> InteractionRow {
        InteractionRow {
            epoch: i,
            step: 0,
            initiator: 0,
            counterparty: 1,
            kind: InteractionType::Collaboration,
            accepted: true,
            v_hat: 0.0,
            p: 0.5,
            c_a: 0.0,
            c_b: 0.0,
            payoff_initiator: 0.0,
            payoff_counterparty: 0.0,
        }
    }

    #[test]
    fn a_trace_stops_at_its_limit_and_says_so() {
        let mut t = Trace::with_capacity(1024, 3);
        for i in 0..3 {
            t.push(row(i));
        }
        assert!(!t.overflowed);
        assert_eq!(t.len(), 3);
        t.push(row(3));
        assert!(t.overflowed);
        assert_eq!(t.len(), 3);
        assert_eq!(t.epoch, vec![0, 1, 2]);
    }

    #[test]
    fn a_trace_grows_past_its_first_room_and_keeps_every_row() {
        // From no room at all, and past several doublings, up to a limit
        // that is not a capacity.
        let mut t = Trace::with_capacity(0, 1000);
        for i in 0..1000 {
            t.push(row(i));
        }
        assert!(!t.overflowed);
        assert_eq!(t.epoch, (0..1000).collect::<Vec<_>>());
        assert_eq!(t.accepted.len(), 1000);
        assert_eq!(t.payoff_counterparty.len(), 1000);
        t.push(row(1000));
        assert!(t.overflowed);
        assert_eq!(t.len(), 1000);
    }
}
