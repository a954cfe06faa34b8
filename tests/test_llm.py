"""The reference's ``type: llm`` agent (issue 13, items 2-4).

Live parity (item 3): one deterministic stand-in model — its reply is a
pure function of the prompt text, with the reference's run-varying uuids
(and the post / proposal texts the core does not keep) masked, spec-ext
Q-E9 — is plugged into the reference's LLMAgent (its sync model call is
replaced) and into swarm_fast's (``llm={"mock": ...}``). Its replies cover
every action type, invalid parameters, malformed and missing JSON, and
exceptions. The full traces, metrics and final states must be equal bit for
bit, and so must every prompt, call by call.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path

import pytest
import yaml
from polars.testing import assert_frame_equal

import swarm_fast
from swarm_fast import ScenarioError
from swarm_fast.agents.llm import parse_llm_config

from reference_harness import run_reference

SCENARIOS = Path(__file__).parent / "scenarios"
_BRACKETS = re.compile(r"\[[^\]\n]*\]")
_MASKED_LINES = re.compile(r"^(- simulation_id: |- Proposal ID: ).*$", flags=re.MULTILINE)
_AGENTS = re.compile(r"^- (\S+): rep=", flags=re.MULTILINE)


def canon(text: str) -> str:
    """The prompt without what differs between runs of the reference (uuid
    ids) or what swarm_fast's core does not keep (other agents' texts)."""
    return _MASKED_LINES.sub(r"\1*", _BRACKETS.sub("[]", text))


ACT_REPLIES = [
    '{"action_type": "NOOP", "reasoning": "wait"}',
    '{"action_type": "POST", "reasoning": "share", "params": {"content": "hello all"}}',
    '```json\n{"action_type": "post", "params": {"content": "fenced"}}\n```',
    '{"action_type": "REPLY", "params": {"post_id": "abc", "content": "re"}}',
    '{"action_type": "VOTE", "reasoning": "like", "params": {"post_id": "x", "direction": -1}}',
    '{"action_type": "VOTE", "params": {"direction": "abc"}}',
    '{"action_type": "PROPOSE_INTERACTION", "reasoning": "r", "params": '
    '{"counterparty_id": "TARGET", "interaction_type": "collaboration"}}',
    '{"action_type": "PROPOSE_INTERACTION", "params": '
    '{"counterparty_id": "TARGET", "interaction_type": "trade"}}',
    'Sure! {"action_type": "PROPOSE_INTERACTION", "params": '
    '{"counterparty_id": "TARGET", "interaction_type": "delegation"}} ok',
    '{"action_type": "PROPOSE_INTERACTION", "params": {"counterparty_id": "ghost_9"}}',
    '{"action_type": "ACCEPT_INTERACTION", "reasoning": "own turn", "params": {}}',
    '{"action_type": "CLAIM_TASK", "params": {"task_id": "t1"}}',
    '{"action_type": "DANCE", "reasoning": "unknown type"}',
    '{"action_type": "POST", "params": "not a mapping"}',
    "[1, 2, 3]",
    "{not json at all}",
    "I would rather not answer in JSON.",
    "RAISE",
]
ACCEPT_REPLIES = [
    '{"accept": true, "reasoning": "fine"}',
    '{"accept": false, "reasoning": "no"}',
    '{"accept": "false"}',
    '{"reasoning": "no accept key"}',
    '```\n{"accept": true}\n```',
    "{broken",
    "RAISE",
]


def stub(system: str, user: str) -> str:
    """The stand-in model: a pure function of the (masked) prompt."""
    key = canon(system) + "\n\x00\n" + canon(user)
    h = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    accept = "## Your Decision" in user
    table = ACCEPT_REPLIES if accept else ACT_REPLIES
    reply = table[h % len(table)]
    if reply == "RAISE":
        raise RuntimeError("stand-in model failure")
    agents = _AGENTS.findall(user)
    target = agents[(h >> 20) % len(agents)] if agents else "nobody"
    return reply.replace("TARGET", target)


def run_both(data: dict, seed: int, epochs: int | None = None, steps: int | None = None):
    prompts_ours: list[tuple[str, str]] = []
    prompts_ref: list[tuple[str, str]] = []

    def ours_model(system: str, user: str) -> str:
        prompts_ours.append((canon(system), canon(user)))
        return stub(system, user)

    ours = swarm_fast.run(
        data,
        seed=seed,
        epochs=epochs,
        steps=steps,
        record_interactions=True,
        llm={"mock": ours_model},
    )

    def prepare(orch) -> None:
        from swarm.agents.llm_agent import LLMAgent

        for a in orch._agents.values():
            if isinstance(a, LLMAgent):

                def call(system: str, user: str) -> tuple[str, int, int]:
                    prompts_ref.append((canon(system), canon(user)))
                    return stub(system, user), 0, 0

                a._call_llm_sync = call

    ref = run_reference(data, seed=seed, epochs=epochs, steps=steps, prepare=prepare)
    return ours, ref, prompts_ours, prompts_ref


def assert_same(ours, ref, prompts_ours, prompts_ref) -> None:
    assert len(prompts_ours) == len(prompts_ref)
    for i, (a, b) in enumerate(zip(prompts_ours, prompts_ref)):
        assert a == b, f"prompt {i} differs"
    assert_frame_equal(ours.interactions, ref.interactions, check_exact=True)
    assert_frame_equal(ours.epochs, ref.epochs, check_exact=True)
    assert_frame_equal(ours.agents, ref.agents, check_exact=True)


def _load(name: str, runnable: bool = True) -> dict:
    """A scenario file; with ``runnable``, free-text personas (which the
    reference refuses: only honest/strategic/adversarial/open are
    personas) become the system prompt, the reference's field for them."""
    data = yaml.safe_load((SCENARIOS / name).read_text())
    if runnable:
        for spec in data["agents"]:
            llm = spec.get("llm") or {}
            if llm.get("persona", "open").lower() not in (
                "honest",
                "strategic",
                "adversarial",
                "open",
            ):
                llm["system_prompt"] = llm.pop("persona")
    return data


