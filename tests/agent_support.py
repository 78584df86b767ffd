"""Helpers for tests that run the real agent: a recording daemon side and test applications.

``RecordingDaemon`` is the daemon's side of a channel, built only on
``protocol``, ``shm.receive`` and ``domains.channel``. It listens on a Unix
socket, does the handshake, sends ScreenConfiguration and KeyboardLayout,
accepts every buffer (maps it read-only and replies BufferAccepted), records
every message it receives, and lets the test send any daemon message. It runs
in a background thread, and tests wait on its state with deadlines.

``start_agent`` runs ``odyssey-agent`` as a subprocess. ``KnownPixelsApp``
drives ``tests/apps/known_pixels.py``.
"""

from __future__ import annotations

import dataclasses
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from domains.channel import Channel, ChannelClosed, listen_unix
from domains.polling import poll_until
from protocol import Connection, ProtocolError, Role
from protocol import messages as m
from shm.receive import MappedBuffer, map_received_buffer
from shm.views import pixel_values

TOP = Path(__file__).resolve().parent.parent
KNOWN_PIXELS = TOP / "tests" / "apps" / "known_pixels.py"

# Deadline for conditions in agent tests, in seconds: generous for a loaded
# 2-core machine; a passing test waits only as long as the condition takes.
WAIT_TIMEOUT = 15.0


def wait_until(condition: Callable[[], object], timeout: float = WAIT_TIMEOUT, message: str = "") -> object:
    """Poll ``condition`` every few milliseconds until it returns a true value, or fail."""
    value = poll_until(condition, timeout, interval=0.005)
    if not value:
        raise AssertionError(f"timed out after {timeout} s waiting for {message or condition}")
    return value


@dataclasses.dataclass
class RemoteWindow:
    """The daemon side's record of one of the domain's windows."""

    window_id: int
    x: int = 0
    y: int = 0
    width: int = 0
    height: int = 0
    override_redirect: bool = False
    mapped: bool = False
    destroyed: bool = False
    transient_for: int = 0
    title: str | None = None
    res_class: str | None = None
    res_name: str | None = None
    hints: m.SetHints | None = None
    cursor: int | None = None
    buffer: MappedBuffer | None = None
    serial: int = 0
    damage_count: int = 0


