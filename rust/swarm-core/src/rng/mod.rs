//! The reference's two random number generators, ported bit for bit
//! (spec §5.2, §5.3):
//!
//! * [`PyRandom`]: CPython's `random.Random` (MT19937) with the helper
//!   methods the reference draws through: `random`, `getrandbits`,
//!   `_randbelow`, `randint`, `choice`, `uniform`, `shuffle`, `gauss`.
//! * [`NumpyPcg64`]: `numpy.random.default_rng(seed)` — SeedSequence
//!   seeding of PCG64 (XSL-RR 128/64), with `random()` and the Lemire
//!   bounded integers that `Generator.integers` and `Generator.choice` use.
//!
//! Both are checked against the live Python and numpy implementations in
//! `tests/test_rng.py`.

mod mt;

pub use mt::StreamLayout;
use mt::{Mt, StreamSource};

/// CPython's `random.Random`.
#[derive(Clone)]
pub struct PyRandom {
    src: StreamSource,
    /// `gauss` caches its second normal deviate per generator.
    gauss_next: Option<f64>,
}

impl std::fmt::Debug for PyRandom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PyRandom").finish_non_exhaustive()
    }
}

impl PyRandom {
    /// `random.Random(seed)` for an integer seed: the key is the 32-bit
    /// little-endian words of |seed| (`[0]` for 0), fed to `init_by_array`.
    pub fn new(seed: i128) -> Self {
        PyRandom { src: StreamSource::Full(Mt::seeded(seed)), gauss_next: None }
    }

    /// `Random(s)` for each seed, seeded together (several streams per
    /// pass) and stored as `layout` says. Same outputs as [`PyRandom::new`].
    pub fn many(seeds: &[i128], layout: StreamLayout) -> Vec<Self> {
        mt::seed_many(seeds, layout)
            .into_iter()
            .map(|src| PyRandom { src, gauss_next: None })
            .collect()
    }

    #[inline(always)]
    fn next_u32(&mut self) -> u32 {
        self.src.next_u32()
    }

    /// A hint that this stream will draw soon (see `StreamSource::prefetch`).
    #[inline]
    pub fn prefetch(&self) {
        self.src.prefetch()
    }

