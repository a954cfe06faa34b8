"""Live parity for the `scholar` subsystem (issue 17): collaborative_chemistry
and the reference's scholar_bench files, run by swarm_fast and by
swarm-safety 1.9.0 side by side and compared with exact float equality.

With the section on, the handler turns retrievals, the run's one synthesis
and citation checks into interactions with the parties `corpus`,
`synthesis_engine` and `verification_oracle` (rust/swarm-core/src/scholar.rs).
With it off the scholar agents see no query: a NOOP every turn, proposals
answered by trust. Both are compared, on the files, other seeds and
variants of our own; then the checks on the section's keys and what the
handler refuses to run with.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml
from test_export_parity import _reference_export, assert_same_exports

import swarm_fast
from swarm_fast import ScenarioError, cli, load_scenario

from parity_check import assert_same
from reference_harness import run_reference

LIBRARY = Path(__file__).parent / "scenarios" / "library"
CHEMISTRY = LIBRARY / "collaborative_chemistry.yaml"
BENCH = LIBRARY / "scholar_bench"
SCHOLAR_TYPES = (
    "retriever",
    "synthesizer",
    "verifier",
    "adversarial_retriever",
    "adversarial_synthesizer",
)


def data_of(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    data.pop("outputs", None)
    return data


def scholar_off(data: dict[str, Any]) -> None:
    data["scholar"]["enabled"] = False


def both(
    path: Path, change: Callable[[dict[str, Any]], None] | None = None, **run_args: Any
) -> tuple[Any, Any]:
    """The file, changed in place by ``change``, run by swarm_fast (its
    trace kept) and by the reference."""
    data = data_of(path)
    if change is not None:
        change(data)
    ours = swarm_fast.run(load_scenario(copy.deepcopy(data)), record_interactions=True, **run_args)
    return ours, run_reference(data, **run_args)


# ------------------------------------------------------ collaborative_chemistry


PARTIES = ["corpus", "synthesis_engine", "verification_oracle"]


def handler_rows(result) -> dict[str, int]:
    inter = result.interactions
    rows = inter.filter(inter["counterparty"].is_in(PARTIES)).group_by("counterparty").len()
    return dict(rows.iter_rows())


@pytest.mark.parametrize("seed", [None, 7, 2024])
def test_chemistry_file(seed: int | None) -> None:
    """The file as written (15 x 12): a retrieval every epoch, the run's
    one synthesis and its citation's check, among the opportunists' trades
    with the scholars, under tax, staking, breaker, audits and collusion
    detection."""
    run_args = {} if seed is None else {"seed": seed}
    ours, ref = both(CHEMISTRY, **run_args)
    assert_same(ours, ref)
    assert handler_rows(ours) == {"corpus": 15, "synthesis_engine": 1, "verification_oracle": 1}


def _top_k(data: dict[str, Any]) -> None:
    data["scholar"]["top_k"] = 2
    data["agents"][1]["count"] = 5


def _noise_and_random_order(data: dict[str, Any]) -> None:
    data["simulation"]["schedule_mode"] = "random"
    data["simulation"]["observation_noise_probability"] = 0.3
    data["simulation"]["observation_noise_std"] = 0.1


def _other_population(data: dict[str, Any]) -> None:
    data["scholar"]["entailment_threshold"] = 1.0
    data["agents"] = [
        {"type": "verifier", "count": 4},
        {"type": "retriever", "count": 2},
        {"type": "synthesizer", "count": 1},
        {"type": "honest", "count": 3},
        {"type": "adversarial", "count": 2},
    ]


def _strict_breaker_and_collusion(data: dict[str, Any]) -> None:
    gov = data["governance"]
    gov["freeze_threshold_toxicity"] = 0.2
    gov["freeze_threshold_violations"] = 1
    gov["collusion_score_threshold"] = 0.1
    gov["collusion_min_interactions"] = 2


def _defaults(data: dict[str, Any]) -> None:
    data["scholar"] = {"top_k": 1}
    data["simulation"]["schedule_mode"] = "priority"


@pytest.mark.parametrize("seed", [3, 99])
@pytest.mark.parametrize(
    "change",
    [_top_k, _noise_and_random_order, _other_population, _strict_breaker_and_collusion, _defaults],
)
def test_chemistry_handler_variants(change: Callable[[dict[str, Any]], None], seed: int) -> None:
    ours, ref = both(CHEMISTRY, change, seed=seed, epochs=12, steps=12)
    assert_same(ours, ref)
    assert handler_rows(ours)["corpus"] > 0


def _late_synthesis(data: dict[str, Any]) -> None:
    """One step an epoch in random order: the synthesis waits for an epoch
    whose retrieval comes first, often a query with several passages, so
    several citations are checked, some wrongly (the verifiers' draws)."""
    data["simulation"]["schedule_mode"] = "random"
    data["agents"] = [
        {"type": "verifier", "count": 6},
        {"type": "retriever", "count": 1},
        {"type": "synthesizer", "count": 1},
        {"type": "opportunistic", "count": 2},
    ]


@pytest.mark.parametrize("seed", [4, 20, 108])
def test_several_citations_checked(seed: int) -> None:
    ours, ref = both(CHEMISTRY, _late_synthesis, seed=seed, epochs=8, steps=1)
    assert_same(ours, ref)
    checks = ours.interactions.filter(ours.interactions["counterparty"] == "verification_oracle")
    assert checks.height > 1


def test_a_wrong_verdict_is_checked_too() -> None:
    ours, ref = both(CHEMISTRY, _late_synthesis, seed=20, epochs=8, steps=1)
    assert_same(ours, ref)
    checks = ours.interactions.filter(ours.interactions["counterparty"] == "verification_oracle")
    assert checks["p"].n_unique() == 2  # right and wrong verdicts


@pytest.mark.parametrize("seed", [None, 7])
def test_chemistry_without_the_handler(seed: int | None) -> None:
    """The file with `scholar.enabled: false` (the loader then builds no
    handler): the opportunists' trades with the scholars, under the file's
    tax, staking, breaker, audits and collusion detection."""
    run_args = {} if seed is None else {"seed": seed}
    ours, ref = both(CHEMISTRY, scholar_off, **run_args)
    assert_same(ours, ref)
    scholars = ours.interactions.filter(
        ours.interactions["counterparty"].str.contains("^(retriever|synthesizer|verifier)_")
    )
    assert scholars.height > 0


def test_chemistry_section_removed_is_the_same_run() -> None:
    """No section and `enabled: false` are one run."""
    removed = data_of(CHEMISTRY)
    del removed["scholar"]
    off = data_of(CHEMISTRY)
    scholar_off(off)
    a = swarm_fast.run(load_scenario(removed), epochs=4, steps=6)
    b = swarm_fast.run(load_scenario(off), epochs=4, steps=6)
    assert a.epochs.equals(b.epochs)


def _more_agents(data: dict[str, Any]) -> None:
    scholar_off(data)
    data["agents"] = [
        {"type": "honest", "count": 3},
        {"type": "retriever", "count": 3},
        {"type": "adversarial_retriever", "count": 2},
        {"type": "synthesizer", "count": 2},
        {"type": "adversarial_synthesizer", "count": 2},
        {"type": "verifier", "count": 3},
        {"type": "opportunistic", "count": 3},
        {"type": "adversarial", "count": 2},
        {"type": "deceptive", "count": 2},
    ]


def _no_collaborations(data: dict[str, Any]) -> None:
    """Only opportunists and adversaries propose: trades, answered by the
    scholars' trust test (>= 0.4), which drops as p's come in low."""
    scholar_off(data)
    data["agents"] = [
        {"type": "verifier", "count": 2},
        {"type": "adversarial_synthesizer", "count": 2},
        {"type": "adversarial", "count": 3},
        {"type": "opportunistic", "count": 2},
    ]
    data["governance"]["circuit_breaker_enabled"] = False


def _other_governance(data: dict[str, Any]) -> None:
    scholar_off(data)
    gov = data["governance"]
    gov.update(
        {
            "transaction_tax_rate": 0.2,
            "audit_probability": 0.6,
            "staking_enabled": False,
            "collusion_realtime_penalty": False,
            "reputation_decay_rate": 0.8,
        }
    )
    data["simulation"]["schedule_mode"] = "random"


@pytest.mark.parametrize("seed", [3, 99])
@pytest.mark.parametrize("change", [_more_agents, _no_collaborations, _other_governance])
def test_chemistry_variants(change: Callable[[dict[str, Any]], None], seed: int) -> None:
    assert_same(*both(CHEMISTRY, change, seed=seed, epochs=10, steps=10))


def test_scholars_never_initiate_and_answer_by_trust() -> None:
    """Without governance, among honest agents and opportunists: the
    scholars propose nothing and answer the opportunists' trades by their
    trust in the initiator."""

    def change(data: dict[str, Any]) -> None:
        scholar_off(data)
        data["governance"] = {}
        data["agents"] = [
            {"type": "honest", "count": 3},
            {"type": "opportunistic", "count": 3},
        ] + [{"type": kind, "count": 1} for kind in SCHOLAR_TYPES]

    ours, ref = both(CHEMISTRY, change, seed=5, epochs=8, steps=10)
    assert_same(ours, ref)
    inter = ours.interactions
    pattern = "^(" + "|".join(SCHOLAR_TYPES) + ")_"
    assert inter.filter(inter["initiator"].str.contains(pattern)).height == 0
    to_scholars = inter.filter(inter["counterparty"].str.contains(pattern))
    assert to_scholars.height > 0


# ------------------------------------------------------------- scholar_bench


@pytest.mark.parametrize("seed", [None, 11])
def test_citation_laundering_file(seed: int | None) -> None:
    """No `scholar:` section (its `env.handler: scholar` is not a key the
    reference reads): a population of scholars that never propose, so no
    interaction at all, in both."""
    run_args = {} if seed is None else {"seed": seed}
    ours, ref = both(BENCH / "citation_laundering.yaml", **run_args)
    assert_same(ours, ref, nonempty=False)
    assert ours.interactions.height == 0


def test_citation_laundering_with_proposers() -> None:
    def change(data: dict[str, Any]) -> None:
        data["agents"].append({"type": "opportunistic", "count": 3})
        data["agents"].append({"type": "honest", "count": 2})

    assert_same(*both(BENCH / "citation_laundering.yaml", change, seed=8, epochs=12, steps=12))


@pytest.mark.parametrize("seed", [None, 5])
def test_bench_baseline_file(seed: int | None) -> None:
    """Scholars only, no governance: the handler's interactions alone."""
    run_args = {} if seed is None else {"seed": seed}
    ours, ref = both(BENCH / "baseline.yaml", **run_args)
    assert_same(ours, ref)
    assert handler_rows(ours) == {"corpus": 5, "synthesis_engine": 1, "verification_oracle": 1}


def test_bench_baseline_with_proposers() -> None:
    def change(data: dict[str, Any]) -> None:
        data["agents"].append({"type": "opportunistic", "count": 2})
        data["agents"].append({"type": "deceptive", "count": 1})

    assert_same(*both(BENCH / "baseline.yaml", change, seed=4, epochs=9, steps=10))


@pytest.mark.parametrize("seed", [None, 1, 2])
def test_bench_adversarial_file(seed: int | None) -> None:
    """Honest and adversarial scholars: the adversarial retriever launders
    citations (a negation inserted) before the honest synthesizers act."""
    run_args = {} if seed is None else {"seed": seed}
    ours, ref = both(BENCH / "adversarial.yaml", **run_args)
    assert_same(ours, ref)
    assert handler_rows(ours)["synthesis_engine"] == 1


def _adversary(kind: str) -> Callable[[dict[str, Any]], None]:
    """One step an epoch in random order, so the synthesis often falls on
    an epoch with several passages: laundering draws per passage, or
    hallucinated claims on random passages, then several checks."""

    def change(data: dict[str, Any]) -> None:
        data["simulation"]["schedule_mode"] = "random"
        data["agents"] = [
            {"type": "verifier", "count": 6},
            {"type": "retriever", "count": 1},
            {"type": kind, "count": 1},
            {"type": "opportunistic", "count": 1},
        ]

    return change


@pytest.mark.parametrize(
    "kind,seed",
    [
        ("adversarial_synthesizer", 47),
        ("adversarial_synthesizer", 87),
        ("adversarial_retriever", 47),
        ("adversarial_retriever", 80),
    ],
)
def test_adversarial_syntheses_checked(kind: str, seed: int) -> None:
    ours, ref = both(CHEMISTRY, _adversary(kind), seed=seed, epochs=8, steps=1)
    assert_same(ours, ref)
    inter = ours.interactions
    checks = inter.filter(inter["counterparty"] == "verification_oracle")
    assert checks.height >= 3 and checks["p"].n_unique() >= 2


def test_bench_adversarial_without_the_handler() -> None:
    def change(data: dict[str, Any]) -> None:
        scholar_off(data)
        data["agents"].append({"type": "opportunistic", "count": 2})

    assert_same(*both(BENCH / "adversarial.yaml", change, seed=4))


@pytest.mark.parametrize(
    "section,key",
    [
        ({"network": {"topology": "ring"}}, "network"),
        ({"dynamic_toxicity": {"enabled": ["proxy_drift"]}}, "dynamic_toxicity"),
        ({"spawn": {"enabled": True}}, "spawn"),
        ({"model": {"preset": "corrected"}}, "model"),
    ],
)
def test_handler_refuses_what_it_does_not_run_with(section: dict, key: str) -> None:
    data = data_of(CHEMISTRY)
    data.update(section)
    with pytest.raises(ScenarioError, match=f"^{key}.*scholar handler"):
        load_scenario(data)


def test_handler_refuses_levers_it_does_not_run_with() -> None:
    data = data_of(CHEMISTRY)
    data["governance"]["security_enabled"] = True
    with pytest.raises(ScenarioError, match="^governance.security_enabled.*scholar handler"):
        load_scenario(data)


# ------------------------------------------------------------------- checks


@pytest.mark.parametrize(
    "key,value",
    [
        ("corpus_path", "data/corpus/"),
        ("dataset_path", "queries.jsonl"),
        ("top_k", 0),
        ("top_k", 2.5),
        ("entailment_threshold", 1.5),
        ("entailment_threshold", "high"),
        ("corpus_path", 3),
        ("dataset_path", ["a"]),
        ("seed", 1.5),
        ("seed", "x"),
        ("enabled", "yes"),
    ],
)
def test_bad_scholar_values_name_the_key(key: str, value: Any) -> None:
    data = data_of(CHEMISTRY)
    data["scholar"][key] = value
    with pytest.raises(ScenarioError, match=f"^scholar\\.{key}: "):
        load_scenario(data)


def test_misspelt_scholar_key_is_refused() -> None:
    data = data_of(CHEMISTRY)
    scholar_off(data)
    sc = load_scenario(data)
    with pytest.raises(ScenarioError, match="top_k"):
        sc.with_overrides({"scholar.top_kk": 5})


def test_scholar_config_keys_reach_nothing() -> None:
    """The reference's loader passes `config:` only, which scholar agents
    never read: any value there changes nothing (and is not checked)."""
    data = data_of(CHEMISTRY)
    scholar_off(data)
    plain = swarm_fast.run(load_scenario(copy.deepcopy(data)), epochs=5, steps=8)
    data["agents"][1]["config"] = {"accuracy": "none", "bias": 3}
    assert swarm_fast.run(load_scenario(data), epochs=5, steps=8).epochs.equals(plain.epochs)


def test_reference_exports_name_the_parties(capsys, tmp_path: Path) -> None:
    """`--export-csv` / `--export-json` as the reference's flags write them,
    the handler's parties among the events."""
    ref_epochs, ref_agents = _reference_export(CHEMISTRY, tmp_path / "ref", 6, 8)
    ours = tmp_path / "ours"
    args = ["run", str(CHEMISTRY), "--seed", "42", "--epochs", "6", "--steps", "8", "-q"]
    assert cli.main([*args, "--export-csv", str(ours / "csv"),
                     "--export-json", str(ours / "run.json")]) == 0  # fmt: skip
    capsys.readouterr()
    mine = assert_same_exports(ours, tmp_path / "ref", ref_epochs, ref_agents)["events"]
    assert {"corpus", "synthesis_engine", "verification_oracle"} <= {
        r["counterparty"] for r in mine
    }


def test_scholar_seed_reaches_nothing() -> None:
    """`scholar.seed` seeds a stream the handler never draws from (any
    integer, negative ones too, as random.Random takes them)."""
    runs = []
    for seed in (None, -5, 10**6):
        data = data_of(CHEMISTRY)
        data["scholar"]["seed"] = seed
        runs.append(swarm_fast.run(load_scenario(data), epochs=5, steps=8).epochs)
    assert runs[0].equals(runs[1]) and runs[0].equals(runs[2])
