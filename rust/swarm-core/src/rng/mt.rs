//! MT19937 as CPython seeds and runs it, and how the engine stores one
//! stream per agent (issue 4).
//!
//! Seeding is the cost that matters at scale: `init_by_array` is a chain
//! of 1,247 dependent multiply steps (~3 µs) per stream, and a stream's
//! state is 2.5 KB. So streams with one-word keys are seeded many at a
//! time, lane by lane (the chains are independent, so the compiler turns
//! the lane loop into vector instructions), and a large population keeps
//! only a short window of each stream's upcoming outputs instead of its
//! state. A window that runs out is seeded again and moved to its
//! position; then it keeps the full state if the population can afford it,
//! else a new window (and the full state once past its first block of 624
//! outputs). Every layout yields the same outputs in the same order.

const N: usize = 624;
const M: usize = 397;
const UPPER: u32 = 0x8000_0000;
const LOWER: u32 = 0x7fff_ffff;

/// `init_genrand(19650218)`, the fixed start of every `init_by_array`.
static GENRAND_19650218: [u32; N] = {
    let mut mt = [0u32; N];
    mt[0] = 19_650_218;
    let mut i = 1;
    while i < N {
        let prev = mt[i - 1];
        mt[i] = 1_812_433_253u32.wrapping_mul(prev ^ (prev >> 30)).wrapping_add(i as u32);
        i += 1;
    }
    mt
};

#[inline]
fn temper(mut y: u32) -> u32 {
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c_5680;
    y ^= (y << 15) & 0xefc6_0000;
    y ^ (y >> 18)
}

/// The twist of one word from the words it reads.
#[inline]
fn twisted(cur: u32, next: u32, far: u32) -> u32 {
    let y = (cur & UPPER) | (next & LOWER);
    far ^ (y >> 1) ^ if y & 1 == 0 { 0 } else { 0x9908_b0df }
}

/// Inverse of [`temper`]: each shift-xor step is undone by repeating it
/// until the shifted bits run out.
#[inline]
fn untemper(mut y: u32) -> u32 {
    y ^= y >> 18;
    y ^= (y << 15) & 0xefc6_0000;
    let mut z = y;
    for _ in 0..4 {
        z = y ^ ((z << 7) & 0x9d2c_5680);
    }
    z ^ (z >> 11) ^ (z >> 22)
}

/// One full generator state.
///
/// Once a block has been twisted, `mt` holds its words already tempered,
/// so an output is a plain load. The twist untempers the block, twists and
/// tempers it again in whole-array passes that the compiler vectorises
/// (a scalar twist and a temper per output cost ~20 instructions an
/// output; these passes ~5).
#[derive(Clone)]
pub(crate) struct Mt {
    mt: [u32; N],
    index: usize,
    /// `mt` holds tempered words (false only between seeding and the
    /// first twist).
    tempered: bool,
}

impl Mt {
    /// A seeded state (`mt` untempered), before its first twist.
    fn from_seeded(mt: [u32; N]) -> Self {
        Mt { mt, index: N, tempered: false }
    }

    /// Seeded in place on the heap: the state is 2.5 KB, so building it
    /// on the stack and moving it costs copies.
    pub(crate) fn seeded(seed: i128) -> Box<Self> {
        let mut r = Box::new(Mt::from_seeded(GENRAND_19650218));
        // The key `random.Random(seed)` feeds to `init_by_array`.
        r.init_by_array(&super::words32(seed.unsigned_abs()));
        r
    }

    fn init_by_array(&mut self, key: &[u32]) {
        let (mut i, mut j) = (1usize, 0usize);
        for _ in 0..N.max(key.len()) {
            let prev = self.mt[i - 1];
            self.mt[i] = (self.mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                self.mt[0] = self.mt[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let prev = self.mt[i - 1];
            self.mt[i] = (self.mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_566_083_941))
                .wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                self.mt[0] = self.mt[N - 1];
                i = 1;
            }
        }
        self.mt[0] = UPPER;
    }

