"""Helpers for the window manager tests: a desktop (Xvfb + odyssey-wm), window owners, pixels, input.

Everything is real. The window manager runs as the ``odyssey-wm`` command on
its own Xvfb. Windows belong to separate X clients (``wm_owner.py``
subprocesses, registered as daemons or not). Input goes through XTEST, and
pixels are read back from the root window.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy
import pytest
from Xlib import X, XK, Xatom, display as xdisplay
from Xlib import error as xerror
from Xlib.ext import xtest

from domains.polling import poll_until
from wm import properties
from wm.geometry import Rect

BIN = Path(sys.executable).parent
OWNER_SCRIPT = Path(__file__).with_name("wm_owner.py")
# Conditions are polled every few milliseconds until this deadline.
DEADLINE = 10.0
POLL_INTERVAL = 0.005
# GetImage replies are read in bands below 256 KiB.
BAND_BYTES = 240 * 1024
SCREEN_WIDTH = 1280
SCREEN_HEIGHT = 800


# Desktops of the running test: wait_for fails at once when their window manager dies.
_running_desktops: list[Desktop] = []


def wait_for(condition, message: str, timeout: float = DEADLINE):
    """Return the first true value of ``condition()``; fail with ``message`` after ``timeout`` seconds."""
    def condition_while_wm_alive():
        value = condition()
        if not value:
            for desktop in _running_desktops:
                desktop.check_wm_alive()
        return value

    value = poll_until(condition_while_wm_alive, timeout, POLL_INTERVAL)
    if not value:
        raise AssertionError(f"timed out after {timeout:.0f} s waiting until {message}")
    return value


@dataclasses.dataclass
class Owner:
    """An X client in a subprocess that creates windows on request."""

    process: subprocess.Popen
    domain: str | None

    def command(self, **command) -> dict:
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise AssertionError(f"window owner exited with status {self.process.wait()}")
        return json.loads(line)

    def create(self, **spec) -> int:
        """Create (and map) a window; ``spec`` keys are those of wm_owner.create_window."""
        return self.command(op="create", **spec)["window"]

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.write(json.dumps({"op": "exit"}) + "\n")
                self.process.stdin.close()
            except BrokenPipeError:
                pass
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Desktop:
    """One Xvfb with odyssey-wm on it, and a test connection to read and drive it."""

    def __init__(self, server, base: Path) -> None:
        self.server = server
        self.base = base
        self.runtime_dir = base / "run"
        self.runtime_dir.mkdir(mode=0o700, exist_ok=True)
        self.config_home = base / "config"
        (self.config_home / "odyssey").mkdir(parents=True, exist_ok=True)
        self.env = dict(os.environ, XDG_RUNTIME_DIR=str(self.runtime_dir), XDG_CONFIG_HOME=str(self.config_home),
                        PYTHONPATH=os.pathsep.join(filter(None, [str(Path(__file__).parent.parent),
                                                                  os.environ.get("PYTHONPATH")])))
        self.env.pop("DISPLAY", None)
        self.x = xdisplay.Display(server.display)
        self.root = self.x.screen().root
        self.wm: subprocess.Popen | None = None
        self.wm_may_exit = False
        self.wm_log = base / "wm.log"
        self.owners: list[Owner] = []
        self.others: list[subprocess.Popen] = []

    # Processes ----------------------------------------------------------------

    def write_config(self, text: str) -> Path:
        path = self.config_home / "odyssey" / "desktop.toml"
        path.write_text(text)
        return path

    def start_wm(self, *arguments: str, wait: bool = True) -> subprocess.Popen:
        log = open(self.wm_log, "ab")
        self.wm = subprocess.Popen([str(BIN / "odyssey-wm"), "--display", self.server.display,
                                    "--log-level", "DEBUG", *arguments],
                                   env=self.env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        log.close()
        if wait:
            wait_for(self.wm_ready, "odyssey-wm announced itself on the root window")
        return self.wm

    def check_wm_alive(self) -> None:
        if self.wm is not None and not self.wm_may_exit and self.wm.poll() is not None:
            raise AssertionError(f"odyssey-wm exited with status {self.wm.returncode}:\n{self.log_text()}")

    def wm_ready(self) -> bool:
        self.check_wm_alive()
        check = self.root.get_full_property(self.x.get_atom(properties.NET_SUPPORTING_WM_CHECK), Xatom.WINDOW)
        return check is not None and len(check.value) == 1

    def stop_wm(self) -> int:
        self.wm_may_exit = True
        self.wm.send_signal(signal.SIGTERM)
        return self.wm.wait(10)

    def log_text(self) -> str:
        return self.wm_log.read_text(errors="replace") if self.wm_log.exists() else ""

    def owner(self, domain: str | None = None, label: str | None = None) -> Owner:
        """Start a window owner: registered as the daemon of ``domain`` if given."""
        arguments = [sys.executable, str(OWNER_SCRIPT), self.server.display]
        if domain is not None:
            arguments += [domain, label]
        process = subprocess.Popen(arguments, env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   text=True)
        owner = Owner(process, domain)
        self.owners.append(owner)
        ready = process.stdout.readline()
        if not ready:
            raise AssertionError(f"window owner failed to start: status {process.wait()}")
        return owner

    def spawn(self, *command: str) -> subprocess.Popen:
        """Start an X application (xterm, xeyes) on the display."""
        with open(self.base / "applications.log", "ab") as log:
            process = subprocess.Popen(list(command), env=dict(self.env, DISPLAY=self.server.display),
                                       stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        self.others.append(process)
        return process

    def close(self) -> None:
        for owner in self.owners:
            owner.stop()
        for process in self.others:
            if process.poll() is None:
                process.terminate()
                process.wait(5)
        if self.wm is not None and self.wm.poll() is None:
            self.wm.send_signal(signal.SIGTERM)
            try:
                self.wm.wait(10)
            except subprocess.TimeoutExpired:
                self.wm.kill()
                self.wm.wait()
        self.x.close()

    # Reading the display ------------------------------------------------------

    def window(self, window_id: int):
        return self.x.create_resource_object("window", window_id)

    def utf8_property(self, window_id: int, name: str) -> str | None:
        """Return a text property, or None if it is not set or the window is gone."""
        try:
            reply = self.window(window_id).get_property(self.x.get_atom(name), X.AnyPropertyType, 0, 4096)
        except xerror.BadWindow:
            return None
        if reply is None:
            return None
        return bytes(reply.value).decode("utf-8")

    def cardinals(self, window_id: int, name: str, property_type: int = X.AnyPropertyType) -> list[int] | None:
        reply = self.window(window_id).get_property(self.x.get_atom(name), property_type, 0, 1024)
        if reply is None:
            return None
        return [int(value) for value in reply.value]

    def atom_names(self, window_id: int, name: str) -> set[str]:
        return {self.x.get_atom_name(atom) for atom in self.cardinals(window_id, name) or []}

    def parent(self, window_id: int) -> int:
        return self.window(window_id).query_tree().parent.id

    def frame_of(self, window_id: int) -> int:
        """Wait until the window is framed and shown; return the frame id.

        The window manager maps the window last, after its frame, geometry and
        properties are final, so a viewable window is completely managed.
        """
        frame = wait_for(lambda: (parent := self.parent(window_id)) != self.root.id and parent,
                         f"window 0x{window_id:x} is framed")
        wait_for(lambda: self.is_viewable(window_id), f"window 0x{window_id:x} is shown")
        return frame

    def rect_of(self, window_id: int) -> Rect:
        """Return the window's rectangle on the root window (outer, with any border)."""
        window = self.window(window_id)
        geometry = window.get_geometry()
        origin = window.translate_coords(self.root, 0, 0)
        return Rect(-origin.x - geometry.border_width, -origin.y - geometry.border_width,
                    geometry.width + 2 * geometry.border_width, geometry.height + 2 * geometry.border_width)

    def top_level_order(self) -> list[int]:
        """Return the root's children from the bottom of the stack to the top."""
        return [window.id for window in self.root.query_tree().children]

    def is_viewable(self, window_id: int) -> bool:
        return self.window(window_id).get_attributes().map_state == X.IsViewable

    def focus_id(self) -> int:
        focus = self.x.get_input_focus().focus
        return focus if isinstance(focus, int) else focus.id

    def support_window(self) -> int:
        return self.cardinals(self.root.id, properties.NET_SUPPORTING_WM_CHECK)[0]

    def bar_window(self) -> int:
        """Return the bar: the window manager's override-redirect window with _ODYSSEY_BAR_FOCUS."""
        for window_id in self.top_level_order():
            if self.utf8_property(window_id, properties.ODYSSEY_BAR_FOCUS) is not None:
                return window_id
        raise AssertionError("no bar window found")

    def bar_focus(self) -> str | None:
        return self.utf8_property(self.bar_window(), properties.ODYSSEY_BAR_FOCUS)

    def pixels(self, rect: Rect) -> numpy.ndarray:
        """Return the screen pixels of ``rect`` as an (height, width) array of 0xRRGGBB values."""
        rows = []
        band = max(1, BAND_BYTES // (rect.width * 4))
        for top in range(rect.y, rect.bottom, band):
            height = min(band, rect.bottom - top)
            image = self.root.get_image(rect.x, top, rect.width, height, X.ZPixmap, 0xFFFFFFFF)
            rows.append(numpy.frombuffer(image.data, dtype="<u4").reshape(height, rect.width))
        return numpy.concatenate(rows) & 0xFFFFFF

    def pixel(self, x: int, y: int) -> int:
        return int(self.pixels(Rect(x, y, 1, 1))[0, 0])

    def wait_pixel(self, x: int, y: int, rgb: int, description: str) -> None:
        wait_for(lambda: self.pixel(x, y) == rgb,
                 f"pixel ({x}, {y}) of {description} is #{rgb:06x} (now #{self.pixel(x, y):06x})")

    # Input through XTEST ------------------------------------------------------

    def move_pointer(self, x: int, y: int) -> None:
        xtest.fake_input(self.x, X.MotionNotify, x=x, y=y)
        self.x.sync()

    def click(self, x: int, y: int, button: int = 1) -> None:
        self.move_pointer(x, y)
        xtest.fake_input(self.x, X.ButtonPress, button)
        xtest.fake_input(self.x, X.ButtonRelease, button)
        self.x.sync()

    def drag(self, start: tuple[int, int], end: tuple[int, int], button: int = 1, steps: int = 4) -> None:
        self.move_pointer(*start)
        xtest.fake_input(self.x, X.ButtonPress, button)
        for step in range(1, steps + 1):
            xtest.fake_input(self.x, X.MotionNotify, x=start[0] + (end[0] - start[0]) * step // steps,
                             y=start[1] + (end[1] - start[1]) * step // steps)
        xtest.fake_input(self.x, X.ButtonRelease, button)
        self.x.sync()

    def keycode(self, name: str) -> int:
        return self.x.keysym_to_keycode(XK.string_to_keysym(name))

    def key_down(self, *names: str) -> None:
        for name in names:
            xtest.fake_input(self.x, X.KeyPress, self.keycode(name))
        self.x.sync()

    def key_up(self, *names: str) -> None:
        for name in reversed(names):
            xtest.fake_input(self.x, X.KeyRelease, self.keycode(name))
        self.x.sync()

    def press(self, *names: str) -> None:
        """Press and release a combination, e.g. press("Super_L", "Right")."""
        self.key_down(*names)
        self.key_up(*names)

    # Window manager state -----------------------------------------------------

    def frame_title(self, frame_id: int) -> str | None:
        return self.utf8_property(frame_id, properties.ODYSSEY_FRAME_TITLE)

    def wm_state(self, window_id: int) -> int | None:
        values = self.cardinals(window_id, properties.WM_STATE)
        return values[0] if values else None


@pytest.fixture
def desktop(xvfb_factory, tmp_path, monkeypatch) -> Desktop:
    """A 1280x800 Xvfb with odyssey-wm running on it."""
    server = xvfb_factory(SCREEN_WIDTH, SCREEN_HEIGHT)
    environment = Desktop(server, tmp_path)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(environment.runtime_dir))
    _running_desktops.append(environment)
    try:
        environment.start_wm()
        yield environment
    finally:
        _running_desktops.remove(environment)
        environment.close()
        print(environment.log_text())


@pytest.fixture
def bare_desktop(xvfb_factory, tmp_path, monkeypatch) -> Desktop:
    """A 1280x800 Xvfb without a window manager yet: the test starts it."""
    server = xvfb_factory(SCREEN_WIDTH, SCREEN_HEIGHT)
    environment = Desktop(server, tmp_path)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(environment.runtime_dir))
    _running_desktops.append(environment)
    try:
        yield environment
    finally:
        _running_desktops.remove(environment)
        environment.close()
        print(environment.log_text())
