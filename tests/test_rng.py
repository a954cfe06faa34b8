"""The RNG and numpy ports, checked live against CPython and numpy."""

from __future__ import annotations

import random

import numpy as np
import pytest

from swarm_fast import _core

SEEDS = (
    [0, 1, 2, 42, 123, 456, 789, 1024, -1, -42, 2**31 - 1, 2**32, 2**32 + 5, 2**40 + 7]
    + [2**63 - 1, -(2**63 - 1)]
    + list(range(1000, 1200))
)


def python_ops(seed: int, ops: list[tuple]) -> list:
    r = random.Random(seed)
    out = []
    for op in ops:
        name, *args = op
        if name == "random":
            out.append(r.random())
        elif name == "getrandbits":
            out.append(r.getrandbits(*args))
        elif name == "randbelow":
            out.append(r._randbelow(*args))
        elif name == "choice":
            out.append(r.choice(range(args[0])))
        elif name == "randint":
            out.append(r.randint(*args))
        elif name == "uniform":
            out.append(r.uniform(*args))
        elif name == "gauss":
            out.append(r.gauss(*args))
        elif name == "shuffle":
            x = list(range(args[0]))
            r.shuffle(x)
            out.append(x)
    return out


def script(seed: int) -> list[tuple]:
    """A mixed script in the style the engine draws: uniform/randint
    observables, choices of varying length, shuffles, Gaussian noise."""
    g = random.Random(seed * 7919 + 1)
    ops: list[tuple] = []
    for _ in range(300):
        k = g.randrange(9)
        ops.append(
            [
                ("random",),
                ("getrandbits", g.randint(1, 64)),
                ("randbelow", g.randint(1, 2**40)),
                ("choice", g.randint(1, 30)),
                ("randint", -3, g.randint(-3, 5)),
                ("uniform", -0.5, 0.8),
                ("gauss", 0.0, 0.3),
                ("shuffle", g.randint(0, 25)),
                ("randbelow", 1),
            ][k]
        )
    return ops


@pytest.mark.parametrize("seed", SEEDS)
def test_mt19937_matches_random_random(seed: int) -> None:
    ops = script(abs(seed) % 100_000)
    assert _core._py_random_ops(seed, ops) == python_ops(seed, ops)


def test_mt19937_crosses_many_twists() -> None:
    ops = [("random",)] * 5000 + [("gauss", 1.0, 2.0)] * 101
    assert _core._py_random_ops(7, ops) == python_ops(7, ops)
    # One 32-bit draw first: every random() then straddles a block end.
    odd = [("getrandbits", 8)] + [("random",)] * 2000
    assert _core._py_random_ops(7, odd) == python_ops(7, odd)


@pytest.mark.parametrize(
    "seed", [0, 1, 42, 123, 456, 789, 1024, 2**32 + 1, 2**63 - 1] + list(range(50))
)
def test_pcg64_matches_default_rng(seed: int) -> None:
    g = np.random.default_rng(seed)
    ops, expected = [], []
    rnd = random.Random(seed)
    for _ in range(400):
        if rnd.random() < 0.5:
            ops.append(("random",))
            expected.append(g.random())
        else:
            n = rnd.choice([1, 2, 3, 7, 10, 33, 1000, 2**31 + 11, 2**32])
            ops.append(("integers", n))
            # Generator.choice over a list is exactly integers(0, n).
            expected.append(int(g.integers(0, n)))
    assert _core._pcg64_ops(seed, ops) == expected


def test_pcg64_choice_is_integers() -> None:
    g1, g2 = np.random.default_rng(5), np.random.default_rng(5)
    items = list(range(37))
    assert [g1.choice(items) for _ in range(200)] == [int(g2.integers(0, 37)) for _ in range(200)]


def benefit_like(rng: np.random.Generator, n: int) -> np.ndarray:
    """Series like the collusion detector sees: sums of small costs, with
    repeats and exact zeros."""
    base = -np.round(rng.uniform(0, 0.2, size=n), rng.integers(1, 17))
    base[rng.random(n) < 0.3] = 0.0
    return base


@pytest.mark.parametrize("seed", range(40))
def test_numpy_reductions_bit_exact(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for n in list(range(1, 40)) + [63, 64, 127, 128, 129, 200, 255, 256, 300, 1000, 1025]:
        a = rng.normal(size=n) * rng.choice([1e-3, 0.1, 10.0])
        assert _core._np_pairwise_sum(a.tolist()) == float(np.sum(a))
        assert _core._np_mean(a.tolist()) == float(np.mean(a))
        assert _core._np_std(a.tolist()) == float(np.std(a))


@pytest.mark.parametrize("seed", range(60))
def test_corrcoef_bit_exact_up_to_256(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for n in [2, 3, 5, 8, 13, 40, 69, 128, 200, 256]:
        x = benefit_like(rng, n)
        y = x.copy() if rng.random() < 0.3 else benefit_like(rng, n)
        if np.std(x) > 0 and np.std(y) > 0:
            assert _core._np_corrcoef_01(x.tolist(), y.tolist()) == float(np.corrcoef(x, y)[0, 1])
