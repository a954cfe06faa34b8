"""``swarm-fast run --out``: write a run's tables and metadata to files.

``--out DIR`` (any path without a table extension) writes, in ``--format``
csv (default), parquet or json:

- ``epochs.<fmt>``: one row per epoch, the reference's EpochMetrics columns
  (what ``swarm run`` prints);
- ``agents.<fmt>``: the agents' final states;
- ``interactions.<fmt>``: one row per interaction, in completion order;
- ``epoch_snapshots.<fmt>`` and ``agent_snapshots.<fmt>``: the two tables of
  the reference's ``swarm run --export-csv`` (its 33 epoch columns, and
  every agent at the end of every epoch), bit for bit. Its
  ``total_welfare`` is not EpochMetrics' (see below);
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
    import polars as pl

    target.path.mkdir(parents=True, exist_ok=True)
    written = []
    tables = {"epochs": result.epochs, "agents": result.agents}
    if result.recorded_interactions:
        tables["interactions"] = result.interactions
    if result._raw.get("agent_epochs") is not None and result.recorded_interactions:
        snaps, agents = reference_tables(result._raw, scenario.config)
        tables["epoch_snapshots"] = pl.DataFrame(snaps, schema_overrides={"timestamp": pl.String})
        tables["agent_snapshots"] = pl.DataFrame(agents)
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


# ------------------------------------------------ the reference's exporter
#
# `swarm run --export-csv` of swarm-safety 1.9.0 aggregates each epoch from
# the interactions it is told about (every finalised one, in completion
# order) and the agents' states at the end of the epoch. These functions
# recompute its two tables from the trace and the per-epoch agent states,
# with numpy where it uses numpy, so every value is bit-identical. Two of
# its quirks are kept: an agent's payoffs received as counterparty earlier
# in the epoch are dropped when it first initiates in that epoch, so its
# `total_welfare` (a sum of payoffs) differs from EpochMetrics'; and the
# columns the CLI never feeds (posts, votes, network, security, collusion,
# capability metrics) hold their defaults.

REFERENCE_EPOCH_COLUMNS = [
    "simulation_id",
    "epoch",
    "timestamp",
    "total_interactions",
    "accepted_interactions",
    "rejected_interactions",
    "toxicity_rate",
    "quality_gap",
    "avg_p",
    "total_welfare",
    "avg_payoff",
    "payoff_std",
    "gini_coefficient",
    "total_posts",
    "total_votes",
    "total_tasks_completed",
    "n_agents",
    "n_frozen",
    "n_quarantined",
    "avg_reputation",
    "reputation_std",
    "n_edges",
    "avg_degree",
    "avg_clustering",
    "n_components",
    "ecosystem_threat_level",
    "active_threats",
    "contagion_depth",
    "ecosystem_collusion_risk",
    "n_flagged_pairs",
    "avg_coordination_score",
    "avg_synergy_score",
    "tasks_completed",
]
# Columns the reference CLI's exporter never receives a value for.
_UNFED = {
    "total_posts": 0,
    "total_votes": 0,
    "total_tasks_completed": 0,
    "n_quarantined": 0,
    "n_edges": 0,
    "avg_degree": 0.0,
    "avg_clustering": 0.0,
    "n_components": 1,
    "ecosystem_threat_level": 0.0,
    "active_threats": 0,
    "contagion_depth": 0,
    "ecosystem_collusion_risk": 0.0,
    "n_flagged_pairs": 0,
    "avg_coordination_score": 0.0,
    "avg_synergy_score": 0.0,
    "tasks_completed": 0,
}
REFERENCE_AGENT_COLUMNS = [
    "simulation_id",
    "agent_id",
    "name",
    "agent_type",
    "epoch",
    "reputation",
    "resources",
    "interactions_initiated",
    "interactions_received",
    "avg_p_initiated",
    "avg_p_received",
    "total_payoff",
    "is_frozen",
    "is_quarantined",
]


def _gini(values: list[float]) -> float:
    import numpy as np

    if len(values) < 2:
        return 0.0
    cumulative = np.cumsum(sorted(values))
    n = len(values)
    if cumulative[-1] == 0:
        return 0.0
    return float((n + 1 - 2 * np.sum(cumulative) / cumulative[-1]) / n)


def _agent_names(config: dict[str, Any], ids: list[str]) -> list[str]:
    """The reference's agent names: the spec's ``name`` (suffixed with the
    agent's number when the spec makes several), else the agent id."""
    names = []
    for spec in config["agents"]:
        for _ in range(int(spec["count"])):
            agent_id = ids[len(names)]
            base = spec.get("name")
            if base and int(spec["count"]) > 1:
                names.append(f"{base}_{agent_id.rsplit('_', 1)[-1]}")
            else:
                names.append(base or agent_id)
    return names


def _without_platform_counterparties(raw: dict[str, Any]) -> None:
    """The reference's exports of runs with moltbook agents (whose
    interactions have the platform, ``moltbook``, as counterparty) are not
    reproduced: refused rather than written differently. Those parties are
    the trace's pseudo-parties (rust/swarm-core/src/moltbook.rs's
    ``PARTIES``), numbered after the agents."""
    trace = raw["interactions"]
    cp = trace["counterparty"]
    moltbook = "moltbook" in trace.get("pseudo_parties", ())
    if moltbook and len(cp) and int(max(cp)) >= len(raw["agents"]["agent_id"]):
        raise _fail(
            "the reference's CSV/JSON exports of runs with moltbook agents are not "
            "reproduced by swarm_fast; the run's own tables (epochs, agents, "
            "interactions) are complete"
        )


def reference_tables(
    raw: dict[str, Any], config: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(epoch records, agent-epoch records) as the reference's
    ``--export-csv`` writes them (``timestamp`` is None)."""
    import numpy as np

    trace, snaps = raw["interactions"], raw["agent_epochs"]
    if trace is None or snaps is None:
        raise ValueError("needs a run with record_interactions and record_agent_epochs")
    _without_platform_counterparties(raw)
    ids = list(raw["agents"]["agent_id"])
    types = list(raw["agents"]["agent_type"])
    names = _agent_names(config, ids)
    n = len(ids)
    sim = raw["scenario_id"]
    t_epoch = trace["epoch"]
    init, cp = trace["initiator"].tolist(), trace["counterparty"].tolist()
    acc, p = trace["accepted"].tolist(), trace["p"].tolist()
    pay_a, pay_b = trace["payoff_initiator"].tolist(), trace["payoff_counterparty"].tolist()
    n_epochs = len(raw["epochs"]["epoch"])
    bounds = np.searchsorted(t_epoch, np.arange(n_epochs + 1), side="left").tolist()
    epochs: list[dict[str, Any]] = []
    per_agent: list[list[dict[str, Any]]] = [[] for _ in range(n)]
    for e in range(n_epochs):
        data: dict[int, dict[str, Any]] = {}
        for k in range(bounds[e], bounds[e + 1]):
            a, b = init[k], cp[k]
            da = data.setdefault(a, {})
            if "interactions_initiated" not in da:
                # The reference resets the payoffs list here (its quirk).
                da.update(interactions_initiated=0, p_initiated=[], payoffs=[])
            db = data.setdefault(b, {})
            if "interactions_received" not in db:
                db.update(interactions_received=0, p_received=[])
            da["interactions_initiated"] += 1
            da["p_initiated"].append(p[k])
            db["interactions_received"] += 1
            db["p_received"].append(p[k])
            da.setdefault("payoffs", []).append(pay_a[k])
            db.setdefault("payoffs", []).append(pay_b[k])
        ps = p[bounds[e] : bounds[e + 1]]
        accepted = [x for x, ok in zip(ps, acc[bounds[e] : bounds[e + 1]]) if ok]
        rejected = [x for x, ok in zip(ps, acc[bounds[e] : bounds[e + 1]]) if not ok]
        payoffs: list[float] = []
        for d in data.values():
            payoffs.extend(d.get("payoffs", []))
        lo, hi = e * n, (e + 1) * n
        reps = snaps["reputation"][lo:hi].tolist()
        frozen = snaps["frozen"][lo:hi].tolist()
        record = {
            "simulation_id": sim,
            "epoch": e,
            "timestamp": None,
            "total_interactions": len(ps),
            "accepted_interactions": len(accepted),
            "rejected_interactions": len(ps) - len(accepted),
            "toxicity_rate": float(1.0 - np.mean(accepted)) if accepted else 0.0,
            "quality_gap": float(np.mean(accepted) - np.mean(rejected))
            if accepted and rejected
            else 0.0,
            "avg_p": float(np.mean(ps)) if ps else 0.5,
            "total_welfare": sum(payoffs),
            "avg_payoff": float(np.mean(payoffs)) if payoffs else 0.0,
            "payoff_std": float(np.std(payoffs)) if len(payoffs) > 1 else 0.0,
            "gini_coefficient": _gini(payoffs) if payoffs else 0.0,
            "n_agents": n,
            "n_frozen": sum(frozen),
            "avg_reputation": float(np.mean(reps)) if reps else 0.0,
            "reputation_std": float(np.std(reps)) if n > 1 else 0.0,
            **_UNFED,
        }
        epochs.append({c: record[c] for c in REFERENCE_EPOCH_COLUMNS})
        resources = snaps["resources"][lo:hi].tolist()
        for i in range(n):
            d = data.get(i, {})
            p_i, p_r = d.get("p_initiated", []), d.get("p_received", [])
            per_agent[i].append(
                {
                    "simulation_id": sim,
                    "agent_id": ids[i],
                    "name": names[i],
                    "agent_type": types[i],
                    "epoch": e,
                    "reputation": reps[i],
                    "resources": resources[i],
                    "interactions_initiated": d.get("interactions_initiated", 0),
                    "interactions_received": d.get("interactions_received", 0),
                    "avg_p_initiated": float(np.mean(p_i)) if p_i else 0.5,
                    "avg_p_received": float(np.mean(p_r)) if p_r else 0.5,
                    "total_payoff": sum(d.get("payoffs", [])),
                    "is_frozen": frozen[i],
                    "is_quarantined": False,
                }
            )
    return epochs, [row for rows in per_agent for row in rows]


def reference_events(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """The reference exporter's ``events``: one record per interaction, in
    completion order. ``interaction_id`` is a counter (the reference's are
    random UUIDs) and ``timestamp`` is None."""
    from . import _core
    from .results import party_ids

    trace, ids = raw["interactions"], party_ids(raw)
    _without_platform_counterparties(raw)

    names = _core.interaction_type_names()
    cols = {c: trace[c].tolist() for c in ("epoch", "step", "initiator", "counterparty")}
    kinds, acc = trace["interaction_type"].tolist(), trace["accepted"].tolist()
    p, v_hat = trace["p"].tolist(), trace["v_hat"].tolist()
    return [
        {
            "event_type": "interaction",
            "interaction_id": str(k),
            "timestamp": None,
            "epoch": int(cols["epoch"][k]),
            "step": int(cols["step"][k]),
            "initiator": ids[cols["initiator"][k]],
            "counterparty": ids[cols["counterparty"][k]],
            "interaction_type": names[kinds[k]],
            "accepted": bool(acc[k]),
            "p": p[k],
            "v_hat": v_hat[k],
        }
        for k in range(len(p))
    ]


def write_reference_json(
    result: Any, scenario: Any, steps: int, path: Path, started: str, ended: str
) -> Path:
    """``swarm run --export-json FILE`` of the reference: run metadata,
    epoch and agent snapshots, and the interaction events."""
    epochs, agents = reference_tables(result._raw, scenario.config)
    data = {
        "simulation_id": result.scenario_id,
        "started_at": started,
        "ended_at": ended,
        "n_epochs": result.summary["n_epochs"],
        "steps_per_epoch": steps,
        "n_agents": scenario.n_agents,
        "seed": result.seed,
        "epoch_snapshots": epochs,
        "agent_snapshots": agents,
    }
    events = reference_events(result._raw)
    if events:
        data["events"] = events
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str))
    return path


def _as_pandas_writes(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The reference writes its CSVs with pandas: a column holding any
    float is float64, so its integers print as ``0.0``."""
    floaty = {c for c in rows[0] if any(type(r[c]) is float for r in rows)}
    return [
        {c: float(v) if c in floaty and type(v) is int else v for c, v in r.items()} for r in rows
    ]


def write_reference_csv(result: Any, scenario: Any, folder: Path) -> list[Path]:
    """``swarm run --export-csv DIR`` of the reference:
    ``<scenario_id>_epochs.csv`` and ``<scenario_id>_agents.csv``."""
    import csv

    epochs, agents = reference_tables(result._raw, scenario.config)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, rows, cols in (
        ("epochs", epochs, REFERENCE_EPOCH_COLUMNS),
        ("agents", agents, REFERENCE_AGENT_COLUMNS),
    ):
        if not rows:
            continue
        path = folder / f"{result.scenario_id}_{kind}.csv"
        with open(path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=cols)
            writer.writeheader()
            writer.writerows(_as_pandas_writes(rows))
        written.append(path)
    return written
