//! Per-partner records a policy keeps (trust, ledgers, counts, sets).
//!
//! Policies look these up several times a turn. In a small population a
//! slot per agent makes a lookup one index; in a large one the slots would
//! cost population² memory across agents, so records go in a hash map.
//! Iteration order differs between the two, and no caller depends on it
//! (ties are broken by agent index wherever records are compared).

use rustc_hash::FxHashMap;

use crate::types::AgentIdx;

/// Populations up to this size keep a slot per agent.
pub(crate) const DENSE_UP_TO: usize = 64;

#[derive(Debug, Clone)]
pub(crate) enum AgentMap<V> {
    /// `slots[b]` is b's record; allocated at the first record.
    Dense {
        slots: Vec<Option<V>>,
        population: usize,
    },
    Sparse(FxHashMap<AgentIdx, V>),
}

impl<V> AgentMap<V> {
    /// A map for records about the agents of a `population`.
    pub(crate) fn new(population: usize) -> Self {
        if population <= DENSE_UP_TO {
            AgentMap::Dense { slots: Vec::new(), population }
        } else {
            AgentMap::Sparse(FxHashMap::default())
        }
    }

    #[inline]
    pub(crate) fn get(&self, b: AgentIdx) -> Option<&V> {
        match self {
            AgentMap::Dense { slots, .. } => slots.get(b as usize)?.as_ref(),
            AgentMap::Sparse(m) => m.get(&b),
        }
    }

    #[inline]
    pub(crate) fn get_mut(&mut self, b: AgentIdx) -> Option<&mut V> {
        match self {
            AgentMap::Dense { slots, .. } => slots.get_mut(b as usize)?.as_mut(),
            AgentMap::Sparse(m) => m.get_mut(&b),
        }
    }

    #[inline]
    pub(crate) fn contains_key(&self, b: AgentIdx) -> bool {
        self.get(b).is_some()
    }

    /// The slot for `b`, filled with `make()` if empty.
    #[inline]
    pub(crate) fn get_or_insert_with(&mut self, b: AgentIdx, make: impl FnOnce() -> V) -> &mut V {
        match self {
            AgentMap::Dense { slots, population } => {
                dense_slot(slots, *population, b).get_or_insert_with(make)
            }
            AgentMap::Sparse(m) => m.entry(b).or_insert_with(make),
        }
    }

    /// Set b's record; returns the previous one. The dense case is a few
    /// instructions and runs on every outcome of a small run: always
    /// inlined (as a call it cost more than its body); the hashed case
    /// stays a call.
    #[inline(always)]
    pub(crate) fn insert(&mut self, b: AgentIdx, v: V) -> Option<V> {
        match self {
            AgentMap::Dense { slots, population } => dense_slot(slots, *population, b).replace(v),
            AgentMap::Sparse(m) => sparse_insert(m, b, v),
        }
    }

    pub(crate) fn remove(&mut self, b: AgentIdx) -> Option<V> {
        match self {
            AgentMap::Dense { slots, .. } => slots.get_mut(b as usize)?.take(),
            AgentMap::Sparse(m) => m.remove(&b),
        }
    }

    /// Every record, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (AgentIdx, &V)> + '_ {
        let (dense, sparse) = match self {
            AgentMap::Dense { slots, .. } => (Some(slots), None),
            AgentMap::Sparse(m) => (None, Some(m)),
        };
        let dense = dense.into_iter().flat_map(|s| {
            s.iter().enumerate().filter_map(|(b, v)| Some((b as AgentIdx, v.as_ref()?)))
        });
        dense.chain(sparse.into_iter().flat_map(|m| m.iter().map(|(&b, v)| (b, v))))
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = AgentIdx> + '_ {
        self.iter().map(|(b, _)| b)
    }
}

/// b's slot in a dense map, allocating the slots (one per agent of the
/// population, or up to b) at the first record.
#[inline]
fn dense_slot<V>(slots: &mut Vec<Option<V>>, population: usize, b: AgentIdx) -> &mut Option<V> {
    let i = b as usize;
    if i >= slots.len() {
        grow_slots(slots, population.max(i + 1));
    }
    &mut slots[i]
}

/// The slots' one allocation per map: out of the record path.
#[cold]
#[inline(never)]
fn grow_slots<V>(slots: &mut Vec<Option<V>>, len: usize) {
    slots.resize_with(len, || None);
}

#[inline(never)]
fn sparse_insert<V>(m: &mut FxHashMap<AgentIdx, V>, b: AgentIdx, v: V) -> Option<V> {
    m.insert(b, v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Both representations behave as a map under inserts, updates and
    /// removals, including indices past the stated population.
    #[test]
    fn both_forms_match_a_map() {
        let mut rng = crate::rng::PyRandom::new(8);
        for population in [5usize, DENSE_UP_TO, DENSE_UP_TO + 1, 500] {
            let mut m: AgentMap<u64> = AgentMap::new(population);
            assert_eq!(matches!(m, AgentMap::Dense { .. }), population <= DENSE_UP_TO);
            let mut want: BTreeMap<AgentIdx, u64> = BTreeMap::new();
            for step in 0..5_000u64 {
                let b = rng.randbelow(population as u64 + 3) as AgentIdx;
                match rng.randbelow(4) {
                    0 => assert_eq!(m.insert(b, step), want.insert(b, step)),
                    1 => assert_eq!(m.remove(b), want.remove(&b)),
                    2 => {
                        *m.get_or_insert_with(b, || 7) += 1;
                        *want.entry(b).or_insert(7) += 1;
                    }
                    _ => {
                        if let Some(v) = m.get_mut(b) {
                            *v *= 2;
                        }
                        if let Some(v) = want.get_mut(&b) {
                            *v *= 2;
                        }
                    }
                }
                let mut all: Vec<(AgentIdx, u64)> = m.iter().map(|(b, &v)| (b, v)).collect();
                all.sort_unstable();
                let model: Vec<(AgentIdx, u64)> = want.iter().map(|(&b, &v)| (b, v)).collect();
                assert_eq!(all, model, "population {population} step {step}");
                assert_eq!(m.contains_key(b), want.contains_key(&b));
            }
        }
    }
}
