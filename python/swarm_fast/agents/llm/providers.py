"""Model providers behind one call, ``complete(kind, system, user)``,
with the reference's retries (``max_retries`` more tries, sleeping
``retry_base_delay * 2**attempt`` between them), plus swarm_fast's
offline ``mock`` provider and record / replay.

Official clients are an optional extra (``pip install swarm_fast[llm]``):
``openai`` for every OpenAI-compatible endpoint (OpenAI, OpenRouter, Groq,
Together, DeepSeek, llama.cpp's server, Ollama's /v1) and ``anthropic``.
Keys come from the file or the environment and are never logged.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...errors import ScenarioError
from .config import LLMConfig
from .usage import Usage, sha256


class TransportError(RuntimeError):
    """Every try of a model call failed (the last error is the cause)."""


class SetupError(RuntimeError):
    """A call that cannot work (no client package, no key): not retried."""


class ReplayMissing(BaseException):
    """A replayed run asked for a prompt the recording does not hold. It is
    not an ``Exception`` on purpose: it stops the run instead of becoming
    an agent's fallback."""


Raw = Callable[[str, str, str], tuple[str, int, int]]


def _mock(cfg: LLMConfig, context: dict[str, Any]) -> Raw:
    fn = context.get("mock")
    if fn is None and cfg.mock_callable:
        from ..spec import import_object

        fn = import_object("llm.mock_callable", cfg.mock_callable)
    if fn is not None:
        if not callable(fn):
            raise ScenarioError(
                "llm.mock", f"expected a callable (system, user) -> str, got {fn!r}"
            )

        def call(kind: str, system: str, user: str) -> tuple[str, int, int]:
            out = fn(system, user)
            if isinstance(out, tuple):
                return out[0], int(out[1]), int(out[2])
            return out, 0, 0

        return call
    replies = dict(cfg.mock_responses or {})

    def fixed(kind: str, system: str, user: str) -> tuple[str, int, int]:
        # Without an accept reply, the act reply answers both (as the
        # reference's dry run does; it has no "accept" key: reject).
        return replies.get(kind, replies.get("act", "")), 50, 20

    return fixed


def _openai(cfg: LLMConfig) -> Raw:
    try:
        import openai
    except ImportError:
        openai = None
    state: dict[str, Any] = {}

    def call(kind: str, system: str, user: str) -> tuple[str, int, int]:
        if openai is None:
            raise SetupError("the openai package is missing: pip install 'swarm_fast[llm]'")
        if "client" not in state:
            key = cfg.key()
            if not key and cfg.provider not in ("ollama", "llama_cpp"):
                raise SetupError(f"no API key for provider {cfg.provider}")
            base = cfg.base_url
            if cfg.provider == "ollama" and base and not base.rstrip("/").endswith("/v1"):
                base = base.rstrip("/") + "/v1"
            headers = None
            if cfg.provider == "openrouter":
                headers = {
                    "HTTP-Referer": "https://github.com/swarm-ai-safety/swarm",
                    "X-Title": "SWARM Safety Simulation",
                }
            state["client"] = openai.OpenAI(
                api_key=key or "not-needed",
                base_url=base if cfg.provider != "openai" else cfg.base_url,
                timeout=cfg.timeout,
                max_retries=0,
                default_headers=headers,
            )
        r = state["client"].chat.completions.create(
            model=cfg.model,
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            temperature=cfg.temperature,
            max_tokens=cfg.max_tokens,
        )
        text = r.choices[0].message.content or ""
        u = r.usage
        return text, (u.prompt_tokens if u else 0), (u.completion_tokens if u else 0)

    return call


def _anthropic(cfg: LLMConfig) -> Raw:
    try:
        import anthropic
    except ImportError:
        anthropic = None
    state: dict[str, Any] = {}

    def call(kind: str, system: str, user: str) -> tuple[str, int, int]:
        if anthropic is None:
            raise SetupError("the anthropic package is missing: pip install 'swarm_fast[llm]'")
        if "client" not in state:
            key = cfg.key()
            if not key:
                raise SetupError("no API key for provider anthropic (ANTHROPIC_API_KEY)")
            state["client"] = anthropic.Anthropic(
                api_key=key, base_url=cfg.base_url, timeout=cfg.timeout, max_retries=0
            )
        r = state["client"].messages.create(
            model=cfg.model,
            max_tokens=cfg.max_tokens,
            temperature=cfg.temperature,
            system=system,
            messages=[{"role": "user", "content": user}],
        )
        return r.content[0].text, r.usage.input_tokens, r.usage.output_tokens

    return call


def _unsupported(what: str) -> Raw:
    def call(kind: str, system: str, user: str) -> tuple[str, int, int]:
        raise SetupError(what)

    return call


def raw_provider(cfg: LLMConfig, context: dict[str, Any]) -> Raw:
    if cfg.provider == "mock" or context.get("mock") is not None:
        return _mock(cfg, context)
    if cfg.provider == "anthropic":
        return _anthropic(cfg)
    if cfg.provider == "google":
        return _unsupported(
            "provider google is not wired in swarm_fast yet (use an OpenAI-compatible endpoint)"
        )
    if cfg.provider == "llama_cpp" and cfg.model_path:
        return _unsupported(
            "llama_cpp in-process mode (model_path) is not supported; "
            "run llama.cpp's server and set base_url"
        )
    return _openai(cfg)


