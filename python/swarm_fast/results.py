"""Run results as polars DataFrames, and the paper's run-level aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from . import _core

if TYPE_CHECKING:
    import polars as pl

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


class RunResult:
    """The outcome of one run.

    ``epochs`` has one row per epoch (the reference's EpochMetrics),
    ``interactions`` one row per finalised interaction in completion order
    (only when the run was made with ``record_interactions=True``: the
    trace is opt-in; reading it otherwise raises ``ValueError``),
    ``agents`` the final agent states in registration order, and
    ``summary`` the run-level aggregates the paper reports. The DataFrames
    are built from the core's numpy columns on first access.
    """

    def __init__(
        self, raw: dict[str, Any], criteria: dict[str, Any], payoff: dict[str, Any]
    ) -> None:
        self._raw = raw
        self._criteria = criteria
        self._payoff = payoff
        self.scenario_id: str = raw["scenario_id"]
        self.seed: int = int(raw["seed"])
        # The policy objects of python / llm agents, in registration order.
        self._policies: list[Any] = []

    @cached_property
    def summary(self) -> dict[str, Any]:
        return summarize(
            self._raw["epochs"],
            self._raw["totals"],
            self._criteria,
            self._payoff,
            contract=last_contract_metrics(self._raw),
        )

    @cached_property
    def criteria(self) -> list[CriterionCheck]:
        """Each success criterion the scenario sets, with the run's value,
        the threshold and whether it passed (as ``swarm run`` prints them)."""
        s = self.summary
        return criteria_checks(
            self._criteria,
            s["n_epochs"],
            s["mean_epoch_toxicity"],
            s["mean_net_social_welfare"],
            last_contract_metrics(self._raw),
        )

    @cached_property
    def epochs(self) -> pl.DataFrame:
        return epochs_frame(self._raw["epochs"])

    @cached_property
    def agents(self) -> pl.DataFrame:
        return agents_frame(self._raw["agents"])

    @property
    def recorded_interactions(self) -> bool:
        """Whether the run kept its interaction trace."""
        return self._raw["interactions"] is not None

    @cached_property
    def interactions(self) -> pl.DataFrame:
        trace = self._raw["interactions"]
        if trace is None:
            raise ValueError(
                "this run did not record its interactions (the trace is opt-in): "
                "run it with swarm_fast.run(..., record_interactions=True)"
            )
        return interactions_frame(trace, party_ids(self._raw))

    @cached_property
    def contract_metrics(self) -> list[dict[str, Any]] | None:
        """Each epoch's contract-screening metrics, as the reference's
        ``EpochMetrics.contract_metrics`` (``ContractMetrics.to_dict()``):
        pool composition and sizes, separation quality, infiltration rate,
        welfare delta, attack displacement, and each pool's mean p, toxicity
        and welfare. None without a ``contracts:`` section."""
        return contract_metrics_dicts(self._raw)

    @cached_property
    def spawn_metrics(self) -> list[dict[str, Any]] | None:
        """Each epoch's spawn metrics, as the reference's
        ``EpochMetrics.spawn_metrics``: ``total_spawned``, ``max_depth``,
        ``depth_distribution`` ({depth: agents}) and ``tree_sizes`` ({root
        agent id: agents in its tree}). None without a ``spawn:`` section."""
        raw = self._raw.get("spawn_metrics")
        if raw is None:
            return None
        ids = self._raw["agents"]["agent_id"]
        return [
            {
                "total_spawned": int(e["total_spawned"]),
                "max_depth": int(e["max_depth"]),
                "depth_distribution": dict(enumerate(int(n) for n in e["depth_distribution"])),
                "tree_sizes": {ids[i]: int(n) for i, n in enumerate(e["tree_sizes"])},
            }
            for e in raw
        ]

    @cached_property
    def policy_report(self) -> pl.DataFrame:
        """Python and LLM agents' callbacks: calls and failed calls per agent
        and call (each failure fell back to NOOP / reject), with the first
        error message of each. Empty without such agents."""
        import polars as pl

        ext = self._raw.get("external")
        if ext is None:
            return pl.DataFrame(schema={"agent_id": pl.String})
        ids = self._raw["agents"]["agent_id"]
        return pl.DataFrame(
            {
                "agent_id": [ids[i] for i in ext["agent_index"]],
                "act_calls": ext["calls_act"],
                "accept_calls": ext["calls_accept"],
                "update_calls": ext["calls_update"],
                "act_errors": ext["errors_act"],
                "accept_errors": ext["errors_accept"],
                "update_errors": ext["errors_update"],
                "first_act_error": ext["first_error_act"],
                "first_accept_error": ext["first_error_accept"],
                "first_update_error": ext["first_error_update"],
            },
            schema_overrides={
                c: pl.String
                for c in ("first_act_error", "first_accept_error", "first_update_error")
            },
        )

    @cached_property
    def llm_usage(self) -> pl.DataFrame:
        """LLM agents' usage, one row per agent: calls, failed calls,
        retries, tokens in/out, fallbacks by cause (transport, parse,
        other), latency percentiles (ms) and estimated cost (USD, the
        reference's price table). Empty without LLM agents."""
        from .agents.llm.usage import usage_frame

        return usage_frame(self._policies)

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"RunResult({self.scenario_id!r}, seed={self.seed}, "
            f"epochs={len(self._raw['epochs']['epoch'])}, interactions={s['interactions']}, "
            f"toxicity={s['toxicity']:.4f}, welfare={s['welfare']:.2f})"
        )


# polars is imported where frames are built: `import swarm_fast` and a run
# that only reads the summary stay quick to start (polars takes ~0.2 s).


def epochs_frame(raw: dict[str, Any]) -> pl.DataFrame:
    import polars as pl

    return pl.DataFrame({c: raw[c] for c in EPOCH_COLUMNS})


def agents_frame(raw: dict[str, Any]) -> pl.DataFrame:
    import polars as pl

    # The id and type columns are lists of str: typed explicitly so that an
    # empty population still has String columns.
    return pl.DataFrame(
        {c: raw[c] for c in AGENT_COLUMNS},
        schema_overrides={"agent_id": pl.String, "agent_type": pl.String},
    )


def party_ids(raw: dict[str, Any]) -> list[str]:
    """The names behind the trace's initiator and counterparty codes: the
    agents, then the counterparties that are no agent (the memory tiers'
    ``memory_system``, the wiki's ``moltipedia`` and ``catalog_seed``,
    moltbook's ``moltbook`` and ``seed_bot``, the scholar handler's)."""
    trace = raw["interactions"] or {}
    return [*raw["agents"]["agent_id"], *trace.get("pseudo_parties", [])]


def interactions_frame(raw: dict[str, Any], agent_ids: list[str]) -> pl.DataFrame:
    """Agent and type codes become strings through categorical lookups;
    ``agent_ids`` are the trace's parties (``party_ids``)."""
    import polars as pl

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


def _column(table: Any, name: str) -> list[Any]:
    """A column as a Python list, from a dict of numpy arrays or a frame."""
    col = table[name]
    return col.tolist() if hasattr(col, "tolist") else col.to_list()


POOLS = ("truthful_auction", "fair_division", "default_market")


def contract_metrics_dicts(raw: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The core's per-epoch contract metrics in the reference's
    ``ContractMetrics.to_dict()`` shape; None without contracts."""
    epochs = raw.get("contract_metrics")
    if epochs is None:
        return None
    out = []
    for e in epochs:
        composition: dict[str, dict[str, int]] = {}
        for pool, kind, n in e["pool_composition"]:
            composition.setdefault(pool, {})[kind] = int(n)
        out.append(
            {
                "pool_composition": composition,
                "separation_quality": e["separation_quality"],
                "infiltration_rate": e["infiltration_rate"],
                "welfare_delta": e["welfare_delta"],
                "attack_displacement": e["attack_displacement"],
                "pool_avg_quality": dict(zip(POOLS, e["pool_avg_quality"])),
                "pool_toxicity": dict(zip(POOLS, e["pool_toxicity"])),
                "pool_welfare": dict(zip(POOLS, e["pool_welfare"])),
                "pool_sizes": {pool: sum(kinds.values()) for pool, kinds in composition.items()},
            }
        )
    return out


def last_contract_metrics(raw: dict[str, Any]) -> dict[str, Any] | None:
    """The last epoch's contract metrics (the success criteria read them),
    or None."""
    epochs = contract_metrics_dicts(raw)
    return epochs[-1] if epochs else None


def summarize(
    epochs: Any,
    totals: dict[str, Any],
    criteria: dict[str, Any] | None,
    payoff: dict[str, Any] | None = None,
    contract: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run-level aggregates, under the paper's and the reference's names.

    The paper (Tables 4-6):
      toxicity: pooled E[1-p | accepted] = sum_e tox_e*acc_e / sum_e acc_e;
      welfare: the sum over epochs of total_welfare (the reference's
      per-epoch "surplus"); interactions, accepted, rejected: sums;
      passed: the reference CLI's success-criteria verdict (``contract``:
      the last epoch's contract metrics, which its screening criteria read).
    The reference's ``swarm run`` summary:
      mean_epoch_toxicity ("Avg toxicity"): the mean over epochs of
      toxicity_rate; the toxicity_threshold criterion uses it;
      mean_epoch_welfare ("Avg surplus"): the mean over epochs of
      total_welfare;
      mean_net_social_welfare ("Avg net welfare"): the mean over epochs of
      net_social_welfare (surplus minus externalities); the
      min_net_social_welfare criterion uses it.
    quality_gap (E[p | accepted] - E[p | rejected]), the conditional losses
    and spread are pooled over every interaction of the run (spec 15.3),
    from sums kept in completion order.
    """
    tox = _column(epochs, "toxicity_rate")
    acc = _column(epochs, "accepted_interactions")
    n_acc = 0
    weighted = 0.0
    for t, a in zip(tox, acc):
        weighted += t * a
        n_acc += a
    welfare = 0.0
    for w in _column(epochs, "total_welfare"):
        welfare += w
    n_epochs = len(tox)
    mean_tox = sum(tox) / n_epochs if n_epochs else 0.0
    mean_net = sum(_column(epochs, "net_social_welfare")) / n_epochs if n_epochs else 0.0
    mean_welfare = sum(_column(epochs, "total_welfare")) / n_epochs if n_epochs else 0.0
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
        "interactions": sum(_column(epochs, "total_interactions")),
        "accepted": n_acc,
        "passed": passes(criteria or {}, n_epochs, mean_tox, mean_net, contract),
        "mean_epoch_toxicity": mean_tox,
        "mean_net_social_welfare": mean_net,
        "mean_epoch_welfare": mean_welfare,
        "n_epochs": n_epochs,
        "conditional_loss_initiator": loss_a,
        "conditional_loss_counterparty": loss_b,
        "spread": spread,
        "rejected": totals["rejected"],
        "p_accepted_sum": totals["p_accepted_sum"],
        "p_rejected_sum": totals["p_rejected_sum"],
    }


@dataclass(frozen=True)
class CriterionCheck:
    """One success criterion as the reference CLI checks it: ``label`` is
    the reference's, ``value`` the run's, ``op`` ``">="`` or ``"<="``."""

    key: str
    label: str
    value: float
    op: str
    threshold: float

    @property
    def passed(self) -> bool:
        if self.op == ">=":
            return self.value >= self.threshold
        return self.value <= self.threshold


# (key, label, op): the criteria the reference CLI checks, in its order.
# The contract-screening ones read the last epoch's contract metrics, and
# without a contract market the reference's defaults: 0, and 1 for the
# infiltration rate.
CRITERIA = (
    ("min_epochs", "Epochs", ">="),
    ("toxicity_threshold", "Toxicity", "<="),
    ("min_net_social_welfare", "Net social welfare", ">="),
    ("min_separation_quality", "Separation quality", ">="),
    ("max_infiltration_rate", "Infiltration rate", "<="),
    ("min_welfare_delta", "Welfare delta", ">="),
    ("min_attack_displacement", "Attack displacement", ">="),
)


def criteria_checks(
    criteria: dict[str, Any],
    n_epochs: int,
    mean_tox: float,
    mean_net: float,
    contract: dict[str, Any] | None = None,
) -> list[CriterionCheck]:
    """Each criterion the scenario sets (other keys are ignored, as by the
    reference): toxicity against the mean of per-epoch toxicity, net social
    welfare against its per-epoch mean."""
    values = {
        "min_epochs": n_epochs,
        "toxicity_threshold": mean_tox,
        "min_net_social_welfare": mean_net,
        "min_separation_quality": 0.0,
        "max_infiltration_rate": 1.0,
        "min_welfare_delta": 0.0,
        "min_attack_displacement": 0.0,
    }
    if contract:
        for key, name in (
            ("min_separation_quality", "separation_quality"),
            ("max_infiltration_rate", "infiltration_rate"),
            ("min_welfare_delta", "welfare_delta"),
            ("min_attack_displacement", "attack_displacement"),
        ):
            values[key] = contract[name]
    return [
        CriterionCheck(key, label, values[key], op, criteria[key])
        for key, label, op in CRITERIA
        if criteria.get(key) is not None
    ]


def passes(
    criteria: dict[str, Any],
    n_epochs: int,
    mean_tox: float,
    mean_net: float,
    contract: dict[str, Any] | None = None,
) -> bool:
    """The reference CLI's verdict: every criterion it checks holds."""
    checks = criteria_checks(criteria, n_epochs, mean_tox, mean_net, contract)
    return all(c.passed for c in checks)
