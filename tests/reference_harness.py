"""Run the reference, swarm-safety 1.9.0, in-process, and return its results
in exactly the shape swarm_fast returns them, for live parity tests.

It reproduces ``swarm run FILE --seed S --epochs E --steps T``: the YAML is
loaded by the reference's own loader, the overrides are set on the
orchestrator config before the orchestrator is built (so the seed also
re-seeds the agents), and a fresh orchestrator runs every time (Q22).
Nothing is written to disk: ``outputs:`` is dropped before loading.

One thing is pinned: the reference ranks feed posts by net votes minus a
wall-clock age term, reading the clock once per post while it sorts. Under
CPU load a pause inside that sort can make a newer post look older than an
earlier one and swap them, so the same run ranks (and votes) differently
from one execution to the next. For the comparison the age is taken from
creation order instead — the ranking the reference gives whenever timing
does not interfere, and the one the spec fixes (Q6). Nothing else changes.
Benchmarks pass ``pin_post_ages=False``: they time the reference as users
run it (the clock reads are a good part of its cost) and compare no results.

This module deliberately does not use swarm_fast, so the comparison is
between two independent implementations.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import os
import re
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import polars as pl
import yaml

REFERENCE_VERSION = "1.9.0"


@dataclass
class RefResult:
    interactions: pl.DataFrame
    epochs: pl.DataFrame
    agents: pl.DataFrame
    summary: dict[str, Any]
    elapsed_s: float
    # Each epoch's EpochMetrics.spawn_metrics (None without spawn).
    spawn_metrics: list[Any] | None = None
    # Each epoch's EpochMetrics.contract_metrics (None without contracts).
    contract_metrics: list[Any] | None = None


def reference_version() -> str:
    v = version("swarm-safety")
    assert v == REFERENCE_VERSION, f"parity is defined against {REFERENCE_VERSION}, found {v}"
    return v


def _set(data: dict, dotted: str, value: Any) -> None:
    parts = [p for p in re.sub(r"\[(\d+)\]", r".\1", dotted).split(".") if p]
    node: Any = data
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _load(scenario: str | Path | dict, overrides: dict | None):
    from swarm.scenarios.loader import load_scenario

    if isinstance(scenario, dict):
        data = copy.deepcopy(scenario)
    else:
        data = yaml.safe_load(Path(scenario).read_text())
    for key, value in (overrides or {}).items():
        _set(data, key, value)
    data.pop("outputs", None)
    fd, tmp = tempfile.mkstemp(suffix=".yaml")
    try:
        with os.fdopen(fd, "w") as f:
            yaml.safe_dump(data, f)
        return load_scenario(Path(tmp))
    finally:
        os.unlink(tmp)


def _passes(criteria: dict, history: list) -> bool:
    """The verdict of the reference CLI's ``_check_criteria`` (it only
    prints it): the same checks on the same metrics history."""
    n = len(history)
    avg_tox = sum(m.toxicity_rate for m in history) / n if n else 0
    avg_net = sum(m.net_social_welfare for m in history) / n if n else 0
    last = history[-1].contract_metrics if history else None
    ok = True
    if "min_epochs" in criteria:
        ok = ok and n >= criteria["min_epochs"]
    if "toxicity_threshold" in criteria:
        ok = ok and avg_tox <= criteria["toxicity_threshold"]
    if "min_net_social_welfare" in criteria:
        ok = ok and avg_net >= criteria["min_net_social_welfare"]
    for key, field, default, cmp in (
        ("min_separation_quality", "separation_quality", 0.0, lambda v, t: v >= t),
        ("max_infiltration_rate", "infiltration_rate", 1.0, lambda v, t: v <= t),
        ("min_welfare_delta", "welfare_delta", 0.0, lambda v, t: v >= t),
        ("min_attack_displacement", "attack_displacement", 0.0, lambda v, t: v >= t),
    ):
        if key in criteria:
            val = last.get(field, default) if last else default
            ok = ok and cmp(val, criteria[key])
    return bool(ok)


@contextlib.contextmanager
def _ages_by_creation_order():
    """Post ages that follow creation order, 1 ms apart (see the module
    notes); all well under the 100 hours at which age outweighs a vote."""
    from swarm.env.feed import Post

    seq = itertools.count()
    init, age = Post.__init__, Post.age_seconds

    def numbered_init(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self._creation_seq = next(seq)

    Post.__init__ = numbered_init
    Post.age_seconds = property(lambda self: 1.0 + (10_000_000 - self._creation_seq) * 1e-3)
    try:
        yield
    finally:
        Post.__init__, Post.age_seconds = init, age


def run_reference(
    scenario: str | Path | dict,
    seed: int | None = None,
    epochs: int | None = None,
    steps: int | None = None,
    overrides: dict | None = None,
    pin_post_ages: bool = True,
    prepare: Any = None,
) -> RefResult:
    """``prepare(orchestrator)``, if given, runs after the orchestrator is
    built and before the run (e.g. to plug a policy into agents)."""
    from swarm.scenarios.loader import build_orchestrator

    reference_version()
    sc = _load(scenario, overrides)
    cfg = sc.orchestrator_config
    if seed is not None:
        cfg.seed = seed
    if epochs is not None:
        cfg.n_epochs = epochs
    if steps is not None:
        cfg.steps_per_epoch = steps
    orch = build_orchestrator(sc)

    rows: list[tuple] = []

    def record(inter: Any, pay_a: float, pay_b: float) -> None:
        rows.append(
            (
                orch.state.current_epoch,
                orch.state.current_step,
                inter.initiator,
                inter.counterparty,
                inter.interaction_type.value,
                inter.accepted,
                inter.v_hat,
                inter.p,
                inter.c_a,
                inter.c_b,
                pay_a,
                pay_b,
            )
        )

    orch.on_interaction_complete(record)
    if prepare is not None:
        prepare(orch)
    with _ages_by_creation_order() if pin_post_ages else contextlib.nullcontext():
        t0 = time.perf_counter()
        history = orch.run()
        elapsed = time.perf_counter() - t0

    interactions = pl.DataFrame(
        rows,
        schema={
            "epoch": pl.Int64,
            "step": pl.Int64,
            "initiator": pl.String,
            "counterparty": pl.String,
            "interaction_type": pl.String,
            "accepted": pl.Boolean,
            "v_hat": pl.Float64,
            "p": pl.Float64,
            "c_a": pl.Float64,
            "c_b": pl.Float64,
            "payoff_initiator": pl.Float64,
            "payoff_counterparty": pl.Float64,
        },
        orient="row",
    )
    epochs_df = pl.DataFrame(
        [
            (
                m.epoch,
                m.total_interactions,
                m.accepted_interactions,
                m.total_posts,
                m.total_votes,
                float(m.toxicity_rate),
                float(m.quality_gap),
                float(m.avg_payoff),
                float(m.total_welfare),
                float(m.net_social_welfare),
            )
            for m in history
        ],
        schema={
            "epoch": pl.Int64,
            "total_interactions": pl.Int64,
            "accepted_interactions": pl.Int64,
            "total_posts": pl.Int64,
            "total_votes": pl.Int64,
            "toxicity_rate": pl.Float64,
            "quality_gap": pl.Float64,
            "avg_payoff": pl.Float64,
            "total_welfare": pl.Float64,
            "net_social_welfare": pl.Float64,
        },
        orient="row",
    )
    frozen = orch.state.frozen_agents
    agents = pl.DataFrame(
        [
            (
                aid,
                a.agent_type.value,
                a.reputation,
                a.resources,
                a.total_payoff,
                a.interactions_initiated,
                a.interactions_received,
                aid in frozen,
            )
            for aid, a in orch.state.agents.items()
        ],
        schema={
            "agent_id": pl.String,
            "agent_type": pl.String,
            "reputation": pl.Float64,
            "resources": pl.Float64,
            "total_payoff": pl.Float64,
            "interactions_initiated": pl.Int64,
            "interactions_received": pl.Int64,
            "frozen": pl.Boolean,
        },
        orient="row",
    )
    # Run-level aggregates as the paper defines them (paper-tables.md).
    weighted, n_acc, welfare = 0.0, 0, 0.0
    for m in history:
        weighted += m.toxicity_rate * m.accepted_interactions
        n_acc += m.accepted_interactions
        welfare += m.total_welfare
    acc_p = [r[7] for r in rows if r[5]]
    rej_p = [r[7] for r in rows if not r[5]]
    gap = sum(acc_p) / len(acc_p) - sum(rej_p) / len(rej_p) if acc_p and rej_p else 0.0
    summary = {
        "toxicity": weighted / n_acc if n_acc else 0.0,
        "quality_gap": gap,
        "welfare": welfare,
        "interactions": sum(m.total_interactions for m in history),
        "accepted": n_acc,
        "passed": _passes(sc.success_criteria or {}, history),
    }
    spawn = [m.spawn_metrics for m in history] if sc.orchestrator_config.spawn_config else None
    contracts = (
        [m.contract_metrics for m in history]
        if sc.orchestrator_config.contracts_config is not None
        else None
    )
    return RefResult(interactions, epochs_df, agents, summary, elapsed, spawn, contracts)
