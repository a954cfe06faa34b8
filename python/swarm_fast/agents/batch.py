"""The batched mode's helper: one step's calls spread over worker threads
(each LLM call releases the GIL while it waits for the network)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any


def call_all(calls: list[tuple[Any, str, tuple]], concurrency: int) -> list[tuple[bool, Any]]:
    """``getattr(obj, method)(*args)`` for each call, at most ``concurrency``
    at once; each answer is ``(True, value)`` or ``(False, exception)``."""

    def one(call: tuple[Any, str, tuple]) -> tuple[bool, Any]:
        obj, method, args = call
        try:
            return True, getattr(obj, method)(*args)
        except BaseException as e:  # handed back to the engine, counted there
            return False, e

    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(calls)))) as pool:
        return list(pool.map(one, calls))
