"""Live parity for the `contracts:` subsystem (issue 17 item 5): the
reference's two files with a contracts section (contract_screening,
cake_splitting) and variants (other seeds, other contract and market
parameters, more agents, other agent types, networks), each run by
swarm_fast and by swarm-safety 1.9.0 side by side and compared with exact
float equality: every interaction (p, costs, payoffs), epoch row, final
agent state, the summary (whose verdict reads the screening criteria), and
each epoch's contract metrics (`EpochMetrics.contract_metrics`). Then the
checks on the section's keys and what it is not yet combined with.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import swarm_fast
from swarm_fast import ScenarioError, load_scenario

from parity_check import assert_same, run_both

LIBRARY = Path(__file__).parent / "scenarios" / "library"


def both(name: str, overrides: dict | None = None, **run_args):
    return run_both(LIBRARY / f"{name}.yaml", overrides, **run_args)


def assert_same_contracts(ours, ref) -> None:
    assert_same(ours, ref)
    assert ref.contract_metrics is not None
    assert ours.contract_metrics == ref.contract_metrics


@pytest.mark.filterwarnings("ignore::swarm_fast.ScenarioWarning")
@pytest.mark.parametrize("name", ["contract_screening", "cake_splitting"])
def test_library_file(name: str) -> None:
    """The file as written (20 x 10, seed 42)."""
    ours, ref = both(name)
    assert_same_contracts(ours, ref)
    assert len(ours.contract_metrics) == 20
    # Every agent signs each epoch, and a governed pool saw interactions.
    assert all(sum(e["pool_sizes"].values()) == ours.agents.height for e in ours.contract_metrics)
    assert any(
        e["pool_avg_quality"][pool] > 0
        for e in ours.contract_metrics
        for pool in ("truthful_auction", "fair_division")
    )


@pytest.mark.filterwarnings("ignore::swarm_fast.ScenarioWarning")
@pytest.mark.parametrize("seed", [7, 2024])
@pytest.mark.parametrize(
    "overrides",
    [
        None,
        # Locked in after the first epoch.
        {"contracts.market.allow_switching": False},
        # Audits on every truthful-auction interaction, most of them charged.
        {
            "contracts.truthful_auction.audit_probability": 1.0,
            "contracts.truthful_auction.audit_threshold_p": 0.8,
            "contracts.truthful_auction.penalty_multiplier": 0.5,
        },
        # More agents.
        {"agents.0.count": 12, "agents.1.count": 6, "agents.2.count": 5},
        # Cheap contracts that adversaries like.
        {
            "contracts.market.adversarial_truthful_preference": 0.9,
            "contracts.market.adversarial_fair_preference": 0.9,
            "contracts.fair_division.entry_fee": 0.0,
            "contracts.truthful_auction.min_bond": 0.0,
        },
    ],
)
def test_contract_screening_variants(seed: int, overrides: dict | None) -> None:
    assert_same_contracts(*both("contract_screening", overrides, seed=seed, epochs=8, steps=10))


@pytest.mark.filterwarnings("ignore::swarm_fast.ScenarioWarning")
@pytest.mark.parametrize(
    "seed,overrides",
    [
        (7, None),
        (
            3,
            {
                "contracts.fair_division.redistribution_rate": 1.0,
                "contracts.fair_division.entry_fee": 50.0,
                "contracts.market.switching_cost_multiplier": 2.0,
                "contracts.market.belief_update_rate": 0.9,
            },
        ),
        (
            4,
            {
                "simulation.schedule_mode": "random",
                "network.topology": "small_world",
                "network.params.k": 4,
                "network.params.p": 0.2,
            },
        ),
        (
            6,
            {
                "payoff.w_rep": 2.5,
                "contracts.truthful_auction.surplus_bonus": 0.4,
                "contracts.truthful_auction.stake_fraction": 0.0,
            },
        ),
    ],
)
def test_cake_splitting_variants(seed: int, overrides: dict | None) -> None:
    assert_same_contracts(*both("cake_splitting", overrides, seed=seed, epochs=8, steps=10))


def _variant(tmp_path: Path, name: str, change) -> Path:
    data = yaml.safe_load((LIBRARY / "contract_screening.yaml").read_text())
    change(data)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.mark.filterwarnings("ignore::swarm_fast.ScenarioWarning")
def test_other_agent_types(tmp_path: Path) -> None:
    """Types the market has no preference for (0.3) and the core's others."""

    def change(d: dict) -> None:
        d["agents"] = [
            {"type": "honest", "count": 3},
            {"type": "cautious", "count": 2},
            {"type": "adaptive_adversary", "count": 2},
            {"type": "threshold_dancer", "count": 1},
            {"type": "ldt", "count": 2},
            {"type": "opportunistic", "count": 2},
            {"type": "adversarial", "count": 1},
        ]

    assert_same_contracts(*run_both(_variant(tmp_path, "mixed", change), seed=8, epochs=8))


