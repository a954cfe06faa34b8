"""Lever calibration: the Pareto front of governance levers over several
objectives, each candidate scored over many seeds with bootstrap CIs.

Two search strategies (``method``):

- ``grid``: every combination of ``points`` values per lever (linear,
  logarithmic, or every integer for an ``int`` lever with few values).
  Exhaustive and reproducible; with runs of ~100 µs a 3-lever grid of
  6-10 values per lever at 50 seeds costs seconds to a minute, so this is
  the default whenever the grid fits the budget with at least
  ``MIN_GRID_POINTS`` values per lever.
- ``nsga2`` / ``tpe``: Optuna's multi-objective samplers (NSGA-II, or the
  multi-objective TPE), for spaces too large for a grid (many levers, or a
  fine resolution). Candidates are asked in generations and each generation
  is scored in one batch (one Python↔Rust crossing, or one set of Dask
  chunks). Needs the optional extra: ``pip install "swarm_fast[calibrate]"``.

Every candidate runs the same seeds (common random numbers), so
differences between candidates are not seed noise. An objective's value
is the mean over seeds of a run-level aggregate (``welfare``: summed over
epochs; ``toxicity``: pooled over accepted interactions; see
``sweeps.SUMMARY_COLUMNS``), with a percentile-bootstrap CI of that mean.
The front is the set of candidates no other candidate beats on every
objective's mean.

With ``out``, runs are kept in ``out/runs.parquet`` as each batch finishes
and a second call with the same arguments resumes: candidates already
scored are read back, not re-run (the Optuna samplers are seeded, so they
ask the same candidates again).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
import time
import types
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from . import sweeps
from .errors import ArgumentTypeError, ScenarioError
from .run import ScenarioLike, as_scenario

MIN_GRID_POINTS = 5
DEFAULT_CANDIDATES = 343  # 7 values per lever for three levers
METHODS = ("auto", "grid", "nsga2", "tpe")
OBJECTIVE_METRICS = [c for c in sweeps.SUMMARY_COLUMNS if c != "passed"] + ["pass_rate"]


# ------------------------------------------------------------------ arguments


@dataclass(frozen=True)
class Lever:
    """One lever: a dotted scenario key searched over [low, high]."""

    key: str
    low: float
    high: float
    scale: str = "linear"  # "linear", "log" or "int"

    @classmethod
    def parse(cls, text: str) -> Lever:
        """``KEY=LO:HI[:int|log]``."""
        key, eq, rng = str(text).partition("=")
        if not eq or not key:
            raise ScenarioError("lever", f"expected KEY=LO:HI[:int|log], got {text!r}")
        parts = rng.split(":")
        if len(parts) not in (2, 3):
            raise ScenarioError(key, f"expected LO:HI[:int|log] after '=', got {rng!r}")
        scale = parts[2] if len(parts) == 3 else "linear"
        try:
            low, high = float(parts[0]), float(parts[1])
        except ValueError:
            raise ScenarioError(key, f"LO and HI must be numbers, got {rng!r}") from None
        return cls(key, low, high, scale).checked()

    def checked(self) -> Lever:
        if self.scale not in ("linear", "log", "int"):
            raise ScenarioError(self.key, f"scale must be int or log, got {self.scale!r}")
        if not (math.isfinite(self.low) and math.isfinite(self.high)) or self.low > self.high:
            raise ScenarioError(self.key, f"needs finite LO <= HI, got {self.low}:{self.high}")
        if self.scale == "log" and self.low <= 0:
            raise ScenarioError(self.key, "a log lever needs LO > 0")
        if self.scale == "int" and (self.low != int(self.low) or self.high != int(self.high)):
            raise ScenarioError(self.key, "an int lever needs integer LO and HI")
        return self

    def grid(self, points: int) -> list[Any]:
        if self.scale == "int":
            lo, hi = int(self.low), int(self.high)
            if hi - lo + 1 <= points:
                return list(range(lo, hi + 1))
            return sorted({int(round(v)) for v in np.linspace(lo, hi, points)})
        if self.low == self.high:
            return [self.low]
        if self.scale == "log":
            vals = np.geomspace(self.low, self.high, points)
        else:
            vals = np.linspace(self.low, self.high, points)
        # Round away float noise (0.30000000000000004) so cells read well.
        return [float(f"{v:.12g}") for v in vals]

    def n_values(self) -> float:
        """Distinct values (inf for a continuous lever)."""
        if self.scale == "int":
            return self.high - self.low + 1
        return 1.0 if self.low == self.high else math.inf


@dataclass(frozen=True)
class Objective:
    metric: str
    direction: str  # "max" or "min"

    @classmethod
    def parse(cls, text: str) -> Objective:
        metric, _, direction = str(text).partition(":")
        direction = direction or "max"
        if metric not in OBJECTIVE_METRICS:
            raise ScenarioError(
                "objective",
                f"unknown metric {metric!r}; choose from {', '.join(OBJECTIVE_METRICS)}",
            )
        if direction not in ("max", "min"):
            raise ScenarioError("objective", f"direction must be max or min, got {direction!r}")
        return cls(metric, direction)

    @property
    def label(self) -> str:
        return f"{self.metric}:{self.direction}"


def _levers(levers: Any) -> list[Lever]:
    if isinstance(levers, Mapping):
        items: list[Any] = [
            v if isinstance(v, Lever) else Lever.parse(f"{k}={v}") for k, v in levers.items()
        ]
    elif isinstance(levers, (str, bytes)) or not isinstance(levers, Iterable):
        raise ArgumentTypeError("levers", "expected a list of 'KEY=LO:HI[:int|log]' or Levers")
    else:
        items = [v if isinstance(v, Lever) else Lever.parse(v) for v in levers]
    if not items:
        raise ScenarioError("levers", "at least one lever is required")
    keys = [lv.key for lv in items]
    if len(set(keys)) != len(keys):
        raise ScenarioError("levers", f"a lever is given twice: {keys}")
    return [lv.checked() for lv in items]


def _objectives(objectives: Any) -> list[Objective]:
    if isinstance(objectives, (str, Objective)):
        objectives = [objectives]
    out = [o if isinstance(o, Objective) else Objective.parse(o) for o in objectives]
    if not out:
        raise ScenarioError("objective", "at least one objective is required")
    if len({o.metric for o in out}) != len(out):
        raise ScenarioError("objective", "an objective is given twice")
    return out


def _seeds(seeds: Any) -> list[int]:
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ScenarioError("seeds", f"need at least one seed, got {seeds}")
        return list(range(seeds))
    from . import arguments

    return arguments.seeds(seeds)


# ------------------------------------------------------------------ scoring


def _score(runs: pl.DataFrame, keys: list[str], objectives: list[Objective], level: float):
    """One row per candidate: lever values, n_seeds, and per objective the
    mean over seeds with its bootstrap CI (``analysis.bootstrap_ci``'s,
    computed for many candidates at once: candidates with the same number
    of seeds share its resampling indices)."""
    cands = runs.partition_by(keys, maintain_order=True)
    rows: list[dict[str, Any]] = [{k: c[k][0] for k in keys} | {"n_seeds": c.height} for c in cands]
    by_n: dict[int, list[int]] = {}
    for i, c in enumerate(cands):
        by_n.setdefault(c.height, []).append(i)
    alpha = (1.0 - level) / 2.0
    for n, members in by_n.items():
        idx = np.random.default_rng(0).integers(0, n, size=(2000, n)) if n > 1 else None
        for o in objectives:
            col = "passed" if o.metric == "pass_rate" else o.metric
            vals = np.stack([cands[i][col].cast(pl.Float64).to_numpy() for i in members])
            for start in range(0, len(members), 64):
                block = vals[start : start + 64]
                if idx is None:
                    lo = hi = block[:, 0]
                else:
                    means = block[:, idx].mean(axis=2)
                    lo, hi = np.quantile(means, [alpha, 1.0 - alpha], axis=1)
                for k, i in enumerate(members[start : start + 64]):
                    rows[i][f"{o.metric}_mean"] = float(np.mean(block[k]))
                    rows[i][f"{o.metric}_ci_low"] = float(lo[k])
                    rows[i][f"{o.metric}_ci_high"] = float(hi[k])
    return pl.DataFrame(rows)


def pareto_mask(values: np.ndarray, maximize: Sequence[bool]) -> np.ndarray:
    """Rows of ``values`` (candidates x objectives) that no other row
    dominates (at least as good everywhere, better somewhere)."""
    v = np.where(np.asarray(maximize), values, -values)  # larger is better
    n = len(v)
    keep = np.ones(n, dtype=bool)
    for i in range(n):
        ge = np.all(v >= v[i], axis=1)
        gt = np.any(v > v[i], axis=1)
        if np.any(ge & gt):
            keep[i] = False
    return keep


# ------------------------------------------------------------------ result


@dataclass
class Calibration:
    """The outcome of :func:`calibrate`."""

    scenario_id: str
    levers: list[Lever]
    objectives: list[Objective]
    seeds: list[int]
    method: str
    candidates: pl.DataFrame  # one row per candidate, with `pareto`
    runs: pl.DataFrame  # one row per (candidate, seed)
    paper_points: pl.DataFrame  # the paper's Table 6 settings, scored alike
    elapsed_s: float
    model: str = "reference"
    files: list[Path] = field(default_factory=list)

    @property
    def front(self) -> pl.DataFrame:
        o = self.objectives[0]
        desc = o.direction == "max"
        return self.candidates.filter(pl.col("pareto")).sort(f"{o.metric}_mean", descending=desc)

    def to_markdown(self, digits: int = 4) -> str:
        keys = [lv.key for lv in self.levers]
        head = [k.split(".")[-1] for k in keys] + [o.label for o in self.objectives]
        lines = [
            f"# Pareto front: {self.scenario_id} ({self.model} model)",
            "",
            f"{len(self.candidates)} candidates ({self.method}), {len(self.seeds)} seeds each "
            f"({len(self.runs)} runs, {self.elapsed_s:.1f} s); mean over seeds "
            "[95% bootstrap CI of the mean].",
            "",
            "| " + " | ".join(head) + " |",
            "|---" * len(head) + "|",
        ]

        def cells(r: Mapping[str, Any]) -> list[str]:
            out = [f"{r[k]:.{digits}g}" if isinstance(r[k], float) else str(r[k]) for k in keys]
            for o in self.objectives:
                m = o.metric
                out.append(
                    f"{r[f'{m}_mean']:.{digits}g} "
                    f"[{r[f'{m}_ci_low']:.{digits}g}, {r[f'{m}_ci_high']:.{digits}g}]"
                )
            return out

        for r in self.front.iter_rows(named=True):
            lines.append("| " + " | ".join(cells(r)) + " |")
        if self.paper_points.height:
            lines += ["", "The paper's Table 6 settings, same seeds:", ""]
            lines += ["| setting | " + " | ".join(head) + " |", "|---" * (len(head) + 1) + "|"]
            for r in self.paper_points.iter_rows(named=True):
                lines.append(f"| {r['setting']} | " + " | ".join(cells(r)) + " |")
        return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ search


class _Evaluator:
    """Scores candidates in batches through the sweep machinery, keeping
    every run (and, with ``out``, appending them to ``runs.parquet``)."""

    def __init__(self, base, keys, seeds, epochs, steps, executor, threads, out, bar):
        self.base, self.keys, self.seeds = base, keys, seeds
        self.epochs, self.steps = epochs, steps
        self.executor, self.threads = executor, threads
        self.out, self.bar = out, bar
        self.frames: list[pl.DataFrame] = []
        self.done: dict[tuple, None] = {}
        if out is not None and (out / "runs.parquet").exists():
            old = pl.read_parquet(out / "runs.parquet")
            self.frames.append(old)
            for cand in old.select(keys).unique(maintain_order=True).iter_rows():
                self.done[tuple(cand)] = None

    def key(self, cand: Mapping[str, Any]) -> tuple:
        return tuple(cand[k] for k in self.keys)

    def run(self, cands: list[dict[str, Any]]) -> None:
        todo, seen = [], set()
        for c in cands:
            k = self.key(c)
            if k not in self.done and k not in seen:
                todo.append(c)
                seen.add(k)
        if not todo:
            return
        tasks = []
        for i, cell in enumerate(todo):
            sc = self.base.with_overrides(cell)
            for seed in self.seeds:
                cfg = sc.to_json(
                    seed=seed, epochs=self.epochs, steps=self.steps, record_interactions=False
                )
                tasks.append(sweeps.Task(i, seed, cfg))
        plan = sweeps.Plan(self.keys, todo, tasks, False)
        rows: list[dict[str, Any]] = []

        def collect(chunk: list[dict[str, Any]]) -> None:
            rows.extend(chunk)
            if self.bar is not None:
                self.bar.update(len(chunk))

        size = None if self.executor is not None else max(len(tasks), 1)
        sweeps._execute(
            plan,
            tasks,
            collect,
            threads=self.threads or 0,
            executor=self.executor,
            chunk_size=size,
            progress=False,
        )
        frame = sweeps._frame(plan, rows).drop("cell")
        self.frames.append(frame)
        for c in todo:
            self.done[self.key(c)] = None
        if self.out is not None:
            tmp = self.out / "runs.parquet.tmp"
            self.all_runs().write_parquet(tmp)
            os.replace(tmp, self.out / "runs.parquet")

    def all_runs(self) -> pl.DataFrame:
        return pl.concat(self.frames, how="diagonal_relaxed") if self.frames else pl.DataFrame()


def _batch_runs(n_seeds: int) -> int:
    """Runs per grid batch: large enough that a batch keeps every core
    busy, small enough that an interruption loses little (each batch is
    saved as it finishes)."""
    return max(4096, n_seeds)


def _grid_points(levers: list[Lever], n_candidates: int) -> int:
    continuous = [lv for lv in levers if lv.n_values() == math.inf]
    fixed = math.prod(int(min(lv.n_values(), 1e9)) for lv in levers if lv not in continuous)
    if not continuous:
        return 2
    return max(2, int((n_candidates / max(fixed, 1)) ** (1 / len(continuous)) + 1e-9))


def _choose_method(method: str, levers: list[Lever], n_candidates: int) -> str:
    if method != "auto":
        return method
    if _grid_points(levers, n_candidates) >= MIN_GRID_POINTS:
        return "grid"
    try:
        import optuna  # noqa: F401
    except ImportError:
        return "grid"
    return "nsga2"


def _optuna_search(ev, levers, objectives, n_candidates, method, batch, sampler_seed):
    try:
        import optuna
    except ImportError:
        raise ScenarioError(
            "method", f'{method} needs Optuna: pip install "swarm_fast[calibrate]"'
        ) from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    dists = {}
    for lv in levers:
        if lv.scale == "int":
            dists[lv.key] = optuna.distributions.IntDistribution(int(lv.low), int(lv.high))
        else:
            dists[lv.key] = optuna.distributions.FloatDistribution(
                lv.low, lv.high, log=lv.scale == "log"
            )
    if method == "nsga2":
        sampler = optuna.samplers.NSGAIISampler(seed=sampler_seed, population_size=batch)
    else:
        sampler = optuna.samplers.TPESampler(seed=sampler_seed, n_startup_trials=batch)
    study = optuna.create_study(
        directions=["maximize" if o.direction == "max" else "minimize" for o in objectives],
        sampler=sampler,
    )
    asked = 0
    searched: list[dict[str, Any]] = []
    while asked < n_candidates:
        trials = [study.ask(dists) for _ in range(min(batch, n_candidates - asked))]
        asked += len(trials)
        cands = [dict(t.params) for t in trials]
        searched += cands
        ev.run(cands)
        # The sampler reads means only; CIs come at the end.
        cols = ["passed" if o.metric == "pass_rate" else o.metric for o in objectives]
        means_df = (
            ev.all_runs().group_by(ev.keys).agg(pl.col(c).cast(pl.Float64).mean() for c in cols)
        )
        means = {tuple(r[k] for k in ev.keys): r for r in means_df.iter_rows(named=True)}
        for t, c in zip(trials, cands):
            r = means[ev.key(c)]
            study.tell(t, [r[c] for c in cols])
    return searched


def _paper_settings(scenario_id: str, keys: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """The paper's Table 6 rows that set one of the levers, on this scenario."""
    from .paper import paper_spec

    out = []
    for table in paper_spec()["tables"]:
        if table.get("kind") != "lever" or table.get("scenario") != scenario_id:
            continue
        if not set(table["keys"]) <= set(keys):
            continue
        for row in table["rows"]:
            label = f"{table['id']}: {table['lever_label']} = {row['value']}"
            out.append((label, {k: row["value"] for k in table["keys"]}))
    return out


