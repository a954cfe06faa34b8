"""Hostile and mistaken input (issue 15): every input of the issue's "Why"
list gets a clear error naming the key, within bounded time, memory and
message size; never an abort, a hang, a raw Python error or a silent no-op.

Runs that could take memory run in a subprocess with an address-space
limit, so that a regression fails the test instead of the machine.
"""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

import swarm_fast
from swarm_fast import ScenarioError, ScenarioWarning, load_scenario, run
from swarm_fast.errors import ArgumentTypeError
from swarm_fast.limits import MAX_DEPTH, MAX_FILE_BYTES, available_memory, short
from swarm_fast.sweeps import sweep

ONE = [{"type": "honest", "count": 2}]
SEEDED = {"agents": ONE, "simulation": {"seed": 1, "n_epochs": 1, "steps_per_epoch": 1}}
MAX_MESSAGE = 1200  # a key (<= 200) and a message (<= 1000)


def refused(fn: Any, key: str, *, within: float = 5.0) -> ScenarioError:
    """``fn()`` raises ScenarioError naming ``key`` (a prefix of the key),
    quickly and with a bounded message."""
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        with pytest.raises(ScenarioError) as e:
            fn()
    assert time.perf_counter() - t0 < within
    assert e.value.key.startswith(key), (e.value.key, key)
    assert len(str(e.value)) <= MAX_MESSAGE
    return e.value


def in_subprocess(code: str, headroom_mib: int = 1024, timeout: float = 120) -> str:
    """Run ``code`` in a fresh interpreter whose address space is limited to
    its size after ``import swarm_fast`` plus ``headroom_mib``; return its
    stdout. A signal (an abort) or a timeout fails the test."""
    prelude = textwrap.dedent(
        f"""
        import resource, warnings
        import swarm_fast
        warnings.simplefilter("ignore")
        def _vm():
            for line in open("/proc/self/status"):
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
        _limit = _vm() + {headroom_mib} * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (_limit, resource.RLIM_INFINITY))
        """
    )
    p = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert p.returncode == 0, (p.returncode, p.stderr[-2000:])
    return p.stdout


# ------------------------------------------------------------ aborts (memory)


def test_epochs_beyond_memory_are_refused_not_reserved() -> None:
    e = refused(lambda: run("baseline", seed=1, epochs=2**31, steps=0), "epochs")
    assert "GiB" in e.message and "available" in e.message


