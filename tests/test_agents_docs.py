"""The ten-line policy of the README and docs/agents.md runs as shown."""

from __future__ import annotations

import re
from pathlib import Path

import swarm_fast

ROOT = Path(__file__).parent.parent


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def test_readme_policy_example() -> None:
    block = next(b for b in _python_blocks((ROOT / "README.md").read_text()) if "policies=" in b)
    scope: dict = {}
    exec(compile(block, "README.md", "exec"), scope)
    result = scope["result"]
    mine = result.agents.filter(agent_id="mine_1")
    assert mine.height == 1 and mine["agent_type"][0] == "honest"
    assert mine["interactions_initiated"][0] > 0
    assert result.policy_report["act_errors"][0] == 0


def test_docs_policy_example() -> None:
    block = _python_blocks((ROOT / "docs" / "agents.md").read_text())[0]
    scope: dict = {}
    exec(compile(block, "docs/agents.md", "exec"), scope)
    assert isinstance(scope["result"], swarm_fast.RunResult)
    assert scope["result"].agents["agent_id"][-1] == "mine_1"
