"""Run one scenario."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Union

from . import _core
from . import arguments as _arguments
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
    policies: Mapping[str, Any] | None = None,
    llm: Mapping[str, Any] | None = None,
    mode: str = "sync",
    concurrency: int = 8,
    progress: Callable[[int, int], Any] | None = None,
    record_agent_epochs: bool = False,
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

    ``policies`` maps names to Python policy objects (``act``,
    ``accept_interaction``, optionally ``update_from_outcome``; see
    :mod:`swarm_fast.agents`): a name that a ``type: python`` agent spec
    carries as its ``name`` gives those agents that object; any other name
    adds one agent with id ``NAME_1``. ``llm`` holds run-wide settings of
    ``type: llm`` agents (see docs/agents.md): ``mock`` (a callable
    ``(system, user) -> str`` replacing every agent's model),
    ``prompt_audit`` (a JSONL path), ``record`` / ``replay`` (a JSONL path).
    Callbacks run synchronously in schedule order, holding the GIL only
    while they run; an exception in one becomes the reference's fallback
    (NOOP / reject), is counted in ``result.policy_report`` and warned about.

    ``mode="async"`` is the reference's ``run_async`` semantics, for live
    models: each step every agent decides on the step's starting state,
    Python and LLM agents' calls run ``concurrency`` at a time on worker
    threads (``llm={"rate_limit": calls_per_second}`` caps the rate), then
    the actions execute in schedule order; proposals are all decided before
    any completes. It is not the sync loop, so not bit-exact with
    ``swarm run``; the default ``"sync"`` is.

    ``progress``, if given, is called as ``progress(epochs_done, epochs)``
    as epochs finish; ``record_agent_epochs=True`` keeps every agent's
    reputation, resources and frozen flag at each epoch's end (what the
    reference's exporter snapshots). Both for runs of scripted agents only.

    Every argument is checked by name. Raises :class:`ScenarioError`
    (a ``ValueError``; :class:`ArgumentTypeError`, also a ``TypeError``,
    for a wrong type) naming the key or argument when the scenario or an
    argument is invalid, when the run would not fit in the machine's
    available memory (agents, epochs, or the interaction trace as it grows),
    or when its sums overflow (see :func:`check_finite`); and
    ``KeyboardInterrupt`` on Ctrl-C.
    """
    if mode not in ("sync", "async"):
        raise ScenarioError("mode", f"expected 'sync' or 'async', got {short(mode)}")
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ScenarioError("concurrency", f"expected an integer >= 1, got {short(concurrency)}")
    if progress is not None and not callable(progress):
        raise ArgumentTypeError("progress", f"expected a callable, got {short(progress)}")
    sc = as_scenario(scenario)
    if policies:
        from .agents.spec import add_policy_agents

        extended = add_policy_agents(sc.raw, policies)
        if extended is not None:
            sc = Scenario(extended, sc.path)
    args = sc._run_args(seed, epochs, steps, record_interactions)
    if not any(a["type"] == "external" for a in sc._config["agents"]):
        if llm:
            raise ScenarioError("llm", "the scenario has no llm agents")
        if mode != "sync":
            raise ScenarioError("mode", "mode='async' needs python or llm agents")
        max_rows = sc._memory_budget(args[1], epochs is not None, args[3], steps=args[2])
        raw: dict[str, Any] = _core.run_config(
            sc._core(),
            *args,
            progress,
            max_trace_rows=max_rows,
            record_agent_epochs=_arguments.flag("record_agent_epochs", record_agent_epochs),
        )
        check_finite(raw)
        return RunResult(raw, *sc._summary_config())
    result = _run_external(sc, args, policies, llm, mode == "async", concurrency)
    check_finite(result._raw)
    return result


def _run_external(
    sc: Scenario,
    args: tuple[int, int, int, bool],
    policies: Mapping[str, Any] | None,
    llm: Mapping[str, Any] | None,
    batched: bool,
    concurrency: int,
) -> RunResult:
    from .agents.spec import build_policies

    if sc._config.get("marketplace") is not None:
        model_agents = [
            a.get("type")
            for a in sc.raw.get("agents") or []
            if isinstance(a, Mapping) and a.get("type") in ("llm", "concordia_entity", "council")
        ]
        if "council" in model_agents:
            raise ScenarioError(
                "marketplace",
                "council agents with a marketplace are refused: their prompts and verdicts "
                "have not been checked against the reference's there (docs/agents.md)",
            )
        if model_agents:
            raise ScenarioError(
                "marketplace",
                f"{model_agents[0]} agents with a marketplace are refused: the reference shows "
                "them the market's tasks in their prompts, with texts swarm_fast's core does "
                "not keep, so their prompts would differ; python agents see and use the market "
                "(docs/agents.md)",
            )
    context = {"scenario_id": sc.scenario_id, "seed": args[0], **dict(llm or {})}
    objects = build_policies(sc.raw["agents"], policies, context)
    simulation_id = f"{sc.scenario_id}-seed{args[0]}"
    try:
        raw = _core.run_policies(
            sc._core(), *args, objects, simulation_id, batched, concurrency if batched else 1
        )
    finally:
        _close(objects)
    result = RunResult(raw, *sc._summary_config())
    result._policies = objects
    report = raw.get("external")
    if report is not None:
        failed = sum(report["errors_act"]) + sum(report["errors_accept"])
        failed += sum(report["errors_update"])
        if failed:
            warnings.warn(
                f"{failed} policy callback(s) raised and fell back (NOOP / reject); "
                "see result.policy_report",
                RuntimeWarning,
                stacklevel=3,
            )
    return result


def _close(objects: list[Any]) -> None:
    """Let objects that hold files (prompt audit, recordings) flush them."""
    seen: set[int] = set()
    for obj in objects:
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        close = getattr(obj, "close_run", None)
        if callable(close):
            close()