def test_n_epochs_in_a_file_beyond_memory(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text("agents: [{type: honest}]\nsimulation: {seed: 1, n_epochs: 4294967295}\n")
    refused(lambda: run(load_scenario(f)), "simulation.n_epochs")


@pytest.mark.parametrize("count", [10**7, 10**8])
def test_agent_counts_beyond_memory(count: int) -> None:
    free = available_memory()
    if free is not None and count * 2_600 < free:
        pytest.skip("this machine has room for these agents")
    e = refused(lambda: run({**SEEDED, "agents": [{"type": "honest", "count": count}]}), "agents")
    assert e.key == "agents[0].count"
    assert f"{count} agents need ≈" in e.message and "GiB" in e.message


@pytest.mark.parametrize("count", [10**8 + 1, 2**32, 2**63 - 1, 2**64, 10**100])
def test_agent_counts_have_a_documented_upper_bound(count: int) -> None:
    refused(
        lambda: load_scenario({**SEEDED, "agents": [{"type": "honest", "count": count}]}),
        "agents[0].count",
    )


def test_total_agents_have_an_upper_bound() -> None:
    agents = [{"type": "honest", "count": 6 * 10**7}, {"type": "deceptive", "count": 6 * 10**7}]
    refused(lambda: load_scenario({**SEEDED, "agents": agents}), "agents")


def test_memory_estimate_respects_the_address_space_limit() -> None:
    out = in_subprocess(
        """
        try:
            many = {"agents": [{"type": "honest", "count": 2_000_000}]}
            swarm_fast.run(many, seed=1, epochs=1, steps=1)
        except swarm_fast.ScenarioError as e:
            print(e.key)
        """,
        headroom_mib=1024,
    )
    assert out.strip() == "agents[0].count"


def test_a_trace_that_outgrows_memory_is_an_error_not_an_abort() -> None:
    out = in_subprocess(
        """
        try:
            swarm_fast.run("baseline", seed=1, epochs=1, steps=2**31, record_interactions=True)
        except swarm_fast.ScenarioError as e:
            print(e.key)
        """,
        headroom_mib=600,
    )
    assert out.strip() == "record_interactions"


def test_the_core_reserves_the_trace_fallibly() -> None:
    # Without the Python-side budget the core must still stop with an error:
    # its memory watch (or, failing that, the trace's fallible growth) turns
    # the growth into an error; an abort kills the subprocess and fails
    # in_subprocess.
    out = in_subprocess(
        """
        sc = swarm_fast.load_scenario("baseline")
        try:
            swarm_fast._core.run_config(sc._core(), 1, 1, 2**31, True)
        except swarm_fast.ScenarioError as e:
            print(e.key)
        """,
        headroom_mib=400,
    )
    assert out.strip() in ("simulation.n_epochs", "record_interactions")


# ------------------------------------------------------- hangs, huge messages


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    lines = ['a0: &a0 ["lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines)


@pytest.mark.parametrize(
    "where",
    ["simulation:\n  seed: *a9", "scenario_id: *a9", "*a9 : 1", "agents:\n  - *a9", "agents: *a9"],
)
def test_yaml_alias_bombs_are_refused_quickly(tmp_path: Path, where: str) -> None:
    f = tmp_path / "bomb.yaml"
    f.write_text("bombs:\n" + textwrap.indent(alias_bomb(), "  ") + "\n" + where + "\n")
    e = refused(lambda: load_scenario(f), str(f), within=2.0)
    assert "expands to more than" in e.message


def test_aliased_python_structures_are_refused_quickly() -> None:
    x: Any = ["lol"]
    for _ in range(30):
        x = [x] * 10
    refused(lambda: load_scenario({**SEEDED, "agents": [x]}), "<scenario>", within=2.0)
    refused(
        lambda: load_scenario("baseline").with_overrides({"simulation.seed": x}),
        "simulation.seed",
        within=2.0,
    )
    refused(lambda: sweep("baseline", grid={"payoff.theta": [x]}, seeds=[1]), "grid", within=2.0)


def test_a_recursive_structure_is_refused() -> None:
    loop: list[Any] = []
    loop.append(loop)
    refused(lambda: load_scenario({**SEEDED, "extra": loop}), "<scenario>")


def test_a_recursive_yaml_alias_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "loop.yaml"
    f.write_text("x: &x [*x]\nagents: [{type: honest}]\n")
    refused(lambda: load_scenario(f), str(f))


@pytest.mark.parametrize(
    "data, key",
    [
        ({**SEEDED, "governance": "x" * 10**6}, "governance"),
        ({**SEEDED, "agents": [{"type": "x" * 10**6}]}, "agents[0].type"),
        ({**SEEDED, "payoff": {"theta": "x" * 10**6}}, "payoff.theta"),
        ({**SEEDED, "scenario_id": list(range(10**6))}, "<scenario>"),
        ({**SEEDED, "simulation": {"seed": 10**5000}}, "simulation.seed"),
    ],
)
def test_error_messages_are_bounded(data: dict[str, Any], key: str) -> None:
    refused(lambda: load_scenario(data), key)


def test_short_repr_is_bounded_and_never_calls_unknown_reprs() -> None:
    class Evil:
        def __repr__(self) -> str:
            raise AssertionError("called")

    assert len(short("x" * 10**6)) <= 200
    assert len(short([[list(range(1000))] * 1000] * 1000)) <= 200
    assert short(Evil()) == "<Evil object>"
    assert "bits" in short(10**100000)


def test_dev_zero_and_non_regular_files_are_refused_before_reading(tmp_path: Path) -> None:
    e = refused(lambda: load_scenario("/dev/zero"), "/dev/zero", within=1.0)
    assert "not a regular file" in e.message
    refused(lambda: load_scenario(tmp_path), str(tmp_path))


def test_files_above_the_size_limit_are_refused(tmp_path: Path) -> None:
    f = tmp_path / "big.yaml"
    with open(f, "wb") as out:
        out.truncate(MAX_FILE_BYTES + 1)
    e = refused(lambda: load_scenario(f), str(f), within=1.0)
    assert str(MAX_FILE_BYTES) in e.message


# ------------------------------------------------------------ raw Python errors


def nested(depth: int) -> Any:
    x: Any = 1
    for _ in range(depth):
        x = {"a": x}
    return x


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 500, 1000, 100_000])
def test_deep_nesting_in_a_dict_an_override_or_a_file(tmp_path: Path, depth: int) -> None:
    refused(lambda: load_scenario({**SEEDED, "extra": nested(depth)}), "<scenario>.extra")
    base = load_scenario(SEEDED)
    refused(lambda: base.with_overrides({"simulation.seed": nested(depth)}), "simulation.seed")
    f = tmp_path / "deep.yaml"
    f.write_text("x: " + "[" * depth + "]" * depth + "\n")
    e = refused(lambda: load_scenario(f), str(f), within=1.0)
    assert "nested more than" in e.message
    f.write_text("x: " + "{a: " * depth + "}" * depth + "\n")
    refused(lambda: load_scenario(f), str(f), within=1.0)


