"""A hostile agent for daemon tests: it speaks the protocol with values the test chooses.

It connects to a real daemon's socket, does the handshake, and then sends either
well-formed messages (through ``protocol``) or raw bytes and handles, exactly as
a compromised domain could. It also makes buffers with known pixels.
"""

from __future__ import annotations

import mmap
import os
import select
import socket
import struct
import time

import numpy as np

from domains.channel import connect_unix
from protocol import NEED_DATA, Connection, Role
from protocol import messages as m
from shm.buffer import WindowBuffer

from .support import wait_until


class PixelBuffer:
    """A sealed memfd buffer (as the real agent makes them) that the test can paint into."""

    def __init__(self, width: int, height: int):
        self.buffer = WindowBuffer.create(width, height)
        self.width, self.height, self.stride = width, height, self.buffer.stride
        self.mapping = mmap.mmap(self.buffer.fd, self.buffer.size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        self.pixels = np.ndarray((height, width, 4), dtype=np.uint8, buffer=self.mapping)

    def fill(self, rgb_value: int, x: int = 0, y: int = 0, width: int | None = None, height: int | None = None):
        width = self.width - x if width is None else width
        height = self.height - y if height is None else height
        red, green, blue = (rgb_value >> 16) & 0xFF, (rgb_value >> 8) & 0xFF, rgb_value & 0xFF
        self.pixels[y:y + height, x:x + width] = (blue, green, red, 0)

    def close(self):
        del self.pixels
        self.mapping.close()
        self.buffer.close()


class HostileAgent:
    """A test-controlled agent connected to a daemon."""

    def __init__(self, path: str, timeout: float = 10.0):
        wait_until(lambda: self._try_connect(path), timeout, message=f"daemon socket {path} did not accept")
        self.connection = Connection(Role.AGENT)
        self.received: list = []
        self.closed = False

    def _try_connect(self, path: str) -> bool:
        try:
            self.socket = connect_unix(path)
            return True
        except (FileNotFoundError, ConnectionRefusedError):
            return False

    # -- sending ------------------------------------------------------------------------

    def handshake(self, major: int = 1, minor: int = 0):
        self.connection.local_version = (major, minor)
        self.send(m.Hello(window=0, major=major, minor=minor))
        return self.wait_for(lambda event: isinstance(event, (m.Welcome,)))

    def send(self, message) -> None:
        data, handles = self.connection.send(message)
        self.send_raw(data, handles)

    def send_raw(self, data: bytes, handles=()) -> None:
        """Send bytes (and handles); after the daemon closed the channel, nothing is sent."""
        try:
            if handles:
                socket.send_fds(self.socket, [data], list(handles))
            else:
                self.socket.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            self.closed = True

    def send_frame(self, code: int, window: int, body: bytes, length: int | None = None, handles=()) -> None:
        """Send a message built by hand: a header whose length may lie, then the body."""
        header = struct.pack("<III", code, window, len(body) if length is None else length)
        self.send_raw(header + body, handles)

    def create_window(self, window: int, x: int, y: int, width: int, height: int, override_redirect: int = 0,
                      map_it: bool = True, transient_for: int = 0):
        self.send(m.CreateWindow(window=window, x=x, y=y, width=width, height=height,
                                 override_redirect=override_redirect))
        if map_it:
            self.send(m.MapWindow(window=window, transient_for=transient_for, override_redirect=override_redirect))

    def attach(self, window: int, pixels: PixelBuffer, serial: int = 1) -> None:
        """Send SetBuffer for a buffer and wait until the daemon accepts it."""
        self.send(m.SetBuffer(window=window, width=pixels.width, height=pixels.height, stride=pixels.stride,
                              format=m.PIXEL_FORMAT_XRGB8888, offset=0, serial=serial,
                              handles=(pixels.buffer.fd,)))
        self.wait_for(lambda event: isinstance(event, m.BufferAccepted) and event.window == window
                      and event.serial == serial)

    def damage(self, window: int, x: int, y: int, width: int, height: int, serial: int = 1) -> None:
        self.send(m.Damage(window=window, x=x, y=y, width=width, height=height, serial=serial))

    # -- receiving ---------------------------------------------------------------------------

    def poll(self, timeout: float = 0.0) -> bool:
        """Read what the daemon sent; return False once the daemon closed the channel."""
        if self.closed:
            return False
        readable, _, _ = select.select([self.socket], [], [], timeout)
        if not readable:
            return True
        try:
            data = self.socket.recv(65536)
        except ConnectionResetError:
            data = b""
        if not data:
            self.closed = True
            return False
        self.connection.receive_data(data)
        while (event := self.connection.next_event()) is not NEED_DATA:
            self.received.append(event)
        return True

    def wait_for(self, predicate, timeout: float = 10.0):
        """Return the first received message matching predicate, reading until the deadline."""
        deadline = time.monotonic() + timeout
        while True:
            for event in self.received:
                if predicate(event):
                    return event
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self.poll(min(remaining, 0.05)):
                for event in self.received:
                    if predicate(event):
                        return event
                raise AssertionError("the daemon did not send the expected message")

    def wait_closed(self, timeout: float = 10.0) -> None:
        """Wait until the daemon closes the channel (the session ended)."""
        wait_until(lambda: not self.poll(0.05), timeout, message="the daemon kept the session open")

    def close(self) -> None:
        self.socket.close()
