"""Live parity for the `moltipedia:` subsystem (issue 17): the wiki, its four
editor types and the `governance.moltipedia_*` levers, run by swarm_fast
and by swarm-safety 1.9.0 side by side and compared with exact float
equality (every interaction, the wiki's included, every epoch row, every
final agent state and the summary).

The reference's file leaves `moltipedia.seed` unset, which seeds its wiki
from the operating system: the reference does not reproduce itself on it,
and swarm_fast refuses it, naming the key. The parity cases are that file
with a seed set, at several seeds, and variants.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import swarm_fast
from swarm_fast import ScenarioError, load_scenario

from parity_check import assert_same, run_both
from reference_harness import run_reference

FILE = Path(__file__).parent / "scenarios" / "library" / "moltipedia_heartbeat.yaml"


def seeded(tmp_path: Path, wiki_seed: int = 11, **edit: Any) -> Path:
    """The heartbeat file with `moltipedia.seed` set; `edit` replaces
    top-level sections."""
    data = yaml.safe_load(FILE.read_text())
    data["moltipedia"]["seed"] = wiki_seed
    data.pop("outputs", None)
    data.update(edit)
    path = tmp_path / "moltipedia_seeded.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_the_file_is_refused_because_the_reference_does_not_reproduce_itself() -> None:
    with pytest.raises(ScenarioError) as e:
        load_scenario(FILE)
    assert e.value.key == "moltipedia.seed"
    first = run_reference(FILE, seed=42, epochs=2, steps=3)
    second = run_reference(FILE, seed=42, epochs=2, steps=3)
    assert first.interactions.height > 0
    assert first.interactions["p"].to_list() != second.interactions["p"].to_list()


@pytest.mark.parametrize("seed", [42, 7, 1337])
def test_heartbeat_seeded(tmp_path: Path, seed: int) -> None:
    """The file's population, levers, collusion detection and circuit
    breaker, 10 epochs."""
    ours, ref = run_both(seeded(tmp_path), seed=seed, epochs=10, steps=10)
    assert_same(ours, ref)
    parties = set(ours.interactions["counterparty"])
    assert {"moltipedia", "catalog_seed"} <= parties


def test_heartbeat_seeded_full_length(tmp_path: Path) -> None:
    ours, ref = run_both(seeded(tmp_path, wiki_seed=3))
    assert_same(ours, ref)


@pytest.mark.parametrize(
    "overrides",
    [
        # the generic seed pages (the pool's stream draws their quality)
        {"moltipedia.seed_mode": "generic", "moltipedia.initial_pages": 12},
        # few catalog pages: the sample's rejection branch (k <= 5)
        {"moltipedia.initial_pages": 4, "agents.0.count": 2, "agents.4.count": 3},
        # no seed pages at all; short queues
        {
            "moltipedia.initial_pages": 0,
            "moltipedia.random_queue_size": 1,
            "moltipedia.contested_queue_size": 0,
        },
        # more agents, tighter levers, a short stub threshold
        {
            "agents.0.count": 9,
            "agents.1.count": 5,
            "agents.4.count": 3,
            "governance.moltipedia_pair_cap_max": 1,
            "governance.moltipedia_daily_policy_fix_cap": 10.0,
            "moltipedia.stub_length_threshold": 300,
            "moltipedia.page_cooldown_steps": 0,
        },
        # every lever off, longer cooldowns
        {
            "governance.moltipedia_pair_cap_enabled": False,
            "governance.moltipedia_page_cooldown_enabled": False,
            "governance.moltipedia_daily_cap_enabled": False,
            "governance.moltipedia_no_self_fix": False,
            "moltipedia.page_cooldown_steps": 7,
        },
        # the governance cooldown across epoch ends (steps restart at 0)
        {"governance.moltipedia_page_cooldown_steps": 9, "moltipedia.page_cooldown_steps": 1},
        # editors' own parameters
        {
            "agents.0.config": {"create_probability": 0.9},
            "agents.1.config": {"stub_probability": 0.05},
            "agents.2.config": {"partner_id": "catalog_seed"},
        },
        # collusion detection's realtime penalty, and penalties that fire
        # (the detector analyses agents only: the wiki's parties are
        # counted towards its minimum, then filtered out)
        {
            "governance.collusion_realtime_penalty": True,
            "governance.collusion_score_threshold": 0.2,
            "governance.collusion_min_interactions": 2,
            "governance.collusion_frequency_threshold": 0.5,
        },
        # a tax on the points (τ = -points) and audits
        {
            "governance.transaction_tax_rate": 0.1,
            "governance.audit_enabled": True,
            "governance.audit_probability": 0.3,
        },
    ],
)
def test_variants(tmp_path: Path, overrides: dict) -> None:
    ours, ref = run_both(seeded(tmp_path), overrides, seed=5, epochs=8, steps=10)
    assert_same(ours, ref)


def test_core_agents_beside_the_wiki(tmp_path: Path) -> None:
    """Honest and adversarial agents propose to the editors (the vandal
    refuses); every counterparty's observation builds the wiki's queues."""
    agents = yaml.safe_load(FILE.read_text())["agents"] + [
        {"type": "honest", "count": 3},
        {"type": "adversarial", "count": 1},
        {"type": "opportunistic", "count": 1},
    ]
    ours, ref = run_both(seeded(tmp_path, agents=agents), seed=9, epochs=6, steps=8)
    assert_same(ours, ref)
    kinds = set(ours.interactions["counterparty"])
    assert "vandal_1" in kinds and "moltipedia" in kinds


def test_editors_without_the_wiki(tmp_path: Path) -> None:
    """Without a moltipedia section the editors draw, then nothing happens
    to their page actions; core agents still interact with them."""
    data = {
        "scenario_id": "editors_only",
        "simulation": {"n_epochs": 3, "steps_per_epoch": 5, "seed": 3},
        "agents": [
            {"type": "diligent_editor", "count": 2},
            {"type": "point_farmer", "count": 2},
            {"type": "collusive_editor", "count": 1},
            {"type": "vandal", "count": 1},
            {"type": "honest", "count": 3},
        ],
    }
    path = tmp_path / "editors.yaml"
    path.write_text(yaml.safe_dump(data))
    ours, ref = run_both(path, seed=3)
    assert_same(ours, ref)


def test_points_go_to_the_leaderboard_not_the_run(tmp_path: Path) -> None:
    """Points reach payoffs as a transfer to the editor (τ = -points)."""
    result = swarm_fast.run(load_scenario(seeded(tmp_path)), epochs=1, steps=2)
    agents = result.agents
    editors = agents.filter(agents["agent_id"].str.starts_with("diligent_editor"))
    assert (editors["total_payoff"] > 10.0).all()


@pytest.mark.parametrize(
    "section,key,value,message",
    [
        ("moltipedia", "initial_pages", -1, "moltipedia.initial_pages"),
        ("moltipedia", "contested_queue_size", 1.5, "moltipedia.contested_queue_size"),
        ("moltipedia", "stub_length_threshold", 0, "moltipedia.stub_length_threshold"),
        ("moltipedia", "seed_mode", "random", "moltipedia.seed_mode"),
        ("moltipedia", "seed", "x", "moltipedia.seed"),
        ("moltipedia", "enabled", "yes", "moltipedia.enabled"),
        ("governance", "moltipedia_pair_cap_max", 0, "governance.moltipedia_pair_cap_max"),
        (
            "governance",
            "moltipedia_daily_policy_fix_cap",
            -1,
            "governance.moltipedia_daily_policy_fix_cap",
        ),
        ("governance", "security_enabled", True, "governance.security_enabled"),
    ],
)
def test_bad_keys_are_named(
    tmp_path: Path, section: str, key: str, value: Any, message: str
) -> None:
    data = yaml.safe_load(seeded(tmp_path).read_text())
    data[section][key] = value
    with pytest.raises(ScenarioError) as e:
        swarm_fast.Scenario(data)
    assert e.value.key == message


def test_network_is_refused_with_the_wiki(tmp_path: Path) -> None:
    data = yaml.safe_load(seeded(tmp_path).read_text())
    data["network"] = {"topology": "ring"}
    with pytest.raises(ScenarioError) as e:
        swarm_fast.Scenario(data)
    assert e.value.key == "network"


def test_exports_name_the_wiki_parties(tmp_path: Path, capsys) -> None:
    """`swarm-fast run --out/--export-json/--export-csv` write the wiki's
    interactions; its parties appear by name in the reference's event log."""
    from swarm_fast import cli

    path, out = seeded(tmp_path), tmp_path / "out"
    args = ["run", str(path), "--epochs", "2", "--steps", "3", "-q", "--out", str(out)]
    args += ["--export-json", str(tmp_path / "run.json"), "--export-csv", str(tmp_path / "csv")]
    assert cli.main(args) == 0
    capsys.readouterr()
    events = (tmp_path / "run.json").read_text()
    assert "catalog_seed" in events and '"moltipedia"' in events
    assert any((tmp_path / "csv").iterdir())
