"""Sweeps: thread-count invariance, overrides, resumable Parquet output."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import swarm_fast
from swarm_fast import ScenarioError, load_scenario
from swarm_fast.analysis import summarize_cells
from swarm_fast.errors import OutputError
from swarm_fast.sweeps import SUMMARY_COLUMNS, sweep, sweep_to_parquet

GRID = {"governance.transaction_tax_rate": [0.0, 0.1, 0.2], "agents.0.count": [3, 6]}


def test_one_row_per_cell_and_seed_with_parameter_columns() -> None:
    df = sweep("strict_governance", GRID, seeds=[1, 2, 3], epochs=4, steps=6)
    assert df.height == 3 * 2 * 3
    assert df.columns[:4] == ["cell", "governance.transaction_tax_rate", "agents.0.count", "seed"]
    assert df.columns[4:] == SUMMARY_COLUMNS
    # Each row is exactly the single run with that cell's overrides.
    row = df.filter((pl.col("cell") == 3) & (pl.col("seed") == 2)).row(0, named=True)
    sc = load_scenario("strict_governance").with_overrides(
        {"governance.transaction_tax_rate": 0.1, "agents.0.count": 6}
    )
    single = swarm_fast.run(sc, seed=2, epochs=4, steps=6, record_interactions=False)
    assert row["governance.transaction_tax_rate"] == 0.1 and row["agents.0.count"] == 6
    for key in ("toxicity", "welfare", "interactions", "quality_gap", "passed"):
        assert row[key] == single.summary[key], key


def test_same_frame_with_one_thread_and_all_cores() -> None:
    a = sweep("collusion_detection", GRID, seeds=range(6), epochs=5, steps=8, threads=1)
    b = sweep("collusion_detection", GRID, seeds=range(6), epochs=5, steps=8, threads=0)
    c = sweep("collusion_detection", GRID, seeds=range(6), epochs=5, steps=8, chunk_size=1)
    assert_frame_equal(a, b, check_exact=True)
    assert_frame_equal(a, c, check_exact=True)


def test_per_epoch_rows() -> None:
    df = sweep(
        "baseline", {"payoff.rho_a": [0.0, 0.5]}, seeds=[4], epochs=3, steps=5, per_epoch=True
    )
    assert df.height == 2 * 3
    assert df["epoch"].to_list() == [0, 1, 2, 0, 1, 2]
    single = swarm_fast.run(
        load_scenario("baseline").with_overrides({"payoff.rho_a": 0.5}), seed=4, epochs=3, steps=5
    )
    got = df.filter(pl.col("cell") == 1).select(single.epochs.columns)
    assert_frame_equal(got, single.epochs, check_exact=True)


def test_bad_sweep_values_are_refused_before_running() -> None:
    with pytest.raises(ScenarioError) as e:
        sweep("baseline", {"governance.audit_probability": [0.1, 1.5]}, seeds=[1])
    assert e.value.key == "governance.audit_probability"
    with pytest.raises(ScenarioError):
        sweep("baseline", {"agents.0.count": [-1]}, seeds=[1])
    with pytest.raises(ScenarioError):
        sweep("baseline", {"payoff.rho_a": []}, seeds=[1])


def test_cell_summaries() -> None:
    df = sweep(
        "strict_governance",
        {"governance.transaction_tax_rate": [0.0, 0.3]},
        seeds=range(8),
        epochs=6,
        steps=8,
    )
    s = summarize_cells(df)
    assert s.height == 2 and (s["n_seeds"] == 8).all()
    first = df.filter(pl.col("cell") == 0)
    tox = first["toxicity"].to_numpy()
    assert s["toxicity_mean"][0] == pytest.approx(tox.mean())
    assert s["toxicity_std"][0] == pytest.approx(tox.std(ddof=0))
    assert s["toxicity_std_sample"][0] == pytest.approx(tox.std(ddof=1))
    assert s["toxicity_ci_low"][0] <= s["toxicity_mean"][0] <= s["toxicity_ci_high"][0]
    pooled = (first["toxicity"] * first["accepted"]).sum() / first["accepted"].sum()
    assert s["pooled_toxicity"][0] == pytest.approx(pooled)
    assert 0.0 <= s["pass_rate"][0] <= 1.0


def test_parquet_output_matches_in_memory_sweep(tmp_path: Path) -> None:
    out = tmp_path / "r.parquet"
    df = sweep_to_parquet(
        out, "baseline", GRID, seeds=[1, 2], epochs=3, steps=4, chunk_size=2, progress=False
    )
    assert_frame_equal(pl.read_parquet(out), df)
    assert_frame_equal(df, sweep("baseline", GRID, seeds=[1, 2], epochs=3, steps=4))
    assert not Path(f"{out}.parts").exists()


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "swarm_fast.cli", "sweep", *args]


def test_killed_sweep_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    args = [
        "misalignment_sweep",
        "--grid",
        "governance.transaction_tax_rate=0,0.1,0.2,0.3",
        "--grid",
        "payoff.rho_a=0.0,0.5",
        "--seeds",
        "0:60",
        "--epochs",
        "20",
        "--steps",
        "15",
        "--threads",
        "1",
        "--chunk-size",
        "4",
        "-q",
    ]
    whole = tmp_path / "whole.parquet"
    subprocess.run(_cli(*args, "--out", str(whole)), check=True, capture_output=True)

    out = tmp_path / "resumed.parquet"
    parts = Path(f"{out}.parts")
    proc = subprocess.Popen(_cli(*args, "--out", str(out)))
    deadline = time.time() + 60
    while len(list(parts.glob("part-*.parquet"))) < 3 and time.time() < deadline:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(list(parts.glob("part-*.parquet")))
    assert not out.exists(), "the sweep finished before it could be killed"
    assert 3 <= done_before < 120  # killed midway: 480 runs in chunks of 4
    again = subprocess.run(
        _cli(*args, "--out", str(out)), check=True, capture_output=True, text=True
    )
    assert f"resuming: {4 * done_before} of 480 runs already done" in again.stderr
    resumed, reference = pl.read_parquet(out), pl.read_parquet(whole)
    assert resumed.height == 4 * 2 * 60
    assert resumed.select("cell", "seed").n_unique() == resumed.height
    assert_frame_equal(resumed, reference, check_exact=True)


def test_resume_refuses_a_different_sweep(tmp_path: Path) -> None:
    out = tmp_path / "r.parquet"
    parts = Path(f"{out}.parts")
    parts.mkdir()
    (parts / "manifest.json").write_text('{"fingerprint": "something else"}')
    with pytest.raises(OutputError, match="different sweep"):
        sweep_to_parquet(out, "baseline", {}, seeds=[1], epochs=1, steps=1, progress=False)