@pytest.mark.parametrize("name", ["social_dilemma_commons.yaml", "social_dilemma_prisoners.yaml"])
def test_free_text_personas_are_refused_like_the_reference(name: str) -> None:
    data = _load(name, runnable=False)
    with pytest.raises(ScenarioError) as e:
        swarm_fast.load_scenario(data)
    assert e.value.key == "agents[0].llm.persona" and "system_prompt" in str(e.value)
    with pytest.raises(ValueError, match="Unknown persona type"):
        run_reference(data, seed=1, epochs=1, steps=1)


@pytest.mark.parametrize("seed", [42, 7, 2024])
@pytest.mark.parametrize(
    "name",
    [
        "llm_agents.yaml",
        "social_dilemma_commons.yaml",
        "social_dilemma_prisoners.yaml",
        "llm_memori.yaml",
    ],
)
def test_llm_scenarios_match_reference(name: str, seed: int) -> None:
    data = _load(name)
    ours, ref, po, pr = run_both(data, seed, epochs=4, steps=5)
    assert_same(ours, ref, po, pr)
    assert len(po) > 20
    # The stand-in's replies do reach the simulation.
    llm_rows = ours.interactions.filter(ours.interactions["initiator"].str.starts_with("llm_"))
    assert llm_rows.height > 0
    usage = ours.llm_usage
    assert usage["calls"].sum() == len(po)
    assert usage["fallbacks_other"].sum() + usage["fallbacks_parse"].sum() > 0


def test_mixed_population_with_governance_and_noise() -> None:
    data = _load("llm_agents.yaml")
    data["agents"] = [
        {"type": "deceptive", "count": 1},
        copy.deepcopy(data["agents"][0]),
        {"type": "honest", "count": 3},
        {"type": "adversarial", "count": 1},
        copy.deepcopy(data["agents"][1]),
        {"type": "opportunistic", "count": 2},
    ]
    data["simulation"]["observation_noise_probability"] = 0.2
    data["simulation"]["observation_noise_std"] = 0.05
    ours, ref, po, pr = run_both(data, 99, epochs=5, steps=6)
    assert_same(ours, ref, po, pr)


