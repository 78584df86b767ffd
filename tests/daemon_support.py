"""Running real GUI daemons against a real Xvfb GUI display, for tests."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
from pathlib import Path

from Xlib import X, Xatom
from Xlib import display as xdisplay

from .hostile_agent import HostileAgent
from .support import wait_until

REPOSITORY = Path(__file__).resolve().parents[1]


@dataclasses.dataclass
class DaemonProcess:
    domain: str
    label: str
    channel: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def connect(self, handshake: bool = True) -> HostileAgent:
        agent = HostileAgent(self.channel)
        if handshake:
            agent.handshake()
        return agent

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def desktop_environment(base: Path) -> dict[str, str]:
    """Return an environment with private runtime and configuration directories under base."""
    runtime = base / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    config = base / "config"
    config.mkdir(exist_ok=True)
    environment = dict(os.environ)
    environment.update(XDG_RUNTIME_DIR=str(runtime), XDG_CONFIG_HOME=str(config), PYTHONUNBUFFERED="1")
    environment.pop("DISPLAY", None)
    return environment


def start_daemon(display: str, base: Path, domain: str, label: str, *extra: str) -> DaemonProcess:
    environment = desktop_environment(base)
    # Named by a counter, not the domain: tests start daemons with invalid names too.
    index = len(list(base.glob("daemon-*.log")))
    channel = base / f"daemon-{index}.sock"
    log_path = base / f"daemon-{index}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gui_daemon.main", "--domain", domain, "--label", label,
             "--display", display, "--channel", str(channel), "--log-level", "DEBUG", *extra],
            cwd=REPOSITORY, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )
    daemon = DaemonProcess(domain, label, str(channel), process, log_path)
    wait_until(lambda: channel.exists() or process.poll() is not None, message=f"daemon {domain} did not start")
    if process.poll() is not None:
        raise AssertionError(f"daemon {domain} exited with {process.returncode}:\n{daemon.log()}")
    return daemon


class GuiDisplay:
    """A test's own connection to the GUI display, to look at what the daemons made."""

    def __init__(self, name: str):
        self.display = xdisplay.Display(name)
        self.root = self.display.screen().root
        self.atom = {name: self.display.intern_atom(name) for name in (
            "_ODYSSEY_DOMAIN", "_ODYSSEY_LABEL", "_ODYSSEY_REMOTE_WINDOW", "_NET_WM_NAME", "UTF8_STRING",
            "_ODYSSEY_NOTICES", "_NET_WM_STATE", "WM_PROTOCOLS")}

    def close(self):
        self.display.close()

    def windows_of(self, domain: str) -> dict[int, object]:
        """Return the GUI windows a daemon made for domain, by the domain's window id."""
        found = {}
        for window in self.root.query_tree().children:
            try:
                owner = window.get_full_property(self.atom["_ODYSSEY_DOMAIN"], X.AnyPropertyType)
                remote = window.get_full_property(self.atom["_ODYSSEY_REMOTE_WINDOW"], Xatom.CARDINAL)
            except Exception:  # the window vanished between query_tree and the property read
                continue
            if owner is not None and remote is not None and bytes(owner.value).decode() == domain:
                found[int(remote.value[0])] = window
        return found

    def window(self, domain: str, remote_id: int, timeout: float = 10.0):
        return wait_until(lambda: self.windows_of(domain).get(remote_id), timeout,
                          message=f"no GUI window for {domain} window {remote_id:#x}")

    def is_viewable(self, window) -> bool:
        return window.get_attributes().map_state == X.IsViewable

    def text_property(self, window, name: str) -> str | None:
        reply = window.get_full_property(self.display.intern_atom(name), X.AnyPropertyType)
        if reply is None:
            return None
        value = reply.value
        return (value if isinstance(value, bytes) else bytes(value)).decode("utf-8")
