"""The public Python API: results, modes, determinism, interruption."""

from __future__ import annotations

import _thread
import pickle
import re
import subprocess
import sys
import threading
import time

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import swarm_fast
from swarm_fast import _core, bundled_scenarios, load_scenario
from swarm_fast.errors import ScenarioError
from swarm_fast.results import AGENT_COLUMNS, EPOCH_COLUMNS, INTERACTION_COLUMNS, RunResult


def test_result_frames_have_the_documented_columns() -> None:
    r = swarm_fast.run("strict_governance", seed=123, epochs=6, steps=8, record_interactions=True)
    assert r.epochs.columns == EPOCH_COLUMNS and r.epochs.height == 6
    assert r.interactions.columns == INTERACTION_COLUMNS
    assert r.agents.columns == AGENT_COLUMNS
    assert r.agents["agent_id"].to_list()[:4] == [
        "honest_1",
        "honest_2",
        "honest_3",
        "opportunistic_1",
    ]
    assert r.interactions.schema["p"] == pl.Float64
    assert r.interactions.schema["accepted"] == pl.Boolean
    assert set(r.interactions["interaction_type"]) <= {"collaboration", "trade"}
    assert r.summary["interactions"] == r.interactions.height
    assert r.summary["accepted"] == int(r.interactions["accepted"].sum())
    assert r.seed == 123 and r.scenario_id == "strict_governance"


def test_summary_pooled_definitions() -> None:
    r = swarm_fast.run(
        "misalignment_sweep", seed=456, epochs=10, steps=10, record_interactions=True
    )
    acc = r.interactions.filter(pl.col("accepted"))
    rej = r.interactions.filter(~pl.col("accepted"))
    assert r.summary["toxicity"] == pytest.approx((1 - acc["p"]).mean(), rel=1e-12)
    assert r.summary["quality_gap"] == pytest.approx(acc["p"].mean() - rej["p"].mean(), rel=1e-12)
    assert r.summary["welfare"] == pytest.approx(
        (acc["payoff_initiator"] + acc["payoff_counterparty"]).sum(), rel=1e-12
    )


def test_metrics_only_mode_gives_the_same_metrics() -> None:
    sc = load_scenario("collusion_detection")
    full = swarm_fast.run(sc, seed=789, epochs=8, steps=10, record_interactions=True)
    lean = swarm_fast.run(sc, seed=789, epochs=8, steps=10)
    assert full.recorded_interactions and not lean.recorded_interactions
    with pytest.raises(ValueError, match="record_interactions=True"):
        _ = lean.interactions
    assert_frame_equal(full.epochs, lean.epochs, check_exact=True)
    assert_frame_equal(full.agents, lean.agents, check_exact=True)
    assert full.summary == lean.summary


def test_all_scenario_forms_and_determinism() -> None:
    path = bundled_scenarios()["baseline"]
    trace = {"epochs": 3, "steps": 5, "record_interactions": True}
    a = swarm_fast.run(path, seed=5, **trace)
    b = swarm_fast.run("baseline", seed=5, **trace)
    c = swarm_fast.run(load_scenario(path).raw, seed=5, **trace)
    d = swarm_fast.run(str(path), seed=6, **trace)
    assert_frame_equal(a.interactions, b.interactions)
    assert_frame_equal(a.interactions, c.interactions)
    assert not a.interactions.equals(d.interactions)


def test_repeated_runs_reuse_the_parsed_scenario_and_match_its_json() -> None:
    """run() parses a scenario's configuration once; every run still takes
    its own seed, epochs, steps and trace switch, exactly as the JSON path."""
    for name in ("adaptive_governance", "threshold_dancer_vs_cautious"):
        sc = load_scenario(name)
        for seed, epochs, steps, trace in [(3, 4, 6, True), (4, 2, 9, False), (3, 1, 3, True)]:
            kw = {"seed": seed, "epochs": epochs, "steps": steps, "record_interactions": trace}
            got = swarm_fast.run(sc, **kw)
            raw = _core.run(sc.to_json(**kw))
            want = RunResult(raw, *sc._summary_config())
            assert got.epochs.height == epochs and got.seed == seed
            assert_frame_equal(got.epochs, want.epochs, check_exact=True)
            assert_frame_equal(got.agents, want.agents, check_exact=True)
            assert got.summary == want.summary
            assert got.recorded_interactions == trace
            if trace:
                assert_frame_equal(got.interactions, want.interactions, check_exact=True)
        parsed = sc._core_config
        assert parsed is not None
        swarm_fast.run(sc, seed=9, epochs=1, steps=1)
        assert sc._core_config is parsed  # parsed once
    # A pickled scenario leaves the parsed copy behind and makes it again.
    clone = pickle.loads(pickle.dumps(sc))
    assert clone._core_config is None
    a = swarm_fast.run(clone, seed=5, epochs=2, steps=4, record_interactions=True)
    b = swarm_fast.run(sc, seed=5, epochs=2, steps=4, record_interactions=True)
    assert_frame_equal(a.interactions, b.interactions, check_exact=True)
    # Per-run values are still checked and named.
    with pytest.raises(ScenarioError, match="epochs"):
        swarm_fast.run(sc, seed=1, epochs=-1)
    with pytest.raises(ScenarioError, match="seed"):
        swarm_fast.run(sc, seed=2**63)
    with pytest.raises(ScenarioError):
        _core.Config('{"agents": [{"type": "honest", "count": -1}], "seed": 1}')


