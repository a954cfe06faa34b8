"""The proxy-gaming experiment (issue 14, docs/proxy-gaming.md).

The paper's companion claim is that soft metrics detect proxy gaming by
self-optimizing agents that pass binary evaluations. swarm-safety 1.9.0
backs it with three separate artefacts; this module redoes each of them and
adds the one piece the reference lacks, a simulation in which the agents
really optimize:

* Procedure A — the hard-vs-soft scorecard of the ``self_optimizer``
  scenario runs. A **reconstruction** of the reference's deleted scoring
  script (spec reference-agents-ext §2.3); the runs are swarm_fast's, which
  are bit-exact with the reference's.
* Procedure B — the reference's synthetic fixture with its three phases
  (farming, drifting, degraded), drawn with CPython's ``random`` exactly as
  the fixture draws them (§2.4), scored as its tests score it.
* Procedure C — the soft-versus-binary detection study of
  ``swarm.detection`` (§2.5): the same generative model, drawn in the same
  order from the same numpy generators (so the same numbers), and the same
  metrics (AUROC, time to detection at FPR <= 0.05, share caught, Brier,
  ECE), without building an object per interaction.
* The study — ``self_optimizer.yaml`` with ``optimize_per_epoch: true`` (a
  swarm_fast extension) over many seeds against the same seeds without it:
  the share of runs in which the binary checks pass while each soft metric
  alarms, and each metric's epoch of first detection, with bootstrap CIs.

The module is callable: ``swarm_fast.proxy_gaming(seeds, out=...)`` is
:func:`proxy_gaming` (``swarm_fast`` imports the module on first use, and
its pieces stay reachable as ``swarm_fast.proxy_gaming.study`` etc.).
numpy and polars are imported inside the functions.
"""

from __future__ import annotations

import csv
import math
import random
import sys
import time
import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The fixture's and the scenario's binary benchmark: p >= 0.45 passes.
BENCHMARK = 0.45
# Early and late windows of the scorecards: the first and the last 5 epochs.
WINDOW = 5
# The seeds the spec scored Procedure A on: the paper's run (42) first.
A_SEEDS = (42, 43, 44, 45, 46, 1, 2, 3, 4, 5)
B_SEEDS = (42, 1, 2, 3, 4)
# The reference's full detection grid and its published figures (CHANGELOG,
# "Matched soft-vs-binary detection experiment"), quoted for comparison.
C_BASE_RATES = (0.05, 0.1, 0.2, 0.35, 0.5)
C_SEEDS = tuple(range(10))
C_PUBLISHED = {
    ("ttd_mean_epochs", "soft"): 2.13,
    ("ttd_mean_epochs", "binary"): 9.93,
    ("share_caught", "soft"): 1.00,
    ("share_caught", "binary"): 0.88,
    ("brier", "soft"): 0.151,
    ("brier", "binary"): 0.183,
    ("ece", "soft"): 0.054,
    ("ece", "binary"): 0.183,
}
# Soft metrics of the study, in table order.
SOFT_METRICS = (
    "toxicity",
    "quality",
    "gap",
    "variance",
    "low_mass",
    "drift",
    "source_quality",
)
BINARY_CHECKS = ("acceptance", "benchmark")


# ----------------------------------------------------------------- metrics
# The reference's SoftMetrics definitions (spec §2.2), over plain lists and
# in its summation order, so that Procedure B's values match its tests'.


def toxicity(ps: Sequence[float], acc: Sequence[bool]) -> float:
    """E[1 - p | accepted]; 0 without accepted interactions."""
    a = [p for p, x in zip(ps, acc) if x]
    return sum(1 - p for p in a) / len(a) if a else 0.0


def accepted_quality(ps: Sequence[float], acc: Sequence[bool]) -> float:
    """E[p | accepted]; 0 without accepted interactions."""
    a = [p for p, x in zip(ps, acc) if x]
    return sum(a) / len(a) if a else 0.0


def quality_gap(ps: Sequence[float], acc: Sequence[bool]) -> float:
    """E[p | accepted] - E[p | rejected]; 0 if either side is empty."""
    a = [p for p, x in zip(ps, acc) if x]
    r = [p for p, x in zip(ps, acc) if not x]
    if not a or not r:
        return 0.0
    return sum(a) / len(a) - sum(r) / len(r)


def variance(ps: Sequence[float]) -> float:
    """Population variance of p; 0 below two interactions."""
    if len(ps) < 2:
        return 0.0
    m = sum(ps) / len(ps)
    return sum((p - m) ** 2 for p in ps) / len(ps)


def low_mass(ps: Sequence[float], bins: int = 5, upto: float = 0.6) -> int:
    """How many p fall in the histogram bins ending at or below ``upto``.
    The bin ends are computed as (i + 1) x (1 / bins), as the reference
    does, so with 5 bins the third ends at 0.6000000000000001 and only
    p < 0.4 counts (a quirk kept on purpose: it is what the tests saw)."""
    width = 1.0 / bins
    n = 0
    for i in range(bins):
        start, end = i * width, (i + 1) * width
        if end <= upto:
            n += sum(1 for p in ps if start <= p < end or (i == bins - 1 and p == 1.0))
    return n


def gap_series(epochs: Sequence[tuple[Sequence[float], Sequence[bool]]]) -> list[float]:
    """The per-epoch quality gap (0 if an epoch lacks either side)."""
    return [quality_gap(ps, acc) for ps, acc in epochs]


def drift(series: Sequence[float]) -> tuple[float, str]:
    """OLS slope of the per-epoch gap and its direction (dead zone 0.005),
    with numpy's sums as the reference's horizon evaluator computes it."""
    import numpy as np

    if len(series) < 3:
        return 0.0, "stable"
    x = np.arange(len(series), dtype=np.float64)
    y = np.array(series, dtype=np.float64)
    dx, dy = x - x.mean(), y - y.mean()
    denom = float(np.sum(dx**2))
    if denom < 1e-12:
        return 0.0, "stable"
    slope = float(np.sum(dx * dy) / denom)
    if slope < -0.005:
        return slope, "worsening"
    if slope > 0.005:
        return slope, "improving"
    return slope, "stable"


def _mean(xs: Sequence[float], empty: float = 0.0) -> float:
    return sum(xs) / len(xs) if xs else empty


# ------------------------------------------------------- the agent's state


@dataclass(frozen=True)
class OptimizationSnapshot:
    """One optimisation step's record (the reference's snapshot fields)."""

    epoch: int
    depth: int
    cost_multiplier: float
    quality_estimate: float


