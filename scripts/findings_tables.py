"""Print the tables of docs/findings.md, as Markdown, from fresh runs.

Every number on that page comes from this script (seeds 0-99, the paper's
20 epochs x 15 steps unless a table says otherwise; cells are means with
95% percentile-bootstrap CIs of the mean, as in ``swarm-fast paper
--model corrected --seeds 100``). It also rewrites the page's plot,
``docs/findings_levers.png``, when given ``--plot``.

    python scripts/findings_tables.py [--seeds 100] [--plot docs/findings_levers.png]

Takes a few minutes on two cores (about 40k short runs).
"""

from __future__ import annotations

import argparse
import warnings
from collections import defaultdict
from typing import Any

import numpy as np
import polars as pl

from swarm_fast import _core, load_scenario
from swarm_fast.analysis import bootstrap_ci
from swarm_fast.model import SWITCHES, describe, model_switches
from swarm_fast.model_comparison import lever_plot, run_models, summarize_models
from swarm_fast.results import EPOCH_COLUMNS, summarize

# The page's models, by short label.
MODELS: dict[str, Any] = {
    "reference": "reference",
    "corrected": "corrected",
    "corrected, no w_rep term": {"preset": "corrected", "reputation_in_payoff": False},
    "corrected, no τ": {"preset": "corrected", "transfers_in_payoff": False},
}
# One switch alone, for the per-switch table (adaptive_controller alone
# changes no cell: only adaptive_governance enables it; see its section).
SINGLE = [k for k in SWITCHES if k != "adaptive_controller"]
THREE = ["reference", "corrected", "corrected, no w_rep term"]
# strict_governance with every lever off (claim 1's paired comparison).
LEVERS_OFF = {
    "governance.transaction_tax_rate": 0.0,
    "governance.reputation_decay_rate": 1.0,
    "governance.staking_enabled": False,
    "governance.circuit_breaker_enabled": False,
    "governance.audit_enabled": False,
    "governance.collusion_detection_enabled": False,
}
COLLUSION_ROWS = [
    "strict_governance",
    "adaptive_governance",
    "adversarial_redteam",
    "collusion_detection",
]


def with_model(sc: Any, model: Any) -> Any:
    return sc if model == "reference" else sc.with_overrides({"model": model})


def batch(jobs: list[tuple[Any, int, int, int]]) -> list[dict[str, Any]]:
    """Run (scenario, seed, epochs, steps) jobs in one parallel batch; one
    dict per run: summary values, the epoch frame and the final agents."""
    raws = _core.run_batch(
        [sc.to_json(seed=s, epochs=e, steps=t, record_interactions=False) for sc, s, e, t in jobs],
        0,
    )
    out = []
    for (sc, *_), raw in zip(jobs, raws):
        ep = pl.DataFrame({c: raw["epochs"][c] for c in EPOCH_COLUMNS})
        cfg = sc.config
        s = summarize(ep, raw["totals"], cfg.get("success_criteria"), cfg.get("payoff"))
        out.append({**s, "epochs": ep, "agents": pl.DataFrame(raw["agents"])})
    return out


def minus(text: str) -> str:
    return text.replace("-", "−")


def ci(v: Any, d: int) -> str:
    v = np.asarray(v, dtype=float)
    lo, hi = bootstrap_ci(v)
    return minus(f"{v.mean():.{d}f} [{lo:.{d}f}, {hi:.{d}f}]")


