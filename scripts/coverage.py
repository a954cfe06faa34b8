"""Coverage of the reference's scenario library (issue 17).

Loads every scenario file kept in ``tests/scenarios/library/`` (the
top-level files of swarm-safety 1.9.0's ``scenarios/`` folder, unchanged),
runs it for a short run (6 epochs x 6 steps, seed 42) in swarm_fast and in
the reference, side by side in this process, and prints one line per file:

- ``exact``: both ran and every interaction, epoch row, final agent state
  and summary value is equal, to the last bit;
- ``refused``: swarm_fast refuses the file with a ``ScenarioError`` (the
  reason is printed) while the reference runs it;
- ``differs``: both ran, with different results (the first difference is
  printed) — a bug;
- ``reference-fails``: the reference itself cannot run the file (its error
  is printed); swarm_fast must refuse it too, naming that failure;
- ``offline``: the file's LLM agents need a provider, so the reference is
  not run; swarm_fast runs it with a mock model (the LLM agents' parity with
  the reference's, given the same replies, is tests/test_llm.py).

Files whose agents call an LLM provider are marked ``llm``, and those that
need another outside service (AWM's live mode) ``service``; they are not run
in the reference (without the service it has nothing to call, or waits for
it); swarm_fast refuses those it cannot run offline.

Usage::

    python scripts/coverage.py                 # the table and the counts
    python scripts/coverage.py --json out.json # also every row as JSON
    python scripts/coverage.py ldt_cooperation flash_crash   # some files

``tests/test_coverage.py`` runs it in CI with the parity suite.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import json
import logging
import sys
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "tests" / "scenarios" / "library"
SEED, EPOCHS, STEPS = 42, 6, 6
SUMMARY_KEYS = ("toxicity", "quality_gap", "welfare", "interactions", "accepted", "passed")

# Agent types whose agents are driven by an LLM provider in the reference
# (its LLM agent, the council of LLM members and the framework adapters).
# Files that use them need an outside service. Concordia entities need one
# only with a provider key set: without, both sides answer canned replies
# (see concordia_mode).
LLM_AGENT_TYPES = frozenset({"llm", "council", "crewai_adapter"})


@dataclass
class Row:
    file: str
    status: str  # exact | refused | differs | reference-fails | offline
    reason: str  # why refused / what differs / how the reference fails
    family: str  # the agent type, lever or subsystem that decides the status
    needs: str  # "llm" / "service": the file needs an outside service


def outside_service(data: Any) -> str:
    """``llm`` when the file's agents need an LLM provider, ``service`` when
    it needs another outside service (AWM's live mode starts and talks to
    environment servers; Letta agents live on a Letta server), ``package``
    when they need an optional package that is not installed (Concordia),
    else empty."""
    if not isinstance(data, dict):
        return ""
    agents = data.get("agents") or []
    if any(isinstance(spec, dict) and spec.get("type") in LLM_AGENT_TYPES for spec in agents):
        return "llm"
    concordia = concordia_mode(data)
    if concordia:
        return concordia
    awm = data.get("awm")
    if isinstance(awm, dict) and awm.get("enabled") and awm.get("live_mode"):
        return "service"
    letta = data.get("letta")
    if isinstance(letta, dict) and letta.get("enabled"):
        return "service"
    return ""


def concordia_mode(data: dict) -> str:
    """For files with Concordia entities (both sides need gdm-concordia):
    ``package`` when it is not installed (swarm_fast refuses, naming the
    extra), ``llm`` when an entity would call a live provider (its key is
    set), else empty: canned replies, compared with the reference."""
    agents = data.get("agents") or []
    specs = [s for s in agents if isinstance(s, dict) and s.get("type") == "concordia_entity"]
    if not specs:
        return ""
    try:
        import concordia  # noqa: F401
    except ImportError:
        return "package"
    from swarm_fast.agents.concordia import parse_concordia_config

    for spec in specs:
        try:
            cfg = parse_concordia_config("concordia", spec.get("concordia"))
        except ValueError:
            continue  # refused by swarm_fast; the run says why
        if not cfg.canned({}) and cfg.provider != "mock":
            return "llm"
    return ""


def family_of(data: dict, key: str) -> str:
    """Name the feature behind a refusal from the key it names:
    ``agents[2].type`` -> the agent type, ``governance.x_enabled`` -> the
    lever, a top-level section -> that subsystem."""
    if key.startswith("agents[") and key.endswith("].type"):
        index = int(key[len("agents[") : -len("].type")])
        return f"agent:{data['agents'][index].get('type')}"
    if key.startswith("governance."):
        return "lever:" + key.split(".", 1)[1].removesuffix("_enabled")
    return key.split(".", 1)[0].split("[", 1)[0] or "other"


def first_difference(ours: Any, ref: Any) -> str | None:
    """The first difference between two runs, or None when they agree."""
    from polars.testing import assert_frame_equal

    for name in ("interactions", "epochs", "agents"):
        try:
            assert_frame_equal(getattr(ours, name), getattr(ref, name), check_exact=True)
        except AssertionError as err:
            text = " ".join(str(err).split())
            return f"{name}: {text[:300]}"
    for key in SUMMARY_KEYS:
        if ours.summary[key] != ref.summary[key]:
            return f"summary.{key}: {ours.summary[key]!r} != {ref.summary[key]!r}"
    # The contracts subsystem's per-epoch metrics (EpochMetrics.contract_metrics).
    if ref.contract_metrics is not None and ours.contract_metrics != ref.contract_metrics:
        return "contract_metrics differ"
    return None


@contextlib.contextmanager
def _quiet():
    """The reference logs and prints while it runs; keep the report readable."""
    logging.disable(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                yield
            finally:
                logging.disable(logging.NOTSET)


def _harness_importable() -> None:
    """Put the tests' reference harness on the import path, once."""
    tests = str(ROOT / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)


