"""The protocol's exceptions.

Two kinds, after who is at fault:

- ``RemoteProtocolError``: the peer sent something the protocol forbids. The
  receiver must end the session with that peer (DISCONNECT). The error names the
  message type, the field, the offending number and the rule, and never carries
  untrusted text, so it is safe to log as it is.
- ``LocalProtocolError``: this process used the codec wrongly (sent a message of
  the wrong direction, fed more bytes than the receive buffer may hold). It is a
  bug on our side and is not the peer's fault.
"""

from __future__ import annotations


class ProtocolError(Exception):
    """Base of every error raised by ``protocol``."""


class LocalProtocolError(ProtocolError):
    """This side misused the codec; fix the caller."""


class RemoteProtocolError(ProtocolError):
    """The peer broke the protocol; end its session.

    ``message_type`` is the name of the message being parsed (or ``"header"``),
    ``field`` the field at fault (or None for rules about the whole message),
    ``value`` the offending number (never untrusted text) and ``rule`` a short
    sentence stating what the protocol requires.
    """

    def __init__(self, message_type: str, field: str | None, value: int | None, rule: str):
        self.message_type = message_type
        self.field = field
        self.value = value
        self.rule = rule
        super().__init__(self.describe())

    def describe(self) -> str:
        where = self.message_type if self.field is None else f"{self.message_type}.{self.field}"
        if self.value is None:
            return f"{where}: {self.rule}"
        return f"{where} = {self.value}: {self.rule}"


class VersionMismatch(RemoteProtocolError):
    """The peers speak different major versions; the session cannot start."""

    def __init__(self, local: tuple[int, int], remote: tuple[int, int]):
        self.local_version = local
        self.remote_version = remote
        super().__init__(
            "Hello",
            "major",
            remote[0],
            f"protocol version {remote[0]}.{remote[1]} of the peer is incompatible with "
            f"version {local[0]}.{local[1]} of this side (major versions differ)",
        )