@pytest.mark.filterwarnings("ignore::swarm_fast.ScenarioWarning")
def test_reference_quirks(tmp_path: Path) -> None:
    """Any non-empty section runs the market (``enabled: false`` included,
    with every default), and the default market's friction premium is
    always 0.05, whatever the file says."""

    def change(d: dict) -> None:
        d["contracts"] = {"enabled": False, "default_market": {"friction_premium": 0.5}}

    path = _variant(tmp_path, "quirks", change)
    with pytest.warns(swarm_fast.ScenarioWarning, match="contracts.enabled"):
        load_scenario(path)
    ours, ref = run_both(path, seed=9, epochs=6)
    assert_same_contracts(ours, ref)


@pytest.mark.filterwarnings("ignore::swarm_fast.ScenarioWarning")
def test_with_perturbations(tmp_path: Path) -> None:
    """Resource shocks (after the signing stage, as the middleware order
    has it), agent dropout, parameter shocks on the audit lever, and a
    network partition."""

    def change(d: dict) -> None:
        d["network"] = {"topology": "small_world", "params": {"k": 4, "p": 0.2}}
        d["perturbations"] = {
            "seed": 7,
            "resource_shock": {
                "enabled": True,
                "at_epoch": 2,
                "magnitude": 0.6,
                "mode": "drain_all",
                "trigger": "epoch",
            },
            "agent_dropout": {
                "enabled": True,
                "probability_per_step": 0.1,
                "exempt_types": ["honest"],
                "min_duration_steps": 1,
                "max_duration_steps": 3,
            },
            "parameter_shocks": {
                "enabled": True,
                "shocks": [
                    {
                        "at_epoch": 3,
                        "trigger": "epoch",
                        "params": {"audit_probability": 0.6, "transaction_tax_rate": 0.1},
                        "revert_after_epochs": 2,
                    }
                ],
            },
            "network_partition": {
                "enabled": True,
                "at_epoch": 4,
                "heal_after_epochs": 2,
                "mode": "isolate_type",
                "isolate_type": "deceptive",
                "trigger": "epoch",
            },
        }

    assert_same_contracts(*run_both(_variant(tmp_path, "perturbed", change), seed=5, epochs=8))


@pytest.mark.filterwarnings("ignore::swarm_fast.ScenarioWarning")
@pytest.mark.parametrize(
    "name", ["dynamic_toxicity_combined", "resample_protocol", "casestudy_proxy_corruption"]
)
def test_added_to_other_library_files(name: str) -> None:
    """A contracts section added to files of other subsystems: dynamic
    toxicity, the resample protocol, perturbations (without its security
    lever, refused with contracts)."""
    overrides = {
        "contracts.market.allow_switching": True,
        "contracts.market.adversarial_truthful_preference": 0.5,
    }
    if name == "casestudy_proxy_corruption":
        overrides["governance.security_enabled"] = False
    ours, ref = both(name, overrides, seed=3, epochs=14, steps=8)
    assert_same_contracts(ours, ref)
    assert any(
        e["pool_avg_quality"][pool] > 0
        for e in ours.contract_metrics
        for pool in ("truthful_auction", "fair_division")
    )