def test_a_list_as_agent_type() -> None:
    refused(lambda: load_scenario({**SEEDED, "agents": [{"type": ["honest"]}]}), "agents[0].type")


@pytest.mark.parametrize("grid", ["payoff.theta", 5, ["payoff.theta"], {1: [1]}])
def test_a_grid_of_the_wrong_type(grid: Any) -> None:
    with pytest.raises(ArgumentTypeError) as e:
        sweep("baseline", grid=grid, seeds=[1])
    assert e.value.key == "grid" and isinstance(e.value, TypeError)


@pytest.mark.parametrize(
    "grid, key",
    [
        ({"payoff.theta": "0.1"}, "grid['payoff.theta']"),
        ({"payoff.theta": 0.1}, "grid['payoff.theta']"),
        ({"payoff.theta": []}, "grid['payoff.theta']"),
    ],
)
def test_grid_values_must_be_lists(grid: Any, key: str) -> None:
    refused(lambda: sweep("baseline", grid=grid, seeds=[1]), key)


@pytest.mark.parametrize(
    "seeds, key",
    [
        (None, "seeds"),
        (5, "seeds"),
        ("12", "seeds"),
        (1.9, "seeds"),
        (["a"], "seeds[0]"),
        ([math.nan], "seeds[0]"),
        ([1.9], "seeds[0]"),
        ([1, True], "seeds[1]"),
        ([-1], "seeds[0]"),
        ([2**63], "seeds[0]"),
        ([], "seeds"),
        ({"a": 1}, "seeds"),
    ],
)
def test_seeds_must_be_an_iterable_of_ints(seeds: Any, key: str) -> None:
    e = refused(lambda: sweep("baseline", seeds=seeds, epochs=1, steps=1), key)
    if key == "seeds" and seeds != []:
        assert isinstance(e, TypeError)


@pytest.mark.parametrize(
    "kwargs, key",
    [
        ({"epochs": 1.5}, "epochs"),
        ({"epochs": "3"}, "epochs"),
        ({"epochs": -1}, "epochs"),
        ({"steps": math.inf}, "steps"),
        ({"steps": 2**40}, "steps"),
        ({"chunk_size": 0}, "chunk_size"),
        ({"chunk_size": 1.0}, "chunk_size"),
        ({"threads": -1}, "threads"),
        ({"threads": "4"}, "threads"),
        ({"per_epoch": "yes"}, "per_epoch"),
        ({"progress": None}, "progress"),
        ({"on_chunk": 5}, "on_chunk"),
    ],
)
def test_sweep_arguments_are_checked_by_name(kwargs: dict[str, Any], key: str) -> None:
    refused(lambda: sweep("baseline", seeds=[1], **kwargs), key)


