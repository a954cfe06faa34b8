"""Concordia entity agents (issue 13, item 8), live against the reference's
bridge (``swarm/bridges/concordia``).

Both need ``gdm-concordia`` (``pip install 'swarm_fast[concordia]'``; it is
not in the test extra: it installs ~110 packages in 5-6 minutes), so the
module skips without it.

* Canned mode (``provider: none``, or no API key: the library's two files as
  they are): the full traces, epoch rows and final states equal the
  reference's bit for bit.
* Stand-in model: one deterministic function of the prompt (with what
  differs between the two by construction masked: the reference's uuids and
  the texts swarm_fast's core does not keep) is plugged into the reference's
  entity agents (their ``llm_fn``) and into swarm_fast's (``llm={"mock":
  ...}``). Its replies cover every keyword the bridge reads, unknown
  targets, empty replies and exceptions. Traces and every prompt must match.
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

from reference_harness import run_reference

pytest.importorskip(
    "concordia",
    reason="gdm-concordia is not installed (pip install 'swarm_fast[concordia]')",
)

LIBRARY = Path(__file__).parent / "scenarios" / "library"
FILES = ["concordia_entity.yaml", "concordia_entity_sweep.yaml"]


def load(name: str, **concordia) -> dict:
    data = yaml.safe_load((LIBRARY / name).read_text())
    for spec in data["agents"]:
        if spec["type"] == "concordia_entity":
            spec["concordia"].update(concordia)
    return data


def assert_same(ours, ref) -> None:
    assert_frame_equal(ours.interactions, ref.interactions, check_exact=True)
    assert_frame_equal(ours.epochs, ref.epochs, check_exact=True)
    assert_frame_equal(ours.agents, ref.agents, check_exact=True)


@pytest.fixture(autouse=True)
def no_keys(monkeypatch):
    for env in ("GROQ_API_KEY", "OPENAI_API_KEY", "OPENROUTER_API_KEY", "ANTHROPIC_API_KEY"):
        monkeypatch.delenv(env, raising=False)


@pytest.mark.parametrize("seed", [42, 7, 2024])
@pytest.mark.parametrize("name", FILES)
def test_canned_mode_matches_reference(name: str, seed: int) -> None:
    """The files as they are: no GROQ_API_KEY, so both sides answer canned
    replies (with a warning saying so)."""
    path = LIBRARY / name
    with pytest.warns(RuntimeWarning, match="no API key for provider groq"):
        ours = swarm_fast.run(path, seed=seed, record_interactions=True)
    ref = run_reference(path, seed=seed)
    assert_same(ours, ref)
    assert ours.interactions.height > 0
    # The entities post every turn but their first, and take part.
    ids = ours.agents["agent_id"].to_list()
    assert [i for i in ids if i.startswith("concordia_")] == [
        "concordia_1",
        "concordia_2",
        "concordia_3",
    ]
    assert (
        ours.interactions.filter(
            ours.interactions["counterparty"].str.starts_with("concordia_")
        ).height
        > 0
    )


def test_provider_none_matches_reference_with_governance_mix() -> None:
    data = load("concordia_entity.yaml", provider="none")
    data["agents"] += [{"type": "adversarial", "count": 1}, {"type": "opportunistic", "count": 2}]
    data["agents"].insert(0, {"type": "deceptive", "count": 1})
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # provider none: no warning
        ours = swarm_fast.run(data, seed=11, epochs=6, steps=4, record_interactions=True)
    ref = run_reference(data, seed=11, epochs=6, steps=4)
    assert_same(ours, ref)


# ---------------------------------------------------------------- stand-in model

_UUID_OR_INT = r"[0-9a-f-]{36}|\d+"
_POST = re.compile(rf"^- \[({_UUID_OR_INT})\] by \?: .*$", re.M)
_AGENT = re.compile(r"^- (\S+) \(rep ", re.M)


def canon(user: str) -> str:
    """The user prompt without what differs by construction: post ids
    (uuids there, integers here) and texts (the core keeps none), the
    simulation id, and what the section caps cut differently because of
    those texts (later post and proposal lines)."""
    blocks = user.split("\n\n")
    out = []
    for b in blocks:
        if b.startswith("## Recent posts"):
            out.append("## Recent posts")
        elif b.startswith("## Pending proposals"):
            out.append(b.split("\n")[1].split(":")[0])
        elif b.startswith("## Ecosystem"):
            out.append(re.sub(r"simulation_id=[^,]*, ", "", b))
        else:
            out.append(re.sub(r"^Content: .*$", "Content: *", b, flags=re.M))
    return "\n\n".join(out)


ACT_REPLIES = [
    "post: sharing an update",
    "I will post something useful today",
    "vote FIRSTPOST",
    "Vote down on FIRSTPOST",
    "vote 987654",
    "propose to TARGET: let us collaborate",
    "PROPOSE TARGET",
    "propose to ghost_9: hi",
    "claim_task t1",
    "noop",
    "I pass this turn",
    "do nothing",
    "I am still thinking.",
    "",
    "RAISE",
]
ACCEPT_REPLIES = ["accept", "  Accept \n", "reject", "I accept", "", "RAISE"]


def stub(system: str, user: str) -> str:
    key = system + "\n\x00\n" + canon(user)
    h = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    accepting = "You MUST respond with exactly one of: accept, reject" in user
    table = ACCEPT_REPLIES if accepting else ACT_REPLIES
    reply = table[h % len(table)]
    if reply == "RAISE":
        raise RuntimeError("stand-in model failure")
    posts = _POST.findall(user)
    agents = _AGENT.findall(user)
    target = agents[(h >> 20) % len(agents)] if agents else "nobody"
    return reply.replace("FIRSTPOST", posts[0] if posts else "none").replace("TARGET", target)


def run_both(data: dict, seed: int, epochs: int, steps: int):
    prompts_ours: list[tuple[str, str]] = []
    prompts_ref: list[tuple[str, str]] = []

    def ours_model(system: str, user: str) -> str:
        prompts_ours.append((system, canon(user)))
        return stub(system, user)

    ours = swarm_fast.run(
        data,
        seed=seed,
        epochs=epochs,
        steps=steps,
        record_interactions=True,
        llm={"mock": ours_model},
    )

    def ref_model(system: str, user: str) -> str:
        prompts_ref.append((system, canon(user)))
        return stub(system, user)

    def prepare(orch) -> None:
        from swarm.bridges.concordia.entity_agent import ConcordiaEntityAgent

        for a in orch._agents.values():
            if isinstance(a, ConcordiaEntityAgent):
                a._custom_llm_fn = ref_model

    ref = run_reference(data, seed=seed, epochs=epochs, steps=steps, prepare=prepare)
    return ours, ref, prompts_ours, prompts_ref


@pytest.mark.parametrize("seed", [42, 5])
@pytest.mark.parametrize("name", FILES)
def test_stand_in_model_matches_reference(name: str, seed: int) -> None:
    data = load(name)
    ours, ref, po, pr = run_both(data, seed, epochs=6, steps=5)
    assert len(po) == len(pr) and len(po) > 40
    for i, (a, b) in enumerate(zip(po, pr)):
        assert a == b, f"prompt {i} differs:\n{a}\n---\n{b}"
    assert_same(ours, ref)
    # The replies reach the simulation: votes, and proposals by entities.
    assert ours.epochs["total_votes"].sum() > 0
    by_entities = ours.interactions.filter(ours.interactions["initiator"].str.starts_with("conc"))
    assert by_entities.height > 0
    usage = ours.llm_usage
    assert set(usage["agent_id"]) == {"concordia_1", "concordia_2", "concordia_3"}
    assert usage["calls"].sum() == len(po)
    assert usage["fallbacks_transport"].sum() > 0  # the RAISE replies


def test_record_then_replay_is_identical(tmp_path: Path) -> None:
    data = load("concordia_entity.yaml")
    rec = tmp_path / "rec.jsonl"
    first = swarm_fast.run(
        data,
        seed=3,
        epochs=3,
        steps=3,
        record_interactions=True,
        llm={"mock": stub, "record": str(rec)},
    )
    again = swarm_fast.run(
        data, seed=3, epochs=3, steps=3, record_interactions=True, llm={"replay": str(rec)}
    )
    assert_frame_equal(first.interactions, again.interactions, check_exact=True)
    assert_frame_equal(first.agents, again.agents, check_exact=True)
    from swarm_fast.agents.llm.providers import ReplayMissing

    with pytest.raises(ReplayMissing, match="concordia_1 at epoch 0"):
        swarm_fast.run(data, seed=4, epochs=3, steps=3, llm={"replay": str(rec)})


def test_fixed_mock_replies() -> None:
    data = load(
        "concordia_entity.yaml",
        provider="mock",
        mock_responses={"act": "propose to honest_1 now", "accept": "reject"},
    )
    r = swarm_fast.run(data, seed=1, epochs=2, steps=3, record_interactions=True)
    rows = r.interactions.filter(r.interactions["initiator"].str.starts_with("concordia_"))
    assert rows.height > 0 and set(rows["counterparty"]) == {"honest_1"}
    to_entities = r.interactions.filter(r.interactions["counterparty"].str.starts_with("conc"))
    assert to_entities.height > 0 and not to_entities["accepted"].any()


def test_the_advertised_propose_format_names_no_agent() -> None:
    """Q-E10: the act prompt advertises ``propose to <agent_id>: <content>``,
    but the bridge reads the id with its colon ("honest_1:"), which names no
    agent: such proposals never complete, in the reference as here."""
    data = load(
        "concordia_entity.yaml",
        provider="mock",
        mock_responses={"act": "propose to honest_1: work together", "accept": "accept"},
    )
    ours = swarm_fast.run(data, seed=1, epochs=2, steps=3, record_interactions=True)
    rows = ours.interactions.filter(ours.interactions["initiator"].str.starts_with("conc"))
    assert rows.height == 0

    def prepare(orch) -> None:
        from swarm.bridges.concordia.entity_agent import ConcordiaEntityAgent

        for a in orch._agents.values():
            if isinstance(a, ConcordiaEntityAgent):
                a._custom_llm_fn = lambda system, user: (
                    "accept" if "exactly one of" in user else "propose to honest_1: work together"
                )

    ref = run_reference(load("concordia_entity.yaml"), seed=1, epochs=2, steps=3, prepare=prepare)
    assert_same(ours, ref)


def test_config_errors_name_the_key() -> None:
    def bad(concordia: dict, key: str, match: str) -> None:
        data = load("concordia_entity.yaml", **concordia)
        with pytest.raises(ScenarioError, match=match) as e:
            swarm_fast.load_scenario(data)
        assert e.value.key == key

    bad({"provider": "grok"}, "agents[0].concordia.provider", "unknown provider")
    bad({"max_tokens": 0}, "agents[0].concordia.max_tokens", ">= 1")
    bad({"temprature": 0.1}, "agents[0].concordia.temprature", "unknown concordia key")
    bad({"act_prompt": "{obs}"}, "agents[0].concordia.act_prompt", "unknown placeholder")
    bad({"provider": "mock"}, "agents[0].concordia.provider", "mock_responses")
    bad({"response_format": "xml"}, "agents[0].concordia.response_format", "free or json")
    data = load("concordia_entity.yaml")
    data["agents"][0]["llm"] = {}
    with pytest.raises(ScenarioError) as e:
        swarm_fast.load_scenario(data)
    assert e.value.key == "agents[0].llm"


def test_names_follow_the_reference() -> None:
    from swarm_fast.agents.concordia import ConcordiaEntityAgent

    data = load("concordia_entity.yaml", provider="none")
    r = swarm_fast.run(data, seed=1, epochs=1, steps=1)
    names = [p.name for p in r._policies if isinstance(p, ConcordiaEntityAgent)]
    assert names == ["cooperative_entity_1", "cooperative_entity_2", "strategic_entity"]


def test_parse_response_reads_keywords_in_order() -> None:
    from swarm_fast.agents.concordia import parse_response

    assert parse_response("Vote on the post abc").kind == "post"  # post is tried first
    p = parse_response("vote down abc")
    assert (p.kind, p.target, p.direction) == ("vote", "down", -1)
    p = parse_response("Propose to honest_2: trade ideas")
    assert (p.kind, p.counterparty) == ("propose_interaction", "honest_2:")
    assert p.content == "trade ideas"
    assert parse_response("claim task 7").target == "7"
    assert parse_response("something else").kind == "noop"


def test_a_copy_of_the_spec_is_not_mutated() -> None:
    data = load("concordia_entity.yaml", provider="none")
    before = copy.deepcopy(data)
    swarm_fast.run(data, seed=1, epochs=1, steps=1)
    assert data == before


def test_sweep_of_concordia_entities_equals_single_runs() -> None:
    path = LIBRARY / "concordia_entity_sweep.yaml"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = swarm_fast.sweep(path, seeds=[1, 2], epochs=4)
        for seed in (1, 2):
            r = swarm_fast.run(path, seed=seed, epochs=4)
            row = df.filter(df["seed"] == seed).row(0, named=True)
            assert (row["welfare"], row["interactions"]) == (
                r.summary["welfare"],
                r.summary["interactions"],
            )
