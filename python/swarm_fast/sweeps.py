"""Sweeps: a grid of lever settings x seeds, run in parallel in Rust.

A sweep is a list of independent runs. They are cut into chunks; each chunk
runs inside Rust on all local cores (GIL released), or on a remote worker
when an executor (a ``concurrent.futures.Executor`` or a
``dask.distributed.Client``) is given. Every run is deterministic and rows
are put back in (cell, seed) order, so the result does not depend on the
thread count, the executor or the chunking.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import shutil
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import polars as pl

from . import _core, arguments
from .errors import OutputError, ScenarioError
from .results import EPOCH_COLUMNS, last_contract_metrics, summarize
from .run import ScenarioLike, as_scenario

SUMMARY_COLUMNS = [
    "toxicity",
    "quality_gap",
    "welfare",
    "interactions",
    "accepted",
    "rejected",
    "passed",
    "mean_epoch_toxicity",
    "mean_net_social_welfare",
    "conditional_loss_initiator",
    "conditional_loss_counterparty",
    "spread",
    "p_accepted_sum",
    "p_rejected_sum",
]


@dataclass(frozen=True)
class Task:
    """One run of a sweep: grid cell ``cell`` at ``seed``. ``raw_json`` is
    the cell's scenario mapping when it has Python, LLM or Concordia agents:
    such a run builds its own policy objects from the spec (see
    :func:`swarm_fast.agents.spec.check_sweepable`) wherever it runs."""

    cell: int
    seed: int
    config_json: str
    raw_json: str | None = None


@dataclass(frozen=True)
class Plan:
    params: list[str]
    cells: list[dict[str, Any]]
    tasks: list[Task]
    per_epoch: bool

    def fingerprint(self) -> str:
        """Identifies the sweep, so a resume never mixes two sweeps."""
        body = json.dumps(
            [
                self.params,
                self.cells,
                [(t.cell, t.seed, t.config_json) for t in self.tasks],
                self.per_epoch,
            ],
            sort_keys=True,
            default=str,
        )
        import hashlib

        return hashlib.sha256(body.encode()).hexdigest()


def expand_grid(grid: Mapping[str, Sequence[Any]] | None) -> tuple[list[str], list[dict]]:
    """The Cartesian product of the grid, first key varying slowest."""
    if not grid:
        return [], [{}]
    params = list(grid)
    for key, values in grid.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            raise ScenarioError(key, f"grid values must be a list, got {values!r}")
        if len(list(values)) == 0:
            raise ScenarioError(key, "grid values are empty")
    cells = [dict(zip(params, combo)) for combo in itertools.product(*grid.values())]
    return params, cells


def plan_sweep(
    scenario: ScenarioLike,
    grid: Mapping[str, Sequence[Any]] | None = None,
    seeds: Iterable[int] = (42,),
    epochs: int | None = None,
    steps: int | None = None,
    per_epoch: bool = False,
) -> Plan:
    """Validate every cell (a bad value raises ScenarioError naming its key)
    and build the run configurations."""
    base = as_scenario(scenario)
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ScenarioError("seeds", "at least one seed is required")
    params, cells = expand_grid(grid)
    tasks = []
    for i, cell in enumerate(cells):
        sc = base.with_overrides(cell) if cell else base
        raw_json = None
        if any(a["type"] == "external" for a in sc._config["agents"]):
            from .agents.spec import check_sweepable

            check_sweepable(sc.raw["agents"])
            raw_json = json.dumps(sc.raw)
        for seed in seeds:
            cfg = sc.to_json(seed=seed, epochs=epochs, steps=steps, record_interactions=False)
            tasks.append(Task(i, seed, cfg, raw_json))
    return Plan(params, cells, tasks, per_epoch)


def _run_with_policies(task: Task) -> dict[str, Any]:
    """One run whose agents include Python policies: through ``run()``, with
    policy objects built afresh from the spec, so that no state crosses
    runs and the result depends on nothing but the task."""
    import warnings

    from .run import run

    cfg = json.loads(task.config_json)
    with warnings.catch_warnings():
        # Counted in the run's policy report; one warning per run is noise here.
        warnings.simplefilter("ignore", RuntimeWarning)
        result = run(
            json.loads(task.raw_json or "{}"),
            seed=task.seed,
            epochs=cfg["n_epochs"],
            steps=cfg["steps_per_epoch"],
        )
    return result._raw


def _rows(raw: dict[str, Any], task: Task, per_epoch: bool) -> list[dict[str, Any]]:
    if per_epoch:
        cols = {c: raw["epochs"][c].tolist() for c in EPOCH_COLUMNS}
        n = len(cols["epoch"])
        return [
            {"cell": task.cell, "seed": task.seed, **{c: v[i] for c, v in cols.items()}}
            for i in range(n)
        ]
    config = json.loads(task.config_json)
    s = summarize(
        raw["epochs"],
        raw["totals"],
        config.get("success_criteria"),
        config.get("payoff"),
        contract=last_contract_metrics(raw),
    )
    return [{"cell": task.cell, "seed": task.seed, **{k: s[k] for k in SUMMARY_COLUMNS}}]


def run_chunk(
    tasks: Sequence[Task],
    per_epoch: bool,
    threads: int = 0,
    progress: Callable[[int, int], Any] | None = None,
) -> list[dict[str, Any]]:
    """Run a chunk of tasks in Rust, in parallel; rows in task order.

    A plain top-level function so that executors can ship it to workers.
    """
    scripted = [t for t in tasks if t.raw_json is None]
    raws = iter(_core.run_batch([t.config_json for t in scripted], threads, progress))
    rows: list[dict[str, Any]] = []
    for k, task in enumerate(tasks):
        # Runs with Python policies take the GIL for every callback: one at
        # a time here; a Dask cluster or process pool spreads them.
        raw = next(raws) if task.raw_json is None else _run_with_policies(task)
        if task.raw_json is not None and progress is not None:
            progress(k + 1, len(tasks))
        rows.extend(_rows(raw, task, per_epoch))
    return rows


def _frame(plan: Plan, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Attach the parameter columns and order rows by (cell, seed[, epoch])."""
    schema_cols = ["cell"] + plan.params + ["seed"]
    if not rows:
        return pl.DataFrame()
    df = pl.DataFrame(rows)
    if plan.params:
        cells = pl.DataFrame(
            {
                "cell": list(range(len(plan.cells))),
                **{p: [c[p] for c in plan.cells] for p in plan.params},
            },
            strict=False,
        )
        df = df.join(cells, on="cell", how="left")
    order = ["cell", "seed"] + (["epoch"] if plan.per_epoch else [])
    rest = [c for c in df.columns if c not in schema_cols]
    return df.select(schema_cols + rest).sort(order)


