"""The comparison every live parity test makes: swarm_fast's run of a
scenario file against the reference's run of the same file
(``reference_harness``), with exact float equality on every interaction,
epoch row, final agent state and the summary's aggregates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from polars.testing import assert_frame_equal

import swarm_fast
from swarm_fast import load_scenario

from reference_harness import run_reference

SUMMARY_KEYS = ["toxicity", "quality_gap", "welfare", "interactions", "accepted", "passed"]


def run_both(path: Path, overrides: dict | None = None, **run_args: Any) -> tuple[Any, Any]:
    """The file with the same dotted overrides and run arguments, run by
    swarm_fast (its trace kept) and by the reference."""
    scenario = load_scenario(path)
    if overrides:
        scenario = scenario.with_overrides(overrides)
    ours = swarm_fast.run(scenario, record_interactions=True, **run_args)
    ref = run_reference(path, overrides=overrides, **run_args)
    return ours, ref


def assert_same(ours: swarm_fast.RunResult, ref: Any, *, nonempty: bool = True) -> None:
    """Both runs equal to the last bit. ``nonempty``: a case with no
    interactions proves little (empty populations pass False)."""
    assert ours.interactions is not None
    if nonempty:
        assert ours.interactions.height > 0, "a parity case with no interactions proves little"
    assert_frame_equal(ours.interactions, ref.interactions, check_exact=True)
    assert_frame_equal(ours.epochs, ref.epochs, check_exact=True)
    assert_frame_equal(ours.agents, ref.agents, check_exact=True)
    for key in SUMMARY_KEYS:
        assert ours.summary[key] == ref.summary[key], key
