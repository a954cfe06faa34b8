"""The reference's ``type: council`` agent (issue 17, item 1): a council of
LLM members that answer, rank each other's anonymised answers and let a
chairman synthesise the decision, run through swarm_fast's LLM providers.

Live parity: one deterministic stand-in model — its reply is a pure
function of the member asked and the prompt (with the proposal's text and
offered transfer masked: the core keeps neither) — answers for every member
of the reference's council (its members' async model call is replaced) and
of swarm_fast's (``llm={"council_mock": ...}``). Its replies cover every
stage: actions and accept decisions (valid, malformed, keyword-only),
rankings in every format the protocol parses and some it cannot, and
failures (a member left out, a lost quorum, a chairman falling back to the
top-ranked answer). Traces, metrics, final states and every prompt, call by
call, must be equal bit for bit.
"""

from __future__ import annotations

import copy
import hashlib
import re
import warnings
from pathlib import Path

import pytest
import yaml
from polars.testing import assert_frame_equal

import swarm_fast
from swarm_fast import ScenarioError
from swarm_fast.agents.council import parse_ranking, shuffled_labels

from reference_harness import run_reference

LIBRARY = Path(__file__).parent / "scenarios" / "library"
_MASKED = re.compile(r"^(- Content: |- Offered transfer: ).*$", flags=re.MULTILINE)
_LABELS = re.compile(r"^--- Response ([A-Z]) ---$", flags=re.MULTILINE)
TARGETS = ["honest_1", "honest_2", "adversarial_1", "adversarial_2", "council_1", "ghost_9", ""]

ACT = [
    '{"action_type": "NOOP", "reasoning": "wait"}',
    '{"action_type": "POST", "params": {"content": "council speaks"}}',
    '```json\n{"action_type": "post", "params": {"content": "fenced"}}\n```',
    '{"action_type": "PROPOSE_INTERACTION", "params": {"counterparty_id": "TARGET"}}',
    '{"action_type": "PROPOSE_INTERACTION", "params": '
    '{"counterparty_id": "TARGET", "interaction_type": "trade"}}',
    'We agree: {"action_type": "PROPOSE_INTERACTION", "params": '
    '{"counterparty_id": "TARGET", "interaction_type": "delegation"}} done',
    '{"action_type": "PROPOSE_INTERACTION", "params": {"counterparty_id": 7}}',
    '{"action_type": "VOTE", "params": {"direction": 1}}',
    '{"action_type": "DANCE"}',
    '{"action_type": "POST", "params": "not a mapping"}',
    "[1, 2]",
    "{not json}",
    "No JSON from this member.",
    "RAISE",
]
ACCEPT = [
    '{"accept": true, "reasoning": "fine"}',
    '{"accept": false}',
    '{"accept": "false"}',
    '{"reasoning": "no key"}',
    '```\n{"accept": true}\n```',
    "We accept this one.",
    "Accept? No: reject.",
    "{broken accept",
    "RAISE",
]


def canon(text: str) -> str:
    return _MASKED.sub(r"\1*", text)


def _h(*parts: str) -> int:
    key = "\n\x00\n".join(parts)
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")


def _ranking(labels: list[str], h: int) -> str:
    order = sorted(labels, key=lambda lb: _h(lb, str(h)))
    style = (h >> 8) % 7
    if style == 0:
        return "\n".join(f"{i + 1}. {lb}" for i, lb in enumerate(order))
    if style == 1:
        return " > ".join(order)
    if style == 2:
        return ", ".join(lb.lower() for lb in order)
    if style == 3:
        return "Best is " + " then ".join(order) + "."
    if style == 4:
        return "1. " + order[0]  # incomplete: unparseable, this ranker is left out
    if style == 5:
        return "They are all fine."
    raise RuntimeError("stand-in ranker failure")


