"""Run one scenario."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Union

from . import _core
from .results import RunResult
from .scenario import Scenario, load_scenario

ScenarioLike = Union[Scenario, str, Path, dict]


def as_scenario(scenario: ScenarioLike) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def run(
    scenario: ScenarioLike,
    seed: int | None = None,
    epochs: int | None = None,
    steps: int | None = None,
    *,
    record_interactions: bool = False,
) -> RunResult:
    """Run a scenario once, exactly as ``swarm run FILE --seed S --epochs E
    --steps T`` of swarm-safety 1.9.0 would.

    ``scenario`` is a loaded :class:`Scenario`, a path to a scenario YAML, a
    bundled scenario name (``"baseline"``) or a dict with the YAML content.
    ``seed``/``epochs``/``steps`` override the file's ``simulation`` values.
    By default only per-epoch metrics and final states are kept, so memory
    does not grow with the interaction count; ``record_interactions=True``
    also keeps the full interaction trace (``result.interactions``).
    The run releases the GIL; Ctrl-C stops it within one step.
    """
    sc = as_scenario(scenario)
    args = sc._run_args(seed, epochs, steps, record_interactions)
    raw: dict[str, Any] = _core.run_config(sc._core(), *args)
    return RunResult(raw, *sc._summary_config())
