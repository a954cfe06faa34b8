//! The eligible list of a step (spec §3.3 step 2): which agents act this
//! step, and in which order.
//!
//! The reference orders all N agents every step (registration order, a
//! shuffle by R_o, or a stable sort by reputation) and then walks the list
//! until `max_actions_per_step` agents pass the freeze and governance
//! checks. Round robin and priority here walk only as far as they must:
//! registration order needs no list, and the priority order is kept as a
//! set sorted by reputation, updated at every reputation write, so a step
//! costs O((A + skipped) log N) instead of O(N log N). The random schedule
//! must shuffle all N agents: its N - 1 draws from R_o move every later
//! draw of that stream.

use std::collections::BTreeSet;

use crate::agents::ranked::ordered;
use crate::config::ScheduleMode;
use crate::rng::PyRandom;
use crate::types::AgentIdx;

#[derive(Debug, Clone)]
pub(crate) enum Schedule {
    /// Registration order, the same every step (Q10).
    RoundRobin,
    /// `R_o.shuffle` of the registration order, every step.
    Random { order: Vec<AgentIdx> },
    /// Reputation, descending; ties in registration order.
    Priority(Priority),
}

#[derive(Debug, Clone)]
pub(crate) enum Priority {
    /// Sorted afresh every step, as the reference does.
    Sorted { order: Vec<AgentIdx> },
    /// Kept sorted: (descending reputation key, agent), with each agent's
    /// current key. `ordered` maps -0.0 to 0.0, which Python's sort also
    /// treats as equal; reputations are finite (validated inputs).
    Kept { set: BTreeSet<(u64, AgentIdx)>, keys: Vec<u64> },
}

/// Smallest key first is the highest reputation first.
fn descending(reputation: f64) -> u64 {
    !ordered(reputation)
}

impl Schedule {
    /// `kept`: keep the priority order sorted instead of sorting per step.
    pub(crate) fn new(mode: ScheduleMode, reputation: &[f64], kept: bool) -> Self {
        let n = reputation.len();
        match mode {
            ScheduleMode::RoundRobin => Schedule::RoundRobin,
            ScheduleMode::Random => Schedule::Random { order: Vec::with_capacity(n) },
            ScheduleMode::Priority if kept => {
                let keys: Vec<u64> = reputation.iter().map(|&r| descending(r)).collect();
                let set = keys.iter().enumerate().map(|(i, &k)| (k, i as AgentIdx)).collect();
                Schedule::Priority(Priority::Kept { set, keys })
            }
            ScheduleMode::Priority => {
                Schedule::Priority(Priority::Sorted { order: Vec::with_capacity(n) })
            }
        }
    }

    /// Agent `i`'s reputation may have changed.
    #[inline]
    pub(crate) fn reputation_changed(&mut self, i: usize, reputation: f64) {
        if let Schedule::Priority(Priority::Kept { set, keys }) = self {
            let key = descending(reputation);
            if keys[i] != key {
                set.remove(&(keys[i], i as AgentIdx));
                set.insert((key, i as AgentIdx));
                keys[i] = key;
            }
        }
    }

    /// Fill `out` with the step's eligible agents: in schedule order, the
    /// first `max` that `admits` (not frozen, let in by governance).
    pub(crate) fn eligible(
        &mut self,
        r_o: &mut PyRandom,
        reputation: &[f64],
        max: usize,
        mut admits: impl FnMut(AgentIdx) -> bool,
        out: &mut Vec<AgentIdx>,
    ) {
        out.clear();
        let n = reputation.len();
        let order: &mut dyn Iterator<Item = AgentIdx> = match self {
            Schedule::RoundRobin => &mut (0..n as AgentIdx),
            Schedule::Random { order } => {
                order.clear();
                order.extend(0..n as AgentIdx);
                r_o.shuffle(order);
                &mut order.iter().copied()
            }
            Schedule::Priority(Priority::Sorted { order }) => {
                order.clear();
                order.extend(0..n as AgentIdx);
                // Stable, descending: ties keep registration order.
                order.sort_by(|&a, &b| {
                    reputation[b as usize]
                        .partial_cmp(&reputation[a as usize])
                        .unwrap_or(std::cmp::Ordering::Equal)
                });
                &mut order.iter().copied()
            }
            Schedule::Priority(Priority::Kept { set, .. }) => &mut set.iter().map(|&(_, a)| a),
        };
        for a in order {
            if out.len() >= max {
                break;
            }
            if admits(a) {
                out.push(a);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kept order matches the per-step sort through reputation changes
    /// with ties, signed zeros and agents refused.
    #[test]
    fn kept_priority_matches_the_sort() {
        let mut rep = vec![0.0f64; 40];
        let mut sorted = Schedule::new(ScheduleMode::Priority, &rep, false);
        let mut kept = Schedule::new(ScheduleMode::Priority, &rep, true);
        let mut r_o = PyRandom::new(7);
        let mut draws = PyRandom::new(11);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for step in 0..400 {
            for _ in 0..3 {
                let i = draws.choice_index(rep.len());
                rep[i] = match draws.choice_index(4) {
                    0 => -0.0,
                    1 => 0.0,
                    2 => f64::from(draws.randint(-2, 2) as i32) * 0.5,
                    _ => draws.gauss(0.0, 1.0),
                };
                kept.reputation_changed(i, rep[i]);
            }
            let max = 1 + step % 25;
            let admits = |x: AgentIdx| !(x as usize + step).is_multiple_of(3);
            sorted.eligible(&mut r_o, &rep, max, admits, &mut a);
            kept.eligible(&mut r_o, &rep, max, admits, &mut b);
            assert_eq!(a, b, "step {step}");
            let admitted = (0..rep.len() as AgentIdx).filter(|&x| admits(x)).count();
            assert_eq!(a.len(), max.min(admitted));
        }
    }
}
