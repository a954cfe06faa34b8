"""The coverage report over the reference's scenario library (issue 17),
run with the parity suite: ``scripts/coverage.py`` loads every file of
``tests/scenarios/library/`` and compares a short run of each against the
reference, live."""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "coverage.py"


@pytest.fixture(scope="module")
def coverage():
    spec = importlib.util.spec_from_file_location("coverage_report", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["coverage_report"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rows(coverage):
    return {r.file: r for r in coverage.survey()}


def test_the_report_covers_every_library_file(coverage, rows) -> None:
    files = {p.stem for p in coverage.LIBRARY.glob("*.yaml")}
    assert set(rows) == files and len(files) > 100
    out = io.StringIO()
    coverage.report(list(rows.values()), out)
    assert f"{len(files)} files:" in out.getvalue()


def test_no_file_differs(rows) -> None:
    """Every file swarm_fast runs gives the reference's results exactly."""
    assert [(r.file, r.reason) for r in rows.values() if r.status == "differs"] == []


def test_refusals_name_a_key(rows) -> None:
    for r in rows.values():
        if r.status in ("refused", "reference-fails"):
            assert r.reason and r.family, r.file


def test_the_reference_failures_are_named(rows) -> None:
    """Files the reference itself cannot run are refused with a message that
    names the reference's own error (its exception type, checked live)."""
    failing = [r for r in rows.values() if r.status == "reference-fails"]
    assert failing
    for r in failing:
        ref_error, _, ours = r.reason.partition(" | swarm_fast: ")
        assert ref_error.split(":")[0] in ours, r.file
        assert "swarm-safety 1.9.0 itself fails" in ours, r.file


def test_outside_service_files_are_marked_and_refused(rows) -> None:
    """Files that need an outside service are refused (or the reference
    cannot even build them), or, for LLM agents, run offline against a mock
    model (never compared as exact)."""
    marked = [r for r in rows.values() if r.needs]
    assert marked
    assert all(
        r.status in ("refused", "reference-fails") or (r.status == "offline" and r.needs == "llm")
        for r in marked
    )
    assert any(r.status == "offline" for r in marked)


@pytest.mark.parametrize(
    "prefix",
    [
        "security_",
        "dynamic_toxicity_",
        "escalation_",
        "csm_",
        "baseline",
        "obfuscation_atlas",
        "skillrl",
        "research_swarm",
        "resource_negotiation",
        "memory_tiers",
        "team_of_rivals",
        "casestudy_libel_cascade",  # the scale_free topology
    ],
)
def test_ported_families_are_exact(rows, prefix: str) -> None:
    """The families ported so far run exactly on all of their files."""
    family = [r for name, r in rows.items() if name.startswith(prefix)]
    assert family and all(r.status == "exact" for r in family), [
        (r.file, r.status, r.reason) for r in family if r.status != "exact"
    ]


def test_concordia_files_are_exact_or_name_the_extra(rows) -> None:
    """Concordia entities without a provider key answer canned replies on
    both sides: exact. Without gdm-concordia, both need it: refused, naming
    the extra to install."""
    try:
        import concordia  # noqa: F401

        installed = True
    except ImportError:
        installed = False
    for name in ("concordia_entity", "concordia_entity_sweep"):
        r = rows[name]
        if installed:
            assert r.status == "exact" or r.needs == "llm", (name, r.status, r.reason)
        else:
            assert (r.status, r.needs) == ("refused", "package") and "[concordia]" in r.reason


def test_spawn_files_are_exact(rows) -> None:
    """The spawn subsystem's four files (tests/test_library_spawn.py runs
    them in full and with variants)."""
    names = ("recursive_spawn", "runaway_intelligence", "tierra", "tierra_governed")
    not_exact = [(n, rows[n].status, rows[n].reason) for n in names if rows[n].status != "exact"]
    assert not_exact == []


def test_contracts_files_are_exact(rows) -> None:
    """The contracts subsystem's two files (tests/test_library_contracts.py
    runs them in full and with variants)."""
    names = ("contract_screening", "cake_splitting")
    not_exact = [(n, rows[n].status, rows[n].reason) for n in names if rows[n].status != "exact"]
    assert not_exact == []


def test_moltipedia_file_is_refused_for_its_unseeded_wiki(rows) -> None:
    """The wiki runs exactly given a seed (tests/test_library_moltipedia.py);
    the file leaves it unset, so the reference seeds the wiki from the
    operating system and does not reproduce itself: refused, naming the key."""
    r = rows["moltipedia_heartbeat"]
    assert (r.status, r.family) == ("refused", "moltipedia"), r.reason
    assert r.reason.startswith("moltipedia.seed: ")


def test_awm_files(rows) -> None:
    """The simulated AWM handler runs awm_demo exactly
    (tests/test_library_awm.py runs it in full and with variants); awm_live
    needs AWM servers: refused, naming live_mode."""
    assert rows["awm_demo"].status == "exact", rows["awm_demo"].reason
    live = rows["awm_live"]
    assert (live.status, live.family, live.needs) == ("refused", "awm", "service")
    assert live.reason.startswith("awm.live_mode: ")


def test_letta_file(rows) -> None:
    """letta_trust's agents live on a Letta server: refused, marked as
    needing an outside service, with the reason in the message."""
    r = rows["letta_trust"]
    assert (r.status, r.family, r.needs) == ("refused", "letta", "service")
    assert r.reason.startswith("letta: ")
    assert "Letta server" in r.reason


def test_social_dilemma_files_fail_in_the_reference_too(rows) -> None:
    """Their free-text personas: the reference's loader raises while
    building (checked live), and swarm_fast's refusal names that failure."""
    for name in ("social_dilemma_commons", "social_dilemma_prisoners"):
        r = rows[name]
        assert (r.status, r.needs) == ("reference-fails", "llm"), r
        assert r.reason.startswith("ValueError: Unknown persona type: ")
        assert "llm.persona" in r.reason


def test_the_reference_build_check_writes_nothing(coverage, tmp_path, monkeypatch) -> None:
    """Building a file in the reference (to see whether it fails) must not
    leave its event log behind in the working directory: ``outputs:`` is
    dropped first."""
    monkeypatch.chdir(tmp_path)
    for name in ("crewai_demo", "awm_live"):
        assert coverage.reference_build_failure(coverage.LIBRARY / f"{name}.yaml") == ""
    assert list(tmp_path.iterdir()) == []
