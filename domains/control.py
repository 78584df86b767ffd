"""The desktop's control socket: how ``odyssey`` commands talk to a running desktop.

The socket lives in the user's private runtime directory (mode 0700), and the
server also checks the peer's uid, so only the user who started the desktop can
use it. Domains never see it. Each connection carries one request and its
replies, as JSON objects one per line:

    request:  {"op": "start", "name": "work"}
    replies:  {"progress": "starting the sandbox"} ... then {"ok": true, ...}
              or {"ok": false, "error": "..."}
"""

from __future__ import annotations

import json
import os
import socket
import struct
from collections.abc import Iterator
from pathlib import Path

from .channel import connect_unix, listen_unix

# A request is a few names and a command line; anything longer is not a request.
MAX_REQUEST_BYTES = 64 * 1024

# Seconds a command waits for the desktop's final reply (starting a domain takes under a second).
REPLY_TIMEOUT = 60.0


class ControlError(RuntimeError):
    """The desktop is not running, or it rejected a request; the message gives the reason."""


def peer_uid(connection: socket.socket) -> int:
    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", credentials)
    return uid


def read_request(connection: socket.socket) -> dict:
    """Read one request line from a client; raise ControlError when it is not one."""
    data = b""
    while b"\n" not in data:
        chunk = connection.recv(4096)
        if not chunk:
            break
        data += chunk
        if len(data) > MAX_REQUEST_BYTES:
            raise ControlError(f"request longer than {MAX_REQUEST_BYTES} bytes")
    try:
        request = json.loads(data.split(b"\n", 1)[0])
    except ValueError:
        raise ControlError("request is not a JSON object") from None
    if not isinstance(request, dict) or not isinstance(request.get("op"), str):
        raise ControlError("request has no operation")
    return request


def send_reply(connection: socket.socket, reply: dict) -> None:
    try:
        connection.sendall(json.dumps(reply).encode() + b"\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the command was interrupted; the desktop carries on


def request(path: Path, message: dict, timeout: float = REPLY_TIMEOUT) -> Iterator[dict]:
    """Send a request to the desktop and yield its replies; the last one has "ok".

    Raises ControlError when no desktop listens at path.
    """
    try:
        client = connect_unix(path, timeout)
    except (FileNotFoundError, ConnectionRefusedError):
        raise ControlError("no Odyssey desktop is running; start one with 'odyssey desktop' "
                           "(or 'odyssey desktop --headless')") from None
    with client:
        client.sendall(json.dumps(message).encode() + b"\n")
        buffer = b""
        while True:
            try:
                chunk = client.recv(65536)
            except socket.timeout:
                raise ControlError(f"the desktop did not respond within {timeout:.0f} s") from None
            if not chunk:
                raise ControlError("the desktop closed the connection without an answer")
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                reply = json.loads(line)
                yield reply
                if "ok" in reply:
                    return


def listen(path: Path) -> socket.socket:
    """Listen on the control socket, replacing a stale one."""
    server = listen_unix(path, backlog=8)
    os.chmod(path, 0o600)
    return server
