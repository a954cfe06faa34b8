"""The corrected model's switches (docs/corrected-model.md): each changes
what it should and nothing else; with every switch off a run is the
reference model's, bit for bit (the live parity suite covers the default
against swarm-safety itself)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

import swarm_fast
from swarm_fast import PAPER_SCENARIOS, ScenarioError, load_scenario
from swarm_fast.model import SWITCHES, describe, model_switches

RUN = {"epochs": 8, "steps": 10, "record_interactions": True}


def _run(sc, seed=7, **kw):
    return swarm_fast.run(sc, seed=seed, **{**RUN, **kw})


def _same(a, b) -> None:
    assert_frame_equal(a.epochs, b.epochs)
    assert_frame_equal(a.agents, b.agents)
    assert_frame_equal(a.interactions, b.interactions)


def _differs(a, b) -> bool:
    return not (a.interactions.equals(b.interactions) and a.agents.equals(b.agents))


def _only(name: str) -> dict:
    return {"model": {name: True}}


@pytest.mark.parametrize("name", PAPER_SCENARIOS)
def test_all_switches_off_is_the_reference_bit_for_bit(name: str) -> None:
    base = load_scenario(name)
    off = {k: False for k in SWITCHES}
    for model in ("reference", off, {"preset": "reference"}, {"preset": "corrected", **off}):
        sc = base.with_overrides({"model": model})
        assert "model" not in sc.config  # the core gets the reference's config
        _same(_run(base), _run(sc))


def _no_collusion_no_audit(sc):
    return sc.with_overrides(
        {
            "governance.collusion_detection_enabled": False,
            "governance.audit_enabled": False,
        }
    )


def test_tax_base_uses_the_payoffs_s_plus_and_s_minus() -> None:
    # strict_governance: s+ = 2.5, s- = 1.5, r = 0.1, split 0.6.
    base = _no_collusion_no_audit(load_scenario("strict_governance"))
    ref = _run(base)
    cor = _run(base.with_overrides(_only("tax_base_from_payoff")))
    assert _differs(ref, cor)
    r, split = 0.1, 0.6
    for res, (sp, sm) in ((ref, (2.0, 1.0)), (cor, (2.5, 1.5))):
        acc = res.interactions.filter(pl.col("accepted"))
        assert acc.height > 20
        for row in acc.iter_rows(named=True):
            p = row["p"]
            est = p * sp - (1.0 - p) * sm
            total = r * ((0.0 if 0.0 > est else est) + 0.0)
            assert row["c_a"] == 0.0 + total * split
            assert row["c_b"] == 0.0 + total * (1.0 - split)
    # With s+ = 2 and s- = 1 the corrected base is the reference's.
    two_one = base.with_overrides({"payoff.s_plus": 2.0, "payoff.s_minus": 1.0})
    _same(_run(two_one), _run(two_one.with_overrides(_only("tax_base_from_payoff"))))


def test_reputation_in_payoff_makes_w_rep_act() -> None:
    base = _no_collusion_no_audit(load_scenario("strict_governance"))  # w_rep = 1.5
    cfg = base.config["payoff"]
    cor = _run(base.with_overrides(_only("reputation_in_payoff")))
    ref = _run(base)
    assert _differs(ref, cor)
    for row in cor.interactions.iter_rows(named=True):
        p, c_a, c_b = row["p"], row["c_a"], row["c_b"]
        s = p * cfg["s_plus"] - (1.0 - p) * cfg["s_minus"]
        e = (1.0 - p) * cfg["h"]
        r_a = (p - 0.5) - c_a if row["accepted"] else 0.0
        pi_a = cfg["theta"] * s - 0.0 - c_a - cfg["rho_a"] * e + cfg["w_rep"] * r_a
        pi_b = (1.0 - cfg["theta"]) * s + 0.0 - c_b - cfg["rho_b"] * e + cfg["w_rep"] * 0.0
        assert row["payoff_initiator"] == pi_a
        assert row["payoff_counterparty"] == pi_b
    # w_rep = 0: the term vanishes and the run is the reference's.
    zero = base.with_overrides({"payoff.w_rep": 0.0})
    _same(_run(zero), _run(zero.with_overrides(_only("reputation_in_payoff"))))


def test_audit_once_skips_rejected_interactions_and_charges_once() -> None:
    base = load_scenario("strict_governance").with_overrides(
        {
            "governance.collusion_detection_enabled": False,
            "governance.transaction_tax_rate": 0.0,
            "governance.audit_probability": 1.0,
        }
    )
    ref = _run(base, seed=3)
    cor = _run(base.with_overrides(_only("audit_once")), seed=3)
    rej_ref = ref.interactions.filter(~pl.col("accepted"))
    rej_cor = cor.interactions.filter(~pl.col("accepted"))
    assert (rej_ref["c_a"] > 0).any()  # the reference charges rejected ones
    assert (rej_cor["c_a"] == 0).all()
    # Accepted ones are charged (q = 1: every accepted one is audited).
    acc = cor.interactions.filter(pl.col("accepted"))
    expected = [(0.6 - p) * 3.0 if p < 0.6 else 0.0 for p in acc["p"]]
    assert acc["c_a"].to_list() == expected
    # Audits off: nothing changes.
    off = base.with_overrides({"governance.audit_enabled": False})
    _same(_run(off), _run(off.with_overrides(_only("audit_once"))))


def test_audit_once_removes_the_second_reputation_charge() -> None:
    """One accepted, audited interaction: the reference lowers the
    initiator's reputation by pen twice (inside c_a and again), the
    corrected model once. Checked on final reputations: with only the
    initiators' gains (p - 0.5) - c_a summed, the corrected run matches."""
    base = load_scenario("strict_governance").with_overrides(
        {
            "governance.collusion_detection_enabled": False,
            "governance.transaction_tax_rate": 0.0,
            "governance.reputation_decay_rate": 1.0,
            "governance.audit_probability": 1.0,
            "governance.circuit_breaker_enabled": False,
            "governance.staking_enabled": False,
        }
    )
    cor = _run(base.with_overrides(_only("audit_once")), seed=5)
    ids = cor.agents["agent_id"].to_list()
    acc = cor.interactions.filter(pl.col("accepted"))
    gain = dict.fromkeys(ids, 0.0)
    for row in acc.iter_rows(named=True):
        gain[row["initiator"]] += (row["p"] - 0.5) - row["c_a"]
    rep = dict(zip(ids, cor.agents["reputation"].to_list()))
    for a in ids:
        assert rep[a] == pytest.approx(gain[a], abs=1e-9)


