"""The channel between an agent and its daemon: a Unix stream socket with fd passing.

A channel moves the bytes and handles of ``protocol.Connection`` and nothing else,
so the agent and the daemon do not know which backend they run on. It never
blocks: the socket is non-blocking, outgoing data waits in a queue that has a cap,
and ``receive`` reads at most one chunk per call.

Handle ownership: handles given to ``send`` stay owned by the caller (the kernel
duplicates them into the message). Handles received arrive inside messages and
belong to whoever takes the message; on any error the channel closes the
handles the connection could not give out.
"""

from __future__ import annotations

import array
import contextlib
import errno
import logging
import os
import socket
from collections import deque

from protocol import NEED_DATA, READ_CHUNK_SIZE, Connection, ProtocolError, RemoteProtocolError
from protocol.connection import MAX_HANDLES_PER_MESSAGE

logger = logging.getLogger(__name__)

# Bytes that may wait in the outgoing queue. A peer that stops reading for longer
# than this much output is cut off instead of growing our memory (8 MiB is about
# eight full clipboards or a few hundred thousand input events).
DEFAULT_MAX_OUTGOING_BYTES = 8 * 1024 * 1024

# Room for more handles than any message may carry, so a peer sending too many
# is seen as a violation instead of a silently truncated control message.
_ANCILLARY_HANDLES = MAX_HANDLES_PER_MESSAGE + 3


class ChannelClosed(Exception):
    """The peer closed the channel; ``mid_message`` says whether it stopped inside a message."""

    def __init__(self, mid_message: bool):
        self.mid_message = mid_message
        super().__init__("peer closed the channel" + (" in the middle of a message" if mid_message else ""))


class OutgoingQueueFull(Exception):
    """The peer has not read our output for too long; the session must end."""


class Channel:
    """One end of a channel over a connected Unix stream socket."""

    def __init__(self, sock: socket.socket, connection: Connection,
                 max_outgoing_bytes: int = DEFAULT_MAX_OUTGOING_BYTES):
        sock.setblocking(False)
        self.socket = sock
        self.connection = connection
        self.max_outgoing_bytes = max_outgoing_bytes
        # Each entry is (bytes, handles); handles go with the first byte sent of that entry.
        self._outgoing: deque[tuple[memoryview, tuple[int, ...]]] = deque()
        self._outgoing_bytes = 0
        self.closed = False

    def fileno(self) -> int:
        return self.socket.fileno()

    # -- sending -------------------------------------------------------------

    def send(self, message) -> None:
        """Queue a message and write as much as the socket takes now.

        Raises OutgoingQueueFull when the queue would exceed its cap.
        """
        data, handles = self.connection.send(message)
        if self._outgoing_bytes + len(data) > self.max_outgoing_bytes:
            raise OutgoingQueueFull(
                f"{self._outgoing_bytes + len(data)} bytes waiting for the peer, cap {self.max_outgoing_bytes}"
            )
        self._outgoing.append((memoryview(data), handles))
        self._outgoing_bytes += len(data)
        self.flush()

    def flush(self) -> bool:
        """Write queued data until the socket would block; return True when the queue is empty."""
        while self._outgoing:
            data, handles = self._outgoing[0]
            try:
                if handles:
                    sent = self.socket.sendmsg(
                        [data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", handles))]
                    )
                else:
                    sent = self.socket.send(data)
            except (BlockingIOError, InterruptedError):
                return False
            self._outgoing_bytes -= sent
            if sent == len(data):
                self._outgoing.popleft()
            else:
                # The handles went with the first part; the rest is sent without them.
                self._outgoing[0] = (data[sent:], ())
        return True

    @property
    def wants_write(self) -> bool:
        """True while queued data waits for the socket to become writable."""
        return bool(self._outgoing)

    @property
    def outgoing_bytes(self) -> int:
        return self._outgoing_bytes

    # -- receiving -----------------------------------------------------------

    def receive(self) -> list:
        """Read one chunk and return the events it completes (possibly none).

        Raises ChannelClosed at end of stream and RemoteProtocolError when the
        peer broke the protocol; in both cases stray handles are closed.
        """
        try:
            data, handles, flags, _ = socket.recv_fds(self.socket, READ_CHUNK_SIZE, _ANCILLARY_HANDLES)
        except (BlockingIOError, InterruptedError):
            return []
        except ConnectionResetError:
            data, handles, flags = b"", [], 0
        try:
            if flags & socket.MSG_CTRUNC:
                raise RemoteProtocolError("header", "handles", len(handles), "too many handles in one read")
            if not data:
                mid_message = self.connection.has_partial_message()
                raise ChannelClosed(mid_message)
            self.connection.receive_data(data, handles)
            events = []
            while (event := self.connection.next_event()) is not NEED_DATA:
                events.append(event)
            return events
        except (ProtocolError, ChannelClosed):
            _close_handles(handles if flags & socket.MSG_CTRUNC or not data else [])
            _close_handles(self.connection.drain_handles())
            raise

    def close(self) -> None:
        """Close the socket and every handle still held by the connection."""
        if self.closed:
            return
        self.closed = True
        _close_handles(self.connection.drain_handles())
        self.socket.close()


def _close_handles(handles) -> None:
    for handle in handles:
        try:
            os.close(handle)
        except OSError as error:
            if error.errno != errno.EBADF:
                raise


def short_socket_path(path, directory_fd: int) -> str:
    """Return a name for path through an open descriptor of its directory.

    A Unix socket path holds at most 107 bytes; ``/proc/self/fd/N/NAME`` reaches
    the same socket however deep the directory is.
    """
    return f"/proc/self/fd/{directory_fd}/{os.path.basename(path)}"


@contextlib.contextmanager
def _socket_name(path):
    """Yield a short name for path, valid while the directory descriptor it uses is open."""
    directory = os.open(os.path.dirname(os.fspath(path)) or ".", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        yield short_socket_path(path, directory)
    finally:
        os.close(directory)


def connect_unix(path, timeout: float | None = None) -> socket.socket:
    """Connect to a Unix stream socket at path (raises OSError when nobody listens)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
    sock.settimeout(timeout)
    try:
        with _socket_name(path) as name:
            sock.connect(name)
    except OSError:
        sock.close()
        raise
    return sock


def listen_unix(path, backlog: int = 1) -> socket.socket:
    """Listen on a fresh Unix stream socket at path, replacing a stale one.

    ``unlink`` removes whatever a previous run left there (a socket, or a symlink
    a domain planted: unlink never follows it), and ``bind`` creates the socket
    without following links, so the daemon never listens elsewhere.
    """
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
    try:
        with _socket_name(path) as name:
            sock.bind(name)
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    return sock
