"""The desktop supervisor: the GUI display, the window manager, and per domain a sandbox and a daemon.

One ``Desktop`` runs per desktop session (``odyssey desktop``). It starts the
window manager on the GUI display, serves requests on the control socket
(start, stop, run, list, screenshot), and watches its children through pidfds, so
it sleeps until something happens:

- a daemon that exits is restarted, and the domain's agent reconnects and replays
  its windows, so the windows come back without restarting the applications
  (a daemon that keeps dying is given up after ``MAX_DAEMON_RESTARTS``);
- a domain whose sandbox exits is stopped, and its daemon with it;
- a window manager that exits is restarted;
- when the GUI display exits, the desktop stops.
"""

from __future__ import annotations

import collections
import dataclasses
import fcntl
import logging
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from Xlib import X
from Xlib import display as xdisplay

from . import control, paths
from .config import ConfigError, DomainConfig, load_domain, load_domains
from .display import GuiDisplay
from .process_backend import DomainStartError, ProcessDomain
from .sandbox import SANDBOX_PATH
from .screenshot import save_screenshot

logger = logging.getLogger(__name__)

# A daemon (or the window manager) that exits more than this many times within
# DAEMON_RESTART_WINDOW seconds is not restarted again.
MAX_DAEMON_RESTARTS = 5
DAEMON_RESTART_WINDOW = 60.0

# Seconds the window manager has to take over the display.
WM_START_TIMEOUT = 20.0


class DesktopError(RuntimeError):
    """The desktop cannot carry out a request; the message gives the reason."""


@dataclasses.dataclass
class RunningDomain:
    config: DomainConfig
    backend: ProcessDomain
    daemon: subprocess.Popen
    daemon_pidfd: int
    sandbox_pidfd: int
    daemon_exits: collections.deque = dataclasses.field(default_factory=collections.deque)


def _pidfd(process: subprocess.Popen) -> int:
    return os.pidfd_open(process.pid)


def check_program(command) -> None:
    """Raise DesktopError when a command's program is missing from the domains' PATH.

    Domains see this machine's /usr read-only, so a program name is looked up here.
    Paths (containing "/") may point into a domain's home and are not checked.
    """
    program = command[0]
    if "/" not in program and shutil.which(program, path=SANDBOX_PATH) is None:
        raise DesktopError(f"program {program!r} not found in the domains' PATH ({SANDBOX_PATH}); "
                           f"install it on this machine, or give its full path")


def _too_many(exits: collections.deque) -> bool:
    """Record an exit now; return True when more than MAX_DAEMON_RESTARTS fall in the window."""
    now = time.monotonic()
    exits.append(now)
    while exits and now - exits[0] > DAEMON_RESTART_WINDOW:
        exits.popleft()
    return len(exits) > MAX_DAEMON_RESTARTS


def _supporting_wm_check(connection) -> int | None:
    reply = connection.screen().root.get_full_property(connection.intern_atom("_NET_SUPPORTING_WM_CHECK"),
                                                       X.AnyPropertyType)
    return None if reply is None or not len(reply.value) else int(reply.value[0])


def _read_supporting_wm_check(display_name: str) -> int | None:
    connection = xdisplay.Display(display_name)
    try:
        return _supporting_wm_check(connection)
    finally:
        connection.close()


def _last_line(path: Path) -> str:
    try:
        lines = path.read_text(errors="replace").strip().splitlines()
    except FileNotFoundError:
        return f"no log at {path}"
    return lines[-1] if lines else f"empty log {path}"


