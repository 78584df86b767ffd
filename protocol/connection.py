"""The sans-IO connection: bytes and handles in, typed messages out, and back.

A ``Connection`` belongs to one side (agent or daemon). The caller owns the
socket: it feeds received bytes with ``receive_data`` and takes messages with
``next_event`` until it returns ``NEED_DATA``; it sends what ``send`` returns.

Framing: a 12-byte little-endian header (type u32, window u32, length u32), then
the body. The length is checked against the type's schema as soon as the header
is complete, before any body byte is buffered.

Handles (file descriptors): the sender passes a message's handles in the same
``sendmsg`` as that message's bytes. On a Unix stream socket the kernel hands
them to the ``recvmsg`` that returns the first byte of that ``sendmsg``, and ends
that ``recvmsg`` within it. So handles received together with a chunk belong to
the message containing the chunk's last byte; ``receive_data`` records them at
that stream offset, and each parsed message claims the handles recorded inside
its byte range. A message whose claimed handles differ in number from what its
type needs is a protocol violation.

The connection never closes handles itself: after an error, ``drain_handles``
returns every handle not yet given out inside a message, for the caller to close.
"""

from __future__ import annotations

import dataclasses
import enum
import struct
from collections import deque
from collections.abc import Sequence

from . import limits
from .errors import LocalProtocolError, RemoteProtocolError, VersionMismatch
from .messages import VersionRejected, Welcome
from .schema import (
    REGISTRY,
    Direction,
    Handles,
    IgnoredMessage,
    Message,
    MessageSpec,
    WindowScope,
    pack_body,
    parse_body,
)

_HEADER = struct.Struct("<III")

# Bytes one read may add before the caller drains the parsed messages.
READ_CHUNK_SIZE = 64 * 1024

MAX_BODY_SIZE = max(spec.max_size for spec in REGISTRY.values())

# The receive buffer never holds more than one largest message plus one read:
# a caller that drains messages after every read cannot exceed it.
RECEIVE_BUFFER_LIMIT = limits.HEADER_SIZE + MAX_BODY_SIZE + READ_CHUNK_SIZE

# Handles a single message may carry; SetBuffer in fd mode needs one.
MAX_HANDLES_PER_MESSAGE = 1


_HANDSHAKE_MESSAGES = frozenset({"Hello", "Welcome", "VersionRejected"})


class Role(enum.Enum):
    AGENT = "agent"
    DAEMON = "daemon"


class BufferTransport(enum.Enum):
    """How window buffers reach the daemon, fixed by the domain backend."""

    FD = "fd"  # a memfd attached to each SetBuffer (process backend)
    REGION = "region"  # an offset into one shared region (VM backend)


class State(enum.Enum):
    HANDSHAKE = "handshake"
    ESTABLISHED = "established"
    CLOSED = "closed"


class _NeedData:
    def __repr__(self) -> str:
        return "NEED_DATA"


NEED_DATA = _NeedData()


def _received_direction(role: Role) -> Direction:
    return Direction.AGENT_TO_DAEMON if role is Role.DAEMON else Direction.DAEMON_TO_AGENT


