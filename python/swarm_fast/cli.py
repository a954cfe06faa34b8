"""The ``swarm-fast`` command line.

Each subcommand is one ``_add_<name>(subparsers)`` function that adds its
parser and sets ``func``; ``SUBCOMMANDS`` lists them in ``--help`` order. To
add a subcommand, write its function and append it there. Failures the user
can fix are raised as :class:`CliError` (or ``ScenarioError``) and printed
as one line on stderr by :func:`main`, never as a traceback.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Callable

from .errors import ScenarioError

PROG = "swarm-fast"


class CliError(Exception):
    """A failure reported as one line, ``swarm-fast: <message>``, with exit
    status ``code`` (2: bad usage or input, 1: the work failed)."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


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


def _mock_from(spec: str) -> Any:
    """--mock-llm: a JSON reply given to every call, or module:function."""
    if ":" in spec and not spec.lstrip().startswith("{"):
        from .agents.spec import import_object

        return import_object("--mock-llm", spec)
    return lambda system, user: spec


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage dump)."""

    def error(self, message: str) -> Any:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


# ------------------------------------------------------------ shared helpers


def _int_at_least(low: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if n < low:
            raise argparse.ArgumentTypeError(f"must be >= {low}, got {n}")
        return n

    return parse


_positive = _int_at_least(1)
_nonneg = _int_at_least(0)


def _version() -> str:
    from ._core import __version__

    return __version__


def resolve_scenario(name: str) -> Any:
    """A scenario from a YAML path or a bundled name; a name that is
    neither gets the closest bundled names or files as suggestions."""
    from .scenario import bundled_scenarios, load_scenario

    bundled = bundled_scenarios()
    if not Path(name).exists() and name not in bundled:
        candidates = list(bundled)
        here = Path(name).parent if Path(name).parent.is_dir() else None
        if here is not None:
            candidates += [
                str(here / p.name) if str(here) != "." else p.name
                for p in sorted(here.glob("*.y*ml"))
            ]
        close = difflib.get_close_matches(name, candidates, n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise CliError(
            f"unknown scenario {name!r}: no such file and not a bundled scenario{hint} "
            f"(`{PROG} list` shows the bundled ones)"
        )
    return load_scenario(name)


def parse_assignment(text: str) -> tuple[str, Any]:
    """``KEY=VALUE`` with VALUE read as a YAML scalar or flow value."""
    import yaml

    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    try:
        return key.strip(), yaml.safe_load(value)
    except yaml.YAMLError:
        raise argparse.ArgumentTypeError(f"{key}: cannot read {value!r} as a value") from None


def _known_keys() -> set[str]:
    """Key names the loader knows (read defensively: the tables may move)."""
    from . import scenario

    names: set[str] = set(getattr(scenario, "CRITERIA_KEYS", ()))
    for table in ("GOVERNANCE_CORE", "PAYOFF_KEYS", "RATE_LIMIT_KEYS"):
        names.update(row[0] for row in getattr(scenario, table, ()))
    names.update(getattr(scenario, "GOVERNANCE_OTHER", {}))
    names.update(getattr(scenario, "AGENT_NUMBER_PARAMS", ()))
    return names


def _warn_new_keys(raw: dict[str, Any], keys: Sequence[str]) -> None:
    """A --set key the scenario file does not have is allowed (the loader's
    defaults apply to missing keys), but one that is neither a key the
    loader knows nor in the file, and close to one in the file, is most
    often a typo: say so on stderr."""
    from .scenario import _split_key

    known = None
    for key in keys:
        node: Any = raw
        parts = _split_key(key)
        for depth, part in enumerate(parts):
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                known = _known_keys() if known is None else known
                if isinstance(node, dict) and part not in known:
                    options = [str(k) for k in node] + sorted(known)
                    close = difflib.get_close_matches(part, options, n=1, cutoff=0.8)
                    if close:
                        where = ".".join(parts[:depth] + close)
                        print(
                            f"{PROG}: note: --set {key}: no such key in the scenario "
                            f"(did you mean {where}?); it is set as given",
                            file=sys.stderr,
                        )
                break


def _scenario_with_sets(name: str, sets: Sequence[tuple[str, Any]] | None) -> Any:
    sc = resolve_scenario(name)
    if sets:
        overrides = dict(sets)
        _warn_new_keys(sc.raw, list(overrides))
        sc = sc.with_overrides(overrides)
    return sc


def _deferred(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    """A subcommand whose module (and its polars/numpy imports) loads only
    when that subcommand runs: `swarm-fast run` starts in ~0.1 s."""

    def call(args: argparse.Namespace) -> int:
        return int(getattr(importlib.import_module(f".{module}", __package__), name)(args) or 0)

    return call


# ------------------------------------------------------------------- run


def _type_counts(config: dict[str, Any]) -> str:
    counts: dict[str, int] = {}
    for spec in config["agents"]:
        counts[spec["type"]] = counts.get(spec["type"], 0) + int(spec["count"])
    return ", ".join(f"{n} {t}" for t, n in counts.items() if n)


def _print_header(sc: Any, result: Any, epochs: int, steps: int, verbose: bool) -> None:
    cfg = sc.config
    description = " ".join(str(sc.raw.get("description") or "").split())
    from .scenario import bundled_scenarios

    bundled = sc.path is not None and sc.path in bundled_scenarios().values()
    where = " (bundled)" if bundled else f"  ({sc.path})" if sc.path else ""
    print(f"Scenario:    {sc.scenario_id}{where}")
    if description:
        print(f"Description: {description}")
    print(f"Agents:      {sc.n_agents} ({_type_counts(cfg)})")
    print(f"Epochs:      {epochs}")
    print(f"Steps/epoch: {steps}")
    print(f"Seed:        {result.seed}")
    if verbose:
        ids, types = result._raw["agents"]["agent_id"], result._raw["agents"]["agent_type"]
        for a, t in zip(ids, types):
            print(f"  - {a} ({t})")
    print()


EPOCH_TABLE = (
    # (header, column, format): the reference's `swarm run` table.
    ("Epoch", "epoch", "{:>5}"),
    ("Interactions", "total_interactions", "{:>12}"),
    ("Accepted", "accepted_interactions", "{:>8}"),
    ("Toxicity", "toxicity_rate", "{:>8.4f}"),
    ("Surplus", "total_welfare", "{:>10.2f}"),
    ("Net welfare", "net_social_welfare", "{:>11.2f}"),
)
COMPACT_ROWS = 10  # epochs shown without -v when there are more than 20


def _shown_epochs(n: int, verbose: bool) -> list[int]:
    if verbose or n <= 20:
        return list(range(n))
    step = (n - 1) / (COMPACT_ROWS - 1)
    return sorted({round(i * step) for i in range(COMPACT_ROWS)})


def _print_epochs(result: Any, verbose: bool) -> None:
    e = result._raw["epochs"]  # the core's columns: no polars needed
    cols = [e[c].tolist() for _, c, _ in EPOCH_TABLE]
    widths = [
        len(fmt.format(0)) if "f" not in fmt else len(fmt.format(0.0)) for *_, fmt in EPOCH_TABLE
    ]
    header = " ".join(h.rjust(w) for (h, *_), w in zip(EPOCH_TABLE, widths))
    print(header)
    print("-" * len(header))
    n = len(cols[0])
    shown = _shown_epochs(n, verbose)
    last = -1
    for i in shown:
        if i != last + 1:
            print(f"{'...':>5}")
        print(" ".join(fmt.format(col[i]) for (*_, fmt), col in zip(EPOCH_TABLE, cols)))
        last = i
    print("-" * len(header))
    if len(shown) < n:
        print(f"{len(shown)} of {n} epochs shown; -v prints every epoch, --out writes them all")
    print()


def _print_summary(result: Any) -> None:
    s = result.summary
    n = s["interactions"]
    share = f" ({100 * s['accepted'] / n:.1f}%)" if n else ""
    rows = [
        ("Total interactions", f"{n}", "accepted + rejected"),
        ("Accepted", f"{s['accepted']}{share}", ""),
        (
            "Avg toxicity",
            f"{s['mean_epoch_toxicity']:.4f}",
            "mean over epochs of E[1-p | accepted] (reference; the criteria use it)",
        ),
        (
            "Toxicity (pooled)",
            f"{s['toxicity']:.4f}",
            "E[1-p] over all accepted interactions (the paper's Toxicity)",
        ),
        (
            "Quality gap",
            f"{s['quality_gap']:.4f}",
            "E[p | accepted] - E[p | rejected] over the run (negative: adverse selection)",
        ),
        (
            "Avg surplus",
            f"{s['mean_epoch_welfare']:.2f}",
            "mean over epochs of total_welfare (reference)",
        ),
        (
            "Welfare",
            f"{s['welfare']:.2f}",
            "total_welfare summed over epochs (the paper's Welfare)",
        ),
        (
            "Avg net welfare",
            f"{s['mean_net_social_welfare']:.2f}",
            "mean over epochs of surplus - externalities (reference)",
        ),
    ]
    width = max(len(r[0]) for r in rows) + 1
    vwidth = max(len(r[1]) for r in rows)
    for name, value, definition in rows:
        line = f"{name + ':':<{width}} {value:<{vwidth}}"
        print(f"{line}   {definition}".rstrip())
    print()
    _print_contracts(result)


def _print_contracts(result: Any) -> None:
    """The last epoch's contract-screening metrics, as ``swarm run`` prints
    them (only with a ``contracts:`` section)."""
    metrics = result.contract_metrics
    if not metrics:
        return
    last = metrics[-1]
    print("Contract Screening Metrics:")
    print(f"  Separation quality:  {last['separation_quality']:.4f}")
    print(f"  Infiltration rate:   {last['infiltration_rate']:.4f}")
    print(f"  Welfare delta:       {last['welfare_delta']:.4f}")
    print(f"  Attack displacement: {last['attack_displacement']:.4f}")
    print("  Pool avg quality:")
    for pool, q in sorted(last["pool_avg_quality"].items()):
        print(f"    {pool}: {q:.4f}")
    if last["pool_sizes"]:
        print("  Pool sizes:")
        for pool, n in sorted(last["pool_sizes"].items()):
            print(f"    {pool}: {n}")
    print()


def _fmt_threshold(x: Any) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _print_criteria(sc: Any, result: Any) -> None:
    from .results import CRITERIA

    checks = result.criteria
    given = sc.raw.get("success_criteria") or {}
    known = {k for k, *_ in CRITERIA}
    ignored = sorted(str(k) for k in given if k not in known) if isinstance(given, dict) else []
    if not checks:
        print(
            "Success criteria: none the reference checks"
            + (f" (ignored: {', '.join(ignored)})" if ignored else "")
        )
        return
    print("Success criteria:")
    for c in checks:
        value = f"{c.value}" if isinstance(c.value, int) else f"{c.value:.4f}"
        print(
            f"  [{'PASS' if c.passed else 'FAIL'}] {c.label}: {value} {c.op} "
            f"{_fmt_threshold(c.threshold)}"
        )
    if ignored:
        print(f"  (not checked, as by the reference: {', '.join(ignored)})")
    passed = all(c.passed for c in checks)
    print(f"Result: {'ALL CRITERIA PASSED' if passed else 'SOME CRITERIA FAILED'}")


# Runs with more agent-steps than this get a progress indicator (~0.2 s).
PROGRESS_AGENT_STEPS = 2_000_000


def _run_with_progress(sc: Any, args: argparse.Namespace, record: bool) -> Any:
    """Run through :func:`swarm_fast.run` (its checks, memory budget and
    python/LLM agents), with an epoch bar on stderr for long runs;
    ``record`` keeps the trace and every agent's state per epoch (for
    ``--out DIR`` and the reference's exports)."""
    from .run import run

    seed, epochs, steps, record = sc._run_args(args.seed, args.epochs, args.steps, record)
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
    has_external = any(a["type"] == "external" for a in sc.config["agents"])
    # Spawned agents make per-epoch agent tables ragged: not recorded then
    # (the reference's agent snapshot export is left out; see tierra.py).
    from .tierra import grows

    callback = None
    bar = None
    if not args.quiet and epochs * steps * sc.n_agents > PROGRESS_AGENT_STEPS:
        from tqdm.auto import tqdm

        bar = tqdm(
            total=epochs,
            desc=f"running {sc.scenario_id}",
            unit="epoch",
            file=sys.stderr,
            dynamic_ncols=True,
            disable=None,  # not on a pipe or file
        )

        def callback(done: int, _total: int) -> None:
            bar.n = done
            bar.refresh()

    try:
        result = run(
            sc,
            seed=seed,
            epochs=epochs,
            steps=steps,
            record_interactions=record,
            record_agent_epochs=record and not grows(sc.config),
            llm=llm if has_external and llm else None,
            progress=None if has_external else callback,
        )
    finally:
        if bar is not None:
            bar.close()
    return result, epochs, steps


