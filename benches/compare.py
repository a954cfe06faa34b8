"""swarm_fast against swarm-safety 1.9.0, side by side in one run.

Prints (and writes to ``--out``, default ``bench_out/``):

1. per paper scenario at 20x15, seed 42: median in-process time of the
   reference's ``Orchestrator.run()`` and of ``swarm_fast.run`` (and of the
   bare core call), with their ratio; plus whole-process wall times of
   ``swarm run`` and ``swarm-fast run``;
2. a scaling table over agents (the baseline population scaled up, every
   agent acting for one step) and over epochs (the baseline, 15 steps per
   epoch), with the reference where it finishes within ``--ref-budget``;
3. ``scaling.png`` with both curves.

Usage: ``python benches/compare.py [--quick] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import swarm_fast  # noqa: E402
from swarm_fast import PAPER_SCENARIOS, _core, bundled_scenarios, load_scenario  # noqa: E402

from reference_harness import run_reference  # noqa: E402

PAPER = list(PAPER_SCENARIOS)


def median_time(fn, reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def paper_ratios(ref_reps: int, fast_reps: int) -> list[dict]:
    rows = []
    for name in PAPER:
        path = bundled_scenarios()[name]
        ref = statistics.median(
            run_reference(path, seed=42, epochs=20, steps=15).elapsed_s for _ in range(ref_reps)
        )
        sc = load_scenario(path)
        fast = median_time(
            lambda sc=sc: swarm_fast.run(sc, seed=42, epochs=20, steps=15), fast_reps
        )
        cfg = sc.to_json(seed=42, epochs=20, steps=15, record_interactions=False)
        core = median_time(lambda cfg=cfg: _core.run(cfg), fast_reps)
        rows.append(
            {
                "scenario": name,
                "reference_s": ref,
                "swarm_fast_s": fast,
                "core_s": core,
                "ratio": ref / fast,
                "ratio_core": ref / core,
            }
        )
        print(
            f"  {name:30} ref {ref * 1e3:8.1f} ms   swarm_fast {fast * 1e6:7.0f} us"
            f"   x{ref / fast:7.0f}   (core {core * 1e6:6.0f} us, x{ref / core:6.0f})",
            flush=True,
        )
    return rows


def whole_process(reps: int) -> dict:
    path = str(bundled_scenarios()["baseline"])
    args = ["--seed", "42", "--epochs", "20", "--steps", "15"]
    ref_cmd = [sys.executable, "-m", "swarm", "run", path, *args, "-q"]
    fast_cmd = [sys.executable, "-m", "swarm_fast.cli", "run", path, *args]
    ref = median_time(lambda: subprocess.run(ref_cmd, capture_output=True, check=True), reps)
    fast = median_time(lambda: subprocess.run(fast_cmd, capture_output=True, check=True), reps)
    print(f"  whole process, baseline 20x15: swarm {ref:.2f} s, swarm-fast {fast:.2f} s")
    return {"reference_s": ref, "swarm_fast_s": fast}


def scaled_baseline(n_agents: int) -> swarm_fast.Scenario:
    """The baseline's 3:1:1 mix scaled to about n agents, all acting."""
    k = max(1, n_agents // 5)
    return load_scenario("baseline").with_overrides(
        {
            "agents.0.count": 3 * k,
            "agents.1.count": k,
            "agents.2.count": k,
            "simulation.max_actions_per_step": 5 * k,
        }
    )


def scaling(agent_sizes, epoch_sizes, ref_budget: float) -> dict:
    out: dict = {"agents": [], "epochs": []}
    ref_ok = True
    for n in agent_sizes:
        sc = scaled_baseline(n)
        fast = median_time(
            lambda sc=sc: swarm_fast.run(sc, seed=1, epochs=1, steps=1, record_interactions=False),
            3,
        )
        ref = None
        if ref_ok:
            t0 = time.perf_counter()
            ref = run_reference(sc.raw, seed=1, epochs=1, steps=1).elapsed_s
            ref_ok = time.perf_counter() - t0 < ref_budget
        out["agents"].append(
            {
                "agents": sc.n_agents,
                "swarm_fast_s": fast,
                "reference_s": ref,
                "agent_steps_per_s": sc.n_agents / fast,
            }
        )
        print(
            f"  {sc.n_agents:>8} agents, 1 step: swarm_fast {fast * 1e3:9.2f} ms"
            + (f"   reference {ref:8.2f} s" if ref is not None else ""),
            flush=True,
        )
    ref_ok = True
    sc = load_scenario("baseline")
    for e in epoch_sizes:
        fast = median_time(
            lambda e=e: swarm_fast.run(sc, seed=1, epochs=e, steps=15, record_interactions=False),
            3,
        )
        ref = None
        if ref_ok:
            t0 = time.perf_counter()
            ref = run_reference(sc.raw, seed=1, epochs=e, steps=15).elapsed_s
            ref_ok = time.perf_counter() - t0 < ref_budget
        out["epochs"].append({"epochs": e, "swarm_fast_s": fast, "reference_s": ref})
        print(
            f"  {e:>8} epochs x 15 steps: swarm_fast {fast * 1e3:9.2f} ms"
            f" ({fast / e * 1e6:6.1f} us/epoch)"
            + (f"   reference {ref:8.2f} s ({ref / e * 1e3:6.1f} ms/epoch)" if ref else ""),
            flush=True,
        )
    return out


def plot(scale: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.2))
    ag = scale["agents"]
    a.loglog([r["agents"] for r in ag], [r["swarm_fast_s"] for r in ag], "o-", label="swarm_fast")
    ref = [r for r in ag if r["reference_s"] is not None]
    a.loglog(
        [r["agents"] for r in ref],
        [r["reference_s"] for r in ref],
        "s-",
        label="swarm-safety 1.9.0",
    )
    a.set_xlabel("agents (all acting)")
    a.set_ylabel("seconds for one step")
    a.set_title("Cost of one step vs population")
    a.grid(alpha=0.3, which="both")
    a.legend()
    ep = scale["epochs"]
    b.semilogy(
        [r["epochs"] for r in ep],
        [r["swarm_fast_s"] / r["epochs"] for r in ep],
        "o-",
        label="swarm_fast",
    )
    ref = [r for r in ep if r["reference_s"] is not None]
    b.semilogy(
        [r["epochs"] for r in ref],
        [r["reference_s"] / r["epochs"] for r in ref],
        "s-",
        label="swarm-safety 1.9.0",
    )
    b.set_xscale("log")
    b.set_xlabel("epochs (baseline, 15 steps each)")
    b.set_ylabel("seconds per epoch")
    b.set_title("Cost per epoch vs horizon")
    b.grid(alpha=0.3, which="both")
    b.legend()
    fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.13, wspace=0.28)
    fig.savefig(path, dpi=90)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="bench_out")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions and sizes")
    ap.add_argument(
        "--ref-budget",
        type=float,
        default=30.0,
        help="stop running the reference beyond this many seconds per point",
    )
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print("Paper scenarios, 20 epochs x 15 steps, seed 42 (in-process medians):")
    ratios = paper_ratios(ref_reps=1 if args.quick else 3, fast_reps=20 if args.quick else 200)
    proc = whole_process(1 if args.quick else 3)
    print("Scaling:")
    agents = [5, 50, 500, 5000] if args.quick else [5, 50, 500, 5000, 10_000, 100_000]
    epochs = [10, 40, 160] if args.quick else [10, 40, 160, 640, 2560, 10_000]
    scale = scaling(agents, epochs, args.ref_budget)
    (out / "results.json").write_text(
        json.dumps({"paper": ratios, "whole_process": proc, "scaling": scale}, indent=2)
    )
    plot(scale, out / "scaling.png")
    print(f"wrote {out}/results.json and {out}/scaling.png")


if __name__ == "__main__":
    main()
