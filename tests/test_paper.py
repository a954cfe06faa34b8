"""`swarm-fast paper` reproduces every printed number of Tables 4, 5, 6a-6d."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from importlib import resources
from pathlib import Path

import polars as pl
import pytest


@pytest.fixture(scope="module")
def paper_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("paper")
    subprocess.run(
        [sys.executable, "-m", "swarm_fast.cli", "paper", "--out", str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return out


def test_every_printed_number_within_one_unit_of_the_last_digit(paper_dir: Path) -> None:
    cells = pl.read_csv(
        paper_dir / "tables.csv", schema_overrides={"ours": pl.String, "paper": pl.String}
    )
    spec = json.loads(resources.files("swarm_fast").joinpath("data/paper_tables.json").read_text())
    printed = 0
    for t in spec["tables"]:
        per_row = sum(1 if m == "pass_rate" else 2 for m in t["metrics"])
        printed += per_row * len(t["rows"])
    assert cells.height == printed == 157
    for row in cells.iter_rows(named=True):
        paper = Decimal(row["paper"])
        unit = Decimal(1).scaleb(paper.as_tuple().exponent)
        ours = Decimal(repr(row["value"])).quantize(unit)
        assert abs(ours - paper) <= unit, row


def test_tables_and_plots_are_written(paper_dir: Path) -> None:
    md = (paper_dir / "tables.md").read_text()
    for title in ("Table 4", "Table 5", "Table 6a", "Table 6b", "Table 6c", "Table 6d"):
        assert title in md
    assert "157 of 157" in md
    for name in ("levers.png", "trajectories.png"):
        data = (paper_dir / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_plot_axes_are_titled_and_labelled() -> None:
    pytest.importorskip("matplotlib")
    from swarm_fast import plot
    from swarm_fast.sweeps import sweep

    df = sweep("baseline", {"payoff.rho_a": [0.0, 0.5]}, seeds=[1, 2], epochs=2, steps=3)
    axes = plot.lever_plot(df, "payoff.rho_a")
    for ax in axes:
        assert ax.get_title() and ax.get_xlabel() == "payoff.rho_a" and ax.get_ylabel()


def test_figures_are_fit_for_print(tmp_path: Path) -> None:
    """Readable labels, integer epochs, legends outside the data, print size."""
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from swarm_fast import plot
    from swarm_fast.sweeps import sweep

    df = sweep("baseline", {"payoff.rho_a": [0.0, 0.5]}, seeds=[1, 2], epochs=7, per_epoch=True)
    fig, ax = plt.subplots(figsize=(plot.PRINT_WIDTH * 0.6, 2.8))
    plot.trajectory_plot(df, "payoff.rho_a", "toxicity_rate", ax=ax)
    assert ax.get_ylabel() == plot.LABELS["toxicity_rate"] != "toxicity_rate"
    assert ax.get_xlabel() == "Epoch"
    fig.canvas.draw()
    ticks = [t for t in ax.get_xticks() if 0 <= t <= 6]
    assert ticks and all(float(t).is_integer() for t in ticks)
    legend = ax.get_legend().get_window_extent()
    assert legend.x0 >= ax.get_window_extent().x1  # right of the axes, over no data
    plt.close(fig)


def test_paper_figures_are_print_sized(paper_dir: Path) -> None:
    pytest.importorskip("matplotlib")
    from PIL import Image

    from swarm_fast import plot

    for name in ("levers.png", "trajectories.png"):
        with Image.open(paper_dir / name) as im:
            width, _ = im.size
            dpi = im.info.get("dpi", (0, 0))[0]
        assert round(dpi) == plot.PRINT_DPI
        assert width == round(plot.PRINT_WIDTH * plot.PRINT_DPI)