def cmd_run(args: argparse.Namespace) -> int:
    import datetime

    from . import export

    target = export.plan_output(args.out, args.format) if args.out else None
    if args.export_json and Path(args.export_json).suffix.lower() != ".json":
        raise CliError(f"--export-json {args.export_json}: expected a .json file")
    sc = _scenario_with_sets(args.scenario, args.set)
    record = bool((target is not None and target.is_dir) or args.export_json or args.export_csv)
    started = datetime.datetime.now().isoformat()
    result, epochs, steps = _run_with_progress(sc, args, record)
    ended = datetime.datetime.now().isoformat()
    if not args.quiet:
        _print_header(sc, result, epochs, steps, args.verbose)
        _print_epochs(result, args.verbose)
    _print_summary(result)
    _print_criteria(sc, result)
    written = []
    _print_llm_usage(result)
    if target is not None:
        written += export.write_run(result, sc, target, steps, overrides=dict(args.set or []))
    if args.export_json:
        path = Path(args.export_json)
        written.append(export.write_reference_json(result, sc, steps, path, started, ended))
    if args.export_csv:
        written += export.write_reference_csv(result, sc, Path(args.export_csv))
    if written:
        print()
        for path in written:
            print(f"wrote {path}")
    return 0


def _add_run(sub: Any) -> None:
    r = sub.add_parser(
        "run",
        help="run one scenario: header, epoch table, summary, success criteria",
        description="Run one scenario once, as `swarm run` of swarm-safety 1.9.0 would.",
    )
    r.add_argument("scenario", help="scenario YAML path or bundled name (see `list`)")
    r.add_argument("--seed", type=_nonneg, default=None, help="default: simulation.seed")
    r.add_argument("--epochs", type=_nonneg, default=None, help="default: simulation.n_epochs")
    r.add_argument(
        "--steps", type=_nonneg, default=None, help="default: simulation.steps_per_epoch"
    )
    r.add_argument(
        "--set",
        action="append",
        type=parse_assignment,
        metavar="KEY=VALUE",
        help="override a dotted YAML key (governance.transaction_tax_rate=0.1, "
        "agents.0.count=50); repeatable",
    )
    g = r.add_mutually_exclusive_group()
    g.add_argument("-v", "--verbose", action="store_true", help="every epoch and every agent")
    g.add_argument("-q", "--quiet", action="store_true", help="summary and criteria only")
    r.add_argument(
        "--out",
        default=None,
        metavar="DIR|FILE",
        help="a folder: write epochs, final agents, interactions, the reference exporter's "
        "epoch and agent snapshots, and metadata.json; a .csv/.parquet/.json file: the "
        "epoch table alone",
    )
    r.add_argument(
        "--format",
        choices=("csv", "parquet", "json"),
        default=None,
        help="file format for --out DIR (default csv)",
    )
    r.add_argument(
        "--export-json",
        default=None,
        metavar="FILE",
        help="as the reference's --export-json: run metadata, epoch and agent snapshots, "
        "interaction events",
    )
    r.add_argument(
        "--export-csv",
        default=None,
        metavar="DIR",
        help="as the reference's --export-csv: <scenario_id>_epochs.csv and _agents.csv",
    )
    r.add_argument(
        "--prompt-audit", default=None, metavar="FILE", help="LLM agents: JSONL audit of prompts"
    )
    r.add_argument(
        "--record", default=None, metavar="FILE", help="LLM agents: record every exchange (JSONL)"
    )
    r.add_argument(
        "--replay",
        default=None,
        metavar="FILE",
        help="LLM agents: replay a recording, offline (a prompt not in it is an error)",
    )
    r.add_argument(
        "--mock-llm",
        default=None,
        metavar="REPLY|MODULE:FUNC",
        help="LLM agents: answer every call with this text, or (system, user) -> text",
    )
    r.set_defaults(func=cmd_run)