class Recording:
    """``record``: every exchange appended as one JSON line."""

    _open: dict[str, Recording] = {}

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._f = path.open("w", encoding="utf-8")

    @classmethod
    def shared(cls, path: str) -> Recording:
        key = str(Path(path).resolve())
        rec = cls._open.get(key)
        if rec is None or rec._f.closed:
            rec = cls._open[key] = cls(Path(path))
        return rec

    def append(self, rec: dict[str, Any]) -> None:
        self._f.write(json.dumps(rec, ensure_ascii=False) + "\n")

    def close(self) -> None:
        if not self._f.closed:
            self._f.close()
        self._open.pop(next((k for k, v in self._open.items() if v is self), ""), None)


class Replay:
    """``replay``: the recorded replies, per agent and prompt hash, in the
    order they were recorded."""

    _cache: dict[str, Replay] = {}

    def __init__(self, path: Path) -> None:
        self.replies: dict[tuple[str, str], deque] = defaultdict(deque)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as e:
            raise ScenarioError("llm.replay", f"cannot read {path}: {e}") from None
        for n, line in enumerate(lines, 1):
            try:
                r = json.loads(line)
                self.replies[(r["agent_id"], r["prompt_sha256"])].append(
                    (r["reply"], r["input_tokens"], r["output_tokens"], r.get("error"))
                )
            except (ValueError, KeyError, TypeError) as e:
                msg = f"{path}:{n}: not a recording line ({e})"
                raise ScenarioError("llm.replay", msg) from None

    @classmethod
    def fresh(cls, path: str) -> Replay:
        return cls(Path(path))


class RateLimit:
    """At most ``rate`` calls per second across a run's agents (threads
    included): each call waits for its slot."""

    def __init__(self, rate: float) -> None:
        import threading

        if not rate > 0:
            raise ValueError(f"rate_limit: expected calls per second > 0, got {rate!r}")
        self.gap = 1.0 / rate
        self.next = 0.0
        self.lock = threading.Lock()

    def wait(self) -> None:
        with self.lock:
            now = time.monotonic()
            at = max(now, self.next)
            self.next = at + self.gap
        if at > now:
            time.sleep(at - now)


class Provider:
    """One agent's model: raw calls with retries, accounting, record and
    replay."""

    def __init__(self, cfg: LLMConfig, context: dict[str, Any], usage: Usage) -> None:
        self.cfg = cfg
        self.usage = usage
        self.base_delay = float(context.get("retry_base_delay", cfg.retry_base_delay))
        self.raw = raw_provider(cfg, context)
        # A mock stands for the whole model call, retries included (as the
        # reference's tests replace it): a failing mock is not retried.
        self.tries = (
            1
            if cfg.provider == "mock" or context.get("mock") is not None
            else (cfg.max_retries + 1)
        )
        rec, rep = context.get("record"), context.get("replay")
        self.recording = Recording.shared(str(rec)) if rec else None
        replay = context.get("_replay_obj")
        if rep and replay is None:
            replay = context["_replay_obj"] = Replay.fresh(str(rep))
        self.replay: Replay | None = replay
        limiter = context.get("_limiter")
        if limiter is None and context.get("rate_limit") is not None:
            limiter = context["_limiter"] = RateLimit(float(context["rate_limit"]))
        self.limiter: RateLimit | None = limiter

    def complete(
        self, kind: str, system: str, user: str, agent: Any, where: tuple[int, int]
    ) -> tuple[str, int, int]:
        h = sha256(system + "\0" + user)
        if self.replay is not None:
            q = self.replay.replies.get((agent.agent_id, h))
            if not q:
                raise ReplayMissing(
                    f"replay: no recorded reply for agent {agent.agent_id} at epoch {where[0]}, "
                    f"step {where[1]} ({kind}; prompt sha256 {h[:12]})"
                )
            text, tin, tout, err = q.popleft()
            self.usage.record(0.0, tin, tout, 0)
            if err is not None:
                raise TransportError(err)
            return text, tin, tout
        t0 = time.perf_counter()
        retries = 0
        last: Exception | None = None
        for attempt in range(self.tries):
            try:
                if self.limiter is not None:
                    self.limiter.wait()
                text, tin, tout = self.raw(kind, system, user)
                if not isinstance(text, str):
                    raise TypeError(f"the model reply is {type(text).__name__}, not text")
                self.usage.record(time.perf_counter() - t0, tin, tout, retries)
                self._record(agent, kind, where, h, text, tin, tout, time.perf_counter() - t0)
                return text, tin, tout
            except SetupError as e:
                last = e
                break
            except Exception as e:
                last = e
                retries += 1
                if attempt < self.tries - 1:
                    time.sleep(self.base_delay * 2**attempt)
        self.usage.record_failure(time.perf_counter() - t0, retries)
        msg = f"{type(last).__name__}: {last}"
        self._record(agent, kind, where, h, None, 0, 0, time.perf_counter() - t0, error=msg)
        raise TransportError(msg) from last

    def _record(self, agent, kind, where, h, text, tin, tout, latency, error=None) -> None:
        if self.recording is not None:
            self.recording.append(
                {
                    "agent_id": agent.agent_id,
                    "kind": kind,
                    "epoch": where[0],
                    "step": where[1],
                    "prompt_sha256": h,
                    "reply": text,
                    "input_tokens": tin,
                    "output_tokens": tout,
                    "latency_s": round(latency, 6),
                    "error": error,
                }
            )

    def close(self) -> None:
        if self.recording is not None:
            self.recording.close()


def make_provider(cfg: LLMConfig, context: dict[str, Any], usage: Usage) -> Provider:
    return Provider(cfg, context, usage)