    #[inline(never)]
    fn twist(&mut self) {
        twist_block_dispatch(&mut self.mt, self.tempered);
        self.tempered = true;
        self.index = 0;
    }

    #[inline]
    pub(crate) fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            self.twist();
        }
        let y = self.mt[self.index];
        self.index += 1;
        y
    }

    /// A freshly seeded stream moved on by `pos` outputs.
    fn at(seed: i128, pos: u64) -> Box<Self> {
        let mut r = Mt::seeded(seed);
        for _ in 0..=pos / N as u64 {
            r.twist();
        }
        r.index = (pos % N as u64) as usize;
        r
    }
}

/// The next block of a stream: `words` (tempered if `tempered`) becomes
/// the tempered words of the following block. Untempering, the in-place
/// twist and tempering are separate passes, each a vector loop (in the
/// twist, word k reads words k+1 and k+M, not yet overwritten for k < N-M,
/// and for later k, word k-227, overwritten long before).
#[inline(always)]
fn twist_block(words: &mut [u32; N], tempered: bool) {
    let mut s = if tempered { words.map(untemper) } else { *words };
    for k in 0..N - M {
        s[k] = twisted(s[k], s[k + 1], s[k + M]);
    }
    for k in N - M..N - 1 {
        s[k] = twisted(s[k], s[k + 1], s[k + M - N]);
    }
    s[N - 1] = twisted(s[N - 1], s[0], s[M - 1]);
    for (w, &x) in words.iter_mut().zip(s.iter()) {
        *w = temper(x);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn twist_block_avx2(words: &mut [u32; N], tempered: bool) {
    twist_block(words, tempered)
}

/// [`twist_block`], with AVX2 when the CPU has it (as [`init_lanes`]).
fn twist_block_dispatch(words: &mut [u32; N], tempered: bool) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU was just checked to support AVX2.
        unsafe { twist_block_avx2(words, tempered) };
        return;
    }
    twist_block(words, tempered)
}

/// Outputs a windowed stream keeps ahead: enough for a few turns.
const WINDOW: usize = 26;

/// A stream as its next outputs only (see the module notes).
#[derive(Clone)]
pub(crate) struct Window {
    seed: i128,
    /// Keep the full state at the first refill instead of a new window.
    keep_state: bool,
    /// Stream position of `buf[0]`, and of the next output.
    start: u64,
    pos: u64,
    buf: [u32; WINDOW],
}

#[derive(Clone)]
pub(crate) enum StreamSource {
    Full(Box<Mt>),
    Window(Window),
}

impl StreamSource {
    /// The next output. The common case (a full state inside its block) is
    /// a few inlined instructions; the rest is out of line.
    #[inline(always)]
    pub(crate) fn next_u32(&mut self) -> u32 {
        if let StreamSource::Full(mt) = self {
            let i = mt.index;
            if i < N {
                mt.index = i + 1;
                return mt.mt[i];
            }
        }
        self.next_u32_slow()
    }

    /// The next two outputs (`random()` always takes two), inlined like
    /// [`StreamSource::next_u32`] when both are in the current block.
    #[inline(always)]
    pub(crate) fn next_two(&mut self) -> (u32, u32) {
        if let StreamSource::Full(mt) = self {
            let i = mt.index;
            if i < N - 1 {
                mt.index = i + 2;
                return (mt.mt[i], mt.mt[i + 1]);
            }
        }
        self.next_two_slow()
    }

    #[inline(never)]
    fn next_two_slow(&mut self) -> (u32, u32) {
        (self.next_u32_slow(), self.next_u32_slow())
    }

    #[inline(never)]
    fn next_u32_slow(&mut self) -> u32 {
        match self {
            StreamSource::Full(mt) => mt.next_u32(),
            StreamSource::Window(w) => {
                let k = (w.pos - w.start) as usize;
                if k < WINDOW {
                    w.pos += 1;
                    return w.buf[k];
                }
                self.refill()
            }
        }
    }