def _fingerprint(base, levers, objectives, seeds, epochs, steps, method, extra) -> str:
    body = json.dumps(
        [
            base.to_json(seed=0, epochs=epochs, steps=steps),
            [(lv.key, lv.low, lv.high, lv.scale) for lv in levers],
            [o.label for o in objectives],
            seeds,
            method,
            extra,
        ],
        sort_keys=True,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def calibrate(
    scenario: ScenarioLike,
    levers: Any,
    objectives: Any = ("welfare:max", "toxicity:min"),
    seeds: int | Iterable[int] = 50,
    *,
    budget: int | None = None,
    method: str = "auto",
    points: int | None = None,
    epochs: int | None = None,
    steps: int | None = None,
    model: Any = None,
    out: str | os.PathLike | None = None,
    executor: Any = None,
    threads: int | None = None,
    progress: bool = False,
    batch: int = 48,
    sampler_seed: int = 0,
    level: float = 0.95,
    plot: bool = True,
) -> Calibration:
    """Map the Pareto front of ``scenario`` over ``levers``.

    ``levers``: ``["governance.transaction_tax_rate=0:0.3", ...]`` (or a
    mapping key -> ``"LO:HI[:int|log]"``); ``objectives``: ``"metric:max"``
    or ``"metric:min"`` over the run-level aggregates; ``seeds``: a count
    (seeds 0..N-1) or the seeds themselves; ``budget``: total runs
    (candidates x seeds; default ``DEFAULT_CANDIDATES`` candidates);
    ``method``: ``auto``, ``grid``, ``nsga2`` or ``tpe`` (module
    docstring); ``points``: grid values per lever (default: as many as the
    budget allows); ``model``: ``"corrected"`` or a ``model:`` mapping
    (see ``docs/corrected-model.md``); ``out``: a folder for
    ``runs.parquet`` (resumable), ``candidates.parquet``, ``front.parquet``,
    ``front.md`` and ``front.png``; ``executor``: a Dask client or
    ``concurrent.futures`` executor.
    """
    t0 = time.perf_counter()
    lv = _levers(levers)
    objs = _objectives(objectives)
    seed_list = _seeds(seeds)
    if method not in METHODS:
        raise ScenarioError("method", f"must be one of {', '.join(METHODS)}, got {method!r}")
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int)):
        raise ArgumentTypeError("budget", f"expected an integer number of runs, got {budget!r}")
    n_cand = DEFAULT_CANDIDATES if budget is None else budget // len(seed_list)
    if n_cand < 1:
        raise ScenarioError(
            "budget", f"{budget} runs do not cover one candidate at {len(seed_list)} seeds"
        )
    base = as_scenario(scenario)
    if model is not None:
        base = base.with_overrides({"model": model})
    from .model import describe, model_switches

    model_name = describe(model_switches(base.raw.get("model")))
    keys = [x.key for x in lv]
    # Validate every lever key and both bounds before running anything.
    for x in lv:
        for v in (x.low, x.high):
            base.with_overrides({x.key: int(v) if x.scale == "int" else v})
    chosen = "grid" if method == "auto" and points else _choose_method(method, lv, n_cand)
    if chosen == "grid":
        pts = points or _grid_points(lv, n_cand)
        grids = [x.grid(pts) for x in lv]
        _, cands = sweeps.expand_grid(dict(zip(keys, grids)))
        if budget is not None and len(cands) > n_cand:
            raise ScenarioError(
                "budget",
                f"the grid has {len(cands)} candidates x {len(seed_list)} seeds = "
                f"{len(cands) * len(seed_list)} runs, over the budget of {budget}",
            )
    else:
        cands = []
    settings = _paper_settings(base.scenario_id, keys)

    out_dir = Path(out) if out is not None else None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        fp = _fingerprint(
            base, lv, objs, seed_list, epochs, steps, chosen, [points, n_cand, batch, sampler_seed]
        )
        meta = out_dir / "calibrate.json"
        if meta.exists() and json.loads(meta.read_text()).get("fingerprint") != fp:
            if (out_dir / "runs.parquet").exists():
                raise ScenarioError(
                    "out",
                    f"{out_dir} holds runs of a different calibration; choose another folder",
                )
        meta.write_text(json.dumps({"fingerprint": fp, "levers": keys}, indent=1))

    # The paper's settings: the other levers keep the scenario's values.
    full_settings = [
        (label, {k: cell.get(k, _scenario_value(base, k)) for k in keys})
        for label, cell in settings
    ]
    # Runs to do (a paper setting on the grid runs once); an estimate for
    # Optuna, whose samplers may ask a candidate twice.
    distinct = {tuple(c[k] for k in keys) for c in cands + [c for _, c in full_settings]}
    total = len(distinct) * len(seed_list)
    if chosen != "grid":
        total = (n_cand + len(full_settings)) * len(seed_list)
    bar = sweeps._progress_bar(total, "calibrate") if progress else None
    try:
        ev = _Evaluator(base, keys, seed_list, epochs, steps, executor, threads, out_dir, bar)
        if bar is not None and ev.frames:
            bar.update(min(total, ev.all_runs().height))
        if chosen == "grid":
            step = max(1, _batch_runs(len(seed_list)) // len(seed_list))
            for i in range(0, len(cands), step):
                ev.run(cands[i : i + step])
        else:
            cands = _optuna_search(ev, lv, objs, n_cand, chosen, batch, sampler_seed)
        ev.run([c for _, c in full_settings])
        if bar is not None:
            bar.total = bar.n  # the runs actually done
            bar.refresh()
    finally:
        if bar is not None:
            bar.close()

    runs = ev.all_runs()
    scored = _score(runs, keys, objs, level)
    # The search's candidates (a paper setting is one only if searched too).
    searched = {ev.key(c) for c in cands}
    cand_rows = scored.filter(
        pl.Series([tuple(r) in searched for r in scored.select(keys).iter_rows()], dtype=pl.Boolean)
    )
    values = np.column_stack([cand_rows[f"{o.metric}_mean"].to_numpy() for o in objs])
    cand_rows = cand_rows.with_columns(
        pl.Series("pareto", pareto_mask(values, [o.direction == "max" for o in objs]))
    )
    lookup = {tuple(r[k] for k in keys): r for r in scored.iter_rows(named=True)}
    paper_rows = [{"setting": label, **lookup[ev.key(c)]} for label, c in full_settings]
    paper_points = pl.DataFrame(paper_rows) if paper_rows else pl.DataFrame()
    result = Calibration(
        scenario_id=base.scenario_id,
        levers=lv,
        objectives=objs,
        seeds=seed_list,
        method=chosen,
        candidates=cand_rows,
        runs=runs,
        paper_points=paper_points,
        elapsed_s=time.perf_counter() - t0,
        model=model_name,
    )
    if out_dir is not None:
        result.files = write_outputs(result, out_dir, plot=plot)
    return result


def _scenario_value(base, key: str) -> Any:
    node: Any = base.raw
    for part in key.replace("[", ".").replace("]", "").split("."):
        if isinstance(node, list):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            # Not in the file: the core's default, read from the config.
            cfg = base.config
            section, _, leaf = key.partition(".")
            return (cfg.get(section) or {}).get(leaf)
    return node


# ------------------------------------------------------------------ outputs


def write_outputs(result: Calibration, out: Path, plot: bool = True) -> list[Path]:
    files = [out / "candidates.parquet", out / "front.parquet", out / "front.md"]
    result.candidates.write_parquet(files[0])
    result.front.write_parquet(files[1])
    files[2].write_text(result.to_markdown())
    if result.paper_points.height:
        files.append(out / "paper_settings.parquet")
        result.paper_points.write_parquet(files[-1])
    if plot and len(result.objectives) >= 2:
        from .paper import plots_available

        if plots_available():
            files.append(front_plot(result, out / "front.png"))
    return files


def front_plot(result: Calibration, path: Path) -> Path:
    """The first two objectives: every candidate, the front with CI bars,
    and the paper's Table 6 settings."""
    from .plot import _plt

    plt = _plt()
    ox, oy = result.objectives[0], result.objectives[1]
    fig, ax = plt.subplots(figsize=(7.5, 5.2))
    c = result.candidates
    ax.scatter(
        c[f"{ox.metric}_mean"], c[f"{oy.metric}_mean"], s=8, color="0.75", label="candidates"
    )
    f = result.front.sort(f"{ox.metric}_mean")

    def bars(df: pl.DataFrame, m: str) -> np.ndarray:
        mean = df[f"{m}_mean"].to_numpy()
        return np.vstack(
            [mean - df[f"{m}_ci_low"].to_numpy(), df[f"{m}_ci_high"].to_numpy() - mean]
        )

    ax.errorbar(
        f[f"{ox.metric}_mean"],
        f[f"{oy.metric}_mean"],
        xerr=bars(f, ox.metric),
        yerr=bars(f, oy.metric),
        fmt="o-",
        color="tab:blue",
        ms=4,
        lw=1,
        capsize=2,
        label=f"Pareto front ({f.height}), 95% CI",
    )
    p = result.paper_points
    if p.height:
        markers = {"6a": "s", "6b": "^", "6c": "D", "6d": "v"}
        colours = {"6a": "tab:red", "6b": "tab:orange", "6c": "tab:green", "6d": "tab:purple"}
        for table in sorted({s.split(":")[0] for s in p["setting"]}):
            sub = p.filter(pl.col("setting").str.starts_with(table + ":"))
            ax.errorbar(
                sub[f"{ox.metric}_mean"],
                sub[f"{oy.metric}_mean"],
                xerr=bars(sub, ox.metric),
                yerr=bars(sub, oy.metric),
                fmt=markers.get(table, "x"),
                color=colours.get(table, "tab:brown"),
                ms=6,
                capsize=2,
                mfc="none",
                label=f"paper Table {table} settings",
            )
    ax.set_xlabel(f"{ox.metric} (mean over {len(result.seeds)} seeds; {ox.direction})")
    ax.set_ylabel(f"{oy.metric} (mean; {oy.direction})")
    levers = ", ".join(lv.key.split(".")[-1] for lv in result.levers)
    ax.set_title(f"{result.scenario_id} ({result.model} model)\nlevers: {levers}", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


# ------------------------------------------------------------------ CLI


def cmd_calibrate(args: Any) -> int:
    """``swarm-fast calibrate``: the arguments come parsed from cli.py."""
    executor = cluster = None
    if args.dask:
        executor, cluster = sweeps._connect(args.dask, args.dask_timeout)
    try:
        result = calibrate(
            args.scenario,
            args.lever,
            args.objective or ["welfare:max", "toxicity:min"],
            args.seeds,
            budget=args.budget,
            method=args.method,
            points=args.points,
            epochs=args.epochs,
            steps=args.steps,
            model=args.model,
            out=args.out,
            executor=executor,
            threads=args.threads,
            progress=not args.quiet,
            plot=not args.no_plots,
        )
    except KeyboardInterrupt:
        print(
            f"interrupted: finished batches are kept in {args.out}; run again to resume",
            file=sys.stderr,
        )
        return 130
    finally:
        if executor is not None:
            executor.close()
        if cluster is not None:
            cluster.close()
    print(result.to_markdown())
    print("wrote " + ", ".join(str(f) for f in result.files))
    return 0


class _CallableModule(types.ModuleType):
    """``swarm_fast.calibrate(...)`` calls :func:`calibrate` even when this
    module was imported first (``import swarm_fast.calibrate`` makes the
    package attribute the module, not the function)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Calibration:
        return calibrate(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
