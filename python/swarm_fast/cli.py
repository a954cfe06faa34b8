"""The ``swarm-fast`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import paper, sweep
from .errors import ScenarioError


def _print_run(result, criteria: dict) -> None:
    s = result.summary
    print(f"Scenario: {result.scenario_id}   seed: {result.seed}")
    agents = zip(result.agents["agent_id"], result.agents["agent_type"])
    print("Agents: " + ", ".join(f"{a} ({t})" for a, t in agents))
    print()
    header = (
        f"{'Epoch':>5} {'Interactions':>12} {'Accepted':>8} {'Toxicity':>8} "
        f"{'Welfare':>9} {'Net Welf':>9}"
    )
    print(header)
    print("-" * len(header))
    for row in result.epochs.iter_rows(named=True):
        print(
            f"{row['epoch']:>5} {row['total_interactions']:>12} {row['accepted_interactions']:>8} "
            f"{row['toxicity_rate']:>8.4f} {row['total_welfare']:>9.2f} "
            f"{row['net_social_welfare']:>9.2f}"
        )
    print()
    print(f"Interactions: {s['interactions']}   accepted: {s['accepted']}")
    print(
        f"Toxicity (pooled): {s['toxicity']:.4f}   mean per epoch: {s['mean_epoch_toxicity']:.4f}"
    )
    print(f"Quality gap (pooled): {s['quality_gap']:.4f}")
    print(f"Welfare (sum over epochs): {s['welfare']:.2f}")
    if criteria and any(criteria.get(k) is not None for k in criteria):
        print(f"Success criteria: {'PASS' if s['passed'] else 'FAIL'}")


def cmd_run(args: argparse.Namespace) -> int:
    from .run import as_scenario, run

    sc = as_scenario(args.scenario)
    result = run(sc, seed=args.seed, epochs=args.epochs, steps=args.steps)
    _print_run(result, sc.config.get("success_criteria") or {})
    if args.out:
        result.epochs.write_csv(args.out)
        print(f"wrote {args.out}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from .scenario import bundled_scenarios

    for name, path in sorted(bundled_scenarios().items()):
        print(f"{name:32} {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="swarm-fast",
        description="Bit-exact, fast SWARM (swarm-safety 1.9.0) simulations.",
    )
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="run one scenario and print per-epoch metrics")
    r.add_argument("scenario", help="scenario YAML path or bundled name (see `list`)")
    r.add_argument("--seed", type=int, default=None)
    r.add_argument("--epochs", type=int, default=None)
    r.add_argument("--steps", type=int, default=None)
    r.add_argument("--out", default=None, help="write the per-epoch table as CSV")
    r.set_defaults(func=cmd_run)

    ls = sub.add_parser("list", help="list the bundled scenarios")
    ls.set_defaults(func=cmd_list)

    paper.add_cli(sub)
    sweep.add_cli(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ScenarioError as e:
        print(f"swarm-fast: invalid scenario: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("swarm-fast: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
