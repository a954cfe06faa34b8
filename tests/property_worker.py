"""Subprocess side of the property suite (tests/test_properties.py).

Reads cases from stdin (4-byte big-endian length, then a pickle), runs each
against the public API under an address-space limit and a soft time limit,
and writes one JSON line per case:

    {"outcome": "ok" | "error" | "interrupted" | "slow" | "nondeterministic"
                | "undocumented", ...}

A run that succeeds is run again and must give the same result; a sweep
that succeeds is run again on one thread and must give the same frame.

"interrupted" means the soft time limit stopped a run *inside the core*
(a legitimately long run, stopped as Ctrl-C stops it); a stop anywhere
else is reported as "slow" (a hang in validation). Special values are sent
as recipes and built here, so that the parent never pickles a deep or
aliased structure: ``("__deep__", n)``, ``("__bomb__", levels, width)``,
``("__loop__",)``, ``("__big__", n)`` (a string of n characters),
``("__hugeint__", n)`` (7**n).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import struct
import sys
import tempfile
import time
import traceback
import warnings
from typing import Any

SOFT_SECONDS = float(os.environ.get("SWARM_PROPERTY_SOFT", "3"))
HEADROOM = int(os.environ.get("SWARM_PROPERTY_HEADROOM_MIB", "2048")) * 2**20


def build(v: Any) -> Any:
    """Replace recipes by the values they describe (the tree is shallow)."""
    if isinstance(v, tuple) and v and isinstance(v[0], str) and v[0].startswith("__"):
        kind = v[0]
        if kind == "__deep__":
            x: Any = 1
            for _ in range(v[1]):
                x = {"a": x} if v[1] % 2 else [x]
            return x
        if kind == "__bomb__":
            x = ["lol"]
            for _ in range(v[1]):
                x = [x] * v[2]
            return x
        if kind == "__loop__":
            loop: list[Any] = []
            loop.append(loop)
            return loop
        if kind == "__big__":
            return "x" * v[1]
        if kind == "__hugeint__":
            return 7 ** v[1]
        if kind == "__range__":
            return range(v[1], v[2])
        if kind == "__tuple__":
            return tuple(build(x) for x in v[1])
    if isinstance(v, list):
        return [build(x) for x in v]
    if isinstance(v, dict):
        return {build(k) if isinstance(k, tuple) else k: build(x) for k, x in v.items()}
    return v


class SoftTimeout(BaseException):
    pass


class Nondeterministic(Exception):
    pass


def main() -> None:
    import swarm_fast
    from swarm_fast import _core
    from swarm_fast.sweeps import sweep

    def vm() -> int:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
        return 0

    resource.setrlimit(resource.RLIMIT_AS, (vm() + HEADROOM, resource.RLIM_INFINITY))
    warnings.simplefilter("ignore")

    in_core = [False]

    def wrap(fn: Any) -> Any:
        def inner(*a: Any, **k: Any) -> Any:
            in_core[0] = True
            try:
                return fn(*a, **k)
            finally:
                in_core[0] = False

        return inner

    _core.run_config = wrap(_core.run_config)
    _core.run_batch = wrap(_core.run_batch)

    def on_alarm(_sig: int, _frame: Any) -> None:
        # Inside the core this is Ctrl-C (the core polls for it); anywhere
        # else it marks the case as too slow.
        raise KeyboardInterrupt if in_core[0] else SoftTimeout

    signal.signal(signal.SIGALRM, on_alarm)
    tmp = tempfile.mkdtemp(prefix="swarm_prop_")
    stdin, stdout = sys.stdin.buffer, sys.stdout
    while True:
        head = stdin.read(4)
        if len(head) < 4:
            return
        (n,) = struct.unpack(">I", head)
        case = __import__("pickle").loads(stdin.read(n))
        kind, args = case[0], case[1:]
        t0 = time.perf_counter()
        out: dict[str, Any]
        try:
            signal.setitimer(signal.ITIMER_REAL, SOFT_SECONDS)
            try:
                if kind == "load":
                    swarm_fast.load_scenario(build(args[0]))
                elif kind == "yaml":
                    path = os.path.join(tmp, "case.yaml")
                    with open(path, "w", encoding="utf-8", errors="surrogatepass") as f:
                        f.write(args[0])
                    swarm_fast.load_scenario(path)
                elif kind == "path":
                    swarm_fast.load_scenario(build(args[0]))
                elif kind == "override":
                    base = swarm_fast.load_scenario(build(args[0]))
                    base.with_overrides(build(args[1]))
                elif kind == "run":
                    first = swarm_fast.run(build(args[0]), **build(args[1]))
                    # Determinism: the same call gives the same run.
                    again = swarm_fast.run(build(args[0]), **build(args[1]))
                    if not (
                        first.epochs.equals(again.epochs) and first.agents.equals(again.agents)
                    ):
                        raise Nondeterministic("two runs of the same call differ")
                elif kind == "sweep":
                    kwargs = build(args[1])
                    first = sweep(build(args[0]), **kwargs)
                    # Thread-count independence: one thread gives the same frame.
                    if kwargs.get("threads") in (None, 0, 2):
                        one = sweep(build(args[0]), **{**kwargs, "threads": 1})
                        if not first.equals(one):
                            raise Nondeterministic("the sweep differs with one thread")
                else:
                    raise AssertionError(kind)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            out = {"outcome": "ok"}
        except swarm_fast.ScenarioError as e:
            out = {
                "outcome": "error",
                "type": type(e).__name__,
                "key": e.key,
                "length": len(str(e)),
            }
        except Nondeterministic as e:
            out = {"outcome": "nondeterministic", "message": str(e)}
        except KeyboardInterrupt:
            out = {"outcome": "interrupted"}
        except SoftTimeout:
            out = {"outcome": "slow", "where": traceback.format_exc()[-1500:]}
        except BaseException as e:  # noqa: BLE001 - reported, judged by the parent
            out = {
                "outcome": "undocumented",
                "type": type(e).__name__,
                "message": str(e)[:500],
                "where": traceback.format_exc()[-1500:],
            }
        out["seconds"] = time.perf_counter() - t0
        stdout.write(json.dumps(out) + "\n")
        stdout.flush()


if __name__ == "__main__":
    main()