class Connection:
    """One side of an agent-daemon channel, without any I/O."""

    def __init__(
        self,
        role: Role,
        buffer_transport: BufferTransport = BufferTransport.FD,
        version: tuple[int, int] = (limits.PROTOCOL_MAJOR, limits.PROTOCOL_MINOR),
    ):
        self.role = role
        self.buffer_transport = buffer_transport
        self.local_version = version
        self.negotiated_minor: int | None = None
        self.state = State.HANDSHAKE
        self._incoming = _received_direction(role)
        self._buffer = bytearray()
        self._start = 0  # first unparsed byte in _buffer
        self._stream_offset = 0  # stream offset of _buffer[0]
        self._pending_header: tuple[MessageSpec, int, int] | None = None
        # Handle batches as (stream offset of the chunk's last byte, handles), oldest first.
        self._handle_batches: deque[tuple[int, list[int]]] = deque()
        self._hello_sent = False

    # -- receiving ---------------------------------------------------------

    def receive_data(self, data: bytes, handles: Sequence[int] = ()) -> None:
        """Add received bytes, and the handles that arrived with them."""
        if self.state is State.CLOSED:
            raise LocalProtocolError("receive_data on a closed connection")
        unparsed = len(self._buffer) - self._start
        if unparsed + len(data) > RECEIVE_BUFFER_LIMIT:
            raise LocalProtocolError(
                f"receive buffer would hold {unparsed + len(data)} bytes > {RECEIVE_BUFFER_LIMIT}; "
                "drain next_event() after each read of at most READ_CHUNK_SIZE bytes"
            )
        if handles:
            end = self._stream_offset + len(self._buffer) + len(data)
            if not data:
                self._handle_batches.append((end, list(handles)))
                raise self._violation("header", None, len(handles), "handles arrived without data")
            self._handle_batches.append((end - 1, list(handles)))
        self._buffer += data

    def next_event(self) -> Message | IgnoredMessage | _NeedData:
        """Return the next complete message, an IgnoredMessage, or NEED_DATA.

        Raises RemoteProtocolError when the peer broke the protocol; the
        connection is closed afterwards.
        """
        if self.state is State.CLOSED:
            raise LocalProtocolError("next_event on a closed connection")
        if self._pending_header is None:
            if len(self._buffer) - self._start < limits.HEADER_SIZE:
                return NEED_DATA
            self._pending_header = self._parse_header()
        spec, window, length = self._pending_header
        message_start = self._start
        body_start = message_start + limits.HEADER_SIZE
        if len(self._buffer) - body_start < length:
            return NEED_DATA
        self._pending_header = None
        body_end = body_start + length
        handles = self._claim_handles(body_end)
        with memoryview(self._buffer) as view:
            body = view[body_start:body_end]
            try:
                event = parse_body(spec, window, body)
            except RemoteProtocolError:
                self._handle_batches.appendleft((self._stream_offset + message_start, handles))
                self.state = State.CLOSED
                raise
            finally:
                body.release()
        self._consume(body_end)
        self._check_handles(spec, handles)
        if isinstance(event, IgnoredMessage):
            return event
        if self.role is Role.AGENT and self.state is State.HANDSHAKE:
            self._finish_handshake(event)
        if handles:
            return dataclasses.replace(event, handles=tuple(handles))
        return event

    def has_partial_message(self) -> bool:
        """Return True when received bytes wait for the rest of their message."""
        return len(self._buffer) > self._start

    def drain_handles(self) -> list[int]:
        """Return and forget every received handle not given out in a message."""
        drained = [handle for _, batch in self._handle_batches for handle in batch]
        self._handle_batches.clear()
        return drained

    # -- sending -----------------------------------------------------------

    def send(self, message: Message) -> tuple[bytes, tuple[int, ...]]:
        """Return the bytes of message and the handles to pass in the same sendmsg."""
        spec = message.SPEC
        handles = getattr(message, "handles", ())
        if spec.direction is self._incoming:
            raise LocalProtocolError(f"a {self.role.value} cannot send {spec.name}")
        if self.state is State.CLOSED:
            raise LocalProtocolError(f"send({spec.name}) on a closed connection")
        if self.state is State.HANDSHAKE and spec.name not in _HANDSHAKE_MESSAGES:
            raise LocalProtocolError(f"send({spec.name}) before the handshake finished")
        if self.negotiated_minor is not None and spec.since_minor > self.negotiated_minor:
            raise LocalProtocolError(f"{spec.name} needs minor version {spec.since_minor}")
        expected = self._expected_handles(spec)
        if len(handles) != expected:
            raise LocalProtocolError(f"{spec.name} carries {expected} handles, not {len(handles)}")
        self._check_window_field(spec, message.window, local=True)
        body = pack_body(message)
        if spec.name == "Hello":
            self._hello_sent = True
        elif spec.name == "VersionRejected":
            self.state = State.CLOSED
        return _HEADER.pack(spec.code, message.window, len(body)) + body, tuple(handles)

    # -- handshake (daemon side) --------------------------------------------

    def accept_hello(self, hello: Message) -> Message:
        """Negotiate the version from the agent's Hello and return the reply to send.

        Returns Welcome for the same major version. For another major it returns
        VersionRejected; after sending it the caller raises ``VersionMismatch``
        (available as ``mismatch``) and closes the channel.
        """
        if self.role is not Role.DAEMON or self.state is not State.HANDSHAKE:
            raise LocalProtocolError("accept_hello is for a daemon connection in its handshake")
        local_major, local_minor = self.local_version
        if hello.major != local_major:
            self.mismatch = VersionMismatch(self.local_version, (hello.major, hello.minor))
            return VersionRejected(window=0, major=local_major, minor=local_minor)
        self.negotiated_minor = min(local_minor, hello.minor)
        self.state = State.ESTABLISHED
        return Welcome(window=0, major=local_major, minor=self.negotiated_minor)

    # -- internals -----------------------------------------------------------

    def _parse_header(self) -> tuple[MessageSpec, int, int]:
        code, untrusted_window, untrusted_length = _HEADER.unpack_from(self._buffer, self._start)
        spec = REGISTRY.get(code)
        if spec is None:
            raise self._violation("header", "type", code, "unknown message type")
        if spec.direction is not self._incoming:
            raise self._violation(spec.name, "type", code, f"only a {_sender_name(spec)} may send this message")
        if spec.is_variable:
            if not spec.fixed_size <= untrusted_length <= spec.max_size:
                raise self._violation(
                    spec.name, "length", untrusted_length,
                    f"body length must be {spec.fixed_size}..{spec.max_size}",
                )
        elif untrusted_length != spec.fixed_size:
            raise self._violation(spec.name, "length", untrusted_length, f"body length must be {spec.fixed_size}")
        self._check_window_field(spec, untrusted_window, local=False)
        self._check_order(spec)
        # The length now fits the type, so buffering the body is bounded by MAX_BODY_SIZE.
        return spec, untrusted_window, untrusted_length

    def _check_window_field(self, spec: MessageSpec, window: int, *, local: bool) -> None:
        if spec.window is WindowScope.GLOBAL:
            valid, rule = window == 0, "window must be 0 for this message"
        else:
            valid, rule = 1 <= window <= limits.MAX_WINDOW_ID, f"window must be 1..{limits.MAX_WINDOW_ID:#x}"
        if valid:
            return
        if local:
            raise LocalProtocolError(f"{spec.name}: {rule}")
        raise self._violation(spec.name, "window", window, rule)

    def _check_order(self, spec: MessageSpec) -> None:
        """Check, from the header alone, that this message type may come now."""
        handshake_message = spec.name in _HANDSHAKE_MESSAGES
        if self.state is State.ESTABLISHED:
            if handshake_message:
                raise self._violation(spec.name, None, None, "handshake message after the handshake")
            if spec.since_minor > self.negotiated_minor:
                raise self._violation(
                    spec.name, "type", spec.code,
                    f"needs minor version {spec.since_minor}, negotiated {self.negotiated_minor}",
                )
            return
        if self.role is Role.DAEMON:
            if spec.name != "Hello":
                raise self._violation(spec.name, None, None, "the first message must be Hello")
            return
        if not self._hello_sent:
            raise self._violation(spec.name, None, None, "message before the agent's Hello")
        if not handshake_message:
            raise self._violation(spec.name, None, None, "the first message must be Welcome or VersionRejected")

    def _finish_handshake(self, message: Message) -> None:
        """Apply the daemon's answer to our Hello (agent side)."""
        local_major, local_minor = self.local_version
        if message.SPEC.name == "VersionRejected":
            self.state = State.CLOSED
            raise VersionMismatch(self.local_version, (message.major, message.minor))
        if message.major != local_major or message.minor > local_minor:
            raise self._violation(
                "Welcome", "minor", message.minor,
                f"the daemon must echo major {local_major} and a minor <= {local_minor}",
            )
        self.negotiated_minor = message.minor
        self.state = State.ESTABLISHED

    def _expected_handles(self, spec: MessageSpec) -> int:
        if spec.handles is Handles.BUFFER and self.buffer_transport is BufferTransport.FD:
            return 1
        return 0

    def _claim_handles(self, message_end: int) -> list[int]:
        end = self._stream_offset + message_end
        claimed: list[int] = []
        # Batches before this message were claimed by earlier messages, so every
        # batch that ends before `end` lies inside this message.
        while self._handle_batches and self._handle_batches[0][0] < end:
            _, batch = self._handle_batches.popleft()
            claimed.extend(batch)
        return claimed

    def _check_handles(self, spec: MessageSpec, handles: list[int]) -> None:
        expected = self._expected_handles(spec)
        if len(handles) == expected:
            return
        # Keep the handles reachable through drain_handles so the caller closes them.
        self._handle_batches.appendleft((-1, handles))
        if expected == 0:
            rule = "this message carries no handles"
        elif len(handles) < expected:
            rule = f"this message needs {expected} handle(s)"
        else:
            rule = f"this message carries at most {expected} handle(s)"
        raise self._violation(spec.name, "handles", len(handles), rule)

    def _consume(self, end: int) -> None:
        self._start = end
        # Compact once the parsed prefix dominates, so each byte is moved O(1) times.
        if self._start > len(self._buffer) // 2:
            del self._buffer[: self._start]
            self._stream_offset += self._start
            self._start = 0

    def _violation(self, message_type: str, field: str | None, value: int | None, rule: str) -> RemoteProtocolError:
        self.state = State.CLOSED
        return RemoteProtocolError(message_type, field, value, rule)


def _sender_name(spec: MessageSpec) -> str:
    return "agent" if spec.direction is Direction.AGENT_TO_DAEMON else "daemon"
