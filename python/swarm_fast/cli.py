"""The ``swarm-fast`` command line."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any, Callable

from .errors import ScenarioError


def _print_run(result, criteria: dict) -> None:
    s = result.summary
    # Printed from the core's columns: no DataFrame (nor polars) needed.
    raw_agents, e = result._raw["agents"], result._raw["epochs"]
    print(f"Scenario: {result.scenario_id}   seed: {result.seed}")
    agents = zip(raw_agents["agent_id"], raw_agents["agent_type"])
    print("Agents: " + ", ".join(f"{a} ({t})" for a, t in agents))
    print()
    header = (
        f"{'Epoch':>5} {'Interactions':>12} {'Accepted':>8} {'Toxicity':>8} "
        f"{'Welfare':>9} {'Net Welf':>9}"
    )
    print(header)
    print("-" * len(header))
    columns = (
        "epoch",
        "total_interactions",
        "accepted_interactions",
        "toxicity_rate",
        "total_welfare",
        "net_social_welfare",
    )
    for epoch, n, acc, tox, welfare, net in zip(*(e[c].tolist() for c in columns)):
        print(f"{epoch:>5} {n:>12} {acc:>8} {tox:>8.4f} {welfare:>9.2f} {net:>9.2f}")
    print()
    print(f"Interactions: {s['interactions']}   accepted: {s['accepted']}")
    print(
        f"Toxicity (pooled): {s['toxicity']:.4f}   mean per epoch: {s['mean_epoch_toxicity']:.4f}"
    )
    print(f"Quality gap (pooled): {s['quality_gap']:.4f}")
    print(f"Welfare (sum over epochs): {s['welfare']:.2f}")
    if criteria and any(criteria.get(k) is not None for k in criteria):
        print(f"Success criteria: {'PASS' if s['passed'] else 'FAIL'}")


def _print_llm_usage(result) -> None:
    """The LLM agents' usage block (the reference computes it, never shows it)."""
    if not result._policies:
        return
    rep = result._raw.get("external") or {}
    failed = sum(rep.get("errors_act", [])) + sum(rep.get("errors_accept", []))
    failed += sum(rep.get("errors_update", []))
    if failed:
        print(f"Policy callbacks that raised (fell back to NOOP / reject): {failed}")
    u = result.llm_usage
    if u.height == 0:
        return
    print()
    print("LLM usage")
    print(
        f"{'agent':<10} {'calls':>6} {'failed':>6} {'retries':>7} {'tok in':>8} {'tok out':>8} "
        f"{'fallbk':>6} {'p50 ms':>8} {'p99 ms':>8} {'cost $':>8}"
    )
    for r in u.iter_rows(named=True):
        fb = r["fallbacks_transport"] + r["fallbacks_parse"] + r["fallbacks_other"]
        print(
            f"{r['agent_id']!s:<10} {r['calls']:>6} {r['failed_calls']:>6} {r['retries']:>7} "
            f"{r['input_tokens']:>8} {r['output_tokens']:>8} {fb:>6} "
            f"{r['latency_p50_ms']:>8.1f} {r['latency_p99_ms']:>8.1f} "
            f"{r['estimated_cost_usd']:>8.4f}"
        )
    t = u.sum()
    print(
        f"{'run':<10} {t['calls'][0]:>6} {t['failed_calls'][0]:>6} {t['retries'][0]:>7} "
        f"{t['input_tokens'][0]:>8} {t['output_tokens'][0]:>8} "
        f"{t['fallbacks_transport'][0] + t['fallbacks_parse'][0] + t['fallbacks_other'][0]:>6} "
        f"{'':>8} {'':>8} {t['estimated_cost_usd'][0]:>8.4f}"
    )
    print("(fallbacks by cause: transport / parse / other, see result.llm_usage)")


def cmd_run(args: argparse.Namespace) -> int:
    from .run import as_scenario, run

    sc = as_scenario(args.scenario)
    llm = {
        k: v
        for k, v in (
            ("prompt_audit", args.prompt_audit),
            ("record", args.record),
            ("replay", args.replay),
        )
        if v
    }
    if args.mock_llm:
        llm["mock"] = _mock_from(args.mock_llm)
    has_llm = any(a["type"] == "external" for a in sc.config["agents"])
    result = run(
        sc,
        seed=args.seed,
        epochs=args.epochs,
        steps=args.steps,
        record_interactions=False,
        llm=llm if has_llm else None,
    )
    _print_run(result, sc.config.get("success_criteria") or {})
    _print_llm_usage(result)
    if args.out:
        result.epochs.write_csv(args.out)
        print(f"wrote {args.out}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from .scenario import bundled_scenarios

    for name, path in sorted(bundled_scenarios().items()):
        print(f"{name:32} {path}")
    return 0


def _deferred(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    """A subcommand whose module (and its polars/numpy imports) loads only
    when that subcommand runs: `swarm-fast run` starts in ~0.1 s."""

    def call(args: argparse.Namespace) -> int:
        return int(getattr(importlib.import_module(f".{module}", __package__), name)(args) or 0)

    return call


def _add_paper(sub: Any) -> None:
    p = sub.add_parser("paper", help="regenerate the paper's Tables 4, 5, 6a-6d with plots")
    p.add_argument("--out", default="paper_out", help="output folder (default paper_out)")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--no-plots", action="store_true")
    p.set_defaults(func=_deferred("paper", "cmd_paper"))


def _add_sweep(sub: Any) -> None:
    p = sub.add_parser("sweep", help="sweep levers x seeds, writing Parquet (resumable)")
    p.add_argument("scenario", help="scenario YAML path or bundled name")
    p.add_argument(
        "--grid",
        action="append",
        metavar="KEY=V1,V2",
        help="dotted YAML key and values; repeat for a Cartesian grid",
    )
    p.add_argument("--seeds", default="42", help="START:STOP or S1,S2,... (default 42)")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--steps", type=int, default=None)
    p.add_argument("--per-epoch", action="store_true", help="one row per epoch")
    p.add_argument("--threads", type=int, default=None, help="local threads (default: all)")
    p.add_argument(
        "--chunk-size",
        type=int,
        default=None,
        help="runs per chunk (one Parquet part each; default: automatic)",
    )
    p.add_argument(
        "--dask",
        default=None,
        metavar="ADDRESS",
        help="run on a Dask cluster: tcp://HOST:8786, or 'local'",
    )
    p.add_argument("--out", required=True, help="output Parquet file")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_deferred("sweep", "cmd_sweep"))


def _mock_from(spec: str) -> Any:
    """--mock-llm: a JSON reply given to every call, or module:function."""
    if ":" in spec and not spec.lstrip().startswith("{"):
        from .agents.spec import import_object

        return import_object("--mock-llm", spec)
    return lambda system, user: spec


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
    r.add_argument(
        "--prompt-audit", default=None, metavar="FILE", help="LLM agents: JSONL audit of prompts"
    )
    r.add_argument(
        "--record", default=None, metavar="FILE", help="LLM agents: record every exchange"
    )
    r.add_argument(
        "--replay", default=None, metavar="FILE", help="LLM agents: replay a recording, offline"
    )
    r.add_argument(
        "--mock-llm",
        default=None,
        metavar="REPLY|MODULE:FUNC",
        help="LLM agents: answer every call with this text, or (system, user) -> text",
    )
    r.set_defaults(func=cmd_run)

    ls = sub.add_parser("list", help="list the bundled scenarios")
    ls.set_defaults(func=cmd_list)

    _add_paper(sub)
    _add_sweep(sub)
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
