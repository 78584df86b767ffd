"""A real Odyssey desktop for end-to-end tests: ``odyssey desktop --headless`` in private directories."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from Xlib import X, Xatom
from Xlib import display as xdisplay

from .support import wait_until

REPOSITORY = Path(__file__).resolve().parents[1]


class DesktopProcess:
    """``odyssey desktop --headless`` with its own config, data and runtime directories."""

    def __init__(self, base: Path, size: str = "1600x900"):
        self.base = base
        self.environment = dict(os.environ)
        self.environment.pop("DISPLAY", None)
        for variable, name in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"), ("XDG_RUNTIME_DIR", "run")):
            directory = base / name
            directory.mkdir(mode=0o700, exist_ok=True)
            self.environment[variable] = str(directory)
        self.output_path = base / "desktop.out"
        self.size = size
        self.process: subprocess.Popen | None = None
        self.display: str | None = None

    def odyssey(self, *arguments: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
        completed = subprocess.run([sys.executable, "-m", "domains.cli", *arguments], cwd=REPOSITORY,
                                   env=self.environment, capture_output=True, text=True, timeout=timeout)
        if check and completed.returncode != 0:
            raise AssertionError(f"odyssey {' '.join(arguments)} failed:\n{completed.stdout}{completed.stderr}")
        return completed

    def start(self) -> str:
        with self.output_path.open("w") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "domains.cli", "--log-level", "INFO", "desktop", "--headless",
                 "--size", self.size], cwd=REPOSITORY, env=self.environment, stdout=output,
                stderr=subprocess.STDOUT,
            )
        match = wait_until(lambda: re.search(r"on display (:\d+)", self.output()) or self._exited(), timeout=30,
                           message="the desktop did not start")
        if self._exited():
            raise AssertionError(f"the desktop exited:\n{self.output()}")
        self.display = match.group(1)
        return self.display

    def _exited(self) -> bool:
        return self.process.poll() is not None

    def output(self) -> str:
        return self.output_path.read_text(errors="replace")

    def log(self, name: str) -> str:
        path = self.base / "run" / "odyssey" / "logs" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def log_summary(self, lines: int = 15) -> str:
        """Return the last lines of the desktop's output and of every log, for failure reports."""
        parts = [f"--- desktop output\n{self._tail(self.output_path, lines)}"]
        for path in sorted((self.base / "run" / "odyssey").glob("**/*.log")):
            parts.append(f"--- {path.name}\n{self._tail(path, lines)}")
        return "\n".join(parts)

    @staticmethod
    def _tail(path: Path, lines: int) -> str:
        try:
            return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(missing)"

    def home(self, domain: str) -> Path:
        return self.base / "data" / "odyssey" / "domains" / domain / "home"

    def runtime(self) -> Path:
        return self.base / "run" / "odyssey"

    def stop(self) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def xdotool(self, *arguments: str) -> None:
        subprocess.run(["xdotool", *arguments], env=dict(self.environment, DISPLAY=self.display), check=True,
                       timeout=30)


class DesktopScreen:
    """A test's view of the desktop's display: managed windows by domain, and frames."""

    def __init__(self, display: str):
        self.connection = xdisplay.Display(display)
        self.root = self.connection.screen().root

    def atom(self, name: str) -> int:
        return self.connection.intern_atom(name)

    def clients(self, domain: str) -> list:
        reply = self.root.get_full_property(self.atom("_NET_CLIENT_LIST"), Xatom.WINDOW)
        found = []
        for window_id in reply.value if reply else []:
            window = self.connection.create_resource_object("window", window_id)
            try:
                owner = window.get_full_property(self.atom("_ODYSSEY_DOMAIN"), X.AnyPropertyType)
            except Exception:  # gone between the list and the read
                continue
            if owner is not None and bytes(owner.value).decode() == domain:
                found.append(window)
        return found

    def wait_client(self, domain: str, count: int = 1, timeout: float = 30.0) -> list:
        return wait_until(lambda: len(self.clients(domain)) >= count and self.clients(domain), timeout,
                          message=f"domain {domain} never showed {count} window(s)")

    def frame_of(self, window):
        parent = window.query_tree().parent
        while parent.query_tree().parent.id != self.root.id:
            parent = parent.query_tree().parent
        return parent

    def text(self, window, name: str) -> str | None:
        reply = window.get_full_property(self.atom(name), X.AnyPropertyType)
        return None if reply is None else bytes(reply.value).decode("utf-8")

    def active_window(self) -> int | None:
        reply = self.root.get_full_property(self.atom("_NET_ACTIVE_WINDOW"), Xatom.WINDOW)
        return reply.value[0] if reply is not None and len(reply.value) else None

    def click_and_focus(self, desktop: DesktopProcess, window) -> None:
        """Click the middle of a window and wait until the window manager gave it the focus."""
        x, y, width, height = self.box(window)
        desktop.xdotool("mousemove", str(x + width // 2), str(y + height // 2), "click", "1")
        wait_until(lambda: self.active_window() == window.id, message="the click did not focus the window")

    def box(self, window) -> tuple[int, int, int, int]:
        geometry = window.get_geometry()
        origin = self.root.translate_coords(window, 0, 0)
        return origin.x, origin.y, geometry.width, geometry.height

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        data = self.root.get_image(x, y, 1, 1, X.ZPixmap, 0xFFFFFFFF).data
        return data[2], data[1], data[0]

    def close(self):
        self.connection.close()
