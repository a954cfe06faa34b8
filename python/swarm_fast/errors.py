"""swarm_fast's exception types."""

from __future__ import annotations


class ScenarioError(ValueError):
    """An invalid scenario or run setting.

    ``key`` is the dotted path of the offending YAML key (``"agents[2].type"``,
    ``"governance.audit_probability"``); the message starts with it.
    """

    def __init__(self, key: str, message: str | None = None) -> None:
        if message is None:  # raised from Rust with a ready "key: message" text
            key, _, message = key.partition(": ") if ": " in key else ("", "", key)
        self.key = key
        self.message = message
        super().__init__(f"{key}: {message}" if key else message)


class OutputError(ValueError):
    """An output path that cannot be used as asked: a finished sweep output
    that would be overwritten, partial results of a different sweep, a file
    extension that does not match the format."""
