"""The `scale_free` network topology (issue 17, casestudy_libel_cascade),
live against swarm-safety 1.9.0: the library file as written at several
seeds, and variants of its own (other m, more agents, static network, the
complete-graph fallback, without its levers), compared with exact float
equality; bad values name their key."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

import swarm_fast
from swarm_fast import ScenarioError, load_scenario

from parity_check import assert_same
from reference_harness import run_reference

LIBEL = Path(__file__).parent / "scenarios" / "library" / "casestudy_libel_cascade.yaml"


def libel() -> dict[str, Any]:
    d = yaml.safe_load(LIBEL.read_text())
    d.pop("outputs", None)
    return d


def both(d: dict[str, Any], **run_args: Any):
    ours = swarm_fast.run(load_scenario(d), record_interactions=True, **run_args)
    return ours, run_reference(d, **run_args)


@pytest.mark.filterwarnings("ignore::swarm_fast.ScenarioWarning")
@pytest.mark.parametrize("seed,epochs", [(42, 25), (7, 10), (2024, 10)])
def test_libel_cascade_file(seed: int, epochs: int) -> None:
    """The file itself: scale-free m=2, dynamic, moltbook, security,
    collusion, audits, circuit breaker and signal corruption."""
    d = libel()
    assert d["network"]["topology"] == "scale_free"
    assert_same(*both(d, seed=seed, epochs=epochs, steps=10))


def _honest_only(d: dict[str, Any]) -> dict[str, Any]:
    """Levers off: what is left is the network and the core agents."""
    for key in ("moltbook", "perturbations", "rate_limits", "success_criteria"):
        d.pop(key, None)
    d["governance"] = {"transaction_tax_rate": 0.03}
    return d


VARIANTS: list[tuple[str, Any]] = [
    ("network.params.m", 1),
    ("network.params.m", 3),
    ("network.params", {"m_edges": 4}),  # the long alias inside params
    ("network.params", None),  # flat m_edges below, or the default 2
    ("network.m_edges", 5),
    ("network.params.m", 12),  # n <= m: the reference's complete graph
    ("network.dynamic", False),
    ("agents.2.count", 40),  # more agents: a longer tail
    ("agents.0.count", 6),
    ("levers_off", None),
]


def _apply(d: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    d = copy.deepcopy(d)
    if key == "levers_off":
        return _honest_only(d)
    *path, last = key.split(".")
    node: Any = d
    for part in path:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if value is None:
        node.pop(last)
    else:
        node[last] = value
    return d


@pytest.mark.filterwarnings("ignore::swarm_fast.ScenarioWarning")
@pytest.mark.parametrize("seed", [42, 5])
@pytest.mark.parametrize("key,value", VARIANTS, ids=[f"{k}={v}" for k, v in VARIANTS])
def test_scale_free_variants(key: str, value: Any, seed: int) -> None:
    d = _apply(libel(), key, value)
    assert d["network"]["topology"] == "scale_free"
    assert_same(*both(d, seed=seed, epochs=6, steps=8))


@pytest.mark.parametrize(
    "network,key",
    [
        ({"topology": "scale_free", "params": {"m": 0}}, "network.params.m"),
        ({"topology": "scale_free", "params": {"m_edges": "two"}}, "network.params.m_edges"),
        ({"topology": "scale_free", "m_edges": -1}, "network.m_edges"),
        ({"topology": "scale_free", "m_edges": 1.5}, "network.m_edges"),
        ({"topology": "scale_free", "params": [2]}, "network.params"),
    ],
)
def test_bad_scale_free_keys_are_named(network: dict[str, Any], key: str) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario({"agents": [{"type": "honest", "count": 3}], "network": network})
    assert key in str(err.value)


@pytest.mark.filterwarnings("ignore::swarm_fast.ScenarioWarning")
@pytest.mark.parametrize("seed", [8, 123])
@pytest.mark.parametrize("mode", ["random_fragment", "bisect", "isolate_type"])
def test_scale_free_with_a_partition(mode: str, seed: int) -> None:
    """casestudy_proxy_corruption on a scale-free network, cut at epoch 2
    (random_fragment walks each agent's neighbours in insertion order, which
    the build must reproduce)."""
    path = LIBEL.parent / "casestudy_proxy_corruption.yaml"
    d = yaml.safe_load(path.read_text())
    d.pop("outputs", None)
    d["network"]["topology"] = "scale_free"
    d["network"]["params"] = {"m": 2}
    part = d["perturbations"]["network_partition"]
    part.update({"mode": mode, "at_epoch": 2, "heal_after_epochs": 3})
    assert_same(*both(d, seed=seed, epochs=8, steps=8))
