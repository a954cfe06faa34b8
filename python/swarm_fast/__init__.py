"""swarm_fast: the SWARM multi-agent safety simulator (swarm-safety 1.9.0),
bit for bit, with a Rust core.

>>> import swarm_fast
>>> result = swarm_fast.run("baseline", seed=42, epochs=20, steps=15)
>>> result.summary["toxicity"]
"""

from __future__ import annotations

from ._core import __version__
from .errors import ScenarioError
from .proxy_gaming import proxy_gaming
from .results import RunResult
from .run import run
from .scenario import PAPER_SCENARIOS, Scenario, bundled_scenarios, load_scenario

__all__ = [
    "PAPER_SCENARIOS",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "__version__",
    "bundled_scenarios",
    "load_scenario",
    "proxy_gaming",
    "run",
]
