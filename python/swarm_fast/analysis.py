"""Per-cell summaries of sweep results, in polars.

``summarize_cells`` groups a sweep's rows by its parameter columns and gives,
for each metric, the mean, the population std (numpy's default, as the
paper's ``±``), the sample std and a bootstrap 95% confidence interval of the
mean, plus the pooled statistics of spec §15.3 and the pass rate.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

DEFAULT_METRICS = ("toxicity", "welfare", "interactions", "quality_gap")
_KEYS = {"cell", "seed", "epoch"}


def param_columns(df: pl.DataFrame) -> list[str]:
    """The sweep's parameter columns: everything between ``cell`` and ``seed``."""
    cols = df.columns
    if "cell" in cols and "seed" in cols:
        return cols[cols.index("cell") + 1 : cols.index("seed")]
    return []


def bootstrap_ci(
    values: np.ndarray, level: float = 0.95, n_boot: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean (deterministic for a given seed)."""
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return (float("nan"), float("nan"))
    if len(values) == 1:
        return (float(values[0]), float(values[0]))
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(values), size=(n_boot, len(values)))
    means = values[idx].mean(axis=1)
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(means, [alpha, 1.0 - alpha])
    return (float(lo), float(hi))


def summarize_cells(
    df: pl.DataFrame,
    metrics: Sequence[str] = DEFAULT_METRICS,
    by: Sequence[str] | None = None,
    level: float = 0.95,
    n_boot: int = 2000,
    seed: int = 0,
) -> pl.DataFrame:
    """One row per cell: ``{m}_mean``, ``{m}_std`` (population, ddof=0),
    ``{m}_std_sample`` (ddof=1), ``{m}_ci_low``/``{m}_ci_high`` for each
    metric; ``n_seeds``; ``pass_rate``; ``pooled_toxicity`` (Σ tox·acc / Σ acc
    over the cell's runs); ``pooled_quality_gap``; and the means of the
    conditional losses and the spread."""
    by = list(by) if by is not None else param_columns(df)
    if "cell" in df.columns and "cell" not in by:
        by = ["cell", *by]
    aggs: list[pl.Expr] = [pl.len().alias("n_seeds")]
    for m in metrics:
        aggs += [
            pl.col(m).cast(pl.Float64).mean().alias(f"{m}_mean"),
            pl.col(m).cast(pl.Float64).std(ddof=0).alias(f"{m}_std"),
            pl.col(m).cast(pl.Float64).std(ddof=1).alias(f"{m}_std_sample"),
        ]
    if "passed" in df.columns:
        aggs.append(pl.col("passed").cast(pl.Float64).mean().alias("pass_rate"))
    if {"toxicity", "accepted"} <= set(df.columns):
        aggs.append(
            ((pl.col("toxicity") * pl.col("accepted")).sum() / pl.col("accepted").sum())
            .fill_nan(0.0)
            .alias("pooled_toxicity")
        )
    if {"p_accepted_sum", "p_rejected_sum", "accepted", "rejected"} <= set(df.columns):
        aggs.append(
            (
                pl.col("p_accepted_sum").sum() / pl.col("accepted").sum()
                - pl.col("p_rejected_sum").sum() / pl.col("rejected").sum()
            )
            .fill_nan(0.0)
            .alias("pooled_quality_gap")
        )
    for extra in ("conditional_loss_initiator", "conditional_loss_counterparty", "spread"):
        if extra in df.columns:
            aggs.append(pl.col(extra).mean().alias(f"{extra}_mean"))
    out = df.group_by(by, maintain_order=True).agg(aggs) if by else df.select(aggs)

    # Bootstrap CIs per cell and metric (numpy; deterministic).
    groups = df.partition_by(by, maintain_order=True) if by else [df]
    ci: dict[str, list[float]] = {}
    for m in metrics:
        lows, highs = [], []
        for g in groups:
            lo, hi = bootstrap_ci(g[m].cast(pl.Float64).to_numpy(), level, n_boot, seed)
            lows.append(lo)
            highs.append(hi)
        ci[f"{m}_ci_low"] = lows
        ci[f"{m}_ci_high"] = highs
    return out.with_columns(pl.Series(k, v, dtype=pl.Float64) for k, v in ci.items())
