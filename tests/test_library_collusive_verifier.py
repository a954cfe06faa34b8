"""Live parity for the `collusive_verifier` agent family (issue 17): the
reference's research_swarm file (which also runs the sybil lever, the
perturbation engine's shocks and dropout) and variants of it and of other
files (other seeds, more verifiers, mixed with other families), each run by
swarm_fast and by swarm-safety 1.9.0 side by side and compared with exact
float equality. Then the checks on its config keys.

Without the memory-tiers subsystem the verifier never acts and accepts
every proposal: what these runs check is that it registers as deceptive
(observables, dropout, targeting by the other agents), draws nothing, and
answers every proposal yes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import swarm_fast
from swarm_fast import ScenarioError, load_scenario

from parity_check import assert_same, run_both
from reference_harness import run_reference

LIBRARY = Path(__file__).parent / "scenarios" / "library"
FILE = LIBRARY / "research_swarm.yaml"


def test_library_file() -> None:
    """The file at its own seed, epochs and steps (20 x 15)."""
    assert_same(*run_both(FILE))


@pytest.mark.parametrize("seed", [7, 2024, 31337])
def test_library_file_other_seeds(seed: int) -> None:
    assert_same(*run_both(FILE, seed=seed, epochs=12, steps=10))


@pytest.mark.parametrize(
    "overrides",
    [
        # More verifiers, fewer honest agents: more proposals reach them.
        {"agents.4.count": 6, "agents.0.count": 3},
        # A partner set (read only by the memory branches).
        {"agents.4.config": {"partner_id": "collusive_verifier_2"}},
        # No dropout, no shocks: every verifier present every step.
        {"perturbations": None, "agents.3.count": 4},
        # A network and a random schedule.
        {
            "network": {"topology": "small_world", "params": {"k": 4, "p": 0.2}},
            "simulation.schedule_mode": "random",
        },
        # Without the sybil lever.
        {"governance.sybil_detection_enabled": False},
        # Other families around them.
        {"agents.0.type": "ldt", "agents.2.type": "obfuscating", "agents.2.count": 3},
    ],
)
@pytest.mark.parametrize("seed", [5, 77])
def test_variants(overrides: dict, seed: int) -> None:
    assert_same(*run_both(FILE, overrides, seed=seed, epochs=10, steps=8))


@pytest.mark.parametrize("seed", [1, 42])
def test_verifiers_in_the_baseline(seed: int) -> None:
    """Verifiers among the paper's scripted agents, the audit on."""
    data = {
        "simulation": {"seed": seed, "n_epochs": 10, "steps_per_epoch": 10},
        "agents": [
            {"type": "honest", "count": 3},
            {"type": "collusive_verifier", "count": 3},
            {"type": "opportunistic", "count": 1},
            {"type": "deceptive", "count": 1},
            {"type": "adversarial", "count": 1},
        ],
        "governance": {"audit_enabled": True, "audit_probability": 0.2},
    }
    ours = swarm_fast.run(load_scenario(data), record_interactions=True)
    assert_same(ours, run_reference(data))


def test_verifier_never_initiates_and_always_accepts() -> None:
    sc = load_scenario(FILE)
    r = swarm_fast.run(sc, seed=3, epochs=8, steps=8, record_interactions=True)
    inter = r.interactions
    assert inter.filter(inter["initiator"].str.starts_with("collusive_verifier")).height == 0
    received = inter.filter(inter["counterparty"].str.starts_with("collusive_verifier"))
    assert received.height > 0 and received["accepted"].all()
    agents = r.agents.filter(r.agents["agent_id"].str.starts_with("collusive_verifier"))
    assert set(agents["agent_type"]) == {"deceptive"}


def test_bad_partner_id_names_the_key() -> None:
    data = {
        "simulation": {"seed": 1},
        "agents": [{"type": "collusive_verifier", "count": 2, "config": {"partner_id": 3}}],
    }
    with pytest.raises(ScenarioError, match=r"agents\[0\]\.config\.partner_id: expected a string"):
        load_scenario(data)