def test_fixed_mock_replies_run_offline() -> None:
    data = _load("llm_agents.yaml")
    for spec in data["agents"]:
        if spec["type"] == "llm":
            spec["llm"]["provider"] = "mock"
            spec["llm"]["mock_responses"] = {
                "act": '{"action_type": "ACCEPT_INTERACTION"}',
                "accept": '{"accept": true}',
            }
    r = swarm_fast.run(data, seed=1, epochs=3, steps=4, record_interactions=True)
    # ACCEPT_INTERACTION from act is a NOOP (spec-ext Q-E6): llm agents
    # initiate nothing, but accept what is proposed to them.
    assert (
        r.agents.filter(r.agents["agent_id"].str.starts_with("llm_"))[
            "interactions_initiated"
        ].sum()
        == 0
    )
    u = r.llm_usage
    assert u["calls"].sum() > 0 and u["input_tokens"].sum() == 50 * u["calls"].sum()
    # Registered honest, whatever the persona (Q-E8).
    assert set(r.agents.filter(r.agents["agent_id"].str.starts_with("llm_"))["agent_type"]) == {
        "honest"
    }


def test_dry_run_default_rejects_everything() -> None:
    data = _load("llm_agents.yaml")
    for spec in data["agents"]:
        if spec["type"] == "llm":
            spec["llm"] = {"provider": "mock"}
    r = swarm_fast.run(data, seed=3, epochs=2, steps=4, record_interactions=True)
    to_llm = r.interactions.filter(r.interactions["counterparty"].str.starts_with("llm_"))
    assert to_llm.height > 0 and not to_llm["accepted"].any()


def test_record_then_replay_is_identical(tmp_path: Path) -> None:
    data = _load("social_dilemma_commons.yaml")
    rec = tmp_path / "run.jsonl"
    a = swarm_fast.run(
        data,
        seed=5,
        epochs=3,
        steps=4,
        record_interactions=True,
        llm={"mock": stub, "record": str(rec)},
    )
    lines = [json.loads(x) for x in rec.read_text().splitlines()]
    assert lines and {"agent_id", "prompt_sha256", "reply", "latency_s"} <= set(lines[0])

    def offline(system: str, user: str) -> str:
        raise AssertionError("replay must not call the model")

    b = swarm_fast.run(
        data,
        seed=5,
        epochs=3,
        steps=4,
        record_interactions=True,
        llm={"mock": offline, "replay": str(rec)},
    )
    assert_frame_equal(a.interactions, b.interactions, check_exact=True)
    assert_frame_equal(a.agents, b.agents, check_exact=True)
    # Another seed asks for prompts the recording does not hold.
    from swarm_fast.agents.llm.providers import ReplayMissing

    with pytest.raises(ReplayMissing, match=r"agent llm_\d+ at epoch \d+, step \d+"):
        swarm_fast.run(data, seed=6, epochs=3, steps=4, llm={"replay": str(rec)})


def test_prompt_audit(tmp_path: Path) -> None:
    data = _load("llm_agents.yaml")
    audit = tmp_path / "audit.jsonl"
    swarm_fast.run(data, seed=1, epochs=1, steps=2, llm={"mock": stub, "prompt_audit": str(audit)})
    recs = [json.loads(x) for x in audit.read_text().splitlines()]
    kinds = {r["kind"] for r in recs}
    assert kinds <= {"act", "accept", "act_error", "accept_error"} and "act" in kinds
    assert all(len(r["system_prompt_sha256"]) == 64 for r in recs)


def test_llm_config_errors_name_the_key() -> None:
    for data, key in [
        ({"provider": "skynet"}, "llm.provider"),
        ({"temperature": 1.5}, "llm.temperature"),
        ({"max_tokens": 0}, "llm.max_tokens"),
        ({"persona": "evil"}, "llm.persona"),
        ({"base_url": "ftp://x"}, "llm.base_url"),
        ({"model_path": "m.bin"}, "llm.model_path"),
        ({"memori": "yes"}, "llm.memori"),
        ({"tempreature": 0.1}, "llm.tempreature"),
    ]:
        with pytest.raises(ScenarioError) as e:
            parse_llm_config("llm", data)
        assert e.value.key == key
    cfg = parse_llm_config("llm", {"provider": "GROQ"})
    assert cfg.provider == "groq" and cfg.base_url == "https://api.groq.com/openai/v1"
    assert "api_key" not in repr(cfg)