class SelfOptimizer:
    """The self-optimizer's optimisation state and helpers, as the
    reference's ``SelfOptimizerAgent`` exposes them (ext. spec §1.3-§1.7),
    for use outside the engine: the engine's own copy lives in Rust and
    calls ``optimize_step`` only with ``optimize_per_epoch`` on.

    ``rng`` is the agent's stream (``random.Random(seed + j)`` for the
    j-th agent); only :meth:`generate_interaction_quality` draws from it,
    with CPython's ``gauss`` (its cached second value included)."""

    def __init__(self, config: dict | None = None, rng: random.Random | None = None) -> None:
        c = config or {}
        self.optimization_rate = c.get("optimization_rate", 0.15)
        self.quality_floor = c.get("quality_floor", 0.35)
        self.benchmark_threshold = c.get("benchmark_threshold", 0.45)
        self.initial_quality = c.get("initial_quality", 0.85)
        self.initial_cost = c.get("initial_cost", 0.10)
        self.cost_multiplier = 1.0
        self.current_quality = self.initial_quality
        self.optimization_depth = 0
        self.optimization_history: list[OptimizationSnapshot] = []
        self.rng = rng if rng is not None else random.Random()

    def optimize_step(self, epoch: int) -> OptimizationSnapshot:
        """Cut costs by the rate and quality by rate x 0.5 x q0, down to
        the floor (which may lie below the benchmark: Q-E2)."""
        self.optimization_depth += 1
        self.cost_multiplier *= 1.0 - self.optimization_rate
        loss = self.optimization_rate * 0.5 * self.initial_quality
        self.current_quality = max(self.current_quality - loss, self.quality_floor)
        snap = OptimizationSnapshot(
            epoch, self.optimization_depth, self.cost_multiplier, self.current_quality
        )
        self.optimization_history.append(snap)
        return snap

    @property
    def effective_cost(self) -> float:
        return self.initial_cost * self.cost_multiplier

    def generate_interaction_quality(self, noise_std: float = 0.05) -> float:
        """A p around the current quality, clamped to [floor, 1]."""
        p = self.rng.gauss(self.current_quality, noise_std)
        return float(max(self.quality_floor, min(1.0, p)))

    def passes_benchmark(self, p: float) -> bool:
        return p >= self.benchmark_threshold


# -------------------------------------------------------------- Procedure A


@dataclass
class Interactions:
    """One run's interactions as plain columns (completion order)."""

    epoch: list[int]
    initiator: list[str]
    p: list[float]
    accepted: list[bool]
    n_epochs: int

    @classmethod
    def from_frame(cls, df: Any, n_epochs: int) -> Interactions:
        """From a swarm_fast (or reference-harness) interactions frame."""
        return cls(
            df["epoch"].to_list(),
            df["initiator"].to_list(),
            df["p"].to_list(),
            df["accepted"].to_list(),
            n_epochs,
        )

    def by_epoch(self) -> list[tuple[list[float], list[bool], list[str]]]:
        out: list[tuple[list[float], list[bool], list[str]]] = [
            ([], [], []) for _ in range(self.n_epochs)
        ]
        for e, who, p, a in zip(self.epoch, self.initiator, self.p, self.accepted):
            out[e][0].append(p)
            out[e][1].append(a)
            out[e][2].append(who)
        return out


def scorecard_a(run: Interactions, seed: int) -> dict[str, Any]:
    """Procedure A's row for one run (spec §2.2, the "A" definitions):
    per-epoch values averaged over the early and the late five epochs."""
    ep = run.by_epoch()
    acc_rates = [sum(a) / len(a) for _, a, _ in ep if a]
    tox = [toxicity(ps, a) for ps, a, _ in ep]
    # An epoch without accepted interactions counts as quality 0.5.
    qual = [accepted_quality(ps, a) if any(a) else 0.5 for ps, a, _ in ep]
    gaps = [quality_gap(ps, a) for ps, a, _ in ep]
    var = [variance(ps) for ps, _, _ in ep]
    early, late = slice(0, WINDOW), slice(-WINDOW, None)
    accepted_p = [p for p, a in zip(run.p, run.accepted) if a]
    opt = [p for p, w in zip(run.p, run.initiator) if w.startswith("self_optimizer")]
    other = [p for p, w in zip(run.p, run.initiator) if not w.startswith("self_optimizer")]
    row = {
        "seed": seed,
        "interactions": len(run.p),
        "accepted": len(accepted_p),
        "acceptance_rate": _mean(acc_rates),
        "benchmark_pass": sum(1 for p in accepted_p if p >= BENCHMARK) / max(1, len(accepted_p)),
        "toxicity_early": _mean(tox[early]),
        "toxicity_late": _mean(tox[late]),
        "quality_early": _mean(qual[early]),
        "quality_late": _mean(qual[late]),
        "gap_late": _mean(gaps[late]),
        "variance_early": _mean(var[early]),
        "variance_late": _mean(var[late]),
        "p_other_initiated": _mean(other),
        "p_optimizer_initiated": _mean(opt),
    }
    row["acceptance_pass"] = row["acceptance_rate"] > 0.5
    row["toxicity_alarm"] = row["toxicity_late"] > row["toxicity_early"]
    row["quality_alarm"] = row["quality_late"] < row["quality_early"]
    row["gap_alarm"] = row["gap_late"] < 0
    row["variance_alarm"] = row["variance_late"] > row["variance_early"]
    return row


def procedure_a(seeds: Iterable[int] = A_SEEDS, scenario: Any = "self_optimizer") -> list[dict]:
    """Reconstruction of the deleted scorecard script over swarm_fast runs
    of the scenario (20 epochs x 10 steps, the file's settings)."""
    from . import _core
    from .results import interactions_frame, party_ids
    from .run import as_scenario

    sc = as_scenario(scenario)
    seeds = list(seeds)
    raws = _core.run_batch([sc.to_json(seed=s, record_interactions=True) for s in seeds])
    rows = []
    for s, raw in zip(seeds, raws):
        df = interactions_frame(raw["interactions"], party_ids(raw))
        rows.append(scorecard_a(Interactions.from_frame(df, len(raw["epochs"]["epoch"])), s))
    return rows


# -------------------------------------------------------------- Procedure B

# The members of the reference's InteractionType, in definition order (the
# fixture draws `choice(list(InteractionType))`).
INTERACTION_TYPES = ("reply", "vote", "trade", "collaboration")


@dataclass
class FixtureInteraction:
    """One interaction of the fixture: every field it draws."""

    kind: str  # "honest" or "self_optimizer" (metadata.agent_type)
    initiator: str
    counterparty: str
    interaction_type: str
    accepted: bool
    task_progress_delta: float
    rework_count: int
    verifier_rejections: int
    counterparty_engagement_delta: float
    v_hat: float
    p: float
    c_a: float
    c_b: float
    r_a: float
    r_b: float
    ground_truth: int


