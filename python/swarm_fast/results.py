"""Run results as polars DataFrames, and the paper's run-level aggregates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from . import _core

EPOCH_COLUMNS = [
    "epoch",
    "total_interactions",
    "accepted_interactions",
    "total_posts",
    "total_votes",
    "toxicity_rate",
    "quality_gap",
    "avg_payoff",
    "total_welfare",
    "net_social_welfare",
]
INTERACTION_COLUMNS = [
    "epoch",
    "step",
    "initiator",
    "counterparty",
    "interaction_type",
    "accepted",
    "v_hat",
    "p",
    "c_a",
    "c_b",
    "payoff_initiator",
    "payoff_counterparty",
]
AGENT_COLUMNS = [
    "agent_id",
    "agent_type",
    "reputation",
    "resources",
    "total_payoff",
    "interactions_initiated",
    "interactions_received",
    "frozen",
]
_TYPE_NAMES = _core.interaction_type_names()


@dataclass(frozen=True)
class RunResult:
    """The outcome of one run.

    ``epochs`` has one row per epoch (the reference's EpochMetrics),
    ``interactions`` one row per finalised interaction in completion order
    (``None`` when the trace was switched off), ``agents`` the final agent
    states in registration order, and ``summary`` the run-level aggregates
    the paper reports.
    """

    scenario_id: str
    seed: int
    epochs: pl.DataFrame
    agents: pl.DataFrame
    interactions: pl.DataFrame | None
    summary: dict[str, Any] = field(repr=False)

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"RunResult({self.scenario_id!r}, seed={self.seed}, epochs={self.epochs.height}, "
            f"interactions={s['interactions']}, toxicity={s['toxicity']:.4f}, "
            f"welfare={s['welfare']:.2f})"
        )


def epochs_frame(raw: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame({c: raw[c] for c in EPOCH_COLUMNS})


def agents_frame(raw: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame({c: raw[c] for c in AGENT_COLUMNS})


def interactions_frame(raw: dict[str, Any], agent_ids: list[str]) -> pl.DataFrame:
    """Agent and type codes become strings through categorical lookups."""
    ids = pl.Series("ids", agent_ids, dtype=pl.String)
    types = pl.Series("types", _TYPE_NAMES, dtype=pl.String)
    cols: dict[str, Any] = {c: raw[c] for c in INTERACTION_COLUMNS}
    df = pl.DataFrame(cols)
    return df.with_columns(
        pl.col("epoch").cast(pl.Int64),
        pl.col("step").cast(pl.Int64),
        initiator=ids.gather(df["initiator"]),
        counterparty=ids.gather(df["counterparty"]),
        interaction_type=types.gather(df["interaction_type"]),
    )


def summarize(
    epochs: pl.DataFrame,
    totals: dict[str, Any],
    criteria: dict[str, Any] | None,
    payoff: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run-level aggregates, as the paper defines them.

    toxicity: pooled E[1-p | accepted] = sum_e tox_e*acc_e / sum_e acc_e;
    welfare: sum of per-epoch total_welfare; interactions, accepted: sums;
    passed: the reference CLI's verdict on min_epochs, toxicity_threshold
    (against the mean of per-epoch toxicity) and min_net_social_welfare.
    quality_gap, conditional losses and spread are pooled over every
    interaction of the run (spec 15.3), from sums kept in completion order.
    """
    tox = epochs["toxicity_rate"].to_list()
    acc = epochs["accepted_interactions"].to_list()
    n_acc = 0
    weighted = 0.0
    for t, a in zip(tox, acc):
        weighted += t * a
        n_acc += a
    welfare = 0.0
    for w in epochs["total_welfare"].to_list():
        welfare += w
    n_epochs = epochs.height
    mean_tox = sum(tox) / n_epochs if n_epochs else 0.0
    mean_net = sum(epochs["net_social_welfare"].to_list()) / n_epochs if n_epochs else 0.0
    n_all = totals["accepted"] + totals["rejected"]
    n_a = totals["accepted"]
    if n_all and n_a:
        loss_a = totals["payoff_a_accepted_sum"] / n_a - totals["payoff_a_sum"] / n_all
        loss_b = totals["payoff_b_accepted_sum"] / n_a - totals["payoff_b_sum"] / n_all
        scale = (payoff or {}).get("s_plus", 2.0) + (payoff or {}).get("s_minus", 1.0)
        spread = scale * (totals["p_sum"] / n_all - totals["p_accepted_sum"] / n_a)
    else:
        loss_a = loss_b = spread = 0.0
    return {
        "toxicity": weighted / n_acc if n_acc else 0.0,
        "quality_gap": totals["quality_gap"],
        "welfare": welfare,
        "interactions": int(epochs["total_interactions"].sum()),
        "accepted": n_acc,
        "passed": passes(criteria or {}, n_epochs, mean_tox, mean_net),
        "mean_epoch_toxicity": mean_tox,
        "mean_net_social_welfare": mean_net,
        "conditional_loss_initiator": loss_a,
        "conditional_loss_counterparty": loss_b,
        "spread": spread,
        "rejected": totals["rejected"],
        "p_accepted_sum": totals["p_accepted_sum"],
        "p_rejected_sum": totals["p_rejected_sum"],
    }


def passes(criteria: dict[str, Any], n_epochs: int, mean_tox: float, mean_net: float) -> bool:
    """The criteria the reference CLI checks (other keys are ignored). The
    contract-screening ones read the reference's no-contract values."""
    c = {k: v for k, v in criteria.items() if v is not None}
    checks = [
        ("min_epochs", lambda t: n_epochs >= t),
        ("toxicity_threshold", lambda t: mean_tox <= t),
        ("min_net_social_welfare", lambda t: mean_net >= t),
        ("min_separation_quality", lambda t: 0.0 >= t),
        ("max_infiltration_rate", lambda t: 1.0 <= t),
        ("min_welfare_delta", lambda t: 0.0 >= t),
        ("min_attack_displacement", lambda t: 0.0 >= t),
    ]
    return all(check(c[key]) for key, check in checks if key in c)


def from_raw(raw: dict[str, Any], config: dict[str, Any]) -> RunResult:
    agents = agents_frame(raw["agents"])
    epochs = epochs_frame(raw["epochs"])
    trace = raw["interactions"]
    interactions = (
        None if trace is None else interactions_frame(trace, agents["agent_id"].to_list())
    )
    return RunResult(
        scenario_id=raw["scenario_id"],
        seed=int(raw["seed"]),
        epochs=epochs,
        agents=agents,
        interactions=interactions,
        summary=summarize(
            epochs, raw["totals"], config.get("success_criteria"), config.get("payoff")
        ),
    )
