"""The `moltbook` subsystem (issue 17 item 5): what swarm_fast runs of it,
live against swarm-safety 1.9.0, and what it refuses.

Without moltbook agents the subsystem is inert in the reference
(python/swarm_fast/moltbook.py says why): swarm_fast checks the section and
the ``governance.moltbook_*`` levers and drops them. The parity cases are
the reference's three moltbook files with the moltbook section and both
moltbook levers on, run with the agents and features swarm_fast has (the
moltbook agent types replaced by core ones; libel_cascade also on other
networks), at several seeds and parameter values, compared with
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


def seeded(name: str, seed: int = 7) -> dict[str, Any]:
    """The file with ``moltbook.seed`` set and the levers that are not run
    beside moltbook agents switched off."""
    d = data(name)
    d.pop("outputs", None)
    d["moltbook"]["seed"] = seed
    d["governance"]["collusion_detection_enabled"] = False
    return d


def test_unseeded_moltbook_agents_are_refused() -> None:
    """The library files as written: no moltbook.seed."""
    with pytest.raises(ScenarioError, match=r"moltbook\.seed.*OS entropy"):
        load_scenario(LIBRARY / "moltbook_captcha.yaml")


@pytest.mark.parametrize("seed", [42, 7, 2024])
def test_captcha_seeded(seed: int) -> None:
    """moltbook_captcha with a handler seed (collusion detection off):
    CAPTCHA challenges, strict rate limits, the four moltbook agent types."""
    d = seeded("moltbook_captcha")
    ours, ref = both(d, seed=seed, epochs=8, steps=10)
    assert_same(ours, ref)
    kinds = set(ours.interactions["interaction_type"])
    assert {"collaboration", "vote"} <= kinds
    assert "moltbook" in set(ours.interactions["counterparty"])


@pytest.mark.parametrize(
    "overrides",
    [
        {"governance.moltbook_challenge_enabled": False},
        {"governance.moltbook_rate_limit_enabled": False, "moltbook.seed": 3},
        {
            "governance.moltbook_challenge_window_steps": 0,
            "governance.moltbook_post_cooldown_steps": 0,
        },
        # Challenges that outlive the epoch (its step index restarts).
        {"governance.moltbook_challenge_window_steps": 12},
        {"moltbook.seed_mode": "none"},
        {"moltbook.initial_posts": 3, "governance.moltbook_daily_comment_cap": 2},
        {"moltbook.initial_posts": 40, "governance.moltbook_request_cap_per_step": 0},
        # More agents; voters whose partner is no agent.
        {"agents.0.count": 9, "agents.1.count": 5, "agents.2.count": 4, "moltbook.seed": 99},
        {"agents.3.config.partner_id": "nobody", "moltbook.seed": -5},
        # Core agents beside them (their proposals to moltbook agents are refused).
        {"agents.4.type": "honest", "agents.4.count": 3, "agents.4.config": {}},
        {
            "agents.1.type": "deceptive",
            "agents.1.count": 3,
            "governance.reputation_decay_rate": 0.9,
        },
    ],
)
def test_captcha_seeded_variants(overrides: dict[str, Any]) -> None:
    d = seeded("moltbook_captcha")
    for key, value in overrides.items():
        set_key(d, key, value)
    assert_same(*both(d, seed=5, epochs=6, steps=10))


@pytest.mark.parametrize("mode", ["catalog", "none"])
def test_collusive_voter_partnered_with_the_catalogs_author(mode: str) -> None:
    """A ``partner_id`` naming the catalog's author (``seed_bot``): the
    reference matches it against each listed post's author, so the voter
    upvotes catalog posts and its interactions name ``seed_bot``; without
    catalog posts it only posts."""
    d = seeded("moltbook_captcha")
    set_key(d, "agents.3.config.partner_id", "seed_bot")
    d["moltbook"]["seed_mode"] = mode
    ours, ref = both(d, seed=5, epochs=6, steps=10)
    assert_same(ours, ref)
    votes = ours.interactions.filter(ours.interactions["counterparty"] == "seed_bot")
    assert (votes.height > 0) == (mode == "catalog")
    assert set(votes["interaction_type"]) <= {"vote"}


def test_platform_parties_are_the_traces_pseudo_parties() -> None:
    """moltbook's counterparties that are no agent (the platform and the
    catalog's author) are the trace's pseudo-parties, numbered after the
    agents as every handler subsystem's (results.party_ids): the frame
    names each code by that list."""
    d = seeded("moltbook_captcha")
    set_key(d, "agents.3.config.partner_id", "seed_bot")
    r = swarm_fast.run(load_scenario(d), seed=5, epochs=4, steps=10, record_interactions=True)
    trace = r._raw["interactions"]
    assert trace["pseudo_parties"] == ["moltbook", "seed_bot"]
    names = [*r.agents["agent_id"], *trace["pseudo_parties"]]
    codes = trace["counterparty"].tolist()
    assert r.interactions["counterparty"].to_list() == [names[c] for c in codes]
    assert {names[c] for c in codes if c >= r.agents.height} == {"moltbook", "seed_bot"}


def test_dual_use_agents_seeded() -> None:
    """casestudy_dual_use_coordination's population (moltbook, honest and
    adaptive agents) and payoff, with a handler seed and without the levers
    and subsystems that are not run beside moltbook agents."""
    d = seeded("casestudy_dual_use_coordination", seed=11)
    for key in ("network", "perturbations"):
        d.pop(key)
    gov = d["governance"]
    for key in ("circuit_breaker_enabled", "audit_enabled", "security_enabled"):
        gov[key] = False
    gov["transaction_tax_rate"] = 0.0
    assert_same(*both(d, seed=42, epochs=12, steps=10))


@pytest.mark.parametrize(
    "key,value",
    [
        ("governance.collusion_detection_enabled", True),
        ("governance.audit_enabled", True),
        ("governance.transaction_tax_rate", 0.1),
        ("governance.security_enabled", True),
        ("network", {"topology": "ring"}),
        ("perturbations", {"seed": 1, "resource_shock": {"enabled": True, "at_epoch": 1}}),
    ],
)
def test_levers_beside_moltbook_agents_are_refused(key: str, value: Any) -> None:
    d = seeded("moltbook_captcha")
    set_key(d, key, value)
    with pytest.raises(ScenarioError, match=key.replace(".", r"\.") + ".*moltbook"):
        load_scenario(d)


def test_moltbook_agents_without_the_section_do_nothing() -> None:
    """As in the reference (no handler takes their actions): no interaction
    of theirs, and the core agents' run unchanged."""
    d = seeded("moltbook_captcha")
    d["moltbook"]["enabled"] = False
    set_key(d, "agents.4.type", "honest")
    set_key(d, "agents.4.count", 3)
    ours, ref = both(d, seed=5, epochs=4, steps=6)
    assert_same(ours, ref)
    assert set(ours.interactions["initiator"]) <= {"honest_1", "honest_2", "honest_3"}


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
    """casestudy_libel_cascade (no moltbook agents) on other topologies;
    the file itself runs in tests/test_library_network.py."""
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
    agents; its parameter shock as in the file (test_library_shocks.py)."""
    d = without_moltbook_agents(data("casestudy_dual_use_coordination"))
    assert_moltbook_on(d)
    assert_same(*both(d, seed=seed, epochs=epochs, steps=10))


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


def test_reference_exports_of_moltbook_runs_are_refused(tmp_path: Path, capsys) -> None:
    """The CLI's --export-json/--export-csv (the reference's exports) do not
    cover the handler's platform counterparty: a clear error, not a crash."""
    from swarm_fast import cli

    path = tmp_path / "captcha.yaml"
    path.write_text(yaml.safe_dump(seeded("moltbook_captcha")))
    code = cli.main(
        ["run", str(path), "--epochs", "2", "-q", "--export-json", str(tmp_path / "x.json")]
    )
    assert code != 0
    assert "exports of runs with moltbook agents" in capsys.readouterr().err
