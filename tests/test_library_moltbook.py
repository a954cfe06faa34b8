"""The `moltbook` subsystem (issue 17 item 5): what swarm_fast runs of it,
live against swarm-safety 1.9.0, and what it refuses.

Without moltbook agents the subsystem is inert in the reference
(python/swarm_fast/moltbook.py says why): swarm_fast checks the section and
the ``governance.moltbook_*`` levers and drops them. The parity cases are
the reference's three moltbook files with the moltbook section and both
moltbook levers on, run with the agents and features swarm_fast has (the
moltbook agent types replaced by core ones; libel_cascade's scale-free
network replaced), at several seeds and parameter values, compared with
exact float equality.

The moltbook agent types stay refused, and the first test shows the
reference's reason: its runs of its own moltbook file do not repeat.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

import swarm_fast
from swarm_fast import ScenarioError, load_scenario

from parity_check import assert_same
from reference_harness import run_reference

LIBRARY = Path(__file__).parent / "scenarios" / "library"
MOLTBOOK_TYPES = ("diligent_moltbook", "spam_bot", "human_pretender", "collusive_voter")
# A core stand-in for each moltbook type, of the same reference AgentType.
STAND_IN = {
    "diligent_moltbook": "honest",
    "spam_bot": "adversarial",
    "human_pretender": "opportunistic",
    "collusive_voter": "deceptive",
}


def data(name: str) -> dict[str, Any]:
    return yaml.safe_load((LIBRARY / f"{name}.yaml").read_text())


def without_moltbook_agents(d: dict[str, Any]) -> dict[str, Any]:
    """The file with each moltbook agent replaced by its core stand-in (its
    ``partner_id`` config dropped); everything else, the moltbook section
    and levers included, unchanged."""
    d = copy.deepcopy(d)
    for spec in d["agents"]:
        if spec["type"] in STAND_IN:
            spec["type"] = STAND_IN[spec["type"]]
            spec.pop("config", None)
    d.pop("outputs", None)
    return d


def set_key(d: dict[str, Any], dotted: str, value: Any) -> None:
    *path, last = dotted.split(".")
    for part in path:
        d = d[int(part)] if isinstance(d, list) else d.setdefault(part, {})
    d[last] = value


def both(d: dict[str, Any], **run_args: Any):
    ours = swarm_fast.run(load_scenario(d), record_interactions=True, **run_args)
    return ours, run_reference(d, **run_args)


def assert_moltbook_on(d: dict[str, Any]) -> None:
    """The case really has the subsystem on, in both implementations' input."""
    assert d["moltbook"]["enabled"] is True
    assert d["governance"]["moltbook_rate_limit_enabled"] is True


def test_reference_does_not_repeat_its_moltbook_file() -> None:
    """Why the moltbook agent types stay refused: the reference's handler
    seeds its generator from OS entropy without ``moltbook.seed``, so two of
    its runs of moltbook_captcha at one seed give different p values."""
    first = run_reference(LIBRARY / "moltbook_captcha.yaml", seed=42, epochs=2, steps=4)
    second = run_reference(LIBRARY / "moltbook_captcha.yaml", seed=42, epochs=2, steps=4)
    assert first.interactions.height == second.interactions.height > 0
    assert first.interactions["p"].to_list() != second.interactions["p"].to_list()


@pytest.mark.parametrize("kind", MOLTBOOK_TYPES)
def test_moltbook_agent_types_are_refused(kind: str) -> None:
    d = {"agents": [{"type": "honest"}, {"type": kind}], "moltbook": {"enabled": True}}
    with pytest.raises(ScenarioError, match=r"agents\[1\]\.type") as err:
        load_scenario(d)
    assert "moltbook.seed" in str(err.value) and "OS entropy" in str(err.value)


@pytest.mark.parametrize("name", ["moltbook_captcha", "casestudy_dual_use_coordination"])
def test_library_files_are_refused_for_their_agents(name: str) -> None:
    with pytest.raises(ScenarioError, match=r"agents\[0\]\.type.*moltbook subsystem"):
        load_scenario(LIBRARY / f"{name}.yaml")