# ------------------------------------------------------------ list, agents


def _describe_file(path: Path) -> tuple[str, str]:
    """(agents x epochs x steps, description) of a scenario file, or why
    swarm_fast cannot run it."""
    from .scenario import load_scenario

    try:
        sc = load_scenario(path)
    except ScenarioError as e:
        return "", f"(not runnable by swarm_fast: {e})"
    cfg = sc.config
    shape = f"{sc.n_agents} agents, {cfg['n_epochs']}x{cfg['steps_per_epoch']}"
    return shape, " ".join(str(sc.raw.get("description") or "").split())


def cmd_list(args: argparse.Namespace) -> int:
    from .scenario import bundled_scenarios

    if args.dir is None:
        items = sorted(bundled_scenarios().items())
        print("Bundled scenarios (run them by name):")
    else:
        folder = Path(args.dir)
        if not folder.is_dir():
            raise CliError(f"list --dir: no such directory: {folder}")
        items = [(p.name, p) for p in sorted(folder.glob("*.yaml"))]
        if not items:
            print(f"No YAML scenarios in {folder}")
            return 0
        print(f"Scenarios in {folder}/:")
    width = max(len(name) for name, _ in items)
    for name, path in items:
        shape, description = _describe_file(path)
        text = f"{shape}; {description}" if shape and description else shape or description
        if not args.verbose and len(text) > 100:
            text = text[:97] + "..."
        print(f"  {name:<{width}}  {text}")
    return 0