def test_collusion_benefit_switch_acts_only_through_the_detector() -> None:
    base = load_scenario("collusion_detection")
    ref = _run(base, epochs=20, steps=15)
    cor = _run(base.with_overrides(_only("collusion_benefit_transfers_only")), epochs=20, steps=15)
    assert _differs(ref, cor)
    off = base.with_overrides({"governance.collusion_detection_enabled": False})
    _same(_run(off), _run(off.with_overrides(_only("collusion_benefit_transfers_only"))))


def test_collusion_benefit_switch_spares_honest_pairs_in_the_red_team() -> None:
    """The defect: honest agents take most collusion penalties. Resources
    move only through collusion penalties here (no marketplace), so a
    resource below 100 marks an agent penalised at least once."""
    base = load_scenario("adversarial_redteam")

    def penalised(sc) -> tuple[int, int]:
        honest = other = 0
        for seed in range(10):
            a = _run(sc, seed=seed, epochs=20, steps=15, record_interactions=False).agents
            hit = a.filter(pl.col("resources") < 100.0)
            honest += hit.filter(pl.col("agent_type") == "honest").height
            other += hit.filter(pl.col("agent_type") != "honest").height
        return honest, other

    h_ref, _ = penalised(base)
    h_cor, _ = penalised(base.with_overrides(_only("collusion_benefit_transfers_only")))
    assert h_ref > 0
    assert h_cor < h_ref


