"""LLM agents over real HTTP (issue 13, item 6): a local OpenAI-compatible
server on an ephemeral port, driven through the official ``openai`` client.
The server's answer to its n-th request is scripted: 429, 500, a stalled
reply (longer than the client's timeout), a malformed model reply, or a
normal one. The run must finish, and every retry and fallback must be
counted."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

import swarm_fast

pytest.importorskip("openai")

SCENARIOS = Path(__file__).parent / "scenarios"
KEY = "sk-test-not-a-real-key-0123456789"
# n % 9: the three errors in a row exhaust max_retries = 2 (a transport
# fallback); the rest are single failures followed by a good reply.
SCRIPT = ["429", "500", "stall", "ok", "malformed", "ok", "429", "ok", "500"]
REPLIES = [
    '{"action_type": "POST", "params": {"content": "hi"}}',
    '{"action_type": "PROPOSE_INTERACTION", "params": {"counterparty_id": "honest_1"}}',
    '{"accept": true}',
]


class Stub:
    def __init__(self) -> None:
        self.n = 0
        self.seen: dict[str, int] = {}
        self.auth: set[str] = set()
        self.lock = threading.Lock()

    def next(self) -> tuple[int, str]:
        with self.lock:
            n = self.n
            self.n += 1
        kind = SCRIPT[n % len(SCRIPT)]
        with self.lock:
            self.seen[kind] = self.seen.get(kind, 0) + 1
        return n, kind


def serve(stub: Stub) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            stub.auth.add(self.headers.get("Authorization", ""))
            n, kind = stub.next()
            if kind in ("429", "500"):
                self._send(int(kind), {"error": {"message": kind, "type": "server_error"}})
                return
            if kind == "stall":
                time.sleep(1.0)
            text = "{not json" if kind == "malformed" else REPLIES[n % len(REPLIES)]
            self._send(
                200,
                {
                    "id": f"c{n}",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body["model"],
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": text},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
                },
            )

        def _send(self, code: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_openai_client_through_a_local_server(tmp_path: Path, capsys) -> None:
    stub = Stub()
    server = serve(stub)
    try:
        data = yaml.safe_load((SCENARIOS / "llm_agents.yaml").read_text())
        for spec in data["agents"]:
            if spec["type"] == "llm":
                spec["llm"] = {
                    "provider": "openai",
                    "model": "gpt-4o-mini",
                    "api_key": KEY,
                    "base_url": f"http://127.0.0.1:{server.server_port}/v1",
                    "timeout": 0.3,
                    "max_retries": 2,
                }
        audit = tmp_path / "audit.jsonl"
        r = swarm_fast.run(
            data,
            seed=3,
            epochs=2,
            steps=3,
            record_interactions=True,
            llm={"retry_base_delay": 0.001, "prompt_audit": str(audit)},
        )
    finally:
        server.shutdown()
    u = r.llm_usage
    total = {c: int(u[c].sum()) for c in u.columns if u[c].dtype.is_integer()}
    assert stub.auth == {f"Bearer {KEY}"}
    # Every request the server saw is a call or a retry.
    assert stub.n == total["retries"] + total["calls"] - total["failed_calls"]
    assert {"429", "500", "stall", "malformed", "ok"} <= set(stub.seen)
    assert total["failed_calls"] >= 1
    assert total["fallbacks_transport"] == total["failed_calls"]
    # Malformed replies that reached an agent fell back and were counted.
    assert total["fallbacks_parse"] == stub.seen["malformed"]
    assert total["input_tokens"] == 11 * (total["calls"] - total["failed_calls"])
    assert total["fallbacks_other"] == 0
    # The good replies acted: posts were made; the key appears nowhere.
    assert r.epochs["total_posts"].sum() > 0
    assert KEY not in audit.read_text()
    assert KEY not in capsys.readouterr().out + capsys.readouterr().err
    assert u["estimated_cost_usd"].sum() > 0  # gpt-4o-mini is priced
