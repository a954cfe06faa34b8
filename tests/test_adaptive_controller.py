"""The corrected model's ``adaptive_controller`` switch (docs/corrected-model.md):
the reference's adaptive governance controller, which its loader never lets
a scenario file switch on (G9), runs from the scenario's keys.

The port is checked live against swarm-safety 1.9.0 with the controller
wired in by hand (its orchestrator registers it exactly so when
``adaptive_controller_enabled`` is set on the config object): the same
interactions, epochs and agents to the last bit."""

from __future__ import annotations

import warnings

import pytest

import swarm_fast
from swarm_fast import ScenarioError, ScenarioWarning, bundled_scenarios, load_scenario
from swarm_fast.unread_keys import ADAPTIVE_CONTROLLER_KEYS, unread_keys

from parity_check import assert_same
from reference_harness import _load, run_reference

# A short window so the controller acts within 20 epochs.
FAST = {
    "adaptive_controller_enabled": True,
    "adaptive_controller_evidence_window": 8,
    "adaptive_controller_min_evidence_epochs": 4,
    "adaptive_controller_contemplation_interval": 2,
    "adaptive_controller_require_human_review": False,
}
ON = {"model": {"adaptive_controller": True}}


def _gov(keys: dict) -> dict:
    return {f"governance.{k}": v for k, v in keys.items()}


def _wire_reference_controller(keys: dict):
    """``prepare`` for the reference harness: set the keys on the live
    governance config and register the controller as the orchestrator's
    constructor does when the flag is set."""

    def prepare(orch) -> None:
        from swarm.governance.adaptive_controller import AdaptiveGovernanceController

        cfg = orch.config.governance_config
        for key, value in keys.items():
            setattr(cfg, key, value)
        assert orch._adaptive_controller is None  # the loader never enabled it
        ctrl = AdaptiveGovernanceController(
            governance_engine=orch.governance_engine,
            event_bus=orch._event_bus,
            config=cfg,
            seed=orch.config.seed,
        )
        orch._on_epoch_end.append(ctrl.on_epoch_end)
        prepare.controller = ctrl

    return prepare


def _ours(name: str, keys: dict, seed: int, **kw):
    sc = load_scenario(name).with_overrides({**ON, **_gov(keys)})
    return swarm_fast.run(sc, seed=seed, epochs=20, steps=15, record_interactions=True, **kw)


@pytest.mark.parametrize(
    ("name", "seed"),
    [("adversarial_redteam", 0), ("adversarial_redteam", 3), ("misalignment_sweep", 1)],
)
def test_controller_matches_the_reference_controller_live(name: str, seed: int) -> None:
    prepare = _wire_reference_controller(FAST)
    ref = run_reference(bundled_scenarios()[name], seed=seed, epochs=20, steps=15, prepare=prepare)
    history = prepare.controller.get_proposal_history()
    assert history, "a case where the controller never proposes proves little"
    ours = _ours(name, FAST, seed)
    assert_same(ours, ref)
    # And the controller did change the run: without it, the run differs.
    plain = swarm_fast.run(name, seed=seed, epochs=20, steps=15, record_interactions=True)
    assert not plain.interactions.equals(ours.interactions)


def test_adaptive_governance_file_matches_the_reference_with_its_own_keys() -> None:
    """The file's own keys (window 20, every 5 epochs, 10 of evidence) at
    its own 30 x 10: the reference controller, wired in, gives the same
    run as the switch."""
    path = bundled_scenarios()["adaptive_governance"]
    raw = load_scenario(path).raw["governance"]
    keys = {k: raw[k] for k in ADAPTIVE_CONTROLLER_KEYS if k in raw}
    assert keys["adaptive_controller_enabled"] is True
    for seed in (42, 123):
        ref = run_reference(path, seed=seed, prepare=_wire_reference_controller(keys))
        sc = load_scenario(path).with_overrides(ON)
        assert_same(swarm_fast.run(sc, seed=seed, record_interactions=True), ref)


def test_switch_off_or_controller_disabled_is_the_reference() -> None:
    base = load_scenario("adversarial_redteam").with_overrides(_gov(FAST) | ON)
    on = swarm_fast.run(base, seed=0, epochs=20, steps=15)
    disabled = base.with_overrides({"governance.adaptive_controller_enabled": False})
    plain = swarm_fast.run("adversarial_redteam", seed=0, epochs=20, steps=15)
    assert not on.epochs.equals(plain.epochs)
    assert swarm_fast.run(disabled, seed=0, epochs=20, steps=15).epochs.equals(plain.epochs)
    assert "adaptive_controller" not in load_scenario("adversarial_redteam").config["governance"]


def test_keys_warn_unless_the_switch_reads_them(tmp_path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(
        "agents: [{type: honest, count: 2}]\n"
        "governance:\n  adaptive_controller_enabled: true\n  moderator_enabled: true\n"
    )
    with pytest.warns(ScenarioWarning) as record:
        load_scenario(f)
    text = str(record[0].message)
    assert "adaptive_controller_enabled: ignored, the reference's loader never reads it" in text
    assert "model: {adaptive_controller: true}" in text
    assert "moderator_enabled: ignored" in text and "moderator lever" in text
    f.write_text(f.read_text() + "model: corrected\n")
    with pytest.warns(ScenarioWarning) as record:
        sc = load_scenario(f)
    text = str(record[0].message)
    assert "adaptive_controller_enabled" not in text and "moderator_enabled" in text
    assert sc.config["governance"]["adaptive_controller"]["evidence_window"] == 20


def test_an_override_of_an_unread_key_without_the_switch_is_an_error() -> None:
    with pytest.raises(ScenarioError, match="set by an override but the reference's loader"):
        load_scenario("baseline").with_overrides(
            {"governance.adaptive_controller_evidence_window": 5}
        )
    base = load_scenario("baseline")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScenarioWarning)
        sc = base.with_overrides({**ON, "governance.adaptive_controller_evidence_window": 5})
    assert sc.config["governance"]["adaptive_controller"] is None  # not enabled


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("adaptive_controller_evidence_window", 0),
        ("adaptive_controller_confidence_threshold", 1.5),
        ("adaptive_controller_max_degradation_tolerance", -0.1),
        ("adaptive_controller_require_human_review", "no"),
    ],
)
def test_bad_controller_keys_name_the_key(key: str, value) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario("baseline").with_overrides(
            {**ON, "governance.adaptive_controller_enabled": True, f"governance.{key}": value}
        )
    assert err.value.key == f"governance.{key}"


def test_there_are_46_unread_keys() -> None:
    keys = unread_keys()
    assert len(keys) == 46
    assert sum(1 for _, switch in keys.values() if switch == "adaptive_controller") == 9


def test_the_unread_keys_are_real_fields_the_reference_loader_ignores() -> None:
    """Live: each key is a field of swarm-safety's GovernanceConfig, and a
    scenario file that sets it (to a value other than the default) leaves
    the loaded config at the default."""
    from swarm.governance.config import GovernanceConfig

    defaults = GovernanceConfig()
    gov = {}
    for key in unread_keys():
        assert key in GovernanceConfig.model_fields, key
        d = getattr(defaults, key)
        gov[key] = (not d) if isinstance(d, bool) else d + 1 if isinstance(d, int) else d * 0.5
    loaded = _load({"agents": [{"type": "honest", "count": 2}], "governance": gov}, None)
    cfg = loaded.orchestrator_config.governance_config
    for key in gov:
        assert getattr(cfg, key) == getattr(defaults, key), key
