"""`swarm-fast paper --model corrected --seeds N`: the paper's tables
under both models, with CIs."""

from __future__ import annotations

import warnings

import polars as pl
import pytest

import swarm_fast
from swarm_fast.cli import main
from swarm_fast.model_comparison import run_models, summarize_models, to_markdown

warnings.simplefilter("ignore", swarm_fast.ScenarioWarning)


@pytest.fixture(scope="module")
def runs() -> pl.DataFrame:
    return run_models(["reference", "corrected"], seeds=[0, 1])[0]


def test_rows_are_the_plain_runs(runs: pl.DataFrame) -> None:
    row = runs.filter(
        (pl.col("model") == "reference") & (pl.col("table") == "4") & (pl.col("seed") == 1)
    ).row(0, named=True)  # Table 4's first row: baseline
    single = swarm_fast.run("baseline", seed=1, epochs=20, steps=15).summary
    assert row["welfare"] == single["welfare"] and row["toxicity"] == single["toxicity"]
    sc = swarm_fast.load_scenario("strict_governance").with_overrides({"model": "corrected"})
    cor = runs.filter(
        (pl.col("model") == "corrected") & (pl.col("table") == "4") & (pl.col("row") == 1)
    ).sort("seed")
    assert cor["welfare"][0] == swarm_fast.run(sc, seed=0, epochs=20, steps=15).summary["welfare"]


def test_cells_have_both_models_and_cis(runs: pl.DataFrame) -> None:
    cells = summarize_models(runs)
    assert set(cells["model"]) == {"reference", "corrected"}
    assert (cells["n_seeds"] == 2).all()
    assert (
        (cells["ci_low"] <= cells["mean"] + 1e-9) & (cells["mean"] <= cells["ci_high"] + 1e-9)
    ).all()
    md = to_markdown(cells, 2)
    assert "Welfare (reference) | Welfare (corrected)" in md
    assert "## Table 6b: circuit breaker threshold" in md


def test_cli(tmp_path, capsys) -> None:
    out = tmp_path / "m"
    assert (
        main(["paper", "--model", "corrected", "--seeds", "2", "--out", str(out), "--no-plots"])
        == 0
    )
    assert (out / "models.md").exists() and (out / "models.csv").exists()
    assert "the corrected model" in capsys.readouterr().out
    assert main(["paper", "--model", "fixed", "--seeds", "2", "--out", str(out)]) == 2
