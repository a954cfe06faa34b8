"""The ``llm:`` mapping of a ``type: llm`` agent: the reference's keys and
defaults (spec-ext §3.2), checked with errors that name the key, plus the
offline ``mock`` provider (a swarm_fast extension).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from ...errors import ScenarioError

PROVIDERS = (
    "anthropic",
    "openai",
    "ollama",
    "openrouter",
    "groq",
    "together",
    "deepseek",
    "google",
    "llama_cpp",
    "mock",
)
PERSONAS = ("honest", "strategic", "adversarial", "open")

# Where each provider reads its key when the file gives none.
KEY_ENV = {
    "anthropic": "ANTHROPIC_API_KEY",
    "openai": "OPENAI_API_KEY",
    "openrouter": "OPENROUTER_API_KEY",
    "groq": "GROQ_API_KEY",
    "together": "TOGETHER_API_KEY",
    "deepseek": "DEEPSEEK_API_KEY",
    "google": "GOOGLE_API_KEY",
}
DEFAULT_BASE_URL = {
    "openrouter": "https://openrouter.ai/api/v1",
    "groq": "https://api.groq.com/openai/v1",
    "together": "https://api.together.xyz/v1",
    "deepseek": "https://api.deepseek.com/v1",
    # Ollama's OpenAI-compatible endpoint (the reference posts to /api/chat).
    "ollama": "http://localhost:11434",
    "llama_cpp": "http://localhost:8080/v1",
}


@dataclass(frozen=True)
class LLMConfig:
    provider: str = "anthropic"
    model: str = "claude-sonnet-4-20250514"
    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    temperature: float = 0.7
    max_tokens: int = 512
    timeout: float = 30.0
    max_retries: int = 3
    # In the reference's LLMConfig but not read from YAML (spec-ext §3.2).
    retry_base_delay: float = 1.0
    persona: str = "open"
    system_prompt: str | None = None
    cost_tracking: bool = True
    prompt_audit_path: str | None = None
    prompt_audit_include_system_prompt: bool = False
    prompt_audit_hash_system_prompt: bool = True
    prompt_audit_max_chars: int = 20_000
    model_path: str | None = None
    n_ctx: int = 4096
    n_threads: int | None = None
    llama_seed: int = -1
    # provider: mock — fixed replies per call kind, or "module:function"
    # taking (system, user) and returning the reply text.
    mock_responses: Mapping[str, str] | None = None
    mock_callable: str | None = None
    # Memori memory middleware switched on (inert offline, see agent.py).
    memori: bool = False

    def key(self) -> str | None:
        """The API key: the file's, else the provider's environment
        variable. Never logged or printed."""
        if self.api_key:
            return self.api_key
        if self.provider == "llama_cpp":
            return "not-needed"
        env = KEY_ENV.get(self.provider)
        return os.environ.get(env) if env else None


_STR_KEYS = ("model", "api_key", "base_url", "system_prompt", "prompt_audit_path", "mock_callable")
_BOOL_KEYS = (
    "cost_tracking",
    "prompt_audit_include_system_prompt",
    "prompt_audit_hash_system_prompt",
)
KNOWN_KEYS = frozenset(
    {
        "provider",
        "persona",
        "temperature",
        "max_tokens",
        "timeout",
        "max_retries",
        "prompt_audit_max_chars",
        "memori",
        "model_path",
        "n_ctx",
        "n_threads",
        "llama_seed",
        "mock_responses",
        *_STR_KEYS,
        *_BOOL_KEYS,
    }
)


def _num(where: str, v: Any, integer: bool) -> Any:
    ok = isinstance(v, int) if integer else isinstance(v, (int, float))
    if isinstance(v, bool) or not ok or (not integer and v != v):
        raise ScenarioError(where, f"expected {'an integer' if integer else 'a number'}, got {v!r}")
    return v


def parse_llm_config(where: str, data: Any) -> LLMConfig:
    """Check an ``llm:`` mapping; errors name ``agents[i].llm.KEY``."""
    if not isinstance(data, Mapping):
        raise ScenarioError(where, f"expected a mapping, got {data!r}")
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        raise ScenarioError(f"{where}.{unknown[0]}", "unknown llm key")
    kw: dict[str, Any] = {}
    provider = data.get("provider", "anthropic")
    if not isinstance(provider, str) or provider.lower() not in PROVIDERS:
        raise ScenarioError(
            f"{where}.provider", f"unknown provider {provider!r} (one of {', '.join(PROVIDERS)})"
        )
    kw["provider"] = provider.lower()
    persona = data.get("persona", "open")
    if not isinstance(persona, str) or persona.lower() not in PERSONAS:
        # The reference fails the same way (ValueError at build time).
        raise ScenarioError(
            f"{where}.persona",
            f"unknown persona {persona!r} (one of {', '.join(PERSONAS)}; a persona text of "
            "your own goes in system_prompt); swarm-safety 1.9.0 itself fails on it too "
            f"(ValueError: Unknown persona type: {str(persona).lower()})",
        )
    kw["persona"] = persona.lower()
    for k in _STR_KEYS:
        if data.get(k) is not None:
            if not isinstance(data[k], str):
                raise ScenarioError(f"{where}.{k}", f"expected a string, got {data[k]!r}")
            kw[k] = data[k]
    for k in _BOOL_KEYS:
        if k in data:
            if not isinstance(data[k], bool):
                raise ScenarioError(f"{where}.{k}", f"expected true or false, got {data[k]!r}")
            kw[k] = data[k]
    checks = (
        ("temperature", False, lambda v: 0.0 <= v <= 1.0, "must lie in [0, 1]"),
        ("max_tokens", True, lambda v: v >= 1, "must be >= 1"),
        ("timeout", False, lambda v: v > 0, "must be > 0"),
        ("max_retries", True, lambda v: v >= 0, "must be >= 0"),
        ("prompt_audit_max_chars", True, lambda v: v >= 0, "must be >= 0"),
        ("n_ctx", True, lambda v: v >= 1, "must be >= 1"),
        ("llama_seed", True, lambda v: v >= -1, "must be >= -1 (-1 = random)"),
    )
    for k, integer, ok, msg in checks:
        if k in data:
            v = _num(f"{where}.{k}", data[k], integer)
            if not ok(v):
                raise ScenarioError(f"{where}.{k}", f"{msg}, got {v!r}")
            kw[k] = v
    if data.get("n_threads") is not None:
        kw["n_threads"] = _num(f"{where}.n_threads", data["n_threads"], True)
    memori = data.get("memori")
    if memori is not None:
        if not isinstance(memori, Mapping):
            raise ScenarioError(f"{where}.memori", f"expected a mapping, got {memori!r}")
        # The reference's MemoriMiddleware patches the live SDK client; with a
        # stand-in model it never runs (checked when a run starts).
        kw["memori"] = memori.get("enabled", True) is not False
    if data.get("model_path") is not None:
        mp = data["model_path"]
        if not isinstance(mp, str) or not mp.strip() or not mp.lower().endswith(".gguf"):
            raise ScenarioError(f"{where}.model_path", f"expected a .gguf path, got {mp!r}")
        if ".." in mp.replace("\\", "/").split("/"):
            raise ScenarioError(f"{where}.model_path", "must not contain '..'")
        kw["model_path"] = mp
    base = kw.get("base_url") or DEFAULT_BASE_URL.get(kw["provider"])
    if base is not None and urlparse(base).scheme not in ("http", "https"):
        raise ScenarioError(f"{where}.base_url", f"scheme must be http or https, got {base!r}")
    kw["base_url"] = base
    mock = mock_responses(data, where)
    if mock is not None:
        kw["mock_responses"] = mock
    if kw["provider"] == "mock" and mock is None and "mock_callable" not in kw:
        # The reference's dry run reply (spec-ext §3.6): NOOP, and no
        # "accept" key, so every proposal is rejected.
        kw["mock_responses"] = {"act": '{"action_type": "NOOP", "reasoning": "Dry run"}'}
    return LLMConfig(**kw)


def mock_responses(data: Mapping[str, Any], where: str) -> dict[str, str] | None:
    """A spec's ``mock_responses`` (fixed replies for the act and/or accept
    prompts), checked; None when absent. Shared by llm and concordia agents."""
    mock = data.get("mock_responses")
    if mock is None:
        return None
    if not isinstance(mock, Mapping) or not set(mock) <= {"act", "accept"}:
        raise ScenarioError(
            f"{where}.mock_responses", "expected a mapping with keys act and/or accept"
        )
    for k, v in mock.items():
        if not isinstance(v, str):
            raise ScenarioError(f"{where}.mock_responses.{k}", f"expected a string, got {v!r}")
    return dict(mock)