def test_corrected_turns_every_switch_on_and_differs() -> None:
    preset = dict.fromkeys(SWITCHES, True)
    assert model_switches("corrected") == preset
    assert describe(preset) == "corrected"
    # transfers_in_payoff is in the preset (issue 18: one switch for all), and
    # the mapping form still turns it, or any other, back off.
    no_tau = model_switches({"preset": "corrected", "transfers_in_payoff": False})
    assert no_tau == {**preset, "transfers_in_payoff": False}
    assert describe(no_tau) == "+".join(k for k in SWITCHES if k != "transfers_in_payoff")
    sc = load_scenario("strict_governance").with_overrides({"model": "corrected"})
    assert sc.config["model"] == preset
    assert _differs(_run(load_scenario("strict_governance")), _run(sc))
    no_tau_sc = load_scenario("strict_governance").with_overrides(
        {"model": {"preset": "corrected", "transfers_in_payoff": False}}
    )
    assert _differs(_run(no_tau_sc), _run(sc))


@pytest.mark.parametrize(
    ("model", "key"),
    [
        ("fixed", "model"),
        (3, "model"),
        ({"preset": "best"}, "model.preset"),
        ({"audit_once": "yes"}, "model.audit_once"),
        ({"tax_base": True}, "model.tax_base"),
    ],
)
def test_bad_model_values_name_the_key(model, key) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario("baseline").with_overrides({"model": model})
    assert err.value.key == key


def test_override_of_a_misspelt_switch_is_refused() -> None:
    with pytest.raises(ScenarioError, match="did you mean model.audit_once"):
        load_scenario("baseline").with_overrides({"model.audit_onse": True})


def test_sweep_over_the_model() -> None:
    df = swarm_fast.sweep(
        "strict_governance", {"model": ["reference", "corrected"]}, seeds=[1, 2], epochs=5, steps=8
    )
    assert df.height == 4
    w = df.group_by("model", maintain_order=True).agg(pl.col("welfare").mean())
    assert not np.isclose(w["welfare"][0], w["welfare"][1])


# The transfers each policy's propose_interaction offers (reference values).
OFFERS = {
    "honest": {0.0},
    "opportunistic": {-0.5},
    "deceptive": {0.1, -0.5, 0.0},
    "adversarial": {-1.0, 0.0},
}


def _tau_of(row, cfg, tau_candidates) -> float:
    """The τ among the candidates that reproduces both payoffs exactly
    (π_a = θS − τ − c_a − ρ_a·E, π_b = (1−θ)S + τ − c_b − ρ_b·E)."""
    p = row["p"]
    s = p * cfg["s_plus"] - (1.0 - p) * cfg["s_minus"]
    e = (1.0 - p) * cfg["h"]
    found = [
        tau
        for tau in tau_candidates
        if row["payoff_initiator"]
        == cfg["theta"] * s - tau - row["c_a"] - cfg["rho_a"] * e + cfg["w_rep"] * 0.0
        and row["payoff_counterparty"]
        == (1.0 - cfg["theta"]) * s + tau - row["c_b"] - cfg["rho_b"] * e + cfg["w_rep"] * 0.0
    ]
    assert len(found) == 1, (row, found)
    return found[0]


# Every policy that offers a transfer, with votes and posts switched off so
# that deceptive agents initiate (with a vote budget they almost never do, Q14).
MIXED = {
    "agents": [
        {"type": "honest", "count": 2},
        {"type": "opportunistic", "count": 2},
        {"type": "deceptive", "count": 2},
        {"type": "adversarial", "count": 1},
    ],
    "rate_limits": {"votes_per_epoch": 0, "posts_per_epoch": 0},
    "governance": {"transaction_tax_rate": 0.1, "transaction_tax_split": 0.6},
}


