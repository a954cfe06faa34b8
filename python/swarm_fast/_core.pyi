"""Type stub for the compiled core (private: use the ``swarm_fast`` API)."""

from typing import Any, Callable

import numpy as np

__version__: str

ProgressCallback = Callable[[int, int], Any]

def run(config_json: str, progress: ProgressCallback | None = ...) -> dict[str, Any]:
    """Run one normalised configuration; columns come back as numpy arrays.
    ``progress(epochs_done, n_epochs)`` is called about every 50 ms."""

class Config:
    """A configuration parsed and checked once, for repeated runs."""

    def __init__(self, config_json: str) -> None: ...

def run_config(
    config: Config,
    seed: int,
    n_epochs: int,
    steps_per_epoch: int,
    record_interactions: bool,
    progress: ProgressCallback | None = ...,
    record_agent_epochs: bool = ...,
) -> dict[str, Any]:
    """Run a parsed configuration with these per-run keys;
    ``progress(epochs_done, n_epochs)`` as for :func:`run`.
    ``record_agent_epochs`` adds ``agent_epochs``: every agent's reputation,
    resources and frozen flag at each epoch's end, epoch-major."""

def run_batch(
    config_jsons: list[str], threads: int = ..., progress: ProgressCallback | None = ...
) -> list[dict[str, Any]]:
    """Run many configurations in parallel; results in input order.
    ``progress(runs_done, runs)``."""

def interaction_type_names() -> list[str]: ...
def _py_random_ops(seed: int, ops: list[tuple[Any, ...]]) -> list[Any]: ...
def _pcg64_ops(seed: int, ops: list[tuple[Any, ...]]) -> list[Any]: ...
def _np_pairwise_sum(a: list[float]) -> float: ...
def _np_mean(a: list[float]) -> float: ...
def _np_std(a: list[float]) -> float: ...
def _np_corrcoef_01(x: list[float], y: list[float]) -> float: ...

_Array = np.ndarray