    /// Ask the CPU to start loading the next output's word: the engine
    /// calls this for the next agent to act, whose 2.5 KB state is rarely
    /// in cache in a large population.
    #[inline]
    pub(crate) fn prefetch(&self) {
        #[cfg(target_arch = "x86_64")]
        if let StreamSource::Full(mt) = self {
            let word = &mt.mt[mt.index.min(N - 1)] as *const u32 as *const i8;
            // SAFETY: a prefetch is a hint; the address is a valid reference.
            unsafe { std::arch::x86_64::_mm_prefetch(word, std::arch::x86_64::_MM_HINT_T0) };
        }
    }

    /// The window ran out: seed the stream again at its position. Inside
    /// the first block the next window is cut out; past it, keep the state.
    #[cold]
    fn refill(&mut self) -> u32 {
        let StreamSource::Window(w) = self else { unreachable!("only windows refill") };
        let mut mt = Mt::at(w.seed, w.pos);
        if !w.keep_state && w.pos as usize + WINDOW <= N {
            w.start = w.pos;
            for slot in w.buf.iter_mut() {
                *slot = mt.next_u32();
            }
            w.pos += 1;
            return w.buf[0];
        }
        let out = mt.next_u32();
        *self = StreamSource::Full(mt);
        out
    }
}

/// How [`seed_many`] stores the streams it seeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamLayout {
    /// 2.5 KB of state per stream.
    Full,
    /// A few outputs per stream: cheap to seed many at once. A stream that
    /// runs out is seeded again, and then keeps its full state if
    /// `keep_state`, else another window.
    Windowed { keep_state: bool },
}

/// Streams seeded per pass: the lane loops below vectorise over them. Big
/// populations go 64 at a time; what is left, 8 at a time (padded), except
/// that 9 to 12 go together: the four past eight step beside the vector of
/// eight within the same chain's latency, where a second group of 8 would
/// be a second chain (~2.3 µs; the 8- and 10-agent paper scenarios, with
/// R_o, seed 9 and 11 streams).
const LANES: usize = 64;
const MID_LANES: usize = 12;
const FEW_LANES: usize = 8;

