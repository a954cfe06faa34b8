"""swarm_fast: the SWARM multi-agent safety simulator (swarm-safety 1.9.0),
bit for bit, with a Rust core.

>>> import swarm_fast
>>> result = swarm_fast.run("baseline", seed=42, epochs=20, steps=15)
>>> result.summary["toxicity"]
"""

from __future__ import annotations

from ._core import __version__
from .errors import ArgumentTypeError, ScenarioError, ScenarioWarning
from .results import RunResult
from .run import run
from .scenario import PAPER_SCENARIOS, Scenario, bundled_scenarios, load_scenario

__all__ = [
    "PAPER_SCENARIOS",
    "ArgumentTypeError",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "ScenarioWarning",
    "__version__",
    "bundled_scenarios",
    "calibrate",
    "load_scenario",
    "proxy_gaming",
    "run",
    "sweep",
    "sweep_to_parquet",
]

# The sweep functions live in `swarm_fast.sweeps`, which imports polars
# (~0.2 s): they load on first use so `import swarm_fast` stays quick.
_LAZY = {"sweep": "sweeps", "sweep_to_parquet": "sweeps", "calibrate": "calibrate"}


def __getattr__(name: str):
    # `swarm_fast.proxy_gaming` is the experiment's module, callable as its
    # main function (see there); imported on first use, as it loads numpy.
    if name == "proxy_gaming":
        import importlib

        return importlib.import_module(".proxy_gaming", __name__)
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