def stub(member: str, system: str, user: str) -> str:
    """The stand-in model: a pure function of the member and the masked
    prompt."""
    system, user = canon(system), canon(user)
    h = _h(member, system, user)
    if system.startswith("You are a fair and impartial judge"):
        return _ranking(_LABELS.findall(user), h)
    accept = "Should we accept?" in user
    if system.startswith("You are the chairman") and h % 5 == 0:
        raise RuntimeError("stand-in chairman failure")
    table = ACCEPT if accept else ACT
    reply = table[(h >> 4) % len(table)]
    if reply == "RAISE":
        raise RuntimeError("stand-in model failure")
    return reply.replace("TARGET", TARGETS[(h >> 24) % len(TARGETS)])


def run_both(data: dict, seed: int, epochs: int, steps: int):
    prompts_ours: list[tuple[str, str, str]] = []
    prompts_ref: list[tuple[str, str, str]] = []

    def ours_model(member: str, system: str, user: str) -> str:
        prompts_ours.append((member, canon(system), canon(user)))
        return stub(member, system, user)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = swarm_fast.run(
            data,
            seed=seed,
            epochs=epochs,
            steps=steps,
            record_interactions=True,
            llm={"council_mock": ours_model},
        )

    def prepare(orch) -> None:
        from swarm.agents.council_agent import CouncilAgent

        for a in orch._agents.values():
            if not isinstance(a, CouncilAgent):
                continue
            for mid, member in a._member_agents.items():

                def bound(mid: str):
                    async def call(system: str, user: str) -> tuple[str, int, int]:
                        prompts_ref.append((mid, canon(system), canon(user)))
                        return stub(mid, system, user), 0, 0

                    return call

                member._call_llm_async = bound(mid)

    ref = run_reference(data, seed=seed, epochs=epochs, steps=steps, prepare=prepare)
    return ours, ref, prompts_ours, prompts_ref


def assert_same(ours, ref, po, pr) -> None:
    assert len(po) == len(pr)
    for i, (a, b) in enumerate(zip(po, pr)):
        assert a == b, f"call {i} differs"
    assert_frame_equal(ours.interactions, ref.interactions, check_exact=True)
    assert_frame_equal(ours.epochs, ref.epochs, check_exact=True)
    assert_frame_equal(ours.agents, ref.agents, check_exact=True)


def _load() -> dict:
    return yaml.safe_load((LIBRARY / "council_governance.yaml").read_text())


def _stages(prompts: list[tuple[str, str, str]]) -> set[str]:
    return {p[1].split(".")[0] for p in prompts}


@pytest.mark.parametrize("seed", [42, 7, 2024])
def test_council_governance_matches_reference(seed: int) -> None:
    ours, ref, po, pr = run_both(_load(), seed, epochs=5, steps=5)
    assert_same(ours, ref, po, pr)
    # Every stage ran, and the council's decisions reach the simulation.
    assert len(_stages(po)) == 4
    council = ours.interactions.filter(
        (ours.interactions["initiator"] == "council_1")
        | (ours.interactions["counterparty"] == "council_1")
    )
    assert council.height > 0
    assert ours.llm_usage["calls"].sum() == len(po)


def test_variant_two_members_mixed_population_and_chairman_member() -> None:
    data = _load()
    council = data["agents"][2]["council"]
    # Two members, the chairman is one of them (its own llm is never used),
    # a quorum of one, another seed for the labels' shuffle.
    council["members"] = council["members"][1:]
    council["chairman"] = {"member_id": "mixtral", "llm": {"provider": "openai"}}
    council["min_members_required"] = 1
    council["seed"] = 5
    data["agents"] = [
        {"type": "opportunistic", "count": 2},
        copy.deepcopy(data["agents"][2]) | {"count": 2, "name": "board"},
        {"type": "honest", "count": 2},
        {"type": "deceptive", "count": 1},
    ]
    ours, ref, po, pr = run_both(data, 11, epochs=4, steps=6)
    assert_same(ours, ref, po, pr)
    assert {p[0] for p in po} == {"gpt4o", "mixtral"}