def fixture_epochs(
    seed: int,
    n_epochs: int = 20,
    honest_per_epoch: int = 8,
    optimizer_per_epoch: int = 10,
    optimization_rate: float = 0.15,
    quality_floor: float = 0.35,
    initial_quality: float = 0.85,
) -> list[list[FixtureInteraction]]:
    """The reference fixture's interactions by epoch (spec §2.4), drawn from
    ``random.Random(seed)`` in the fixture's order: the same numbers as its
    ``random.seed(seed)`` on the global generator."""
    rng = random.Random(seed)
    q, cm = initial_quality, 1.0
    epochs: list[list[FixtureInteraction]] = []
    for _ in range(n_epochs):
        out: list[FixtureInteraction] = []
        for _ in range(honest_per_epoch):
            p = max(0.3, min(0.95, rng.gauss(0.78, 0.08)))
            out.append(
                FixtureInteraction(
                    kind="honest",
                    v_hat=max(-1.0, min(1.0, (p - 0.5) * 2)),
                    p=p,
                    initiator=f"honest_{rng.randint(1, 5)}",
                    counterparty=f"honest_{rng.randint(1, 5)}",
                    interaction_type=rng.choice(INTERACTION_TYPES),
                    accepted=rng.random() < 0.65,
                    task_progress_delta=rng.uniform(0.4, 0.9),
                    rework_count=rng.randint(0, 1),
                    verifier_rejections=0,
                    counterparty_engagement_delta=rng.uniform(0.2, 0.6),
                    c_a=rng.uniform(0.05, 0.10),
                    c_b=rng.uniform(0.03, 0.08),
                    r_a=rng.uniform(0.05, 0.15),
                    r_b=rng.uniform(0.03, 0.10),
                    ground_truth=1 if p > 0.5 else -1,
                )
            )
        for _ in range(optimizer_per_epoch):
            p = max(quality_floor, min(0.95, rng.gauss(q, 0.06)))
            accepted = rng.random() < 0.90
            initiator = f"optimizer_{rng.randint(1, 3)}"
            counterparty = f"honest_{rng.randint(1, 5)}"
            progress = rng.uniform(0.1, 0.5) * q
            rework = rng.randint(0, 2)
            rejections = 0 if p > 0.5 else rng.randint(0, 1)
            out.append(
                FixtureInteraction(
                    kind="self_optimizer",
                    initiator=initiator,
                    counterparty=counterparty,
                    interaction_type="trade",
                    accepted=accepted,
                    task_progress_delta=progress,
                    rework_count=rework,
                    verifier_rejections=rejections,
                    counterparty_engagement_delta=rng.uniform(-0.1, 0.3) * q,
                    v_hat=max(-1.0, min(1.0, (p - 0.5) * 2)),
                    p=p,
                    c_a=0.10 * cm,
                    c_b=rng.uniform(0.03, 0.08),
                    r_a=rng.uniform(-0.05, 0.10),
                    r_b=rng.uniform(-0.10, 0.05),
                    ground_truth=1 if p > 0.6 else -1,
                )
            )
        # Sorted by timestamp: honest first, then optimizers (stable).
        epochs.append(out)
        cm *= 1.0 - optimization_rate
        q = max(quality_floor, q - optimization_rate * 0.5 * initial_quality)
    return epochs


def scorecard_b(epochs: Sequence[Sequence[Any]], seed: int) -> dict[str, Any]:
    """Procedure B's row (spec §2.2, the "B" definitions: pooled windows).
    ``epochs``: per-epoch lists of objects with ``p`` and ``accepted``
    (this module's fixture, or the reference's SoftInteractions)."""
    flat = [i for ep in epochs for i in ep]
    early = [i for ep in epochs[:WINDOW] for i in ep]
    late = [i for ep in epochs[-WINDOW:] for i in ep]

    def cols(xs: Sequence[Any]) -> tuple[list[float], list[bool]]:
        return [i.p for i in xs], [i.accepted for i in xs]

    (pa, aa), (pe, ae), (pl_, al) = cols(flat), cols(early), cols(late)
    accepted_p = [p for p, a in zip(pa, aa) if a]
    slope, direction = drift(gap_series([cols(ep) for ep in epochs]))
    return {
        "seed": seed,
        "interactions": len(flat),
        "acceptance_rate": sum(aa) / len(aa),
        "benchmark_pass": sum(1 for p in accepted_p if p >= BENCHMARK) / len(accepted_p),
        "toxicity_early": toxicity(pe, ae),
        "toxicity_late": toxicity(pl_, al),
        "quality_early": accepted_quality(pe, ae),
        "quality_late": accepted_quality(pl_, al),
        "gap_early": quality_gap(pe, ae),
        "gap_late": quality_gap(pl_, al),
        "variance_early": variance(pe),
        "variance_late": variance(pl_),
        "low_mass_early": low_mass(pe),
        "low_mass_late": low_mass(pl_),
        "drift_slope": slope,
        "drift": direction,
    }


def procedure_b(seeds: Iterable[int] = B_SEEDS) -> tuple[list[dict], dict[int, list[list]]]:
    """The fixture's scorecard per seed, and its epochs (for the plots)."""
    rows, data = [], {}
    for s in seeds:
        data[s] = fixture_epochs(s)
        rows.append(scorecard_b(data[s], s))
    return rows, data


# -------------------------------------------------------------- Procedure C


@dataclass
class DetectionConfig:
    """The reference's generative model (``swarm.detection``: the
    StreamConfig, PopulationConfig and ExperimentConfig defaults)."""

    n_agents: int = 40
    n_epochs: int = 24
    per_epoch: int = 12
    initial_quality: float = 0.85
    quality_floor: float = 0.66
    benign_quality: float = 0.85
    acceptance_threshold: float = 0.70
    gaming_benchmark: float = 0.85
    benchmark_noise: float = 0.10
    proxy_noise: float = 0.09
    quality_jitter: float = 0.02
    onsets: tuple[int, ...] = (4, 8, 12)
    trajectories: tuple[str, ...] = ("linear", "exponential", "sigmoid", "step")
    tau_star: float = 0.5
    max_fpr: float = 0.05
    ttd_window: int = 4
    uncertain_band: float = 0.25


def _trajectory(name: str, u: float) -> float:
    """Remaining share of the quality drop at post-onset progress u in
    [0, 1]: 1 = none yet, 0 = at the floor."""
    if name == "linear":
        return 1.0 - u
    if name == "exponential":
        return math.exp(-3.0 * u)
    if name == "step":
        return 1.0 if u < 0.5 else 0.0
    return 1.0 / (1.0 + math.exp(12.0 * (u - 0.5)))  # sigmoid


def _latent(cfg: DetectionConfig, degrading: bool, onset: int, epoch: int, traj: str) -> float:
    """An agent's latent quality at ``epoch``, before the epoch's jitter."""
    if not degrading:
        return cfg.benign_quality
    if epoch < onset:
        return cfg.initial_quality
    u = (epoch - onset) / max(1, cfg.n_epochs - 1 - onset)
    mult = _trajectory(traj, min(1.0, u))
    return cfg.quality_floor + (cfg.initial_quality - cfg.quality_floor) * mult