    /// `random()`: 53 bits from two outputs. Always inlined: it is the
    /// draw policies make most, and a call costs more than the draw.
    #[inline(always)]
    pub fn random(&mut self) -> f64 {
        let (a, b) = self.src.next_two();
        let (a, b) = (f64::from(a >> 5), f64::from(b >> 6));
        (a * 67_108_864.0 + b) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `getrandbits(k)` for 1 ≤ k ≤ 64: 32-bit words, least significant
    /// first; the last word keeps its top bits.
    #[inline]
    pub fn getrandbits(&mut self, k: u32) -> u64 {
        debug_assert!((1..=64).contains(&k));
        if k <= 32 {
            return u64::from(self.next_u32() >> (32 - k));
        }
        let low = u64::from(self.next_u32());
        let high = u64::from(self.next_u32() >> (64 - k));
        low | (high << 32)
    }

    /// The positions `random.sample(population, k)` picks from a
    /// population of `n`, in order (CPython 3.11): a pool swap for small
    /// populations, else rejection of repeats against a set. The caller
    /// ensures `k <= n`.
    pub fn sample_indices(&mut self, n: usize, k: usize) -> Vec<usize> {
        debug_assert!(k <= n);
        let mut setsize = 21usize;
        if k > 5 {
            // 4 ** ceil(log(k * 3, 4)), with math.log's two natural logarithms.
            let e = ((k as f64 * 3.0).ln() / 4f64.ln()).ceil() as u32;
            setsize += 4usize.saturating_pow(e);
        }
        let mut out = Vec::with_capacity(k);
        if n <= setsize {
            let mut pool: Vec<usize> = (0..n).collect();
            for i in 0..k {
                let j = self.randbelow((n - i) as u64) as usize;
                out.push(pool[j]);
                pool[j] = pool[n - i - 1];
            }
        } else {
            let mut selected = std::collections::HashSet::with_capacity(k);
            for _ in 0..k {
                let mut j = self.randbelow(n as u64) as usize;
                while selected.contains(&j) {
                    j = self.randbelow(n as u64) as usize;
                }
                selected.insert(j);
                out.push(j);
            }
        }
        out
    }

    /// `_randbelow(n)` for n ≥ 1: rejection sampling on `bit_length(n)`
    /// bits; n = 1 still consumes a draw.
    #[inline]
    pub fn randbelow(&mut self, n: u64) -> u64 {
        debug_assert!(n >= 1);
        let k = 64 - n.leading_zeros();
        loop {
            let r = self.getrandbits(k);
            if r < n {
                return r;
            }
        }
    }

    /// `randint(a, b)`, both ends included.
    pub fn randint(&mut self, a: i64, b: i64) -> i64 {
        a + self.randbelow((b - a + 1) as u64) as i64
    }

    /// The index `choice(seq)` picks for a sequence of length `len` ≥ 1.
    #[inline]
    pub fn choice_index(&mut self, len: usize) -> usize {
        self.randbelow(len as u64) as usize
    }

    pub fn uniform(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.random()
    }

    /// `shuffle(x)`: Fisher–Yates from the end.
    pub fn shuffle<T>(&mut self, x: &mut [T]) {
        for i in (1..x.len()).rev() {
            let j = self.randbelow(i as u64 + 1) as usize;
            x.swap(i, j);
        }
    }

    /// `gauss(mu, sigma)`: Box–Muller with the cached second deviate.
    pub fn gauss(&mut self, mu: f64, sigma: f64) -> f64 {
        let z = match self.gauss_next.take() {
            Some(z) => z,
            None => {
                let x2pi = self.random() * std::f64::consts::TAU;
                let g2rad = (-2.0 * (1.0 - self.random()).ln()).sqrt();
                self.gauss_next = Some(x2pi.sin() * g2rad);
                x2pi.cos() * g2rad
            }
        };
        mu + z * sigma
    }
}

/// The 32-bit little-endian words of `n`, `[0]` for 0: how both CPython's
/// `random.seed` and numpy's `SeedSequence` cut an integer seed.
fn words32(mut n: u128) -> Vec<u32> {
    let mut words = Vec::with_capacity(4);
    loop {
        words.push(n as u32);
        n >>= 32;
        if n == 0 {
            return words;
        }
    }
}

/// numpy's `SeedSequence(seed).generate_state(n_words_u32)` for a
/// non-negative integer seed, no spawn key, pool size 4.
pub fn seed_sequence_state(seed: u128, n_words: usize) -> Vec<u32> {
    const INIT_A: u32 = 0x43b0_d7e5;
    const MULT_A: u32 = 0x931e_8875;
    const INIT_B: u32 = 0x8b51_f9dd;
    const MULT_B: u32 = 0x58f3_8ded;
    const MIX_MULT_L: u32 = 0xca01_f9dd;
    const MIX_MULT_R: u32 = 0x4973_f715;
    const XSHIFT: u32 = 16;
    const POOL: usize = 4;

    let entropy = words32(seed);
    let mut hash_const = INIT_A;
    let mut hashmix = |value: u32| {
        let mut v = value ^ hash_const;
        hash_const = hash_const.wrapping_mul(MULT_A);
        v = v.wrapping_mul(hash_const);
        v ^ (v >> XSHIFT)
    };
    let mix = |x: u32, y: u32| {
        let r = MIX_MULT_L.wrapping_mul(x).wrapping_sub(MIX_MULT_R.wrapping_mul(y));
        r ^ (r >> XSHIFT)
    };
    let mut pool = [0u32; POOL];
    for (i, slot) in pool.iter_mut().enumerate() {
        *slot = hashmix(entropy.get(i).copied().unwrap_or(0));
    }
    for src in 0..POOL {
        for dst in 0..POOL {
            if src != dst {
                let h = hashmix(pool[src]);
                pool[dst] = mix(pool[dst], h);
            }
        }
    }
    for &word in entropy.iter().skip(POOL) {
        for slot in pool.iter_mut() {
            let h = hashmix(word);
            *slot = mix(*slot, h);
        }
    }
    let mut hash_const = INIT_B;
    (0..n_words)
        .map(|i| {
            let mut v = pool[i % POOL] ^ hash_const;
            hash_const = hash_const.wrapping_mul(MULT_B);
            v = v.wrapping_mul(hash_const);
            v ^ (v >> XSHIFT)
        })
        .collect()
}

/// numpy's PCG64 bit generator as `default_rng(seed)` seeds it.
#[derive(Debug, Clone)]
pub struct NumpyPcg64 {
    state: u128,
    inc: u128,
    /// The high half of the last 64-bit draw, served by the next 32-bit
    /// request (numpy's `has_uint32` buffer).
    spare32: Option<u32>,
}

const PCG_MULT: u128 = 0x2360_ED05_1FC6_5DA4_4385_DF64_9FCC_F645;

impl NumpyPcg64 {
    pub fn new(seed: u64) -> Self {
        let w = seed_sequence_state(u128::from(seed), 8);
        let word = |i: usize| u64::from(w[2 * i]) | (u64::from(w[2 * i + 1]) << 32);
        let init_state = (u128::from(word(0)) << 64) | u128::from(word(1));
        let init_seq = (u128::from(word(2)) << 64) | u128::from(word(3));
        let mut g = NumpyPcg64 { state: 0, inc: (init_seq << 1) | 1, spare32: None };
        g.step();
        g.state = g.state.wrapping_add(init_state);
        g.step();
        g
    }

