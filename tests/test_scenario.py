"""Scenario loading, overrides and validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import swarm_fast
from swarm_fast import PAPER_SCENARIOS, ScenarioError, bundled_scenarios, load_scenario

PAPER = set(PAPER_SCENARIOS)


def test_bundled_scenarios_are_the_paper_seven() -> None:
    assert set(bundled_scenarios()) == PAPER
    for name in PAPER:
        sc = load_scenario(name)
        assert sc.n_agents >= 5
        assert sc.config["seed"] == 42 or name == "strict_governance"


@pytest.mark.parametrize("name", sorted(PAPER))
def test_bundled_files_read_like_the_reference_loader(name: str) -> None:
    """The reference's own loader reads the same effective values from the
    bundled file as swarm_fast does (so the files are valid for both)."""
    from swarm.scenarios.loader import load_scenario as ref_load

    path = bundled_scenarios()[name]
    ours = load_scenario(path).config
    ref = ref_load(path)
    oc, gov, pay = ref.orchestrator_config, ref.orchestrator_config.governance_config, None
    pay = oc.payoff_config
    assert ours["n_epochs"] == oc.n_epochs
    assert ours["steps_per_epoch"] == oc.steps_per_epoch
    assert ours["seed"] == oc.seed
    assert ours["schedule_mode"] == oc.schedule_mode
    assert ours["max_actions_per_step"] == oc.max_actions_per_step
    for key, value in ours["governance"].items():
        assert getattr(gov, key) == value, key
    for key, value in ours["payoff"].items():
        assert getattr(pay, key) == value, key
    for key, value in ours["rate_limits"].items():
        assert getattr(ref.rate_limits, key) == value, key
    net = oc.network_config
    if ours["network"] is None:
        assert net is None
    else:
        assert net.topology.value == ours["network"]["topology"]
        assert net.k_neighbors == ours["network"]["k"]
        assert net.rewire_probability == ours["network"]["p"]
        assert net.edge_decay_rate == ours["network"]["edge_decay_rate"]
        assert net.min_edge_weight == ours["network"]["min_edge_weight"]
    assert [(a["type"], a["count"]) for a in ours["agents"]] == [
        (a.get("type", "honest"), a.get("count", 1)) for a in ref.agent_specs
    ]


def test_defaults_for_a_minimal_mapping() -> None:
    sc = load_scenario({"agents": [{"type": "honest"}], "simulation": {"seed": 3}})
    c = sc.config
    assert (c["n_epochs"], c["steps_per_epoch"], c["max_actions_per_step"]) == (10, 10, 20)
    assert c["governance"]["transaction_tax_rate"] == 0.0
    assert c["governance"]["reputation_decay_rate"] == 1.0
    assert c["payoff"]["s_plus"] == 2.0 and c["network"] is None
    assert c["rate_limits"]["interactions_per_step"] == 5
    assert sc.scenario_id == "unnamed"


def test_aliases_and_flat_network_params() -> None:
    sc = load_scenario(
        {
            "agents": [{"type": "honest", "count": 3}],
            "governance": {"transaction_tax": 0.2, "reputation_decay": 0.9},
            "network": {"topology": "SMALL_WORLD", "k_neighbors": 6, "rewire_probability": 0.3},
        }
    )
    assert sc.config["governance"]["transaction_tax_rate"] == 0.2
    assert sc.config["governance"]["reputation_decay_rate"] == 0.9
    assert sc.config["network"]["topology"] == "small_world"
    assert (sc.config["network"]["k"], sc.config["network"]["p"]) == (6, 0.3)
    # An explicit rate wins over the alias, as in the reference loader.
    sc2 = load_scenario(
        {"agents": [{}], "governance": {"transaction_tax_rate": 0.1, "transaction_tax": 0.5}}
    )
    assert sc2.config["governance"]["transaction_tax_rate"] == 0.1


def test_unknown_keys_and_inert_levers_are_accepted() -> None:
    sc = load_scenario(
        {
            "agents": [{"type": "honest", "config": {"not_a_param": 1}, "extra": True}],
            "governance": {
                "adaptive_controller_enabled": True,
                "refinery_enabled": True,
                "council_lever_enabled": True,
                "vote_normalization_enabled": True,
                "enable_audits": True,
            },
            "something_else": {"x": 1},
            "network": {"enabled": False, "topology": "ring"},
        }
    )
    assert sc.config["network"] is None
    assert sc.config["agents"][0]["config"] == {}
    assert sc.config["governance"]["audit_enabled"] is False


def test_marketplace_section_rules() -> None:
    """As in the reference loader: an empty section or enabled: false means
    no marketplace; any other content switches it on with defaults."""
    assert load_scenario({"agents": [{}], "marketplace": {}}).config["marketplace"] is None
    off = {"agents": [{}], "marketplace": {"enabled": False, "escrow_fee_rate": 9}}
    assert load_scenario(off).config["marketplace"] is None
    on = load_scenario({"agents": [{}], "marketplace": {"enabled": True}}).config["marketplace"]
    assert on["escrow_fee_rate"] == 0.02 and on["max_bids_per_bounty"] == 10


def test_overrides_reach_nested_keys_and_agent_counts() -> None:
    base = load_scenario("misalignment_sweep")
    sc = base.with_overrides(
        {
            "governance.transaction_tax_rate": 0.3,
            "agents.0.count": 9,
            "agents[1].config.post_probability": 0.9,
            "network.params.k": 6,
            "payoff.rho_a": 0.7,
            "simulation.schedule_mode": "priority",
        }
    )
    c = sc.config
    assert c["governance"]["transaction_tax_rate"] == 0.3
    assert c["agents"][0]["count"] == 9
    assert c["agents"][1]["config"]["post_probability"] == 0.9
    assert c["network"]["k"] == 6 and c["payoff"]["rho_a"] == 0.7
    assert c["schedule_mode"] == "priority"
    assert base.config["agents"][0]["count"] == 4  # the original is untouched
    with pytest.raises(ScenarioError) as e:
        base.with_overrides({"agents.9.count": 1})
    assert e.value.key == "agents.9"


def test_to_json_applies_cli_style_overrides() -> None:
    cfg = json.loads(load_scenario("baseline").to_json(seed=7, epochs=3, steps=4))
    assert (cfg["seed"], cfg["n_epochs"], cfg["steps_per_epoch"]) == (7, 3, 4)
    with pytest.raises(ScenarioError) as e:
        load_scenario({"agents": [{}]}).to_json()
    assert e.value.key == "simulation.seed"


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "s.yaml"
    p.write_text(text)
    return p


def test_malformed_yaml_names_the_file(tmp_path: Path) -> None:
    p = write(tmp_path, "agents: [ {type: honest\nsimulation: {")
    with pytest.raises(ScenarioError) as e:
        load_scenario(p)
    assert str(p) in e.value.key and "malformed YAML" in str(e.value)


def test_missing_file_and_non_mapping(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(tmp_path / "nope.yaml")
    with pytest.raises(ScenarioError, match="mapping"):
        load_scenario(write(tmp_path, "- 1\n- 2\n"))


BAD = [
    ({"agents": []}, "agents"),
    ({"agents": {"type": "honest"}}, "agents"),
    ({"agents": [{"type": "wizard"}]}, "agents[0].type"),
    ({"agents": [{"type": "llm"}]}, "agents[0].type"),
    ({"agents": [{"type": "honest"}, {"type": "honest", "count": -1}]}, "agents[1].count"),
    ({"agents": [{"type": "honest", "count": 2.5}]}, "agents[0].count"),
    ({"agents": [{"type": "honest", "count": "3"}]}, "agents[0].count"),
    ({"agents": [{"type": "honest", "count": 0}]}, "agents"),
    (
        {"agents": [{"config": {"post_probability": float("nan")}}]},
        "agents[0].config.post_probability",
    ),
    ({"agents": [{"config": {"target_honest": "yes"}}]}, "agents[0].config.target_honest"),
    ({"agents": [{}], "payoff": {"s_plus": float("inf")}}, "payoff.s_plus"),
    ({"agents": [{}], "payoff": {"theta": 1.5}}, "payoff.theta"),
    ({"agents": [{}], "payoff": {"h": -1}}, "payoff.h"),
    (
        {"agents": [{}], "governance": {"audit_probability": float("nan")}},
        "governance.audit_probability",
    ),
    ({"agents": [{}], "governance": {"audit_probability": 1.2}}, "governance.audit_probability"),
    (
        {"agents": [{}], "governance": {"freeze_threshold_violations": 0}},
        "governance.freeze_threshold_violations",
    ),
    (
        {"agents": [{}], "governance": {"freeze_duration_epochs": 1.5}},
        "governance.freeze_duration_epochs",
    ),
    ({"agents": [{}], "governance": {"staking_enabled": "true"}}, "governance.staking_enabled"),
    ({"agents": [{}], "governance": {"security_enabled": True}}, "governance.security_enabled"),
    ({"agents": [{}], "governance": {"resample_enabled": True}}, "governance.resample_enabled"),
    (
        {"agents": [{}], "governance": {"self_ensemble_enabled": True}},
        "governance.self_ensemble_enabled",
    ),
    (
        {"agents": [{}], "governance": {"sybil_detection_enabled": True}},
        "governance.sybil_detection_enabled",
    ),
    ({"agents": [{}], "governance": "strict"}, "governance"),
    ({"agents": [{}], "network": {"topology": "hypercube"}}, "network.topology"),
    ({"agents": [{}], "network": {"topology": "scale_free"}}, "network.topology"),
    (
        {"agents": [{}], "network": {"topology": "small_world", "params": {"k": 1}}},
        "network.params.k",
    ),
    (
        {"agents": [{}], "network": {"topology": "random_erdos_renyi", "edge_probability": -0.1}},
        "network.edge_probability",
    ),
    ({"agents": [{}], "marketplace": {"escrow_fee_rate": 1.5}}, "marketplace.escrow_fee_rate"),
    (
        {"agents": [{}], "marketplace": {"max_bids_per_bounty": 0}},
        "marketplace.max_bids_per_bounty",
    ),
    ({"agents": [{}], "moltipedia": {"enabled": True}}, "moltipedia"),
    ({"agents": [{}], "perturbations": {"enabled": True}}, "perturbations"),
    ({"agents": [{}], "simulation": {"n_epochs": -1}}, "simulation.n_epochs"),
    ({"agents": [{}], "simulation": {"steps_per_epoch": "ten"}}, "simulation.steps_per_epoch"),
    ({"agents": [{}], "simulation": {"schedule_mode": "chaotic"}}, "simulation.schedule_mode"),
    ({"agents": [{}], "simulation": {"seed": 1.5}}, "simulation.seed"),
    ({"agents": [{}], "simulation": {"seed": True}}, "simulation.seed"),
    (
        {"agents": [{}], "simulation": {"observation_noise_std": -0.1}},
        "simulation.observation_noise_std",
    ),
    ({"agents": [{}], "rate_limits": {"votes_per_epoch": -5}}, "rate_limits.votes_per_epoch"),
    (
        {"agents": [{}], "success_criteria": {"toxicity_threshold": "low"}},
        "success_criteria.toxicity_threshold",
    ),
    (
        {"agents": [{}], "simulation": {"seed": -3}, "network": {"topology": "ring"}},
        "simulation.seed",
    ),
]


@pytest.mark.parametrize("data,key", BAD, ids=[k for _, k in BAD])
def test_bad_input_names_the_key(data: dict, key: str) -> None:
    with pytest.raises(ScenarioError) as e:
        load_scenario(data)
    assert e.value.key == key
    assert str(e.value).startswith(key)
    assert isinstance(e.value, ValueError)


def test_nan_from_yaml_file(tmp_path: Path) -> None:
    p = write(tmp_path, "agents: [{type: honest}]\ngovernance: {transaction_tax_rate: .nan}\n")
    with pytest.raises(ScenarioError) as e:
        load_scenario(p)
    assert e.value.key == "governance.transaction_tax_rate"


def test_reference_files_load_unchanged(tmp_path: Path) -> None:
    """The reference's files carry outputs, comments and ignored keys; they
    load as they are (checked here on a faithful reconstruction)."""
    data = yaml.safe_load(bundled_scenarios()["adaptive_governance"].read_text())
    data["outputs"] = {"event_log": "logs/x.jsonl", "metrics_csv": "logs/x.csv"}
    data["governance"]["adaptive_controller_enabled"] = True
    data["governance"]["adaptive_controller_evidence_window"] = 20
    p = tmp_path / "adaptive.yaml"
    p.write_text(yaml.safe_dump(data))
    assert load_scenario(p).config == load_scenario("adaptive_governance").config


def test_rust_validates_hand_written_configs_too() -> None:
    """A configuration that bypasses the Python loader is still checked by
    the core, and the error is a ScenarioError, not a crash."""
    from swarm_fast import _core

    good = json.loads(load_scenario("baseline").to_json(seed=1, epochs=1, steps=1))
    bad = dict(good, governance=dict(good["governance"], audit_probability=3.0))
    with pytest.raises(ScenarioError) as e:
        _core.run(json.dumps(bad))
    assert e.value.key == "governance.audit_probability"
    with pytest.raises(ScenarioError):
        _core.run(json.dumps(dict(good, agents=[{"type": "wizard", "count": 1}])))
    with pytest.raises(ScenarioError):
        _core.run("{not json")
    with pytest.raises(ScenarioError):
        _core.run(json.dumps(dict(good, surprise=1)))
    assert swarm_fast.run(load_scenario("baseline"), seed=1, epochs=1, steps=1).epochs.height == 1