@dataclass
class Population:
    """One generated market: arrays over (agent, epoch, interaction)."""

    degrading: Any  # bool[agent]
    onset: Any  # int[agent]
    p: Any  # float[agent, epoch, k]
    accepted: Any  # bool[agent, epoch, k]
    truth: Any  # float[agent, epoch, k], the outcome v in {0, 1}


def generate_population(cfg: DetectionConfig, base_rate: float, seed: int) -> Population:
    """A population with ``round(n x base_rate)`` degrading agents, drawn
    from ``numpy.random.default_rng(seed)`` and one child generator per
    agent in the reference's order (spec §2.5): the same numbers as
    ``swarm.detection.generate_population`` gives, without building an
    object per interaction."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n, e_n, k = cfg.n_agents, cfg.n_epochs, cfg.per_epoch
    n_deg = int(round(n * base_rate))
    labels = [True] * n_deg + [False] * (n - n_deg)
    rng.shuffle(labels)
    p = np.empty((n, e_n, k))
    bench = np.empty((n, e_n, k))
    truth = np.empty((n, e_n, k))
    onsets = np.zeros(n, dtype=np.int64)
    for a, deg in enumerate(labels):
        onset = int(rng.choice(cfg.onsets)) if deg else 0
        traj = str(rng.choice(cfg.trajectories)) if deg else "linear"
        child = np.random.default_rng(int(rng.integers(0, 2**31 - 1)))
        normal, uniform = child.normal, child.random
        onsets[a] = onset
        for e in range(e_n):
            q = min(max(normal(_latent(cfg, deg, onset, e, traj), cfg.quality_jitter), 0.0), 1.0)
            for j in range(k):
                x = normal(q, cfg.proxy_noise)
                # A degrading agent games the benchmark (high whatever its
                # quality); a benign agent's tracks its own draw.
                if deg:
                    b = normal(cfg.gaming_benchmark, cfg.benchmark_noise)
                else:
                    b = x + normal(0.0, cfg.benchmark_noise)
                p[a, e, j] = x
                bench[a, e, j] = b
                truth[a, e, j] = 1.0 if uniform() < q else 0.0
    return Population(
        np.array(labels),
        onsets,
        np.clip(p, 0.0, 1.0),
        np.clip(bench, 0.0, 1.0) >= cfg.acceptance_threshold,
        truth,
    )


def _detector_scores(p: Any, acc: Any, metric: str, variant: str, cfg: DetectionConfig) -> Any:
    """Per-agent risk scores over the epoch axis already summed away:
    ``p``/``acc`` are (agent, m) arrays of one window's interactions."""
    import numpy as np

    if variant == "binary":
        p = (p >= cfg.tau_star).astype(float)
    if metric == "toxicity":
        n_acc = acc.sum(axis=1)
        tox = np.where(acc, 1.0 - p, 0.0).sum(axis=1)
        return np.divide(tox, n_acc, out=np.zeros(len(p)), where=n_acc > 0)
    band = cfg.uncertain_band  # uncertain fraction
    return ((0.5 - band < p) & (p < 0.5 + band)).mean(axis=1)


def auroc(scores: Any, labels: Any) -> float:
    """Mann-Whitney AUROC (ties count one half); 0.5 with one class only,
    as the reference reports degenerate cases."""

    pos, neg = scores[labels], scores[~labels]
    if len(pos) == 0 or len(neg) == 0:
        return 0.5
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(pos) * len(neg)))


def window_scores(pop: Population, metric: str, variant: str, cfg: DetectionConfig) -> Any:
    """Trailing-window scores, shape (agent, epoch): the window of epoch e
    is [e - w + 1, e] (clamped at 0); column e < 1 unused."""
    import numpy as np

    n, e_n, k = pop.p.shape
    out = np.full((n, e_n), np.nan)
    for e in range(1, e_n):
        lo = max(0, e - cfg.ttd_window + 1)
        p = pop.p[:, lo : e + 1].reshape(n, -1)
        a = pop.accepted[:, lo : e + 1].reshape(n, -1)
        out[:, e] = _detector_scores(p, a, metric, variant, cfg)
    return out


def brier_ece(p: Any, truth: Any, bins: int = 10) -> tuple[float, float]:
    """Brier score and expected calibration error (equal-width bins, p = 1
    in the last bin) of predictions ``p`` against outcomes in {0, 1}."""
    import numpy as np

    p, truth = p.ravel(), truth.ravel()
    brier = float(np.mean((p - truth) ** 2))
    idx = np.minimum((p * bins).astype(int), bins - 1)
    ece = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            ece += m.sum() / len(p) * abs(p[m].mean() - truth[m].mean())
    return brier, float(ece)


def score_population(pop: Population, cfg: DetectionConfig) -> dict[str, Any]:
    """Every Procedure C figure of one (base rate, seed) cell."""
    import numpy as np

    n, e_n, k = pop.p.shape
    start = e_n // 2  # evaluation window [n/2, n)
    out: dict[str, Any] = {}
    labels = pop.degrading.astype(bool)
    for metric in ("toxicity", "uncertain_fraction"):
        for variant in ("soft", "binary"):
            p = pop.p[:, start:].reshape(n, -1)
            a = pop.accepted[:, start:].reshape(n, -1)
            out[f"auroc_{metric}_{variant}"] = auroc(
                _detector_scores(p, a, metric, variant, cfg), labels
            )
    # Time to detection: threshold at the benign agents' (1 - FPR) quantile
    # of trailing-window scores from epoch w on; scan from max(w, onset).
    for variant in ("soft", "binary"):
        s = window_scores(pop, "toxicity", variant, cfg)
        w = cfg.ttd_window
        thr = float(np.quantile(s[~labels, w:].ravel(), 1.0 - cfg.max_fpr))
        ttds = []
        for i in np.flatnonzero(labels):
            first = max(w, int(pop.onset[i]), 1)
            hits = np.flatnonzero(s[i, first:] > thr)
            if hits.size:
                ttds.append(int(first + hits[0] - pop.onset[i]))
        n_deg = int(labels.sum())
        out[f"ttd_median_{variant}"] = float(np.median(ttds)) if ttds else math.nan
        out[f"caught_{variant}"] = len(ttds) / n_deg if n_deg else 0.0
    pooled_p, pooled_a = pop.p[:, start:].ravel(), pop.accepted[:, start:].ravel()
    truth = pop.truth[:, start:].ravel()
    for variant, pp in (("soft", pooled_p), ("binary", (pooled_p >= cfg.tau_star) * 1.0)):
        out[f"brier_{variant}"], out[f"ece_{variant}"] = brier_ece(pp, truth)
        acc, rej = pp[pooled_a], pp[~pooled_a]
        out[f"market_gap_{variant}"] = (
            float(acc.mean() - rej.mean()) if acc.size and rej.size else 0.0
        )
    return out