def _add_list(sub: Any) -> None:
    ls = sub.add_parser("list", help="list the bundled scenarios, or the YAML files in --dir")
    ls.add_argument("--dir", default=None, help="a folder of scenario YAML files")
    ls.add_argument("-v", "--verbose", action="store_true", help="full descriptions")
    ls.set_defaults(func=cmd_list)


def cmd_agents(args: argparse.Namespace) -> int:
    from .agent_types import AGENT_TYPES

    if args.verbose:
        for t in AGENT_TYPES:
            print(t.key + (f"  (registers as {t.registers_as})" if t.registers_as != t.key else ""))
            print(f"  {t.summary}")
            print(f"  {t.description}")
            if t.params:
                print("  config (default):")
                for k, v in t.params.items():
                    print(f"    {k}: {str(v).lower() if isinstance(v, bool) else v}")
            print()
        return 0
    width = max(len(t.key) for t in AGENT_TYPES)
    print(f"{'TYPE'.ljust(width)}  DESCRIPTION")
    print(f"{'-' * width}  {'-' * 11}")
    for t in AGENT_TYPES:
        print(f"{t.key.ljust(width)}  {t.summary}")
    print(f"\n`{PROG} agents -v` shows each type's config parameters and defaults.")
    return 0


def _add_agents(sub: Any) -> None:
    a = sub.add_parser("agents", help="the agent types (YAML `type:`) swarm_fast implements")
    a.add_argument("-v", "--verbose", action="store_true", help="descriptions and parameters")
    a.set_defaults(func=cmd_agents)


