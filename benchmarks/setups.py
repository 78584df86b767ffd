"""The forwarding configurations the end-to-end benchmark compares.

Each configuration takes a viewer display (an Xvfb the observer watches) and
starts the benchmark application so that its window appears there:

- ``direct``: the application draws on the viewer display itself, the floor of
  the method;
- ``odyssey``: the application runs in a process-backend domain (bubblewrap,
  its own Xvfb, the real agent), shown by a real ``odyssey-guid``;
- ``xpra-mmap``: Debian's xpra server on its own Xvfb, its client on the viewer
  display, attached over a Unix socket with the shared-memory ``mmap`` transfer;
- ``xpra-rgb``: the same without mmap, with the lossless ``rgb`` encoding.

``roles()`` names the processes whose CPU time the benchmark reports: the
application, its X server, the forwarding processes, and the viewer's X server.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from domains.polling import poll_until
from domains.xserver import XServer

from .analysis import command_line, process_tree

BENCHMARKS = Path(__file__).resolve().parent
REPOSITORY = BENCHMARKS.parent
APP = BENCHMARKS / "drawing_app.py"

DOMAIN_NAME = "bench"
# Seconds a configuration may take to come up before the run is abandoned.
START_TIMEOUT = 30.0

# Xpra 3.1 runs on Debian's own python3, so /usr/bin must come before any other Python.
XPRA_PATH = "/usr/bin:/bin:/usr/sbin:/sbin"

# Options that keep xpra off the network and away from system services, for server and client.
XPRA_COMMON_OPTIONS = (
    "--mdns=no", "--pulseaudio=no", "--notifications=no", "--dbus-proxy=no", "--clipboard=no",
    "--speaker=off", "--microphone=off", "--webcam=no", "--file-transfer=no", "--printing=no",
    "--opengl=no",
)
XPRA_SERVER_OPTIONS = (
    "--daemon=no", "--dbus-control=no", "--dbus-launch=", "--html=off", "--systemd-run=no",
    "--start-via-proxy=no", "--exit-with-children=no", "--tray=no", "--system-tray=no",
    "--bell=no", "--cursors=no",
)
XPRA_CLIENT_OPTIONS = ("--tray=no", "--system-tray=no", "--bell=no", "--cursors=no")


class SetupError(RuntimeError):
    """A configuration failed to start; the message names the part and the reason."""


def wait_for(predicate, timeout: float, what: str, poll: float = 0.01):
    """Poll ``predicate`` until it returns a true value or ``timeout`` seconds pass."""
    value = poll_until(predicate, timeout, interval=poll)
    if not value:
        raise SetupError(f"timed out after {timeout:.0f} s waiting for {what}")
    return value


def stop_process(process: subprocess.Popen | None, timeout: float = 10.0) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def app_command(python: str, scene: str, rate: float, log: str, display: str | None = None) -> list[str]:
    command = [python, str(APP), "--scene", scene, "--rate", str(rate), "--log", log]
    if display is not None:
        command += ["--display", display]
    return command


class Configuration:
    """Base of the configurations: start, start the application, name processes, stop."""

    name = ""

    def __init__(self, viewer: XServer, work: Path):
        self.viewer = viewer
        self.work = work
        self.app_pid: int | None = None

    def start(self) -> None:
        """Start the forwarding side (nothing for ``direct``)."""

    def start_app(self, scene: str, rate: float) -> None:
        raise NotImplementedError

    def stop_app(self) -> None:
        """Ask the application to stop; it writes its log and exits."""
        if self.app_pid is not None:
            try:
                os.kill(self.app_pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def app_log(self) -> Path:
        raise NotImplementedError

    def roles(self) -> dict[str, list[int]]:
        raise NotImplementedError

    def stop(self) -> None:
        """Stop everything the configuration started."""


class Direct(Configuration):
    name = "direct"

    def start_app(self, scene: str, rate: float) -> None:
        self.process = subprocess.Popen(app_command(sys.executable, scene, rate, str(self.app_log()),
                                                    self.viewer.display), stdin=subprocess.DEVNULL)
        self.app_pid = self.process.pid

    def app_log(self) -> Path:
        return self.work / "app.log"

    def roles(self) -> dict[str, list[int]]:
        return {"app": [self.app_pid], "forwarding": [], "app X server": [],
                "viewer X server": [self.viewer.process.pid]}

    def stop(self) -> None:
        stop_process(getattr(self, "process", None))


class Odyssey(Configuration):
    """A process-backend domain and its daemon, in private XDG directories under ``work``."""

    name = "odyssey"

    def start(self) -> None:
        from domains.config import DomainConfig
        from domains.process_backend import ProcessDomain

        runtime = self.work / "run"
        runtime.mkdir(mode=0o700)
        # paths.py reads these when the domain is made: the domain's home and runtime
        # directory, and the daemon's registry, all stay inside the work directory.
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
        os.environ["XDG_DATA_HOME"] = str(self.work / "data")
        os.environ["XDG_CONFIG_HOME"] = str(self.work / "config")
        self.domain = ProcessDomain(DomainConfig(name=DOMAIN_NAME, label="blue"),
                                    (self.viewer.width, self.viewer.height))
        self.domain.prepare()
        environment = dict(os.environ, PYTHONUNBUFFERED="1")
        environment.pop("DISPLAY", None)
        with (self.work / "daemon.log").open("wb") as log:
            self.daemon = subprocess.Popen(
                [sys.executable, "-m", "gui_daemon.main", "--domain", DOMAIN_NAME, "--label", "blue",
                 "--display", self.viewer.display, "--channel", str(self.domain.channel_path),
                 "--log-level", "WARNING"],
                cwd=REPOSITORY, env=environment, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )
        wait_for(lambda: self.domain.channel_path.exists() or self.daemon.poll() is not None, START_TIMEOUT,
                 "the daemon's channel socket")
        if self.daemon.poll() is not None:
            raise SetupError(f"odyssey-guid exited with {self.daemon.returncode}; see {self.work / 'daemon.log'}")

    def start_app(self, scene: str, rate: float) -> None:
        from domains.sandbox import SANDBOX_RUNTIME

        command = app_command(sys.executable, scene, rate, f"{SANDBOX_RUNTIME}/app.log")
        self.domain.start(applications=(tuple(command),))
        self.app_pid = wait_for(lambda: self._find(lambda argv: str(APP) in argv), START_TIMEOUT,
                                "the application inside the domain")

    def _find(self, matches) -> int | None:
        for pid in process_tree(self.domain.process.pid):
            if matches(command_line(pid)):
                return pid
        return None

    def app_log(self) -> Path:
        return self.domain.layout.runtime / "app.log"

    def roles(self) -> dict[str, list[int]]:
        agent = self._find(lambda argv: "gui_agent.main" in argv)
        xserver = self._find(lambda argv: bool(argv) and argv[0] == "Xvfb")
        return {"app": [self.app_pid], "forwarding": [pid for pid in (agent, self.daemon.pid) if pid],
                "agent": [agent] if agent else [], "daemon": [self.daemon.pid],
                "app X server": [xserver] if xserver else [], "viewer X server": [self.viewer.process.pid]}

    def stop(self) -> None:
        if hasattr(self, "domain"):
            self.domain.stop()
        stop_process(getattr(self, "daemon", None))


class Xpra(Configuration):
    """Debian's xpra: a server with its own Xvfb, and a client attached over a Unix socket."""

    mmap = True

    def _environment(self) -> dict[str, str]:
        runtime = self.work / "xpra-run"
        conf = self.work / "xpra-conf"
        environment = dict(os.environ)
        environment.pop("DISPLAY", None)
        environment.update(PATH=XPRA_PATH, XDG_RUNTIME_DIR=str(runtime), XPRA_USER_CONF_DIRS=str(conf),
                           HOME=str(self.work))
        return environment

    def start(self) -> None:
        runtime = self.work / "xpra-run"
        runtime.mkdir(mode=0o700)
        conf = self.work / "xpra-conf"
        conf.mkdir()
        # Debian's configuration starts an Xsession in the server; an empty start list keeps it empty.
        (conf / "xpra.conf").write_text("start =\n")
        self.socket = runtime / "xpra.sock"
        self.display = f":{free_display_number()}"
        environment = self._environment()
        with (self.work / "xpra-server.log").open("wb") as log:
            self.server = subprocess.Popen(
                ["xpra", "start", self.display, *XPRA_COMMON_OPTIONS, *XPRA_SERVER_OPTIONS,
                 f"--bind={self.socket}", f"--socket-dirs={runtime}", f"--log-dir={self.work}",
                 f"--xvfb=Xvfb +extension Composite -screen 0 {self.viewer.width}x{self.viewer.height}x24+32 "
                 "-nolisten tcp -noreset"],
                env=environment, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        wait_for(lambda: "xpra is ready" in (self.work / "xpra-server.log").read_text(errors="replace")
                 or self.server.poll() is not None, START_TIMEOUT, "the xpra server")
        if self.server.poll() is not None:
            raise SetupError(f"xpra server exited with {self.server.returncode}; see {self.work / 'xpra-server.log'}")
        picture = ("--mmap=yes",) if self.mmap else ("--mmap=no", "--encoding=rgb")
        client_environment = dict(environment, DISPLAY=self.viewer.display)
        with (self.work / "xpra-client.log").open("wb") as log:
            self.client = subprocess.Popen(
                ["xpra", "attach", f"socket:{self.socket}", *XPRA_COMMON_OPTIONS, *XPRA_CLIENT_OPTIONS, *picture],
                env=client_environment, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        wait_for(lambda: "Attached to" in (self.work / "xpra-client.log").read_text(errors="replace")
                 or self.client.poll() is not None, START_TIMEOUT, "the xpra client")
        if self.client.poll() is not None:
            raise SetupError(f"xpra client exited with {self.client.returncode}; see {self.work / 'xpra-client.log'}")

    def start_app(self, scene: str, rate: float) -> None:
        environment = dict(os.environ)
        environment["DISPLAY"] = self.display
        self.process = subprocess.Popen(app_command(sys.executable, scene, rate, str(self.app_log())),
                                        env=environment, stdin=subprocess.DEVNULL)
        self.app_pid = self.process.pid

    def app_log(self) -> Path:
        return self.work / "app.log"

    def roles(self) -> dict[str, list[int]]:
        server_tree = process_tree(self.server.pid)
        # Xpra renames its Xvfb's argv[0] to "Xvfb-for-Xpra-:N".
        xserver = [pid for pid in server_tree if is_xvfb(pid)]
        server = [pid for pid in server_tree if pid not in xserver]
        client = process_tree(self.client.pid)
        return {"app": [self.app_pid], "forwarding": server + client, "xpra server": server,
                "xpra client": client, "app X server": xserver, "viewer X server": [self.viewer.process.pid]}

    def stop(self) -> None:
        stop_process(getattr(self, "process", None))
        stop_process(getattr(self, "client", None))
        if hasattr(self, "server"):
            tree = process_tree(self.server.pid)
            stop_process(self.server, timeout=15.0)
            for pid in tree:  # an Xvfb left behind by a server that was killed
                if is_xvfb(pid):
                    try:
                        os.kill(pid, signal.SIGTERM)
                    except ProcessLookupError:
                        pass


class XpraRgb(Xpra):
    name = "xpra-rgb"
    mmap = False


class XpraMmap(Xpra):
    name = "xpra-mmap"
    mmap = True


CONFIGURATIONS = {cls.name: cls for cls in (Direct, Odyssey, XpraMmap, XpraRgb)}


def is_xvfb(pid: int) -> bool:
    arguments = command_line(pid)
    return bool(arguments) and arguments[0].startswith("Xvfb")


def free_display_number(first: int = 100) -> int:
    """Return a display number with neither a socket nor a lock file."""
    for number in range(first, first + 400):
        if not os.path.exists(f"/tmp/.X11-unix/X{number}") and not os.path.exists(f"/tmp/.X{number}-lock"):
            return number
    raise SetupError("no free X display number between 100 and 499")


def read_line(stream, timeout: float) -> str | None:
    """Read one line from a process's pipe within ``timeout`` seconds, or return None."""
    deadline = time.monotonic() + timeout
    buffer = b""
    descriptor = stream.fileno()
    while not buffer.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        readable, _, _ = select.select([descriptor], [], [], remaining)
        if not readable:
            continue
        chunk = os.read(descriptor, 1)
        if not chunk:
            return None
        buffer += chunk
    return buffer.decode().strip()