def test_memori_is_inert_offline_and_refused_live() -> None:
    data = yaml.safe_load((SCENARIOS / "llm_memori.yaml").read_text())
    r = swarm_fast.run(data, seed=1, epochs=2, steps=2, llm={"mock": stub})
    assert r.llm_usage["calls"].sum() > 0
    with pytest.raises(ScenarioError, match="Memori"):
        swarm_fast.run(data, seed=1, epochs=1, steps=1)


def test_scenario_errors_for_llm_specs() -> None:
    data = _load("llm_agents.yaml")
    data["agents"][0]["llm"]["temperature"] = 3
    with pytest.raises(ScenarioError) as e:
        swarm_fast.load_scenario(data)
    assert e.value.key == "agents[0].llm.temperature"


def test_concordia_entities_without_the_package_say_what_to_install(monkeypatch) -> None:
    """The file loads; a run without gdm-concordia names the extra to install
    (tests/test_concordia.py runs them when it is installed)."""
    import sys

    data = {
        "simulation": {"seed": 1, "n_epochs": 1, "steps_per_epoch": 1},
        "agents": [{"type": "honest"}, {"type": "concordia_entity", "concordia": {"goal": "g"}}],
    }
    assert swarm_fast.load_scenario(data).n_agents == 2
    # Imports fail, also where earlier tests (tests/test_concordia.py, when the
    # package is installed) left its submodules cached.
    for name in ["concordia", *(m for m in sys.modules if m.startswith("concordia."))]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ScenarioError, match=r"swarm_fast\[concordia\]") as e:
        swarm_fast.run(data)
    assert e.value.key == "agents[1].type"


def test_cli_prints_llm_usage(capsys, tmp_path: Path) -> None:
    from swarm_fast.cli import main

    audit = tmp_path / "a.jsonl"
    args = [str(SCENARIOS / "llm_agents.yaml"), "--epochs", "1", "--steps", "2"]
    reply = '{"action_type": "POST", "params": {"content": "x"}}'
    assert main(["run", *args, "--mock-llm", reply, "--prompt-audit", str(audit)]) == 0
    out = capsys.readouterr().out
    assert "LLM usage" in out and "llm_1" in out and "run " in out
    assert audit.read_text().count("\n") > 0


def test_async_mode_runs_calls_concurrently_and_is_deterministic() -> None:
    import threading
    import time

    data = _load("llm_agents.yaml")
    lock = threading.Lock()
    inflight = [0, 0]  # now, most at once

    def slow(system: str, user: str) -> str:
        with lock:
            inflight[0] += 1
            inflight[1] = max(inflight[1], inflight[0])
        time.sleep(0.01)
        with lock:
            inflight[0] -= 1
        return stub(system, user)

    kw = dict(seed=4, epochs=3, steps=4, record_interactions=True, llm={"mock": slow})
    a = swarm_fast.run(data, mode="async", concurrency=8, **kw)
    # A step's calls wait together (not a timing: how many were in flight).
    assert inflight[1] > 1
    b = swarm_fast.run(data, mode="async", concurrency=8, **kw)
    assert_frame_equal(a.interactions, b.interactions, check_exact=True)
    inflight[1] = 0
    sync = swarm_fast.run(data, **kw)
    assert sync.llm_usage["calls"].sum() > 0
    assert inflight[1] == 1  # the sync loop calls one agent at a time
    with pytest.raises(ValueError, match="mode"):
        swarm_fast.run(data, mode="parallel")
    with pytest.raises(ValueError, match="async"):
        swarm_fast.run("baseline", seed=1, mode="async")


def test_rate_limit_spaces_calls() -> None:
    import time

    data = _load("llm_agents.yaml")
    stamps: list[float] = []

    def model(system: str, user: str) -> str:
        stamps.append(time.monotonic())
        return stub(system, user)

    swarm_fast.run(
        data, seed=2, epochs=1, steps=3, mode="async", llm={"mock": model, "rate_limit": 100}
    )
    stamps.sort()
    # Slots are 10 ms apart (a thread may start a little after its slot).
    assert len(stamps) > 5 and stamps[-1] - stamps[0] >= (len(stamps) - 1) * 0.01 - 0.002
