"""Lever calibration: the grid and Optuna searches, scoring with CIs, the
Pareto front, outputs, resuming, the CLI and argument errors."""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import polars as pl
import pytest

import swarm_fast
from swarm_fast import ScenarioError, load_scenario
from swarm_fast.analysis import bootstrap_ci
from swarm_fast.calibrate import Lever, Objective, calibrate, pareto_mask
from swarm_fast.cli import main

# The module (swarm_fast.calibrate is the function once called lazily).
cal = importlib.import_module("swarm_fast.calibrate")
warnings.simplefilter("ignore", swarm_fast.ScenarioWarning)

LEVERS = ["governance.transaction_tax_rate=0:0.3", "governance.audit_probability=0:0.5"]
SMALL = {"seeds": 3, "epochs": 4, "steps": 6, "points": 3, "plot": False}


def test_lever_and_objective_parsing() -> None:
    assert Lever.parse("a.b=0:1") == Lever("a.b", 0.0, 1.0, "linear")
    assert Lever.parse("a.b=1:5:int").grid(10) == [1, 2, 3, 4, 5]
    assert Lever.parse("a.b=1:5:int").grid(3) == [1, 3, 5]
    assert Lever.parse("a.b=0.01:1:log").grid(3) == [0.01, 0.1, 1.0]
    assert Lever.parse("a.b=0:0.3").grid(4) == [0.0, 0.1, 0.2, 0.3]
    assert Objective.parse("toxicity:min") == Objective("toxicity", "min")
    for bad, key in [
        ("a.b", "lever"),
        ("a.b=1", "a.b"),
        ("a.b=x:1", "a.b"),
        ("a.b=2:1", "a.b"),
        ("a.b=0:1:cubic", "a.b"),
        ("a.b=0:1:log", "a.b"),
        ("a.b=0.5:2:int", "a.b"),
    ]:
        with pytest.raises(ScenarioError) as err:
            Lever.parse(bad)
        assert err.value.key == key
    with pytest.raises(ScenarioError, match="unknown metric"):
        Objective.parse("happiness:max")
    with pytest.raises(ScenarioError, match="max or min"):
        Objective.parse("welfare:up")


def test_bad_lever_key_is_refused_before_running() -> None:
    with pytest.raises(ScenarioError, match="did you mean"):
        calibrate("strict_governance", ["governance.transaction_tax_rat=0:0.3"], **SMALL)
    with pytest.raises(ScenarioError) as err:
        calibrate("strict_governance", ["governance.audit_probability=0:2"], **SMALL)
    assert err.value.key == "governance.audit_probability"
    with pytest.raises(ScenarioError) as err:
        calibrate("strict_governance", LEVERS, budget=10, **SMALL)
    assert err.value.key == "budget"


def test_pareto_mask() -> None:
    v = np.array([[1.0, 0.5], [2.0, 0.6], [2.0, 0.4], [0.5, 0.1], [1.5, 0.45]])
    # maximise the first, minimise the second
    assert pareto_mask(v, [True, False]).tolist() == [False, False, True, True, False]
    assert pareto_mask(v, [True, True]).tolist() == [False, True, False, False, False]


def test_grid_scores_every_candidate_over_the_same_seeds() -> None:
    res = calibrate("strict_governance", LEVERS, **SMALL)
    assert res.method == "grid"
    assert res.candidates.height == 9
    assert (res.candidates["n_seeds"] == 3).all()
    # A candidate's score is the mean of the plain runs at its settings.
    row = res.candidates.filter(
        (pl.col("governance.transaction_tax_rate") == 0.15)
        & (pl.col("governance.audit_probability") == 0.25)
    ).row(0, named=True)
    sc = load_scenario("strict_governance").with_overrides(
        {"governance.transaction_tax_rate": 0.15, "governance.audit_probability": 0.25}
    )
    runs = [swarm_fast.run(sc, seed=s, epochs=4, steps=6).summary for s in range(3)]
    assert row["welfare_mean"] == pytest.approx(np.mean([r["welfare"] for r in runs]), rel=1e-12)
    assert row["toxicity_mean"] == pytest.approx(np.mean([r["toxicity"] for r in runs]), rel=1e-12)
    # The CIs are analysis.bootstrap_ci's, candidate by candidate.
    vals = [r["welfare"] for r in runs]
    assert (row["welfare_ci_low"], row["welfare_ci_high"]) == pytest.approx(
        bootstrap_ci(np.array(vals)), rel=1e-12
    )
    for m in ("welfare", "toxicity"):
        c = res.candidates
        assert (c[f"{m}_ci_low"] <= c[f"{m}_mean"] + 1e-12).all()
        assert (c[f"{m}_mean"] <= c[f"{m}_ci_high"] + 1e-12).all()
    # The front is exactly the non-dominated candidates.
    front = res.front
    assert 1 <= front.height <= 9
    for f in front.iter_rows(named=True):
        dominated = res.candidates.filter(
            (pl.col("welfare_mean") >= f["welfare_mean"])
            & (pl.col("toxicity_mean") <= f["toxicity_mean"])
            & (
                (pl.col("welfare_mean") > f["welfare_mean"])
                | (pl.col("toxicity_mean") < f["toxicity_mean"])
            )
        )
        assert dominated.height == 0
    # The paper's Table 6a and 6c settings are scored alongside.
    settings = res.paper_points["setting"].to_list()
    assert any(s.startswith("6a:") for s in settings)
    assert any(s.startswith("6c:") for s in settings)
    assert not any(s.startswith("6b:") for s in settings)  # not a lever here