# ------------------------------------------------------------ paper, sweep


def _add_paper(sub: Any) -> None:
    p = sub.add_parser("paper", help="regenerate the paper's Tables 4, 5, 6a-6d with plots")
    p.add_argument("--out", default="paper_out", help="output folder (default paper_out)")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--no-plots", action="store_true", help="tables only (no matplotlib needed)")
    p.add_argument(
        "--model",
        default=None,
        help="corrected: also run the corrected model (docs/corrected-model.md), side by side",
    )
    p.add_argument(
        "--seeds",
        type=_positive,
        default=None,
        help="seeds 0..N-1 per row with bootstrap CIs, instead of the paper's five",
    )
    p.set_defaults(func=_deferred("paper", "cmd_paper"))


def parse_seeds(text: str) -> list[int]:
    """``START:STOP`` (a range), ``S1,S2,...`` or one seed."""
    try:
        if ":" in text:
            a, b = text.split(":", 1)
            seeds = list(range(int(a), int(b)))
        else:
            seeds = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected START:STOP or S1,S2,..., got {text!r}"
        ) from None
    if not seeds:
        raise argparse.ArgumentTypeError(f"{text!r} gives no seeds")
    if min(seeds) < 0:
        raise argparse.ArgumentTypeError(f"seeds must be >= 0, got {min(seeds)}")
    return seeds


