"""Plot helpers over swarm_fast's DataFrames (matplotlib, optional extra)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl


def _plt():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover
        raise ImportError("plotting needs matplotlib: pip install 'swarm_fast[plot]'") from e
    return plt


def lever_plot(
    df: pl.DataFrame,
    param: str,
    metrics: Sequence[str] = ("toxicity", "welfare"),
    ax: Any = None,
    title: str | None = None,
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
    axes = (
        ax if ax is not None else plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.6))[1]
    )
    axes = np.atleast_1d(axes)
    for a, m in zip(axes, metrics):
        a.errorbar(
            g[param].to_numpy(),
            g[f"{m}_mean"].to_numpy(),
            yerr=g[f"{m}_std"].to_numpy(),
            marker="o",
            capsize=4,
        )
        a.set_xlabel(param)
        a.set_ylabel(m)
        a.set_title(title or f"{m} vs {param}")
        a.grid(alpha=0.3)
    return axes


def trajectory_plot(
    epochs: pl.DataFrame,
    by: str,
    metric: str = "toxicity_rate",
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Per-epoch mean of ``metric`` over seeds, one line per value of ``by``."""
    plt = _plt()
    if ax is None:
        ax = plt.subplots(figsize=(7, 4))[1]
    g = epochs.group_by([by, "epoch"]).agg(pl.col(metric).mean()).sort([by, "epoch"])
    for key in g[by].unique(maintain_order=True).to_list():
        s = g.filter(pl.col(by) == key)
        ax.plot(s["epoch"].to_numpy(), s[metric].to_numpy(), marker=".", label=str(key))
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.set_title(title or f"{metric} per epoch")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    return ax


def paper_figures(runs: pl.DataFrame, epochs: pl.DataFrame, spec: dict, out: Path) -> list[Path]:
    """The paper's figures: welfare and toxicity against each lever (Tables
    5, 6a–6d) with error bars, and the per-epoch trajectories of the seven
    scenarios (Table 4)."""
    plt = _plt()
    out = Path(out)
    written = []
    levers = [t for t in spec["tables"] if t["kind"] == "lever"]
    fig, axes = plt.subplots(2, len(levers), figsize=(3.4 * len(levers), 6.4))
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
        for i, metric in enumerate(("welfare", "toxicity")):
            lever_plot(
                rows,
                table["lever_label"],
                [metric],
                ax=axes[i, j],
                title=f"Table {table['id']}: {metric}",
            )
    fig.suptitle(
        "Welfare and toxicity against each governance lever (mean ± population std over 5 seeds)"
    )
    fig.tight_layout()
    path = out / "levers.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    written.append(path)

    main = [t for t in spec["tables"] if t["kind"] == "scenarios"][0]
    names = {i: r["label"] for i, r in enumerate(main["rows"])}
    ep = epochs.filter(pl.col("table") == main["id"]).with_columns(
        pl.col("row").replace_strict(names, return_dtype=pl.String).alias("scenario")
    )
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6))
    trajectory_plot(
        ep, "scenario", "toxicity_rate", ax=axes[0], title="Toxicity E[1-p | accepted] per epoch"
    )
    trajectory_plot(ep, "scenario", "total_welfare", ax=axes[1], title="Welfare per epoch")
    fig.suptitle("The seven paper scenarios, mean over 5 seeds (20 epochs x 15 steps)")
    fig.subplots_adjust(left=0.06, right=0.99, top=0.86, bottom=0.11, wspace=0.2)
    path = out / "trajectories.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    written.append(path)
    return written
