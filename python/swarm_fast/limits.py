"""Bounds on what swarm_fast accepts, and the checks that enforce them.

The reference (swarm-safety 1.9.0) has no upper bounds on its inputs; a
request too big for the machine fails there after a long time, or takes the
machine down. swarm_fast refuses such requests up front with a
:class:`~swarm_fast.ScenarioError` naming the key, so that bad input can
never abort the interpreter (a failed allocation in Rust aborts the
process), hang it, or flood the terminal:

- scenario files: at most ``MAX_FILE_BYTES``, regular files only, YAML
  aliases expanding to at most ``MAX_NODES`` values, nesting at most
  ``MAX_DEPTH`` levels (checked while parsing, before any recursive walk);
- mappings and override values given from Python: the same depth and
  expanded-size bounds, checked before they are copied;
- counts: at most ``MAX_AGENTS`` agents, ``MAX_EPOCHS`` epochs and
  ``MAX_STEPS`` steps per epoch, and a run's estimated memory
  (:func:`run_memory`) must fit in what the machine has available
  (:func:`available_memory`);
- values echoed in error messages are shortened by :func:`short`.
"""

from __future__ import annotations

import os
import reprlib
import resource
import stat
from pathlib import Path
from typing import Any

import yaml

# Documented upper bounds (the reference has none).
MAX_FILE_BYTES = 4 * 1024 * 1024  # scenario files are a few KB
MAX_DEPTH = 64  # a scenario nests 4 levels deep
MAX_NODES = 100_000  # values in a scenario once aliases are expanded
MAX_AGENTS = 100_000_000
MAX_EPOCHS = 2**32 - 1  # the core counts epochs and steps in 32 bits
MAX_STEPS = 2**32 - 1
MAX_REPR = 200  # characters of a value shown in an error message

# Memory model of one run (bytes), measured on the release build: an agent
# with its random stream, policy state and per-agent columns; one epoch's
# metrics row in Rust plus its numpy/polars copy; one interaction-trace row
# in Rust plus its copy; one directed network edge (id and weight, with the
# slack of a growing vector); the interpreter's fixed overhead per run.
AGENT_BYTES = 2_600
EPOCH_BYTES = 200
TRACE_ROW_BYTES = 2 * 66
EDGE_BYTES = 24
RUN_OVERHEAD_BYTES = 64 * 1024 * 1024

GiB = 1024**3


# ------------------------------------------------------------------ messages


