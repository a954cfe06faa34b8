"""The `swarm-fast` command line: output, overrides, exports, errors."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import swarm_fast
from swarm_fast import cli
from swarm_fast.agent_types import AGENT_TYPES
from swarm_fast.moltbook import AGENT_TYPES as MOLTBOOK_AGENT_TYPES
from swarm_fast.scenario import SUPPORTED_AGENTS, bundled_scenarios

ROOT = Path(__file__).resolve().parents[1]


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def swarm_fast_cmd(*argv: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "swarm_fast", *argv], capture_output=True, text=True, **kw
    )


# ---------------------------------------------------------------- run output


def _reference_run(path: Path, *argv: str) -> str:
    """`swarm run` of swarm-safety 1.9.0, as a user runs it."""
    proc = subprocess.run(
        [sys.executable, "-m", "swarm", "run", str(path), *argv],
        capture_output=True,
        text=True,
        check=True,
        cwd=path.parent,
    )
    return proc.stdout


def _table(text: str) -> list[list[str]]:
    """The rows of a per-epoch table: lines of six numbers."""
    rows = []
    for line in text.splitlines():
        cells = line.split()
        if len(cells) == 6 and all(re.fullmatch(r"-?\d+(\.\d+)?", c) for c in cells):
            rows.append(cells)
    return rows


@pytest.mark.parametrize("name", ["strict_governance", "baseline", "collusion_detection"])
def test_run_matches_the_reference_cli(capsys, name: str) -> None:
    """The epoch table, the reference's summary values and every success
    criterion line read as `swarm run` prints them (live)."""
    path = bundled_scenarios()[name]
    args = ("--seed", "42", "--epochs", "20", "--steps", "15")
    ref = _reference_run(path, *args)
    code, out, _ = run_cli(capsys, "run", name, *args)
    assert code == 0
    assert _table(out) == _table(ref) and len(_table(out)) == 20
    for label in ("Avg toxicity", "Avg surplus", "Avg net welfare"):
        theirs = re.search(rf"{label}:\s+(-?[\d.]+)", ref).group(1)
        ours = re.search(rf"{label}:\s+(-?[\d.]+)", out).group(1)
        assert ours == theirs, label
    criteria_ref = [ln.strip() for ln in ref.splitlines() if re.match(r"\s+\[(PASS|FAIL)\]", ln)]
    criteria_ours = [ln.strip() for ln in out.splitlines() if re.match(r"\s+\[(PASS|FAIL)\]", ln)]
    assert criteria_ours == criteria_ref
    if criteria_ref:
        verdict = re.search(r"Result: (.*)", ref).group(1)
        assert f"Result: {verdict}" in out
    else:  # the reference prints nothing, or a verdict on no criteria
        assert "Success criteria: none the reference checks" in out


def test_run_header_and_summary_definitions(capsys) -> None:
    code, out, _ = run_cli(capsys, "run", "baseline", "--seed", "7", "--epochs", "3")
    assert code == 0
    sc = swarm_fast.load_scenario("baseline")
    assert "Scenario:    baseline (bundled)" in out
    assert f"Description: {' '.join(sc.raw['description'].split())}" in out
    assert "Agents:      5 (3 honest, 1 opportunistic, 1 deceptive)" in out
    assert "Epochs:      3" in out and "Steps/epoch: 10" in out and "Seed:        7" in out
    r = swarm_fast.run("baseline", seed=7, epochs=3)
    s = r.summary
    assert re.search(rf"Toxicity \(pooled\): +{s['toxicity']:.4f} +E\[1-p\]", out)
    assert re.search(rf"Avg toxicity: +{s['mean_epoch_toxicity']:.4f} +mean over epochs", out)
    assert re.search(rf"Welfare: +{s['welfare']:.2f} +total_welfare summed over epochs", out)
    assert re.search(rf"Avg surplus: +{s['mean_epoch_welfare']:.2f} ", out)
    # The paper's welfare is the sum, the reference's surplus the mean.
    assert s["welfare"] == pytest.approx(3 * s["mean_epoch_welfare"])


def test_epoch_table_is_compact_unless_verbose(capsys) -> None:
    _, out, _ = run_cli(capsys, "run", "baseline", "--seed", "1", "--epochs", "200", "--steps", "2")
    rows = _table(out)
    assert len(rows) == cli.COMPACT_ROWS
    assert rows[0][0] == "0" and rows[-1][0] == "199"
    assert "10 of 200 epochs shown; -v prints every epoch" in out
    _, out, _ = run_cli(capsys, "run", "baseline", "--seed", "1", "--epochs", "200", "-v")
    assert [r[0] for r in _table(out)] == [str(i) for i in range(200)]
    assert "  - honest_1 (honest)" in out and "  - deceptive_1 (deceptive)" in out
    _, out, _ = run_cli(capsys, "run", "baseline", "--seed", "1", "--epochs", "200", "-q")
    assert not _table(out) and "Interactions" not in out and "Scenario:" not in out
    assert "Toxicity (pooled):" in out and "Success criteria:" in out


def test_each_criterion_with_value_threshold_and_verdict(capsys, tmp_path: Path) -> None:
    raw = swarm_fast.load_scenario("baseline").raw
    raw["success_criteria"] = {
        "min_epochs": 2,
        "toxicity_threshold": 0.01,
        "min_net_social_welfare": -100,
        "max_infiltration_rate": 0.5,
        "something_else": 3,
    }
    path = tmp_path / "crit.yaml"
    path.write_text(json.dumps(raw))
    _, out, _ = run_cli(capsys, "run", str(path), "--seed", "3", "--epochs", "4")
    s = swarm_fast.run(swarm_fast.load_scenario(path), seed=3, epochs=4).summary
    assert "  [PASS] Epochs: 4 >= 2" in out
    assert f"  [FAIL] Toxicity: {s['mean_epoch_toxicity']:.4f} <= 0.01" in out
    assert f"  [PASS] Net social welfare: {s['mean_net_social_welfare']:.4f} >= -100" in out
    assert "  [FAIL] Infiltration rate: 1.0000 <= 0.5" in out
    assert "not checked, as by the reference: something_else" in out
    assert "Result: SOME CRITERIA FAILED" in out
    raw.pop("success_criteria")
    path.write_text(json.dumps(raw))
    _, out, _ = run_cli(capsys, "run", str(path), "--seed", "3", "--epochs", "4")
    assert "Success criteria: none the reference checks" in out


def test_set_overrides_reach_the_run(capsys) -> None:
    _, out, err = run_cli(
        capsys,
        "run",
        "strict_governance",
        "--seed",
        "5",
        "--set",
        "governance.transaction_tax_rate=0.25",
        "--set",
        "agents.0.count=6",
        "-q",
    )
    sc = swarm_fast.load_scenario("strict_governance").with_overrides(
        {"governance.transaction_tax_rate": 0.25, "agents.0.count": 6}
    )
    s = swarm_fast.run(sc, seed=5).summary
    assert re.search(rf"Toxicity \(pooled\): +{s['toxicity']:.4f} ", out)
    assert re.search(rf"Total interactions: +{s['interactions']} ", out)
    assert err == ""
    _, _, err = run_cli(capsys, "run", "baseline", "--set", "governance.transacton_tax=0.1", "-q")
    assert "did you mean governance.transaction_tax_rate?" in err


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as e:
        cli.main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.strip() == (
        f"swarm-fast {swarm_fast.__version__} (reproduces swarm-safety 1.9.0)"
    )


class _Tty(StringIO):
    def isatty(self) -> bool:
        return True


def test_long_runs_show_progress_on_stderr(capsys, monkeypatch) -> None:
    tty = _Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    monkeypatch.setattr(cli, "PROGRESS_AGENT_STEPS", 1000)
    cli.main(["run", "baseline", "--seed", "1", "--epochs", "400", "--steps", "10"])
    assert re.search(r"running baseline: 100%.*400/400", tty.getvalue())
    assert "running baseline" not in capsys.readouterr().out
    tty.truncate(0)
    cli.main(["run", "baseline", "--seed", "1", "--epochs", "400", "-q"])
    assert tty.getvalue().strip("\x00") == ""


def test_a_single_run_reports_progress_in_epochs() -> None:
    sc = swarm_fast.load_scenario("baseline")
    calls: list[tuple[int, int]] = []
    swarm_fast._core.run_config(sc._core(), 1, 50, 10, False, lambda d, t: calls.append((d, t)))
    assert calls[-1] == (50, 50) and {t for _, t in calls} == {50}
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


# ------------------------------------------------------------------ exports


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_run_out_dir_writes_every_table(capsys, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "missing" / "run"
    code, stdout, _ = run_cli(
        capsys,
        "run",
        "baseline",
        "--seed",
        "9",
        "--epochs",
        "4",
        "--out",
        str(out),
        "--format",
        fmt,
        "--set",
        "payoff.rho_a=0.2",
    )
    assert code == 0
    sc = swarm_fast.load_scenario("baseline").with_overrides({"payoff.rho_a": 0.2})
    r = swarm_fast.run(sc, seed=9, epochs=4, record_interactions=True)
    read = {"csv": pl.read_csv, "parquet": pl.read_parquet, "json": pl.read_json}[fmt]
    for name, expected in (
        ("epochs", r.epochs),
        ("agents", r.agents),
        ("interactions", r.interactions),
    ):
        got = read(out / f"{name}.{fmt}")
        assert got.columns == expected.columns
        assert_frame_equal(got, expected, check_dtypes=False, check_exact=(fmt != "csv"))
        assert f"wrote {out / f'{name}.{fmt}'}" in stdout
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["scenario_id"] == "baseline" and meta["seed"] == 9
    assert meta["n_epochs"] == 4 and meta["steps_per_epoch"] == 10 and meta["n_agents"] == 5
    assert meta["overrides"] == {"payoff.rho_a": 0.2}
    assert meta["summary"]["toxicity"] == r.summary["toxicity"]
    assert meta["swarm_fast_version"] == swarm_fast.__version__
    assert [c["key"] for c in meta["success_criteria"]] == ["min_epochs", "toxicity_threshold"]
    assert meta["files"] == [
        f"epochs.{fmt}",
        f"agents.{fmt}",
        f"interactions.{fmt}",
        f"epoch_snapshots.{fmt}",
        f"agent_snapshots.{fmt}",
    ]


def test_run_out_single_file(capsys, tmp_path: Path) -> None:
    run_cli(capsys, "run", "baseline", "--seed", "2", "--out", str(tmp_path / "e.parquet"))
    expected = swarm_fast.run("baseline", seed=2).epochs
    assert_frame_equal(pl.read_parquet(tmp_path / "e.parquet"), expected)


# ------------------------------------------------------------ list, agents


def test_agents_lists_every_type_with_parameters(capsys) -> None:
    assert [t.key for t in AGENT_TYPES] == list(SUPPORTED_AGENTS)
    _, out, _ = run_cli(capsys, "agents")
    for t in AGENT_TYPES:
        assert re.search(rf"^{t.key} +{re.escape(t.summary)}$", out, re.M)
    _, out, _ = run_cli(capsys, "agents", "-v")
    assert "    acceptance_threshold: 0.4" in out and "    target_honest: true" in out


SCHOLAR_AGENTS = (
    "retriever",
    "synthesizer",
    "verifier",
    "adversarial_retriever",
    "adversarial_synthesizer",
)


def test_agent_defaults_are_the_policies_defaults() -> None:
    """The documented defaults are the ones the Rust policies apply."""
    src = ROOT / "rust" / "swarm-core" / "src" / "agents"
    if not src.is_dir():
        pytest.skip("needs the source tree")
    # The wiki editors share one file: each documents its own keys of it.
    wiki = {"diligent_editor", "point_farmer", "collusive_editor", "vandal"}
    wiki_keys: set[str] = set()
    for t in AGENT_TYPES:
        # A variant of another policy (rain, river) documents that policy's keys;
        # one module can hold a family (fair_negotiator: negotiator.rs).
        paths = [src / f"{t.key}.rs", src / f"{t.key.split('_')[-1]}.rs"]
        path = next((p for p in paths if p.exists()), src / f"{t.registers_as}.rs")
        if t.key in MOLTBOOK_AGENT_TYPES:  # one module for the four, without parameters
            path = src.parent / "moltbook.rs"
        if t.key in wiki:
            path = src / "wiki_editor.rs"
        if t.key in SCHOLAR_AGENTS:  # the five share one policy, scholar.rs
            path = src / "scholar.rs"
        text = path.read_text()
        found = dict(re.findall(r"c\.(\w+)\.unwrap_or\(([^)]+)\)", text))
        if t.key in wiki:
            assert set(t.params) <= set(found), t.key
            wiki_keys |= set(t.params)
        else:
            assert set(found) == set(t.params), t.key
        for key, value in t.params.items():
            rust = found[key]
            if isinstance(value, bool):
                assert rust == str(value).lower(), key
            else:
                assert float(rust) == value, key
    found = dict(
        re.findall(r"c\.(\w+)\.unwrap_or\(([^)]+)\)", (src / "wiki_editor.rs").read_text())
    )
    assert set(found) == wiki_keys


def test_list_bundled_and_dir(capsys, tmp_path: Path) -> None:
    _, out, _ = run_cli(capsys, "list")
    for name in swarm_fast.PAPER_SCENARIOS:
        assert re.search(rf"^  {name} +\d+ agents, \d+x\d+", out, re.M)
    (tmp_path / "mine.yaml").write_text(
        "scenario_id: mine\ndescription: two honest\nsimulation: {seed: 1}\n"
        "agents: [{type: honest, count: 2}]\n"
    )
    (tmp_path / "crewai.yaml").write_text("simulation: {}\nagents: [{type: crewai_adapter}]\n")
    _, out, _ = run_cli(capsys, "list", "--dir", str(tmp_path))
    assert re.search(r"^  mine.yaml +2 agents, 10x10; two honest$", out, re.M)
    assert re.search(r"^  crewai.yaml +\(not runnable by swarm_fast: agents\[0\].type", out, re.M)


# ----------------------------------------------------------------- errors


def _one_line_error(err: str, prefix: str) -> None:
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith(prefix), err


@pytest.mark.parametrize(
    ("argv", "code", "prefix", "text"),
    [
        (["run", "baselin"], 2, "swarm-fast: unknown scenario", "did you mean 'baseline'?"),
        (["run", "strict_govrnance"], 2, "swarm-fast: unknown scenario", "'strict_governance'"),
        (["run", "baseline", "--seed", "x"], 2, "swarm-fast run: error: argument --seed", ""),
        (["run", "baseline", "--set", "nokey"], 2, "swarm-fast run: error: argument --set", ""),
        (
            ["run", "baseline", "--set", "governance.audit_probability=2"],
            2,
            "swarm-fast: invalid scenario: governance.audit_probability",
            "",
        ),
        (["run", "baseline", "--out", "{tmp}/no/such/e.csv"], 2, "swarm-fast: --out", "exist"),
        (["run", "baseline", "--out", "{tmp}/e.txt"], 2, "swarm-fast: --out", ".txt"),
        (["run", "baseline", "--out", "{tmp}/e.csv", "--format", "json"], 2, "swarm-fast:", ""),
        (
            ["sweep", "baseline", "--seeds", "1:x", "--out", "{tmp}/s.parquet"],
            2,
            "swarm-fast sweep: error: argument --seeds",
            "",
        ),  # noqa: E501
        (
            ["sweep", "baseline", "--seeds", "3:1", "--out", "{tmp}/s.parquet"],
            2,
            "swarm-fast sweep: error: argument --seeds",
            "no seeds",
        ),  # noqa: E501
        (["sweep", "baseline", "--out", "{tmp}/s.txt"], 2, "swarm-fast: --out", ".parquet or .csv"),
        (
            ["sweep", "baseline", "--out", "{tmp}/s.csv", "--format", "parquet"],
            2,
            "swarm-fast: --out",
            "does not match",
        ),  # noqa: E501
        (
            ["sweep", "baseline", "--out", "{tmp}/no/s.csv"],
            2,
            "swarm-fast: --out",
            "does not exist",
        ),  # noqa: E501
        (["list", "--dir", "{tmp}/nowhere"], 2, "swarm-fast: list --dir", "no such directory"),
    ],
)
def test_one_line_errors(capsys, tmp_path: Path, argv, code, prefix, text) -> None:
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    try:
        got = cli.main(argv)
    except SystemExit as e:  # argparse's usage errors
        got = e.code
    out, err = capsys.readouterr()
    assert got == code
    _one_line_error(err, prefix)
    assert text in err
    assert "invalid scenario" not in err or "scenario" in prefix


def test_stale_parts_are_not_called_an_invalid_scenario(capsys, tmp_path: Path) -> None:
    out = tmp_path / "s.parquet"
    parts = Path(f"{out}.parts")
    parts.mkdir()
    (parts / "manifest.json").write_text('{"fingerprint": "another"}')
    code, _, err = run_cli(capsys, "sweep", "baseline", "--out", str(out), "-q")
    assert code == 1
    _one_line_error(err, f"swarm-fast: {parts} holds partial results of a different sweep")


def test_missing_dask_extra(capsys, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    code, _, err = run_cli(
        capsys, "sweep", "baseline", "--dask", "local", "--out", str(tmp_path / "s.csv")
    )
    assert code == 1
    _one_line_error(err, 'swarm-fast: --dask needs the dask extra: pip install "swarm_fast[dask]"')


def test_unreachable_dask_scheduler(capsys, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    t0 = time.perf_counter()
    code, _, err = run_cli(
        capsys,
        "sweep",
        "baseline",
        "--dask",
        "tcp://127.0.0.1:9",
        "--dask-timeout",
        "1",
        "--out",
        str(tmp_path / "s.csv"),
    )
    assert code == 1 and time.perf_counter() - t0 < 20
    _one_line_error(
        err, "swarm-fast: cannot reach the Dask scheduler at tcp://127.0.0.1:9 within 1 s"
    )
    assert not (tmp_path / "s.csv").exists()


def test_paper_without_matplotlib_writes_tables_and_says_how_to_plot(
    capsys, monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, out, err = run_cli(capsys, "paper", "--out", str(tmp_path))
    assert code == 0
    assert "157 of 157" in (tmp_path / "tables.md").read_text()
    assert (tmp_path / "tables.csv").exists() and (tmp_path / "runs.csv").exists()
    assert not (tmp_path / "levers.png").exists()
    _one_line_error(err, "plots skipped: matplotlib is not installed")
    assert 'pip install "swarm_fast[plot]"' in err


# ------------------------------------------------------------------ sweeps


def test_sweep_csv_output_force_and_overwrite(capsys, tmp_path: Path) -> None:
    args = ["sweep", "baseline", "--grid", "payoff.rho_a=0,0.5", "--seeds", "0:3", "-q"]
    code, out, _ = run_cli(capsys, *args, "--out", str(tmp_path / "s.csv"))
    assert code == 0 and "wrote 6 rows" in out
    expected = swarm_fast.sweep("baseline", {"payoff.rho_a": [0, 0.5]}, seeds=range(3))
    got = pl.read_csv(tmp_path / "s.csv")
    assert got.columns == expected.columns
    assert_frame_equal(got, expected, check_dtypes=False)
    before = (tmp_path / "s.csv").read_bytes()
    code, _, err = run_cli(
        capsys, "sweep", "baseline", "--seeds", "0:1", "-q", "--out", str(tmp_path / "s.csv")
    )  # noqa: E501
    assert code == 2 and "--force" in err
    assert (tmp_path / "s.csv").read_bytes() == before
    code, out, _ = run_cli(
        capsys,
        "sweep",
        "baseline",
        "--seeds",
        "0:1",
        "-q",
        "--force",
        "--out",
        str(tmp_path / "s.csv"),
    )  # noqa: E501
    assert code == 0 and pl.read_csv(tmp_path / "s.csv").height == 1


def test_interrupted_sweep_reports_on_stderr(tmp_path: Path) -> None:
    out = tmp_path / "big.parquet"
    parts = Path(f"{out}.parts")
    proc = subprocess.Popen(
        [sys.executable, "-m", "swarm_fast", "sweep", "misalignment_sweep", "--seeds", "0:4000",
         "--epochs", "2000", "--steps", "15", "--threads", "1", "--chunk-size", "4", "-q",
         "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    # Runs of 2,000 epochs (~20 ms each): the sweep cannot finish before
    # the signal even when this process is starved on a loaded machine.
    deadline = time.time() + 60
    while len(list(parts.glob("part-*.parquet"))) < 2 and time.time() < deadline:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "interrupted: finished chunks are kept in" in stderr
    assert "interrupted" not in stdout
    assert "Traceback" not in stderr


def test_import_swarm_fast_does_not_load_the_sweep_module() -> None:
    code = (
        "import sys, swarm_fast\n"
        "assert 'swarm_fast.sweeps' not in sys.modules and 'polars' not in sys.modules\n"
        "assert callable(swarm_fast.sweep) and 'sweep' in swarm_fast.__all__\n"
        "from swarm_fast import sweep_to_parquet\n"
        "print(swarm_fast.sweep.__module__)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "swarm_fast.sweeps"


def test_subcommands_are_registered_in_one_list() -> None:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert list(sub.choices) == [
        "run",
        "list",
        "agents",
        "paper",
        "sweep",
        "proxy-gaming",
        "calibrate",
    ]
    assert len(cli.SUBCOMMANDS) == len(sub.choices)


def test_a_large_population_prints_a_short_header(capsys) -> None:
    _, out, _ = run_cli(
        capsys, "run", "baseline", "--set", "agents.0.count=100000", "--epochs", "1", "--steps", "1"
    )
    assert "Agents:      100002 (100000 honest, 1 opportunistic, 1 deceptive)" in out
    assert len(out) < 3000 and out.count("\n") < 40


def test_a_resumed_sweep_counts_reused_runs_in_its_bar(monkeypatch, tmp_path: Path) -> None:
    from swarm_fast import sweeps

    bars = []
    real = sweeps._progress_bar

    def spy(total, desc, initial=0):
        bars.append((total, initial))
        return real(total, desc, initial)

    monkeypatch.setattr(sweeps, "_progress_bar", spy)
    out = tmp_path / "r.parquet"
    messages: list[str] = []
    sweeps.sweep_to_file(out, "baseline", seeds=range(6), epochs=2, progress=True)
    full = pl.read_parquet(out)
    # Leave the first chunk's part behind, as an interrupted sweep does.
    parts = Path(f"{out}.parts")
    plan = sweeps.plan_sweep("baseline", None, range(6), 2)
    parts.mkdir()
    (parts / "manifest.json").write_text(json.dumps({"fingerprint": plan.fingerprint()}))
    full.filter(pl.col("seed") < 2).write_parquet(parts / "part-000000.parquet")
    out.unlink()
    resumed = sweeps.sweep_to_file(
        out, "baseline", seeds=range(6), epochs=2, progress=True, report=messages.append
    )
    assert messages == [f"resuming: 2 of 6 runs already done in {parts}; running the other 4"]
    assert bars == [(6, 0), (6, 2)]
    assert_frame_equal(resumed, full)