def test_criteria_read_the_last_epoch(tmp_path: Path) -> None:
    """The screening criteria read the last epoch's contract metrics."""
    with pytest.warns(swarm_fast.ScenarioWarning):
        sc = load_scenario(LIBRARY / "contract_screening.yaml")
    r = swarm_fast.run(sc, seed=1, epochs=4, steps=5)
    last = r.contract_metrics[-1]
    by_key = {c.key: c.value for c in r.criteria}
    assert by_key["min_separation_quality"] == last["separation_quality"]
    assert by_key["max_infiltration_rate"] == last["infiltration_rate"]
    assert by_key["min_welfare_delta"] == last["welfare_delta"]
    assert by_key["min_attack_displacement"] == last["attack_displacement"]


@pytest.mark.filterwarnings("ignore::swarm_fast.ScenarioWarning")
def test_no_section_no_metrics() -> None:
    assert swarm_fast.run("baseline", seed=1, epochs=2, steps=2).contract_metrics is None


def _load(overrides: dict):
    with pytest.warns(swarm_fast.ScenarioWarning):
        sc = load_scenario(LIBRARY / "contract_screening.yaml")
    return sc.with_overrides(overrides)


@pytest.mark.parametrize(
    "key,value,message",
    [
        (
            "contracts.truthful_auction.stake_fraction",
            1.5,
            "contracts.truthful_auction.stake_fraction",
        ),
        ("contracts.truthful_auction.min_bond", -1, "contracts.truthful_auction.min_bond"),
        ("contracts.truthful_auction", None, "contracts.truthful_auction"),
        (
            "contracts.fair_division.redistribution_rate",
            2,
            "contracts.fair_division.redistribution_rate",
        ),
        ("contracts.fair_division.entry_fee", float("nan"), "contracts.fair_division.entry_fee"),
        ("contracts.market.allow_switching", "yes", "contracts.market.allow_switching"),
        ("contracts.market.belief_update_rate", -0.1, "contracts.market.belief_update_rate"),
        ("contracts.default_market.friction_premium", -1.0, "contracts.default_market"),
        ("contracts", 5, "contracts"),
    ],
)
def test_bad_values_name_the_key(key: str, value, message: str) -> None:
    with pytest.raises(ScenarioError, match=message.replace(".", r"\.")):
        _load({key: value})


def test_unknown_contract_key_is_refused(tmp_path: Path) -> None:
    """The reference fails on it (a keyword argument of the contract)."""

    def change(d: dict) -> None:
        d["contracts"]["fair_division"]["entry_feee"] = 1.0

    with pytest.raises(ScenarioError, match=r"contracts\.fair_division\.entry_feee"):
        load_scenario(_variant(tmp_path, "typo", change))
    with pytest.raises(ScenarioError, match="contracts.market"):
        _load({"contracts.market.allow_swiching": False})


@pytest.mark.parametrize(
    "overrides,key",
    [
        ({"governance.security_enabled": True}, "governance.security_enabled"),
        ({"model.preset": "corrected"}, "model"),
        ({"marketplace.enabled": True}, "marketplace"),
    ],
)
def test_combinations_not_ported_are_refused(overrides: dict, key: str) -> None:
    with pytest.raises(ScenarioError, match=key.replace(".", r"\.")):
        swarm_fast.run(_load(overrides), seed=1, epochs=1, steps=1)


@pytest.mark.filterwarnings("ignore::swarm_fast.ScenarioWarning")
def test_cli_prints_the_screening_metrics(capsys) -> None:
    """`swarm-fast run` prints the last epoch's screening metrics as `swarm
    run` does, from the same values the criteria read."""
    from swarm_fast.cli import main

    path = LIBRARY / "contract_screening.yaml"
    main(["run", str(path), "--seed", "3", "--epochs", "4", "--steps", "5", "-q"])
    out = capsys.readouterr().out
    r = swarm_fast.run(load_scenario(path), seed=3, epochs=4, steps=5)
    last = r.contract_metrics[-1]
    assert "Contract Screening Metrics:" in out
    assert f"  Separation quality:  {last['separation_quality']:.4f}" in out
    assert f"  Welfare delta:       {last['welfare_delta']:.4f}" in out
    for pool, n in last["pool_sizes"].items():
        assert f"    {pool}: {n}\n" in out
