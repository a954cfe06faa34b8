"""Python, LLM and Concordia agents in sweeps and in marketplace scenarios
(issue 13: the last two refusals).

Sweeps: each run builds its own policy objects from the spec (``policy:
module:Class``, ``type: llm`` with a mock model, ``concordia_entity``), so a
sweep's rows equal the single runs', whatever the chunking, the thread
count or the executor. Marketplace: Python agents take part in a marketplace
scenario without seeing or using the market, exactly as the reference's LLM
agents do (checked live with the probe policy).
"""

from __future__ import annotations

import copy
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
import yaml
from polars.testing import assert_frame_equal

import swarm_fast
from swarm_fast import ScenarioError

sys.path.insert(0, str(Path(__file__).parent))
from test_policies import assert_same, run_both  # noqa: E402

HERE = Path(__file__).parent
PROBE_SCENARIO = {
    "scenario_id": "probe_sweep",
    "simulation": {"n_epochs": 3, "steps_per_epoch": 4, "seed": 1},
    "agents": [
        {"type": "honest", "count": 3},
        {"type": "python", "count": 2, "policy": "policy_probe:OursProbe", "id_prefix": "llm"},
        {"type": "deceptive", "count": 1},
    ],
    "governance": {"transaction_tax_rate": 0.05},
}
GRID = {"governance.transaction_tax_rate": [0.0, 0.2]}
SEEDS = [3, 4, 5]


def singles(data: dict) -> list[dict]:
    rows = []
    for tax in GRID["governance.transaction_tax_rate"]:
        sc = swarm_fast.load_scenario(data).with_overrides({"governance.transaction_tax_rate": tax})
        for seed in SEEDS:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = swarm_fast.run(sc, seed=seed)
            rows.append({"seed": seed, "tax": tax, **r.summary})
    return rows


def check_rows(df, rows: list[dict]) -> None:
    assert df.height == len(rows)
    for got, want in zip(df.iter_rows(named=True), rows):
        assert got["seed"] == want["seed"]
        assert got["governance.transaction_tax_rate"] == want["tax"]
        for k in ("toxicity", "welfare", "interactions", "accepted", "quality_gap"):
            assert got[k] == want[k], k


def test_sweep_with_python_policies_equals_single_runs() -> None:
    want = singles(PROBE_SCENARIO)
    assert len({r["welfare"] for r in want}) > 1
    a = swarm_fast.sweep(PROBE_SCENARIO, grid=GRID, seeds=SEEDS, chunk_size=2)
    check_rows(a, want)
    b = swarm_fast.sweep(PROBE_SCENARIO, grid=GRID, seeds=SEEDS, threads=1, chunk_size=5)
    assert_frame_equal(a, b)


def test_sweep_with_python_policies_on_a_process_pool() -> None:
    """The executor path (as Dask workers run it): tasks are shipped, the
    policies are imported and built where they run."""
    want = swarm_fast.sweep(PROBE_SCENARIO, grid=GRID, seeds=SEEDS)
    with ProcessPoolExecutor(2) as pool:
        got = swarm_fast.sweep(PROBE_SCENARIO, grid=GRID, seeds=SEEDS, executor=pool, chunk_size=2)
    assert_frame_equal(got, want)


def test_sweep_with_llm_agents_and_a_mock_model() -> None:
    data = yaml.safe_load((HERE / "scenarios" / "llm_agents.yaml").read_text())
    for spec in data["agents"]:
        if spec.get("type") == "llm":
            spec["llm"] = {
                "provider": "mock",
                "mock_responses": {
                    "act": '{"action_type": "PROPOSE_INTERACTION", "params": '
                    '{"counterparty_id": "honest_1"}}',
                    "accept": '{"accept": true}',
                },
            }
    data["simulation"].update(n_epochs=2, steps_per_epoch=3)
    want = singles(data)
    check_rows(swarm_fast.sweep(data, grid=GRID, seeds=SEEDS), want)


def test_sweep_per_epoch_rows() -> None:
    df = swarm_fast.sweep(PROBE_SCENARIO, seeds=[1, 2], per_epoch=True)
    assert df.height == 2 * 3
    r = swarm_fast.run(PROBE_SCENARIO, seed=2)
    mine = df.filter(df["seed"] == 2)
    assert mine["toxicity_rate"].to_list() == r.epochs["toxicity_rate"].to_list()


def test_sweep_needs_policies_named_in_the_spec() -> None:
    data = copy.deepcopy(PROBE_SCENARIO)
    del data["agents"][1]["policy"]
    with pytest.raises(ScenarioError, match="module:Class") as e:
        swarm_fast.sweep(data, seeds=[1])
    assert e.value.key == "agents[1].policy"


# ----------------------------------------------------------------- marketplace


@pytest.mark.parametrize("seed", [1, 21])
@pytest.mark.filterwarnings("ignore:.*policy callback")
def test_python_agents_in_a_marketplace_match_reference(seed: int) -> None:
    data = yaml.safe_load((HERE / "scenarios" / "marketplace.yaml").read_text())
    data["agents"].insert(2, {"type": "CALLBACK", "count": 2})
    data["agents"].append({"type": "CALLBACK", "count": 1})
    data["simulation"] = {"n_epochs": 6, "steps_per_epoch": 6, "seed": seed}
    ours, ref, policy, probes = run_both(data, seed)
    assert_same(ours, ref)
    probe_rows = ours.interactions.filter(ours.interactions["initiator"].str.starts_with("llm_"))
    assert probe_rows.height > 0