/// `init_by_array([key])` for `L` one-word keys at once, word `i` of lane
/// `l` in `st[i][l]`, which must hold `init_genrand(19650218)` in every
/// lane. The same steps as [`Mt::init_by_array`] with `j` always 0, with
/// the wrap-arounds (after word N-1, word 1 again) unrolled. The previous
/// word is carried in registers: read back from `st`, every step of the
/// chain would wait on a store-to-load forward (twice as slow).
#[inline(always)]
fn init_lanes_generic<const L: usize>(keys: &[u32; L], st: &mut [[u32; L]; N]) {
    let first =
        |cur: u32, q: u32, l: usize| (cur ^ q.wrapping_mul(1_664_525)).wrapping_add(keys[l]);
    let mut prev = st[0];
    // Phase one: words 1..N-1, then (word 0 := word N-1) word 1 again.
    for i in (1..N).chain([1]) {
        if i == 1 {
            st[0] = prev;
        }
        prev = mix(&prev, &mut st[i], first);
    }
    // Phase two: words 2..N-1, then word 1 again.
    for i in (2..N).chain([1]) {
        if i == 1 {
            st[0] = prev;
        }
        let second =
            |cur: u32, q: u32, _| (cur ^ q.wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
        prev = mix(&prev, &mut st[i], second);
    }
    st[0] = [UPPER; L];
}

/// One step of the seeding chain in every lane: `cur = f(cur, prev ^ (prev
/// >> 30), lane)`; returns the new words, the next step's `prev`.
#[inline(always)]
fn mix<const L: usize>(
    prev: &[u32; L],
    cur: &mut [u32; L],
    f: impl Fn(u32, u32, usize) -> u32,
) -> [u32; L] {
    for l in 0..L {
        cur[l] = f(cur[l], prev[l] ^ (prev[l] >> 30), l);
    }
    *cur
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn init_lanes_avx2<const L: usize>(keys: &[u32; L], st: &mut [[u32; L]; N]) {
    init_lanes_generic(keys, st)
}

fn init_lanes<const L: usize>(keys: &[u32; L], st: &mut [[u32; L]; N]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU was just checked to support AVX2.
        unsafe { init_lanes_avx2(keys, st) };
        return;
    }
    init_lanes_generic(keys, st)
}

/// Seed `group` (at most `L` one-word seeds) together into `out`.
/// `scratch` is reused across groups; it is filled, never zeroed.
fn seed_group<const L: usize>(
    group: &[i128],
    layout: StreamLayout,
    scratch: &mut Vec<[u32; L]>,
    out: &mut Vec<StreamSource>,
) {
    // Unused lanes repeat the first seed; their streams are dropped.
    let mut keys = [group[0].unsigned_abs() as u32; L];
    for (k, s) in keys.iter_mut().zip(group) {
        *k = s.unsigned_abs() as u32;
    }
    scratch.clear();
    scratch.extend(GENRAND_19650218.iter().map(|&g| [g; L]));
    let st: &mut [[u32; L]; N] = scratch.as_mut_slice().try_into().expect("N rows");
    init_lanes(&keys, st);
    for (l, &seed) in group.iter().enumerate() {
        out.push(match layout {
            StreamLayout::Full => {
                StreamSource::Full(Box::new(Mt::from_seeded(std::array::from_fn(|w| st[w][l]))))
            }
            // The first WINDOW outputs of the first twist read only the
            // untwisted words k, k+1 and k+M (k < N - M).
            StreamLayout::Windowed { keep_state } => {
                let mut buf = [0u32; WINDOW];
                for (k, slot) in buf.iter_mut().enumerate() {
                    *slot = temper(twisted(st[k][l], st[k + 1][l], st[k + M][l]));
                }
                StreamSource::Window(Window { seed, keep_state, start: 0, pos: 0, buf })
            }
        });
    }
}

/// One stream per seed, as `layout` says; identical to seeding each with
/// [`Mt::seeded`].
pub(crate) fn seed_many(seeds: &[i128], layout: StreamLayout) -> Vec<StreamSource> {
    let mut out = Vec::with_capacity(seeds.len());
    // Scratch for each lane width, allocated on first use (160, 30, 20 KB).
    let mut wide: Vec<[u32; LANES]> = Vec::new();
    let mut mid: Vec<[u32; MID_LANES]> = Vec::new();
    let mut narrow: Vec<[u32; FEW_LANES]> = Vec::new();
    let one_word = |s: &i128| s.unsigned_abs() <= u128::from(u32::MAX);
    let mut rest = seeds;
    while !rest.is_empty() {
        let width = match rest.len() {
            n if n >= LANES => LANES,
            n if n > FEW_LANES && n <= MID_LANES => MID_LANES,
            _ => FEW_LANES,
        };
        let (group, tail) = rest.split_at(rest.len().min(width));
        rest = tail;
        if group.len() < 2 || !group.iter().all(one_word) {
            out.extend(group.iter().map(|&s| one_stream(s, layout)));
        } else if width == LANES {
            seed_group(group, layout, &mut wide, &mut out);
        } else if width == MID_LANES {
            seed_group(group, layout, &mut mid, &mut out);
        } else {
            seed_group(group, layout, &mut narrow, &mut out);
        }
    }
    out
}

fn one_stream(seed: i128, layout: StreamLayout) -> StreamSource {
    let mut mt = Mt::seeded(seed);
    match layout {
        StreamLayout::Full => StreamSource::Full(mt),
        StreamLayout::Windowed { keep_state } => {
            let mut buf = [0u32; WINDOW];
            for slot in buf.iter_mut() {
                *slot = mt.next_u32();
            }
            StreamSource::Window(Window { seed, keep_state, start: 0, pos: 0, buf })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook generator: in-place twist, temper per output.
    struct Plain {
        mt: [u32; N],
        index: usize,
    }

    impl Plain {
        fn next(&mut self) -> u32 {
            if self.index >= N {
                for k in 0..N {
                    let y = (self.mt[k] & UPPER) | (self.mt[(k + 1) % N] & LOWER);
                    let mag = if y & 1 == 0 { 0 } else { 0x9908_b0df };
                    self.mt[k] = self.mt[(k + M) % N] ^ (y >> 1) ^ mag;
                }
                self.index = 0;
            }
            self.index += 1;
            temper(self.mt[self.index - 1])
        }
    }

    /// The vectorised block twist (with and without AVX2) against the
    /// textbook generator over many blocks, and untemper against temper.
    #[test]
    fn block_twist_matches_textbook() {
        for seed in [0i128, 1, 42, 5489, -7, 1 << 40] {
            let start = Mt::seeded(seed);
            let mut plain = Plain { mt: start.mt, index: N };
            let mut fast = start.clone();
            let (mut words, mut tempered) = (start.mt, false);
            for block in 0..6 {
                twist_block(&mut words, tempered);
                tempered = true;
                for (k, &w) in words.iter().enumerate() {
                    let expected = plain.next();
                    assert_eq!(fast.next_u32(), expected, "seed {seed} block {block} word {k}");
                    assert_eq!(w, expected, "portable: seed {seed} block {block} word {k}");
                }
            }
        }
        let mut x = 0x1234_5678u32;
        for _ in 0..100_000 {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            assert_eq!(untemper(temper(x)), x);
        }
        // CPython: random.Random(42).random() == 0.6394267984578837.
        let mut r = Mt::seeded(42);
        let (a, b) = (f64::from(r.next_u32() >> 5), f64::from(r.next_u32() >> 6));
        assert_eq!((a * 67_108_864.0 + b) / 9_007_199_254_740_992.0, 0.6394267984578837);
    }

    /// Outputs taken two at a time give the same sequence as one at a
    /// time, at either parity across block boundaries and in every layout.
    #[test]
    fn pairs_match_singles() {
        for layout in [StreamLayout::Full, StreamLayout::Windowed { keep_state: true }] {
            for lead in 0..3 {
                let mut src = seed_many(&[5, 6], layout).swap_remove(0);
                let mut alone = Mt::seeded(5);
                for _ in 0..lead {
                    assert_eq!(src.next_u32(), alone.next_u32());
                }
                for k in 0..1500 {
                    let (a, b) = src.next_two();
                    assert_eq!(
                        (a, b),
                        (alone.next_u32(), alone.next_u32()),
                        "lead {lead} pair {k}"
                    );
                }
            }
        }
    }

    /// Every layout, seeded together or alone, gives the same outputs far
    /// past the first block (windows refill, then turn into full states):
    /// wide groups followed by narrow or mid-width ones, mid-width groups
    /// full and padded, narrow padded groups, a lone seed, and groups with
    /// multi-word or negative seeds that fall back to one at a time.
    #[test]
    fn layouts_agree() {
        let run = |n: i128, from: i128| (0..n).map(|j| from + j).collect::<Vec<i128>>();
        let (wide, wide_mid) = (run(70, 1_000), run(76, 2_000));
        let (mid, mid_padded, few) = (run(12, 300), run(9, 400), run(5, 42));
        let mixed: Vec<i128> =
            vec![-5, 0, (1 << 40) + 3, u32::MAX as i128, -(u32::MAX as i128) - 9, 77, 78];
        let windowed = |keep_state| StreamLayout::Windowed { keep_state };
        for seeds in [wide, wide_mid, mid, mid_padded, few, vec![9], mixed] {
            for layout in [StreamLayout::Full, windowed(false), windowed(true)] {
                let mut many = seed_many(&seeds, layout);
                assert_eq!(many.len(), seeds.len());
                for (s, src) in seeds.iter().zip(many.iter_mut()) {
                    let mut alone = Mt::seeded(*s);
                    for n in 0..2_000 {
                        assert_eq!(src.next_u32(), alone.next_u32(), "seed {s} output {n}");
                    }
                }
            }
        }
    }
}
