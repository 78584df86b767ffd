"""The Odyssey GUI protocol between a domain's agent and its GUI daemon, sans I/O.

This package owns the wire format, the message schemas, version negotiation and
the validation of every value a domain sends. It takes bytes and returns typed,
frozen messages; it takes messages and returns bytes. It must never open a
socket, start a thread, touch X or Qt, or log: the daemon and the agent own all
I/O, which keeps every rule here testable and fuzzable on its own.

Values from the peer are untrusted until their field's rule has passed; inside
the parser they live under ``untrusted_`` names only.
"""

from .connection import (
    NEED_DATA,
    READ_CHUNK_SIZE,
    RECEIVE_BUFFER_LIMIT,
    BufferTransport,
    Connection,
    Role,
    State,
)
from .errors import LocalProtocolError, ProtocolError, RemoteProtocolError, VersionMismatch
from .schema import REGISTRY, IgnoredMessage, Message, Outcome

__all__ = [
    "NEED_DATA",
    "READ_CHUNK_SIZE",
    "RECEIVE_BUFFER_LIMIT",
    "REGISTRY",
    "BufferTransport",
    "Connection",
    "IgnoredMessage",
    "LocalProtocolError",
    "Message",
    "Outcome",
    "ProtocolError",
    "RemoteProtocolError",
    "Role",
    "State",
    "VersionMismatch",
]