def test_transfers_enter_payoffs_and_the_tax_base_as_the_formulas_say() -> None:
    """Each interaction's payoffs follow π with the τ its initiator's
    policy offers, and its tax is r·(max(2p − (1 − p), 0) + |τ|)."""
    base = load_scenario(MIXED)
    cfg = base.config["payoff"]
    r, split = 0.1, 0.6
    seen: dict[str, set] = {}
    for seed in range(3):
        res = _run(base.with_overrides(_only("transfers_in_payoff")), seed=seed)
        types = dict(zip(res.agents["agent_id"], res.agents["agent_type"]))
        for row in res.interactions.iter_rows(named=True):
            kind = types[row["initiator"]]
            tau = _tau_of(row, cfg, OFFERS[kind])
            seen.setdefault(kind, set()).add(tau)
            if row["accepted"]:
                est = row["p"] * 2.0 - (1.0 - row["p"]) * 1.0
                total = r * ((0.0 if 0.0 > est else est) + abs(tau))
                assert row["c_a"] == 0.0 + total * split
                assert row["c_b"] == 0.0 + total * (1.0 - split)
            else:
                assert row["c_a"] == row["c_b"] == 0.0
    # Every offer the policies make shows up.
    assert seen["opportunistic"] == {-0.5}
    assert seen["honest"] == {0.0}
    assert -1.0 in seen["adversarial"]
    assert 0.1 in seen["deceptive"]


def test_transfers_move_payoff_between_the_parties_not_welfare() -> None:
    """Without a tax, τ moves payoff from one party to the other: each
    accepted interaction's π_a + π_b equals the no-transfer value."""
    base = load_scenario("baseline")
    cfg = base.config["payoff"]
    res = _run(base.with_overrides(_only("transfers_in_payoff")), epochs=10, steps=10)
    acc = res.interactions.filter(pl.col("accepted"))
    moved = 0.0
    for row in acc.iter_rows(named=True):
        p = row["p"]
        s = p * cfg["s_plus"] - (1.0 - p) * cfg["s_minus"]
        e = (1.0 - p) * cfg["h"]
        pi_a0 = cfg["theta"] * s - 0.0 - row["c_a"] - cfg["rho_a"] * e
        pi_b0 = (1.0 - cfg["theta"]) * s + 0.0 - row["c_b"] - cfg["rho_b"] * e
        total = row["payoff_initiator"] + row["payoff_counterparty"]
        assert total == pytest.approx(pi_a0 + pi_b0, abs=1e-12)
        moved += abs(row["payoff_initiator"] - pi_a0)
    assert moved > 1.0  # transfers did flow


def test_opportunistic_agents_accept_every_paid_proposal() -> None:
    """The "accept if paid" rule: a deceptive agent's +0.1 goodwill
    proposals to an opportunistic agent are always accepted; in the
    reference τ = 0, the rule never fires and some are rejected."""
    base = load_scenario(MIXED)
    cfg = base.config["payoff"]

    def answers(sc, paid_only: bool) -> list[bool]:
        out = []
        for seed in range(5):
            res = _run(sc, seed=seed, epochs=10, steps=10)
            types = dict(zip(res.agents["agent_id"], res.agents["agent_type"]))
            for row in res.interactions.iter_rows(named=True):
                pair = (types[row["initiator"]], types[row["counterparty"]])
                if pair != ("deceptive", "opportunistic"):
                    continue
                if paid_only and _tau_of(row, cfg, OFFERS["deceptive"]) != 0.1:
                    continue
                out.append(row["accepted"])
        return out

    on = answers(base.with_overrides(_only("transfers_in_payoff")), paid_only=True)
    assert len(on) > 50 and all(on)
    ref = answers(base, paid_only=False)
    assert not all(ref)


def test_transfers_off_or_honest_only_is_the_reference() -> None:
    honest = {"agents": [{"type": "honest", "count": 4}], "simulation": {"seed": 1}}
    sc = load_scenario(honest)
    _same(_run(sc), _run(sc.with_overrides(_only("transfers_in_payoff"))))