@pytest.mark.parametrize(
    "kwargs, key",
    [
        ({"seed": 1.9}, "seed"),
        ({"seed": "1"}, "seed"),
        ({"seed": math.nan}, "seed"),
        ({"seed": -1}, "seed"),
        ({"epochs": 2.5}, "epochs"),
        ({"steps": -3}, "steps"),
        ({"steps": 2**32}, "steps"),
        ({"record_interactions": 1}, "record_interactions"),
    ],
)
def test_run_arguments_are_checked_by_name(kwargs: dict[str, Any], key: str) -> None:
    refused(lambda: run("baseline", **{"seed": 1, **kwargs}), key)


@pytest.mark.parametrize("scenario", [None, 5, 1.5, b"baseline", ["baseline"]])
def test_run_scenario_argument(scenario: Any) -> None:
    with pytest.raises(ArgumentTypeError) as e:
        run(scenario, seed=1)
    assert e.value.key == "scenario"


def test_long_paths_are_a_scenario_error() -> None:
    refused(lambda: load_scenario("x" * 300), "xxx")
    refused(lambda: load_scenario("/tmp/" + "x" * 5000 + "/s.yaml"), "/tmp/")
    refused(lambda: load_scenario("a\0b"), "a")


@pytest.mark.parametrize(
    "key, named",
    [
        ("agents.³.count", "agents.³"),
        ("agents.٣.count", "agents.٣"),
        ("", "overrides"),
        (".", "overrides"),
        ("governance..audit_probability", "overrides"),
        ("agents.0.count.x", "agents[0].count.x"),
    ],
)
def test_malformed_override_keys(key: str, named: str) -> None:
    e = refused(lambda: load_scenario(SEEDED).with_overrides({key: 1}), named)
    assert e.key


def test_non_string_override_keys_and_non_mapping_overrides() -> None:
    with pytest.raises(ArgumentTypeError):
        load_scenario(SEEDED).with_overrides({1: 1})
    with pytest.raises(ArgumentTypeError):
        load_scenario(SEEDED).with_overrides([("payoff.theta", 0.1)])


# ------------------------------------------------------------ silently wrong


@pytest.mark.parametrize(
    "key, suggestion",
    [
        ("governance.audit_probabilty", "governance.audit_probability"),
        ("agents.0.cuont", "agents[0].count"),
        ("simulation.n_epoch", "simulation.n_epochs"),
        ("agents.0.config.acceptance_treshold", "agents[0].config.acceptance_threshold"),
        ("network.params.kk", "network.params.k"),
        ("payof.theta", "payoff"),
        ("foo", None),
    ],
)
def test_misspelt_override_keys_are_errors_with_a_suggestion(
    key: str, suggestion: str | None
) -> None:
    base = load_scenario({**SEEDED, "network": {"topology": "ring"}})
    e = refused(lambda: base.with_overrides({key: 1}), key.split(".")[0])
    assert "not a key of the scenario format" in e.message
    if suggestion:
        assert f"did you mean {suggestion}" in e.message


def test_misspelt_grid_keys_are_errors_before_running() -> None:
    calls = []
    with pytest.raises(ScenarioError) as e:
        sweep(
            "baseline",
            grid={"governance.audit_probabilty": [0.1, 0.2]},
            seeds=[1],
            on_chunk=calls.append,
        )
    assert "did you mean governance.audit_probability" in str(e.value) and not calls


@pytest.mark.parametrize(
    "data, key, winner",
    [
        (
            {"governance": {"transaction_tax_rate": 0.1}},
            "governance.transaction_tax",
            "governance.transaction_tax_rate",
        ),
        (
            {"governance": {"reputation_decay_rate": 0.9}},
            "governance.reputation_decay",
            "governance.reputation_decay_rate",
        ),
        (
            {"network": {"topology": "ring", "params": {"k": 4}}},
            "network.k_neighbors",
            "network.params.k",
        ),
        (
            {"network": {"topology": "ring", "params": {"k": 4}}},
            "network.params.k_neighbors",
            "network.params.k",
        ),
        (
            {"network": {"topology": "small_world", "params": {"p": 0.2}}},
            "network.rewire_probability",
            "network.params.p",
        ),
    ],
)
def test_shadowed_alias_overrides_are_errors_naming_the_winner(
    data: dict, key: str, winner: str
) -> None:
    base = load_scenario({**SEEDED, **data})
    e = refused(lambda: base.with_overrides({key: 0.3 if "k" not in key else 6}), key)
    assert f"{winner}, which wins" in e.message


