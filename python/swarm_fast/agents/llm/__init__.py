"""The reference's ``type: llm`` agent on top of swarm_fast's Python-policy
seam (spec-ext §3): same YAML keys, prompts, parsing and fallbacks, plus an
offline ``mock`` provider, record / replay and usage accounting."""

from __future__ import annotations

from .agent import LLMAgent, parse_reply, to_action
from .config import LLMConfig, parse_llm_config

__all__ = ["LLMAgent", "LLMConfig", "parse_llm_config", "parse_reply", "to_action"]
