"""The paper's Tables 4-6 under the reference model and the corrected one,
side by side, over many seeds with bootstrap CIs (``swarm-fast paper
--model corrected --seeds N``; the findings are in ``docs/findings.md``).

Every row of every table runs the same seeds (0..N-1) under each model, in
one parallel batch. A cell is the mean over seeds of the run-level
aggregate (toxicity pooled over accepted interactions, welfare summed over
epochs, as in ``paper.py``) with its 95% percentile-bootstrap CI.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from . import _core
from .analysis import bootstrap_ci
from .model import describe, model_switches
from .paper import METRIC_LABELS, paper_spec
from .results import EPOCH_COLUMNS, summarize
from .scenario import load_scenario

METRICS = ("toxicity", "welfare", "interactions", "pass_rate")


def _row_scenario(table: dict[str, Any], row: dict[str, Any]) -> Any:
    if table["kind"] == "scenarios":
        return load_scenario(row["scenario"])
    return load_scenario(table["scenario"]).with_overrides({k: row["value"] for k in table["keys"]})


def run_models(
    models: list[Any], seeds: list[int], threads: int = 0
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One row per (model, table, row, seed) with the run aggregates, and
    one row per (model, table, row, seed, epoch)."""
    spec = paper_spec()
    jobs, configs = [], []
    for model in models:
        name = describe(model_switches(model))
        for table in spec["tables"]:
            for r, row in enumerate(table["rows"]):
                sc = _row_scenario(table, row)
                if name != "reference":
                    sc = sc.with_overrides({"model": model})
                for seed in seeds:
                    jobs.append((name, table["id"], r, seed, sc.config))
                    configs.append(
                        sc.to_json(
                            seed=seed,
                            epochs=spec["epochs"],
                            steps=spec["steps"],
                            record_interactions=False,
                        )
                    )
    raws = _core.run_batch(configs, threads)
    runs, epochs = [], []
    for (name, table, r, seed, cfg), raw in zip(jobs, raws):
        ep = pl.DataFrame({c: raw["epochs"][c] for c in EPOCH_COLUMNS})
        s = summarize(ep, raw["totals"], cfg.get("success_criteria"), cfg.get("payoff"))
        key = {"model": name, "table": table, "row": r, "seed": seed}
        runs.append({**key, **s})
        epochs.append(ep.with_columns(**{k: pl.lit(v) for k, v in key.items()}))
    return pl.DataFrame(runs), pl.concat(epochs)


def summarize_models(runs: pl.DataFrame, level: float = 0.95) -> pl.DataFrame:
    """One row per (model, table, row, metric): mean, population std, CI."""
    spec = paper_spec()
    labels = {
        (t["id"], r): row.get("label") or f"{t['lever_label']} = {row['value']}"
        for t in spec["tables"]
        for r, row in enumerate(t["rows"])
    }
    values = {
        (t["id"], r): row.get("value") for t in spec["tables"] for r, row in enumerate(t["rows"])
    }
    out = []
    for g in runs.partition_by(["model", "table", "row"], maintain_order=True):
        model, table, r = g["model"][0], g["table"][0], g["row"][0]
        for m in METRICS:
            col = "passed" if m == "pass_rate" else m
            v = g[col].cast(pl.Float64).to_numpy() * (100.0 if m == "pass_rate" else 1.0)
            lo, hi = bootstrap_ci(v, level)
            out.append(
                {
                    "model": model,
                    "table": table,
                    "row": r,
                    "label": labels[(table, r)],
                    "value": values[(table, r)],
                    "metric": m,
                    "mean": float(np.mean(v)),
                    "std": float(np.std(v)),
                    "ci_low": lo,
                    "ci_high": hi,
                    "n_seeds": len(v),
                }
            )
    return pl.DataFrame(out, strict=False)


def _fmt(x: float, metric: str) -> str:
    d = {"toxicity": 4, "welfare": 1, "interactions": 1, "pass_rate": 0}[metric]
    return f"{x:.{d}f}"


