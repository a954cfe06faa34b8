"""The ``scholar:`` section (swarm-safety 1.9.0's
``swarm/core/scholar_handler.py``, ``ScholarConfig``, read by its loader's
``parse_scholar_config``): literature synthesis with retrievers,
synthesizers and verifiers.

The section is off when absent, empty or ``enabled: false`` (the loader
then builds no handler). The scholar agents (``families.py``: the agent
types ``retriever``, ``synthesizer``, ``verifier``, ``adversarial_retriever``,
``adversarial_synthesizer``) then see no query, so every turn is a NOOP,
and they answer proposals by trust (``rust/swarm-core/src/agents/scholar.rs``).

Switched on, the section is checked key by key (as ``ScholarConfig``
checks it, more strictly: no strings for numbers) and the handler runs in
``rust/swarm-core/src/scholar.rs``, on the reference's built-in corpus and
queries; what it does not run with is refused (``check_compat``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .combinations import EVERY_FEATURE, refuse_beside
from .errors import ScenarioError
from .limits import short

# key -> (kind, default, (low, low_is_strict, high)); "path" is a string or
# null (the reference falls back on its built-in corpus and queries when
# the path is absent or does not exist).
KEYS: dict[str, tuple[str, Any, tuple[Any, bool, Any]]] = {
    "corpus_path": ("path", None, (None, False, None)),
    "dataset_path": ("path", None, (None, False, None)),
    "top_k": ("int", 30, (1, False, None)),
    "entailment_threshold": ("float", 0.7, (0.0, False, 1.0)),
    "seed": ("seed", None, (None, False, None)),
}


def parse(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The core's ``ScholarConfig``, or None when the subsystem is off."""
    from .scenario import _value, enabled_section  # shared checks (no cycle at import)

    section = enabled_section(data, "scholar")
    if section is None:
        return None
    out: dict[str, Any] = {}
    for key, (kind, default, rng) in KEYS.items():
        value = section.get(key, default)
        where = f"scholar.{key}"
        if kind == "path":
            if value is not None and not isinstance(value, str):
                raise ScenarioError(where, f"expected a path (a string), got {short(value)}")
            if value is not None:
                raise ScenarioError(
                    where,
                    "loading a corpus or query file is not ported: swarm_fast runs the "
                    "scholar handler on the reference's built-in corpus and queries only "
                    "(leave the key out)",
                )
        elif kind == "seed":
            # Seeds a stream the handler never draws from (any integer,
            # as random.Random takes).
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise ScenarioError(where, f"expected an integer seed, got {short(value)}")
        else:
            value = _value(where, value, kind, rng)
            out[key] = value
    return out


def check_compat(config: Mapping[str, Any]) -> None:
    """What the ported handler does not run with, refused naming the key.
    Its interactions have a counterparty that is no agent, and only the
    parts of the core checked against the reference with such parties
    take them."""
    if config.get("scholar") is None:
        return
    refuse_beside(
        config,
        EVERY_FEATURE,
        lambda key: (
            "not supported by swarm_fast together with the scholar handler, whose "
            "interactions have parties that are not agents; switch one of them off"
        ),
    )
