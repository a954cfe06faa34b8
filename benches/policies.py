"""Cost of Python policies in the Rust engine (issue 13, item 7).

1. Round trip per callback, beyond the policy's own time: a run whose only
   agent is a Python policy that returns a ready NOOP, divided by its calls,
   minus the time the policy's method takes when Python calls it directly on
   the same observation. Also with 1,000 scripted agents beside it (the
   observation then lists 1,000 agents: built in Rust, converted to Python
   only if read).
2. 1,000 agents (the baseline's 3:1:1 mix, all acting) with 10 of them
   Python policies against all 1,000 scripted.
3. An LLM run with a mock model of fixed latency: the engine's share of
   the wall time.

Run: ``python benches/policies.py`` (prints a table; about a minute).
"""

from __future__ import annotations

import time
import warnings

import swarm_fast
from swarm_fast.agents import Action

NOOP = Action.noop()


class Idle:
    def act(self, obs):
        return NOOP

    def accept_interaction(self, proposal, obs):
        return False


class Simple:
    """A cheap rule of the kind a user writes: answer what is pending,
    else propose to a partner now and then, else post."""

    def act(self, obs):
        pending = obs.pending_proposals
        if pending:
            return Action.accept(pending[0]["proposal_id"])
        if obs.step % 3 == 0 and obs.can_interact:
            return Action.propose("honest_1", "collaboration")
        return Action.post("hi") if obs.can_post else NOOP

    def accept_interaction(self, proposal, obs):
        return obs.reputation >= -1.0


class Reader(Simple):
    """Simple, but it also reads the whole visible population."""

    def act(self, obs):
        _ = obs.visible_agents
        return super().act(obs)


def best(fn, rounds: int = 5) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def own_time(policy, obs, n: int = 200_000) -> float:
    act = policy.act
    t0 = time.perf_counter()
    for _ in range(n):
        act(obs)
    return (time.perf_counter() - t0) / n


def captured_observation(scenario) -> object:
    seen = []

    class Grab(Idle):
        def act(self, obs):
            seen.append(obs)
            return NOOP

    swarm_fast.run(scenario, seed=1, epochs=1, steps=1, policies={"p": Grab()})
    return seen[-1]


def round_trip(population: int) -> tuple[float, float]:
    """(run time per call, policy's own time per call), seconds."""
    steps = 100_000 if population == 0 else 20_000
    agents = [{"type": "python", "name": "p", "id_prefix": "p"}]
    if population:
        agents = [{"type": "honest", "count": population}, *agents]
    data = {
        "simulation": {"n_epochs": 1, "steps_per_epoch": steps, "seed": 1},
        # Only the Python agent acts: the scripted ones are its audience.
        "agents": agents,
    }
    sc = swarm_fast.load_scenario(data)
    if population:
        # The Python agent acts first each step, the scripted ones not at all.
        sc = sc.with_overrides({"simulation.max_actions_per_step": 1})
        sc = swarm_fast.load_scenario({**sc.raw, "agents": list(reversed(sc.raw["agents"]))})
    policy = Idle()
    t = best(lambda: swarm_fast.run(sc, policies={"p": policy}), rounds=3)
    r = swarm_fast.run(sc, policies={"p": policy})
    calls = int(r.policy_report["act_calls"][0] + r.policy_report["accept_calls"][0])
    return t / calls, own_time(policy, captured_observation(sc))