def parse_grid(text: str) -> tuple[str, list[Any]]:
    """``KEY=V1,V2,...`` with each value read as a YAML scalar."""
    import yaml

    key, sep, values = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=V1,V2,..., got {text!r}")
    try:
        parsed = [yaml.safe_load(v) for v in values.split(",") if v.strip()]
    except yaml.YAMLError:
        raise argparse.ArgumentTypeError(f"{key}: cannot read the values {values!r}") from None
    if not parsed:
        raise argparse.ArgumentTypeError(f"{key}: no values")
    return key.strip(), parsed


def _add_sweep(sub: Any) -> None:
    p = sub.add_parser(
        "sweep",
        help="sweep levers x seeds into Parquet or CSV (parallel, resumable)",
        description="Run a scenario over a Cartesian grid of YAML overrides x seeds. "
        "Finished chunks are kept in OUT.parts/ so an interrupted sweep resumes.",
    )
    p.add_argument("scenario", help="scenario YAML path or bundled name")
    p.add_argument(
        "--grid",
        action="append",
        type=parse_grid,
        metavar="KEY=V1,V2",
        help="dotted YAML key and values; repeat for a Cartesian grid",
    )
    p.add_argument(
        "--seeds", type=parse_seeds, default=[42], help="START:STOP or S1,S2,... (default 42)"
    )
    p.add_argument("--epochs", type=_nonneg, default=None)
    p.add_argument("--steps", type=_nonneg, default=None)
    p.add_argument("--per-epoch", action="store_true", help="one row per epoch")
    p.add_argument("--threads", type=_positive, default=None, help="local threads (default: all)")
    p.add_argument(
        "--chunk-size",
        type=_positive,
        default=None,
        help="runs per chunk (one part file each; default: automatic)",
    )
    p.add_argument(
        "--dask",
        default=None,
        metavar="ADDRESS",
        help="run on a Dask cluster: tcp://HOST:8786, or 'local' (needs swarm_fast[dask])",
    )
    p.add_argument(
        "--dask-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="how long to try reaching the scheduler (default 10)",
    )
    p.add_argument("--out", required=True, help="output file: .parquet or .csv")
    p.add_argument(
        "--format",
        choices=("parquet", "csv"),
        default=None,
        help="default: from --out's extension",
    )
    p.add_argument("--force", action="store_true", help="replace an existing finished output file")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_deferred("sweeps", "cmd_sweep"))