    #[inline]
    fn step(&mut self) {
        self.state = self.state.wrapping_mul(PCG_MULT).wrapping_add(self.inc);
    }

    /// XSL-RR output of the advanced state.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.step();
        let s = self.state;
        let rot = (s >> 122) as u32;
        (((s >> 64) as u64) ^ (s as u64)).rotate_right(rot)
    }

    #[inline]
    fn next_u32(&mut self) -> u32 {
        if let Some(v) = self.spare32.take() {
            return v;
        }
        let v = self.next_u64();
        self.spare32 = Some((v >> 32) as u32);
        v as u32
    }

    /// `Generator.random()`.
    pub fn random(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `Generator.integers(0, n)` (and so `Generator.choice` of a list of
    /// length n) for 1 ≤ n ≤ 2^32: Lemire's method on 32-bit draws;
    /// n = 1 returns 0 without drawing.
    pub fn integers(&mut self, n: u64) -> u64 {
        assert!((1..=1u64 << 32).contains(&n), "integers: range out of the 32-bit path");
        if n == 1 {
            return 0;
        }
        if n == 1 << 32 {
            return u64::from(self.next_u32());
        }
        let threshold = ((1u64 << 32) - n) % n;
        loop {
            let m = u64::from(self.next_u32()) * n;
            if (m & 0xffff_ffff) >= threshold {
                return m >> 32;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors produced by CPython 3.11 `random` and numpy 2.4 on the
    // machine that wrote this port; tests/test_rng.py checks many more
    // seeds live against the installed interpreter and numpy.
    #[test]
    fn mt_matches_cpython() {
        let mut r = PyRandom::new(42);
        assert_eq!(r.random(), 0.6394267984578837);
        assert_eq!(r.random(), 0.025010755222666936);
        assert_eq!(r.random(), 0.27502931836911926);
        assert_eq!(r.randint(0, 10), 3);
        assert_eq!(r.getrandbits(40), 808053162473);
        assert_eq!(PyRandom::new(1 << 40 | 7).random(), 0.6137037779936511);
        assert_eq!(PyRandom::new(-7).random(), PyRandom::new(7).random());
    }

    #[test]
    fn gauss_and_shuffle_match_cpython() {
        let mut r = PyRandom::new(3);
        assert_eq!(r.gauss(0.0, 1.5), 0.14206205743095635);
        assert_eq!(r.gauss(0.0, 1.5), 1.8750365716253254);
        assert_eq!(r.gauss(1.0, 2.0), -0.8627567354414141);
        let mut x: Vec<u32> = (0..10).collect();
        PyRandom::new(5).shuffle(&mut x);
        assert_eq!(x, vec![2, 3, 1, 0, 8, 7, 6, 5, 4, 9]);
    }

    #[test]
    fn pcg64_matches_numpy() {
        let mut g = NumpyPcg64::new(42);
        assert_eq!(g.random(), 0.7739560485559633);
        assert_eq!(g.random(), 0.4388784397520523);
        assert_eq!(g.integers(7), 3);
        assert_eq!(g.integers(1_000_003), 858600);
        assert_eq!(g.random(), 0.6973680290593639);
        assert_eq!(NumpyPcg64::new(0).random(), 0.6369616873214543);
    }
}
