"""Property-based tests of the input contract (issue 15), with Hypothesis.

Generated scenarios (mappings and YAML text), overrides, sweep grids and
API arguments -- wrong types, NaN and infinities, huge and negative
numbers, deep nesting, aliases, unicode, unknown and misspelt keys -- run
one by one in a worker subprocess with an address-space limit and a time
limit (tests/property_worker.py). Each case must end in one of:

- it ran;
- a documented error: ``ScenarioError`` (or its subclass
  ``ArgumentTypeError``) with a non-empty key and a bounded message;
- ``KeyboardInterrupt`` from the soft time limit while the core was running
  (a legitimately long run, stopped the way Ctrl-C stops it);

within bounded time -- never a signal (abort, crash), a hang, a slow
validation, or any other exception type. A run that succeeds must give the
same result when repeated, and a sweep the same frame on one thread.

Profiles: ``ci`` (the default; derandomized, a few hundred cases, a few
minutes on 2 cores) and ``long`` (``HYPOTHESIS_PROFILE=long``: 10,000
cases). ``SWARM_PROPERTY_COUNTS=path`` writes the outcome counts as JSON.
"""

from __future__ import annotations

import collections
import json
import math
import os
import pickle
import select
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

settings.register_profile(
    "ci",
    max_examples=1000,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=10_000,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SOFT_SECONDS = 3.0  # the worker's soft limit (then Ctrl-C inside a run)
HARD_SECONDS = 30.0  # no answer by then: a hang
MAX_MESSAGE = 1200
WORKER = Path(__file__).with_name("property_worker.py")

# ------------------------------------------------------------------ values

SPECIAL_INTS = [0, 1, -1, 2, 3, 2**31, 2**32 - 1, 2**32, 2**63 - 1, 2**63, 2**64, 10**7, 10**8]
SPECIAL_INTS += [10**5, 10**6, 10**9, -(2**63), 10**100]
SPECIAL_FLOATS = [math.nan, math.inf, -math.inf, 1e308, -1e308, 5e-324, -0.0, 0.5, 1.5, 1e9, 1e10]
SPECIAL_STRINGS = ["", "honest", "ring", "complete", "³", "١٢", "\x00", "🦀", "1", "0.5", "nan"]
SPECIAL_STRINGS += ["true", "agents", "small_world", "llm", "scale_free", "priority", "x" * 300]
RECIPES = [("__deep__", 65), ("__deep__", 501), ("__deep__", 1001), ("__deep__", 20000)]
RECIPES += [("__bomb__", 9, 9), ("__bomb__", 30, 10), ("__loop__",), ("__big__", 10**6)]
RECIPES += [("__hugeint__", 5000), ("__hugeint__", 10**5)]

# Mapping keys: mostly text, sometimes numbers, tuples or a huge int (recipe).
dict_keys = st.one_of(
    st.text(max_size=8),
    st.integers(),
    st.sampled_from([None, 1.5, math.nan, ("__hugeint__", 5000)]),
    st.tuples(st.just("__tuple__"), st.tuples(st.integers(), st.text(max_size=3))),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=20),
    st.integers(),
    st.sampled_from(SPECIAL_INTS),
    st.floats(),
    st.sampled_from(SPECIAL_FLOATS),
    st.text(max_size=12),
    st.sampled_from(SPECIAL_STRINGS),
)
values = st.one_of(
    scalars,
    st.sampled_from(RECIPES),
    st.recursive(
        scalars,
        lambda kids: st.lists(kids, max_size=4) | st.dictionaries(dict_keys, kids, max_size=4),
        max_leaves=8,
    ),
)

# ------------------------------------------------------------------ keys