class RecordingDaemon:
    """The daemon's side of one agent channel at a time, run in a background thread.

    Tests read these attributes under ``lock`` or through the accessor methods:

    - ``messages``: every message received, in order;
    - ``windows``: ``RemoteWindow`` by id;
    - ``connections``: sessions accepted so far;
    - ``handshakes``: sessions that were sent their configuration after Welcome;
    - ``protocol_errors``: violations by the agent, each of which ended its session.
    """

    def __init__(self, socket_path: str | os.PathLike | None, *, screen_size: tuple[int, int] = (1920, 1080),
                 keyboard: m.KeyboardLayout | None = None, accept_buffers: bool = True,
                 version: tuple[int, int] | None = None, connected_socket=None):
        """Listen on ``socket_path``, or serve one ``connected_socket`` (for ``--channel-fd``).

        ``version`` makes the daemon speak another protocol version (to test rejection).
        """
        self.socket_path = str(socket_path) if socket_path is not None else None
        self.version = version
        self.screen_size = screen_size
        self.keyboard = keyboard or m.KeyboardLayout(window=0, rules="evdev", model="pc105", layout="us",
                                                     variant="", options="")
        self.accept_buffers = accept_buffers
        self.lock = threading.Condition()
        self.messages: list = []
        self.windows: dict[int, RemoteWindow] = {}
        self.connections = 0
        self.handshakes = 0
        self.protocol_errors: list[ProtocolError] = []
        self.channel: Channel | None = None
        self._listener = listen_unix(self.socket_path) if socket_path is not None else None
        if connected_socket is not None:
            self._serve(connected_socket)
        self._stop_read, self._stop_write = os.pipe()
        self._thread = threading.Thread(target=self._run, name="recording-daemon", daemon=True)
        self._thread.start()

    # -- test API ------------------------------------------------------------------

    def send(self, message) -> None:
        """Send a daemon message to the connected agent."""
        with self.lock:
            if self.channel is None:
                raise RuntimeError("no agent is connected")
            self.channel.send(message)

    def wait_for(self, predicate: Callable[[object], bool], timeout: float = WAIT_TIMEOUT, start: int = 0):
        """Return the first received message (from index ``start``) that satisfies ``predicate``."""
        def find():
            for message in self.messages[start:]:
                if predicate(message):
                    return message
            return None

        return self._wait(find, timeout, "a matching message")

    def wait_for_message(self, message_type: type, window: int | None = None, timeout: float = WAIT_TIMEOUT,
                         start: int = 0, **fields):
        """Return the first message of a type (and window, and field values) received from ``start``."""
        def matches(message):
            if not isinstance(message, message_type):
                return False
            if window is not None and message.window != window:
                return False
            return all(getattr(message, name) == value for name, value in fields.items())

        return self.wait_for(matches, timeout, start)

    def wait_window(self, predicate: Callable[[RemoteWindow], bool], timeout: float = WAIT_TIMEOUT) -> RemoteWindow:
        """Return the first window that satisfies ``predicate``."""
        def find():
            return next((window for window in self.windows.values() if predicate(window)), None)

        return self._wait(find, timeout, "a matching window")

    def wait_pixels(self, window_id: int, check: Callable[[np.ndarray], bool], timeout: float = WAIT_TIMEOUT,
                    ) -> np.ndarray:
        """Wait until ``check`` accepts the window's pixels (0xRRGGBB per pixel); return them."""
        last: list[np.ndarray | None] = [None]

        def current():
            pixels = self.pixels(window_id)
            last[0] = pixels
            return pixels is not None and check(pixels)

        try:
            self._wait(current, timeout, f"the pixels of window {window_id:#x}")
        except AssertionError:
            pixels = last[0]
            summary = "no buffer" if pixels is None else f"{pixels.shape}, colours {np.unique(pixels)[:8]}"
            raise AssertionError(f"window {window_id:#x} never showed the expected pixels: {summary}") from None
        return last[0]

    def pixels(self, window_id: int) -> np.ndarray | None:
        """Return a copy of the window's buffer as 0xRRGGBB values, or None without a buffer."""
        with self.lock:
            window = self.windows.get(window_id)
            if window is None or window.buffer is None:
                return None
            buffer = window.buffer
            values = pixel_values(buffer.map, buffer.width, buffer.height, buffer.stride, buffer.offset)
            return (values & 0xFFFFFF).copy()

    def message_count(self) -> int:
        with self.lock:
            return len(self.messages)

    def messages_of(self, message_type: type, window: int | None = None) -> list:
        with self.lock:
            return [message for message in self.messages if isinstance(message, message_type)
                    and (window is None or message.window == window)]

    def disconnect(self) -> None:
        """Close the connection to the agent, as a daemon that dies would."""
        with self.lock:
            self._drop_connection()

    def close(self) -> None:
        """Stop the thread, close the listener and the connection, unmap buffers."""
        os.write(self._stop_write, b"x")
        self._thread.join(timeout=5)
        with self.lock:
            self._drop_connection()
        if self._listener is not None:
            self._listener.close()
        os.close(self._stop_read)
        os.close(self._stop_write)

    def __enter__(self) -> RecordingDaemon:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- the thread ----------------------------------------------------------------

    def _wait(self, find, timeout, what):
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                found = find()
                if found is not None and found is not False:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
                self.lock.wait(remaining)

    def _run(self) -> None:
        while True:
            with self.lock:
                channel = self.channel
            readable = [self._stop_read]
            if channel is not None:
                readable.append(channel.socket)
            elif self._listener is not None:
                readable.append(self._listener)
            writable = [channel.socket] if channel is not None and channel.wants_write else []
            try:
                ready, can_write, _ = select.select(readable, writable, [], 1.0)
            except (OSError, ValueError):
                continue  # the test closed the connection meanwhile
            if self._stop_read in ready:
                return
            with self.lock:
                if can_write and self.channel is not None:
                    self.channel.flush()
                if self.channel is None and self._listener in ready:
                    self._accept()
                elif self.channel is not None and self.channel.socket in ready:
                    self._receive()
                self.lock.notify_all()

    def _accept(self) -> None:
        sock, _ = self._listener.accept()
        self._serve(sock)

    def _serve(self, sock) -> None:
        if self.version is None:
            connection = Connection(Role.DAEMON)
        else:
            connection = Connection(Role.DAEMON, version=self.version)
        self.channel = Channel(sock, connection)
        self.connections += 1

    def _receive(self) -> None:
        try:
            events = self.channel.receive()
        except ChannelClosed:
            self._drop_connection()
            return
        except ProtocolError as violation:
            self.protocol_errors.append(violation)
            self._drop_connection()
            return
        for event in events:
            self.messages.append(event)
            if isinstance(event, m.Hello):
                reply = self.channel.connection.accept_hello(event)
                self.channel.send(reply)
                if not isinstance(reply, m.Welcome):
                    self.channel.flush()
                    self._drop_connection()
                    return
                else:
                    width, height = self.screen_size
                    self.channel.send(m.ScreenConfiguration(
                        window=0, width=width, height=height, work_x=0, work_y=0, work_width=width,
                        work_height=height, scale_percent=100))
                    self.channel.send(self.keyboard)
                    self.handshakes += 1
                continue
            self._record(event)

    def _record(self, message) -> None:
        window = self.windows.get(message.window) if message.window else None
        if isinstance(message, m.CreateWindow):
            window = RemoteWindow(message.window, message.x, message.y, message.width, message.height,
                                  bool(message.override_redirect))
            self.windows[message.window] = window
        elif window is None:
            return
        elif isinstance(message, m.DestroyWindow):
            window.destroyed = True
            window.mapped = False
            self._unmap_buffer(window)
        elif isinstance(message, m.MapWindow):
            window.mapped = True
            window.transient_for = message.transient_for
            window.override_redirect = bool(message.override_redirect)
        elif isinstance(message, m.UnmapWindow):
            window.mapped = False
        elif isinstance(message, m.ConfigureWindow):
            window.x, window.y, window.width, window.height = message.x, message.y, message.width, message.height
        elif isinstance(message, m.SetTitle):
            window.title = message.title
        elif isinstance(message, m.SetClass):
            window.res_class, window.res_name = message.res_class, message.res_name
        elif isinstance(message, m.SetHints):
            window.hints = message
        elif isinstance(message, m.SetCursor):
            window.cursor = message.shape
        elif isinstance(message, m.SetBuffer):
            self._unmap_buffer(window)
            (fd,) = message.handles
            try:
                window.buffer = map_received_buffer(fd, width=message.width, height=message.height,
                                                    stride=message.stride, offset=message.offset)
            finally:
                os.close(fd)
            window.serial = message.serial
            if self.accept_buffers:
                self.channel.send(m.BufferAccepted(window=message.window, serial=message.serial))
        elif isinstance(message, m.Damage):
            window.damage_count += 1

    def _unmap_buffer(self, window: RemoteWindow) -> None:
        if window.buffer is not None:
            window.buffer.close()
            window.buffer = None

    def _drop_connection(self) -> None:
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        for window in self.windows.values():
            self._unmap_buffer(window)
        self.windows.clear()