class _ShortRepr(reprlib.Repr):
    """reprlib with small limits: walks at most a few levels and a few items
    per level, so an aliased or huge structure is never walked whole."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 3
        self.maxdict = self.maxlist = self.maxtuple = self.maxset = 6
        self.maxfrozenset = self.maxdeque = self.maxarray = 6
        self.maxstring = 60
        self.maxlong = 40
        self.maxother = 60

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 128:  # repr() of a huge int is slow or refused
            return f"<int of {x.bit_length()} bits>"
        return super().repr_int(x, level)

    def repr_instance(self, x: Any, level: int) -> str:
        # Never call an unknown object's __repr__ (it may be slow or fail).
        if isinstance(x, (float, complex, bytes, bytearray)):
            try:
                return super().repr_instance(x, level)
            except Exception:
                pass
        return f"<{type(x).__name__} object>"


_SHORT = _ShortRepr()


def short(value: Any, limit: int = MAX_REPR) -> str:
    """A repr of ``value`` of at most ``limit`` characters."""
    try:
        text = _SHORT.repr(value)
    except Exception:  # a broken __eq__/__len__ on a user type
        text = f"<{type(value).__name__} object>"
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def short_key(key: str, limit: int = MAX_REPR) -> str:
    """A key (dotted path or file name) shortened for a message."""
    return key if len(key) <= limit else key[: limit - 3] + "..."


# ------------------------------------------------------------------ structure


def _container(node: Any) -> bool:
    return isinstance(node, (dict, list, tuple, set, frozenset))


def _items(node: Any) -> Any:
    return iter(node.items()) if isinstance(node, dict) else enumerate(node)


def check_structure(value: Any, where: str) -> None:
    """Refuse a value nested deeper than MAX_DEPTH, holding more than
    MAX_NODES values once shared parts are counted every time they appear
    (an "alias bomb"), or containing itself. Iterative and memoised: each
    distinct container is visited once, however far it expands.
    """
    from .errors import ScenarioError

    if not _container(value):
        return
    expanded: dict[int, int] = {}  # id -> expanded size of a finished container
    on_path = {id(value)}
    # Frames: [container, dotted path, item iterator, values counted so far].
    stack: list[list[Any]] = [[value, where, _items(value), 1]]

    def too_big(path: str) -> ScenarioError:
        return ScenarioError(
            short_key(path),
            f"expands to more than {MAX_NODES} values (shared parts such as YAML "
            "aliases count each time they appear)",
        )

    while stack:
        frame = stack[-1]
        try:
            label, kid = next(frame[2])
        except StopIteration:
            stack.pop()
            on_path.discard(id(frame[0]))
            expanded[id(frame[0])] = frame[3]
            if stack:
                stack[-1][3] += frame[3]
                if stack[-1][3] > MAX_NODES:
                    raise too_big(stack[-1][1]) from None
            continue
        if isinstance(frame[0], dict):
            frame[3] += 1  # the key
        k = id(kid)
        if not _container(kid):
            frame[3] += 1
        elif k in on_path:
            raise ScenarioError(
                short_key(frame[1]), "the value contains itself (a recursive alias)"
            )
        elif k in expanded:
            frame[3] += expanded[k]
        else:
            if len(stack) >= MAX_DEPTH:
                raise ScenarioError(
                    short_key(frame[1]), f"nested more than {MAX_DEPTH} levels deep"
                )
            if isinstance(label, str):
                path = f"{frame[1]}.{label}"
            else:
                path = f"{frame[1]}[{label if isinstance(label, int) else short(label, 40)}]"
            on_path.add(k)
            stack.append([kid, short_key(path), _items(kid), 1])
            continue
        if frame[3] > MAX_NODES:
            raise too_big(frame[1])


# ------------------------------------------------------------------ files


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader (no Python tags) that bounds nesting while it
    composes (its composer recurses) and refuses aliases expanding beyond
    MAX_NODES before anything is constructed."""

    def __init__(self, stream: Any, where: str) -> None:
        super().__init__(stream)
        self._where = where
        self._depth = 0

    def _too_deep(self) -> Exception:
        from .errors import ScenarioError

        line = self.get_mark().line + 1
        return ScenarioError(self._where, f"nested more than {MAX_DEPTH} levels deep (line {line})")

    # The scanner runs ahead of the composer over "[[[[...": bound its
    # flow and indentation levels too, or its per-level bookkeeping makes
    # a deep file quadratic before the composer sees the depth.
    def fetch_flow_collection_start(self, token_class: Any) -> None:
        if self.flow_level >= MAX_DEPTH:
            raise self._too_deep()
        super().fetch_flow_collection_start(token_class)

    def add_indent(self, column: int) -> bool:
        if len(self.indents) >= MAX_DEPTH:
            raise self._too_deep()
        return super().add_indent(column)

    def compose_node(self, parent: Any, index: Any) -> Any:
        from .errors import ScenarioError

        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise ScenarioError(
                    self._where,
                    f"nested more than {MAX_DEPTH} levels deep (line {mark.line + 1})",
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_document(self, node: Any) -> Any:
        _check_nodes(node, self._where)
        return super().construct_document(node)


def _check_nodes(root: Any, where: str) -> None:
    """Expanded size of a composed YAML node graph (aliases share nodes),
    memoised per node; a node reachable from itself is refused."""
    from .errors import ScenarioError

    expanded: dict[int, int] = {}
    on_path = {id(root)}

    def kids(node: Any) -> list[Any]:
        if isinstance(node, yaml.MappingNode):
            return [n for pair in node.value for n in pair]
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        return []

    stack: list[list[Any]] = [[root, iter(kids(root)), 1]]
    while stack:
        frame = stack[-1]
        kid = next(frame[1], None)
        if kid is None:
            stack.pop()
            on_path.discard(id(frame[0]))
            expanded[id(frame[0])] = frame[2]
            if stack:
                stack[-1][2] += frame[2]
        elif id(kid) in on_path:
            line = kid.start_mark.line + 1
            raise ScenarioError(where, f"recursive YAML alias (line {line})")
        elif id(kid) in expanded:
            frame[2] += expanded[id(kid)]
        elif isinstance(kid, (yaml.MappingNode, yaml.SequenceNode)):
            on_path.add(id(kid))
            stack.append([kid, iter(kids(kid)), 1])
            continue
        else:
            frame[2] += 1
        if stack and stack[-1][2] > MAX_NODES:
            raise ScenarioError(
                where,
                f"the YAML expands to more than {MAX_NODES} values (aliases count each "
                "time they are used)",
            )


def read_scenario_file(path: Path) -> Any:
    """Parse a scenario file: a regular file of at most MAX_FILE_BYTES,
    checked before it is read; bounded YAML. Errors name the file."""
    from .errors import ScenarioError

    where = short_key(str(path))
    try:
        info = os.stat(path)
    except (OSError, ValueError) as e:
        reason = getattr(e, "strerror", None) or str(e)
        raise ScenarioError(where, f"cannot read: {short(reason)}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError(where, "not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise ScenarioError(
            where, f"{info.st_size} bytes; scenario files are limited to {MAX_FILE_BYTES}"
        )
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)  # the file may have grown since
        if len(data) > MAX_FILE_BYTES:
            raise ScenarioError(where, f"larger than {MAX_FILE_BYTES} bytes")
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ScenarioError(where, f"cannot read: {short(str(e))}") from None
    return load_yaml(text, where)


def load_yaml(text: str, where: str) -> Any:
    """Safe, bounded YAML parsing; ScenarioError on malformed input."""
    from .errors import ScenarioError

    loader = None
    try:
        loader = _BoundedLoader(text, where)  # its reader checks the characters
        return loader.get_single_data()
    except yaml.YAMLError as e:
        raise ScenarioError(where, f"malformed YAML: {short_key(str(e), 400)}") from None
    except RecursionError:  # belt and braces: the depth bound comes first
        raise ScenarioError(where, "the YAML nests too deeply") from None
    except (ValueError, OverflowError, TypeError) as e:
        # A scalar its constructors refuse: an integer of more than 4,300
        # digits, a date such as 2001-02-30.
        raise ScenarioError(where, f"invalid YAML value: {short_key(str(e), 300)}") from None
    finally:
        if loader is not None:
            loader.dispose()


# ------------------------------------------------------------------ memory


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _self_status(field: str) -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def available_memory() -> int | None:
    """Bytes this process can still allocate: the machine's available memory
    (``MemAvailable``), lowered by the process's address-space and data
    rlimits when they are set. None when nothing is known."""
    candidates = []
    avail = _meminfo_available()
    if avail is not None:
        candidates.append(avail)
    for limit, used in ((resource.RLIMIT_AS, "VmSize"), (resource.RLIMIT_DATA, "VmData")):
        soft, _ = resource.getrlimit(limit)
        if soft != resource.RLIM_INFINITY:
            candidates.append(max(0, soft - _self_status(used)))
    return min(candidates) if candidates else None


def gib(n: float) -> str:
    return f"{n / GiB:.0f} GiB" if n >= 10 * GiB else f"{n / GiB:.1f} GiB"


def network_edges(network: dict[str, Any] | None, n: int) -> int:
    """Directed adjacency entries a network of ``n`` agents stores (an
    upper bound; a static complete graph is implicit and stores none)."""
    if not network:
        return 0
    topology = network["topology"]
    if topology == "complete":
        return n * (n - 1) if network.get("dynamic") else 0
    if topology == "random_erdos_renyi":
        return int(network["edge_probability"] * n * (n - 1)) + n
    if topology == "small_world":
        return min(int(network["k"]), max(n - 1, 0)) * n
    if topology == "scale_free":
        return min(2 * int(network["m"]), max(n - 1, 0)) * n
    return 2 * n  # ring, star


def run_memory(config: dict[str, Any], epochs: int) -> tuple[int, int, int]:
    """The estimated bytes of one run: (agents and network, epoch metrics,
    fixed overhead). The interaction trace is budgeted separately (it is
    bounded while the run goes, see :func:`trace_row_budget`)."""
    n = sum(int(a["count"]) for a in config["agents"])
    agents = n * AGENT_BYTES + network_edges(config.get("network"), n) * EDGE_BYTES
    return agents, epochs * EPOCH_BYTES, RUN_OVERHEAD_BYTES


# Interaction-trace rows one agent's turn can complete, with room to spare:
# each row is an interaction finished by a proposal or a handler's action,
# and a turn takes one action.
MAX_ROWS_PER_TURN = 8


def trace_bound(config: dict[str, Any], epochs: int, steps: int) -> int | None:
    """Bytes the interaction trace can take at the most (on its way to
    Python too) in a run of ``epochs`` x ``steps``, or None when the
    population can grow during the run (spawn, tierra)."""
    if config.get("spawn") is not None or config.get("tierra") is not None:
        return None
    n = sum(int(a["count"]) for a in config["agents"])
    return epochs * steps * n * MAX_ROWS_PER_TURN * TRACE_ROW_BYTES


def trace_row_budget(free_bytes: int | None) -> int | None:
    """How many interaction-trace rows fit in ``free_bytes`` (half of it:
    the rows are copied once on the way to Python)."""
    if free_bytes is None:
        return None
    return max(0, free_bytes // 2 // TRACE_ROW_BYTES)
