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


class MarketProbe:
    """A deterministic market policy, written against a neutral view: it
    accepts bids on its bounties, posts bounties, bids, disputes, claims
    and submits tasks, by turn. Ids are positions' ids on either side (ints
    here, uuids in the reference)."""

    def decide(self, v: dict) -> tuple:
        me = int(v["agent_id"].rsplit("_", 1)[1])
        k = (v["epoch"] * 5 + v["step"] + me) % 6
        if k == 4 and v["tasks"]:
            return ("claim_task", v["tasks"][0]["task_id"])
        if v["active_tasks"] and k in (3, 5):
            return ("submit_output", v["active_tasks"][0]["task_id"])
        if v["bids"]:
            b = v["bids"][0]
            return ("accept_bid", b["bounty_id"], b["bid_id"])
        if k == 0 and v["resources"] > 10:
            return ("post_bounty", 2.5 + me + v["step"] * 0.25)
        if k in (1, 2) and v["bounties"]:
            b = v["bounties"][-1 if k == 2 else 0]
            return ("place_bid", b["bounty_id"], b["reward_amount"] * 0.8)
        if k == 3 and v["escrows"]:
            return ("file_dispute", v["escrows"][0]["escrow_id"])
        if k == 5:
            return ("place_bid", "no-such-bounty", 1.0)
        return ("noop",)


class OursMarket:
    def __init__(self) -> None:
        self.probe = MarketProbe()

    def act(self, obs):
        from swarm_fast.agents import Action

        d = self.probe.decide(
            {
                "agent_id": obs.agent_id,
                "epoch": obs.epoch,
                "step": obs.step,
                "resources": obs.resources,
                "bids": obs.pending_bid_decisions,
                "bounties": obs.available_bounties,
                "escrows": obs.active_escrows,
                "tasks": obs.available_tasks,
                "active_tasks": obs.active_tasks,
            }
        )
        unknown = None  # an id that names nothing: fails silently
        if d[0] == "accept_bid":
            return Action.accept_bid(d[1], d[2])
        if d[0] == "post_bounty":
            return Action.post_bounty(d[1])
        if d[0] == "place_bid":
            return Action.place_bid(d[1] if isinstance(d[1], int) else unknown, d[2])
        if d[0] == "file_dispute":
            return Action.file_dispute(d[1])
        if d[0] == "claim_task":
            return Action.claim_task(d[1])
        if d[0] == "submit_output":
            return Action.submit_output(d[1])
        return Action.noop()

    def accept_interaction(self, proposal, obs):
        return True


def plug_market_into_reference(orch) -> None:
    from swarm.agents.llm_agent import LLMAgent

    for agent in orch._agents.values():
        if not isinstance(agent, LLMAgent):
            continue
        probe = MarketProbe()

        def act(obs, agent=agent, probe=probe):
            d = probe.decide(
                {
                    "agent_id": agent.agent_id,
                    "epoch": obs.current_epoch,
                    "step": obs.current_step,
                    "resources": obs.agent_state.resources,
                    "bids": obs.pending_bid_decisions,
                    "bounties": obs.available_bounties,
                    "escrows": obs.active_escrows,
                    "tasks": obs.available_tasks,
                    "active_tasks": obs.active_tasks,
                }
            )
            if d[0] == "accept_bid":
                return agent.create_accept_bid_action(d[1], d[2])
            if d[0] == "post_bounty":
                return agent.create_post_bounty_action(d[1])
            if d[0] == "place_bid":
                return agent.create_place_bid_action(d[1], d[2])
            if d[0] == "file_dispute":
                return agent.create_file_dispute_action(d[1])
            if d[0] == "claim_task":
                return agent.create_claim_task_action(d[1])
            if d[0] == "submit_output":
                return agent.create_submit_output_action(d[1], "done")
            return agent.create_noop_action()

        agent.act = act
        agent.accept_interaction = lambda proposal, obs: True


@pytest.mark.parametrize("seed", [2, 21, 77])
def test_python_market_actions_match_reference(seed: int) -> None:
    """Python policies see the market (bounties, bids on their bounties,
    escrows, tasks) and post bounties, bid, accept bids, dispute, claim
    and submit, with the reference's effects: the same policy through the
    reference's agent interface gives the same trace, metrics and final
    resources, bit for bit."""
    from reference_harness import run_reference

    data = yaml.safe_load((HERE / "scenarios" / "marketplace.yaml").read_text())
    data["simulation"] = {"n_epochs": 8, "steps_per_epoch": 6, "seed": seed}
    ours_data, ref_data = copy.deepcopy(data), copy.deepcopy(data)
    ours_data["agents"].insert(1, {"type": "python", "count": 3, "name": "m", "id_prefix": "llm"})
    ref_data["agents"].insert(
        1, {"type": "llm", "count": 3, "llm": {"provider": "anthropic", "api_key": "unused"}}
    )
    ours = swarm_fast.run(
        ours_data, seed=seed, record_interactions=True, policies={"m": OursMarket()}
    )
    ref = run_reference(ref_data, seed=seed, prepare=plug_market_into_reference)
    assert_same(ours, ref)
    assert ours.policy_report["act_errors"].sum() == 0
    # The market moved the probes' resources (bounties escrowed, rewards paid).
    mine = ours.agents.filter(ours.agents["agent_id"].str.starts_with("llm_"))
    assert (mine["resources"] != 100.0).any()


def test_llm_agents_with_a_marketplace_are_refused_with_the_reason() -> None:
    data = yaml.safe_load((HERE / "scenarios" / "marketplace.yaml").read_text())
    data["agents"].append({"type": "llm", "llm": {"provider": "mock"}})
    with pytest.raises(ScenarioError, match="tasks in their prompts") as e:
        swarm_fast.run(data, seed=1, epochs=1, steps=1)
    assert e.value.key == "marketplace"


def test_council_agents_with_a_marketplace_are_refused_with_the_reason() -> None:
    data = yaml.safe_load((HERE / "scenarios" / "marketplace.yaml").read_text())
    data["agents"].append({"type": "council"})
    with pytest.raises(ScenarioError, match="council agents with a marketplace") as e:
        swarm_fast.run(data, seed=1, epochs=1, steps=1)
    assert e.value.key == "marketplace"
