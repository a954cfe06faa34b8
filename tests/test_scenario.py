"""Scenario loading, overrides and validation (swarm_fast.scenario).

The reference (``swarm``, swarm-safety 1.9.0) is used only through its own
loader, to check that swarm_fast reads the bundled files the same way and
accepts or refuses the same inputs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from swarm_fast.errors import ScenarioError
from swarm_fast.scenario import (
    PAPER_SCENARIOS,
    bundled_scenarios,
    load_scenario,
)

# The keys of config.rs's RunConfig (minus record_interactions, added by to_json).
RUN_KEYS = {
    "spawn",
    "moltipedia",
    "tierra",
    "resource_negotiation",
    "moltbook",
    "memory_tiers",
    "rivals",
    "contracts",
    "scholar",
    "awm",
    "scenario_id",
    "seed",
    "n_epochs",
    "steps_per_epoch",
    "schedule_mode",
    "max_actions_per_step",
    "observation_noise_probability",
    "observation_noise_std",
    "agents",
    "payoff",
    "rate_limits",
    "governance",
    "network",
    "marketplace",
    "dynamic_toxicity",
    "perturbations",
    "success_criteria",
}
NETWORK_KEYS = {
    "topology",
    "edge_probability",
    "k",
    "p",
    "m",
    "dynamic",
    "edge_strengthen_rate",
    "edge_decay_rate",
    "min_edge_weight",
    "max_edge_weight",
}
ONE = [{"type": "honest"}]


def ref_loader() -> Any:
    return pytest.importorskip("swarm.scenarios.loader")


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def raises_key(data: Any, key: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as e:
        load_scenario(data)
    assert e.value.key == key, str(e.value)
    assert str(e.value).startswith(key)
    assert isinstance(e.value, ValueError)
    return e.value


# ------------------------------------------------------------ bundled files


def test_bundled_scenarios_are_the_paper_seven() -> None:
    files = bundled_scenarios()
    # The paper's seven, plus the proxy-gaming scenario (docs/proxy-gaming.md).
    assert set(files) == set(PAPER_SCENARIOS) | {"self_optimizer"}
    for name, path in files.items():
        assert path.is_file() and path.suffix == ".yaml"
        by_name, by_path = load_scenario(name), load_scenario(path)
        assert by_name.config == by_path.config
        assert by_name.path == path
        assert set(by_name.config) == RUN_KEYS
        assert by_name.n_agents >= 5
        assert "outputs" not in by_name.raw


@pytest.mark.parametrize("name", PAPER_SCENARIOS)
def test_bundled_files_read_like_the_reference_loader(name: str) -> None:
    """The reference's loader reads the same values from the bundled file as
    swarm_fast does, field by field (which also proves the file is valid for
    the reference)."""
    ref = ref_loader().load_scenario(bundled_scenarios()[name])
    ours = load_scenario(name).config
    oc = ref.orchestrator_config
    assert ours["scenario_id"] == ref.scenario_id == oc.scenario_id
    for key in (
        "seed",
        "n_epochs",
        "steps_per_epoch",
        "schedule_mode",
        "max_actions_per_step",
        "observation_noise_probability",
        "observation_noise_std",
    ):
        assert ours[key] == getattr(oc, key), key
    for key, value in ours["governance"].items():
        # a lever's sub-mapping: present when on
        if key in ("security", "rbac", "sybil", "resample"):
            flag = "sybil_detection_enabled" if key == "sybil" else f"{key}_enabled"
            assert getattr(oc.governance_config, flag) is (value is not None)
            continue
        assert getattr(oc.governance_config, key) == value, key
    for key, value in ours["payoff"].items():
        assert getattr(oc.payoff_config, key) == value, key
    for key, value in ours["rate_limits"].items():
        assert getattr(ref.rate_limits, key) == value, key
    assert oc.marketplace_config is None and ours["marketplace"] is None
    net, ref_net = ours["network"], oc.network_config
    if net is None:
        assert ref_net is None
    else:
        assert set(net) == NETWORK_KEYS
        assert ref_net.topology.value == net["topology"]
        assert ref_net.k_neighbors == net["k"]
        assert ref_net.rewire_probability == net["p"]
        assert ref_net.m_edges == net["m"]
        for key in NETWORK_KEYS - {"topology", "k", "p", "m"}:
            assert getattr(ref_net, key) == net[key], key
    assert len(ours["agents"]) == len(ref.agent_specs)
    for spec, ref_spec in zip(ours["agents"], ref.agent_specs):
        assert spec["type"] == ref_spec.get("type", "honest")
        assert spec["count"] == ref_spec.get("count", 1)
        assert spec["name"] == ref_spec.get("name")
        assert spec["config"] == (ref_spec.get("config") or {})
    for key, value in ours["success_criteria"].items():
        assert value == ref.success_criteria.get(key), key


def test_bundled_agent_ids_match_the_reference() -> None:
    """The reference builds the same population, in the same order."""
    loader = ref_loader()
    for name in PAPER_SCENARIOS:
        orch = loader.build_orchestrator(loader.load_scenario(bundled_scenarios()[name]))
        ids = [a.agent_id for a in orch.get_all_agents()]
        assert len(ids) == load_scenario(name).n_agents, name


def test_reference_style_file_loads_unchanged(tmp_path: Path) -> None:
    """Reference files carry comments, outputs, nested groups and keys the
    loader never reads; they load as they are."""
    data = load_scenario("adaptive_governance").raw
    data["outputs"] = {"event_log": "logs/x.jsonl", "metrics_csv": "logs/x.csv"}
    data["governance"].update(
        adaptive_controller_enabled=True,
        adaptive_controller_evidence_window=20,
        refinery_enabled=True,
        nested={"audit_enabled": False},
    )
    p = write(tmp_path, "# a comment\n" + yaml.safe_dump(data))
    assert load_scenario(p).config == load_scenario("adaptive_governance").config


# ------------------------------------------------------------ reading rules


def test_defaults_for_a_minimal_mapping() -> None:
    c = load_scenario({"agents": ONE}).config
    assert c["scenario_id"] == "unnamed" and c["seed"] is None
    assert (c["n_epochs"], c["steps_per_epoch"], c["max_actions_per_step"]) == (10, 10, 20)
    assert c["schedule_mode"] == "round_robin"
    assert c["governance"]["transaction_tax_rate"] == 0.0
    assert c["governance"]["reputation_decay_rate"] == 1.0
    assert c["governance"]["freeze_threshold_violations"] == 3
    assert c["payoff"] == {
        "s_plus": 2.0,
        "s_minus": 1.0,
        "h": 2.0,
        "theta": 0.5,
        "rho_a": 0.0,
        "rho_b": 0.0,
        "w_rep": 1.0,
    }
    assert c["rate_limits"]["interactions_per_step"] == 5
    assert c["network"] is None and c["marketplace"] is None
    assert set(c["success_criteria"].values()) == {None}
    assert c["agents"] == [{"type": "honest", "count": 1, "name": None, "config": {}}]


def test_null_and_empty_sections_mean_defaults() -> None:
    base = load_scenario({"agents": ONE}).config
    for section in ("governance", "payoff", "rate_limits", "success_criteria"):
        for empty in (None, {}, []):
            assert load_scenario({"agents": ONE, section: empty}).config == base, section
    for empty in (None, {}, []):
        assert load_scenario({"agents": ONE, "network": empty}).config["network"] is None
    assert load_scenario({"agents": ONE, "scenario_id": None}).scenario_id == "unnamed"


def test_types_are_normalised() -> None:
    c = load_scenario(
        {
            "agents": [{"type": "honest", "count": 2.0, "config": {"acceptance_threshold": 1}}],
            "governance": {"transaction_tax_rate": 0, "freeze_duration_epochs": 3.0},
            "simulation": {"n_epochs": 4.0},
        }
    ).config
    assert c["agents"][0]["count"] == 2 and isinstance(c["agents"][0]["count"], int)
    assert c["agents"][0]["config"]["acceptance_threshold"] == 1.0
    assert isinstance(c["governance"]["transaction_tax_rate"], float)
    assert c["governance"]["freeze_duration_epochs"] == 3
    assert isinstance(c["n_epochs"], int) and c["n_epochs"] == 4


def test_aliases_and_network_params() -> None:
    c = load_scenario(
        {
            "agents": [{"type": "honest", "count": 3}],
            "governance": {"transaction_tax": 0.2, "reputation_decay": 0.9},
            "network": {"topology": "SMALL_WORLD", "k_neighbors": 6, "rewire_probability": 0.3},
        }
    ).config
    assert c["governance"]["transaction_tax_rate"] == 0.2
    assert c["governance"]["reputation_decay_rate"] == 0.9
    assert c["network"]["topology"] == "small_world"
    assert (c["network"]["k"], c["network"]["p"]) == (6, 0.3)
    # The real key wins over the alias; params: wins over flat keys; the
    # reference reads a flat k_neighbors but not a flat k.
    c = load_scenario(
        {
            "agents": ONE,
            "governance": {"transaction_tax_rate": 0.1, "transaction_tax": 0.5},
            "network": {
                "topology": "ring",
                "k": 8,
                "k_neighbors": 6,
                "params": {"k_neighbors": 10, "p": 0.2, "edge_probability": 0.7},
            },
        }
    ).config
    assert c["governance"]["transaction_tax_rate"] == 0.1
    assert (c["network"]["k"], c["network"]["p"], c["network"]["edge_probability"]) == (
        10,
        0.2,
        0.7,
    )
    flat_k = load_scenario({"agents": ONE, "network": {"topology": "ring", "k": 8}})
    assert flat_k.config["network"]["k"] == 4


def test_unknown_keys_and_inert_levers_are_accepted_and_dropped() -> None:
    c = load_scenario(
        {
            "agents": [{"type": "honest", "config": {"not_a_param": 1}, "extra": True}],
            "governance": {
                "adaptive_controller_enabled": True,
                "refinery_enabled": True,
                "council_lever_enabled": True,
                "adaptive_governance_enabled": True,
                "vote_normalization_enabled": True,
                "self_evolution_enabled": True,
                "bandwidth_cap": 4,
                "enable_audits": True,
                "audit": {"enabled": True},
            },
            "something_else": {"x": 1},
            "description": "d",
            "motif": "m",
            "network": {"enabled": False, "topology": "hypercube"},
            "marketplace": {"enabled": False},
            "moltipedia": {"enabled": False},
            "perturbations": {"seed": 3, "agent_dropout": {"enabled": False}},
            "dynamic_toxicity": {"enabled": []},
            "outputs": {"event_log": "x.jsonl"},
        }
    ).config
    assert c["network"] is None and c["marketplace"] is None
    assert c["agents"][0]["config"] == {}
    assert c["governance"]["audit_enabled"] is False
    assert set(c) == RUN_KEYS


def test_marketplace_section() -> None:
    """An empty section or enabled: false means no marketplace; any other
    content switches it on with the defaults for missing keys."""
    on = load_scenario({"agents": ONE, "marketplace": {"enabled": True}}).config["marketplace"]
    assert on == {
        "escrow_fee_rate": 0.02,
        "min_bounty_amount": 1.0,
        "max_bids_per_bounty": 10,
        "dispute_resolution_epochs": 2,
        "auto_expire_bounties": True,
        "dispute_default_split": 0.5,
    }


# ---------------------------------------------------------------- overrides


def test_overrides_reach_nested_keys_and_agent_counts() -> None:
    base = load_scenario("misalignment_sweep")
    sc = base.with_overrides(
        {
            "governance.transaction_tax_rate": 0.3,
            "agents.0.count": 9,
            "agents[1].config.post_probability": 0.9,
            "network.params.k": 6,
            "payoff.rho_a": 0.7,
            "simulation.n_epochs": 3,
            "simulation.schedule_mode": "priority",
        }
    )
    c = sc.config
    assert c["governance"]["transaction_tax_rate"] == 0.3
    assert c["agents"][0]["count"] == 9
    assert c["agents"][1]["config"]["post_probability"] == 0.9
    assert c["network"]["k"] == 6 and c["payoff"]["rho_a"] == 0.7
    assert (c["n_epochs"], c["schedule_mode"]) == (3, "priority")
    assert sc.path == base.path and sc.raw["agents"][0]["count"] == 9
    # The original is untouched, and so is what it handed out.
    assert base.config["agents"][0]["count"] == 4
    base.config["agents"][0]["count"] = 99
    base.raw["agents"][0]["count"] = 99
    assert base.config["agents"][0]["count"] == 4 and base.raw["agents"][0]["count"] == 4


def test_overrides_create_missing_sections_and_are_validated() -> None:
    sc = load_scenario({"agents": ONE}).with_overrides({"governance.audit_enabled": True})
    assert sc.config["governance"]["audit_enabled"] is True
    with pytest.raises(ScenarioError) as e:
        load_scenario("baseline").with_overrides({"agents.9.count": 1})
    assert e.value.key == "agents.9"
    with pytest.raises(ScenarioError) as e:
        load_scenario("baseline").with_overrides({"payoff.theta": 2.0})
    assert e.value.key == "payoff.theta"
    with pytest.raises(ScenarioError) as e:
        load_scenario("baseline").with_overrides({"scenario_id.x": 1})
    assert e.value.key == "scenario_id.x"


def test_to_json_applies_cli_style_overrides() -> None:
    sc = load_scenario("baseline")
    cfg = json.loads(sc.to_json(seed=7, epochs=3, steps=4, record_interactions=False))
    assert (cfg["seed"], cfg["n_epochs"], cfg["steps_per_epoch"]) == (7, 3, 4)
    assert cfg["record_interactions"] is False
    assert set(cfg) == RUN_KEYS | {"record_interactions"}
    assert json.loads(sc.to_json())["seed"] == 42  # the file's own seed
    with pytest.raises(ScenarioError, match="seed=") as e:
        load_scenario({"agents": ONE}).to_json()
    assert e.value.key == "simulation.seed"
    for kwargs, key in (
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"epochs": -2}, "epochs"),
    ):
        with pytest.raises(ScenarioError) as e:
            sc.to_json(**kwargs)
        assert e.value.key == key


def test_repr_and_n_agents() -> None:
    sc = load_scenario("baseline")
    assert sc.n_agents == 5 and sc.scenario_id == "baseline"
    assert repr(sc).startswith("Scenario('baseline', agents=5")


# -------------------------------------------------------------- bad inputs


def test_malformed_yaml_names_the_file(tmp_path: Path) -> None:
    p = write(tmp_path, "agents: [ {type: honest\nsimulation: {")
    with pytest.raises(ScenarioError) as e:
        load_scenario(p)
    assert e.value.key == str(p) and "malformed YAML" in str(e.value)


def test_missing_file_and_non_mapping(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(tmp_path / "nope.yaml")
    with pytest.raises(ScenarioError, match="mapping"):
        load_scenario(write(tmp_path, "- 1\n- 2\n"))
    with pytest.raises(ScenarioError, match="mapping"):
        load_scenario(write(tmp_path, ""))


@pytest.mark.parametrize(
    "text,key",
    [
        ("governance: {transaction_tax_rate: .nan}", "governance.transaction_tax_rate"),
        ("governance: {reputation_decay_rate: .nan}", "governance.reputation_decay_rate"),
        ("payoff: {s_plus: .inf}", "payoff.s_plus"),
        ("payoff: {h: -.inf}", "payoff.h"),
        ("network: {topology: ring, edge_strengthen_rate: .inf}", "network.edge_strengthen_rate"),
        ("simulation: {observation_noise_std: .nan}", "simulation.observation_noise_std"),
        ("success_criteria: {toxicity_threshold: .nan}", "success_criteria.toxicity_threshold"),
    ],
)
def test_nan_and_infinity_from_a_yaml_file(tmp_path: Path, text: str, key: str) -> None:
    p = write(tmp_path, f"agents: [{{type: honest}}]\n{text}\n")
    raises_key(p, key)


def test_nan_in_agent_config_from_a_yaml_file(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "agents:\n  - {type: honest}\n  - {type: deceptive, config: {facade_probability: .nan}}\n",
    )
    raises_key(p, "agents[1].config.facade_probability")


def test_letta_is_refused_for_its_server() -> None:
    """The letta section and agent type say why they are refused: their
    agents live on a Letta server (an outside service)."""
    for data, key in (
        ({"agents": ONE, "letta": {"enabled": True}}, "letta"),
        ({"agents": ONE + [{"type": "letta"}]}, "agents[1].type"),
    ):
        err = raises_key(data, key)
        assert "Letta server" in str(err)
        assert "outside services" in str(err)


@pytest.mark.parametrize("kind", ["crewai_adapter", "swarms_adapter"])
def test_framework_adapters_say_why_they_are_refused(kind: str) -> None:
    err = raises_key({"agents": [{"type": kind}]}, "agents[0].type")
    assert "LLM provider" in str(err)
    assert "type 'llm'" in str(err)


def gov(**kw: Any) -> dict[str, Any]:
    return {"agents": ONE, "governance": kw}


BAD: list[tuple[dict[str, Any], str]] = [
    # top level and agents
    ({"agents": None}, "agents"),
    ({"agents": {"type": "honest"}}, "agents"),
    ({"agents": ["honest"]}, "agents[0]"),
    ({"agents": [{"type": "wizard"}]}, "agents[0].type"),
    ({"agents": [{"type": None}]}, "agents[0].type"),
    ({"agents": [{"type": "crewai_adapter"}]}, "agents[0].type"),
    ({"agents": [{"type": "council", "council": {"seed": 1.5}}]}, "agents[0].council.seed"),
    ({"agents": ONE + [{"type": "letta"}]}, "agents[1].type"),
    (
        {"agents": [{"type": "point_farmer", "config": {"stub_probability": "x"}}]},
        "agents[0].config.stub_probability",
    ),
    (
        {"agents": [{"type": "collusive_editor", "config": {"partner_id": 3}}]},
        "agents[0].config.partner_id",
    ),
    ({"agents": [{"type": "honest"}, {"type": "honest", "count": -1}]}, "agents[1].count"),
    ({"agents": [{"type": "honest", "count": 2.5}]}, "agents[0].count"),
    ({"agents": [{"type": "honest", "count": "3"}]}, "agents[0].count"),
    ({"agents": [{"type": "honest", "count": True}]}, "agents[0].count"),
    ({"agents": [{"type": "honest", "count": None}]}, "agents[0].count"),
    ({"agents": [{"type": "honest", "name": 5}]}, "agents[0].name"),
    ({"agents": [{"config": [1]}]}, "agents[0].config"),
    (
        {"agents": [{"config": {"post_probability": float("nan")}}]},
        "agents[0].config.post_probability",
    ),
    ({"agents": [{"config": {"trust_weight": float("inf")}}]}, "agents[0].config.trust_weight"),
    ({"agents": [{"config": {"threshold": "0.5"}}]}, "agents[0].config.threshold"),
    ({"agents": [{"config": {"threshold": True}}]}, "agents[0].config.threshold"),
    ({"agents": [{"config": {"threshold": None}}]}, "agents[0].config.threshold"),
    ({"agents": [{"config": {"target_honest": "yes"}}]}, "agents[0].config.target_honest"),
    ({"agents": ONE, "scenario_id": 12}, "scenario_id"),
    # payoff and rate limits
    ({"agents": ONE, "payoff": {"s_plus": float("inf")}}, "payoff.s_plus"),
    ({"agents": ONE, "payoff": {"theta": 1.5}}, "payoff.theta"),
    ({"agents": ONE, "payoff": {"h": -1}}, "payoff.h"),
    ({"agents": ONE, "payoff": {"w_rep": 101}}, "payoff.w_rep"),
    ({"agents": ONE, "payoff": {"rho_b": None}}, "payoff.rho_b"),
    ({"agents": ONE, "payoff": "strict"}, "payoff"),
    ({"agents": ONE, "rate_limits": {"votes_per_epoch": -5}}, "rate_limits.votes_per_epoch"),
    ({"agents": ONE, "rate_limits": {"posts_per_epoch": 2.5}}, "rate_limits.posts_per_epoch"),
    ({"agents": ONE, "rate_limits": {"posts_per_epoch": None}}, "rate_limits.posts_per_epoch"),
    # governance: values
    (gov(audit_probability=float("nan")), "governance.audit_probability"),
    (gov(audit_probability=1.2), "governance.audit_probability"),
    (gov(audit_probability=None), "governance.audit_probability"),
    (gov(transaction_tax_rate=None, transaction_tax=0.1), "governance.transaction_tax_rate"),
    (gov(transaction_tax=1.5), "governance.transaction_tax_rate"),
    (gov(freeze_threshold_violations=0), "governance.freeze_threshold_violations"),
    (gov(freeze_duration_epochs=1.5), "governance.freeze_duration_epochs"),
    (gov(collusion_frequency_threshold=0), "governance.collusion_frequency_threshold"),
    (gov(staking_enabled="true"), "governance.staking_enabled"),
    (gov(audit_enabled=1), "governance.audit_enabled"),
    (gov(transaction_tax_rate="0.1"), "governance.transaction_tax_rate"),
    # governance: keys the core drops are still checked as the reference does
    (gov(max_vote_weight_per_agent=0), "governance.max_vote_weight_per_agent"),
    (gov(bandwidth_cap=-1), "governance.bandwidth_cap"),
    (gov(collusion_correlation_threshold=2), "governance.collusion_correlation_threshold"),
    (gov(sybil_similarity_threshold=5), "governance.sybil_similarity_threshold"),
    (gov(resample_trajectory_window=1), "governance.resample_trajectory_window"),
    (gov(rbac_high_stakes_actions=5), "governance.rbac_high_stakes_actions"),
    (gov(council_lever_enabled=None), "governance.council_lever_enabled"),
    ({"agents": ONE, "governance": "strict"}, "governance"),
    # governance: levers swarm_fast does not implement
    # (the resample protocol runs with the agent types it is ported for)
    (
        {"agents": [{"type": "deceptive"}], "governance": {"resample_enabled": True}},
        "governance.resample_enabled",
    ),
    (gov(self_ensemble_enabled=True), "governance.self_ensemble_enabled"),
    (gov(incoherence_breaker_enabled=True), "governance.incoherence_breaker_enabled"),
    (gov(incoherence_friction_enabled=True), "governance.incoherence_friction_enabled"),
    (gov(decomposition_enabled=True), "governance.decomposition_enabled"),
    (gov(hardware_trust_enabled=True), "governance.hardware_trust_enabled"),
    (gov(moltipedia_pair_cap_max=0), "governance.moltipedia_pair_cap_max"),
    (gov(moltbook_challenge_difficulty=2), "governance.moltbook_challenge_difficulty"),
    # network
    ({"agents": ONE, "network": {"topology": "hypercube"}}, "network.topology"),
    ({"agents": ONE, "network": {"topology": "scale_free", "m_edges": 0}}, "network.m_edges"),
    ({"agents": ONE, "network": {"topology": "custom"}}, "network.topology"),
    ({"agents": ONE, "network": {"topology": None}}, "network.topology"),
    ({"agents": ONE, "network": {"topology": "ring", "params": None}}, "network.params"),
    (
        {"agents": ONE, "network": {"topology": "small_world", "params": {"k": 1}}},
        "network.params.k",
    ),
    ({"agents": ONE, "network": {"topology": "ring", "m_edges": 0}}, "network.m_edges"),
    (
        {"agents": ONE, "network": {"topology": "random_erdos_renyi", "edge_probability": -0.1}},
        "network.edge_probability",
    ),
    ({"agents": ONE, "network": {"topology": "ring", "dynamic": None}}, "network.dynamic"),
    (
        {"agents": ONE, "network": {"topology": "ring", "edge_decay_rate": 2}},
        "network.edge_decay_rate",
    ),
    ({"agents": ONE, "network": True}, "network"),
    # marketplace
    ({"agents": ONE, "marketplace": {"escrow_fee_rate": 1.5}}, "marketplace.escrow_fee_rate"),
    ({"agents": ONE, "marketplace": {"max_bids_per_bounty": 0}}, "marketplace.max_bids_per_bounty"),
    ({"agents": ONE, "marketplace": {"enabled": "yes"}}, "marketplace.enabled"),
    # optional subsystems and other out-of-scope machinery
    ({"agents": ONE, "moltipedia": {"enabled": True}}, "moltipedia.seed"),
    ({"agents": ONE, "spawn": {"max_depth": -2}}, "spawn.max_depth"),
    ({"agents": ONE, "spawn": {"attribution_mode": "sideways"}}, "spawn.attribution_mode"),
    ({"agents": ONE, "tierra": {"reaper_mode": "youngest"}}, "tierra.reaper_mode"),
    ({"agents": ONE, "tierra": True}, "tierra"),
    (
        {"agents": ONE, "contracts": {"fair_division": {"entry_fee": -1}}},
        "contracts.fair_division.entry_fee",
    ),
    (
        {"agents": ONE, "perturbations": {"agent_dropout": {"enabled": True}}},
        "perturbations.seed",
    ),
    (
        {"agents": ONE, "perturbations": {"network_partition": {"enabled": True}}},
        "perturbations.seed",
    ),
    (
        {
            "agents": ONE,
            "perturbations": {"network_partition": {"enabled": True, "mode": "random_fragment"}},
        },
        "perturbations.seed",
    ),
    (
        {"agents": ONE, "perturbations": {"resource_shock": {"mode": "melt"}}},
        "perturbations.resource_shock.mode",
    ),
    ({"agents": ONE, "dynamic_toxicity": {"enabled": ["proxy_drfit"]}}, "dynamic_toxicity.enabled"),
    ({"agents": ONE, "dynamic_toxicity": {"enabled": "proxy_drift"}}, "dynamic_toxicity.enabled"),
    ({"agents": ONE, "outputs": {"graph_memory_path": "g.json"}}, "outputs.graph_memory_path"),
    ({"agents": ONE, "outputs": None}, "outputs"),
    # simulation
    ({"agents": ONE, "simulation": None}, "simulation"),
    ({"agents": ONE, "simulation": []}, "simulation"),
    ({"agents": ONE, "simulation": {"n_epochs": -1}}, "simulation.n_epochs"),
    ({"agents": ONE, "simulation": {"n_epochs": None}}, "simulation.n_epochs"),
    ({"agents": ONE, "simulation": {"steps_per_epoch": "ten"}}, "simulation.steps_per_epoch"),
    (
        {"agents": ONE, "simulation": {"max_actions_per_step": -1}},
        "simulation.max_actions_per_step",
    ),
    ({"agents": ONE, "simulation": {"schedule_mode": "chaotic"}}, "simulation.schedule_mode"),
    ({"agents": ONE, "simulation": {"seed": 1.5}}, "simulation.seed"),
    ({"agents": ONE, "simulation": {"seed": True}}, "simulation.seed"),
    ({"agents": ONE, "simulation": {"seed": "5"}}, "simulation.seed"),
    ({"agents": ONE, "simulation": {"seed": -3}}, "simulation.seed"),
    ({"agents": ONE, "simulation": {"seed": 2**64}}, "simulation.seed"),
    (
        {"agents": ONE, "simulation": {"observation_noise_probability": 1.5}},
        "simulation.observation_noise_probability",
    ),
    (
        {"agents": ONE, "simulation": {"observation_noise_std": -0.1}},
        "simulation.observation_noise_std",
    ),
    (
        {"agents": ONE, "success_criteria": {"toxicity_threshold": "low"}},
        "success_criteria.toxicity_threshold",
    ),
    ({"agents": ONE, "success_criteria": [1]}, "success_criteria"),
]


@pytest.mark.parametrize("data,key", BAD, ids=[f"{i}-{k}" for i, (_, k) in enumerate(BAD)])
def test_bad_input_names_the_key(data: dict[str, Any], key: str) -> None:
    raises_key(data, key)


def test_out_of_scope_messages_say_so() -> None:
    for data in (
        gov(self_ensemble_enabled=True),
        {"agents": ONE, "network": {"topology": "custom"}},
        {"agents": [{"type": "work_regime"}]},
        {"agents": ONE, "kernel_oracle": {"top_k": 3}},
    ):
        with pytest.raises(ScenarioError, match="out of scope"):
            load_scenario(data)
    # A refused lever switched off is fine.
    assert load_scenario(gov(hardware_trust_enabled=False, resample_enabled=False)).n_agents == 1


# ------------------------------------------------- agreement with the reference

# Inputs on which swarm_fast accepts or refuses exactly as the reference does
# (loading, then building the orchestrator, as `swarm run` does).
AGREE = [
    ("ok-minimal", "agents: [{type: honest}]", True),
    ("ok-count-0", "agents: [{type: honest, count: 0}, {type: honest}]", True),
    # Empty populations run (the reference's domain files have no agents).
    ("ok-all-counts-0", "agents: [{type: honest, count: 0}]", True),
    ("ok-empty-agents", "agents: []", True),
    ("ok-no-agents", "scenario_id: x\nsimulation: {seed: 1}", True),
    ("bad-null-agents", "agents:", False),
    ("ok-null-sections", "agents: [{type: honest}]\ngovernance:\npayoff:\nrate_limits:", True),
    ("ok-list-sections", "agents: [{type: honest}]\ngovernance: []\nnetwork: []", True),
    (
        "ok-whole-float-int",
        "agents: [{type: honest}]\ngovernance: {freeze_duration_epochs: 4.0}",
        True,
    ),
    (
        "ok-network-off",
        "agents: [{type: honest}]\nnetwork: {enabled: false, topology: bogus}",
        True,
    ),
    ("ok-flat-k-ignored", "agents: [{type: honest}]\nnetwork: {topology: ring, k: 1}", True),
    ("ok-perturb-off", "agents: [{type: honest}]\nperturbations: {seed: 3}", True),
    ("bad-sim-null", "agents: [{type: honest}]\nsimulation:", False),
    ("bad-outputs-null", "agents: [{type: honest}]\noutputs:", False),
    ("bad-scenario-id-int", "scenario_id: 7\nagents: [{type: honest}]", False),
    ("bad-type", "agents: [{type: wizard}]", False),
    ("bad-count-float", "agents: [{type: honest, count: 1.5}]", False),
    ("bad-name-int", "agents: [{type: honest, name: 3}]", False),
    ("bad-gov-null", "agents: [{type: honest}]\ngovernance: {audit_probability: null}", False),
    ("bad-gov-range", "agents: [{type: honest}]\ngovernance: {stake_slash_rate: 2}", False),
    ("bad-gov-other", "agents: [{type: honest}]\ngovernance: {sybil_max_cluster_size: 0}", False),
    (
        "bad-freeze-frac",
        "agents: [{type: honest}]\ngovernance: {freeze_duration_epochs: 1.5}",
        False,
    ),
    ("bad-payoff-w-rep", "agents: [{type: honest}]\npayoff: {w_rep: 100.5}", False),
    ("bad-net-params-null", "agents: [{type: honest}]\nnetwork: {topology: ring, params:}", False),
    ("bad-net-k", "agents: [{type: honest}]\nnetwork: {topology: ring, params: {k: 1}}", False),
    ("bad-net-topology", "agents: [{type: honest}]\nnetwork: {topology: torus}", False),
    ("bad-noise", "agents: [{type: honest}]\nsimulation: {observation_noise_std: -1}", False),
    ("bad-negative-seed", "agents: [{type: honest}]\nsimulation: {seed: -1}", False),
    ("bad-market", "agents: [{type: honest}]\nmarketplace: {dispute_default_split: 2}", False),
]


@pytest.mark.parametrize("label,text,ok", AGREE, ids=[a[0] for a in AGREE])
def test_accepts_and_refuses_like_the_reference(
    tmp_path: Path, label: str, text: str, ok: bool
) -> None:
    loader = ref_loader()
    p = write(tmp_path, text + "\n")
    try:
        ref = loader.load_scenario(p)
        loader.build_orchestrator(ref)
        ref_ok = True
    except (ValueError, TypeError, AttributeError, KeyError):
        ref_ok = False
    assert ref_ok is ok, "the reference changed its mind"
    if ok:
        load_scenario(p)
    else:
        with pytest.raises(ScenarioError):
            load_scenario(p)


# Inputs the reference accepts and swarm_fast deliberately refuses.
STRICTER = [
    "agents: [{type: honest, count: -1}, {type: honest}]",  # reference: no agents from it
    "agents: [{type: honest, count: true}]",  # reference: one agent
    "agents: [{type: honest}]\ngovernance: {transaction_tax_rate: '0.1'}",  # pydantic coerces
    "agents: [{type: honest}]\ngovernance: {staking_enabled: 'yes'}",  # pydantic coerces
    "agents: [{type: honest}]\ngovernance: {reputation_decay_rate: .nan}",  # passes its check
    "agents: [{type: honest}]\npayoff: {s_plus: .inf}",  # passes its check
    "agents: [{type: honest}]\nsimulation: {n_epochs: '3'}",  # pydantic coerces
    "agents: [{type: honest}]\nsimulation: {schedule_mode: bogus}",  # never checked
    "agents: [{type: honest}]\nsimulation: {max_actions_per_step: -1}",  # never checked
    "agents: [{type: honest}]\nrate_limits: {votes_per_epoch: -1}",  # never checked
]


@pytest.mark.parametrize("text", STRICTER)
def test_deliberately_stricter_than_the_reference(tmp_path: Path, text: str) -> None:
    loader = ref_loader()
    p = write(tmp_path, text + "\n")
    loader.build_orchestrator(loader.load_scenario(p))
    with pytest.raises(ScenarioError):
        load_scenario(p)


# ------------------------------------------------------------------ the core


def test_rust_validates_hand_written_configs_too() -> None:
    """A configuration that bypasses the Python loader is still checked by
    the core, and the error is a ScenarioError, not a crash."""
    core = pytest.importorskip("swarm_fast._core")
    good = json.loads(load_scenario("baseline").to_json(seed=1, epochs=1, steps=1))
    assert core.run(json.dumps(good))["totals"] is not None
    bad = dict(good, governance=dict(good["governance"], audit_probability=3.0))
    with pytest.raises(ScenarioError) as e:
        core.run(json.dumps(bad))
    assert e.value.key == "governance.audit_probability"
    for broken in (
        json.dumps(dict(good, agents=[{"type": "wizard", "count": 1}])),
        json.dumps(dict(good, surprise=1)),
        "{not json",
    ):
        with pytest.raises(ScenarioError):
            core.run(broken)


@pytest.mark.parametrize("name", PAPER_SCENARIOS)
def test_the_core_accepts_every_normalised_bundled_config(name: str) -> None:
    core = pytest.importorskip("swarm_fast._core")
    core.run(load_scenario(name).to_json(seed=3, epochs=1, steps=1, record_interactions=False))


def test_two_handler_subsystems_in_one_run_are_refused(tmp_path: Path) -> None:
    """Each handler subsystem is checked against the reference on its own:
    the team-of-rivals file with the memory tiers added names the second."""
    library = Path(__file__).parent / "scenarios" / "library"
    data = yaml.safe_load((library / "team_of_rivals.yaml").read_text())
    memory = yaml.safe_load((library / "memory_tiers.yaml").read_text())
    data["memory_tiers"] = memory["memory_tiers"]
    data["agents"] = data["agents"] + memory["agents"][:1]
    path = tmp_path / "both.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert err.value.key == "rivals"
    assert "memory_tiers" in str(err.value)
    # Each alone loads.
    del data["memory_tiers"]
    path.write_text(yaml.safe_dump(data))
    assert load_scenario(path).config["rivals"]
