"""``swarm-fast run --out``: write a run's tables and metadata to files.

``--out DIR`` (any path without a table extension) writes, in ``--format``
csv (default), parquet or json:

- ``epochs.<fmt>``: one row per epoch, the reference's EpochMetrics columns;
- ``agents.<fmt>``: the agents' final states;
- ``interactions.<fmt>``: one row per interaction, when the run was made
  with ``--record-interactions``;
- ``metadata.json``: scenario, seed, epochs, steps, overrides, version, the
  summary, each success criterion and the normalised configuration.

``--out FILE.csv|.parquet|.json`` writes the epoch table alone.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

FORMATS = ("csv", "parquet", "json")


@dataclass(frozen=True)
class Target:
    path: Path
    fmt: str
    is_dir: bool


def _fail(message: str) -> Exception:
    from .cli import CliError

    return CliError(message)


def plan_output(out: str, fmt: str | None) -> Target:
    """Check ``--out``/``--format`` before the run, so a typo does not cost
    a long run."""
    path = Path(out)
    suffix = path.suffix.lower().lstrip(".")
    if path.is_dir() or not suffix:
        if path.exists() and not path.is_dir():
            raise _fail(f"--out {out}: exists and is not a directory")
        return Target(path, fmt or "csv", True)
    if suffix not in FORMATS:
        raise _fail(
            f"--out {out}: unknown extension .{suffix}; give a folder, or a .csv, .parquet "
            "or .json file"
        )
    if fmt is not None and fmt != suffix:
        raise _fail(f"--out {out} does not match --format {fmt}")
    if not path.parent.is_dir():
        raise _fail(f"--out {out}: the folder {path.parent} does not exist")
    return Target(path, suffix, False)


def _write(df: Any, path: Path, fmt: str) -> None:
    if fmt == "csv":
        df.write_csv(path)
    elif fmt == "parquet":
        df.write_parquet(path)
    else:
        df.write_json(path)


def metadata(result: Any, scenario: Any, overrides: dict[str, Any], steps: int) -> dict[str, Any]:
    from ._core import __version__

    cfg = scenario.config
    return {
        "swarm_fast_version": __version__,
        "reproduces": "swarm-safety 1.9.0",
        "scenario_id": result.scenario_id,
        "scenario_path": str(scenario.path) if scenario.path else None,
        "description": scenario.raw.get("description"),
        "seed": result.seed,
        "n_epochs": result.summary["n_epochs"],
        "steps_per_epoch": steps,
        "n_agents": scenario.n_agents,
        "overrides": overrides,
        "record_interactions": result.recorded_interactions,
        "summary": result.summary,
        "success_criteria": [{**asdict(c), "passed": c.passed} for c in result.criteria],
        "config": cfg,
    }


def write_run(
    result: Any,
    scenario: Any,
    target: Target,
    steps: int,
    overrides: dict[str, Any] | None = None,
) -> list[Path]:
    """Write the run; returns the paths written."""
    if not target.is_dir:
        _write(result.epochs, target.path, target.fmt)
        return [target.path]
    target.path.mkdir(parents=True, exist_ok=True)
    written = []
    tables = {"epochs": result.epochs, "agents": result.agents}
    if result.recorded_interactions:
        tables["interactions"] = result.interactions
    for name, df in tables.items():
        path = target.path / f"{name}.{target.fmt}"
        _write(df, path, target.fmt)
        written.append(path)
    meta = metadata(result, scenario, overrides or {}, steps)
    meta["files"] = [p.name for p in written]
    path = target.path / "metadata.json"
    path.write_text(json.dumps(meta, indent=2, default=str) + "\n")
    written.append(path)
    return written