# -- processes ---------------------------------------------------------------------------


def start_agent(display: str, socket_path: str | os.PathLike, log_path: str | os.PathLike,
                log_level: str = "DEBUG", extra_args: tuple[str, ...] = ()) -> subprocess.Popen:
    """Start ``odyssey-agent`` against an X display and a daemon socket; its log goes to log_path."""
    log = open(log_path, "ab")
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "gui_agent.main", "--display", display, "--channel", str(socket_path),
             "--log-level", log_level, *extra_args],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=TOP, start_new_session=True,
        )
    finally:
        log.close()


def stop_process(process: subprocess.Popen, timeout: float = 5.0) -> int:
    """Terminate a process (SIGTERM, then SIGKILL) and return its exit status."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def x_environment(display: str) -> dict[str, str]:
    return {**os.environ, "DISPLAY": display}


class KnownPixelsApp:
    """A running ``tests/apps/known_pixels.py``, driven through its stdin and stdout."""

    def __init__(self, display: str, *arguments: str):
        self.process = subprocess.Popen(
            [sys.executable, str(KNOWN_PIXELS), "--display", display, *arguments],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1, start_new_session=True,
        )
        self._stdout_fd = self.process.stdout.fileno()
        self._partial = b""
        self._unread: list[str] = []
        self.lines: list[str] = []
        ready = self.read_line(lambda line: line.startswith("ready "))
        self.window_id = int(ready.split()[1])

    def read_line(self, predicate: Callable[[str], bool] = lambda line: True, timeout: float = WAIT_TIMEOUT) -> str:
        """Return the next output line that satisfies ``predicate``; every line read is kept in ``lines``."""
        deadline = time.monotonic() + timeout
        while True:
            while self._unread:
                line = self._unread.pop(0)
                if predicate(line):
                    return line
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"known_pixels printed no matching line within {timeout} s; got {self.lines}")
            readable, _, _ = select.select([self._stdout_fd], [], [], remaining)
            if not readable:
                continue
            # os.read, not readline: a buffered reader could hold lines that select never reports.
            chunk = os.read(self._stdout_fd, 65536)
            if not chunk:
                raise AssertionError(f"known_pixels exited with status {self.process.wait()}; got {self.lines}")
            self._partial += chunk
            *complete, self._partial = self._partial.split(b"\n")
            for raw_line in complete:
                line = raw_line.decode()
                self.lines.append(line)
                self._unread.append(line)

    def command(self, line: str) -> None:
        """Send a command and wait for its ``ok``."""
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        reply = self.read_line(lambda text: text == "ok" or text.startswith("error"))
        if reply != "ok":
            raise AssertionError(f"known_pixels rejected {line!r}: {reply}")

    def stop(self) -> int:
        if self.process.poll() is None:
            try:
                self.process.stdin.write("quit\n")
                self.process.stdin.flush()
                self.process.wait(5)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()
        self.process.stdin.close()
        return self.process.returncode


def quadrants(width: int, height: int, colors: tuple[int, int, int, int]) -> np.ndarray:
    """Return the pixels known_pixels draws for four quadrant colours (0xRRGGBB)."""
    image = np.empty((height, width), dtype=np.uint32)
    half_width, half_height = width // 2, height // 2
    image[:half_height, :half_width] = colors[0]
    image[:half_height, half_width:] = colors[1]
    image[half_height:, :half_width] = colors[2]
    image[half_height:, half_width:] = colors[3]
    return image



class Domain:
    """A domain for agent tests: its Xvfb, a recording daemon and a running agent.

    Applications started through ``app`` and ``spawn`` are stopped at the end.
    """

    def __init__(self, server, directory: Path, **daemon_options):
        self.server = server
        self.display = server.display
        self.directory = directory
        self.socket_path = directory / "agent.sock"
        self.log_path = directory / "agent.log"
        self.daemon = RecordingDaemon(self.socket_path, **daemon_options)
        self.agent = start_agent(self.display, self.socket_path, self.log_path)
        self._apps: list[KnownPixelsApp] = []
        self._processes: list[subprocess.Popen] = []
        # The agent connects only after it became the domain's window manager.
        wait_until(lambda: self.daemon.handshakes >= 1, message="the agent to connect")

    def app(self, *arguments: str) -> KnownPixelsApp:
        """Start known_pixels with these arguments and wait until its window is mapped."""
        app = KnownPixelsApp(self.display, *arguments)
        self._apps.append(app)
        return app

    def spawn(self, command: list[str], **options) -> subprocess.Popen:
        """Start an X application on the domain's display."""
        process = subprocess.Popen(command, env=x_environment(self.display), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True, **options)
        self._processes.append(process)
        return process

    def window(self, window_id: int) -> RemoteWindow:
        """Wait until the daemon side has the window mapped with a buffer; return it."""
        return self.daemon.wait_window(lambda window: window.window_id == window_id and window.mapped
                                       and window.buffer is not None)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def close(self) -> int:
        for app in self._apps:
            app.stop()
        for process in self._processes:
            stop_process(process)
        status = stop_process(self.agent)
        self.daemon.close()
        return status


@pytest.fixture
def domain(xvfb, tmp_path):
    """A running agent on a fresh Xvfb, connected to a RecordingDaemon."""
    harness = Domain(xvfb, tmp_path)
    yield harness
    status = harness.close()
    log = harness.log()
    assert "Traceback" not in log, log[-4000:]
    assert status == 0, f"odyssey-agent exited with status {status}:\n{log[-4000:]}"
    assert harness.daemon.protocol_errors == []