def procedure_c(
    base_rates: Iterable[float] = C_BASE_RATES,
    seeds: Iterable[int] = C_SEEDS,
    cfg: DetectionConfig | None = None,
) -> list[dict]:
    """One row per (base rate, seed) cell."""
    cfg = cfg or DetectionConfig()
    rows = []
    for br in base_rates:
        for s in seeds:
            pop = generate_population(cfg, br, s)
            rows.append({"base_rate": br, "seed": s, **score_population(pop, cfg)})
    return rows


def summarize_c(rows: Sequence[dict]) -> list[dict]:
    """Means over the grid, soft beside binary beside the reference's
    published full-grid figures (where it published one)."""
    import numpy as np

    def mean(key: str) -> float:
        xs = [r[key] for r in rows if not math.isnan(r[key])]
        return float(np.mean(xs)) if xs else math.nan

    out = []
    for label, key in (
        ("toxicity AUROC", "auroc_toxicity"),
        ("uncertain-fraction AUROC", "auroc_uncertain_fraction"),
        ("time to detection (epochs, mean of cell medians)", "ttd_median"),
        ("share of degrading agents caught", "caught"),
        ("Brier", "brier"),
        ("ECE", "ece"),
        ("market quality gap E[p|A]-E[p|R] (raw sign)", "market_gap"),
    ):
        pub_key = {"ttd_median": "ttd_mean_epochs", "caught": "share_caught"}.get(key, key)
        out.append(
            {
                "metric": label,
                "soft": mean(f"{key}_soft"),
                "binary": mean(f"{key}_binary"),
                "reference_soft": C_PUBLISHED.get((pub_key, "soft"), math.nan),
                "reference_binary": C_PUBLISHED.get((pub_key, "binary"), math.nan),
            }
        )
    return out


# ---------------------------------------------------------------- the study


@dataclass
class RunSeries:
    """Per-epoch aggregates of one run, the study's unit."""

    n: Any  # interactions per epoch
    n_acc: Any
    sum_p_acc: Any
    sum_p_rej: Any
    sum_p: Any
    sum_p2: Any
    n_low: Any  # p < 0.4: the fixture's "low-quality mass" bins
    n_pass: Any  # accepted with p >= BENCHMARK
    n_opt: Any  # initiated by a self-optimizer
    sum_p_opt: Any
    sum_p_opt_other: Any  # non-optimizer initiators' p sum
    p_by_epoch: list[list[float]] = field(repr=False, default_factory=list)
    acc_by_epoch: list[list[bool]] = field(repr=False, default_factory=list)


def _series(raw: dict[str, Any], n_epochs: int) -> RunSeries:
    import numpy as np

    tr = raw["interactions"]
    ids = raw["agents"]["agent_id"]
    is_opt_agent = np.array([str(a).startswith("self_optimizer") for a in ids])
    e = np.asarray(tr["epoch"], dtype=np.int64)
    p = np.asarray(tr["p"], dtype=np.float64)
    a = np.asarray(tr["accepted"], dtype=bool)
    opt = is_opt_agent[np.asarray(tr["initiator"], dtype=np.int64)]

    def per(w: Any) -> Any:
        return np.bincount(e, weights=w, minlength=n_epochs)[:n_epochs]

    order = np.argsort(e, kind="stable")
    bounds = np.searchsorted(e[order], np.arange(n_epochs + 1))
    ps = [p[order][bounds[i] : bounds[i + 1]].tolist() for i in range(n_epochs)]
    acc = [a[order][bounds[i] : bounds[i + 1]].tolist() for i in range(n_epochs)]
    return RunSeries(
        n=per(np.ones_like(p)),
        n_acc=per(a * 1.0),
        sum_p_acc=per(p * a),
        sum_p_rej=per(p * ~a),
        sum_p=per(p),
        sum_p2=per(p * p),
        n_low=per((p < 0.4) * 1.0),
        n_pass=per((a & (p >= BENCHMARK)) * 1.0),
        n_opt=per(opt * 1.0),
        sum_p_opt=per(p * opt),
        sum_p_opt_other=per(p * ~opt),
        p_by_epoch=ps,
        acc_by_epoch=acc,
    )


def _div(a: float, b: float, empty: float = math.nan) -> float:
    return a / b if b > 0 else empty


def _window_stats(s: RunSeries, lo: int, hi: int) -> dict[str, float]:
    """The metrics over epochs [lo, hi] pooled (risk orientation: higher =
    worse), and the two binary checks' values."""
    sl = slice(lo, hi + 1)
    n, na = s.n[sl].sum(), s.n_acc[sl].sum()
    nr = n - na
    mean_p = _div(s.sum_p[sl].sum(), n)
    var = s.sum_p2[sl].sum() / n - mean_p**2 if n >= 2 else 0.0
    qa = _div(s.sum_p_acc[sl].sum(), na)
    qr = _div(s.sum_p_rej[sl].sum(), nr)
    return {
        "toxicity": 1.0 - qa if na else 0.0,
        "quality": -qa if na else math.nan,
        "gap": -(qa - qr) if na and nr else 0.0,
        "variance": var,
        "low_mass": _div(s.n_low[sl].sum(), n),
        "source_quality": -_div(s.sum_p_opt[sl].sum(), s.n_opt[sl].sum()),
        "acceptance": _div(na, n),
        "benchmark": _div(s.n_pass[sl].sum(), na),
    }


def _verdicts(s: RunSeries) -> dict[str, Any]:
    """One run's binary checks and soft alarms over the whole run, with the
    fixture's definitions (pooled early and late five epochs)."""
    n_epochs = len(s.n)
    pe = [p for ep in s.p_by_epoch[:WINDOW] for p in ep]
    ae = [a for ep in s.acc_by_epoch[:WINDOW] for a in ep]
    pl_ = [p for ep in s.p_by_epoch[-WINDOW:] for p in ep]
    al = [a for ep in s.acc_by_epoch[-WINDOW:] for a in ep]
    slope, _ = drift(gap_series(list(zip(s.p_by_epoch, s.acc_by_epoch))))
    n_all, n_acc = s.n.sum(), s.n_acc.sum()
    early_src = _div(s.sum_p_opt[:WINDOW].sum(), s.n_opt[:WINDOW].sum())
    late_src = _div(s.sum_p_opt[n_epochs - WINDOW :].sum(), s.n_opt[n_epochs - WINDOW :].sum())
    v = {
        "acceptance_rate": _div(n_acc, n_all),
        "benchmark_pass": _div(s.n_pass.sum(), n_acc),
        "toxicity": toxicity(pl_, al) > toxicity(pe, ae),
        "quality": accepted_quality(pl_, al) < accepted_quality(pe, ae),
        "gap": quality_gap(pl_, al) < 0,
        "variance": variance(pl_) > variance(pe),
        "low_mass": low_mass(pl_) > low_mass(pe),
        "drift": slope < -0.005,
        # Per source: the optimizers' own mean p, late below early (no
        # optimizer interaction late = nothing seen, no alarm).
        "source_quality": bool(late_src < early_src) if not math.isnan(late_src) else False,
    }
    v["binary_pass"] = v["acceptance_rate"] > 0.5 and v["benchmark_pass"] > 0.5
    return v


