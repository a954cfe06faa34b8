"""The self_optimizer agent type: live parity with swarm-safety 1.9.0 by
default, and the swarm_fast extension ``optimize_per_epoch``.

Parity runs both implementations side by side (no typed-in numbers); the
extension is checked against its documented definition
(docs/proxy-gaming.md): R_o draws exactly as without it, and only the
initiator's task progress and engagement move, by twice the quality lost.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import swarm_fast
from swarm_fast import bundled_scenarios, load_scenario

from parity_check import assert_same
from parity_check import run_both as both

FEATURES = Path(__file__).parent / "scenarios"
SEEDS = [42, 43, 44, 45, 46, 1]


@pytest.mark.parametrize("seed", SEEDS)
def test_scenario_file_parity(seed: int) -> None:
    """The reference's self_optimizer.yaml (our copy), 20 x 10, six seeds."""
    ours, ref = both(bundled_scenarios()["self_optimizer"], seed=seed)
    assert_same(ours, ref)
    # Registered as opportunistic, as the reference's class does.
    types = dict(ours.agents.select("agent_id", "agent_type").iter_rows())
    assert types["self_optimizer_1"] == "opportunistic"


def test_scenario_file_headline() -> None:
    """The file's own settings give the run the spec quotes (593 / 571), and
    the reference agrees (checked live above; here the counts are read from
    the reference run, not typed in)."""
    ours, ref = both(bundled_scenarios()["self_optimizer"])
    assert (ours.summary["interactions"], ours.summary["accepted"]) == (
        ref.summary["interactions"],
        ref.summary["accepted"],
    )
    # Every self-optimizer-initiated interaction passes the binary benchmark
    # by the opportunistic profile's bound p >= 0.4581 (ext. spec §1.8).
    df = ours.interactions
    p_opt = df.filter(df["initiator"].str.starts_with("self_optimizer"))["p"]
    assert p_opt.len() > 100 and p_opt.min() > 0.458


@pytest.mark.parametrize("seed", [5, 6, 7, 8, 9])
def test_marketplace_parity(seed: int) -> None:
    """With the marketplace on, the self-optimizers claim and submit tasks."""
    ours, ref = both(FEATURES / "self_optimizer_market.yaml", seed=seed)
    assert_same(ours, ref)


@pytest.mark.parametrize("seed", [9, 10, 11, 12, 13])
def test_mixed_population_parity(seed: int) -> None:
    """Every other policy beside it, on a dynamic small-world network, with
    a random schedule and freezes; non-default optimizer parameters."""
    ours, ref = both(FEATURES / "self_optimizer_mixed.yaml", seed=seed)
    assert_same(ours, ref)


@pytest.mark.parametrize(
    "overrides",
    [
        # Observation noise: the visible list is built (noisy) and chosen from.
        {
            "network": None,
            "simulation.observation_noise_probability": 0.5,
            "simulation.observation_noise_std": 0.2,
        },
        # 80 agents without a network: the visible-population index is used.
        {
            "network": None,
            "agents.0.count": 50,
            "agents.1.count": 20,
            "simulation.max_actions_per_step": 80,
            "simulation.n_epochs": 4,
        },
        # An explicit `optimize_per_epoch: false` is the default (the
        # reference ignores the key).
        {"agents.1.config.optimize_per_epoch": False},
    ],
)
def test_variant_parity(overrides: dict) -> None:
    ours, ref = both(FEATURES / "self_optimizer_mixed.yaml", overrides, seed=3)
    assert_same(ours, ref)


# ------------------------------------------------- the optimize_per_epoch option


def _optimizing(path_or_name, **overrides):
    sc = load_scenario(path_or_name)
    specs = sc.raw["agents"]
    ov = {
        f"agents.{i}.config.optimize_per_epoch": True
        for i, s in enumerate(specs)
        if s.get("type") == "self_optimizer"
    }
    ov.update(overrides)
    return sc.with_overrides(ov)


def test_option_changes_only_what_it_should() -> None:
    sc = load_scenario("self_optimizer")
    on = swarm_fast.run(_optimizing("self_optimizer"), seed=42, record_interactions=True)
    off = swarm_fast.run(sc, seed=42, record_interactions=True)
    a, b = on.interactions, off.interactions
    # Epoch 0 is played before the first optimisation step: identical.
    assert a.filter(a["epoch"] == 0).equals(b.filter(b["epoch"] == 0))
    assert not a.equals(b)
    # The optimizers' mean p falls with depth (their rising reputation
    # offsets the first step): from ~0.6 to below the 0.45 benchmark by
    # epoch 6 and ~0.3 from the floor (epoch 8) on, where the scenario's
    # circuit breaker (toxicity > 0.55 = p < 0.45) starts freezing them.
    opt = a.filter(a["initiator"].str.starts_with("self_optimizer"))
    by_epoch = dict(opt.group_by("epoch").agg(pl.col("p").mean()).iter_rows())
    late = opt.filter(opt["epoch"] >= 8)["p"].mean()
    assert by_epoch[0] > 0.58 > by_epoch[3] > 0.45 > by_epoch[5] > late
    assert late < 0.4
    assert on.agents.filter(pl.col("agent_id").str.starts_with("self"))["frozen"].any()
    honest = a.filter(a["initiator"].str.starts_with("honest"))
    assert abs(honest["p"].mean() - 0.745) < 0.03


