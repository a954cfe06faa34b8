"""Run one scenario."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Union

from . import _core
from .errors import ScenarioError
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
    policies: Mapping[str, Any] | None = None,
    llm: Mapping[str, Any] | None = None,
    mode: str = "sync",
    concurrency: int = 8,
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
    """
    if mode not in ("sync", "async"):
        raise ValueError(f"mode: expected 'sync' or 'async', got {mode!r}")
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency: expected an integer >= 1, got {concurrency!r}")
    sc = as_scenario(scenario)
    if policies:
        from .agents.spec import add_policy_agents

        extended = add_policy_agents(sc.raw, policies)
        if extended is not None:
            sc = Scenario(extended, sc.path)
    args = sc._run_args(seed, epochs, steps, record_interactions)
    if not any(a["type"] == "external" for a in sc._config["agents"]):
        if llm:
            raise ValueError("llm=: the scenario has no llm agents")
        if mode != "sync":
            raise ValueError("mode='async' needs python or llm agents")
        raw: dict[str, Any] = _core.run_config(sc._core(), *args)
        return RunResult(raw, *sc._summary_config())
    return _run_external(sc, args, policies, llm, mode == "async", concurrency)


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
        raise ScenarioError(
            "marketplace",
            "python and llm agents do not see the marketplace yet: remove the section "
            "or the python/llm agents",
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