AGENT_TYPES = ["honest", "opportunistic", "deceptive", "adversarial", "adaptive_adversary"]
AGENT_TYPES += ["cautious", "cautious_reciprocator", "threshold_dancer", "llm", "nope"]
KNOWN = """
scenario_id simulation.seed simulation.n_epochs simulation.steps_per_epoch simulation.schedule_mode
simulation.max_actions_per_step simulation.observation_noise_probability
simulation.observation_noise_std agents agents.0 agents.0.type agents.0.count agents.0.name
agents.0.config agents.0.config.acceptance_threshold agents.0.config.target_honest agents.1.count
agents[1].config.threshold governance governance.transaction_tax_rate governance.transaction_tax
governance.reputation_decay governance.audit_enabled governance.audit_probability
governance.audit_penalty_multiplier governance.circuit_breaker_enabled
governance.freeze_threshold_violations governance.staking_enabled
governance.min_stake_to_participate governance.collusion_detection_enabled
governance.collusion_min_interactions governance.security_enabled governance.rbac_role_action_map
governance.adaptive_governance_enabled payoff payoff.s_plus payoff.s_minus payoff.h payoff.theta
payoff.w_rep rate_limits.interactions_per_step rate_limits.posts_per_epoch network
network.topology network.params.k network.k_neighbors network.params.p network.edge_probability
network.dynamic network.enabled marketplace marketplace.enabled marketplace.escrow_fee_rate
success_criteria.min_epochs success_criteria.toxicity_threshold outputs.graph_memory_path
moltipedia moltipedia.enabled perturbations.agent_dropout.enabled
""".split()
WEIRD_KEYS = ["", ".", "..", "agents.³.count", "agents[99].count", "agents.-1.count", "x" * 2000]
WEIRD_KEYS += ["governance.", ".governance", "agents[0]]", "simulation.seed.x", "payoff.theta[0]"]


@st.composite
def typo(draw: Any) -> str:
    key = draw(st.sampled_from(KNOWN))
    if not key:
        return "x"
    i = draw(st.integers(0, len(key) - 1))
    op = draw(st.sampled_from(["drop", "swap", "insert"]))
    if op == "drop":
        return key[:i] + key[i + 1 :]
    if op == "swap" and i + 1 < len(key):
        return key[:i] + key[i + 1] + key[i] + key[i + 2 :]
    return key[:i] + draw(st.sampled_from("aeiouxyz._")) + key[i:]


keys = st.one_of(st.sampled_from(KNOWN), typo(), st.sampled_from(WEIRD_KEYS), st.text(max_size=20))

# ------------------------------------------------------------------ scenarios


@st.composite
def base_scenario(draw: Any) -> dict[str, Any]:
    agents = [
        {"type": draw(st.sampled_from(AGENT_TYPES[:8])), "count": draw(st.integers(0, 4))}
        for _ in range(draw(st.integers(1, 3)))
    ]
    agents[0]["count"] = max(1, agents[0]["count"])
    data: dict[str, Any] = {
        "scenario_id": "prop",
        "simulation": {
            "seed": draw(st.integers(0, 2**20)),
            "n_epochs": draw(st.integers(0, 3)),
            "steps_per_epoch": draw(st.integers(0, 5)),
        },
        "agents": agents,
    }
    if draw(st.booleans()):
        data["governance"] = {
            "transaction_tax_rate": draw(st.sampled_from([0.0, 0.1])),
            "audit_enabled": draw(st.booleans()),
            "circuit_breaker_enabled": draw(st.booleans()),
            "collusion_detection_enabled": draw(st.booleans()),
        }
    if draw(st.booleans()):
        data["network"] = {
            "topology": draw(st.sampled_from(["complete", "ring", "small_world", "star"])),
            "dynamic": draw(st.booleans()),
        }
    if draw(st.integers(0, 4)) == 0:
        data["marketplace"] = {"enabled": True}
    return data


def set_path(data: Any, key: str, value: Any) -> None:
    """Put ``value`` at a dotted path, creating mappings; skip what cannot hold it."""
    parts = [p for p in key.replace("[", ".").replace("]", "").split(".") if p]
    node = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            if not part.isdecimal() or int(part) >= len(node):
                return
            if last:
                node[int(part)] = value
                return
            node = node[int(part)]
        elif isinstance(node, dict):
            if last:
                node[part] = value
                return
            if not isinstance(node.get(part), (dict, list)):
                node[part] = {}
            node = node[part]
        else:
            return


@st.composite
def scenario(draw: Any) -> Any:
    data = draw(base_scenario())
    for _ in range(draw(st.integers(0, 3))):
        set_path(data, draw(keys), draw(values))
    if draw(st.integers(0, 20)) == 0:
        return draw(values)  # not a mapping at all
    return data


