//! Small maps keyed by post index: a voter's ballots (feed) and an honest
//! agent's vote records (agent memory).
//!
//! Both are read or written on nearly every vote, and the honest policy
//! asks about all 20 visible posts whenever it votes. An open-addressing
//! table with linear probing, at most half full, makes a lookup a multiply,
//! a load and a compare or two, where a general-purpose map costs several
//! times that. Post indices never reach `EMPTY`, which marks a free slot.

const EMPTY: u32 = u32::MAX;
/// Slots of a table's first allocation.
const FIRST: usize = 8;

#[derive(Debug, Clone, Default)]
pub struct PostMap<V: Copy + Default> {
    slots: Vec<(u32, V)>,
    len: usize,
    /// 32 − log2(capacity): Fibonacci hashing takes the top bits.
    shift: u32,
}

impl<V: Copy + Default> PostMap<V> {
    #[inline]
    fn home(&self, post: u32) -> usize {
        (post.wrapping_mul(0x9E37_79B9) >> self.shift) as usize
    }

    /// Ok(slot of `post`) or Err(the free slot where it would go); the
    /// table must have slots.
    #[inline]
    fn find(&self, post: u32) -> Result<usize, usize> {
        let mask = self.slots.len() - 1;
        let mut i = self.home(post);
        loop {
            let k = self.slots[i].0;
            if k == post {
                return Ok(i);
            }
            if k == EMPTY {
                return Err(i);
            }
            i = (i + 1) & mask;
        }
    }

    #[inline]
    pub fn get(&self, post: u32) -> Option<V> {
        if self.len == 0 {
            return None;
        }
        self.find(post).ok().map(|i| self.slots[i].1)
    }

    #[inline]
    pub fn get_mut(&mut self, post: u32) -> Option<&mut V> {
        if self.len == 0 {
            return None;
        }
        let i = self.find(post).ok()?;
        Some(&mut self.slots[i].1)
    }

    #[inline]
    pub fn contains(&self, post: u32) -> bool {
        self.get(post).is_some()
    }

    /// Set `post`'s value; returns the previous one.
    #[inline(always)]
    pub fn insert(&mut self, post: u32, v: V) -> Option<V> {
        debug_assert_ne!(post, EMPTY);
        if self.slots.is_empty() {
            self.resize(FIRST);
        }
        match self.find(post) {
            Ok(i) => Some(std::mem::replace(&mut self.slots[i].1, v)),
            Err(i) => {
                self.slots[i] = (post, v);
                self.len += 1;
                if 2 * self.len > self.slots.len() {
                    self.resize(2 * self.slots.len());
                }
                None
            }
        }
    }

    pub fn remove(&mut self, post: u32) -> Option<V> {
        if self.len == 0 {
            return None;
        }
        let hole = self.find(post).ok()?;
        let v = self.slots[hole].1;
        self.delete_at(hole);
        Some(v)
    }

    /// Free slot `hole`, pulling back later entries of its run whose home
    /// is not between the hole and them (so every probe still finds them).
    fn delete_at(&mut self, mut hole: usize) {
        let mask = self.slots.len() - 1;
        self.len -= 1;
        let mut j = hole;
        loop {
            j = (j + 1) & mask;
            let k = self.slots[j].0;
            if k == EMPTY {
                break;
            }
            let home = self.home(k);
            let reachable =
                if hole <= j { hole < home && home <= j } else { hole < home || home <= j };
            if !reachable {
                self.slots[hole] = self.slots[j];
                hole = j;
            }
        }
        self.slots[hole] = (EMPTY, V::default());
    }

    fn resize(&mut self, capacity: usize) {
        let old = std::mem::replace(&mut self.slots, vec![(EMPTY, V::default()); capacity]);
        self.shift = 32 - capacity.trailing_zeros();
        for (k, v) in old {
            if k != EMPTY {
                let Err(i) = self.find(k) else { unreachable!("keys are distinct") };
                self.slots[i] = (k, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Against a hash map, under inserts, updates in place and removals
    /// over few keys (long probe runs, wrap-around, backward shifts) and
    /// growth, checking every key after each change.
    #[test]
    fn matches_a_map() {
        let mut rng = crate::rng::PyRandom::new(5);
        for span in [8u64, 40, 300] {
            let mut t: PostMap<u32> = PostMap::default();
            let mut m: HashMap<u32, u32> = HashMap::new();
            for step in 0..20_000u32 {
                let key = rng.randbelow(span) as u32 * 7;
                let r = rng.random();
                if r < 0.45 {
                    assert_eq!(t.insert(key, step), m.insert(key, step));
                } else if r < 0.55 {
                    if let Some(v) = t.get_mut(key) {
                        *v += 1;
                    }
                    if let Some(v) = m.get_mut(&key) {
                        *v += 1;
                    }
                } else {
                    assert_eq!(t.remove(key), m.remove(&key));
                }
                assert_eq!(t.len, m.len(), "span {span} step {step}");
                for k in 0..span as u32 {
                    let k = k * 7;
                    assert_eq!(t.get(k), m.get(&k).copied(), "span {span} step {step} key {k}");
                }
            }
        }
    }
}