def to_markdown(cells: pl.DataFrame, n_seeds: int) -> str:
    spec = paper_spec()
    models = cells["model"].unique(maintain_order=True).to_list()
    lines = [
        "# The paper's tables under " + " and ".join(f"the {m} model" for m in models),
        "",
        f"Seeds 0..{n_seeds - 1} ({n_seeds} per row), {spec['epochs']} epochs x "
        f"{spec['steps']} steps. Each cell: mean [95% bootstrap CI of the mean]; "
        "pass rate in %.",
    ]
    for table in spec["tables"]:
        t = cells.filter(pl.col("table") == table["id"])
        metrics = [m for m in METRICS if m in table["metrics"]]
        lines += ["", f"## {table['title']}", ""]
        heads = [f"{METRIC_LABELS[m]} ({mod})" for m in metrics for mod in models]
        lines.append("| | " + " | ".join(heads) + " |")
        lines.append("|---" * (len(heads) + 1) + "|")
        for label in t["label"].unique(maintain_order=True).to_list():
            cols = []
            for m in metrics:
                for mod in models:
                    c = t.filter(
                        (pl.col("label") == label)
                        & (pl.col("metric") == m)
                        & (pl.col("model") == mod)
                    ).row(0, named=True)
                    cols.append(
                        f"{_fmt(c['mean'], m)} [{_fmt(c['ci_low'], m)}, {_fmt(c['ci_high'], m)}]"
                    )
            lines.append(f"| {label} | " + " | ".join(cols) + " |")
    return "\n".join(lines) + "\n"


def lever_plot(cells: pl.DataFrame, path: Path) -> Path:
    """Welfare and toxicity against each lever of Tables 5 and 6, one line
    per model with its CI band."""
    from .plot import _plt

    plt = _plt()
    spec = paper_spec()
    tables = [t for t in spec["tables"] if t["kind"] == "lever"]
    fig, axes = plt.subplots(2, len(tables), figsize=(3.2 * len(tables), 5.6), squeeze=False)
    for j, table in enumerate(tables):
        for i, metric in enumerate(("welfare", "toxicity")):
            ax = axes[i][j]
            for mod in cells["model"].unique(maintain_order=True).to_list():
                c = cells.filter(
                    (pl.col("table") == table["id"])
                    & (pl.col("metric") == metric)
                    & (pl.col("model") == mod)
                ).sort("value")
                x = c["value"].cast(pl.Float64).to_numpy()
                ax.plot(x, c["mean"], "o-", ms=3, label=mod)
                ax.fill_between(x, c["ci_low"], c["ci_high"], alpha=0.25)
            if i == 0:
                ax.set_title(f"{table['id']}: {table['lever_label']}", fontsize=9)
            else:
                ax.set_xlabel(table["lever_label"], fontsize=8)
            if j == 0:
                ax.set_ylabel(metric)
            ax.grid(alpha=0.3)
            ax.tick_params(labelsize=7)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def write_models(
    out: str | Path,
    model: Any = "corrected",
    seeds: int = 100,
    threads: int = 0,
    plots: bool = True,
) -> tuple[pl.DataFrame, list[Path], float]:
    """Run and write ``models.md``, ``models.csv``, ``models_runs.parquet``
    and (with matplotlib) ``models_levers.png`` into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    models: list[Any] = ["reference"]
    if describe(model_switches(model)) != "reference":
        models.append(model)
    seed_list = list(range(seeds))
    runs, _ = run_models(models, seed_list, threads)
    cells = summarize_models(runs)
    files = [out / "models.md", out / "models.csv", out / "models_runs.parquet"]
    files[0].write_text(to_markdown(cells, seeds))
    cells.write_csv(files[1])
    runs.write_parquet(files[2])
    from .paper import plots_available

    if plots and plots_available():
        files.append(lever_plot(cells, out / "models_levers.png"))
    return cells, files, time.perf_counter() - t0
