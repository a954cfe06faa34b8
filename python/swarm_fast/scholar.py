"""The ``scholar:`` section (swarm-safety 1.9.0's
``swarm/core/scholar_handler.py``, ``ScholarConfig``, read by its loader's
``parse_scholar_config``): literature synthesis with retrievers,
synthesizers and verifiers.

The section is off when absent, empty or ``enabled: false`` (the loader
then builds no handler). The scholar agents (``families.py``: the agent types
``retriever``, ``synthesizer``, ``verifier``, ``adversarial_retriever``,
``adversarial_synthesizer``) run bit-exact either way as far as the
section is off: they see no query, so every turn is a NOOP, and they
answer proposals by trust (``rust/swarm-core/src/agents/scholar.rs``).

Switched on, the section is checked key by key (as ``ScholarConfig``
checks it, more strictly: no strings for numbers) and then refused: the
handler is not ported (see ``NOT_PORTED``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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

# Why the switched-on subsystem is refused. Traced in the reference on
# collaborative_chemistry.yaml and scholar_bench/: each epoch the first
# retriever's turn retrieves passages and the handler finalizes that as an
# interaction whose counterparty is "corpus"; once per run a synthesizer
# (counterparty "synthesis_engine") and a verifier ("verification_oracle",
# after a draw of its own stream) do the same. These interactions go
# through governance, payoffs and the metrics with fixed observables, and
# their counterparties are not agents: swarm_fast's core has no such
# parties.
NOT_PORTED = (
    "the scholar subsystem's handler is not ported: it turns retrievals, syntheses and "
    "citation checks into interactions with the non-agent parties 'corpus', "
    "'synthesis_engine' and 'verification_oracle', which swarm_fast's core cannot "
    "represent yet; remove the section or set scholar.enabled: false (the scholar agents "
    "then run bit-exact, as in the reference without the section)"
)


def parse(data: Mapping[str, Any]) -> None:
    """Check the section; refuse it when it switches the subsystem on."""
    from .scenario import _seed, _value, enabled_section  # shared checks (no cycle at import)

    section = enabled_section(data, "scholar")
    if section is None:
        return None
    for key, (kind, default, rng) in KEYS.items():
        value = section.get(key, default)
        where = f"scholar.{key}"
        if kind == "path":
            if value is not None and not isinstance(value, str):
                raise ScenarioError(where, f"expected a path (a string), got {short(value)}")
        elif kind == "seed":
            if value is not None:
                _seed(where, value)
        else:
            _value(where, value, kind, rng)
    raise ScenarioError("scholar", NOT_PORTED)