def thousand(policy_cls) -> tuple[float, float]:
    base = swarm_fast.load_scenario("baseline").with_overrides(
        {
            "agents.0.count": 600,
            "agents.1.count": 200,
            "agents.2.count": 200,
            "simulation.max_actions_per_step": 1000,
        }
    )
    raw = base.raw
    mixed_agents = [
        {"type": "honest", "count": 595},
        {"type": "python", "name": "mine", "count": 5},
        {"type": "opportunistic", "count": 195},
        {"type": "python", "name": "mine", "count": 5},
        {"type": "deceptive", "count": 200},
    ]
    mixed = swarm_fast.load_scenario({**raw, "agents": mixed_agents})
    assert mixed.n_agents == base.n_agents == 1000
    kw = dict(seed=1, epochs=2, steps=10)
    t_base = best(lambda: swarm_fast.run(base, **kw))
    policy = policy_cls()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t_mixed = best(lambda: swarm_fast.run(mixed, policies={"mine": policy}, **kw))
    return t_base, t_mixed


def llm_share(latency: float = 0.002) -> tuple[float, float, float, float, int]:
    """An LLM run with a mock model sleeping `latency` per call: wall
    time, time inside the model, inside the LLM agents' methods (the model
    included), inside the core's run (the agents included), calls."""
    from pathlib import Path

    import yaml

    data = yaml.safe_load(
        (Path(__file__).parent.parent / "tests" / "scenarios" / "llm_agents.yaml").read_text()
    )
    calls, inside = 0, 0.0

    def model(system: str, user: str) -> str:
        nonlocal calls, inside
        t = time.perf_counter()
        calls += 1
        time.sleep(latency)
        inside += time.perf_counter() - t
        return '{"action_type": "NOOP"}'

    from swarm_fast.agents.llm import LLMAgent

    in_agent = 0.0
    act, accept = LLMAgent.act, LLMAgent.accept_interaction

    def timed(f):
        def g(*a):
            nonlocal in_agent
            t = time.perf_counter()
            try:
                return f(*a)
            finally:
                in_agent += time.perf_counter() - t

        return g

    from swarm_fast import _core

    in_core = 0.0
    run_policies = _core.run_policies

    def timed_core(*a):
        nonlocal in_core
        t = time.perf_counter()
        try:
            return run_policies(*a)
        finally:
            in_core += time.perf_counter() - t

    LLMAgent.act, LLMAgent.accept_interaction = timed(act), timed(accept)
    _core.run_policies = timed_core
    try:
        swarm_fast.run(data, seed=1, epochs=1, steps=1, llm={"mock": model})  # imports
        calls, inside, in_agent, in_core = 0, 0.0, 0.0, 0.0
        t0 = time.perf_counter()
        swarm_fast.run(data, seed=1, epochs=5, steps=5, llm={"mock": model})
        wall = time.perf_counter() - t0
    finally:
        LLMAgent.act, LLMAgent.accept_interaction = act, accept
        _core.run_policies = run_policies
    return wall, inside, in_agent, in_core, calls


def main() -> None:
    for pop in (0, 1000):
        per_call, own = round_trip(pop)
        print(
            f"round trip, {pop or 'no'} other agents: {per_call * 1e6:.2f} us per callback, "
            f"policy's own time {own * 1e6:.2f} us, overhead {(per_call - own) * 1e6:.2f} us"
        )
    for cls in (Simple, Reader):
        t_base, t_mixed = thousand(cls)
        print(
            f"1,000 agents all acting, 2x10 steps: all scripted {t_base * 1e3:.1f} ms, "
            f"10 Python ({cls.__name__}) {t_mixed * 1e3:.1f} ms, ratio {t_mixed / t_base:.2f}x"
        )
    wall, model, in_agent, in_core, calls = llm_share()
    engine = in_core - in_agent
    setup = wall - in_core
    print(
        f"LLM run (mock model sleeping 2 ms per call, {calls} calls): wall {wall * 1e3:.1f} ms, "
        f"inside the model {model * 1e3:.1f} ms, LLM agents' Python (prompts, parsing) "
        f"{(in_agent - model) * 1e3:.1f} ms, engine and bridge {engine * 1e3:.2f} ms = "
        f"{engine / wall * 100:.2f}% of the wall time, Python set-up and results "
        f"{setup * 1e3:.2f} ms"
    )


if __name__ == "__main__":
    main()