# Trailing window of the epoch-by-epoch scan: three epochs, so the first
# full window ends at epoch 2 (the optimisation starts at the end of epoch 0).
SCAN_WINDOW = 3


def _scan_stats(s: RunSeries) -> dict[str, list[float]]:
    """Per epoch e >= SCAN_WINDOW - 1: each soft metric's risk score (higher
    = worse) on the trailing window [e - 2, e] — the drift metric's is minus
    the gap's slope over epochs 0..e — and the binary checks' values."""
    out: dict[str, list[float]] = {m: [] for m in (*SOFT_METRICS, *BINARY_CHECKS)}
    gaps = [quality_gap(p, a) for p, a in zip(s.p_by_epoch, s.acc_by_epoch)]
    for e in range(SCAN_WINDOW - 1, len(s.n)):
        w = _window_stats(s, e - SCAN_WINDOW + 1, e)
        for m in SOFT_METRICS:
            out[m].append(-drift(gaps[: e + 1])[0] if m == "drift" else w[m])
        for m in BINARY_CHECKS:
            out[m].append(w[m])
    return out


def _bootstrap(values: Any, stat: Any, n_boot: int, rng: Any) -> tuple[float, float]:
    import numpy as np

    values = np.asarray(values)
    if values.size == 0:
        return math.nan, math.nan
    idx = rng.integers(0, len(values), (n_boot, len(values)))
    boots = np.array([stat(values[i]) for i in idx])
    boots = boots[~np.isnan(boots)]
    if boots.size == 0:
        return math.nan, math.nan
    return float(np.quantile(boots, 0.025)), float(np.quantile(boots, 0.975))


@dataclass
class StudyResult:
    per_seed: list[dict]  # one row per (arm, seed)
    summary: list[dict]  # one row per metric
    epoch_means: dict[str, Any]  # arm -> (epoch x {opt, other}) mean p over seeds
    detection_curves: dict[str, Any]  # metric -> share of runs detected by epoch
    thresholds: dict[str, float]


def study(
    seeds: Iterable[int] = range(100),
    scenario: Any = "self_optimizer",
    n_boot: int = 2000,
    max_fpr: float = 0.05,
) -> StudyResult:
    """The scenario with ``optimize_per_epoch: true`` on its self-optimizers
    ("optimizing") against the same seeds without it ("reference"), all in
    one parallel batch."""
    import numpy as np

    from . import _core
    from .run import as_scenario

    base = as_scenario(scenario)
    ov = {
        f"agents.{i}.config.optimize_per_epoch": True
        for i, a in enumerate(base.config["agents"])
        if a["type"] == "self_optimizer"
    }
    if not ov:
        raise ValueError("the scenario has no self_optimizer agents")
    arms = {"reference": base, "optimizing": base.with_overrides(ov)}
    seeds = list(seeds)
    jobs = [(arm, s) for arm in arms for s in seeds]
    raws = _core.run_batch([arms[a].to_json(seed=s, record_interactions=True) for a, s in jobs])
    n_epochs = len(raws[0]["epochs"]["epoch"])
    if n_epochs < 2 * WINDOW + 1:
        raise ValueError(f"the study needs at least {2 * WINDOW + 1} epochs")
    series = {job: _series(raw, n_epochs) for job, raw in zip(jobs, raws)}
    first = SCAN_WINDOW - 1
    # Detection thresholds, one per soft metric: the reference arm's
    # (1 - FPR) quantile of each run's highest trailing-window score, so
    # that at most that share of unoptimized runs ever alarms (a run-level
    # false-positive rate; swarm.detection calibrates per window instead).
    scans = {job: _scan_stats(s) for job, s in series.items()}
    thresholds = {}
    for m in SOFT_METRICS:
        peaks = np.array([np.nanmax(np.append(scans[("reference", s)][m], -np.inf)) for s in seeds])
        thresholds[m] = float(np.quantile(peaks, 1.0 - max_fpr))
    per_seed = []
    first_epoch: dict[tuple[str, str], list[float]] = {}
    for (arm, s), ser in series.items():
        row: dict[str, Any] = {"arm": arm, "seed": s, **_verdicts(ser)}
        sc = scans[(arm, s)]
        for m in (*SOFT_METRICS, *BINARY_CHECKS):
            vals = np.array(sc[m], dtype=float)
            if m in BINARY_CHECKS:
                hit = np.flatnonzero(~(vals > 0.5) & ~np.isnan(vals))
            else:
                hit = np.flatnonzero(vals > thresholds[m])
            row[f"first_{m}"] = float(first + hit[0]) if hit.size else math.nan
            first_epoch.setdefault((arm, m), []).append(row[f"first_{m}"])
        per_seed.append(row)
    rng = np.random.default_rng(0)

    def nanmedian(v: Any) -> float:
        v = v[~np.isnan(v)]
        return float(np.median(v)) if v.size else math.nan

    summary = []
    for m in (*BINARY_CHECKS, *SOFT_METRICS):
        binary = m in BINARY_CHECKS
        rec: dict[str, Any] = {"metric": m, "kind": "binary" if binary else "soft"}
        for arm in arms:
            rows = [r for r in per_seed if r["arm"] == arm]
            fe = np.array(first_epoch[(arm, m)], dtype=float)
            if binary:
                key = "acceptance_rate" if m == "acceptance" else "benchmark_pass"
                verdict = np.array([r[key] > 0.5 for r in rows], dtype=float)
                # Runs whose pooled check passes but fails on some window.
                scan = np.array([r[key] > 0.5 for r in rows]) & ~np.isnan(fe)
            else:
                verdict = np.array([r["binary_pass"] and r[m] for r in rows], dtype=float)
                scan = np.array([r["binary_pass"] for r in rows]) & ~np.isnan(fe)
            for name, v in (("verdict", verdict), ("scan", scan.astype(float))):
                lo, hi = _bootstrap(v, np.mean, n_boot, rng)
                rec[f"{arm}_{name}"] = float(v.mean())
                rec[f"{arm}_{name}_lo"], rec[f"{arm}_{name}_hi"] = lo, hi
            rec[f"{arm}_first_median"] = nanmedian(fe)
            lo, hi = _bootstrap(fe, nanmedian, n_boot, rng)
            rec[f"{arm}_first_lo"], rec[f"{arm}_first_hi"] = lo, hi
        rec["threshold"] = thresholds.get(m, 0.5)
        summary.append(rec)
    epoch_means = {}
    for arm in arms:
        opt = np.array(
            [series[(arm, s)].sum_p_opt / np.maximum(series[(arm, s)].n_opt, 1) for s in seeds]
        )
        has = np.array([series[(arm, s)].n_opt > 0 for s in seeds])
        other = np.array(
            [
                series[(arm, s)].sum_p_opt_other
                / np.maximum(series[(arm, s)].n - series[(arm, s)].n_opt, 1)
                for s in seeds
            ]
        )
        epoch_means[arm] = {
            "optimizer": np.where(has, opt, np.nan),
            "other": other,
            "optimizer_share_of_runs_active": has.mean(axis=0),
        }
    curves = {}
    for m in (*BINARY_CHECKS, *SOFT_METRICS):
        fe = np.array(first_epoch[("optimizing", m)], dtype=float)
        curves[m] = np.array([(fe <= e).mean() for e in range(n_epochs)])
    return StudyResult(per_seed, summary, epoch_means, curves, thresholds)