def test_outputs_and_resume(tmp_path, monkeypatch) -> None:
    out = tmp_path / "cal"
    res = calibrate("strict_governance", LEVERS, out=out, **SMALL)
    for name in ("runs.parquet", "candidates.parquet", "front.parquet", "front.md"):
        assert (out / name).exists(), name
    assert pl.read_parquet(out / "front.parquet").height == res.front.height
    assert "| transaction_tax_rate | audit_probability |" in (out / "front.md").read_text()
    # Resuming re-runs nothing and gives the same candidates.
    calls = []
    real = cal.sweeps._execute
    monkeypatch.setattr(cal.sweeps, "_execute", lambda *a, **k: calls.append(1) or real(*a, **k))
    again = calibrate("strict_governance", LEVERS, out=out, **SMALL)
    assert calls == []
    assert again.candidates.equals(res.candidates)
    # A different calibration in the same folder is refused.
    with pytest.raises(ScenarioError) as err:
        calibrate("strict_governance", LEVERS, out=out, **{**SMALL, "seeds": 4})
    assert err.value.key == "out"


def test_interrupted_grid_resumes_where_it_stopped(tmp_path, monkeypatch) -> None:
    out = tmp_path / "cal"
    real = cal.sweeps._execute
    done = []

    def flaky(*a, **k):
        if done:
            raise KeyboardInterrupt
        done.append(1)
        return real(*a, **k)

    monkeypatch.setattr(cal, "_batch_runs", lambda n_seeds: 3 * n_seeds)  # 3 candidates a batch
    monkeypatch.setattr(cal.sweeps, "_execute", flaky)
    with pytest.raises(KeyboardInterrupt):
        calibrate("strict_governance", LEVERS, out=out, **SMALL)
    kept = pl.read_parquet(out / "runs.parquet")
    assert kept.height == 3 * 3
    monkeypatch.setattr(cal.sweeps, "_execute", real)
    res = calibrate("strict_governance", LEVERS, out=out, **SMALL)
    fresh = calibrate("strict_governance", LEVERS, **SMALL)
    assert res.candidates.equals(fresh.candidates)


def test_corrected_model_changes_the_front() -> None:
    ref = calibrate("strict_governance", LEVERS, **SMALL)
    cor = calibrate("strict_governance", LEVERS, model="corrected", **SMALL)
    assert cor.model == "corrected" and ref.model == "reference"
    assert not np.allclose(ref.candidates["welfare_mean"], cor.candidates["welfare_mean"])


def test_optuna_search_is_seeded_and_within_budget() -> None:
    pytest.importorskip("optuna")
    levers = [
        "governance.transaction_tax_rate=0:0.3",
        "governance.freeze_threshold_violations=1:4:int",
    ]
    kw = {"seeds": 2, "epochs": 3, "steps": 5, "budget": 40, "batch": 8, "plot": False}
    a = calibrate("strict_governance", levers, method="nsga2", **kw)
    b = calibrate("strict_governance", levers, method="nsga2", **kw)
    assert a.method == "nsga2"
    assert 1 <= a.candidates.height <= 20
    assert a.candidates.equals(b.candidates)
    v = a.candidates["governance.freeze_threshold_violations"]
    assert v.dtype.is_integer() and v.min() >= 1 and v.max() <= 4
    t = a.candidates["governance.transaction_tax_rate"]
    assert t.min() >= 0.0 and t.max() <= 0.3


def test_cli_writes_the_front(tmp_path, capsys) -> None:
    out = tmp_path / "front"
    code = main(
        [
            "calibrate",
            "strict_governance",
            "--lever",
            "governance.transaction_tax_rate=0:0.2",
            "--lever",
            "governance.freeze_threshold_toxicity=0.2:0.8",
            "--objective",
            "welfare:max",
            "--objective",
            "toxicity:min",
            "--seeds",
            "2",
            "--points",
            "3",
            "--epochs",
            "3",
            "--steps",
            "5",
            "--out",
            str(out),
            "--no-plots",
            "-q",
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "# Pareto front: strict_governance" in text
    assert "6b: circuit breaker threshold" in text
    assert (out / "front.parquet").exists()
    assert main(["calibrate", "strict_governance", "--lever", "nope=0:1", "-q"]) == 2


def test_an_executor_gives_the_same_front() -> None:
    from concurrent.futures import ThreadPoolExecutor

    local = calibrate("strict_governance", LEVERS, **SMALL)
    with ThreadPoolExecutor(2) as ex:
        remote = calibrate("strict_governance", LEVERS, executor=ex, **SMALL)
    assert remote.candidates.equals(local.candidates)


def test_swarm_fast_calibrate_is_callable() -> None:
    import swarm_fast.calibrate as module

    res = swarm_fast.calibrate("strict_governance", LEVERS[:1], **SMALL)
    assert res.candidates.height == 3
    assert module("strict_governance", LEVERS[:1], **SMALL).candidates.equals(res.candidates)