class Desktop:
    """Supervisor of one desktop session."""

    def __init__(self, gui: GuiDisplay, *, desktop_config: Path | None = None,
                 config_directory: Path | None = None, log_level: str = "INFO"):
        self.gui = gui
        self.log_level = log_level  # of the window manager and the daemons
        self.desktop_config = desktop_config or paths.desktop_config_path()
        self.config_directory = config_directory
        self.domains: dict[str, RunningDomain] = {}
        self.log_directory = paths.runtime_directory() / "logs"
        self.log_directory.mkdir(mode=0o700, exist_ok=True)
        self.wm: subprocess.Popen | None = None
        self._wm_exits: collections.deque = collections.deque()
        self._stop = False

    # -- start-up and shut-down --------------------------------------------------------

    def start(self) -> None:
        self._take_desktop_lock()
        if os.getuid() == 0:
            logger.warning("the desktop runs as root: each domain's user maps to root's uid on this machine; "
                           "run the desktop as an ordinary user (see docs/domains.md)")
        # The GUI display's own process, when this desktop started it: its exit ends the desktop.
        self._gui_pidfds = [_pidfd(self.gui.server.process)] if self.gui.server is not None else []
        self.start_window_manager()
        self.control = control.listen(paths.control_socket_path())
        self._wakeup_read, self._wakeup_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.set_wakeup_fd(self._wakeup_write)
        signal.signal(signal.SIGTERM, self._on_stop_signal)
        signal.signal(signal.SIGINT, self._on_stop_signal)
        logger.info("desktop on %s: control socket %s, logs in %s", self.gui.name, paths.control_socket_path(),
                    self.log_directory)

    def _take_desktop_lock(self) -> None:
        """Make sure this is the user's only desktop: two would share domains' homes and sockets."""
        lock_path = paths.runtime_directory() / "desktop.lock"
        self._lock_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.pread(self._lock_fd, 64, 0).decode(errors="replace").strip() or "another display"
            os.close(self._lock_fd)
            raise DesktopError(f"an Odyssey desktop of this user runs already (on {other}); "
                               "stop it first, or use it with the odyssey commands") from None
        os.ftruncate(self._lock_fd, 0)
        os.pwrite(self._lock_fd, self.gui.name.encode(), 0)

    def autostart(self, progress: Callable[[str], None] = lambda text: None) -> None:
        errors: list[str] = []
        for config in load_domains(self.config_directory, errors):
            if config.autostart:
                try:
                    self.start_domain(config.name, progress)
                except DesktopError as error:
                    logger.error("%s", error)
                    progress(f"{config.name}: not started: {error}")
        for error in errors:
            logger.error("skipped an invalid domain definition: %s", error)
            progress(f"skipped an invalid domain definition: {error}")

    def _on_stop_signal(self, signum, _frame) -> None:
        self._stop = True

    def shutdown(self) -> None:
        """Stop every domain, the window manager and the display this desktop started."""
        for name in list(self.domains):
            self.stop_domain(name)
        if self.wm is not None and self.wm.poll() is None:
            self.wm.terminate()
            try:
                self.wm.wait(5)
            except subprocess.TimeoutExpired:
                self.wm.kill()
                self.wm.wait()
        if hasattr(self, "control"):
            self.control.close()
            try:
                os.unlink(paths.control_socket_path())
            except FileNotFoundError:
                pass
        self.gui.stop()
        logger.info("desktop stopped")

    # -- the window manager --------------------------------------------------------------

    def start_window_manager(self) -> None:
        previous_check = _read_supporting_wm_check(self.gui.name)
        log = (self.log_directory / "wm.log").open("ab")
        self.wm = subprocess.Popen(
            [sys.executable, "-m", "wm.main", "--display", self.gui.name, "--config", str(self.desktop_config),
             "--log-level", self.log_level],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        self.wm_pidfd = _pidfd(self.wm)
        self._wait_for_window_manager(previous_check)

    def _wait_for_window_manager(self, previous_check: int | None) -> None:
        """Wait until our window manager announced itself with a new _NET_SUPPORTING_WM_CHECK."""
        connection = xdisplay.Display(self.gui.name)
        try:
            root = connection.screen().root
            root.change_attributes(event_mask=X.PropertyChangeMask)
            connection.sync()
            deadline = time.monotonic() + WM_START_TIMEOUT
            while _supporting_wm_check(connection) in (None, previous_check):
                if self.wm.poll() is not None:
                    raise DesktopError(f"the window manager exited with {self.wm.returncode}: "
                                       f"{_last_line(self.log_directory / 'wm.log')}")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise DesktopError(f"the window manager did not start within {WM_START_TIMEOUT:.0f} s")
                select.select([connection.fileno()], [], [], min(remaining, 0.1))
                while connection.pending_events():
                    connection.next_event()
        finally:
            connection.close()
        logger.info("window manager running (pid %d)", self.wm.pid)

    # -- domains -----------------------------------------------------------------------

    def start_domain(self, name: str, progress: Callable[[str], None] = lambda text: None) -> None:
        """Start a domain's daemon and sandbox; do nothing when it runs already."""
        if name in self.domains:
            progress(f"{name}: running already")
            return
        try:
            config = load_domain(name, self.config_directory)
        except ConfigError as error:
            raise DesktopError(str(error)) from None
        if config.backend != "process":
            raise DesktopError(f"domain {name}: backend {config.backend!r} is not available")
        for application in config.applications:
            check_program(application)
        backend = ProcessDomain(config, (self.gui.width, self.gui.height))
        progress(f"{name}: preparing the sandbox")
        backend.prepare()
        progress(f"{name}: starting the GUI daemon")
        daemon = self._spawn_daemon(config, backend)
        progress(f"{name}: starting the domain's X server, agent and applications")
        try:
            backend.start()
        except DomainStartError as error:
            daemon.terminate()
            daemon.wait()
            raise DesktopError(str(error)) from None
        self.domains[name] = RunningDomain(config, backend, daemon, _pidfd(daemon), _pidfd(backend.process))
        progress(f"{name}: running")

    def _spawn_daemon(self, config: DomainConfig, backend: ProcessDomain) -> subprocess.Popen:
        command = [
            sys.executable, "-m", "gui_daemon.main",
            "--domain", config.name, "--label", config.label, "--display", self.gui.name,
            "--channel", str(backend.channel_path), "--config", str(self.desktop_config),
            "--clipboard-copy-to", ",".join(config.clipboard_copy_to),
            "--clipboard-paste-from", ",".join(config.clipboard_paste_from),
            "--log-level", self.log_level,
        ]
        if config.allow_fullscreen:
            command.append("--allow-fullscreen")
        log = (self.log_directory / f"daemon-{config.name}.log").open("ab")
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        log.close()
        logger.info("domain %s: daemon started (pid %d)", config.name, process.pid)
        return process

    def stop_domain(self, name: str) -> None:
        running = self.domains.pop(name, None)
        if running is None:
            load_domain(name, self.config_directory)  # raises ConfigError for a domain that does not exist
            raise DesktopError(f"domain {name} is not running")
        running.backend.stop()
        if running.daemon.poll() is None:
            running.daemon.terminate()
            try:
                running.daemon.wait(5)
            except subprocess.TimeoutExpired:
                running.daemon.kill()
                running.daemon.wait()
        for pidfd in (running.daemon_pidfd, running.sandbox_pidfd):
            if pidfd >= 0:
                os.close(pidfd)
        logger.info("domain %s stopped", name)

    def run_in_domain(self, name: str, command: list[str], progress=lambda text: None) -> None:
        if not command:
            raise DesktopError("no command to run")
        check_program(command)
        self.start_domain(name, progress)
        try:
            self.domains[name].backend.run(command)
        except DomainStartError as error:
            raise DesktopError(str(error)) from None

    def list_domains(self, errors: list[str] | None = None) -> list[dict]:
        configured = {config.name: config for config in load_domains(self.config_directory, errors)}
        rows = []
        for name in sorted(set(configured) | set(self.domains)):
            config = configured.get(name) or self.domains[name].config
            rows.append({"name": name, "label": config.label, "backend": config.backend,
                         "state": "running" if name in self.domains else "stopped"})
        return rows

    def screenshot(self, path: Path) -> Path:
        """Write a PNG of the GUI display."""
        return save_screenshot(self.gui.name, path)

    # -- supervision -----------------------------------------------------------------------

    def _child_exited(self, pidfd: int) -> None:
        if self.wm is not None and pidfd == self.wm_pidfd:
            os.close(self.wm_pidfd)
            status = self.wm.wait()
            if _too_many(self._wm_exits):
                logger.error("the window manager exited %d times within %.0f s; stopping the desktop",
                             len(self._wm_exits), DAEMON_RESTART_WINDOW)
                self.wm = None
                self._stop = True
                return
            logger.warning("the window manager exited with %s; restarting it", status)
            self.start_window_manager()
            return
        for name, running in list(self.domains.items()):
            if pidfd == running.sandbox_pidfd:
                logger.warning("domain %s: the sandbox exited with %s; stopping the domain", name,
                               running.backend.process.wait())
                self.stop_domain(name)
                return
            if pidfd == running.daemon_pidfd:
                self._restart_daemon(name, running)
                return

    def _restart_daemon(self, name: str, running: RunningDomain) -> None:
        status = running.daemon.wait()
        os.close(running.daemon_pidfd)
        if _too_many(running.daemon_exits):
            logger.error("domain %s: the daemon exited %d times within %.0f s; stopping the domain", name,
                         len(running.daemon_exits), DAEMON_RESTART_WINDOW)
            running.daemon_pidfd = -1
            self.stop_domain(name)
            return
        logger.warning("domain %s: the daemon exited with %s; restarting it", name, status)
        running.daemon = self._spawn_daemon(running.config, running.backend)
        running.daemon_pidfd = _pidfd(running.daemon)

    # -- control requests ----------------------------------------------------------------

    def _serve_client(self) -> None:
        try:
            connection, _ = self.control.accept()
        except (BlockingIOError, InterruptedError):
            return
        with connection:
            connection.settimeout(5.0)
            if control.peer_uid(connection) != os.getuid():
                control.send_reply(connection, {"ok": False, "error": "permission denied"})
                return
            try:
                request = control.read_request(connection)
                reply = self._handle_request(request, lambda text: control.send_reply(connection, {"progress": text}))
            except (control.ControlError, DesktopError, ConfigError, OSError) as error:
                reply = {"ok": False, "error": str(error)}
            control.send_reply(connection, reply)

    def _handle_request(self, request: dict, progress) -> dict:
        operation = request["op"]
        name = request.get("name")
        if operation in ("start", "stop", "run") and not isinstance(name, str):
            raise DesktopError(f"{operation} needs a domain name")
        if operation == "list":
            errors: list[str] = []
            return {"ok": True, "domains": self.list_domains(errors), "errors": errors}
        if operation == "start":
            self.start_domain(name, progress)
            return {"ok": True}
        if operation == "stop":
            self.stop_domain(name)
            return {"ok": True}
        if operation == "run":
            command = request.get("command")
            if not isinstance(command, list) or not all(isinstance(part, str) for part in command):
                raise DesktopError("run needs a command as a list of strings")
            self.run_in_domain(name, command, progress)
            return {"ok": True, "started": command[0]}
        if operation == "screenshot":
            path = self.screenshot(Path(request.get("path", "odyssey.png")))
            return {"ok": True, "path": str(path)}
        if operation == "status":
            return {"ok": True, "display": self.gui.name, "domains": sorted(self.domains)}
        if operation == "shutdown":
            self._stop = True
            return {"ok": True}
        raise DesktopError(f"unknown operation {operation!r}")

    # -- the loop --------------------------------------------------------------------------

    def serve(self, until: float | None = None) -> None:
        """Supervise until SIGTERM, SIGINT, a shutdown request, or the monotonic time ``until``."""
        while not self._stop:
            pidfds = [running.daemon_pidfd for running in self.domains.values()]
            pidfds += [running.sandbox_pidfd for running in self.domains.values()]
            if self.wm is not None:
                pidfds.append(self.wm_pidfd)
            timeout = None if until is None else max(0.0, until - time.monotonic())
            readable, _, _ = select.select([self.control, self._wakeup_read, *pidfds, *self._gui_pidfds],
                                           [], [], timeout)
            if any(pidfd in readable for pidfd in self._gui_pidfds):
                logger.error("the GUI display exited; stopping the desktop")
                return
            if self._wakeup_read in readable:
                try:
                    while os.read(self._wakeup_read, 64):
                        pass
                except BlockingIOError:
                    pass
            for pidfd in pidfds:
                if pidfd in readable:
                    self._child_exited(pidfd)
                    break  # the sets changed; select again
            if self.control in readable:
                self._serve_client()
            if until is not None and time.monotonic() >= until:
                return
