"""Plot helpers over swarm_fast's DataFrames (matplotlib: the plot extra).

Figures are sized for print: ``PRINT_WIDTH`` inches (a two-column paper's
full text width), fonts of 7-9 pt, saved at ``PRINT_DPI``. Axes carry the
metric's name and definition rather than raw column names (``LABELS``),
epochs are integers, and legends sit outside the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

PRINT_WIDTH = 7.0  # inches
PRINT_DPI = 300

# Axis labels for the run-level (sweep, paper) and per-epoch columns.
LABELS = {
    "toxicity": "Toxicity E[1-p | accepted]\n(pooled over the run)",
    "welfare": "Welfare (payoff units,\nsummed over epochs)",
    "interactions": "Interactions per run",
    "accepted": "Accepted interactions per run",
    "quality_gap": "Quality gap\nE[p | acc.] - E[p | rej.]",
    "mean_epoch_toxicity": "Toxicity, mean over epochs",
    "mean_epoch_welfare": "Surplus per epoch (mean)",
    "mean_net_social_welfare": "Net social welfare per epoch (mean)",
    "pass_rate": "Pass rate (%)",
    "toxicity_rate": "Toxicity E[1-p | accepted]",
    "total_welfare": "Surplus (payoff units)",
    "net_social_welfare": "Net social welfare (payoff units)",
    "total_interactions": "Interactions",
    "accepted_interactions": "Accepted interactions",
    "avg_payoff": "Mean payoff (payoff units)",
    "total_posts": "Posts",
    "total_votes": "Votes",
    "epoch": "Epoch",
}


def label(column: str) -> str:
    """A readable axis label for a column (the column name if unknown)."""
    return LABELS.get(column, column)


def _plt():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover
        raise ImportError('plotting needs matplotlib: pip install "swarm_fast[plot]"') from e
    return plt


def _style() -> dict[str, Any]:
    return {
        "font.size": 8,
        "axes.titlesize": 8,
        "axes.labelsize": 8,
        "xtick.labelsize": 7,
        "ytick.labelsize": 7,
        "legend.fontsize": 7,
        "figure.titlesize": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def lever_plot(
    df: pl.DataFrame,
    param: str,
    metrics: Sequence[str] = ("toxicity", "welfare"),
    ax: Any = None,
    title: str | None = None,
    xlabel: str | None = None,
) -> Any:
    """Metric means against a lever's values, with population-std error
    bars over seeds. ``df``: a sweep result (one row per cell and seed)."""
    plt = _plt()
    g = (
        df.group_by(param, maintain_order=True)
        .agg(
            [pl.col(m).cast(pl.Float64).mean().alias(f"{m}_mean") for m in metrics]
            + [pl.col(m).cast(pl.Float64).std(ddof=0).alias(f"{m}_std") for m in metrics]
        )
        .sort(param)
    )
    if ax is None:
        with plt.rc_context(_style()):
            ax = plt.subplots(
                1,
                len(metrics),
                figsize=(PRINT_WIDTH * min(1, len(metrics) / 2), 2.6),
                constrained_layout=True,
            )[1]
    axes = np.atleast_1d(ax)
    for a, m in zip(axes, metrics):
        a.errorbar(
            g[param].to_numpy(),
            g[f"{m}_mean"].to_numpy(),
            yerr=g[f"{m}_std"].to_numpy(),
            marker="o",
            markersize=3,
            linewidth=1,
            capsize=2,
        )
        x = param if xlabel is None else xlabel
        a.set_xlabel(x)
        a.set_ylabel(label(m))
        a.set_title(f"{label(m).splitlines()[0]} vs {x or param}" if title is None else title)
        a.grid(alpha=0.3)
    return axes


def trajectory_plot(
    epochs: pl.DataFrame,
    by: str,
    metric: str = "toxicity_rate",
    ax: Any = None,
    title: str | None = None,
    legend: bool = True,
) -> Any:
    """Per-epoch mean of ``metric`` over seeds, one line per value of
    ``by``; integer epoch ticks, the legend outside the axes (right)."""
    plt = _plt()
    from matplotlib.ticker import MaxNLocator

    if ax is None:
        with plt.rc_context(_style()):
            ax = plt.subplots(figsize=(PRINT_WIDTH * 0.6, 2.8), constrained_layout=True)[1]
    g = epochs.group_by([by, "epoch"]).agg(pl.col(metric).mean()).sort([by, "epoch"])
    markers = "os^vD<>p*h"
    for i, key in enumerate(epochs[by].unique(maintain_order=True).to_list()):
        s = g.filter(pl.col(by) == key)
        ax.plot(
            s["epoch"].to_numpy(),
            s[metric].to_numpy(),
            marker=markers[i % len(markers)],
            markersize=2.5,
            linewidth=1,
            label=str(key),
        )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(label("epoch"))
    ax.set_ylabel(label(metric))
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    if legend:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0, frameon=False)
    return ax


def paper_figures(runs: pl.DataFrame, epochs: pl.DataFrame, spec: dict, out: Path) -> list[Path]:
    """The paper's figures: welfare and toxicity against each lever (Tables
    5, 6a-6d) with error bars, and the per-epoch trajectories of the seven
    scenarios (Table 4)."""
    plt = _plt()
    out = Path(out)
    written = []
    seeds = len(spec["seeds"])
    levers = [t for t in spec["tables"] if t["kind"] == "lever"]
    with plt.rc_context(_style()):
        fig, axes = plt.subplots(
            2, len(levers), figsize=(PRINT_WIDTH, 3.9), constrained_layout=True, sharey="row"
        )
        for j, table in enumerate(levers):
            rows = runs.filter(pl.col("table") == table["id"]).with_columns(
                pl.col("row")
                .replace_strict(
                    list(range(len(table["rows"]))),
                    [r["value"] for r in table["rows"]],
                    return_dtype=pl.Float64,
                )
                .alias(table["lever_label"])
            )
            for i, metric in enumerate(("toxicity", "welfare")):
                a = axes[i, j]
                lever_plot(
                    rows,
                    table["lever_label"],
                    [metric],
                    ax=a,
                    title=f"Table {table['id']}" if i == 0 else "",
                    xlabel=table["lever_label"] if i == 1 else "",
                )
                if j:
                    a.set_ylabel("")
        fig.suptitle(
            f"Toxicity and welfare against each governance lever "
            f"(mean ± population std over {seeds} seeds)"
        )
        path = out / "levers.png"
        fig.savefig(path, dpi=PRINT_DPI)
        plt.close(fig)
        written.append(path)

        main = [t for t in spec["tables"] if t["kind"] == "scenarios"][0]
        names = {i: r["label"] for i, r in enumerate(main["rows"])}
        ep = epochs.filter(pl.col("table") == main["id"]).with_columns(
            pl.col("row").replace_strict(names, return_dtype=pl.String).alias("scenario")
        )
        fig, axes = plt.subplots(1, 2, figsize=(PRINT_WIDTH, 2.9), constrained_layout=True)
        trajectory_plot(
            ep, "scenario", "toxicity_rate", ax=axes[0], title="Toxicity per epoch", legend=False
        )
        trajectory_plot(
            ep, "scenario", "total_welfare", ax=axes[1], title="Surplus per epoch", legend=False
        )
        handles, labels_ = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels_, loc="outside lower center", ncol=4, frameon=False)
        fig.suptitle(
            f"The seven paper scenarios, mean over {seeds} seeds "
            f"({spec['epochs']} epochs x {spec['steps']} steps)"
        )
        path = out / "trajectories.png"
        fig.savefig(path, dpi=PRINT_DPI)
        plt.close(fig)
        written.append(path)
    return written
