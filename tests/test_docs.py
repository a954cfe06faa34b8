"""Every code block of README.md and docs/*.md runs as written.

- ```python blocks of one file run in order in one namespace (as a reader
  pastes them into one session); ```bash blocks run with `bash -euo
  pipefail`. Both run in a temporary folder.
- Placeholders are made runnable by ``PLACEHOLDERS``: the Dask scheduler
  address becomes a local cluster's, scenario paths a copy of a bundled
  scenario.
- A block that is deliberately not runnable here (it installs packages,
  needs a SLURM cluster, runs the minutes-long benchmarks, or is the
  set-up itself, tested in tests/test_setup.py) is preceded by the comment
  ``<!-- docs-test: skip (reason) -->``. The reason is required.
- Every ``swarm_fast.NAME`` the docs mention, in code or prose, exists.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import swarm_fast

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SKIP = re.compile(r"<!--\s*docs-test:\s*skip\s*\((?P<reason>[^)]+)\)\s*-->")
FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>\w*)\s*$")

# Placeholder in the docs -> what the test runs instead (format fields:
# dask = a local scheduler's address, scenario = a scenario file).
PLACEHOLDERS = {
    "tcp://scheduler-host:8786": "{dask}",
    "path/to/scenario.yaml": "{scenario}",
    "my_scenario.yaml": "{scenario}",
}


@dataclass
class Block:
    doc: Path
    line: int
    lang: str
    code: str
    skip: str | None

    @property
    def id(self) -> str:
        return f"{self.doc.name}:{self.line}"


def blocks(doc: Path) -> list[Block]:
    out: list[Block] = []
    lines = doc.read_text().splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, lang, start = m["indent"], m["lang"], i
        prev = next((ln for ln in reversed(lines[:start]) if ln.strip()), "")
        skip = SKIP.search(prev)
        body = []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i])
            i += 1
        i += 1
        if lang in ("python", "bash", "sh"):
            code = "\n".join(body) + "\n"
            out.append(Block(doc, start + 1, lang, code, skip["reason"] if skip else None))
    return out


ALL = [b for doc in DOCS for b in blocks(doc)]


def test_the_docs_have_blocks_and_skips_give_reasons() -> None:
    assert {b.doc.name for b in ALL} >= {"README.md", "distributed.md"}
    assert sum(b.skip is None for b in ALL) >= 6
    for doc in DOCS:
        for n, line in enumerate(doc.read_text().splitlines(), 1):
            if "docs-test" in line:
                assert SKIP.search(line), f"{doc.name}:{n}: malformed docs-test marker"


@pytest.fixture(scope="module")
def dask_address():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    yield cluster.scheduler_address
    cluster.close()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch) -> Path:
    shutil.copy(swarm_fast.bundled_scenarios()["baseline"], tmp_path / "scenario.yaml")
    # Docs name the repository's test scenarios by their relative path.
    (tmp_path / "tests").symlink_to(ROOT / "tests", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _runnable(code: str, needs: dict[str, str]) -> str:
    for placeholder, field in PLACEHOLDERS.items():
        code = code.replace(placeholder, field.format(**needs))
    return code


def _needs(code: str, request) -> dict[str, str]:
    needs = {"scenario": "scenario.yaml", "dask": ""}
    if "tcp://scheduler-host" in code:
        needs["dask"] = request.getfixturevalue("dask_address")
    return needs


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_python_blocks_run(doc: Path, workdir: Path, request) -> None:
    namespace: dict = {"__name__": "__docs__"}
    ran = 0
    try:
        for block in blocks(doc):
            if block.lang != "python" or block.skip:
                continue
            code = _runnable(block.code, _needs(block.code, request))
            exec(compile(code, block.id, "exec"), namespace)
            ran += 1
    finally:  # Dask clients the blocks opened
        for value in list(namespace.values()):
            if type(value).__name__ == "Client" and hasattr(value, "close"):
                value.close()
    if doc.name in ("README.md", "distributed.md"):
        assert ran


BASH = [b for b in ALL if b.lang in ("bash", "sh")]


@pytest.mark.parametrize("block", BASH, ids=[b.id for b in BASH])
def test_shell_blocks_run(block: Block, workdir: Path, request) -> None:
    if block.skip:
        pytest.skip(block.skip)
    code = _runnable(block.code, _needs(block.code, request))
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    proc = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", code],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, f"{block.id}\n{code}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr


NAME = re.compile(r"\bswarm_fast\.([A-Za-z_][\w.]*)")


def test_every_documented_swarm_fast_name_exists() -> None:
    names = set()
    for doc in DOCS:
        names.update(m.group(1).rstrip(".") for m in NAME.finditer(doc.read_text()))
    assert "sweep" in names
    for dotted in sorted(names):
        obj, parts = swarm_fast, dotted.split(".")
        for i, part in enumerate(parts):
            if hasattr(obj, part):
                obj = getattr(obj, part)
                continue
            module = "swarm_fast." + ".".join(parts[: i + 1])
            try:
                obj = importlib.import_module(module)
            except ImportError:
                pytest.fail(f"the docs use swarm_fast.{dotted}, which does not exist")
