"""Send and receive bytes with attached fds over a Unix stream socket (SCM_RIGHTS).

Both helpers expect blocking sockets. On a stream socket the kernel attaches the
fds to the first byte of the message, so the receiver gets them together with
the start of those bytes.
"""

from __future__ import annotations

import array
import os
import socket
from collections.abc import Sequence

from .errors import FdPassingError

# The kernel accepts at most this many fds in one SCM_RIGHTS message (SCM_MAX_FD in Linux).
MAX_FDS_PER_MESSAGE = 253

_FD_BYTES = array.array("i").itemsize


def send_with_fds(sock: socket.socket, data: bytes, fds: Sequence[int] = ()) -> None:
    """Send ``data`` with ``fds`` attached in one sendmsg, then any unsent rest of ``data``.

    The caller keeps ownership of ``fds``: the receiver gets duplicates. Raises
    ValueError for fds without data or too many fds, OSError from the socket.
    """
    if fds and not data:
        raise ValueError("fds must travel with at least one byte of data")
    if len(fds) > MAX_FDS_PER_MESSAGE:
        raise ValueError(f"{len(fds)} fds in one message; the maximum is {MAX_FDS_PER_MESSAGE}")

    view = memoryview(data)
    ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
    sent = sock.sendmsg([view], ancillary)
    if sent < len(view):
        # A stream socket may take part of the bytes; the fds went with the first part.
        sock.sendall(view[sent:])


def receive_with_fds(sock: socket.socket, max_bytes: int, max_fds: int) -> tuple[bytes, list[int]]:
    """Receive up to ``max_bytes`` bytes and up to ``max_fds`` fds from one recvmsg.

    Returns the bytes (empty at end of stream) and the received fds, which the
    caller owns; they are close-on-exec. Raises FdPassingError, after closing every
    fd that arrived, when the kernel had to drop fds (MSG_CTRUNC) or more than
    ``max_fds`` arrived.
    """
    if max_bytes < 1:
        raise ValueError(f"max_bytes must be at least 1, not {max_bytes}")
    if not 0 <= max_fds <= MAX_FDS_PER_MESSAGE:
        raise ValueError(f"max_fds {max_fds} is outside 0..{MAX_FDS_PER_MESSAGE}")

    ancillary_size = socket.CMSG_SPACE(max_fds * _FD_BYTES) if max_fds else 0
    data, ancillary, flags, _ = sock.recvmsg(max_bytes, ancillary_size, socket.MSG_CMSG_CLOEXEC)

    fds: list[int] = []
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            usable = len(payload) - len(payload) % _FD_BYTES
            fds.extend(array.array("i", payload[:usable]))

    if flags & socket.MSG_CTRUNC:
        _close_all(fds)
        raise FdPassingError(
            f"fds attached to a message were dropped by the kernel (MSG_CTRUNC); "
            f"room was reserved for {max_fds}"
        )
    if len(fds) > max_fds:
        # CMSG_SPACE rounds up for alignment, so one more fd than requested can fit.
        count = len(fds)
        _close_all(fds)
        raise FdPassingError(f"{count} fds arrived with a message; at most {max_fds} were expected")
    return data, fds


def _close_all(fds: list[int]) -> None:
    for fd in fds:
        os.close(fd)