def reference_build_failure(path: Path) -> str:
    """How swarm-safety 1.9.0 fails to load and build a scenario file
    (``Type: message``), or empty when it builds it."""
    from swarm.scenarios.loader import build_orchestrator

    _harness_importable()
    from reference_harness import _load  # drops outputs: nothing is written

    try:
        with _quiet():
            build_orchestrator(_load(path, None))
    except Exception as err:  # the reference's own failure, whatever it is
        return f"{type(err).__name__}: {' '.join(str(err).split())[:200]}"
    return ""


def survey_file(path: Path) -> Row:
    import swarm_fast

    _harness_importable()
    from reference_harness import run_reference

    data = yaml.safe_load(path.read_text())
    needs = outside_service(data)
    ours: Any = None
    refusal, family = "", ""
    # LLM agents are answered offline by a mock model (NOOP, every proposal
    # rejected): the reference cannot run these files without a provider,
    # so they are not compared here; tests/test_llm.py compares the LLM
    # agents with the reference's, given the same replies.
    llm = {"mock": lambda system, user: '{"action_type": "NOOP"}'} if needs == "llm" else None
    try:
        with _quiet():
            ours = swarm_fast.run(
                path, seed=SEED, epochs=EPOCHS, steps=STEPS, record_interactions=True, llm=llm
            )
    except swarm_fast.ScenarioError as err:
        refusal, family = str(err), family_of(data, err.key)
    if needs:
        if ours is not None and needs == "llm":
            why = "runs offline with a mock model; the reference needs a provider"
            return Row(path.stem, "offline", why, "llm", needs)
        if ours is not None:
            return Row(path.stem, "differs", f"swarm_fast ran it without its {needs}", needs, needs)
        # Refused here: does the reference even build it? (Building needs no
        # provider or server; running would.)
        failure = reference_build_failure(path)
        if failure:
            return Row(
                path.stem, "reference-fails", f"{failure} | swarm_fast: {refusal}", family, needs
            )
        return Row(path.stem, "refused", refusal, family, needs)
    try:
        with _quiet():
            ref = run_reference(path, seed=SEED, epochs=EPOCHS, steps=STEPS)
    except Exception as err:  # the reference's own failure, whatever it is
        failure = f"{type(err).__name__}: {' '.join(str(err).split())[:200]}"
        if ours is not None:
            return Row(
                path.stem,
                "differs",
                f"swarm_fast ran it; the reference fails ({failure})",
                "reference-fails",
                needs,
            )
        return Row(
            path.stem, "reference-fails", f"{failure} | swarm_fast: {refusal}", family, needs
        )
    if ours is None:
        return Row(path.stem, "refused", refusal, family, needs)
    diff = first_difference(ours, ref)
    if diff is None:
        return Row(path.stem, "exact", "", "core", needs)
    return Row(path.stem, "differs", diff, "core", needs)


def survey(names: list[str] | None = None) -> list[Row]:
    paths = sorted(LIBRARY.glob("*.yaml"))
    if names:
        wanted = {Path(n).stem for n in names}
        paths = [p for p in paths if p.stem in wanted]
    return [survey_file(p) for p in paths]


def report(rows: list[Row], out: Any = sys.stdout) -> None:
    width = max((len(r.file) for r in rows), default=10)
    for r in rows:
        mark = f" [{r.needs}]" if r.needs else ""
        reason = f"  {r.reason}" if r.reason else ""
        print(f"{r.file:<{width}}  {r.status:<15}{mark}{reason}", file=out)
    counts = collections.Counter(r.status for r in rows)
    print(file=out)
    print(
        f"{len(rows)} files: "
        + ", ".join(
            f"{counts[s]} {s}"
            for s in ("exact", "offline", "refused", "differs", "reference-fails")
        ),
        file=out,
    )
    for needs, what in (
        ("llm", "an LLM provider"),
        ("service", "another outside service"),
        ("package", "an optional package that is not installed (gdm-concordia)"),
    ):
        n = sum(r.needs == needs for r in rows)
        print(f"  {n} need {what} (not run in the reference)", file=out)
    families = collections.Counter(r.family for r in rows if r.status != "exact")
    print("not exact, by the feature that decides it:", file=out)
    for family, n in sorted(families.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {n:3d}  {family}", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", help="file names (default: the whole library)")
    parser.add_argument("--json", type=Path, help="also write every row to this JSON file")
    args = parser.parse_args(argv)
    rows = survey(args.files)
    report(rows)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=1))
    return 1 if any(r.status == "differs" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