def test_observation_noise_runs_and_changes_the_run() -> None:
    sc = load_scenario("baseline")
    quiet = swarm_fast.run(sc, seed=1, epochs=5, steps=10, record_interactions=True)
    noisy = sc.with_overrides(
        {"simulation.observation_noise_probability": 0.5, "simulation.observation_noise_std": 0.3}
    )
    r = swarm_fast.run(noisy, seed=1, epochs=5, steps=10, record_interactions=True)
    assert r.interactions.height > 0
    assert not r.interactions.equals(quiet.interactions)


def test_zero_epochs_and_steps() -> None:
    r = swarm_fast.run("baseline", seed=1, epochs=0)
    assert r.epochs.height == 0 and r.summary["interactions"] == 0
    r = swarm_fast.run("baseline", seed=1, epochs=2, steps=0)
    assert r.epochs["total_interactions"].to_list() == [0, 0]


def test_ctrl_c_stops_a_long_run_promptly() -> None:
    sc = load_scenario("baseline")
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    t0 = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        swarm_fast.run(sc, seed=1, epochs=10_000_000, steps=15, record_interactions=False)
    assert time.perf_counter() - t0 < 5.0
    timer.cancel()


def test_run_releases_the_gil() -> None:
    """Another Python thread keeps running while a run is in Rust."""
    ticks = []
    stop = threading.Event()

    def ticker() -> None:
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    time.sleep(0.01)
    before = len(ticks)
    t0 = time.perf_counter()
    # Long enough (a few hundred ms) that a held GIL would show as ~0 ticks.
    swarm_fast.run(
        "threshold_dancer_vs_cautious", seed=1, epochs=50_000, steps=10, record_interactions=False
    )
    elapsed = time.perf_counter() - t0
    during = len(ticks) - before
    stop.set()
    t.join()
    assert elapsed > 0.05, "the run was too short to tell"
    assert during > 10


@pytest.mark.parametrize("inline", [False, True])
def test_a_rust_panic_is_an_exception_not_a_crash(inline: bool) -> None:
    with pytest.raises(RuntimeError, match="deliberate test panic"):
        _core._panic_in_worker(inline=inline)


def test_cli_run_and_errors(tmp_path) -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "swarm_fast.cli",
            "run",
            "baseline",
            "--seed",
            "42",
            "--epochs",
            "20",
            "--steps",
            "15",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    r = swarm_fast.run("baseline", seed=42, epochs=20, steps=15)
    assert re.search(rf"Toxicity \(pooled\): +{r.summary['toxicity']:.4f} ", out.stdout)
    assert re.search(rf"Total interactions: +{r.summary['interactions']} ", out.stdout)
    assert out.stdout.count("\n") > 20  # the per-epoch table
    bad = tmp_path / "bad.yaml"
    bad.write_text("agents: [{type: wizard}]\n")
    err = subprocess.run(
        [sys.executable, "-m", "swarm_fast.cli", "run", str(bad), "--seed", "1"],
        capture_output=True,
        text=True,
    )
    assert err.returncode == 2
    assert "agents[0].type" in err.stderr
    listing = subprocess.run(
        [sys.executable, "-m", "swarm_fast.cli", "list"], capture_output=True, text=True, check=True
    )
    assert "threshold_dancer_vs_cautious" in listing.stdout


def test_polars_loads_only_for_dataframes() -> None:
    """A run whose summary is all that is read never imports polars (it
    takes longer to import than a paper run takes); the frames still work."""
    code = (
        "import sys, swarm_fast\n"
        "r = swarm_fast.run('baseline', seed=1, epochs=2, steps=3)\n"
        "print(r.summary['interactions'] >= 0, 'polars' in sys.modules)\n"
        "print(r.epochs.height, 'polars' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False", "2", "True"]