def _proxy_p(tp: float, rw: int, rj: int, eng: float) -> float:
    """The reference proxy (spec §7) for the opportunistic counts."""
    clamp = lambda x: max(-1.0, min(1.0, x))  # noqa: E731
    total = 0.4 + 0.2 + 0.2 + 0.2
    w = [0.4 / total, 0.2 / total, 0.2 / total, 0.2 / total]
    rework = 1.0 if rw == 0 else 2.0 * 0.3**rw - 1.0
    rejection = 1.0 if rj == 0 else 2.0 * 0.4**rj - 1.0
    verifier = (rejection + 1.0) / 2.0  # misuse 0 -> signal 1
    v = w[0] * clamp(tp) + w[1] * rework + w[2] * verifier + w[3] * clamp(eng)
    v_hat = clamp(v)
    return 1.0 / (1.0 + np.exp(-2.0 * v_hat))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_option_draws_r_o_exactly_as_without_it(seed: int) -> None:
    """Two self-optimizers, nothing else, no governance: every interaction's
    observables are re-drawn here from CPython's Random(seed) (R_o) in trace
    order, with the documented shift of 2 x (q_0 - q_e); p must match. So
    the option adds no draw to R_o and changes nothing but the two signals."""
    sc = swarm_fast.load_scenario(
        {
            "scenario_id": "two_optimizers",
            "agents": [
                {"type": "self_optimizer", "count": 2, "config": {"optimize_per_epoch": True}}
            ],
            "simulation": {"n_epochs": 12, "steps_per_epoch": 3, "seed": seed},
        }
    )
    df = swarm_fast.run(sc, record_interactions=True).interactions
    assert df.height > 30
    r_o = random.Random(seed)
    rep = {"self_optimizer_1": 0.0, "self_optimizer_2": 0.0}
    q, loss_at = 0.85, []
    for _ in range(12):
        loss_at.append(0.85 - q)
        q = max(q - 0.15 * 0.5 * 0.85, 0.35)
    for row in df.iter_rows(named=True):
        tp = r_o.uniform(0.1, 0.5)
        rw = r_o.randint(0, 2)
        rj = r_o.randint(0, 1)
        eng = r_o.uniform(-0.2, 0.3)
        rf = 0.75 + 0.25 * max(min(rep[row["initiator"]], 1.0), -1.0)
        tp, eng = tp * rf, eng * rf
        if not row["accepted"]:
            eng = min(eng, 0.0)
        shift = 2.0 * loss_at[row["epoch"]]
        p = _proxy_p(tp - shift, rw, rj, eng - shift)
        assert row["p"] == pytest.approx(p, abs=1e-12), row
        if row["accepted"]:
            rep[row["initiator"]] += row["p"] - 0.5
    # The shift did bite: late interactions sit well below the early ones.
    early = df.filter(df["epoch"] < 2)["p"].mean()
    late = df.filter(df["epoch"] >= 8)["p"].mean()
    assert late < early - 0.15


def test_option_leaves_other_streams_alone() -> None:
    """Two runs that differ only in the option make the same turns, proposals
    and answers for as long as nothing reads the changed p: here, a
    population whose choices never depend on p (self-optimizers answer
    their own turn's proposals unconditionally, and no governance)."""
    base = {
        "scenario_id": "two_optimizers",
        "agents": [{"type": "self_optimizer", "count": 2}],
        "simulation": {"n_epochs": 10, "steps_per_epoch": 2, "seed": 11},
        "rate_limits": {"interactions_per_step": 1},
    }
    off = swarm_fast.run(swarm_fast.load_scenario(base), record_interactions=True).interactions
    base["agents"][0]["config"] = {"optimize_per_epoch": True}
    on = swarm_fast.run(swarm_fast.load_scenario(base), record_interactions=True).interactions
    keys = ["epoch", "step", "initiator", "counterparty"]
    assert on.select(keys).equals(off.select(keys))
    assert (on["p"] <= off["p"]).all() and (on["p"] < off["p"]).any()


@pytest.mark.parametrize(
    "key,value",
    [
        ("optimize_per_epoch", "yes"),
        ("optimize_per_epoch", 1),
        ("optimization_rate", "0.15"),
        ("quality_floor", float("nan")),
        ("initial_quality", True),
    ],
)
def test_config_is_validated(key: str, value) -> None:
    with pytest.raises(swarm_fast.ScenarioError, match=f"agents\\[1\\].config.{key}"):
        load_scenario("self_optimizer").with_overrides({f"agents.1.config.{key}": value})


# ------------------------------------------------- the Python-side agent state


@pytest.mark.parametrize(
    "config",
    [
        None,
        {
            "optimization_rate": 0.2,
            "quality_floor": 0.5,
            "initial_quality": 0.9,
            "initial_cost": 0.3,
            "benchmark_threshold": 0.6,
        },
    ],
)
def test_python_state_matches_the_reference_class(config) -> None:
    """optimize_step, effective_cost, generate_interaction_quality (CPython
    gauss with its cached value) and passes_benchmark, call for call."""
    import importlib

    from swarm.agents.self_optimizer import SelfOptimizerAgent

    pg = importlib.import_module("swarm_fast.proxy_gaming")
    ref = SelfOptimizerAgent("self_optimizer_1", config=config, rng=random.Random(43))
    ours = pg.SelfOptimizer(config, rng=random.Random(43))
    for epoch in range(12):
        a, b = ours.optimize_step(epoch), ref.optimize_step(epoch)
        assert (a.epoch, a.depth, a.cost_multiplier, a.quality_estimate) == (
            b.epoch,
            b.depth,
            b.cost_multiplier,
            b.quality_estimate,
        )
        assert ours.effective_cost == ref.effective_cost
        for _ in range(3):  # odd count: the gauss cache carries over
            p = ours.generate_interaction_quality()
            assert p == ref.generate_interaction_quality()
            assert ours.passes_benchmark(p) == ref.passes_benchmark(p)