def bomb_yaml(levels: int, width: int, where: str) -> str:
    lines = ['b0: &a0 ["lol"]']
    for i in range(1, levels + 1):
        lines.append(f"b{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n" + where.replace("BOMB", f"*a{levels}") + "\n"


def plain(v: Any) -> Any:
    """Recipes as YAML-dumpable values."""
    if isinstance(v, tuple):
        return list(map(str, v))
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    return v


@st.composite
def yaml_text(draw: Any) -> str:
    choice = draw(st.integers(0, 9))
    if choice <= 4:
        try:
            text = yaml.safe_dump(plain(draw(scenario())), allow_unicode=True)
        except (yaml.YAMLError, ValueError, RecursionError):
            text = "agents: [{type: honest}]\n"
        if draw(st.booleans()):
            text += draw(st.sampled_from(["foo: 1\n", "governance: {audit_probabilty: 0.2}\n"]))
        return text
    if choice == 5:
        where = draw(
            st.sampled_from(
                ["simulation: {seed: BOMB}", "scenario_id: BOMB", "agents: [BOMB]", "BOMB : 1"]
            )
        )
        return bomb_yaml(draw(st.integers(2, 12)), draw(st.integers(2, 12)), where)
    if choice == 6:
        depth = draw(st.sampled_from([10, 64, 65, 500, 1000, 50000]))
        return "agents: " + "[" * depth + "]" * depth + "\n"
    if choice == 7:
        return draw(
            st.sampled_from(
                [
                    "agents: !!python/object/apply:os.system ['true']\n",
                    "x: &x [*x]\nagents: [{type: honest}]\n",
                    "simulation: {seed: " + "9" * 5000 + "}\nagents: [{type: honest}]\n",
                    "agents: [{type: honest, count: .nan}]\n",
                    "agents: [{type: honest, count: 1e400}]\n",
                    "\tagents: 1\n",
                    "agents: [{type: honest}]\nagents: [{type: honest}]\n",
                    "- 1\n- 2\n",
                    "",
                    "%YAML 9.9\n---\nagents: []\n",
                ]
            )
        )
    return draw(st.text(max_size=200))


run_kwargs = st.fixed_dictionaries(
    {},
    optional={
        "seed": st.one_of(st.integers(0, 1000), values),
        "epochs": st.one_of(st.integers(0, 4), values),
        "steps": st.one_of(st.integers(0, 6), values),
        "record_interactions": st.one_of(st.booleans(), values),
    },
)
seeds_arg = st.one_of(
    st.lists(st.integers(0, 100), min_size=1, max_size=3),
    st.tuples(st.just("__range__"), st.integers(-2, 3), st.integers(0, 4)),
    st.lists(values, max_size=3),
    values,
)
grid_arg = st.one_of(
    st.none(),
    values,
    st.dictionaries(keys, st.one_of(st.lists(values, max_size=3), values), min_size=1, max_size=2),
)
sweep_kwargs = st.fixed_dictionaries(
    {"seeds": seeds_arg, "epochs": st.one_of(st.integers(0, 3), values)},
    optional={
        "grid": grid_arg,
        "steps": st.one_of(st.integers(0, 5), values),
        "chunk_size": st.one_of(st.integers(1, 4), values),
        "threads": st.one_of(st.integers(0, 2), values),
        "per_epoch": st.one_of(st.booleans(), values),
    },
)
bundled = st.sampled_from(["baseline", "strict_governance", "collusion_detection"])
cases = st.one_of(
    st.tuples(st.just("load"), scenario()),
    st.tuples(st.just("yaml"), yaml_text()),
    st.tuples(
        st.just("path"),
        st.one_of(
            st.text(max_size=50),
            st.sampled_from(["/dev/zero", "/dev/null", "/", "/proc/self/mem", "x" * 300, "a\0b"]),
            values,
        ),
    ),
    st.tuples(
        st.just("override"),
        st.one_of(bundled, base_scenario()),
        st.one_of(st.dictionaries(keys, values, max_size=3), values),
    ),
    st.tuples(st.just("run"), st.one_of(bundled, scenario()), run_kwargs),
    st.tuples(st.just("sweep"), st.one_of(bundled, base_scenario()), sweep_kwargs),
)

# ------------------------------------------------------------------ the worker


class Worker:
    """One long-lived worker subprocess; restarted after a failure."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> subprocess.Popen[bytes]:
        if self.proc is None or self.proc.poll() is not None:
            env = {**os.environ, "SWARM_PROPERTY_SOFT": str(SOFT_SECONDS)}
            self.proc = subprocess.Popen(
                [sys.executable, str(WORKER)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
            )
        return self.proc

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def ask(self, case: Any) -> dict[str, Any]:
        proc = self.start()
        blob = pickle.dumps(case)
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(struct.pack(">I", len(blob)) + blob)
            proc.stdin.flush()
        except BrokenPipeError:
            pass
        t0 = time.monotonic()
        ready, _, _ = select.select([proc.stdout], [], [], HARD_SECONDS)
        if not ready:
            self.stop()
            return {"outcome": "hang", "seconds": time.monotonic() - t0}
        line = proc.stdout.readline()
        if not line:
            code = proc.wait()
            self.proc = None
            return {"outcome": "died", "returncode": code}
        return json.loads(line)


WORKER_PROCESS = Worker()
COUNTS: collections.Counter[str] = collections.Counter()
SLOWEST = [0.0]


@pytest.fixture(scope="module", autouse=True)
def report_counts() -> Any:
    t0 = time.monotonic()
    yield
    WORKER_PROCESS.stop()
    summary = {
        "profile": os.environ.get("HYPOTHESIS_PROFILE", "ci"),
        "cases": sum(v for k, v in COUNTS.items() if k.startswith("outcome:")),
        "counts": dict(sorted(COUNTS.items())),
        "slowest_case_seconds": round(SLOWEST[0], 3),
        "wall_seconds": round(time.monotonic() - t0, 1),
    }
    print("\nproperty suite:", json.dumps(summary, indent=1))
    path = os.environ.get("SWARM_PROPERTY_COUNTS")
    if path:
        Path(path).write_text(json.dumps(summary, indent=1))


def check(case: Any) -> None:
    result = WORKER_PROCESS.ask(case)
    outcome = result["outcome"]
    COUNTS[f"outcome:{outcome}"] += 1
    COUNTS[f"kind:{case[0]}:{outcome}"] += 1
    SLOWEST[0] = max(SLOWEST[0], result.get("seconds", 0.0))
    if outcome == "error":
        COUNTS[f"error:{result['type']}"] += 1
        assert result["key"], result
        assert result["length"] <= MAX_MESSAGE, result
        assert result["seconds"] < SOFT_SECONDS + 1, result
    elif outcome in ("ok", "interrupted"):
        # Interrupted only inside a run (the worker tells), within the
        # soft limit plus the core's Ctrl-C latency.
        assert result["seconds"] < SOFT_SECONDS + 2, result
    else:  # hang, died (a signal), slow validation, undocumented exception
        raise AssertionError(f"{outcome}: {result} for case {case!r:.2000}")


@PROFILE
@given(case=cases)
def test_public_api_contract(case: Any) -> None:
    check(case)


@pytest.mark.parametrize(
    "case",
    [
        ("run", "baseline", {"seed": 1, "epochs": 2**31, "steps": 0}),
        ("run", "baseline", {"seed": 1, "epochs": 1, "steps": 2**31, "record_interactions": True}),
        ("load", {"agents": [{"type": "honest", "count": 10**7}], "simulation": {"seed": 1}}),
        ("run", {"agents": [{"type": "honest", "count": 10**7}]}, {"seed": 1}),
        ("yaml", bomb_yaml(9, 9, "agents: [BOMB]")),
        ("path", "/dev/zero"),
        ("sweep", "baseline", {"grid": "payoff.theta", "seeds": [1]}),
        ("sweep", "baseline", {"seeds": "12"}),
        ("override", "baseline", {"agents.³.count": 1}),
        ("load", {"agents": [{"type": "honest"}], "x": ("__deep__", 1001)}),
    ],
)
def test_issue_inputs_through_the_worker(case: Any) -> None:
    """The issue's own inputs, through the same subprocess harness."""
    check(case)
