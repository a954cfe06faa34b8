"""Checks of the public functions' arguments, each naming the argument.

A wrong type raises :class:`~swarm_fast.errors.ArgumentTypeError` (a
``ScenarioError`` and a ``TypeError``), a wrong value ``ScenarioError``.
Nothing is coerced: a float or a string never becomes a seed list.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import ArgumentTypeError, ScenarioError
from .limits import check_structure, short, short_key

MAX_SEEDS = 10_000_000  # runs of one sweep, per grid cell
MAX_GRID_VALUES = 1_000_000  # values of one grid key
MAX_TASKS = 100_000_000  # cells x seeds
MAX_THREADS = 4096
MAX_CHUNK = 100_000_000


def integer(name: str, value: Any, low: int, high: int, *, optional: bool = True) -> Any:
    """An int (not a bool, float or string) in [low, high], or None."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentTypeError(name, f"expected an integer, got {short(value)}")
    if not low <= value <= high:
        raise ScenarioError(name, f"must be in [{low}, {high}], got {short(value)}")
    return value


def flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ArgumentTypeError(name, f"expected True or False, got {short(value)}")
    return value


def seeds(value: Any) -> list[int]:
    """An iterable of non-negative ints < 2**63 (a range, list or tuple);
    not a string, a bare int, a float or None."""
    if (
        value is None
        or isinstance(value, (str, bytes, int, float, Mapping))
        or not isinstance(value, Iterable)
    ):
        raise ArgumentTypeError(
            "seeds", f"expected an iterable of integers (e.g. range(10)), got {short(value)}"
        )
    out = []
    for i, seed in enumerate(value):
        if len(out) >= MAX_SEEDS:
            raise ScenarioError("seeds", f"more than {MAX_SEEDS} seeds")
        if isinstance(seed, bool) or not isinstance(seed, int):
            what = "NaN" if isinstance(seed, float) and math.isnan(seed) else short(seed)
            raise ArgumentTypeError(f"seeds[{i}]", f"expected an integer seed, got {what}")
        if not 0 <= seed < 2**63:
            raise ScenarioError(f"seeds[{i}]", f"must be in [0, 2**63), got {short(seed)}")
        out.append(seed)
    if not out:
        raise ScenarioError("seeds", "at least one seed is required")
    return out


def grid(value: Any) -> dict[str, list[Any]] | None:
    """A mapping of dotted override keys to non-empty lists of values."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ArgumentTypeError(
            "grid", f"expected a mapping of dotted keys to lists of values, got {short(value)}"
        )
    out: dict[str, list[Any]] = {}
    cells = 1
    for key, values in value.items():
        if not isinstance(key, str):
            raise ArgumentTypeError("grid", f"keys are dotted YAML paths, got {short(key)}")
        where = f"grid[{short_key(key, 100)!r}]"
        if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
            raise ArgumentTypeError(where, f"expected a list of values, got {short(values)}")
        items = []
        for v in values:
            if len(items) >= MAX_GRID_VALUES:
                raise ScenarioError(where, f"more than {MAX_GRID_VALUES} values")
            items.append(v)
        if not items:
            raise ScenarioError(where, "grid values are empty")
        check_structure(items, where)
        cells *= len(items)
        if cells > MAX_TASKS:
            raise ScenarioError("grid", f"more than {MAX_TASKS} cells")
        out[key] = items
    return out


# A planned run holds its configuration as JSON (a few KB) and its result
# row(s) until the sweep returns; per-epoch rows are about 1 KB each.
TASK_BYTES = 8 * 1024
ROW_BYTES = 1024


def _check_sweep_memory(tasks: int, rows_per_task: int | None) -> None:
    from .limits import available_memory, gib

    need = tasks * TASK_BYTES + tasks * (rows_per_task or 1) * ROW_BYTES
    if need < 64 * 1024 * 1024:
        return
    free = available_memory()
    if free is not None and need > free:
        raise ScenarioError(
            "seeds",
            f"{tasks} runs need ≈ {gib(need)} to plan and collect; this machine has "
            f"{gib(free)} available (split the sweep, or use sweep_to_parquet)",
        )


def sweep_args(
    grid_: Any,
    seeds_: Any,
    epochs: Any,
    steps: Any,
    per_epoch: Any,
    threads: Any,
    chunk: Any,
    progress: Any = False,
    on_chunk: Any = None,
) -> tuple[dict[str, list[Any]] | None, list[int]]:
    """Check ``sweep``'s arguments; return the grid and seeds as lists."""
    from .limits import MAX_EPOCHS, MAX_STEPS

    g = grid(grid_)
    s = seeds(seeds_)
    cells = math.prod(len(v) for v in g.values()) if g else 1
    if cells * len(s) > MAX_TASKS:
        raise ScenarioError("seeds", f"{cells} cells x {len(s)} seeds is over {MAX_TASKS} runs")
    integer("epochs", epochs, 0, MAX_EPOCHS)
    integer("steps", steps, 0, MAX_STEPS)
    flag("per_epoch", per_epoch)
    _check_sweep_memory(cells * len(s), epochs if per_epoch else 1)
    integer("threads", threads, 0, MAX_THREADS)
    integer("chunk_size", chunk, 1, MAX_CHUNK)
    flag("progress", progress)
    if on_chunk is not None and not callable(on_chunk):
        raise ArgumentTypeError("on_chunk", f"expected a callable or None, got {short(on_chunk)}")
    return g, s
