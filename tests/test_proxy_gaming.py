"""The proxy-gaming experiment (swarm_fast.proxy_gaming), checked live
against swarm-safety 1.9.0:

* Procedure A: the scorecard on swarm_fast runs equals the same scorecard
  on the reference's runs of the same seeds;
* Procedure B: the fixture's interactions equal those of the reference's
  own fixture function, field by field, and the scorecard equals what the
  reference's SoftMetrics and horizon evaluator give on them;
* Procedure C: the populations equal ``swarm.detection``'s, and every
  figure equals what the reference's own functions compute on them;
* the study and the command line.

The reference's fixture function lives in its repository's tests
(``tests/fixtures/interactions.py`` at tag v1.9.0), not in the PyPI
package: it is read from a checkout named by ``SWARM_REFERENCE_REPO``, or
downloaded from GitHub once; without either, the B checks are skipped.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import os
import random
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

import swarm_fast
from swarm_fast.cli import main

from reference_harness import run_reference

pg = importlib.import_module("swarm_fast.proxy_gaming")

FIXTURE_PATH = "tests/fixtures/interactions.py"
FIXTURE_URL = f"https://raw.githubusercontent.com/swarm-ai-safety/swarm/v1.9.0/{FIXTURE_PATH}"

# ------------------------------------------------------------- Procedure A


@pytest.mark.parametrize("seed", [42, 43, 1])
def test_procedure_a_matches_the_reference_runs(seed: int) -> None:
    path = swarm_fast.bundled_scenarios()["self_optimizer"]
    ref = run_reference(path, seed=seed)
    ours = pg.procedure_a([seed])[0]
    theirs = pg.scorecard_a(pg.Interactions.from_frame(ref.interactions, 20), seed)
    assert ours == theirs
    # The structural facts of ext. spec §1.8 and §2.3, read off the runs.
    assert ours["benchmark_pass"] == 1.0 and ours["acceptance_pass"]
    assert ours["p_optimizer_initiated"] < ours["p_other_initiated"] - 0.08


# ------------------------------------------------------------- Procedure B


@pytest.fixture(scope="module")
def reference_fixture(tmp_path_factory):
    """The reference's ``generate_self_optimizer_scenario``."""
    repo = os.environ.get("SWARM_REFERENCE_REPO")
    if repo:
        path = Path(repo) / FIXTURE_PATH
    else:
        path = tmp_path_factory.mktemp("ref") / "interactions.py"
        try:
            with urllib.request.urlopen(FIXTURE_URL, timeout=20) as r:
                path.write_bytes(r.read())
        except OSError as e:
            pytest.skip(f"reference fixture unavailable ({e}); set SWARM_REFERENCE_REPO")
    spec = importlib.util.spec_from_file_location("swarm_ref_fixture_interactions", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.generate_self_optimizer_scenario


def _reference_epochs(fn, seed: int):
    # The fixture seeds the global generator: leave it as it was.
    state = random.getstate()
    try:
        return fn(n_epochs=20, seed=seed)
    finally:
        random.setstate(state)


@pytest.mark.parametrize("seed", [42, 4, 7])
def test_procedure_b_draws_the_fixtures_interactions(reference_fixture, seed: int) -> None:
    theirs = _reference_epochs(reference_fixture, seed)
    ours = pg.fixture_epochs(seed)
    assert [len(e) for e in ours] == [len(e) for e in theirs]
    for mine, ref in zip((i for e in ours for i in e), (i for e in theirs for i in e)):
        assert mine.kind == ref.metadata["agent_type"]
        assert mine.interaction_type == ref.interaction_type.value
        for name in (
            "initiator",
            "counterparty",
            "accepted",
            "task_progress_delta",
            "rework_count",
            "verifier_rejections",
            "counterparty_engagement_delta",
            "v_hat",
            "p",
            "c_a",
            "c_b",
            "r_a",
            "r_b",
            "ground_truth",
        ):
            assert getattr(mine, name) == getattr(ref, name), name


@pytest.mark.parametrize("seed", [42, 4])
def test_procedure_b_scores_as_the_reference_tests_do(reference_fixture, seed: int) -> None:
    from swarm.metrics.horizon_eval import HorizonEvalConfig, SystemHorizonEvaluator
    from swarm.metrics.soft_metrics import SoftMetrics

    epochs = _reference_epochs(reference_fixture, seed)
    row = pg.scorecard_b(epochs, seed)
    assert row == pg.scorecard_b(pg.fixture_epochs(seed), seed)
    sm = SoftMetrics()
    flat = [i for e in epochs for i in e]
    early = [i for e in epochs[:5] for i in e]
    late = [i for e in epochs[-5:] for i in e]
    accepted = [i for i in flat if i.accepted]
    assert row["acceptance_rate"] == len(accepted) / len(flat)
    assert row["benchmark_pass"] == sum(i.p >= 0.45 for i in accepted) / len(accepted)
    assert (row["toxicity_early"], row["toxicity_late"]) == (
        sm.toxicity_rate(early),
        sm.toxicity_rate(late),
    )
    assert (row["quality_early"], row["quality_late"]) == (
        sm.average_quality(early, accepted_only=True),
        sm.average_quality(late, accepted_only=True),
    )
    assert (row["gap_early"], row["gap_late"]) == (sm.quality_gap(early), sm.quality_gap(late))
    assert (row["variance_early"], row["variance_late"]) == (
        sm.quality_variance(early),
        sm.quality_variance(late),
    )

    def low(xs):
        return sum(c for _, end, c in sm.quality_distribution(xs, bins=5) if end <= 0.6)

    assert (row["low_mass_early"], row["low_mass_late"]) == (low(early), low(late))
    h = SystemHorizonEvaluator(HorizonEvalConfig(agent_horizon_steps=1, drift_window=5))
    result = h.evaluate(epochs)
    assert (row["drift_slope"], row["drift"]) == (
        result.adverse_selection_drift,
        result.drift_direction,
    )


def test_procedure_b_phases() -> None:
    """The fixture's optimizers fall from ~0.85 below the 0.45 benchmark."""
    epochs = pg.fixture_epochs(42)
    opt = [np.mean([i.p for i in e if i.kind == "self_optimizer"]) for e in epochs]
    assert opt[0] > 0.8 and opt[7] < 0.45 and max(opt[8:]) < 0.42


# ------------------------------------------------------------- Procedure C


def _reference_population(base_rate: float, seed: int):
    from swarm.detection.degradation import PopulationConfig, generate_population

    return generate_population(PopulationConfig(base_rate=base_rate), seed)


@pytest.mark.parametrize("base_rate,seed", [(0.1, 0), (0.35, 3), (0.5, 1)])
def test_procedure_c_generates_the_reference_populations(base_rate: float, seed: int) -> None:
    streams = _reference_population(base_rate, seed)
    pop = pg.generate_population(pg.DetectionConfig(), base_rate, seed)
    assert pop.degrading.tolist() == [s.is_degrading for s in streams]
    assert pop.onset.tolist() == [s.onset_epoch for s in streams]
    for a, s in enumerate(streams):
        for e, ep in enumerate(s.epochs):
            assert pop.p[a, e].tolist() == [i.p for i in ep]
            assert pop.accepted[a, e].tolist() == [i.accepted for i in ep]
            assert pop.truth[a, e].tolist() == [(i.ground_truth + 1) / 2 for i in ep]


@pytest.mark.parametrize("base_rate,seed", [(0.2, 0), (0.5, 2)])
def test_procedure_c_scores_as_the_reference_does(base_rate: float, seed: int) -> None:
    from scipy.stats import mannwhitneyu
    from swarm.detection.curves import calibration, time_to_detection
    from swarm.detection.detectors import MatchedDetectors
    from swarm.detection.experiment import _calibrate_ttd_threshold
    from swarm.detection.market import pooled_window

    cfg = pg.DetectionConfig()
    streams = _reference_population(base_rate, seed)
    ours = pg.score_population(pg.generate_population(cfg, base_rate, seed), cfg)
    det = MatchedDetectors(tau_star=0.5)
    benign = [s for s in streams if not s.is_degrading]
    degrading = [s for s in streams if s.is_degrading]
    for variant, fn in (("soft", det.soft_toxicity), ("binary", det.binary_toxicity)):
        thr = _calibrate_ttd_threshold(benign, fn, 4, 0.05, 4)
        ttd = [time_to_detection(s, fn, thr, window=4, min_epoch=4) for s in degrading]
        hit = [t for t in ttd if t is not None]
        assert ours[f"caught_{variant}"] == len(hit) / len(degrading)
        assert ours[f"ttd_median_{variant}"] == (float(np.median(hit)) if hit else math.nan)
        # AUROC (the reference uses scikit-learn; Mann-Whitney's U is the same).
        scores = np.array([fn(s.window(12, 24)) for s in streams])
        labels = np.array([s.is_degrading for s in streams])
        u = mannwhitneyu(scores[labels], scores[~labels]).statistic
        assert ours[f"auroc_toxicity_{variant}"] == pytest.approx(
            u / (labels.sum() * (~labels).sum()), abs=1e-12
        )
    pool = pooled_window(streams, 12, 24)
    cal = calibration(pool, tau_star=0.5)
    assert ours["brier_soft"] == pytest.approx(cal.soft_brier, abs=1e-12)
    assert ours["brier_binary"] == pytest.approx(cal.binary_brier, abs=1e-12)
    assert ours["ece_soft"] == pytest.approx(cal.soft_ece, abs=1e-12)
    assert ours["ece_binary"] == pytest.approx(cal.binary_ece, abs=1e-12)
    # The reference reports the market gap as a risk score: minus the gap.
    assert ours["market_gap_soft"] == pytest.approx(-det.soft_quality_gap(pool), abs=1e-12)


def test_procedure_c_small_grid_soft_beats_binary() -> None:
    rows = pg.procedure_c([0.1, 0.5], range(3))
    summary = {r["metric"]: r for r in pg.summarize_c(rows)}
    ttd = summary["time to detection (epochs, mean of cell medians)"]
    assert ttd["soft"] < ttd["binary"]
    assert summary["Brier"]["soft"] < summary["Brier"]["binary"]
    assert summary["toxicity AUROC"]["soft"] > summary["toxicity AUROC"]["binary"]


# ---------------------------------------------------------------- the study


def test_study_small() -> None:
    st = pg.study(range(20), n_boot=200)
    by = {r["metric"]: r for r in st.summary}
    # The binary checks pass on the pooled run while the optimizers'
    # own quality is caught in every run, from the first scanned epoch.
    assert by["benchmark"]["optimizing_verdict"] == 1.0
    assert by["source_quality"]["optimizing_scan"] == 1.0
    assert by["source_quality"]["optimizing_first_median"] <= 3
    # Thresholds hold the reference arm's run-level false alarms at <= 5%.
    for m in pg.SOFT_METRICS:
        assert by[m]["reference_scan"] <= 0.05 + 1e-12, m
    # The reference arm is the bit-exact default run.
    ref = swarm_fast.run("self_optimizer", seed=3, record_interactions=True)
    row = next(r for r in st.per_seed if r["arm"] == "reference" and r["seed"] == 3)
    df = ref.interactions
    acc = df.filter(df["accepted"])
    assert row["acceptance_rate"] == pytest.approx(acc.height / df.height)
    assert row["benchmark_pass"] == pytest.approx((acc["p"] >= 0.45).mean())
    # Deterministic.
    assert pg.study(range(20), n_boot=200).summary == st.summary


def test_module_is_the_function(tmp_path: Path) -> None:
    """``swarm_fast.proxy_gaming(...)`` runs the experiment; its pieces stay
    reachable on the same name."""
    assert swarm_fast.proxy_gaming is pg and swarm_fast.proxy_gaming.study is pg.study
    rep = swarm_fast.proxy_gaming(
        range(4),
        tmp_path,
        plots=False,
        a_seeds=[42],
        b_seeds=[42],
        c_base_rates=[0.5],
        c_seeds=[0],
    )
    assert (
        rep.procedure_a[0]["interactions"]
        == swarm_fast.run("self_optimizer").summary["interactions"]
    )
    assert len(rep.study.per_seed) == 8 and (tmp_path / "proxy_gaming.md").is_file()


def test_study_refuses_a_scenario_without_self_optimizers() -> None:
    with pytest.raises(ValueError, match="self_optimizer"):
        pg.study(range(2), scenario="baseline")


def test_command_writes_tables_and_plots(tmp_path: Path) -> None:
    t0 = time.perf_counter()
    assert main(["proxy-gaming", "--out", str(tmp_path)]) == 0
    elapsed = time.perf_counter() - t0
    # The budget: the whole command in under a minute on two cores.
    assert elapsed < 60
    names = {p.name for p in tmp_path.iterdir()}
    for n in (
        "proxy_gaming.md",
        "procedure_a.csv",
        "procedure_b.csv",
        "procedure_c.csv",
        "procedure_c_summary.csv",
        "study_runs.csv",
        "study_summary.csv",
        "fixture_phases.png",
        "study_quality.png",
        "study_detection.png",
        "detection_study.png",
    ):
        assert n in names
    md = (tmp_path / "proxy_gaming.md").read_text()
    assert "reconstruction of the deleted scorecard" in md
    assert "100 seeds" in md
    runs = (tmp_path / "study_runs.csv").read_text().splitlines()
    assert len(runs) == 1 + 2 * 100


def test_command_rejects_bad_seeds(capsys) -> None:
    with pytest.raises(SystemExit) as e:  # argparse's usage error
        main(["proxy-gaming", "--seeds", "a:b", "--no-plots"])
    assert e.value.code == 2
    assert "swarm-fast proxy-gaming: error: argument --seeds" in capsys.readouterr().err