def test_an_alias_override_without_its_winner_works() -> None:
    sc = load_scenario(SEEDED).with_overrides({"governance.transaction_tax": 0.3})
    assert sc.config["governance"]["transaction_tax_rate"] == 0.3
    # Overriding both in one go: the real key wins, so the alias is refused.
    with pytest.raises(ScenarioError):
        load_scenario(SEEDED).with_overrides(
            {"governance.transaction_tax": 0.3, "governance.transaction_tax_rate": 0.1}
        )


def test_file_keys_that_are_ignored_draw_one_warning_line_each(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(
        "agents: [{type: honest, cuont: 3}]\n"
        "governance:\n  adaptive_controller_enabled: true\n  council_lever_enabled: true\n"
        "  audit_probabilty: 0.3\n"
        "simulation: {seed: 1}\nfoo: 1\n"
    )
    with pytest.warns(ScenarioWarning) as record:
        sc = load_scenario(f)
    (w,) = record
    lines = str(w.message).splitlines()[1:]
    keys = sorted(line.split(": ignored, ")[0].strip() for line in lines)
    assert keys == [
        "agents[0].cuont",
        "foo",
        "governance.adaptive_controller_enabled",
        "governance.audit_probabilty",
        "governance.council_lever_enabled",
    ]
    # An override does not repeat the file's warnings.
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScenarioWarning)
        sc.with_overrides({"payoff.theta": 0.4})


def test_the_paper_scenarios_load_and_unknown_keys_are_not_silent() -> None:
    for name in swarm_fast.PAPER_SCENARIOS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ScenarioWarning)
            sc = load_scenario(name)
        assert sc.n_agents > 0


def test_payoffs_whose_sums_could_overflow_are_refused() -> None:
    for key in ("s_plus", "s_minus", "h"):
        refused(lambda k=key: load_scenario({**SEEDED, "payoff": {k: 1e308}}), f"payoff.{key}")
    for key in (
        "audit_penalty_multiplier",
        "collusion_penalty_multiplier",
        "min_stake_to_participate",
    ):
        refused(
            lambda k=key: load_scenario({**SEEDED, "governance": {k: 1e300}}), f"governance.{key}"
        )


def test_the_largest_accepted_amounts_give_finite_results() -> None:
    gov = {"audit_enabled": True, "audit_probability": 1.0, "audit_penalty_multiplier": 1e9}
    r = run(
        {
            **SEEDED,
            "agents": [{"type": "honest", "count": 3}, {"type": "adversarial", "count": 2}],
            "payoff": {"s_plus": 1e9, "s_minus": 1e9, "h": 1e9},
            "governance": gov,
        },
        epochs=5,
        steps=10,
    )
    assert all(math.isfinite(v) for v in r.summary.values() if isinstance(v, float))
    assert r.summary["interactions"] > 0


def test_the_finite_check_names_the_sums() -> None:
    from swarm_fast.run import check_finite

    with pytest.raises(ScenarioError) as e:
        check_finite({"totals": {"payoff_a_sum": math.inf, "p_sum": 1.0}})
    assert "payoff_a_sum" in e.value.message and e.value.key == "payoff"


# ------------------------------------------------------------ still held


