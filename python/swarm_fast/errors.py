"""swarm_fast's exception and warning types.

What the public API (``load_scenario``, ``Scenario.with_overrides``,
``run``, ``sweep``) raises on bad input, and nothing else:

- :class:`ScenarioError` (a ``ValueError``): an invalid scenario, override,
  argument or resource request; ``key`` names the YAML key or argument.
  Its subclass :class:`ArgumentTypeError` (also a ``TypeError``) is raised
  for an argument of the wrong type, e.g. ``seeds=None``.
- ``KeyboardInterrupt``: the run was interrupted (Ctrl-C).

:class:`ScenarioWarning` (a ``UserWarning``) reports keys that a scenario
file sets but that swarm_fast, like the reference, ignores.
"""

from __future__ import annotations

# Messages are bounded whatever goes into them (values are shortened where
# they are formatted; this is the backstop).
MAX_KEY = 200
MAX_MESSAGE = 1000


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ScenarioError(ValueError):
    """An invalid scenario or run setting.

    ``key`` is the dotted path of the offending YAML key (``"agents[2].type"``,
    ``"governance.audit_probability"``) or the argument's name (``"seeds"``);
    the message starts with it.
    """

    def __init__(self, key: str, message: str | None = None) -> None:
        if message is None:  # raised from Rust with a ready "key: message" text
            key, _, message = key.partition(": ") if ": " in key else ("", "", key)
        self.key = _clip(str(key), MAX_KEY)
        self.message = _clip(str(message), MAX_MESSAGE)
        super().__init__(f"{self.key}: {self.message}" if self.key else self.message)

    def __reduce__(self):  # pickles (executors ship errors back) as (key, message)
        return (type(self), (self.key, self.message))


class ArgumentTypeError(ScenarioError, TypeError):
    """An argument of the wrong type (``seeds=None``, ``grid="x"``): both a
    :class:`ScenarioError` and a ``TypeError``."""


class ScenarioWarning(UserWarning):
    """A scenario sets keys that are accepted but have no effect (unknown to
    the scenario format, or switches the reference reads but never acts
    on); the message lists them, one line per key."""


class OutputError(ValueError):
    """An output path that cannot be used as asked: a finished sweep output
    that would be overwritten, partial results of a different sweep, a file
    extension that does not match the format."""