# ------------------------------------------------------------------ output


@dataclass
class ProxyGamingReport:
    procedure_a: list[dict]
    procedure_b: list[dict]
    procedure_c: list[dict]
    procedure_c_summary: list[dict]
    study: StudyResult
    fixture: dict[int, list[list]] = field(repr=False, default_factory=dict)
    seconds: float = 0.0
    files: list[Path] = field(default_factory=list)

    def markdown(self) -> str:
        return _markdown(self)


def proxy_gaming(
    seeds: Iterable[int] = range(100),
    out: str | Path | None = None,
    *,
    plots: bool = True,
    a_seeds: Iterable[int] = A_SEEDS,
    b_seeds: Iterable[int] = B_SEEDS,
    c_base_rates: Iterable[float] = C_BASE_RATES,
    c_seeds: Iterable[int] = C_SEEDS,
) -> ProxyGamingReport:
    """Run procedures A, B and C and the study over ``seeds``; with
    ``out``, write ``proxy_gaming.md``, one CSV per table and (``plots``)
    the figures there."""
    t0 = time.perf_counter()
    a = procedure_a(a_seeds)
    b, fixture = procedure_b(b_seeds)
    c = procedure_c(c_base_rates, c_seeds)
    st = study(seeds)
    rep = ProxyGamingReport(a, b, c, summarize_c(c), st, fixture)
    if out is not None:
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        for name, rows in (
            ("procedure_a.csv", a),
            ("procedure_b.csv", b),
            ("procedure_c.csv", c),
            ("procedure_c_summary.csv", rep.procedure_c_summary),
            ("study_runs.csv", st.per_seed),
            ("study_summary.csv", st.summary),
        ):
            rep.files.append(_write_csv(folder / name, rows))
        if plots:
            rep.files.extend(_plots(rep, folder))
        rep.seconds = time.perf_counter() - t0
        md = folder / "proxy_gaming.md"
        md.write_text(rep.markdown(), encoding="utf-8")
        rep.files.append(md)
    rep.seconds = time.perf_counter() - t0
    return rep


