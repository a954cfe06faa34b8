"""`swarm-fast run --out DIR` writes the reference exporter's two tables
(`swarm run --export-csv`) value for value: compared live against
swarm-safety 1.9.0 on the paper scenarios."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import swarm_fast
from swarm_fast import cli
from swarm_fast.export import REFERENCE_AGENT_COLUMNS, REFERENCE_EPOCH_COLUMNS

pytest.importorskip("swarm")


# `swarm run ... --export-csv`, with the feed's post ages pinned to creation
# order as in every parity test (tests/reference_harness.py: otherwise the
# reference's wall-clock ranking varies between executions under load).
DRIVER = """
import sys
sys.path.insert(0, sys.argv[1])
from reference_harness import _ages_by_creation_order
import swarm.__main__ as reference
sys.argv = ["swarm", *sys.argv[2:]]
with _ages_by_creation_order():
    sys.exit(reference.main())
"""


def _reference_export(path: Path, out: Path, epochs: int, steps: int) -> tuple[list, list]:
    argv = ["run", str(path), "--seed", "42", "--epochs", str(epochs), "--steps", str(steps)]
    subprocess.run(
        [sys.executable, "-c", DRIVER, str(Path(__file__).parent), *argv, "--quiet",
         "--export-csv", str(out), "--export-json", str(out / "run.json")],
        check=True,
        capture_output=True,
        cwd=out.parent,
    )  # fmt: skip
    (epochs_csv,) = out.glob("*_epochs.csv")
    (agents_csv,) = out.glob("*_agents.csv")
    with open(epochs_csv) as f:
        epochs_rows = list(csv.DictReader(f))
    with open(agents_csv) as f:
        agent_rows = list(csv.DictReader(f))
    return epochs_rows, agent_rows


def assert_same_exports(ours: Path, ref: Path, ref_epochs: list, ref_agents: list) -> dict:
    """Our `--export-csv` (``ours/csv``) and `--export-json`
    (``ours/run.json``) against the reference's (``ref``, read by
    :func:`_reference_export`): the same text, digit for digit, but for
    timestamps and interaction ids. Returns our JSON export."""
    for kind, ref_rows in (("epochs", ref_epochs), ("agents", ref_agents)):
        (mine,) = (ours / "csv").glob(f"*_{kind}.csv")
        with open(mine) as f:
            rows = list(csv.DictReader(f))
        assert len(rows) == len(ref_rows)
        for row, theirs in zip(rows, ref_rows):
            assert {k: v for k, v in row.items() if k != "timestamp"} == {
                k: v for k, v in theirs.items() if k != "timestamp"
            }  # the same text, digit for digit
    ref_json = json.loads((ref / "run.json").read_text())
    our_json = json.loads((ours / "run.json").read_text())
    assert list(our_json) == list(ref_json)
    for key in ("simulation_id", "n_epochs", "steps_per_epoch", "n_agents", "seed"):
        assert our_json[key] == ref_json[key], key
    for key in ("epoch_snapshots", "agent_snapshots", "events"):
        skip = {"timestamp", "interaction_id"}
        mine = [{k: v for k, v in r.items() if k not in skip} for r in our_json.get(key, [])]
        theirs = [{k: v for k, v in r.items() if k not in skip} for r in ref_json.get(key, [])]
        assert mine == theirs, key
    return our_json


def _same(ours, theirs: str) -> bool:
    """A value we computed against the reference's CSV text (str() of a
    Python value: floats round-trip exactly)."""
    if ours is None:
        return theirs == ""
    if isinstance(ours, bool):
        return theirs == str(ours)
    if isinstance(ours, str):
        return theirs == ours
    return float(theirs) == float(ours)


@pytest.mark.parametrize(
    ("name", "epochs", "steps"),
    [
        ("baseline", 20, 15),
        ("strict_governance", 20, 15),  # circuit breaker: frozen agents
        ("threshold_dancer_vs_cautious", 12, 15),
        ("misalignment_sweep", 10, 15),  # a dynamic network
        ("collusion_detection", 12, 15),
    ],
)
def test_snapshots_match_the_reference_exporter(
    capsys, tmp_path: Path, name: str, epochs: int, steps: int
) -> None:
    path = swarm_fast.bundled_scenarios()[name]
    ref_epochs, ref_agents = _reference_export(path, tmp_path / "ref", epochs, steps)
    ours = tmp_path / "ours"
    args = ["run", name, "--seed", "42", "--epochs", str(epochs), "--steps", str(steps)]
    assert cli.main([*args, "-q", "--out", str(ours), "--format", "parquet"]) == 0
    capsys.readouterr()
    got_epochs = pl.read_parquet(ours / "epoch_snapshots.parquet")
    got_agents = pl.read_parquet(ours / "agent_snapshots.parquet")
    assert got_epochs.columns == REFERENCE_EPOCH_COLUMNS == list(ref_epochs[0])
    assert got_agents.columns == REFERENCE_AGENT_COLUMNS == list(ref_agents[0])
    assert got_epochs.height == len(ref_epochs) == epochs
    assert got_agents.height == len(ref_agents)
    for ours_rows, theirs_rows in ((got_epochs, ref_epochs), (got_agents, ref_agents)):
        for row, ref in zip(ours_rows.iter_rows(named=True), theirs_rows):
            for col, theirs in ref.items():
                if col == "timestamp":
                    continue
                assert _same(row[col], theirs), (name, row["epoch"], col, row[col], theirs)
    # --export-csv and --export-json as the reference's flags write them.
    assert cli.main([*args, "-q", "--export-csv", str(ours / "csv"),
                     "--export-json", str(ours / "run.json")]) == 0  # fmt: skip
    capsys.readouterr()
    assert_same_exports(ours, tmp_path / "ref", ref_epochs, ref_agents)
    # The exporter's total_welfare is its own quantity, not EpochMetrics'.
    metrics = pl.read_parquet(ours / "epochs.parquet")
    if name == "baseline":
        assert metrics["total_welfare"][0] != got_epochs["total_welfare"][0]


def test_csv_and_json_exports_hold_the_same_values(capsys, tmp_path: Path) -> None:
    args = ["run", "strict_governance", "--seed", "3", "--epochs", "6", "-q"]
    for fmt in ("parquet", "csv", "json"):
        assert cli.main([*args, "--out", str(tmp_path / fmt), "--format", fmt]) == 0
    capsys.readouterr()
    for table in ("epoch_snapshots", "agent_snapshots"):
        base = pl.read_parquet(tmp_path / "parquet" / f"{table}.parquet").drop(
            "timestamp", strict=False
        )
        for fmt, read in (("csv", pl.read_csv), ("json", pl.read_json)):
            other = read(tmp_path / fmt / f"{table}.{fmt}").drop("timestamp", strict=False)
            for col in base.columns:
                assert other[col].to_list() == base[col].to_list(), (fmt, table, col)
