"""Helpers for protocol tests: connections past their handshake, and framing by hand."""

from __future__ import annotations

import struct

from protocol import NEED_DATA, BufferTransport, Connection, Role
from protocol import messages as m


def established_pair(transport: BufferTransport = BufferTransport.FD) -> tuple[Connection, Connection]:
    """Return (agent, daemon) connections that completed the version handshake."""
    agent = Connection(Role.AGENT, transport)
    daemon = Connection(Role.DAEMON, transport)
    data, _ = agent.send(m.Hello(window=0, major=1, minor=0))
    daemon.receive_data(data)
    welcome = daemon.accept_hello(daemon.next_event())
    data, _ = daemon.send(welcome)
    agent.receive_data(data)
    assert isinstance(agent.next_event(), m.Welcome)
    return agent, daemon


def frame(code: int, window: int, body: bytes, length: int | None = None) -> bytes:
    """Return a raw message with a header whose length field may lie."""
    return struct.pack("<III", code, window, len(body) if length is None else length) + body


def drain(connection: Connection) -> list:
    """Return every event the connection can produce from what it has received."""
    events = []
    while (event := connection.next_event()) is not NEED_DATA:
        events.append(event)
    return events
