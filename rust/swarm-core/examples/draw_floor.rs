//! A floor under a small run's time: its random draws alone, with no policy
//! logic. Seeds `AGENTS + 1` streams as a run does (R_o and one per agent),
//! then makes `RANDOMS` `random()` and `BELOWS` `_randbelow(5)` draws in
//! turns over the agents' streams, each `random()` deciding a coin-flip
//! branch as a policy's `if random() < p` does. Prints the time of the
//! seeding alone, and of the seeding and the draws:
//! `cargo run --release -p swarm-core --example draw_floor -- AGENTS RANDOMS BELOWS`.
//!
//! A paper run's counts (20x15, seed 42) are printed by nothing in the
//! engine; they were taken once with counters in `rng` (docs/performance.md
//! lists them): baseline 5 agents, 3,531 `random()`, 1,006 `_randbelow`.

use std::hint::black_box;
use std::time::Instant;

use swarm_core::rng::{PyRandom, StreamLayout};

// The allocator the Python extension uses (rust/swarm-py/src/lib.rs).
#[global_allocator]
static GLOBAL: swarm_core::alloc::SwarmAlloc = swarm_core::alloc::SwarmAlloc;

fn skeleton(agents: usize, randoms: usize, belows: usize, draw: bool) -> u64 {
    let seeds: Vec<i128> = (0..=agents as i128).map(|j| 42 + j).collect();
    let mut streams = PyRandom::many(&seeds, StreamLayout::Full);
    if !draw || agents == 0 {
        return streams.len() as u64;
    }
    let per_turn = randoms.div_ceil(belows.max(1)).max(1);
    let (mut taken, mut r, mut b, mut turn) = (0u64, 0, 0, 0);
    while r < randoms || b < belows {
        let rng = &mut streams[1 + turn % agents];
        turn += 1;
        for _ in 0..per_turn.min(randoms - r) {
            r += 1;
            let x = rng.random();
            if x < 0.5 {
                // Two different bodies, so that this stays a branch.
                taken = black_box(taken.wrapping_mul(3) + 1);
            } else {
                taken = black_box(taken ^ x.to_bits());
            }
        }
        if b < belows {
            b += 1;
            taken += rng.randbelow(5);
        }
    }
    taken
}

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>().expect("a count"));
    let mut next = || args.next().expect("AGENTS RANDOMS BELOWS");
    let (agents, randoms, belows) = (next(), next(), next());
    let reps = 20_000;
    for (draw, what) in [(false, "seeding"), (true, "seeding + draws")] {
        let t = Instant::now();
        for _ in 0..reps {
            black_box(skeleton(agents, randoms, belows, draw));
        }
        let us = t.elapsed().as_secs_f64() / f64::from(reps) * 1e6;
        println!("{what}: {us:.1} us per run");
    }
}