def _add_proxy_gaming(sub: Any) -> None:
    p = sub.add_parser(
        "proxy-gaming",
        help="the proxy-gaming experiment: procedures A, B, C and the optimizing study",
    )
    p.add_argument(
        "--seeds",
        type=parse_seeds,
        default=list(range(100)),
        help="study seeds: START:STOP or S1,S2,... (default 0:100)",
    )
    p.add_argument("--out", default="proxy_gaming_out", help="output folder")
    p.add_argument("--no-plots", action="store_true")
    p.set_defaults(func=_deferred("proxy_gaming", "cmd_proxy_gaming"))


def _add_calibrate(sub: Any) -> None:
    p = sub.add_parser(
        "calibrate",
        help="Pareto front of governance levers over objectives, with bootstrap CIs",
        description="Multi-objective lever search (exhaustive grid, or Optuna's NSGA-II/TPE), "
        "each candidate over N seeds; writes candidates/front Parquet, front.md and front.png "
        "into --out, and resumes from it (docs/calibrate.md).",
    )
    p.add_argument("scenario", help="scenario YAML path or bundled name")
    p.add_argument(
        "--lever",
        action="append",
        required=True,
        metavar="KEY=LO:HI[:int|log]",
        help="a dotted scenario key and its range (repeat for each lever)",
    )
    p.add_argument(
        "--objective",
        action="append",
        metavar="METRIC:max|min",
        help="a run-level aggregate (welfare, toxicity, quality_gap, interactions, pass_rate, "
        "...); default: welfare:max and toxicity:min",
    )
    p.add_argument("--seeds", type=_positive, default=50, help="seeds 0..N-1 for every candidate")
    p.add_argument("--budget", type=_positive, default=None, help="total runs (candidates x seeds)")
    p.add_argument("--method", choices=("auto", "grid", "nsga2", "tpe"), default="auto")
    p.add_argument("--points", type=_positive, default=None, help="grid values per lever")
    p.add_argument("--epochs", type=_positive, default=None)
    p.add_argument("--steps", type=_positive, default=None)
    p.add_argument("--model", default=None, help="reference (default) or corrected")
    p.add_argument("--out", default="calibrate_out", help="output folder (resumable)")
    p.add_argument("--threads", type=_positive, default=None, help="local threads (default: all)")
    p.add_argument("--dask", default=None, metavar="ADDRESS", help="a scheduler, or 'local'")
    p.add_argument("--dask-timeout", type=float, default=10.0, metavar="SECONDS")
    p.add_argument("--no-plots", action="store_true", help="no front.png")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_deferred("calibrate", "cmd_calibrate"))


# Every subcommand, in --help order. Append new ones here.
SUBCOMMANDS: list[Callable[[Any], None]] = [
    _add_run,
    _add_list,
    _add_agents,
    _add_paper,
    _add_sweep,
    _add_proxy_gaming,
    _add_calibrate,
]


def _mock_from(spec: str) -> Any:
    """--mock-llm: a JSON reply given to every call, or module:function."""
    if ":" in spec and not spec.lstrip().startswith("{"):
        from .agents.spec import import_object

        return import_object("--mock-llm", spec)
    return lambda system, user: spec


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=PROG,
        description="Bit-exact, fast SWARM (swarm-safety 1.9.0) simulations.",
    )
    p.add_argument(
        "--version",
        action="version",
        version=f"{PROG} {_version()} (reproduces swarm-safety 1.9.0)",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CliError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return e.code
    except ScenarioError as e:
        print(f"{PROG}: invalid scenario: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `swarm-fast run ... | head`
        sys.stderr.close()
        return 141
    except OSError as e:
        where = f" {e.filename}" if getattr(e, "filename", None) else ""
        print(f"{PROG}: cannot access{where}: {e.strerror or e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