def test_four_members_no_chairman_higher_quorum() -> None:
    data = _load()
    council = data["agents"][2]["council"]
    extra = copy.deepcopy(council["members"][2]) | {"member_id": "m4", "weight": 0.5}
    council["members"].append(extra)
    del council["chairman"]
    council["min_members_required"] = 3
    ours, ref, po, pr = run_both(data, 3, epochs=3, steps=5)
    assert_same(ours, ref, po, pr)


def test_ranking_parser_and_shuffle() -> None:
    assert parse_ranking("1. B\n2. A\n3. C", 3) == ["B", "A", "C"]
    assert parse_ranking("c > a > b", 3) == ["C", "A", "B"]
    assert parse_ranking("B, A", 2) == ["B", "A"]
    assert parse_ranking("Best: B then A", 2) == ["B", "A"]
    assert parse_ranking("1. A", 2) is None
    labels = shuffled_labels(["x", "y", "z"], 42)
    assert sorted(labels) == ["A", "B", "C"] and sorted(labels.values()) == ["x", "y", "z"]
    assert labels == shuffled_labels(["x", "y", "z"], 42)


@pytest.mark.parametrize(
    "patch, key",
    [
        ({"bogus": 1}, "agents[2].council.bogus"),
        ({"min_members_required": 0}, "agents[2].council.min_members_required"),
        ({"timeout_per_member": 0}, "agents[2].council.timeout_per_member"),
        ({"seed": "x"}, "agents[2].council.seed"),
        ({"anonymize_responses": "yes"}, "agents[2].council.anonymize_responses"),
        ({"members": [{"member_id": "a", "weight": -1}]}, "agents[2].council.members[0].weight"),
        ({"members": [{"member_id": 3}]}, "agents[2].council.members[0].member_id"),
        ({"members": [{"llm": {"provider": "x"}}]}, "agents[2].council.members[0].llm.provider"),
        ({"chairman": {"llm": {"temperature": 3}}}, "agents[2].council.chairman.llm.temperature"),
    ],
)
def test_council_errors_name_the_key(patch: dict, key: str) -> None:
    data = _load()
    data["agents"][2]["council"].update(patch)
    with pytest.raises(ScenarioError) as e:
        swarm_fast.load_scenario(data)
    assert e.value.key == key


def test_unknown_spec_key_and_offline_default_mock() -> None:
    data = _load()
    data["agents"][2]["extra"] = 1
    with pytest.raises(ScenarioError) as e:
        swarm_fast.load_scenario(data)
    assert e.value.key == "agents[2].extra"
    # A fixed mock reply answers every member: the council then NOOPs.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = swarm_fast.run(
            _load(), seed=1, epochs=1, steps=2, llm={"mock": lambda s, u: "1. A\n2. B\n3. C"}
        )
    assert r.llm_usage["agent_id"].to_list() == ["council_1"]
    assert r.llm_usage["calls"][0] > 0


def test_record_then_replay_is_identical(tmp_path: Path) -> None:
    rec = tmp_path / "council.jsonl"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = swarm_fast.run(
            _load(), seed=9, epochs=2, steps=3, llm={"council_mock": stub, "record": str(rec)}
        )
        ids = {
            line.split('"agent_id": "')[1].split('"')[0] for line in rec.read_text().splitlines()
        }
        assert ids <= {
            "council_1_member_claude",
            "council_1_member_gpt4o",
            "council_1_member_mixtral",
        }
        again = swarm_fast.run(_load(), seed=9, epochs=2, steps=3, llm={"replay": str(rec)})
    assert_frame_equal(first.epochs, again.epochs, check_exact=True)
    assert_frame_equal(first.agents, again.agents, check_exact=True)
    assert again.llm_usage["calls"][0] == first.llm_usage["calls"][0]