def test_unsafe_yaml_tags_are_still_refused(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text("agents: !!python/object/apply:os.system ['echo pwned']\n")
    e = refused(lambda: load_scenario(f), str(f))
    assert "malformed YAML" in e.message


def test_aliases_within_the_limits_still_load(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(
        "common: &c {acceptance_threshold: 0.4}\n"
        "agents:\n  - {type: honest, count: 2, config: *c}\n  - {type: cautious, config: *c}\n"
        "simulation: {seed: 3, n_epochs: 2, steps_per_epoch: 2}\n"
    )
    with pytest.warns(ScenarioWarning, match="common"):
        sc = load_scenario(f)
    assert sc.config["agents"][1]["config"] == {"acceptance_threshold": 0.4}
    a, b = run(sc), run(sc)
    assert a.epochs.equals(b.epochs)


@pytest.mark.parametrize(
    "text",
    ["simulation: {seed: " + "9" * 5000 + "}\n", "scenario_id: 2001-02-30\n", "a: \x08\n"],
)
def test_yaml_scalars_the_constructors_refuse(tmp_path: Path, text: str) -> None:
    f = tmp_path / "s.yaml"
    f.write_text("agents: [{type: honest}]\n" + text)
    refused(lambda: load_scenario(f), str(f))


def test_file_warnings_suggest_the_key_meant() -> None:
    with pytest.warns(ScenarioWarning) as record:
        load_scenario({**SEEDED, "governance": {"audit_probabilty": 0.2}})
    assert "did you mean governance.audit_probability?" in str(record[0].message)


@pytest.mark.parametrize(
    "overrides, key",
    [
        ({"governance": {"audit_probabilty": 0.2}}, "governance.audit_probabilty"),
        ({"agents.0": {"type": "honest", "cuont": 3}}, "agents[0].cuont"),
        ({"governance.council_lever_enabled": True}, "governance.council_lever_enabled"),
    ],
)
def test_overrides_that_would_be_ignored_are_errors(overrides: dict, key: str) -> None:
    e = refused(lambda: load_scenario(SEEDED).with_overrides(overrides), key)
    assert "set by an override" in e.message


def test_non_string_keys_in_a_mapping_are_warned_with_a_bounded_name() -> None:
    with pytest.warns(ScenarioWarning) as record:
        load_scenario({**SEEDED, 7**10000: 1, ("a",): 2})
    text = str(record[0].message)
    assert "bits>" in text and len(text) < 1000


def test_a_sweep_too_big_to_plan_is_refused_before_planning() -> None:
    out = in_subprocess(
        """
        try:
            from swarm_fast.sweeps import sweep
            sweep("baseline", seeds=range(5_000_000), epochs=1, steps=1)
        except swarm_fast.ScenarioError as e:
            print(e.key)
        """,
        headroom_mib=1024,
        timeout=60,
    )
    assert out.strip() == "seeds"


def test_a_run_that_outgrows_memory_stops_with_an_error_not_an_abort() -> None:
    # The feed, trust maps and histories grow with the run; under a tight
    # address-space limit a long run used to abort in a Vec's growth.
    out = in_subprocess(
        """
        import time
        t0 = time.time()
        try:
            swarm_fast.run(
                {"agents": [{"type": "honest", "count": 20}]}, seed=1, epochs=200_000, steps=15
            )
            print("ran")
        except swarm_fast.ScenarioError as e:
            print(e.key)
        """,
        headroom_mib=300,
        timeout=300,
    )
    assert out.strip() == "simulation.n_epochs"


def test_a_small_recorded_run_reads_no_machine_state(monkeypatch) -> None:
    """A recorded run whose largest possible trace is small needs no trace
    limit, so it does not read /proc (it cost more than the paper runs'
    core); a run whose trace could be large still gets a limit from the
    machine's available memory."""
    from swarm_fast import scenario as scenario_module

    sc = swarm_fast.load_scenario("baseline")
    reads: list[int] = []

    def fake_available() -> int:
        reads.append(1)
        return 8 * 2**30

    monkeypatch.setattr(scenario_module, "available_memory", fake_available)
    result = swarm_fast.run(sc, seed=1, epochs=3, steps=5, record_interactions=True)
    assert result.interactions.height > 0
    assert reads == []
    # 10^6 steps of 5 agents: the trace could reach gigabytes.
    rows = sc._memory_budget(1, True, True, steps=10**6)
    assert reads == [1]
    assert rows is not None and rows > 0
    # A population that can grow (spawn) has no bound: it reads too.
    spawn = swarm_fast.load_scenario(
        {
            "agents": [{"type": "tierra", "count": 2}],
            "spawn": {"enabled": True},
            "simulation": {"seed": 1},
        }
    )
    assert spawn._memory_budget(1, True, True, steps=1) is not None
    assert reads == [1, 1]