@pytest.mark.parametrize("seed", [42, 7, 2024])
def test_captcha_with_core_agents(seed: int) -> None:
    """moltbook_captcha (catalog-seeded feed, strict rate limits, CAPTCHA
    challenges, collusion detection) with core agents."""
    d = without_moltbook_agents(data("moltbook_captcha"))
    assert_moltbook_on(d)
    assert_same(*both(d, seed=seed, epochs=8, steps=10))


@pytest.mark.parametrize(
    "overrides",
    [
        # More agents, another submolt, an explicit handler seed.
        {"agents.0.count": 12, "moltbook.default_submolt": "x", "moltbook.seed": 5},
        # No catalog posts; the levers at other values.
        {
            "moltbook.seed_mode": "none",
            "governance.moltbook_post_cooldown_steps": 0,
            "governance.moltbook_challenge_difficulty": 1.0,
            "governance.moltbook_challenge_window_steps": 0,
        },
        # The levers alone, without the section.
        {"moltbook.enabled": False},
    ],
)
def test_captcha_variants(overrides: dict[str, Any]) -> None:
    d = without_moltbook_agents(data("moltbook_captcha"))
    for key, value in overrides.items():
        set_key(d, key, value)
    assert_same(*both(d, seed=11, epochs=6, steps=8))


@pytest.mark.parametrize("seed", [42, 99])
@pytest.mark.parametrize("topology", ["small_world", "random_erdos_renyi"])
def test_libel_cascade_other_network(seed: int, topology: str) -> None:
    """casestudy_libel_cascade has no moltbook agents: only its scale-free
    network keeps the file itself out (the topology is not ported)."""
    d = data("casestudy_libel_cascade")
    d.pop("outputs")
    d["network"]["topology"] = topology
    d["network"]["params"] = {"k": 4, "p": 0.2} if topology == "small_world" else {}
    d["governance"]["moltbook_challenge_enabled"] = True
    assert_moltbook_on(d)
    assert_same(*both(d, seed=seed, epochs=10, steps=10))


@pytest.mark.parametrize("seed,epochs", [(42, 25), (3, 12)])
def test_dual_use_coordination_with_core_agents(seed: int, epochs: int) -> None:
    """casestudy_dual_use_coordination (moltbook section and levers,
    security, collusion, partition, signal corruption and shocks) with core
    agents; its parameter shock keeps only the parameter swarm_fast shocks
    (collusion thresholds are not shockable in swarm_fast)."""
    d = without_moltbook_agents(data("casestudy_dual_use_coordination"))
    d["perturbations"]["parameter_shocks"]["shocks"][0]["params"] = {"audit_probability": 0.2}
    assert_moltbook_on(d)
    assert_same(*both(d, seed=seed, epochs=epochs, steps=10))


def test_libel_cascade_file_is_refused_for_its_network() -> None:
    with pytest.raises(ScenarioError, match=r"network\.topology.*scale_free"):
        load_scenario(LIBRARY / "casestudy_libel_cascade.yaml")


@pytest.mark.parametrize(
    "key,value",
    [
        ("moltbook.seed_mode", "random"),
        ("moltbook.initial_posts", -1),
        ("moltbook.max_content_length", 0),
        ("moltbook.default_submolt", 3),
        ("moltbook.seed", "a"),
        ("moltbook.enabled", "yes"),
        ("governance.moltbook_post_cooldown_steps", -1),
        ("governance.moltbook_daily_comment_cap", 1.5),
        ("governance.moltbook_challenge_difficulty", 1.5),
        ("governance.moltbook_challenge_window_steps", -2),
        ("governance.moltbook_rate_limit_enabled", "on"),
    ],
)
def test_bad_moltbook_values_name_the_key(key: str, value: Any) -> None:
    d = without_moltbook_agents(data("moltbook_captcha"))
    set_key(d, key, value)
    with pytest.raises(ScenarioError, match=key.replace(".", r"\.")):
        load_scenario(d)


def test_misspelt_moltbook_key_warns() -> None:
    d = without_moltbook_agents(data("moltbook_captcha"))
    d["moltbook"]["initial_post"] = 3
    with pytest.warns(swarm_fast.ScenarioWarning, match=r"moltbook\.initial_post"):
        load_scenario(d)