def paired(a: Any, b: Any, ratio: bool) -> tuple[float, float, float]:
    """b against a over the same seeds: relative change of the means (in %)
    or difference of the means, with a paired percentile bootstrap CI."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    idx = np.random.default_rng(0).integers(0, len(a), size=(2000, len(a)))
    if ratio:
        stat = 100.0 * (b.mean() / a.mean() - 1.0)
        boots = 100.0 * (b[idx].mean(1) / a[idx].mean(1) - 1.0)
    else:
        stat = b.mean() - a.mean()
        boots = b[idx].mean(1) - a[idx].mean(1)
    lo, hi = np.quantile(boots, [0.025, 0.975])
    return float(stat), float(lo), float(hi)


def table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def pct(x: float) -> str:
    return minus(f"{x:+.1f}%")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=100)
    ap.add_argument("--plot", default=None)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    seeds = list(range(args.seeds))

    # The paper's tables under every model and every switch alone.
    models = {**MODELS, **{k: {k: True} for k in SINGLE}}
    label_of = {describe(model_switches(m)): lab for lab, m in models.items()}
    runs, _ = run_models(list(models.values()), seeds)
    runs = runs.with_columns(pl.col("model").replace_strict(label_of))
    cells = summarize_models(runs)

    def cell(model: str, tab: str, row: int, metric: str) -> dict[str, Any]:
        return cells.filter(
            (pl.col("model") == model)
            & (pl.col("table") == tab)
            & (pl.col("row") == row)
            & (pl.col("metric") == metric)
        ).row(0, named=True)

    def c(model: str, tab: str, row: int, metric: str) -> str:
        x = cell(model, tab, row, metric)
        d = 4 if metric == "toxicity" else 1
        return minus(f"{x['mean']:.{d}f} [{x['ci_low']:.{d}f}, {x['ci_high']:.{d}f}]")

    def m(model: str, tab: str, row: int, metric: str) -> float:
        return cell(model, tab, row, metric)["mean"]

    def seeds_of(model: str, tab: str, row: int, col: str) -> np.ndarray:
        g = runs.filter(
            (pl.col("model") == model) & (pl.col("table") == tab) & (pl.col("row") == row)
        ).sort("seed")
        return g[col].cast(pl.Float64).to_numpy()

    page_models = THREE + ["corrected, no τ"]

    print("## Claim 1: Table 4, baseline -> strict governance\n")
    rows = []
    for mod in page_models:
        w0, w1 = m(mod, "4", 0, "welfare"), m(mod, "4", 1, "welfare")
        rows.append(
            [
                mod,
                c(mod, "4", 0, "welfare"),
                c(mod, "4", 1, "welfare"),
                pct(100 * (w1 / w0 - 1)),
                c(mod, "4", 0, "toxicity"),
                c(mod, "4", 1, "toxicity"),
            ]
        )
    print(
        table(
            [
                "model",
                "welfare, baseline",
                "welfare, strict",
                "change",
                "toxicity, baseline",
                "toxicity, strict",
            ],
            rows,
        )
    )

    print("\n## Claim 1: strict_governance, levers off -> as is (paired)\n")
    off = load_scenario("strict_governance").with_overrides(LEVERS_OFF)
    jobs = [(with_model(off, MODELS[mod]), s, 20, 15) for mod in page_models for s in seeds]
    res = batch(jobs)
    rows = []
    for i, mod in enumerate(page_models):
        r = res[i * len(seeds) : (i + 1) * len(seeds)]
        w_off = [x["welfare"] for x in r]
        t_off = [x["toxicity"] for x in r]
        w_on, t_on = seeds_of(mod, "4", 1, "welfare"), seeds_of(mod, "4", 1, "toxicity")
        ch, lo, hi = paired(w_off, w_on, True)
        dt, dlo, dhi = paired(t_off, t_on, False)
        rows.append(
            [
                mod,
                ci(w_off, 1),
                c(mod, "4", 1, "welfare"),
                minus(f"{ch:+.1f}% [{lo:+.1f}, {hi:+.1f}]"),
                ci(t_off, 4),
                c(mod, "4", 1, "toxicity"),
                minus(f"{dt:+.4f} [{dlo:+.4f}, {dhi:+.4f}]"),
            ]
        )
    print(
        table(
            [
                "model",
                "welfare, levers off",
                "welfare, strict",
                "change [95% CI]",
                "toxicity, levers off",
                "toxicity, strict",
                "difference [95% CI]",
            ],
            rows,
        )
    )

    print("\n## Claim 2: Table 5\n")
    rows = []
    for mod in page_models:
        tox = {round(m(mod, "5", r, "toxicity"), 12) for r in range(6)}
        rows.append(
            [
                mod,
                c(mod, "5", 0, "welfare"),
                c(mod, "5", 5, "welfare"),
                c(mod, "5", 0, "toxicity") + ("" if len(tox) == 1 else " (varies with ρ)"),
            ]
        )
    print(table(["model", "welfare, ρ = 0", "welfare, ρ = 1", "toxicity (every ρ)"], rows))
    for mod in page_models:
        w0, w1 = m(mod, "5", 0, "welfare"), m(mod, "5", 5, "welfare")
        print("- " + minus(f"{mod}: welfare per 0.1 of ρ {(w1 - w0) / 10:.1f}"))

    print("\n## Claim 3: Table 6b\n")
    rows = []
    for r in range(5):
        row = [f"{cell('reference', '6b', r, 'welfare')['value']:g}"]
        for mod in page_models:
            row += [c(mod, "6b", r, "welfare"), c(mod, "6b", r, "toxicity")]
        rows.append(row)
    print(
        table(
            ["threshold"] + [f"{mod}: {k}" for mod in page_models for k in ("welfare", "toxicity")],
            rows,
        )
    )

    print("\n## Other levers (6a, 6c, 6d)\n")
    for tab in ("6a", "6c", "6d"):
        n = runs.filter(pl.col("table") == tab)["row"].max() + 1
        rows = []
        for r in range(n):
            row = [f"{cell('reference', tab, r, 'welfare')['value']:g}"]
            for mod in page_models:
                row += [c(mod, tab, r, "welfare"), c(mod, tab, r, "toxicity")]
            rows.append(row)
        print(f"Table {tab}\n")
        print(
            table(
                ["value"] + [f"{mod}: {k}" for mod in page_models for k in ("welfare", "toxicity")],
                rows,
            )
        )
        print()

    print("## Collusion: agents penalised at least once (resources < 100)\n")
    cmods = ["reference", "transfers_in_payoff", "corrected", "corrected, no τ"]
    jobs = [
        (with_model(load_scenario(name), models[mod]), s, 20, 15)
        for name in COLLUSION_ROWS
        for mod in cmods
        for s in seeds
    ]
    res = iter(batch(jobs))
    rows = []
    for name in COLLUSION_ROWS:
        row = [name]
        for _mod in cmods:
            hit: dict[str, int] = defaultdict(int)
            tot: dict[str, int] = defaultdict(int)
            for _ in seeds:
                a = next(res)["agents"]
                for t, r in zip(a["agent_type"], a["resources"]):
                    k = "honest" if t == "honest" else "others"
                    tot[k] += 1
                    hit[k] += r < 100.0
            row += [f"{hit['honest']} / {tot['honest']}", f"{hit['others']} / {tot['others']}"]
        rows.append(row)
    print(
        table(
            ["scenario"] + [f"{mod}: {k}" for mod in cmods for k in ("honest", "others")],
            rows,
        )
    )

    print("\n## Per-switch effect on Table 4 (welfare means; each column one switch alone)\n")
    cols = ["reference", *SINGLE, "corrected, no τ", "corrected"]
    rows = []
    for r in range(7):
        label = cells.filter((pl.col("table") == "4") & (pl.col("row") == r))["label"][0]
        rows.append([label] + [f"{m(k, '4', r, 'welfare'):.1f}" for k in cols])
    print(table(["row", *cols], rows))
    print("\nToxicity:\n")
    rows = []
    for r in range(7):
        label = cells.filter((pl.col("table") == "4") & (pl.col("row") == r))["label"][0]
        rows.append([label] + [f"{m(k, '4', r, 'toxicity'):.4f}" for k in cols])
    print(table(["row", *cols], rows))

    print("\n## What τ adds: corrected against corrected without τ (paired, same seeds)\n")
    cells_tau = [("4", r) for r in range(7)] + [
        ("5", 5),
        ("6a", 5),
        ("6b", 0),
        ("6b", 2),
        ("6c", 4),
    ]
    rows = []
    for tab, r in cells_tau:
        x = cell("corrected", tab, r, "welfare")
        name = x["label"] if tab == "4" else f"{tab}: {x['label']}"
        row = [name]
        for metric, d in (("welfare", 1), ("toxicity", 4)):
            a = seeds_of("corrected, no τ", tab, r, metric)
            b = seeds_of("corrected", tab, r, metric)
            dd, lo, hi = paired(a, b, False)
            row += [
                minus(f"{a.mean():.{d}f} → {b.mean():.{d}f}"),
                minus(f"{dd:+.{d}f} [{lo:+.{d}f}, {hi:+.{d}f}]"),
            ]
        rows.append(row)
    print(
        table(
            [
                "cell",
                "welfare, no τ → with τ",
                "difference [95% CI]",
                "toxicity, no τ → with τ",
                "difference [95% CI]",
            ],
            rows,
        )
    )

    print("\n## Adaptive governance: runs with and without the controller\n")
    ag = load_scenario("adaptive_governance")
    pairs = {
        "reference + controller only": ("reference", {"adaptive_controller": True}),
        "corrected": ({"preset": "corrected", "adaptive_controller": False}, "corrected"),
        "corrected, no τ": (
            {"preset": "corrected", "adaptive_controller": False, "transfers_in_payoff": False},
            {"preset": "corrected", "transfers_in_payoff": False},
        ),
    }
    rows = []
    for label, (without, with_) in pairs.items():
        for epochs, steps, at in ((20, 15, (10, 15)), (30, 10, (10, 15, 20, 25))):
            jobs = [
                (with_model(ag, mm), s, epochs, steps) for mm in (without, with_) for s in seeds
            ]
            res = batch(jobs)
            a, b = res[: len(seeds)], res[len(seeds) :]
            changed = sum(not x["epochs"].equals(y["epochs"]) for x, y in zip(a, b))
            # The controller's signal (corrected-model.md): the recent half of
            # its 20-epoch window above 0.5 and rising, or below 0.3 and falling.
            signals = 0
            recent = []
            for x in a:
                tox = x["epochs"]["toxicity_rate"].to_numpy()
                for e in at:
                    w = tox[max(0, e + 1 - 20) : e + 1]
                    half = len(w) // 2
                    rec, old = float(np.mean(w[half:])), float(np.mean(w[:half]))
                    recent.append(rec)
                    signals += (rec > 0.5 and rec - old > 0.01) or (rec < 0.3 and rec - old < -0.01)
            q5, q50, q95 = np.percentile(recent, [5, 50, 95])
            rows.append(
                [
                    label,
                    f"{epochs} x {steps}",
                    f"{changed} / {len(seeds)}",
                    f"{np.mean([x['welfare'] for x in a]):.2f} → "
                    + ci([y["welfare"] for y in b], 2),
                    f"{np.mean([x['toxicity'] for x in a]):.4f} → "
                    + ci([y["toxicity"] for y in b], 4),
                    f"{signals} / {len(recent)}",
                    f"{q50:.3f} ({q5:.3f}-{q95:.3f})",
                ]
            )
    print(
        table(
            [
                "model",
                "epochs x steps",
                "runs changed by the controller",
                "welfare without → with",
                "toxicity without → with",
                "contemplations with a signal",
                "recent-half toxicity, median (5-95%)",
            ],
            rows,
        )
    )

    if args.plot:
        lever_plot(cells.filter(pl.col("model").is_in(page_models)), args.plot)
        print(f"\nwrote {args.plot}")


if __name__ == "__main__":
    main()
