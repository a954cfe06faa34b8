"""Usage accounting (calls, tokens, retries, fallbacks by cause, latency,
estimated cost) and the JSONL prompt audit."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

# USD per million tokens (input, output): the reference's price table
# (spec-ext §3.5); other models cost 0.
PRICES = {
    "claude-sonnet-4-20250514": (3.0, 15.0),
    "claude-3-5-sonnet-20241022": (3.0, 15.0),
    "claude-3-haiku-20240307": (0.25, 1.25),
    "gpt-4o": (2.50, 10.0),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4-turbo": (10.0, 30.0),
    "mistralai/mixtral-8x7b-instruct": (0.24, 0.24),
    "meta-llama/llama-3-70b-instruct": (0.59, 0.79),
    "google/gemini-pro-1.5": (1.25, 5.0),
    "llama-3.3-70b-versatile": (0.59, 0.79),
    "mixtral-8x7b-32768": (0.24, 0.24),
    "meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo": (0.88, 0.88),
    "deepseek-chat": (0.14, 0.28),
    "deepseek-reasoner": (0.55, 2.19),
    "gemini-2.0-flash": (0.10, 0.40),
    "gemini-1.5-pro": (1.25, 5.00),
}

FALLBACK_CAUSES = ("transport", "parse", "other")


class Usage:
    """One agent's usage."""

    def __init__(self, model: str, provider: str) -> None:
        self.model = model
        self.provider = provider
        self.calls = 0
        self.failed_calls = 0
        self.retries = 0
        self.input_tokens = 0
        self.output_tokens = 0
        self.latencies: list[float] = []
        self.fallbacks = dict.fromkeys(FALLBACK_CAUSES, 0)

    def record(self, latency: float, tin: int, tout: int, retries: int) -> None:
        self.calls += 1
        self.retries += retries
        self.input_tokens += tin
        self.output_tokens += tout
        self.latencies.append(latency)

    def record_failure(self, latency: float, retries: int) -> None:
        self.calls += 1
        self.failed_calls += 1
        self.retries += retries
        self.latencies.append(latency)

    def fallback(self, error: BaseException) -> None:
        from .agent import ParseError
        from .providers import TransportError

        if isinstance(error, TransportError):
            cause = "transport"
        elif isinstance(error, ParseError):
            cause = "parse"
        else:
            cause = "other"
        self.fallbacks[cause] += 1

    def cost(self) -> float:
        pin, pout = PRICES.get(self.model, (0.0, 0.0))
        return self.input_tokens / 1e6 * pin + self.output_tokens / 1e6 * pout


def usage_frame(policies: list[Any]) -> Any:
    """One row per agent that calls a model: LLM agents, and Concordia
    entities with a model (see ``RunResult.llm_usage``)."""
    import numpy as np
    import polars as pl

    rows = []
    for p in policies:
        u = getattr(p, "usage", None)
        if not isinstance(u, Usage):
            continue
        lat = np.array(u.latencies) * 1e3 if u.latencies else np.array([np.nan])
        rows.append(
            {
                "agent_id": p.agent_id,
                "provider": u.provider,
                "model": u.model,
                "calls": u.calls,
                "failed_calls": u.failed_calls,
                "retries": u.retries,
                "input_tokens": u.input_tokens,
                "output_tokens": u.output_tokens,
                **{f"fallbacks_{c}": u.fallbacks[c] for c in FALLBACK_CAUSES},
                "latency_p50_ms": float(np.percentile(lat, 50)),
                "latency_p90_ms": float(np.percentile(lat, 90)),
                "latency_p99_ms": float(np.percentile(lat, 99)),
                "estimated_cost_usd": u.cost(),
            }
        )
    return pl.DataFrame(rows) if rows else pl.DataFrame(schema={"agent_id": pl.String})


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cut(text: str | None, n: int) -> str | None:
    return text if text is None or len(text) <= n else text[:n]


class AuditLog:
    """``--prompt-audit FILE``: one JSON line per exchange, in the
    reference's record shape. Agents of a run writing to one path share
    one log."""

    _open: dict[str, AuditLog] = {}

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._f = path.open("a", encoding="utf-8")

    @classmethod
    def shared(cls, path: str, cfg: Any) -> AuditLog:
        key = str(Path(path).resolve())
        log = cls._open.get(key)
        if log is None or log._f.closed:
            log = cls._open[key] = cls(Path(path))
        return log

    def append(
        self,
        agent_id: str | None,
        kind: str,
        where: tuple[int, int],
        cfg: Any,
        system: str,
        user: str,
        text: str | None,
        tin: int | None,
        tout: int | None,
        error: str | None,
        extra: dict | None,
    ) -> None:
        n = cfg.prompt_audit_max_chars
        rec: dict[str, Any] = {
            "ts": datetime.now(timezone.utc).isoformat(),
            "agent_id": agent_id,
            "kind": kind,
            "epoch": where[0],
            "step": where[1],
            "llm": {"provider": cfg.provider, "model": cfg.model},
            "system_prompt_sha256": sha256(system) if system else "",
            "user_prompt": _cut(user, n),
            "response_text": _cut(text, n),
            "tokens": {"input": tin, "output": tout},
            "error": _cut(error, 4000),
        }
        if cfg.prompt_audit_include_system_prompt:
            rec["system_prompt"] = _cut(system, n)
        elif not cfg.prompt_audit_hash_system_prompt:
            rec.pop("system_prompt_sha256")
        if extra:
            rec["extra"] = extra
        self._f.write(json.dumps(rec, ensure_ascii=False) + "\n")

    def flush(self) -> None:
        if not self._f.closed:
            self._f.flush()
