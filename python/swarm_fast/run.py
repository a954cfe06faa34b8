"""Run one scenario."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Union

from . import _core
from .errors import ArgumentTypeError, ScenarioError
from .limits import short
from .results import RunResult
from .scenario import Scenario, load_scenario

ScenarioLike = Union[Scenario, str, Path, dict]


def as_scenario(scenario: ScenarioLike) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario
    if not isinstance(scenario, (str, Path, dict)):
        raise ArgumentTypeError(
            "scenario",
            f"expected a Scenario, a path, a bundled name or a dict, got {short(scenario)}",
        )
    return load_scenario(scenario)


def check_finite(raw: dict[str, Any]) -> None:
    """Refuse a run whose sums overflowed float64, naming them. The bounds
    on amounts (``scenario.MAX_AMOUNT``) keep this from happening; the check
    makes sure an overflow is never printed silently as inf or nan. Every
    payoff and p of the run enters these sums, so any non-finite value
    along the way shows in them."""
    totals = raw["totals"]
    if math.isfinite(sum(totals.values())):  # one pass in C for the common case
        return
    bad = [k for k, v in totals.items() if isinstance(v, float) and not math.isfinite(v)]
    if bad:
        raise ScenarioError(
            "payoff",
            f"the run's sums overflowed float64 ({', '.join(sorted(bad))} are not finite); "
            "use smaller payoff and penalty values",
        )


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

    Every argument is checked by name. Raises :class:`ScenarioError`
    (a ``ValueError``; :class:`ArgumentTypeError`, also a ``TypeError``,
    for a wrong type) naming the key or argument when the scenario or an
    argument is invalid, when the run would not fit in the machine's
    available memory (agents, epochs, or the interaction trace as it grows),
    or when its sums overflow (see :func:`check_finite`); and
    ``KeyboardInterrupt`` on Ctrl-C.
    """
    sc = as_scenario(scenario)
    args = sc._run_args(seed, epochs, steps, record_interactions)
    max_rows = sc._memory_budget(args[1], epochs is not None, args[3])
    raw: dict[str, Any] = _core.run_config(sc._core(), *args, max_trace_rows=max_rows)
    check_finite(raw)
    return RunResult(raw, *sc._summary_config())
