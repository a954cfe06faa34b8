"""Live parity for the `memory_tiers:` subsystem (issue 17 item 5): the
reference's scenario file and variants (other seeds, other memory and lever
parameters, more agents, core agents beside the memory-tier ones), each run
by swarm_fast and by swarm-safety 1.9.0 side by side and compared with
exact float equality: every interaction (the writes, with their
pseudo-counterparty ``memory_system``), every epoch row, every agent's final
state and the summary. The subsystem records nothing of its own in the
reference's EpochMetrics, so that is all there is to compare. Then the
checks on the section's keys and the combinations still refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import swarm_fast
from swarm_fast import ScenarioError, load_scenario

from parity_check import assert_same, run_both

LIBRARY = Path(__file__).parent / "scenarios" / "library"
FILE = LIBRARY / "memory_tiers.yaml"


def both(path: Path = FILE, overrides: dict | None = None, **run_args: Any):
    return run_both(path, overrides, **run_args)


def with_core_agents(tmp_path: Path, extra: dict | None = None) -> Path:
    """The file with core agents beside the memory-tier ones: they propose
    to them (the poisoner rejects, the others accept), and every answer's
    observation draws a compaction test."""
    data = yaml.safe_load(FILE.read_text())
    data["agents"] += [
        {"type": "honest", "count": 3},
        {"type": "opportunistic", "count": 2},
        {"type": "adversarial", "count": 1},
        {"type": "deceptive", "count": 1},
    ]
    for key, value in (extra or {}).items():
        node = data
        *path, last = key.split(".")
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    out = tmp_path / "memory_tiers_mixed.yaml"
    out.write_text(yaml.safe_dump(data))
    return out


def test_memory_tiers_file() -> None:
    """The file as written (20 epochs x 10 steps, seed 42): only writes,
    all with the memory system."""
    ours, ref = both()
    assert_same(ours, ref)
    assert set(ours.interactions["counterparty"]) == {"memory_system"}


@pytest.mark.parametrize("seed", [7, 2024])
@pytest.mark.parametrize(
    "overrides",
    [
        None,
        # More agents of each kind, another memory seed, more compaction.
        {
            "agents.0.count": 6,
            "agents.1.count": 3,
            "agents.3.count": 3,
            "memory_tiers.seed": 7,
            "memory_tiers.compaction_probability": 0.6,
        },
        # The rate lever charging past a cap of 3 writes an epoch.
        {
            "governance.memory_write_rate_limit_per_epoch": 3,
            "agents.0.config.write_probability": 0.9,
        },
        # No initial entries, a tiny hot cache, and the lever off.
        {
            "memory_tiers.initial_entries": 0,
            "memory_tiers.hot_cache_size": 1,
            "governance.memory_write_rate_limit_enabled": False,
        },
        # A breaker that freezes the poisoners, and audits drawing on writes.
        {
            "governance.freeze_threshold_toxicity": 0.4,
            "governance.freeze_threshold_violations": 2,
            "governance.audit_enabled": True,
            "governance.audit_probability": 0.3,
            "governance.transaction_tax_rate": 0.1,
        },
    ],
)
def test_memory_tiers_variants(seed: int, overrides: dict | None) -> None:
    assert_same(*both(FILE, overrides, seed=seed, epochs=6, steps=10))


def test_write_budget_runs_out() -> None:
    """25 steps an epoch: the flooders exhaust the handler's budget of 20
    writes an epoch, whatever the lever's cap, and idle until the next."""
    ours, ref = both(FILE, {"governance.memory_write_rate_limit_per_epoch": 15}, epochs=3, steps=25)
    assert_same(ours, ref)
    per_epoch = ours.interactions.filter(initiator="cache_gamer_1").group_by("epoch").len()
    assert per_epoch["len"].to_list() == [20, 20, 20]
    assert (ours.interactions["c_a"] == 1.0).sum() > 0


@pytest.mark.parametrize("seed", [3, 42])
@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"simulation.observation_noise_probability": 0.3, "simulation.observation_noise_std": 0.1},
        # Realtime collusion penalties at threshold 0: the memory system's
        # risk counts as 0, not the initiator's.
        {
            "governance.collusion_realtime_penalty": True,
            "governance.collusion_score_threshold": 0.0,
            "governance.collusion_min_interactions": 1,
        },
    ],
)
def test_memory_tiers_with_core_agents(tmp_path: Path, seed: int, extra: dict) -> None:
    ours, ref = both(with_core_agents(tmp_path, extra), seed=seed, epochs=5, steps=8)
    assert_same(ours, ref)
    assert ours.interactions.filter(counterparty="diligent_recorder_1").height > 0


def test_memory_agents_without_the_section(tmp_path: Path) -> None:
    """Without the subsystem the memory-tier agents' budget is 0: every
    turn is a noop, and they only answer proposals."""
    path = with_core_agents(tmp_path, {"memory_tiers.enabled": False})
    ours, ref = both(path, seed=5, epochs=4, steps=6)
    assert_same(ours, ref)
    assert "memory_system" not in set(ours.interactions["counterparty"])


@pytest.mark.parametrize(
    "key,value",
    [
        ("memory_tiers.initial_entries", -1),
        ("memory_tiers.hot_cache_size", 0),
        ("memory_tiers.compaction_probability", 1.5),
        ("memory_tiers.seed", "x"),
        ("memory_tiers.enabled", "on"),
        ("governance.memory_write_rate_limit_per_epoch", -2),
        ("agents.0.config.write_probability", "often"),
    ],
)
def test_bad_values_name_the_key(key: str, value: Any) -> None:
    named = key.replace("agents.0", "agents[0]")
    with pytest.raises(ScenarioError, match=named.replace(".", r"\.").replace("[", r"\[")):
        load_scenario(FILE).with_overrides({key: value})


def test_a_seed_is_required() -> None:
    data = yaml.safe_load(FILE.read_text())
    del data["memory_tiers"]["seed"]
    with pytest.raises(ScenarioError, match=r"memory_tiers\.seed.*OS entropy"):
        load_scenario(data)


@pytest.mark.parametrize(
    "key,value",
    [
        ("network.topology", "ring"),
        ("governance.security_enabled", True),
        ("governance.sybil_detection_enabled", True),
        ("marketplace.enabled", True),
    ],
)
def test_unchecked_combinations_are_refused(key: str, value: Any) -> None:
    with pytest.raises(ScenarioError, match="memory_tiers"):
        load_scenario(FILE).with_overrides({key: value})


def test_switched_off_section_changes_nothing() -> None:
    sc = load_scenario(FILE).with_overrides({"memory_tiers.enabled": False})
    result = swarm_fast.run(sc, epochs=2, steps=3, record_interactions=True)
    assert result.interactions.height == 0