def _chunks(tasks: Sequence[Task], size: int) -> Iterator[list[Task]]:
    for i in range(0, len(tasks), size):
        yield list(tasks[i : i + size])


def _chunk_size(plan: Plan, target_seconds: float, threads: int) -> int:
    """About ``target_seconds`` of work per chunk, from one timed run."""
    if not plan.tasks:
        return 1
    t0 = time.perf_counter()
    run_chunk(plan.tasks[:1], plan.per_epoch, threads=1)
    one = max(time.perf_counter() - t0, 1e-5)
    return max(1, min(len(plan.tasks), math.ceil(target_seconds / one)))


def _progress_bar(total: int, desc: str, initial: int = 0) -> Any:
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return None
    return tqdm(
        total=total, initial=initial, desc=desc, unit="run", dynamic_ncols=True, file=sys.stderr
    )


def _execute(
    plan: Plan,
    tasks: list[Task],
    on_chunk: Callable[[list[dict[str, Any]]], None],
    *,
    threads: int,
    executor: Any,
    chunk_size: int | None,
    progress: bool,
    done_before: int = 0,
) -> None:
    """Run ``tasks`` chunk by chunk, calling ``on_chunk`` with each chunk's
    rows as it finishes (in completion order). The progress bar counts
    ``done_before`` runs (resumed from earlier) as done."""
    if not tasks:
        return
    bar = _progress_bar(done_before + len(tasks), "sweep", done_before) if progress else None
    try:
        if executor is None:
            size = chunk_size or max(len(tasks) // 20, (threads or os.cpu_count() or 1) * 4)
            for chunk in _chunks(tasks, size):
                base = bar.n if bar is not None else 0

                def tick(done: int, _total: int, base: int = base) -> None:
                    if bar is not None:
                        bar.n = base + done
                        bar.refresh()

                on_chunk(run_chunk(chunk, plan.per_epoch, threads, tick))
        else:
            size = chunk_size or _chunk_size(plan, 1.0, 1)
            _execute_remote(plan, tasks, on_chunk, executor, size, bar)
    finally:
        if bar is not None:
            bar.close()


def _execute_remote(plan, tasks, on_chunk, executor, size, bar) -> None:
    """Ship chunks to an executor (concurrent.futures or dask.distributed).
    A chunk lost with a worker is re-run by the engine's retries or here."""
    chunks = list(_chunks(tasks, size))
    is_dask = hasattr(executor, "gather") and hasattr(executor, "scheduler_info")
    if is_dask:
        from distributed import as_completed

        futures = {
            executor.submit(run_chunk, c, plan.per_epoch, 0, None, pure=False, retries=3): c
            for c in chunks
        }
    else:
        from concurrent.futures import as_completed

        futures = {executor.submit(run_chunk, c, plan.per_epoch, 0, None): c for c in chunks}
    for fut in as_completed(list(futures)):
        chunk = futures[fut]
        try:
            rows = fut.result()
        except (KeyboardInterrupt, ScenarioError):
            raise
        except Exception:
            # The worker died or the future was lost: run it here instead.
            rows = run_chunk(chunk, plan.per_epoch)
        on_chunk(rows)
        if bar is not None:
            bar.update(len(chunk))


def sweep(
    scenario: ScenarioLike,
    grid: Mapping[str, Sequence[Any]] | None = None,
    seeds: Iterable[int] = (42,),
    epochs: int | None = None,
    steps: int | None = None,
    per_epoch: bool = False,
    *,
    threads: int | None = None,
    executor: Any = None,
    chunk_size: int | None = None,
    progress: bool = False,
    on_chunk: Callable[[pl.DataFrame], Any] | None = None,
) -> pl.DataFrame:
    """Run ``scenario`` over the Cartesian ``grid`` of dotted overrides x
    ``seeds``.

    Returns one row per (cell, seed) with the parameter columns, the seed and
    the run-level aggregates (see ``SUMMARY_COLUMNS``), or, with
    ``per_epoch=True``, one row per (cell, seed, epoch) with the EpochMetrics
    columns. ``threads`` = worker threads (default: all cores); results are
    identical for any value. ``executor``: run chunks on a
    ``dask.distributed.Client`` or a ``concurrent.futures.Executor``.
    ``on_chunk`` is called with each chunk's rows, as a DataFrame, as soon
    as the chunk finishes (chunks can finish in any order).

    Every argument is checked by name (``ScenarioError``, or its subclass
    ``ArgumentTypeError`` for a wrong type): ``seeds`` must be an iterable
    of integers, never a string, float or bare int.
    """
    grid, seeds = arguments.sweep_args(
        grid, seeds, epochs, steps, per_epoch, threads, chunk_size, progress, on_chunk
    )
    plan = plan_sweep(scenario, grid, seeds, epochs, steps, per_epoch)
    rows: list[dict[str, Any]] = []

    def collect(chunk_rows: list[dict[str, Any]]) -> None:
        rows.extend(chunk_rows)
        if on_chunk is not None:
            on_chunk(_frame(plan, chunk_rows))

    _execute(
        plan,
        plan.tasks,
        collect,
        threads=threads or 0,
        executor=executor,
        chunk_size=chunk_size,
        progress=progress,
    )
    return _frame(plan, rows)


OUTPUT_FORMATS = {".parquet": "parquet", ".csv": "csv"}


def output_format(out: str | os.PathLike, format: str | None = None) -> str:
    """The table format of a sweep output: ``format``, which must match the
    file's extension, or the one the extension names."""
    suffix = Path(out).suffix.lower()
    implied = OUTPUT_FORMATS.get(suffix)
    if implied is None:
        raise OutputError(
            f"{out}: unknown output extension {suffix or '(none)'!r}; use .parquet or .csv"
        )
    if format is not None and format != implied:
        raise OutputError(f"{out}: the extension {suffix} does not match the format {format!r}")
    return implied


def sweep_to_file(
    out: str | os.PathLike,
    scenario: ScenarioLike,
    grid: Mapping[str, Sequence[Any]] | None = None,
    seeds: Iterable[int] = (42,),
    epochs: int | None = None,
    steps: int | None = None,
    per_epoch: bool = False,
    *,
    format: str | None = None,
    threads: int | None = None,
    executor: Any = None,
    chunk_size: int | None = None,
    progress: bool = True,
    report: Callable[[str], Any] | None = None,
) -> pl.DataFrame:
    """Like :func:`sweep`, writing as it goes, and resumable.

    ``out`` ends in ``.parquet`` or ``.csv`` (``format``, if given, must
    agree). Finished chunks are written atomically as Parquet parts under
    ``OUT.parts/``. Re-running the same sweep after an interruption skips
    every finished (cell, seed) (``report`` is told how many); when all are
    done the parts are merged into ``OUT`` in (cell, seed) order. Partial
    results of a different sweep are refused (``OutputError``). Arguments
    are checked as by :func:`sweep`.
    """
    grid, seeds = arguments.sweep_args(
        grid, seeds, epochs, steps, per_epoch, threads, chunk_size, progress
    )
    out = Path(out)
    fmt = output_format(out, format)
    plan = plan_sweep(scenario, grid, seeds, epochs, steps, per_epoch)
    parts = Path(f"{out}.parts")
    manifest = parts / "manifest.json"
    fingerprint = plan.fingerprint()
    if parts.exists():
        known = json.loads(manifest.read_text()).get("fingerprint") if manifest.exists() else None
        if known != fingerprint:
            raise OutputError(
                f"{parts} holds partial results of a different sweep; remove it or choose "
                "another output path"
            )
    else:
        parts.mkdir(parents=True)
        manifest.write_text(json.dumps({"fingerprint": fingerprint}))
    done: set[tuple[int, int]] = set()
    existing = sorted(parts.glob("part-*.parquet"))
    for part in existing:
        keys = pl.read_parquet(part, columns=["cell", "seed"]).unique()
        done.update(zip(keys["cell"].to_list(), keys["seed"].to_list()))
    todo = [t for t in plan.tasks if (t.cell, t.seed) not in done]
    if done and report is not None:
        report(
            f"resuming: {len(plan.tasks) - len(todo)} of {len(plan.tasks)} runs already done "
            f"in {parts}; running the other {len(todo)}"
        )
    counter = [len(existing)]

    def write_part(rows: list[dict[str, Any]]) -> None:
        df = _frame(plan, rows)
        path = parts / f"part-{counter[0]:06d}.parquet"
        tmp = path.with_suffix(".tmp")
        df.write_parquet(tmp)
        os.replace(tmp, path)
        counter[0] += 1

    _execute(
        plan,
        todo,
        write_part,
        threads=threads or 0,
        executor=executor,
        chunk_size=chunk_size,
        progress=progress,
        done_before=len(plan.tasks) - len(todo),
    )
    frames = [pl.read_parquet(p) for p in sorted(parts.glob("part-*.parquet"))]
    order = ["cell", "seed"] + (["epoch"] if per_epoch else [])
    result = pl.concat(frames, how="vertical_relaxed").sort(order) if frames else pl.DataFrame()
    tmp = out.with_name(out.name + ".tmp")
    if fmt == "csv":
        result.write_csv(tmp)
    else:
        result.write_parquet(tmp)
    os.replace(tmp, out)
    shutil.rmtree(parts)
    return result


def sweep_to_parquet(out: str | os.PathLike, *args: Any, **kwargs: Any) -> pl.DataFrame:
    """:func:`sweep_to_file` into a Parquet file (``out`` ends in .parquet)."""
    return sweep_to_file(out, *args, format="parquet", **kwargs)


def _connect(address: str, timeout: float) -> tuple[Any, Any]:
    from .cli import CliError

    try:
        import distributed  # noqa: F401
    except ImportError:
        raise CliError(
            '--dask needs the dask extra: pip install "swarm_fast[dask]"', code=1
        ) from None
    from .distributed import connect

    try:
        return connect(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as e:
        reason = " ".join(str(e).split()) or type(e).__name__
        if len(reason) > 200:
            reason = reason[:197] + "..."
        raise CliError(
            f"cannot reach the Dask scheduler at {address} within {timeout:g} s: {reason}",
            code=1,
        ) from None


def cmd_sweep(args: Any) -> int:
    """``swarm-fast sweep``: the arguments come parsed from cli.py."""
    from .cli import CliError

    out = Path(args.out)
    try:
        fmt = output_format(out, args.format)
    except OutputError as e:
        raise CliError(f"--out {e}") from None
    if out.exists() and not Path(f"{out}.parts").exists():
        if not args.force:
            raise CliError(
                f"{out} already holds a finished sweep; pass --force to replace it, or choose "
                "another --out"
            )
    if not out.parent.is_dir():
        raise CliError(f"--out {out}: the folder {out.parent} does not exist")
    grid = dict(args.grid or [])
    executor = cluster = None
    if args.dask:
        executor, cluster = _connect(args.dask, args.dask_timeout)
    try:
        df = sweep_to_file(
            out,
            args.scenario,
            grid,
            args.seeds,
            args.epochs,
            args.steps,
            args.per_epoch,
            format=fmt,
            threads=args.threads,
            executor=executor,
            chunk_size=args.chunk_size,
            progress=not args.quiet,
            report=lambda msg: print(msg, file=sys.stderr),
        )
    except KeyboardInterrupt:
        print(
            f"interrupted: finished chunks are kept in {out}.parts; "
            "run the same command again to resume",
            file=sys.stderr,
        )
        return 130
    except OutputError as e:
        raise CliError(str(e), code=1) from None
    finally:
        if executor is not None:
            executor.close()
        if cluster is not None:
            cluster.close()
    print(f"wrote {len(df)} rows to {out}")
    return 0