def _write_csv(path: Path, rows: Sequence[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def _f(x: Any, nd: int = 4) -> str:
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return "—" if math.isnan(x) else f"{x:.{nd}f}"
    return str(x)


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += [
        "| " + " | ".join(_f(c) if not isinstance(c, str) else c for c in r) + " |" for r in rows
    ]
    return "\n".join(lines)


def _arrow(a: float, b: float, alarm: bool) -> str:
    return f"{a:.4f}→{b:.4f}{' ALARM' if alarm else ''}"


def _markdown(rep: ProxyGamingReport) -> str:
    st = rep.study
    n_seeds = len([r for r in st.per_seed if r["arm"] == "optimizing"])
    parts = [
        "# Proxy gaming: soft metrics against binary checks",
        "",
        f"Written by `swarm-fast proxy-gaming` in {rep.seconds:.1f} s. "
        "Method and reading: docs/proxy-gaming.md.",
        "",
        "## Procedure A — reconstruction of the deleted scorecard script",
        "",
        "`self_optimizer.yaml`, 20 epochs x 10 steps, as the reference runs it (the "
        "self-optimizers never optimize). Per-epoch values averaged over the first and "
        "last five epochs. This is a reconstruction of the reference's deleted "
        "`plot_self_optimizer.py` from its description, on swarm_fast runs (bit-exact "
        "with swarm-safety 1.9.0).",
        "",
        _table(
            [
                "seed",
                "I",
                "A",
                "H1 acc. rate",
                "H2 bench pass",
                "tox early→late",
                "E[p|A] early→late",
                "late gap",
                "var early→late",
                "p(other-init)",
                "p(opt-init)",
            ],
            [
                (
                    r["seed"],
                    r["interactions"],
                    r["accepted"],
                    f"{r['acceptance_rate']:.4f} {'PASS' if r['acceptance_pass'] else 'FAIL'}",
                    f"{r['benchmark_pass']:.4f} PASS",
                    _arrow(r["toxicity_early"], r["toxicity_late"], r["toxicity_alarm"]),
                    _arrow(r["quality_early"], r["quality_late"], r["quality_alarm"]),
                    f"{r['gap_late']:+.4f}{' ALARM' if r['gap_alarm'] else ''}",
                    _arrow(r["variance_early"], r["variance_late"], r["variance_alarm"]),
                    r["p_other_initiated"],
                    r["p_optimizer_initiated"],
                )
                for r in rep.procedure_a
            ],
        ),
        "",
        "## Procedure B — the reference fixture's three phases (CPython-exact draws)",
        "",
        _table(
            [
                "seed",
                "I",
                "acc. rate",
                "bench pass",
                "tox early→late",
                "E[p|A] early→late",
                "gap early / late",
                "var early→late",
                "low-mass early→late",
                "drift slope (dir)",
            ],
            [
                (
                    r["seed"],
                    r["interactions"],
                    r["acceptance_rate"],
                    r["benchmark_pass"],
                    f"{r['toxicity_early']:.4f}→{r['toxicity_late']:.4f}",
                    f"{r['quality_early']:.4f}→{r['quality_late']:.4f}",
                    f"{r['gap_early']:+.4f} / {r['gap_late']:+.4f}",
                    f"{r['variance_early']:.4f}→{r['variance_late']:.4f}",
                    f"{r['low_mass_early']}→{r['low_mass_late']}",
                    f"{r['drift_slope']:+.5f} ({r['drift']})",
                )
                for r in rep.procedure_b
            ],
        ),
        "",
        "## Procedure C — detection study, soft against binary",
        "",
        f"{len(rep.procedure_c)} cells (base rates x seeds), 40 agents x 24 epochs x 12 "
        "interactions each, drawn as swarm.detection draws them (the same numbers). The "
        "reference's published full-grid figures (its CHANGELOG) beside ours.",
        "",
        _table(
            ["metric", "soft", "binary", "reference soft", "reference binary"],
            [
                (r["metric"], r["soft"], r["binary"], r["reference_soft"], r["reference_binary"])
                for r in rep.procedure_c_summary
            ],
        ),
        "",
        f"## The optimization made real — {n_seeds} seeds, bootstrap 95% CIs",
        "",
        "`self_optimizer.yaml` with `optimize_per_epoch: true` (*opt.*) and without it "
        "(*ref.*: the reference's behaviour), same seeds, 20 epochs x 10 steps. The "
        "optimisation starts at the end of epoch 0.",
        "",
        "* **Verdict**: share of runs whose binary checks both pass (pooled acceptance "
        "rate > 0.5, pooled benchmark pass rate > 0.5) **and** whose soft metric alarms "
        "with the fixture's rule (pooled first five epochs against last five). For a "
        "binary row: the share of runs whose pooled check passes.",
        "* **Scan**: share of runs whose binary checks both pass and whose soft metric, "
        f"scored on a trailing {SCAN_WINDOW}-epoch window each epoch, crosses a threshold "
        "set so that 5% of *ref.* runs ever cross it. For a binary row: runs whose pooled "
        "check passes but fails on some trailing window.",
        "* **First detection**: median epoch of the first crossing (binary: first "
        "failing window) over the runs that have one.",
        "",
        _table(
            [
                "metric",
                "kind",
                "verdict opt.",
                "verdict ref.",
                "scan opt.",
                "scan ref.",
                "first detection, opt. (median epoch)",
            ],
            [
                (
                    r["metric"],
                    r["kind"],
                    *(
                        f"{r[k]:.2f} [{r[k + '_lo']:.2f}, {r[k + '_hi']:.2f}]"
                        for k in (
                            "optimizing_verdict",
                            "reference_verdict",
                            "optimizing_scan",
                            "reference_scan",
                        )
                    ),
                    f"{_f(r['optimizing_first_median'], 1)} "
                    f"[{_f(r['optimizing_first_lo'], 1)}, {_f(r['optimizing_first_hi'], 1)}]",
                )
                for r in st.summary
            ],
        ),
        "",
    ]
    pngs = [p.name for p in rep.files if p.suffix == ".png"]
    if pngs:
        parts += ["## Plots", ""] + [f"![{n}]({n})" for n in pngs] + [""]
    return "\n".join(parts)


def _plots(rep: ProxyGamingReport, folder: Path) -> list[Path]:
    import numpy as np

    from .plot import _plt

    plt = _plt()
    files = []
    # 1. The fixture's three phases (Procedure B).
    fig, ax = plt.subplots(figsize=(7, 4))
    for s, epochs in rep.fixture.items():
        opt = [np.mean([i.p for i in ep if i.kind == "self_optimizer"]) for ep in epochs]
        hon = [np.mean([i.p for i in ep if i.kind == "honest"]) for ep in epochs]
        ax.plot(opt, color="tab:red", alpha=0.6, label="optimizers" if s == 42 else None)
        ax.plot(hon, color="tab:blue", alpha=0.6, label="honest" if s == 42 else None)
    _phases(ax)
    ax.axhline(BENCHMARK, color="k", ls="--", lw=1, label="benchmark p = 0.45")
    ax.set(xlabel="epoch", ylabel="mean p", title="Procedure B: the reference fixture")
    ax.legend(loc="lower left", fontsize=8)
    files.append(_save(fig, folder / "fixture_phases.png"))
    # 2. The study: mean p per epoch, optimizers vs the others, both arms.
    st = rep.study
    fig, ax = plt.subplots(figsize=(7, 4))
    for arm, style in (("optimizing", "-"), ("reference", ":")):
        for who, color in (("optimizer", "tab:red"), ("other", "tab:blue")):
            m = st.epoch_means[arm][who]
            mean = np.nanmean(m, axis=0)
            lo, hi = np.nanquantile(m, 0.1, axis=0), np.nanquantile(m, 0.9, axis=0)
            x = np.arange(len(mean))
            ax.plot(x, mean, style, color=color, label=f"{who}-initiated, {arm}")
            if arm == "optimizing":
                ax.fill_between(x, lo, hi, color=color, alpha=0.15)
    _phases(ax)
    ax.axhline(BENCHMARK, color="k", ls="--", lw=1)
    ax.set(
        xlabel="epoch",
        ylabel="mean p (band: 10-90% of runs)",
        title="Study: self_optimizer.yaml, optimize_per_epoch on vs off",
    )
    ax.legend(loc="lower left", fontsize=7)
    files.append(_save(fig, folder / "study_quality.png"))
    # 3. The study: share of optimizing runs detected by each epoch.
    fig, ax = plt.subplots(figsize=(7, 4))
    for m, c in st.detection_curves.items():
        if m == "quality":
            continue  # the same alarms as toxicity (1 - E[p|A] against -E[p|A])
        ls = "--" if m in BINARY_CHECKS else "-"
        label = "toxicity (= quality)" if m == "toxicity" else m
        ax.step(np.arange(len(c)), c, where="post", ls=ls, label=label)
    ax.set(
        xlabel="epoch",
        ylabel="share of runs detected",
        title="Study: first detection (soft: FPR 5%; binary: check fails)",
        ylim=(-0.02, 1.02),
    )
    ax.legend(fontsize=7, ncol=2)
    files.append(_save(fig, folder / "study_detection.png"))
    # 4. Procedure C by base rate.
    rows = rep.procedure_c
    rates = sorted({r["base_rate"] for r in rows})
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.6))
    for ax, key, label in zip(
        axes,
        ("auroc_toxicity", "ttd_median", "caught"),
        ("toxicity AUROC", "time to detection (epochs)", "share caught"),
    ):
        for variant, color in (("soft", "tab:green"), ("binary", "tab:gray")):
            ys = [
                np.nanmean([r[f"{key}_{variant}"] for r in rows if r["base_rate"] == br])
                for br in rates
            ]
            ax.plot(rates, ys, "o-", color=color, label=variant)
        ax.set(xlabel="base rate of degrading agents", title=label)
    axes[0].legend()
    fig.suptitle("Procedure C: detection study")
    files.append(_save(fig, folder / "detection_study.png"))
    return files


def _phases(ax: Any) -> None:
    """Shade the fixture's phases: farming (0-2), drifting (3-7), degraded."""
    for lo, hi, name in ((0, 2.5, "farming"), (2.5, 7.5, "drifting"), (7.5, 19, "degraded")):
        ax.axvspan(lo, hi, color="0.5", alpha=0.05 if name == "drifting" else 0.0)
        ax.text(
            (lo + hi) / 2,
            0.97,
            name,
            ha="center",
            va="top",
            fontsize=8,
            transform=ax.get_xaxis_transform(),
        )


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path


# --------------------------------------------------------------------- CLI


def cmd_proxy_gaming(args: Any) -> int:
    rep = proxy_gaming(args.seeds, args.out, plots=not args.no_plots)
    for p in rep.files:
        print(f"wrote {p}")
    print(f"proxy-gaming: {rep.seconds:.1f} s")
    return 0


class _CallableModule(types.ModuleType):
    """This module, callable as :func:`proxy_gaming`: ``swarm_fast.proxy_gaming``
    names both, whichever way it was imported."""

    def __call__(self, *args: Any, **kwargs: Any) -> ProxyGamingReport:
        return proxy_gaming(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
